package linalg

import (
	"runtime"
	"testing"
)

// TestProcs checks that Procs leaves out exactly the spare P this build
// reserves, so that sweeps start one worker per core, and that nothing
// changes GOMAXPROCS until a program asks.
func TestProcs(t *testing.T) {
	before := runtime.GOMAXPROCS(0)
	if got := Procs(); got != max(1, before) {
		t.Errorf("before ReserveSpareProcs: Procs() = %d, want GOMAXPROCS %d", got, before)
	}
	ReserveSpareProcs()
	ReserveSpareProcs() // once only
	if got := runtime.GOMAXPROCS(0); got != before+spareProcs {
		t.Errorf("GOMAXPROCS %d after reserving, want %d", got, before+spareProcs)
	}
	if got := Procs(); got != max(1, before) {
		t.Errorf("Procs() = %d, want %d", got, before)
	}
}
