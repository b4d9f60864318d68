package linalg

import "golang.org/x/sys/cpu"

// haveKernel32 says whether this processor runs the AVX2 and FMA kernels
// of kernel32_amd64.s.
var haveKernel32 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

//go:noescape
func axpyBlock64(c *float32, a *float32, as int, b *float32, ldb int, k int)

//go:noescape
func axpyBlock8(c *float32, a *float32, as int, b *float32, ldb int, k int, mask *int32)

//go:noescape
func dotRows4(c *float32, n int, a *float32, b *float32, ldb int, k int, mask *int32)

//go:noescape
func axpyUnitary(alpha float32, x *float32, y *float32, n int)

//go:noescape
func scalUnitary(alpha float32, x *float32, n int)

//go:noescape
func kernel4x16(c *float32, ldc int, a *float32, ars int, acs int, b *float32, ldb int, k int)
