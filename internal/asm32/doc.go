// Package asm32 holds the float32 kernels, in Go assembly for amd64 with
// AVX2 and FMA, that the pure-Go build of internal/linalg multiplies with
// (see its kernel32.go). It is a package of its own because Go does not
// build assembly and cgo into one package, and the OpenBLAS build of
// linalg uses cgo.
//
// Pointers address the first element; strides and counts are in
// elements. Callers check bounds: the kernels read and write exactly the
// elements their documentation names.
package asm32
