package sweep

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sweepml/sweep/internal/pgtest"
	"github.com/sweepml/sweep/report"
	"github.com/sweepml/sweep/study"
)

// paretoSpec has two objectives: accuracy up, the network's size down.
const paretoSpec = `name: pareto
seed: 5
data: {subset: 300}
fixed: {epochs: 2}
metrics:
  - {name: val_accuracy, goal: maximize}
  - {name: params, goal: minimize}
method: nsga2
parameters:
  sizes: {values: ["784,8,10", "784,16,10", "784,32,10", "784,16,16,10", "784,64,10"]}
  lr: {distribution: log_uniform_values, min: 0.003, max: 0.3}
  batch: {values: [8, 16, 32]}
budget: {trials: 16, batch: 3}
confirm: {top: 2, seeds: 2, baseline: false}
`

// weights counts a dense network's weights and biases from its sizes,
// independently of the networks' code.
func weights(t *testing.T, sizes string) float64 {
	n, prev := 0, 0
	for i, f := range strings.Split(sizes, ",") {
		w, err := strconv.Atoi(f)
		if err != nil {
			t.Fatal(err)
		}
		if i > 0 {
			n += prev*w + w
		}
		prev = w
	}
	return float64(n)
}

// TestParetoFront: a two-objective NSGA-II study records both objectives
// per trial (the size counted independently); the report's pareto is
// exactly the complete search trials that no other dominates, found by
// brute force; the final stage retrains front configurations; 1 and 2
// workers give the same study.
func TestParetoFront(t *testing.T) {
	var studies [][]study.Trial
	for _, workers := range []int{1, 2} {
		spec := parse(t, paretoSpec)
		res, err := Run(context.Background(), spec, []byte(paretoSpec), builtin(spec), Options{Workers: workers, ResultsDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		studies = append(studies, comparable(res.Trials))
		if workers == 2 {
			continue
		}
		var done []study.Trial
		for _, tr := range res.Trials {
			if tr.State != study.Complete || len(tr.Values) != 2 {
				t.Fatalf("trial %d: %s, values %v", tr.Number, tr.State, tr.Values)
			}
			sizes := tr.Params[0].Value.(string)
			if tr.Values[0] != tr.Value || tr.Values[1] != weights(t, sizes) {
				t.Errorf("trial %d (%s): values %v, value %v, want [value, %v]", tr.Number, sizes, tr.Values, tr.Value, weights(t, sizes))
			}
			if tr.Stage == study.SearchStage {
				done = append(done, tr)
			}
		}
		var want []int
		for _, a := range done {
			dominated := false
			for _, b := range done {
				if b.Values[0] >= a.Values[0] && b.Values[1] <= a.Values[1] && (b.Values[0] > a.Values[0] || b.Values[1] < a.Values[1]) {
					dominated = true
				}
			}
			if !dominated {
				want = append(want, a.Number)
			}
		}
		b, err := json.Marshal(report.Analyze(spec, res.Trials))
		if err != nil {
			t.Fatal(err)
		}
		var r struct {
			Pareto []struct {
				Trial  int       `json:"trial"`
				Values []float64 `json:"values"`
			} `json:"pareto"`
		}
		json.Unmarshal(b, &r)
		var got []int
		for _, p := range r.Pareto {
			got = append(got, p.Trial)
		}
		slices.Sort(got)
		if len(want) < 2 || !reflect.DeepEqual(got, want) {
			t.Errorf("pareto %v, want the non-dominated %v", got, want)
		}
		for _, tr := range res.Trials[spec.TotalTrials():] {
			if tr.Stage != study.ConfirmStage || !slices.Contains(want, *tr.Source) {
				t.Errorf("final trial %d (%s) retrains %v, not a front trial of %v", tr.Number, tr.Stage, *tr.Source, want)
			}
		}
	}
	diffTrials(t, "1 vs 2 workers", studies[0], studies[1])
}

// TestParetoResumeAfterKill: a two-objective NSGA-II sweep killed with
// SIGKILL and run again gives the clean run's study.
func TestParetoResumeAfterKill(t *testing.T) {
	killAndResume(t, paretoSpec, func(journal string) bool { return strings.Count(journal, `"op":"state"`) >= 7 })
}

// TestFronts checks the non-dominated sort against brute force: a point's
// rank is the length of the longest chain of points dominating it.
func TestFronts(t *testing.T) {
	metrics := []study.Metric{{Name: "a", Maximize: true}, {Name: "b"}, {Name: "c"}}
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 50 {
		n := 1 + rng.IntN(30)
		points := make([][]float64, n)
		for i := range points {
			points[i] = []float64{float64(rng.IntN(5)), float64(rng.IntN(5)), float64(rng.IntN(3))}
		}
		var depth func(i int) int
		depth = func(i int) int {
			d := 0
			for j := range points {
				if study.Dominates(metrics, points[j], points[i]) {
					d = max(d, depth(j)+1)
				}
			}
			return d
		}
		got := study.Fronts(metrics, points)
		for i := range points {
			if got[i] != depth(i) {
				t.Fatalf("case %d: point %v has rank %d, want %d", trial, points[i], got[i], depth(i))
			}
		}
	}
	if study.Dominates(metrics, []float64{1, 1, 1}, []float64{1, 1, 1}) {
		t.Error("a point dominates its equal")
	}
}

// TestSharedPareto: two worker processes on one PostgreSQL study of the
// two-objective NSGA-II spec end with every trial complete, each with
// both objectives recorded, and a front the report finds.
func TestSharedPareto(t *testing.T) {
	url := pgtest.Start(t).URL("pareto")
	src := strings.Replace(paretoSpec, "name: pareto", "name: shared", 1)
	var cmds []*exec.Cmd
	var logs []*bytes.Buffer
	for w := range 2 {
		cmd, log := worker(t, url, src, fmt.Sprintf("w%d", w), time.Minute)
		cmds, logs = append(cmds, cmd), append(logs, log)
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("worker %d: %v\n%s", i, err, logs[i])
		}
	}
	trials := load(t, url)
	spec := parse(t, src)
	if len(trials) <= spec.TotalTrials() {
		t.Fatalf("%d trials: no final stage", len(trials))
	}
	for _, tr := range trials {
		if tr.State != study.Complete || len(tr.Values) != 2 || tr.Values[1] != weights(t, tr.Params[0].Value.(string)) {
			t.Errorf("trial %d: %s, values %v", tr.Number, tr.State, tr.Values)
		}
	}
	if front := spec.Pareto(trials); len(front) == 0 {
		t.Error("no front")
	}
}
