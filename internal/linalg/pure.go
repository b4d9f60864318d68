//go:build !openblas

package linalg

// BLAS names the implementation this build multiplies with: gonum's
// pure-Go BLAS, the portable default (CGO_ENABLED=0 builds).
const BLAS = "gonum"

// spareProcs is 0: pure-Go multiplies never leave the Go scheduler.
const spareProcs = 0
