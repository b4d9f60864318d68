// Package simd holds kernels in Go assembly for amd64 with AVX2 and FMA:
// the register-blocked matrix products for float32 and float64 that
// internal/linalg multiplies with in the pure-Go build (see its
// kernels.go), the optimizer's vector operations (momentum in one pass
// for float32 and float64, and float64's velocity alone), ReLU and its derivative (package network), and the
// pixel conversion and prefetch of package dataset. It is a package of
// its own because Go builds no assembly into a package that uses cgo, and
// the OpenBLAS build of linalg does.
//
// Pointers address the first element; strides and counts are in
// elements. Callers check bounds: the kernels read and write exactly the
// elements their documentation names, masked lanes included.
package simd
