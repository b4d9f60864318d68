// The float32 kernels; see simd_amd64.go for what each computes.
// Strides are in elements and converted to bytes here.

#include "textflag.h"

// func Gemm4x16F32(c *float32, ldc int, a *float32, ars int, acs int, b *float32, ldb int, k int)
//
// The register-blocked core of the multiply: for r < 4,
// c[r·ldc : r·ldc+16] += Σ_{t<k} a[r·ars + t·acs]·b[t·ldb : t·ldb+16].
// The 4×16 sums stay in eight registers; each step loads two vectors of
// b's row t and four elements of a, and does eight FMAs.
TEXT ·Gemm4x16F32(SB), NOSPLIT, $0-64
	MOVQ c+0(FP), DI
	MOVQ ldc+8(FP), R8
	SHLQ $2, R8
	MOVQ a+16(FP), SI
	MOVQ ars+24(FP), AX
	SHLQ $2, AX
	MOVQ acs+32(FP), R9
	SHLQ $2, R9
	MOVQ b+40(FP), DX
	MOVQ ldb+48(FP), BX
	SHLQ $2, BX
	MOVQ k+56(FP), CX
	LEAQ (SI)(AX*1), R10 // a's rows 1, 2, 3
	LEAQ (R10)(AX*1), R11
	LEAQ (R11)(AX*1), R12
	LEAQ (R8)(R8*2), AX // c's rows 3, 1, 2 (R15 stays free, as Go asks)
	ADDQ DI, AX
	LEAQ (DI)(R8*1), R14
	LEAQ (R14)(R8*1), R8
	VMOVUPS 0(DI), Y0
	VMOVUPS 32(DI), Y1
	VMOVUPS 0(R14), Y2
	VMOVUPS 32(R14), Y3
	VMOVUPS 0(R8), Y4
	VMOVUPS 32(R8), Y5
	VMOVUPS 0(AX), Y6
	VMOVUPS 32(AX), Y7
	XORQ  R13, R13 // t·acs in bytes
	TESTQ CX, CX
	JEQ   store4x16

loop4x16:
	VMOVUPS      0(DX), Y8
	VMOVUPS      32(DX), Y9
	VBROADCASTSS (SI)(R13*1), Y10
	VFMADD231PS  Y8, Y10, Y0
	VFMADD231PS  Y9, Y10, Y1
	VBROADCASTSS (R10)(R13*1), Y11
	VFMADD231PS  Y8, Y11, Y2
	VFMADD231PS  Y9, Y11, Y3
	VBROADCASTSS (R11)(R13*1), Y12
	VFMADD231PS  Y8, Y12, Y4
	VFMADD231PS  Y9, Y12, Y5
	VBROADCASTSS (R12)(R13*1), Y13
	VFMADD231PS  Y8, Y13, Y6
	VFMADD231PS  Y9, Y13, Y7
	ADDQ         R9, R13
	ADDQ         BX, DX
	DECQ         CX
	JNE          loop4x16

store4x16:
	VMOVUPS Y0, 0(DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 0(R14)
	VMOVUPS Y3, 32(R14)
	VMOVUPS Y4, 0(R8)
	VMOVUPS Y5, 32(R8)
	VMOVUPS Y6, 0(AX)
	VMOVUPS Y7, 32(AX)
	VZEROUPPER
	RET

// func Row64F32(c *float32, a *float32, as int, b *float32, ldb int, k int)
//
// c[0:64] += Σ_{t<k} a[t·as]·b[t·ldb : t·ldb+64], the 64 sums in eight
// registers for the whole loop.
TEXT ·Row64F32(SB), NOSPLIT, $0-48
	MOVQ c+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ as+16(FP), AX
	SHLQ $2, AX
	MOVQ b+24(FP), DX
	MOVQ ldb+32(FP), BX
	SHLQ $2, BX
	MOVQ k+40(FP), CX
	VMOVUPS 0(DI), Y0
	VMOVUPS 32(DI), Y1
	VMOVUPS 64(DI), Y2
	VMOVUPS 96(DI), Y3
	VMOVUPS 128(DI), Y4
	VMOVUPS 160(DI), Y5
	VMOVUPS 192(DI), Y6
	VMOVUPS 224(DI), Y7
	TESTQ CX, CX
	JEQ   store64

loop64:
	VBROADCASTSS (SI), Y8
	VFMADD231PS 0(DX), Y8, Y0
	VFMADD231PS 32(DX), Y8, Y1
	VFMADD231PS 64(DX), Y8, Y2
	VFMADD231PS 96(DX), Y8, Y3
	VFMADD231PS 128(DX), Y8, Y4
	VFMADD231PS 160(DX), Y8, Y5
	VFMADD231PS 192(DX), Y8, Y6
	VFMADD231PS 224(DX), Y8, Y7
	ADDQ AX, SI
	ADDQ BX, DX
	DECQ CX
	JNE  loop64

store64:
	VMOVUPS Y0, 0(DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	VMOVUPS Y4, 128(DI)
	VMOVUPS Y5, 160(DI)
	VMOVUPS Y6, 192(DI)
	VMOVUPS Y7, 224(DI)
	VZEROUPPER
	RET

// func Row8F32(c *float32, a *float32, as int, b *float32, ldb int, k int, mask *int32)
//
// c[0:w] += Σ_{t<k} a[t·as]·b[t·ldb : t·ldb+w] for the w ≤ 8 columns
// whose mask entries are −1 (mask points at eight of them): masked loads
// and stores leave the other columns alone. Two accumulators alternate so
// that each FMA need not wait for the one before.
TEXT ·Row8F32(SB), NOSPLIT, $0-56
	MOVQ c+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ as+16(FP), AX
	SHLQ $2, AX
	MOVQ b+24(FP), DX
	MOVQ ldb+32(FP), BX
	SHLQ $2, BX
	MOVQ k+40(FP), CX
	MOVQ mask+48(FP), R8
	VMOVDQU    (R8), Y15
	VMASKMOVPS (DI), Y15, Y0
	VXORPS     Y1, Y1, Y1
	CMPQ CX, $2
	JLT  tail8

pair8:
	VMASKMOVPS   (DX), Y15, Y10
	VBROADCASTSS (SI), Y8
	VFMADD231PS  Y10, Y8, Y0
	ADDQ         AX, SI
	ADDQ         BX, DX
	VMASKMOVPS   (DX), Y15, Y11
	VBROADCASTSS (SI), Y9
	VFMADD231PS  Y11, Y9, Y1
	ADDQ         AX, SI
	ADDQ         BX, DX
	SUBQ         $2, CX
	CMPQ         CX, $2
	JGE          pair8

tail8:
	TESTQ CX, CX
	JEQ   store8
	VMASKMOVPS   (DX), Y15, Y10
	VBROADCASTSS (SI), Y8
	VFMADD231PS  Y10, Y8, Y0

store8:
	VADDPS     Y1, Y0, Y0
	VMASKMOVPS Y0, Y15, (DI)
	VZEROUPPER
	RET

// func Dots4F32(c *float32, n int, a *float32, b *float32, ldb int, k int, mask *int32)
//
// c[j] += Σ_{t<k} a[t]·b[j·ldb + t] for j < n, four j at a time (n is a
// multiple of 4). The last k%8 terms are loaded under mask, which points
// at eight entries, the first k%8 of them −1, so that nothing past row
// ends is read. The four sums are reduced together: two rounds of
// horizontal adds leave each one split over the two halves of a register.
TEXT ·Dots4F32(SB), NOSPLIT, $0-56
	MOVQ c+0(FP), DI
	MOVQ n+8(FP), R9
	MOVQ a+16(FP), SI
	MOVQ b+24(FP), DX
	MOVQ ldb+32(FP), BX
	SHLQ $2, BX
	MOVQ k+40(FP), R10
	MOVQ R10, AX
	ANDQ $7, AX  // terms under mask
	SHRQ $3, R10 // whole vectors
	MOVQ mask+48(FP), R8
	VMOVDQU (R8), Y15
	TESTQ R9, R9
	JEQ   doneDot

rows:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	MOVQ   DX, R11 // b's rows j, j+1, j+2, j+3
	LEAQ   (R11)(BX*1), R12
	LEAQ   (R12)(BX*1), R13
	LEAQ   (R13)(BX*1), R14
	MOVQ   SI, R8
	MOVQ   R10, CX
	TESTQ  CX, CX
	JEQ    partial

dots:
	VMOVUPS     (R8), Y8
	VFMADD231PS (R11), Y8, Y0
	VFMADD231PS (R12), Y8, Y1
	VFMADD231PS (R13), Y8, Y2
	VFMADD231PS (R14), Y8, Y3
	ADDQ        $32, R8
	ADDQ        $32, R11
	ADDQ        $32, R12
	ADDQ        $32, R13
	ADDQ        $32, R14
	DECQ        CX
	JNE         dots

partial:
	TESTQ       AX, AX
	JEQ         reduce
	VMASKMOVPS  (R8), Y15, Y8
	VMASKMOVPS  (R11), Y15, Y9
	VFMADD231PS Y9, Y8, Y0
	VMASKMOVPS  (R12), Y15, Y10
	VFMADD231PS Y10, Y8, Y1
	VMASKMOVPS  (R13), Y15, Y11
	VFMADD231PS Y11, Y8, Y2
	VMASKMOVPS  (R14), Y15, Y12
	VFMADD231PS Y12, Y8, Y3

reduce:
	VHADDPS      Y1, Y0, Y0
	VHADDPS      Y3, Y2, Y2
	VHADDPS      Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VADDPS       (DI), X0, X0
	VMOVUPS      X0, (DI)
	ADDQ         $16, DI
	LEAQ         (DX)(BX*4), DX
	SUBQ         $4, R9
	JNE          rows

doneDot:
	VZEROUPPER
	RET

// func AxpyF32(alpha float32, x *float32, y *float32, n int)
//
// y[0:n] += alpha·x[0:n] for n a multiple of 8, multiplying and adding
// separately (no FMA) so that it rounds as y + alpha*x written in Go.
TEXT ·AxpyF32(SB), NOSPLIT, $0-32
	VBROADCASTSS alpha+0(FP), Y8
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DI
	MOVQ n+24(FP), CX
	SHRQ $3, CX
	TESTQ CX, CX
	JEQ  doneAxpy

axpy:
	VMULPS  (SI), Y8, Y0
	VADDPS  (DI), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	DECQ    CX
	JNE     axpy

doneAxpy:
	VZEROUPPER
	RET

// func ScalF32(alpha float32, x *float32, n int)
//
// x[0:n] *= alpha for n a multiple of 8.
TEXT ·ScalF32(SB), NOSPLIT, $0-24
	VBROADCASTSS alpha+0(FP), Y8
	MOVQ x+8(FP), DI
	MOVQ n+16(FP), CX
	SHRQ $3, CX
	TESTQ CX, CX
	JEQ  doneScal

scal:
	VMULPS  (DI), Y8, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	DECQ    CX
	JNE     scal

doneScal:
	VZEROUPPER
	RET

// func Prefetch(p *byte, n int)
//
// Asks for the n bytes from p in the second-level cache, a 64-byte line at
// a time, without waiting for them.
TEXT ·Prefetch(SB), NOSPLIT, $0-16
	MOVQ p+0(FP), SI
	MOVQ n+8(FP), CX
	LEAQ (SI)(CX*1), DX // the end

prefetch:
	CMPQ       SI, DX
	JGE        donePrefetch
	PREFETCHT1 (SI)
	ADDQ       $64, SI
	JMP        prefetch

donePrefetch:
	RET

// func MomentumF32(vel *float32, grad *float32, w *float32, n int, mu float32, negRate float32)
//
// One pass of momentum SGD over n (a multiple of 8) parameters:
// vel[i] = vel[i]·mu + grad[i], then w[i] = w[i] + negRate·vel[i], each product
// and sum rounded on its own as in Go.
TEXT ·MomentumF32(SB), NOSPLIT, $0-40
	MOVQ         vel+0(FP), DI
	MOVQ         grad+8(FP), SI
	MOVQ         w+16(FP), DX
	MOVQ         n+24(FP), CX
	VBROADCASTSS mu+32(FP), Y8
	VBROADCASTSS negRate+36(FP), Y9
	SHRQ         $3, CX
	TESTQ        CX, CX
	JEQ          doneMomentum

momentum:
	VMULPS  (DI), Y8, Y0
	VADDPS  (SI), Y0, Y0
	VMOVUPS Y0, (DI)
	VMULPS  Y0, Y9, Y1
	VADDPS  (DX), Y1, Y1
	VMOVUPS Y1, (DX)
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, DX
	DECQ    CX
	JNE     momentum

doneMomentum:
	VZEROUPPER
	RET

// func ScaleSpansF32(dst *float32, src *byte, spans *int, n int)
//
// Converts the bytes of n spans of src to float32 divided by 255, one span
// after another into dst: eight at a time (zero-extend, convert, divide),
// the rest one at a time. Division, not a multiply by 1/255, so that each
// value is x/255 correctly rounded — what the tables of dataset hold.
TEXT ·ScaleSpansF32(SB), NOSPLIT, $0-32
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         spans+16(FP), R8
	MOVQ         n+24(FP), R9
	MOVL         $0x437f0000, AX // 255.0
	VMOVD        AX, X15
	VBROADCASTSS X15, Y15

nextSpan:
	TESTQ R9, R9
	JEQ   doneSpans
	MOVQ  0(R8), R10        // from
	MOVQ  8(R8), R11        // to
	SUBQ  R10, R11          // bytes in the span
	LEAQ  (SI)(R10*1), DX

eight:
	CMPQ      R11, $8
	JLT       one
	VPMOVZXBD (DX), Y0
	VCVTDQ2PS Y0, Y0
	VDIVPS    Y15, Y0, Y0
	VMOVUPS   Y0, (DI)
	ADDQ      $8, DX
	ADDQ      $32, DI
	SUBQ      $8, R11
	JMP       eight

one:
	TESTQ      R11, R11
	JEQ        spanDone
	MOVBLZX    (DX), AX
	VCVTSI2SSL AX, X0, X0
	VDIVSS     X15, X0, X0
	VMOVSS     X0, (DI)
	INCQ       DX
	ADDQ       $4, DI
	DECQ       R11
	JMP        one

spanDone:
	ADDQ $16, R8
	DECQ R9
	JMP  nextSpan

doneSpans:
	VZEROUPPER
	RET

// func Dots2x4F32(c *float32, ldc int, n int, a *float32, lda int, b *float32, ldb int, k int, mask *int32)
//
// Dots4F32 for two rows of A and C at once: eight sums in registers, each
// row of B loaded once for both rows of A.
TEXT ·Dots2x4F32(SB), NOSPLIT, $0-72
	MOVQ c+0(FP), DI
	MOVQ ldc+8(FP), AX
	SHLQ $2, AX
	MOVQ n+16(FP), R9
	MOVQ a+24(FP), SI
	MOVQ lda+32(FP), CX
	SHLQ $2, CX
	MOVQ b+40(FP), DX
	MOVQ ldb+48(FP), BX
	SHLQ $2, BX
	MOVQ k+56(FP), R10
	MOVQ R10, R14
	ANDQ $7, R14 // terms under mask
	SHRQ $3, R10    // whole vectors
	MOVQ mask+64(FP), R8
	VMOVDQU (R8), Y15
	TESTQ R9, R9
	JEQ   done2x4F32

rows2x4F32:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	MOVQ SI, R8            // a's rows i, i+1: (R8), (R8)(CX*1)
	MOVQ DX, R11           // b's rows j, j+1, j+2: (R11), (R11)(BX*1), (R11)(BX*2)
	LEAQ (R11)(BX*2), R12  // b's row j+3: (R12)(BX*1)
	MOVQ R10, R13
	TESTQ R13, R13
	JEQ  partial2x4F32

dots2x4F32:
	VMOVUPS     (R8), Y8
	VMOVUPS     (R8)(CX*1), Y9
	VMOVUPS     (R11), Y10
	VFMADD231PS Y10, Y8, Y0
	VFMADD231PS Y10, Y9, Y4
	VMOVUPS     (R11)(BX*1), Y11
	VFMADD231PS Y11, Y8, Y1
	VFMADD231PS Y11, Y9, Y5
	VMOVUPS     (R11)(BX*2), Y12
	VFMADD231PS Y12, Y8, Y2
	VFMADD231PS Y12, Y9, Y6
	VMOVUPS     (R12)(BX*1), Y13
	VFMADD231PS Y13, Y8, Y3
	VFMADD231PS Y13, Y9, Y7
	ADDQ        $32, R8
	ADDQ        $32, R11
	ADDQ        $32, R12
	DECQ        R13
	JNE         dots2x4F32

partial2x4F32:
	TESTQ       R14, R14
	JEQ         reduce2x4F32
	VMASKMOVPS  (R8), Y15, Y8
	VMASKMOVPS  (R8)(CX*1), Y15, Y9
	VMASKMOVPS  (R11), Y15, Y10
	VFMADD231PS Y10, Y8, Y0
	VFMADD231PS Y10, Y9, Y4
	VMASKMOVPS  (R11)(BX*1), Y15, Y11
	VFMADD231PS Y11, Y8, Y1
	VFMADD231PS Y11, Y9, Y5
	VMASKMOVPS  (R11)(BX*2), Y15, Y12
	VFMADD231PS Y12, Y8, Y2
	VFMADD231PS Y12, Y9, Y6
	VMASKMOVPS  (R12)(BX*1), Y15, Y13
	VFMADD231PS Y13, Y8, Y3
	VFMADD231PS Y13, Y9, Y7

reduce2x4F32:
	VHADDPS      Y1, Y0, Y0
	VHADDPS      Y3, Y2, Y2
	VHADDPS      Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VADDPS       (DI), X0, X0
	VMOVUPS      X0, (DI)
	VHADDPS      Y5, Y4, Y4
	VHADDPS      Y7, Y6, Y6
	VHADDPS      Y6, Y4, Y4
	VEXTRACTF128 $1, Y4, X5
	VADDPS       X5, X4, X4
	VADDPS       (DI)(AX*1), X4, X4
	VMOVUPS      X4, (DI)(AX*1)
	ADDQ         $16, DI
	LEAQ         (DX)(BX*4), DX
	SUBQ         $4, R9
	JNE          rows2x4F32

done2x4F32:
	VZEROUPPER
	RET

// func Gemm4xMaskF32(c *float32, ldc int, a *float32, ars int, acs int, b *float32, ldb int, k int, mask *int32)
//
// Gemm4x16F32 or Gemm4x8F64 for the first w columns of a register, those whose mask
// entries are −1: masked loads and stores leave the others alone. Two
// sets of four sums take alternate terms, so that each FMA need not wait
// for the one before; they are added at the end.
TEXT ·Gemm4xMaskF32(SB), NOSPLIT, $0-72
	MOVQ c+0(FP), DI
	MOVQ ldc+8(FP), R8
	SHLQ $2, R8
	MOVQ a+16(FP), SI
	MOVQ ars+24(FP), AX
	SHLQ $2, AX
	MOVQ acs+32(FP), R9
	SHLQ $2, R9
	MOVQ b+40(FP), DX
	MOVQ ldb+48(FP), BX
	SHLQ $2, BX
	MOVQ k+56(FP), CX
	MOVQ mask+64(FP), R13
	VMOVDQU (R13), Y15
	LEAQ (SI)(AX*1), R10 // a's rows 1, 2, 3
	LEAQ (R10)(AX*1), R11
	LEAQ (R11)(AX*1), R12
	LEAQ (R8)(R8*2), AX  // c's rows 3, 1, 2
	ADDQ DI, AX
	LEAQ (DI)(R8*1), R14
	LEAQ (R14)(R8*1), R8
	VMASKMOVPS (DI), Y15, Y0
	VMASKMOVPS (R14), Y15, Y1
	VMASKMOVPS (R8), Y15, Y2
	VMASKMOVPS (AX), Y15, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	XORQ R13, R13 // t·acs in bytes
	CMPQ CX, $2
	JLT  tailMaskF32

pairMaskF32:
	VMASKMOVPS   (DX), Y15, Y8
	VBROADCASTSS (SI)(R13*1), Y10
	VFMADD231PS  Y8, Y10, Y0
	VBROADCASTSS (R10)(R13*1), Y11
	VFMADD231PS  Y8, Y11, Y1
	VBROADCASTSS (R11)(R13*1), Y12
	VFMADD231PS  Y8, Y12, Y2
	VBROADCASTSS (R12)(R13*1), Y13
	VFMADD231PS  Y8, Y13, Y3
	ADDQ          R9, R13
	ADDQ          BX, DX
	VMASKMOVPS   (DX), Y15, Y9
	VBROADCASTSS (SI)(R13*1), Y10
	VFMADD231PS  Y9, Y10, Y4
	VBROADCASTSS (R10)(R13*1), Y11
	VFMADD231PS  Y9, Y11, Y5
	VBROADCASTSS (R11)(R13*1), Y12
	VFMADD231PS  Y9, Y12, Y6
	VBROADCASTSS (R12)(R13*1), Y13
	VFMADD231PS  Y9, Y13, Y7
	ADDQ          R9, R13
	ADDQ          BX, DX
	SUBQ          $2, CX
	CMPQ          CX, $2
	JGE           pairMaskF32

tailMaskF32:
	TESTQ CX, CX
	JEQ   storeMaskF32
	VMASKMOVPS   (DX), Y15, Y8
	VBROADCASTSS (SI)(R13*1), Y10
	VFMADD231PS  Y8, Y10, Y0
	VBROADCASTSS (R10)(R13*1), Y11
	VFMADD231PS  Y8, Y11, Y1
	VBROADCASTSS (R11)(R13*1), Y12
	VFMADD231PS  Y8, Y12, Y2
	VBROADCASTSS (R12)(R13*1), Y13
	VFMADD231PS  Y8, Y13, Y3

storeMaskF32:
	VADDPS Y4, Y0, Y0
	VADDPS Y5, Y1, Y1
	VADDPS Y6, Y2, Y2
	VADDPS Y7, Y3, Y3
	VMASKMOVPS Y0, Y15, (DI)
	VMASKMOVPS Y1, Y15, (R14)
	VMASKMOVPS Y2, Y15, (R8)
	VMASKMOVPS Y3, Y15, (AX)
	VZEROUPPER
	RET

// func KeepPositiveF32(d *float32, a *float32, n int)
//
// For n a multiple of 8: d[i] = +0 where a[i] ≤ 0, d[i] kept elsewhere
// (NaN included): a compare "not less or equal" (true for NaN) masks d.
TEXT ·KeepPositiveF32(SB), NOSPLIT, $0-24
	MOVQ  d+0(FP), DI
	MOVQ  a+8(FP), SI
	MOVQ  n+16(FP), CX
	SHRQ  $3, CX
	VXORPS Y1, Y1, Y1
	TESTQ CX, CX
	JEQ   keepDoneF32

keepF32:
	VMOVUPS  (SI), Y0
	VCMPPS   $6, Y1, Y0, Y2 // a NLE 0
	VANDPS   (DI), Y2, Y3
	VMOVUPS  Y3, (DI)
	ADDQ     $32, SI
	ADDQ     $32, DI
	DECQ     CX
	JNE      keepF32

keepDoneF32:
	VZEROUPPER
	RET
