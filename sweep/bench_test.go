package sweep

import (
	"bufio"
	"context"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/sweepml/sweep/dataset"
)

// benchSpec is 8 trials of the notebook's task, 5 epochs each, with no
// pruning, so that every trial costs the same.
const benchSpec = `name: bench
seed: 1
data: {subset: 1000, validation: 0.2}
fixed: {sizes: "784,128,64,10", epochs: 5, batch: 16}
method: grid
parameters:
  lr: {values: [0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.12]}
budget: {batch: 8}
`

// BenchmarkSweep runs the same 8-trial sweep with 1 and with 2 workers
// and reports trials per minute; the README gives the ratio.
func BenchmarkSweep(b *testing.B) {
	spec := parse(b, benchSpec)
	// Load MNIST before timing: the first sweep of a process pays for it,
	// which would be the one-worker case's alone.
	if _, err := dataset.Embedded(); err != nil {
		b.Fatal(err)
	}
	for _, workers := range []int{1, 2} {
		b.Run("workers="+strconv.Itoa(workers), func(b *testing.B) {
			for range b.N {
				if _, err := Run(context.Background(), spec, []byte(benchSpec), builtin(spec), Options{Workers: workers, ResultsDir: b.TempDir()}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(8*b.N)/b.Elapsed().Minutes(), "trials/min")
		})
	}
}

// BenchmarkSweepMemory runs a 2-worker sweep on all 60,000 training
// images and reports the process's peak resident memory (Linux VmHWM). Run
// it alone: go test -run '^$' -bench SweepMemory ./sweep
func BenchmarkSweepMemory(b *testing.B) {
	src := `name: mem
data: {subset: 0, validation: 0.2}
fixed: {sizes: "784,128,64,10", epochs: 1, batch: 64, dtype: float32}
method: grid
parameters:
  lr: {values: [0.01, 0.05]}
budget: {batch: 2}
`
	spec := parse(b, src)
	for range b.N {
		if _, err := Run(context.Background(), spec, []byte(src), builtin(spec), Options{Workers: 2, ResultsDir: b.TempDir()}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(peakRSSMiB(b), "peak-MiB")
}

func peakRSSMiB(b *testing.B) float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		b.Skip("no /proc/self/status")
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return float64(kb) / 1024
		}
	}
	return 0
}
