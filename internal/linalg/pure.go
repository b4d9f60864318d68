//go:build !openblas

package linalg

import "github.com/sweepml/sweep/internal/simd"

// BLAS names the implementation this build multiplies with: gonum's
// pure-Go BLAS, the portable default (CGO_ENABLED=0 builds).
const BLAS = "gonum"

// spareProcs is 0: pure-Go multiplies never leave the Go scheduler.
const spareProcs = 0

// Kernels says which kernels multiply in this process: this module's AVX2
// and FMA assembly (package simd) where the processor has both, else
// gonum's Go.
func Kernels() string {
	if simd.Available {
		return "sweep's AVX2/FMA assembly kernels"
	}
	return "gonum's Go kernels (no AVX2 and FMA here)"
}
