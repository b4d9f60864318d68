//go:build !openblas

package linalg

// BLAS names the implementation this build multiplies with: gonum's
// pure-Go BLAS, the portable default (CGO_ENABLED=0 builds).
const BLAS = "gonum"
