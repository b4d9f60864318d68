package sweep_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/sweepml/sweep/study"
	"github.com/sweepml/sweep/sweep"
)

// bowlSpec sweeps two parameters of a function of its own with TPE,
// stopping unpromising trials by successive halving.
const bowlSpec = `name: bowl
seed: 7
metric: {name: val_loss}
method: tpe
parameters:
  x: {distribution: uniform, min: -2, max: 2}
  width: {distribution: int_uniform, min: 1, max: 8}
budget: {trials: 24, batch: 4}
early_terminate: {type: successive_halving, min_epochs: 2, eta: 2}
`

// bowl is an objective of its own: a loss that falls over 8 epochs towards
// a floor set by the parameters, with noise drawn from the run's seed.
func bowl(ctx context.Context, run study.TrialRun, report func(study.Epoch) error) error {
	x, width := run.Params[0].Value.(float64), run.Params[1].Value.(int64)
	floor := (x-0.5)*(x-0.5) + math.Abs(float64(width)-5)/10
	rng := rand.New(rand.NewPCG(run.Seed, 0))
	for epoch := 1; epoch <= 8; epoch++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		loss := floor + 1/float64(epoch) + 0.01*rng.NormFloat64()
		if err := report(study.Epoch{Epoch: epoch, ValLoss: loss}); err != nil {
			return err // study.ErrPruned: the pruner stopped this run
		}
	}
	return nil
}

// Sweep a Go function of your own: parse a spec without a settings table
// (any parameter names go), wrap the function as an Objective, run.
func Example() {
	spec, err := study.ParseSpec("bowl.yaml", []byte(bowlSpec), nil)
	if err != nil {
		panic(err)
	}
	dir, _ := os.MkdirTemp("", "bowl")
	defer os.RemoveAll(dir)
	res, err := sweep.Run(context.Background(), spec, []byte(bowlSpec), sweep.ObjectiveFunc(bowl), sweep.Options{Workers: 4, ResultsDir: dir})
	if err != nil {
		panic(err)
	}
	best := study.Ranked(spec, res.Trials)[0]
	fmt.Printf("%s; best: trial %d, x=%.2f width=%d, val_loss %.3f\n",
		study.Counts(res.Trials), best.Number, best.Params[0].Value, best.Params[1].Value, best.Value)
	// Output:
	// 29 trials: 17 complete, 12 pruned; best: trial 24, x=0.33 width=5, val_loss 0.154
}

// TestExampleObjectiveWorkers: the example's sweep gives the same study
// with 1 and 4 workers.
func TestExampleObjectiveWorkers(t *testing.T) {
	spec, err := study.ParseSpec("bowl.yaml", []byte(bowlSpec), nil)
	if err != nil {
		t.Fatal(err)
	}
	var studies [][]study.Trial
	for _, workers := range []int{1, 4} {
		res, err := sweep.Run(context.Background(), spec, []byte(bowlSpec), sweep.ObjectiveFunc(bowl), sweep.Options{Workers: workers, ResultsDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		for i := range res.Trials {
			res.Trials[i].Seconds = 0
		}
		studies = append(studies, res.Trials)
	}
	if !reflect.DeepEqual(studies[0], studies[1]) {
		t.Errorf("1 and 4 workers differ:\n%+v\n%+v", studies[0], studies[1])
	}
	if c := study.Counts(studies[0]); c == "24 trials: 24 complete" {
		t.Errorf("nothing pruned: %s", c)
	}
}

// TestConcurrentStudies: two different TPE and CMA-ES studies swept at
// once in one process, through the public API, each record what they
// record swept alone. goptuna draws from the global math/rand, which the
// engine reseeds per proposal: without a lock, one study's reseed lands
// among the other's draws.
func TestConcurrentStudies(t *testing.T) {
	specs := map[string]string{
		"tpe": strings.Replace(strings.Replace(bowlSpec, "trials: 24, batch: 4", "trials: 40, batch: 1", 1), "early_terminate: {type: successive_halving, min_epochs: 2, eta: 2}\n", "", 1),
		"cmaes": "name: cma\nseed: 9\nmetric: {name: val_loss}\nmethod: cmaes\nparameters:\n  x: {distribution: uniform, min: -2, max: 2}\n" +
			"  width: {distribution: int_uniform, min: 1, max: 8}\nbudget: {trials: 40, batch: 1}\n",
	}
	sweepOnce := func(src string) []study.Trial {
		spec, err := study.ParseSpec("s.yaml", []byte(src), nil)
		if err != nil {
			t.Error(err)
			return nil
		}
		res, err := sweep.Run(context.Background(), spec, []byte(src), sweep.ObjectiveFunc(bowl), sweep.Options{Workers: 1, ResultsDir: t.TempDir()})
		if err != nil {
			t.Error(err)
			return nil
		}
		return study.Untimed(res.Trials)
	}
	solo := map[string][]study.Trial{}
	for name, src := range specs {
		solo[name] = sweepOnce(src)
	}
	for round := range 3 {
		var wg sync.WaitGroup
		got := map[string][]study.Trial{}
		var mu sync.Mutex
		for name, src := range specs {
			for k := range 2 { // two of each at once
				wg.Add(1)
				go func() {
					defer wg.Done()
					trials := sweepOnce(src)
					mu.Lock()
					got[fmt.Sprint(name, k)] = trials
					mu.Unlock()
				}()
			}
		}
		wg.Wait()
		for key, trials := range got {
			if want := solo[key[:len(key)-1]]; !reflect.DeepEqual(trials, want) {
				t.Fatalf("round %d: study %s swept beside others differs from its solo run", round, key)
			}
		}
	}
}
