package linalg

import "runtime"

// Procs is how many goroutines can multiply at once, one per core:
// GOMAXPROCS less the spare P that a build calling BLAS through cgo adds
// (see openblas.go). Sweeps default to this many trial workers.
func Procs() int { return max(1, runtime.GOMAXPROCS(0)-spareProcs) }
