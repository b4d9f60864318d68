package sweep

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/sweepml/sweep/recipe"
	"github.com/sweepml/sweep/study"
)

// FuzzPlan: any spec the parser accepts plans without panicking and
// claims at least one trial.
func FuzzPlan(f *testing.F) {
	f.Add([]byte(smallSpec))
	f.Add([]byte(paretoSpec))
	f.Add([]byte("name: x\nmethod: grid\nparameters: {lr: {values: [0.1, 0.2]}, batch: {min: 1, max: 64}}\nconfirm: {top: 2, seeds: 3}\n"))
	f.Add([]byte("name: x\nmethod: random\ndata: {folds: 5}\nparameters: {warmup: {distribution: q_uniform, min: 0, max: 1000000, q: 3}}\nbudget: {trials: 100000}\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		spec, err := study.ParseSpec("f.yaml", b, recipe.Table)
		if err != nil {
			return
		}
		if spec.TotalTrials() < 1 || spec.TotalTrials() > study.MaxTrials {
			t.Fatalf("accepted a spec of %d trials", spec.TotalTrials())
		}
		if err := Plan(io.Discard, spec, recipe.Table, 2, "results"); err != nil {
			t.Fatal(err)
		}
	})
}

// TestPlanMemoryIsBounded: parsing and planning the largest spec a file
// may hold — 1 MiB, tens of thousands of values — never holds more than
// 50 MB of heap (sampled as it runs), and a range of 10⁶ integers costs
// nothing per value.
func TestPlanMemoryIsBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("name: big\nmethod: random\nbudget: {trials: 100000, batch: 1000}\nparameters:\n  batch: {min: 1, max: 1000000}\n  lr: {values: [")
	for i := 1; b.Len() < study.MaxSpecBytes-100; i++ {
		fmt.Fprintf(&b, "%g, ", float64(i)*1e-7)
	}
	b.WriteString("0.5]}\n")
	src := []byte(b.String())
	// Collect often, so that the sampled heap is what parsing holds, not
	// garbage the collector has not reached yet.
	defer debug.SetGCPercent(debug.SetGCPercent(10))
	var base runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&base)
	done, peak := make(chan struct{}), make(chan uint64)
	go func() {
		var most uint64
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			most = max(most, m.HeapAlloc)
			select {
			case <-done:
				peak <- most
				return
			case <-time.After(200 * time.Microsecond):
			}
		}
	}()
	spec, err := study.ParseSpec("big.yaml", src, recipe.Table)
	if err == nil {
		err = Plan(io.Discard, spec, recipe.Table, 2, "results")
	}
	close(done)
	mb := float64(<-peak-base.HeapAlloc) / 1e6
	if err != nil {
		t.Fatal(err)
	}
	if mb > 50 {
		t.Errorf("parsing and planning a %d-byte spec of %d values held %.0f MB of heap", len(src), len(spec.Parameters[1].Values), mb)
	}
	t.Logf("%d-byte spec, %d values: at most %.1f MB of heap", len(src), len(spec.Parameters[1].Values), mb)
}
