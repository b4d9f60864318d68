//go:build !amd64

package asm32

// Available is false: the kernels are written for amd64 only.
const Available = false

// The kernels panic where they are not Available; see asm32_amd64.go.

func Kernel4x16(c *float32, ldc int, a *float32, ars int, acs int, b *float32, ldb int, k int) {
	panic("asm32: not available")
}
func AxpyBlock64(c *float32, a *float32, as int, b *float32, ldb int, k int) {
	panic("asm32: not available")
}
func AxpyBlock8(c *float32, a *float32, as int, b *float32, ldb int, k int, mask *int32) {
	panic("asm32: not available")
}
func DotRows4(c *float32, n int, a *float32, b *float32, ldb int, k int, mask *int32) {
	panic("asm32: not available")
}
func AxpyUnitary(alpha float32, x *float32, y *float32, n int) { panic("asm32: not available") }
func ScalUnitary(alpha float32, x *float32, n int)             { panic("asm32: not available") }

// Prefetch does nothing here.
func Prefetch(p *byte, n int) {}

func Momentum(vel *float32, grad *float32, w *float32, n int, mu float32, negRate float32) {
	panic("asm32: not available")
}
