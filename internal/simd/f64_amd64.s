// The float64 kernels: the float32 ones (f32_amd64.s) with four lanes to a
// register instead of eight. See simd_amd64.go for what each computes.

#include "textflag.h"

// func Gemm4x8F64(c *float64, ldc int, a *float64, ars int, acs int, b *float64, ldb int, k int)
TEXT ·Gemm4x8F64(SB), NOSPLIT, $0-64
	MOVQ c+0(FP), DI
	MOVQ ldc+8(FP), R8
	SHLQ $3, R8
	MOVQ a+16(FP), SI
	MOVQ ars+24(FP), AX
	SHLQ $3, AX
	MOVQ acs+32(FP), R9
	SHLQ $3, R9
	MOVQ b+40(FP), DX
	MOVQ ldb+48(FP), BX
	SHLQ $3, BX
	MOVQ k+56(FP), CX
	LEAQ (SI)(AX*1), R10 // a's rows 1, 2, 3
	LEAQ (R10)(AX*1), R11
	LEAQ (R11)(AX*1), R12
	LEAQ (R8)(R8*2), AX  // c's rows 3, 1, 2 (R15 stays free, as Go asks)
	ADDQ DI, AX
	LEAQ (DI)(R8*1), R14
	LEAQ (R14)(R8*1), R8
	VMOVUPD 0(DI), Y0
	VMOVUPD 32(DI), Y1
	VMOVUPD 0(R14), Y2
	VMOVUPD 32(R14), Y3
	VMOVUPD 0(R8), Y4
	VMOVUPD 32(R8), Y5
	VMOVUPD 0(AX), Y6
	VMOVUPD 32(AX), Y7
	XORQ  R13, R13 // t·acs in bytes
	TESTQ CX, CX
	JEQ   store4x8

loop4x8:
	VMOVUPD      0(DX), Y8
	VMOVUPD      32(DX), Y9
	VBROADCASTSD (SI)(R13*1), Y10
	VFMADD231PD  Y8, Y10, Y0
	VFMADD231PD  Y9, Y10, Y1
	VBROADCASTSD (R10)(R13*1), Y11
	VFMADD231PD  Y8, Y11, Y2
	VFMADD231PD  Y9, Y11, Y3
	VBROADCASTSD (R11)(R13*1), Y12
	VFMADD231PD  Y8, Y12, Y4
	VFMADD231PD  Y9, Y12, Y5
	VBROADCASTSD (R12)(R13*1), Y13
	VFMADD231PD  Y8, Y13, Y6
	VFMADD231PD  Y9, Y13, Y7
	ADDQ         R9, R13
	ADDQ         BX, DX
	DECQ         CX
	JNE          loop4x8

store4x8:
	VMOVUPD Y0, 0(DI)
	VMOVUPD Y1, 32(DI)
	VMOVUPD Y2, 0(R14)
	VMOVUPD Y3, 32(R14)
	VMOVUPD Y4, 0(R8)
	VMOVUPD Y5, 32(R8)
	VMOVUPD Y6, 0(AX)
	VMOVUPD Y7, 32(AX)
	VZEROUPPER
	RET

// func Row32F64(c *float64, a *float64, as int, b *float64, ldb int, k int)
TEXT ·Row32F64(SB), NOSPLIT, $0-48
	MOVQ c+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ as+16(FP), AX
	SHLQ $3, AX
	MOVQ b+24(FP), DX
	MOVQ ldb+32(FP), BX
	SHLQ $3, BX
	MOVQ k+40(FP), CX
	VMOVUPD 0(DI), Y0
	VMOVUPD 32(DI), Y1
	VMOVUPD 64(DI), Y2
	VMOVUPD 96(DI), Y3
	VMOVUPD 128(DI), Y4
	VMOVUPD 160(DI), Y5
	VMOVUPD 192(DI), Y6
	VMOVUPD 224(DI), Y7
	TESTQ CX, CX
	JEQ   store32

loop32:
	VBROADCASTSD (SI), Y8
	VFMADD231PD  0(DX), Y8, Y0
	VFMADD231PD  32(DX), Y8, Y1
	VFMADD231PD  64(DX), Y8, Y2
	VFMADD231PD  96(DX), Y8, Y3
	VFMADD231PD  128(DX), Y8, Y4
	VFMADD231PD  160(DX), Y8, Y5
	VFMADD231PD  192(DX), Y8, Y6
	VFMADD231PD  224(DX), Y8, Y7
	ADDQ         AX, SI
	ADDQ         BX, DX
	DECQ         CX
	JNE          loop32

store32:
	VMOVUPD Y0, 0(DI)
	VMOVUPD Y1, 32(DI)
	VMOVUPD Y2, 64(DI)
	VMOVUPD Y3, 96(DI)
	VMOVUPD Y4, 128(DI)
	VMOVUPD Y5, 160(DI)
	VMOVUPD Y6, 192(DI)
	VMOVUPD Y7, 224(DI)
	VZEROUPPER
	RET

// func Row4F64(c *float64, a *float64, as int, b *float64, ldb int, k int, mask *int64)
TEXT ·Row4F64(SB), NOSPLIT, $0-56
	MOVQ c+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ as+16(FP), AX
	SHLQ $3, AX
	MOVQ b+24(FP), DX
	MOVQ ldb+32(FP), BX
	SHLQ $3, BX
	MOVQ k+40(FP), CX
	MOVQ mask+48(FP), R8
	VMOVDQU    (R8), Y15
	VMASKMOVPD (DI), Y15, Y0
	VXORPD     Y1, Y1, Y1
	CMPQ CX, $2
	JLT  tail4

pair4:
	VMASKMOVPD   (DX), Y15, Y10
	VBROADCASTSD (SI), Y8
	VFMADD231PD  Y10, Y8, Y0
	ADDQ         AX, SI
	ADDQ         BX, DX
	VMASKMOVPD   (DX), Y15, Y11
	VBROADCASTSD (SI), Y9
	VFMADD231PD  Y11, Y9, Y1
	ADDQ         AX, SI
	ADDQ         BX, DX
	SUBQ         $2, CX
	CMPQ         CX, $2
	JGE          pair4

tail4:
	TESTQ CX, CX
	JEQ   store4
	VMASKMOVPD   (DX), Y15, Y10
	VBROADCASTSD (SI), Y8
	VFMADD231PD  Y10, Y8, Y0

store4:
	VADDPD     Y1, Y0, Y0
	VMASKMOVPD Y0, Y15, (DI)
	VZEROUPPER
	RET

// func Dots4F64(c *float64, n int, a *float64, b *float64, ldb int, k int, mask *int64)
//
// The four sums are reduced together: one round of horizontal adds pairs
// them up within each half of a register, and swapping halves finishes.
TEXT ·Dots4F64(SB), NOSPLIT, $0-56
	MOVQ c+0(FP), DI
	MOVQ n+8(FP), R9
	MOVQ a+16(FP), SI
	MOVQ b+24(FP), DX
	MOVQ ldb+32(FP), BX
	SHLQ $3, BX
	MOVQ k+40(FP), R10
	MOVQ R10, AX
	ANDQ $3, AX  // terms under mask
	SHRQ $2, R10 // whole vectors
	MOVQ mask+48(FP), R8
	VMOVDQU (R8), Y15
	TESTQ R9, R9
	JEQ   doneDot

rows:
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	MOVQ   DX, R11 // b's rows j, j+1, j+2, j+3
	LEAQ   (R11)(BX*1), R12
	LEAQ   (R12)(BX*1), R13
	LEAQ   (R13)(BX*1), R14
	MOVQ   SI, R8
	MOVQ   R10, CX
	TESTQ  CX, CX
	JEQ    partial

dots:
	VMOVUPD     (R8), Y8
	VFMADD231PD (R11), Y8, Y0
	VFMADD231PD (R12), Y8, Y1
	VFMADD231PD (R13), Y8, Y2
	VFMADD231PD (R14), Y8, Y3
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
	VMASKMOVPD  (R8), Y15, Y8
	VMASKMOVPD  (R11), Y15, Y9
	VFMADD231PD Y9, Y8, Y0
	VMASKMOVPD  (R12), Y15, Y10
	VFMADD231PD Y10, Y8, Y1
	VMASKMOVPD  (R13), Y15, Y11
	VFMADD231PD Y11, Y8, Y2
	VMASKMOVPD  (R14), Y15, Y12
	VFMADD231PD Y12, Y8, Y3

reduce:
	VHADDPD    Y1, Y0, Y0 // [a01 b01 | a23 b23]
	VHADDPD    Y3, Y2, Y2 // [c01 d01 | c23 d23]
	VPERM2F128 $0x20, Y2, Y0, Y4 // [a01 b01 c01 d01]
	VPERM2F128 $0x31, Y2, Y0, Y5 // [a23 b23 c23 d23]
	VADDPD     Y5, Y4, Y4
	VADDPD     (DI), Y4, Y4
	VMOVUPD    Y4, (DI)
	ADDQ       $32, DI
	LEAQ       (DX)(BX*4), DX
	SUBQ       $4, R9
	JNE        rows

doneDot:
	VZEROUPPER
	RET

// func ScaleSpansF64(dst *float64, src *byte, spans *int, n int)
//
// ScaleSpansF32 for float64, four bytes at a time.
TEXT ·ScaleSpansF64(SB), NOSPLIT, $0-32
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         spans+16(FP), R8
	MOVQ         n+24(FP), R9
	MOVQ         $0x406fe00000000000, AX // 255.0
	VMOVQ        AX, X15
	VBROADCASTSD X15, Y15

nextSpan:
	TESTQ R9, R9
	JEQ   doneSpans
	MOVQ  0(R8), R10
	MOVQ  8(R8), R11
	SUBQ  R10, R11
	LEAQ  (SI)(R10*1), DX

four:
	CMPQ      R11, $4
	JLT       one
	VPMOVZXBD (DX), X0
	VCVTDQ2PD X0, Y0
	VDIVPD    Y15, Y0, Y0
	VMOVUPD   Y0, (DI)
	ADDQ      $4, DX
	ADDQ      $32, DI
	SUBQ      $4, R11
	JMP       four

one:
	TESTQ      R11, R11
	JEQ        spanDone
	MOVBLZX    (DX), AX
	VCVTSI2SDL AX, X0, X0
	VDIVSD     X15, X0, X0
	VMOVSD     X0, (DI)
	INCQ       DX
	ADDQ       $8, DI
	DECQ       R11
	JMP        one

spanDone:
	ADDQ $16, R8
	DECQ R9
	JMP  nextSpan

doneSpans:
	VZEROUPPER
	RET

// func Dots2x4F64(c *float64, ldc int, n int, a *float64, lda int, b *float64, ldb int, k int, mask *int64)
//
// Dots4F64 for two rows of A and C at once: eight sums in registers, each
// row of B loaded once for both rows of A.
TEXT ·Dots2x4F64(SB), NOSPLIT, $0-72
	MOVQ c+0(FP), DI
	MOVQ ldc+8(FP), AX
	SHLQ $3, AX
	MOVQ n+16(FP), R9
	MOVQ a+24(FP), SI
	MOVQ lda+32(FP), CX
	SHLQ $3, CX
	MOVQ b+40(FP), DX
	MOVQ ldb+48(FP), BX
	SHLQ $3, BX
	MOVQ k+56(FP), R10
	MOVQ R10, R14
	ANDQ $3, R14 // terms under mask
	SHRQ $2, R10    // whole vectors
	MOVQ mask+64(FP), R8
	VMOVDQU (R8), Y15
	TESTQ R9, R9
	JEQ   done2x4F64

rows2x4F64:
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	MOVQ SI, R8            // a's rows i, i+1: (R8), (R8)(CX*1)
	MOVQ DX, R11           // b's rows j, j+1, j+2: (R11), (R11)(BX*1), (R11)(BX*2)
	LEAQ (R11)(BX*2), R12  // b's row j+3: (R12)(BX*1)
	MOVQ R10, R13
	TESTQ R13, R13
	JEQ  partial2x4F64

dots2x4F64:
	VMOVUPD     (R8), Y8
	VMOVUPD     (R8)(CX*1), Y9
	VMOVUPD     (R11), Y10
	VFMADD231PD Y10, Y8, Y0
	VFMADD231PD Y10, Y9, Y4
	VMOVUPD     (R11)(BX*1), Y11
	VFMADD231PD Y11, Y8, Y1
	VFMADD231PD Y11, Y9, Y5
	VMOVUPD     (R11)(BX*2), Y12
	VFMADD231PD Y12, Y8, Y2
	VFMADD231PD Y12, Y9, Y6
	VMOVUPD     (R12)(BX*1), Y13
	VFMADD231PD Y13, Y8, Y3
	VFMADD231PD Y13, Y9, Y7
	ADDQ        $32, R8
	ADDQ        $32, R11
	ADDQ        $32, R12
	DECQ        R13
	JNE         dots2x4F64

partial2x4F64:
	TESTQ       R14, R14
	JEQ         reduce2x4F64
	VMASKMOVPD  (R8), Y15, Y8
	VMASKMOVPD  (R8)(CX*1), Y15, Y9
	VMASKMOVPD  (R11), Y15, Y10
	VFMADD231PD Y10, Y8, Y0
	VFMADD231PD Y10, Y9, Y4
	VMASKMOVPD  (R11)(BX*1), Y15, Y11
	VFMADD231PD Y11, Y8, Y1
	VFMADD231PD Y11, Y9, Y5
	VMASKMOVPD  (R11)(BX*2), Y15, Y12
	VFMADD231PD Y12, Y8, Y2
	VFMADD231PD Y12, Y9, Y6
	VMASKMOVPD  (R12)(BX*1), Y15, Y13
	VFMADD231PD Y13, Y8, Y3
	VFMADD231PD Y13, Y9, Y7

reduce2x4F64:
	VHADDPD    Y1, Y0, Y0
	VHADDPD    Y3, Y2, Y2
	VPERM2F128 $0x20, Y2, Y0, Y8
	VPERM2F128 $0x31, Y2, Y0, Y9
	VADDPD     Y9, Y8, Y8
	VADDPD     (DI), Y8, Y8
	VMOVUPD    Y8, (DI)
	VHADDPD    Y5, Y4, Y4
	VHADDPD    Y7, Y6, Y6
	VPERM2F128 $0x20, Y6, Y4, Y10
	VPERM2F128 $0x31, Y6, Y4, Y11
	VADDPD     Y11, Y10, Y10
	VADDPD     (DI)(AX*1), Y10, Y10
	VMOVUPD    Y10, (DI)(AX*1)
	ADDQ       $32, DI
	LEAQ         (DX)(BX*4), DX
	SUBQ         $4, R9
	JNE          rows2x4F64

done2x4F64:
	VZEROUPPER
	RET

// func Gemm4xMaskF64(c *float64, ldc int, a *float64, ars int, acs int, b *float64, ldb int, k int, mask *int64)
//
// Gemm4x16F32 or Gemm4x8F64 for the first w columns of a register, those whose mask
// entries are −1: masked loads and stores leave the others alone. Two
// sets of four sums take alternate terms, so that each FMA need not wait
// for the one before; they are added at the end.
TEXT ·Gemm4xMaskF64(SB), NOSPLIT, $0-72
	MOVQ c+0(FP), DI
	MOVQ ldc+8(FP), R8
	SHLQ $3, R8
	MOVQ a+16(FP), SI
	MOVQ ars+24(FP), AX
	SHLQ $3, AX
	MOVQ acs+32(FP), R9
	SHLQ $3, R9
	MOVQ b+40(FP), DX
	MOVQ ldb+48(FP), BX
	SHLQ $3, BX
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
	VMASKMOVPD (DI), Y15, Y0
	VMASKMOVPD (R14), Y15, Y1
	VMASKMOVPD (R8), Y15, Y2
	VMASKMOVPD (AX), Y15, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	XORQ R13, R13 // t·acs in bytes
	CMPQ CX, $2
	JLT  tailMaskF64

pairMaskF64:
	VMASKMOVPD   (DX), Y15, Y8
	VBROADCASTSD (SI)(R13*1), Y10
	VFMADD231PD  Y8, Y10, Y0
	VBROADCASTSD (R10)(R13*1), Y11
	VFMADD231PD  Y8, Y11, Y1
	VBROADCASTSD (R11)(R13*1), Y12
	VFMADD231PD  Y8, Y12, Y2
	VBROADCASTSD (R12)(R13*1), Y13
	VFMADD231PD  Y8, Y13, Y3
	ADDQ          R9, R13
	ADDQ          BX, DX
	VMASKMOVPD   (DX), Y15, Y9
	VBROADCASTSD (SI)(R13*1), Y10
	VFMADD231PD  Y9, Y10, Y4
	VBROADCASTSD (R10)(R13*1), Y11
	VFMADD231PD  Y9, Y11, Y5
	VBROADCASTSD (R11)(R13*1), Y12
	VFMADD231PD  Y9, Y12, Y6
	VBROADCASTSD (R12)(R13*1), Y13
	VFMADD231PD  Y9, Y13, Y7
	ADDQ          R9, R13
	ADDQ          BX, DX
	SUBQ          $2, CX
	CMPQ          CX, $2
	JGE           pairMaskF64

tailMaskF64:
	TESTQ CX, CX
	JEQ   storeMaskF64
	VMASKMOVPD   (DX), Y15, Y8
	VBROADCASTSD (SI)(R13*1), Y10
	VFMADD231PD  Y8, Y10, Y0
	VBROADCASTSD (R10)(R13*1), Y11
	VFMADD231PD  Y8, Y11, Y1
	VBROADCASTSD (R11)(R13*1), Y12
	VFMADD231PD  Y8, Y12, Y2
	VBROADCASTSD (R12)(R13*1), Y13
	VFMADD231PD  Y8, Y13, Y3

storeMaskF64:
	VADDPD Y4, Y0, Y0
	VADDPD Y5, Y1, Y1
	VADDPD Y6, Y2, Y2
	VADDPD Y7, Y3, Y3
	VMASKMOVPD Y0, Y15, (DI)
	VMASKMOVPD Y1, Y15, (R14)
	VMASKMOVPD Y2, Y15, (R8)
	VMASKMOVPD Y3, Y15, (AX)
	VZEROUPPER
	RET

// func KeepPositiveF64(d *float64, a *float64, n int)
//
// For n a multiple of 4: d[i] = +0 where a[i] ≤ 0, d[i] kept elsewhere
// (NaN included): a compare "not less or equal" (true for NaN) masks d.
TEXT ·KeepPositiveF64(SB), NOSPLIT, $0-24
	MOVQ  d+0(FP), DI
	MOVQ  a+8(FP), SI
	MOVQ  n+16(FP), CX
	SHRQ  $2, CX
	VXORPD Y1, Y1, Y1
	TESTQ CX, CX
	JEQ   keepDoneF64

keepF64:
	VMOVUPD  (SI), Y0
	VCMPPD   $6, Y1, Y0, Y2 // a NLE 0
	VANDPD   (DI), Y2, Y3
	VMOVUPD  Y3, (DI)
	ADDQ     $32, SI
	ADDQ     $32, DI
	DECQ     CX
	JNE      keepF64

keepDoneF64:
	VZEROUPPER
	RET

// func VelocityF64(vel *float64, grad *float64, n int, mu float64)
//
// The first half of momentum SGD over n (a multiple of 4) parameters:
// vel[i] = vel[i]·mu + grad[i], the product and the sum each rounded on
// its own as in Go.
TEXT ·VelocityF64(SB), NOSPLIT, $0-32
	MOVQ         vel+0(FP), DI
	MOVQ         grad+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSD mu+24(FP), Y8
	SHRQ         $2, CX
	TESTQ        CX, CX
	JEQ          doneVelocity

velocity:
	VMULPD  (DI), Y8, Y0
	VADDPD  (SI), Y0, Y0
	VMOVUPD Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	DECQ    CX
	JNE     velocity

doneVelocity:
	VZEROUPPER
	RET

// func MomentumF64(vel *float64, grad *float64, w *float64, n int, mu float64, negRate float64, fused bool)
//
// One pass of momentum SGD over n (a multiple of 4) parameters:
// vel[i] = vel[i]·mu + grad[i], the product and the sum each rounded on
// its own, then w[i] = w[i] + negRate·vel[i], in one fused multiply-add
// when fused, else the product and the sum each rounded on its own.
TEXT ·MomentumF64(SB), NOSPLIT, $0-49
	MOVQ         vel+0(FP), DI
	MOVQ         grad+8(FP), SI
	MOVQ         w+16(FP), DX
	MOVQ         n+24(FP), CX
	VBROADCASTSD mu+32(FP), Y8
	VBROADCASTSD negRate+40(FP), Y9
	MOVBQZX      fused+48(FP), AX
	SHRQ         $2, CX
	TESTQ        CX, CX
	JEQ          doneMomentumF64
	TESTQ        AX, AX
	JNE          fusedMomentumF64

plainMomentumF64:
	VMULPD  (DI), Y8, Y0
	VADDPD  (SI), Y0, Y0
	VMOVUPD Y0, (DI)
	VMULPD  Y0, Y9, Y1
	VADDPD  (DX), Y1, Y1
	VMOVUPD Y1, (DX)
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, DX
	DECQ    CX
	JNE     plainMomentumF64
	JMP     doneMomentumF64

fusedMomentumF64:
	VMULPD      (DI), Y8, Y0
	VADDPD      (SI), Y0, Y0
	VMOVUPD     Y0, (DI)
	VMOVUPD     (DX), Y1
	VFMADD231PD Y0, Y9, Y1
	VMOVUPD     Y1, (DX)
	ADDQ        $32, DI
	ADDQ        $32, SI
	ADDQ        $32, DX
	DECQ        CX
	JNE         fusedMomentumF64

doneMomentumF64:
	VZEROUPPER
	RET
