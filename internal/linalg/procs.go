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

// LockThread wires the calling goroutine to its OS thread, where
// ReserveSpareProcs has reserved a spare P, until the matching
// UnlockThread; elsewhere both do nothing. Calls nest. Training calls
// them around its arithmetic.
//
// The spare P costs idle cores otherwise. The runtime preempts a goroutine
// that has run 10ms, puts it on the global run queue and wakes a thread
// for the idle P, which often takes the goroutine on the other core while
// this one finds nothing to do: the other core then runs two threads, and
// this one idles until the kernel moves one, milliseconds later. A locked
// goroutine resumes on its own thread. A 2-worker sweep of
// configs/lr_sizes.yaml left the cores idle 1.9–2.2 s of their 40–47 s
// without it, 0.7–1.0 s with it (docs/performance.md).
func LockThread() {
	if reserved > 0 {
		runtime.LockOSThread()
	}
}

// UnlockThread undoes a LockThread.
func UnlockThread() {
	if reserved > 0 {
		runtime.UnlockOSThread()
	}
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
