package sweep

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sweepml/sweep/journal"
	"github.com/sweepml/sweep/recipe"
	"github.com/sweepml/sweep/study"
)

// TestReplayIsIdentical replays a complete and a pruned trial of a
// 2-worker sweep: every epoch is the same, bit for bit. A record altered
// after the fact is caught.
func TestReplayIsIdentical(t *testing.T) {
	spec := parse(t, smallSpec)
	res, err := Run(context.Background(), spec, []byte(smallSpec), builtin(spec), Options{Workers: 2, ResultsDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	picked := map[study.State]int{}
	for _, tr := range res.Trials {
		if _, ok := picked[tr.State]; !ok {
			picked[tr.State] = tr.Number
		}
	}
	for _, state := range []study.State{study.Complete, study.Pruned} {
		number, ok := picked[state]
		if !ok {
			t.Fatalf("no %s trial to replay", state)
		}
		tr, runs, err := Replay(context.Background(), spec, res.Trials, number, builtin(spec))
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) != 1 || !runs[0].Identical() || len(runs[0].Replayed) != tr.Epochs() {
			t.Errorf("%s trial %d does not replay identically: %+v", state, number, runs)
		}
	}

	// The baseline of the confirmation stage: five seeds, new splits, test
	// figures with the last epoch.
	last := res.Trials[len(res.Trials)-1]
	_, runs, err := Replay(context.Background(), spec, res.Trials, last.Number, builtin(spec))
	if err != nil || last.Stage != study.BaselineStage || len(runs) != 5 {
		t.Fatalf("baseline trial %d (%s): %d runs, %v", last.Number, last.Stage, len(runs), err)
	}
	for _, run := range runs {
		if !run.Identical() || run.Replayed[len(run.Replayed)-1].TestAccuracy == 0 {
			t.Errorf("baseline run %d does not replay identically, test figures included", run.Repeat)
		}
	}

	// Alter one recorded validation accuracy in the journal.
	jpath := filepath.Join(res.Dir, journal.FileName)
	b, _ := os.ReadFile(jpath)
	number := picked[study.Complete]
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var e struct {
			Op    string `json:"op"`
			Trial int    `json:"trial,omitempty"`
			Name  string `json:"name,omitempty"`
			Text  string `json:"text,omitempty"`
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatal(err)
		}
		if e.Op == "trial_user_attr" && e.Trial == number && e.Name == study.EpochKey(1, 0, 2) {
			var ep study.Epoch
			json.Unmarshal([]byte(e.Text), &ep)
			ep.ValAccuracy += 0.005
			nb, _ := json.Marshal(ep)
			e.Text = string(nb)
			eb, _ := json.Marshal(e)
			line = string(eb)
		}
		out = append(out, line)
	}
	os.WriteFile(jpath, []byte(strings.Join(out, "\n")+"\n"), 0o644)
	spec2, trials2, err := journal.Load(res.Dir, recipe.Table)
	if err != nil {
		t.Fatal(err)
	}
	_, runs, err = Replay(context.Background(), spec2, trials2, number, builtin(spec2))
	if err != nil {
		t.Fatal(err)
	}
	if runs[0].Identical() {
		t.Error("a tampered record replays as identical")
	}
	if _, _, err := Replay(context.Background(), spec2, trials2, 99, builtin(spec2)); err == nil || err.Error() != "sweep small has trials 0 to 17, not 99" {
		t.Errorf("missing trial: %v", err)
	}
}
