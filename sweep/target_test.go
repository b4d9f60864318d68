package sweep_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/sweepml/sweep/journal"
	"github.com/sweepml/sweep/study"
	"github.com/sweepml/sweep/sweep"
)

// TestTarget: metric.target ends the search once a trial below the next
// one's horizon reached it, at the same trial for 1 and 4 workers; the
// final stage follows the shortened search, and the study reads back so.
func TestTarget(t *testing.T) {
	src := strings.Replace(bowlSpec, "metric: {name: val_loss}", "metric: {name: val_loss, target: 0.4}", 1) + "confirm: false\n"
	var studies [][]study.Trial
	for _, workers := range []int{1, 4} {
		spec, err := study.ParseSpec("bowl.yaml", []byte(src), nil)
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		res, err := sweep.Run(context.Background(), spec, []byte(src), sweep.ObjectiveFunc(bowl), sweep.Options{Workers: workers, ResultsDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		n := spec.TotalTrials()
		if n >= 24 {
			t.Fatalf("%d workers: the search ran all %d trials: the target never ended it", workers, n)
		}
		first := -1
		for _, tr := range res.Trials[:n] {
			if tr.State.Finished() && tr.Value <= 0.4 && first < 0 {
				first = tr.Number
			}
		}
		// The trial that reached it is below the horizon of the first one not run.
		if first < 0 || first > n-1 || first < n-1-4 {
			t.Errorf("%d workers: the search ended before trial %d; the first to reach the target was %d", workers, n, first)
		}
		if len(res.Trials) != n+1 || res.Trials[n].Stage != study.TestStage {
			t.Errorf("%d workers: %d trials after a search of %d: want the test stage's one after it", workers, len(res.Trials), n)
		}
		again, err := study.ParseSpec("bowl.yaml", []byte(src), nil)
		if err != nil {
			t.Fatal(err)
		}
		_, read, err := journal.Load(dir+"/bowl", nil)
		if err != nil || again == nil || len(read) != len(res.Trials) || read[n].Stage != study.TestStage {
			t.Errorf("%d workers: the study reads back as %d trials (%v)", workers, len(read), err)
		}
		studies = append(studies, study.Untimed(res.Trials))
	}
	if !reflect.DeepEqual(studies[0], studies[1]) {
		t.Error("1 and 4 workers recorded different studies")
	}
}

// TestMetricNeverReported: a run whose reports never carry the metric
// fails, and its reason names what they carried; a Go objective's metric
// may be any name.
func TestMetricNeverReported(t *testing.T) {
	src := "name: m\nmetric: {name: val/acc, goal: maximize}\nmethod: grid\nparameters:\n  x: {values: [1]}\nbudget: {max_failed: 1}\n"
	spec, err := study.ParseSpec("m.yaml", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	obj := sweep.ObjectiveFunc(func(ctx context.Context, run study.TrialRun, report func(study.Epoch) error) error {
		return report(study.Epoch{Epoch: 1, Metrics: map[string]float64{"val/loss": 0.5, "val_acc": 0.9}})
	})
	res, _ := sweep.Run(context.Background(), spec, []byte(src), obj, sweep.Options{Workers: 1, ResultsDir: t.TempDir()})
	if res == nil || len(res.Trials) == 0 || res.Trials[0].State != study.Failed ||
		res.Trials[0].Reason != `1 reports, none with metric "val/acc" (reported: val/loss, val_acc)` {
		t.Fatalf("%+v", res)
	}
}
