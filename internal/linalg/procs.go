package linalg

import (
	"runtime"
	"sync"
)

var (
	reserveOnce sync.Once
	reserved    int
)

// ReserveSpareProcs adds to GOMAXPROCS the spare P that a build calling
// BLAS through cgo wants idle (see openblas.go; none for the pure-Go
// build). A program calls it once, at start-up: a library never changes
// process-wide settings by itself.
func ReserveSpareProcs() {
	reserveOnce.Do(func() {
		if spareProcs > 0 {
			runtime.GOMAXPROCS(runtime.GOMAXPROCS(0) + spareProcs)
			reserved = spareProcs
		}
	})
}

// Procs is how many goroutines can multiply at once, one per core:
// GOMAXPROCS less the spare P reserved by ReserveSpareProcs. Sweeps
// default to this many trial workers.
func Procs() int { return max(1, runtime.GOMAXPROCS(0)-reserved) }

// Build describes this build as trials record it: what it multiplies with
// (Name: gonum's pure Go, or OpenBLAS with the openblas tag, and whether
// the AVX2 kernels run), the Go version and the platform. float64 results
// of two builds may differ in the last bits.
func Build() string {
	return Name() + " BLAS, " + runtime.Version() + ", " + runtime.GOOS + "/" + runtime.GOARCH
}
