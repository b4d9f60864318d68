package linalg

import (
	"runtime"
	"testing"
)

// TestProcs checks that Procs leaves out exactly the spare P this build
// adds, so that sweeps start one worker per core.
func TestProcs(t *testing.T) {
	if got, want := Procs(), max(1, runtime.GOMAXPROCS(0)-spareProcs); got != want {
		t.Errorf("Procs() = %d, want %d", got, want)
	}
	if BLAS == "openblas" && runtime.GOMAXPROCS(0) < 2 {
		t.Errorf("GOMAXPROCS is %d: the OpenBLAS build must keep a spare P", runtime.GOMAXPROCS(0))
	}
}
