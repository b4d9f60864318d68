package sweep

import (
	"io"
	"testing"

	"github.com/sweepml/sweep/recipe"
	"github.com/sweepml/sweep/study"
)

// FuzzPlan: any spec the parser accepts plans without panicking and
// claims at least one trial.
func FuzzPlan(f *testing.F) {
	f.Add([]byte(smallSpec))
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
