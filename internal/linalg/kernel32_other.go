//go:build !amd64

package linalg

// haveKernel32 is false: the float32 kernels are written for amd64 only,
// and other processors multiply with gonum.
const haveKernel32 = false

func axpyBlock64(c *float32, a *float32, as int, b *float32, ldb int, k int) { panic("unreachable") }
func axpyBlock8(c *float32, a *float32, as int, b *float32, ldb int, k int, mask *int32) {
	panic("unreachable")
}
func dotRows4(c *float32, n int, a *float32, b *float32, ldb int, k int, mask *int32) {
	panic("unreachable")
}
func axpyUnitary(alpha float32, x *float32, y *float32, n int) { panic("unreachable") }
func scalUnitary(alpha float32, x *float32, n int)             { panic("unreachable") }

func kernel4x16(c *float32, ldc int, a *float32, ars int, acs int, b *float32, ldb int, k int) {
	panic("unreachable")
}
