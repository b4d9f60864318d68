package study_test

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/c-bata/goptuna"

	"github.com/sweepml/sweep/journal"
	"github.com/sweepml/sweep/recipe"
	"github.com/sweepml/sweep/study"
)

// planReads counts the reads of a study's attributes, where the
// final-stage plan is kept.
type planReads struct {
	*journal.Journal
	n int
}

func (p *planReads) GetStudySystemAttrs(id int) (map[string]string, error) {
	p.n++
	return p.Journal.GetStudySystemAttrs(id)
}

// threeTrialStudy is an empty journal of a random search of three trials
// and its spec; the journal is closed when the test ends.
func threeTrialStudy(t *testing.T) (*study.Spec, *journal.Journal, int) {
	t.Helper()
	src := "name: s\nseed: 1\nmethod: random\nparameters:\n  lr: {min: 0.01, max: 0.1}\nbudget: {trials: 3}\nconfirm: false\n"
	spec, err := study.ParseSpec("spec.yaml", []byte(src), recipe.Table)
	if err != nil {
		t.Fatal(err)
	}
	j, err := journal.Open(filepath.Join(t.TempDir(), journal.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	id, _ := j.CreateNewStudy(spec.Name)
	return spec, j, id
}

// TestReaderReadsThePlanOnceNeeded: while a study searches, reading its
// trials does not read the final-stage plan (in a shared study, a round
// trip per trial): no search trial's record needs it. Once a trial past
// the search exists, the plan is read, once.
func TestReaderReadsThePlanOnceNeeded(t *testing.T) {
	spec, j, id := threeTrialStudy(t)
	storage := &planReads{Journal: j}
	r := study.NewReader(spec)
	for range spec.TotalTrials() {
		if _, err := j.CreateNewTrial(id); err != nil {
			t.Fatal(err)
		}
		if _, err := r.Read(storage, id); err != nil {
			t.Fatal(err)
		}
	}
	if storage.n != 0 {
		t.Errorf("the plan was read %d times during the search", storage.n)
	}
	j.SetStudySystemAttr(id, study.AttrFinal, study.Final{1}.String())
	j.CreateNewTrial(id)
	for range 2 {
		trials, err := r.Read(storage, id)
		if err != nil {
			t.Fatal(err)
		}
		if last := trials[len(trials)-1]; last.Stage != study.TestStage || last.Source == nil || *last.Source != 1 {
			t.Errorf("the final trial's record: stage %q, source %v", last.Stage, last.Source)
		}
	}
	if storage.n != 1 {
		t.Errorf("the plan was read %d times once needed, want 1", storage.n)
	}
}

// TestReadTrialIsRead: a trial read alone has the record Read gives it,
// finished or running, search or final stage; reading search trials alone
// does not read the plan, and a finished trial is read from the storage
// once.
func TestReadTrialIsRead(t *testing.T) {
	spec, j, id := threeTrialStudy(t)
	dist := goptuna.LogUniformDistribution{Low: 0.01, High: 0.1}
	for n := range spec.TotalTrials() + 1 {
		tid, _ := j.CreateNewTrial(id)
		if err := j.SetTrialParam(tid, "lr", 0.01*float64(n+1), dist); err != nil {
			t.Fatal(err)
		}
		j.SetTrialSystemAttr(tid, study.AttrAttempt, "1")
		j.SetTrialUserAttr(tid, study.EpochKey(1, 0, 1), `{"epoch": 1, "val_accuracy": 0.5}`)
		if n != 1 {
			j.SetTrialValue(tid, 0.5)
			j.SetTrialState(tid, goptuna.TrialStateComplete)
		}
	}
	j.SetStudySystemAttr(id, study.AttrFinal, study.Final{2}.String())
	want, err := study.NewReader(spec).Read(j, id)
	if err != nil {
		t.Fatal(err)
	}
	storage := &planReads{Journal: j}
	r := study.NewReader(spec)
	for round := range 2 {
		for _, w := range want {
			before := j.TrialsRead()
			got, err := r.ReadTrial(storage, id, w.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, w) {
				t.Errorf("trial %d alone: %+v, want %+v", w.Number, got, w)
			}
			if reads := j.TrialsRead() - before; round == 1 && w.State != study.Running && reads != 0 {
				t.Errorf("trial %d, finished, read again from the storage", w.Number)
			}
		}
		if round == 0 && storage.n != 1 {
			t.Errorf("the plan was read %d times, want once, for the final trial", storage.n)
		}
	}
	if want[1].State != study.Running || want[3].Stage != study.TestStage || len(want[0].Runs[0]) != 1 {
		t.Errorf("the study read: trial 1 %s, trial 3 %s, trial 0's runs %v", want[1].State, want[3].Stage, want[0].Runs)
	}
}
