//go:build !amd64

package simd

// Available is false: the kernels are written for amd64 only.
const Available = false

// The kernels panic where they are not Available; see simd_amd64.go.

func Gemm4x16F32(c *float32, ldc int, a *float32, ars int, acs int, b *float32, ldb int, k int) {
	panic("simd: not available")
}
func Row64F32(c *float32, a *float32, as int, b *float32, ldb int, k int) {
	panic("simd: not available")
}
func Row8F32(c *float32, a *float32, as int, b *float32, ldb int, k int, mask *int32) {
	panic("simd: not available")
}
func Dots4F32(c *float32, n int, a *float32, b *float32, ldb int, k int, mask *int32) {
	panic("simd: not available")
}
func AxpyF32(alpha float32, x *float32, y *float32, n int) { panic("simd: not available") }
func ScalF32(alpha float32, x *float32, n int)             { panic("simd: not available") }

// Prefetch does nothing here.
func Prefetch(p *byte, n int) {}

func MomentumF32(vel *float32, grad *float32, w *float32, n int, mu float32, negRate float32) {
	panic("simd: not available")
}

func VelocityF64(vel *float64, grad *float64, n int, mu float64) {
	panic("simd: not available")
}

func MomentumF64(vel *float64, grad *float64, w *float64, n int, mu float64, negRate float64, fused bool) {
	panic("simd: not available")
}

func Gemm4x8F64(c *float64, ldc int, a *float64, ars int, acs int, b *float64, ldb int, k int) {
	panic("simd: not available")
}
func Row32F64(c *float64, a *float64, as int, b *float64, ldb int, k int) {
	panic("simd: not available")
}
func Row4F64(c *float64, a *float64, as int, b *float64, ldb int, k int, mask *int64) {
	panic("simd: not available")
}
func Dots4F64(c *float64, n int, a *float64, b *float64, ldb int, k int, mask *int64) {
	panic("simd: not available")
}
func ScaleSpansF32(dst *float32, src *byte, spans *int, n int) { panic("simd: not available") }
func ScaleSpansF64(dst *float64, src *byte, spans *int, n int) { panic("simd: not available") }
func Dots2x4F32(c *float32, ldc int, n int, a *float32, lda int, b *float32, ldb int, k int, mask *int32) {
	panic("simd: not available")
}
func Dots2x4F64(c *float64, ldc int, n int, a *float64, lda int, b *float64, ldb int, k int, mask *int64) {
	panic("simd: not available")
}
func Gemm4xMaskF32(c *float32, ldc int, a *float32, ars int, acs int, b *float32, ldb int, k int, mask *int32) {
	panic("simd: not available")
}
func Gemm4xMaskF64(c *float64, ldc int, a *float64, ars int, acs int, b *float64, ldb int, k int, mask *int64) {
	panic("simd: not available")
}
func KeepPositiveF32(d *float32, a *float32, n int) { panic("simd: not available") }
func KeepPositiveF64(d *float64, a *float64, n int) { panic("simd: not available") }
