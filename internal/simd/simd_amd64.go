package simd

import "golang.org/x/sys/cpu"

// Available says whether this processor runs the kernels (Prefetch runs
// on every amd64 processor).
var Available = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// Gemm4x16F32 computes, for r < 4,
// c[r·ldc : r·ldc+16] += Σ_{t<k} a[r·ars + t·acs]·b[t·ldb : t·ldb+16],
// the 4×16 sums held in registers throughout.
//
//go:noescape
func Gemm4x16F32(c *float32, ldc int, a *float32, ars int, acs int, b *float32, ldb int, k int)

// Row64F32 computes c[0:64] += Σ_{t<k} a[t·as]·b[t·ldb : t·ldb+64].
//
//go:noescape
func Row64F32(c *float32, a *float32, as int, b *float32, ldb int, k int)

// Row8F32 computes c[0:w] += Σ_{t<k} a[t·as]·b[t·ldb : t·ldb+w] for
// the first w ≤ 8 columns: those whose entry of mask[0:8] is −1.
//
//go:noescape
func Row8F32(c *float32, a *float32, as int, b *float32, ldb int, k int, mask *int32)

// Dots4F32 computes c[j] += Σ_{t<k} a[t]·b[j·ldb + t] for j < n, n a
// multiple of 4; mask[0:8] holds k%8 entries −1, then zeros.
//
//go:noescape
func Dots4F32(c *float32, n int, a *float32, b *float32, ldb int, k int, mask *int32)

// AxpyF32 computes y[0:n] += alpha·x[0:n] for n a multiple of 8,
// rounding as y[i] + alpha*x[i] does in Go (no fused multiply-add).
//
//go:noescape
func AxpyF32(alpha float32, x *float32, y *float32, n int)

// ScalF32 computes x[0:n] *= alpha for n a multiple of 8.
//
//go:noescape
func ScalF32(alpha float32, x *float32, n int)

// Prefetch asks the processor to load the n bytes from p into its
// second-level cache and returns without waiting for them. It never
// faults: a prefetch of an address that is not mapped does nothing.
//
//go:noescape
func Prefetch(p *byte, n int)

// MomentumF32 computes, for i < n (a multiple of 8), vel[i] = vel[i]·mu + grad[i]
// and then w[i] = w[i] + negRate·vel[i], rounding each operation as Go does.
//
//go:noescape
func MomentumF32(vel *float32, grad *float32, w *float32, n int, mu float32, negRate float32)

// VelocityF64 computes, for i < n (a multiple of 4), vel[i] = vel[i]·mu +
// grad[i], rounding the product and the sum each as Go does.
//
//go:noescape
func VelocityF64(vel *float64, grad *float64, n int, mu float64)

// MomentumF64 computes, for i < n (a multiple of 4), vel[i] = vel[i]·mu +
// grad[i], rounding the product and the sum each as Go does, and then
// w[i] = w[i] + negRate·vel[i]: math.FMA(negRate, vel[i], w[i]) when
// fused, else the product and the sum each rounded as Go does.
//
//go:noescape
func MomentumF64(vel *float64, grad *float64, w *float64, n int, mu float64, negRate float64, fused bool)

// Gemm4x8F64 is Gemm4x16F32 for float64: for r < 4,
// c[r·ldc : r·ldc+8] += Σ_{t<k} a[r·ars + t·acs]·b[t·ldb : t·ldb+8].
//
//go:noescape
func Gemm4x8F64(c *float64, ldc int, a *float64, ars int, acs int, b *float64, ldb int, k int)

// Row32F64 computes c[0:32] += Σ_{t<k} a[t·as]·b[t·ldb : t·ldb+32].
//
//go:noescape
func Row32F64(c *float64, a *float64, as int, b *float64, ldb int, k int)

// Row4F64 computes c[0:w] += Σ_{t<k} a[t·as]·b[t·ldb : t·ldb+w] for the
// first w ≤ 4 columns: those whose entry of mask[0:4] is −1.
//
//go:noescape
func Row4F64(c *float64, a *float64, as int, b *float64, ldb int, k int, mask *int64)

// Dots4F64 computes c[j] += Σ_{t<k} a[t]·b[j·ldb + t] for j < n, n a
// multiple of 4; mask[0:4] holds k%4 entries −1, then zeros.
//
//go:noescape
func Dots4F64(c *float64, n int, a *float64, b *float64, ldb int, k int, mask *int64)

// ScaleSpansF32 writes, for each of the n spans [from, to) of src —
// spans points at n pairs of ints, from then to — float32(src[i])/255 for
// i in the span, one span after another into dst.
//
//go:noescape
func ScaleSpansF32(dst *float32, src *byte, spans *int, n int)

// ScaleSpansF64 is ScaleSpansF32 for float64.
//
//go:noescape
func ScaleSpansF64(dst *float64, src *byte, spans *int, n int)

// Dots2x4F32 is Dots4F32 for two rows at once: for r < 2 and j < n,
// c[r·ldc + j] += Σ_{t<k} a[r·lda + t]·b[j·ldb + t].
//
//go:noescape
func Dots2x4F32(c *float32, ldc int, n int, a *float32, lda int, b *float32, ldb int, k int, mask *int32)

// Dots2x4F64 is Dots2x4F32 for float64; mask[0:4] holds k%4 entries −1.
//
//go:noescape
func Dots2x4F64(c *float64, ldc int, n int, a *float64, lda int, b *float64, ldb int, k int, mask *int64)

// Gemm4xMaskF32 is Gemm4x16F32 for the first w ≤ 8 columns, those whose
// entry of mask[0:8] is −1: for r < 4,
// c[r·ldc : r·ldc+w] += Σ_{t<k} a[r·ars + t·acs]·b[t·ldb : t·ldb+w].
//
//go:noescape
func Gemm4xMaskF32(c *float32, ldc int, a *float32, ars int, acs int, b *float32, ldb int, k int, mask *int32)

// Gemm4xMaskF64 is Gemm4xMaskF32 for float64, w ≤ 4 columns.
//
//go:noescape
func Gemm4xMaskF64(c *float64, ldc int, a *float64, ars int, acs int, b *float64, ldb int, k int, mask *int64)

// KeepPositiveF32 sets d[i] to +0 where a[i] ≤ 0 (−0 included) and keeps
// it elsewhere (NaN included), for i < n, n a multiple of 8: ReLU (d = a)
// and its derivative.
//
//go:noescape
func KeepPositiveF32(d *float32, a *float32, n int)

// KeepPositiveF64 is KeepPositiveF32 for float64, n a multiple of 4.
//
//go:noescape
func KeepPositiveF64(d *float64, a *float64, n int)
