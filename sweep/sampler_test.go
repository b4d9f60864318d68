package sweep

import (
	"fmt"
	"testing"

	"github.com/c-bata/goptuna"

	"github.com/sweepml/sweep/recipe"
	"github.com/sweepml/sweep/study"
)

// newStudy returns an in-memory study for sampler tests.
func newStudy(t *testing.T, spec *study.Spec) *goptuna.Study {
	t.Helper()
	s, err := goptuna.CreateStudy("t", goptuna.StudyOptionLogger(nil), goptuna.StudyOptionDirection(goptuna.StudyDirectionMaximize),
		goptuna.StudyOptionDefineSearchSpace(spec.SearchSpace()))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func spec(t *testing.T, method, params string, trials int) *study.Spec {
	t.Helper()
	src := fmt.Sprintf("name: t\nseed: 3\nmethod: %s\nparameters:\n%s\n", method, params)
	if trials > 0 {
		src += fmt.Sprintf("budget: {trials: %d}\n", trials)
	}
	s, err := study.ParseSpec("t.yaml", []byte(src), recipe.Table)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// sample proposes n trials and returns each parameter's values.
func sample(t *testing.T, s *study.Spec, n int) map[string][]any {
	study := newStudy(t, s)
	smp, err := newSampler(s)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]any{}
	for i := range n {
		id, err := study.Storage.CreateNewTrial(study.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := smp.propose(study, id, i); err != nil {
			t.Fatal(err)
		}
		ft, _ := study.Storage.GetTrial(id)
		for _, prm := range s.Parameters {
			out[prm.Name] = append(out[prm.Name], prm.External(ft.InternalParams[prm.Name]))
		}
		study.Storage.SetTrialValue(id, float64(i%7))
		study.Storage.SetTrialState(id, goptuna.TrialStateComplete)
	}
	return out
}

// TestIntBoundsInclusive: random and Sobol draw both ends of integer and
// q ranges (goptuna's own samplers never draw an int's upper bound), every
// value about equally often; TPE stays within them.
func TestIntBoundsInclusive(t *testing.T) {
	params := "  warmup: {distribution: int_uniform, min: 1, max: 3}\n  batch: {distribution: q_uniform, min: 8, max: 32, q: 8}\n  schedule: {values: [constant, cosine, step]}"
	for _, method := range []string{"random", "sobol", "tpe"} {
		got := sample(t, spec(t, method, params, 300), 300)
		for name, want := range map[string][]any{
			"warmup":   {int64(1), int64(2), int64(3)},
			"batch":    {int64(8), int64(16), int64(24), int64(32)},
			"schedule": {"constant", "cosine", "step"},
		} {
			count := map[any]int{}
			for _, v := range got[name] {
				count[v]++
			}
			for _, w := range want {
				if count[w] == 0 {
					t.Errorf("%s: %s never drew %v (%v)", method, name, w, count)
				}
				if method != "tpe" && (count[w] < 300/len(want)/2 || count[w] > 300/len(want)*3/2) {
					t.Errorf("%s: %s drew %v %d times in 300, want about %d", method, name, w, count[w], 300/len(want))
				}
			}
			if len(count) != len(want) {
				t.Errorf("%s: %s drew values outside %v: %v", method, name, want, count)
			}
		}
	}
}

func TestContinuousRanges(t *testing.T) {
	params := "  lr: {distribution: log_uniform_values, min: 0.001, max: 1}\n  momentum: {distribution: uniform, min: 0.5, max: 0.99}"
	for _, method := range []string{"random", "sobol", "tpe", "cmaes"} {
		got := sample(t, spec(t, method, params, 40), 40)
		below := 0
		for i, v := range got["lr"] {
			lr, m := v.(float64), got["momentum"][i].(float64)
			if lr < 0.001 || lr > 1 || m < 0.5 || m > 0.99 {
				t.Errorf("%s: lr %v momentum %v out of range", method, lr, m)
			}
			if lr < 0.0316 { // the log-scale midpoint
				below++
			}
		}
		if method == "random" && (below < 10 || below > 30) {
			t.Errorf("random: %d of 40 log-uniform draws below the log midpoint", below)
		}
	}
}

// TestGridOrder: the grid enumerates spec order, last parameter fastest.
func TestGridOrder(t *testing.T) {
	s := spec(t, "grid", "  arch: {values: [mlp, resnet]}\n  warmup: {distribution: int_uniform, min: 0, max: 2}", 0)
	if s.GridSize() != 6 || s.TotalTrials() != 6 {
		t.Fatalf("grid size %d, total %d", s.GridSize(), s.TotalTrials())
	}
	got := sample(t, s, 6)
	var pairs []string
	for i := range 6 {
		pairs = append(pairs, fmt.Sprintf("%v %v", got["arch"][i], got["warmup"][i]))
	}
	if fmt.Sprint(pairs) != "[mlp 0 mlp 1 mlp 2 resnet 0 resnet 1 resnet 2]" {
		t.Errorf("grid order %v", pairs)
	}
}

// TestSamplersAreReproducible: the same seed proposes the same trials.
func TestSamplersAreReproducible(t *testing.T) {
	params := "  lr: {distribution: log_uniform_values, min: 0.001, max: 1}\n  warmup: {distribution: int_uniform, min: 0, max: 5}\n  schedule: {values: [constant, cosine]}"
	for _, method := range []string{"random", "sobol", "tpe", "cmaes"} {
		a := sample(t, spec(t, method, params, 24), 24)
		b := sample(t, spec(t, method, params, 24), 24)
		if fmt.Sprint(a) != fmt.Sprint(b) {
			t.Errorf("%s: two samplers with the same seed differ", method)
		}
	}
}

// TestReseedCheck: where seeding the global source does nothing (a main
// module without godebug randseednop=0), TPE and CMA-ES refuse to run;
// here, where it works, they run.
func TestReseedCheck(t *testing.T) {
	n := int64(0)
	noop := func(int64) {}
	draw := func() int64 { n++; return n }
	if err := checkReseed(noop, draw); err != ErrNoReseed {
		t.Errorf("a no-op seed: %v", err)
	}
	if _, err := newSampler(spec(t, "tpe", "  lr: {min: 0.1, max: 0.2}", 4)); err != nil {
		t.Errorf("this module's go.mod reseeds: %v", err)
	}
}
