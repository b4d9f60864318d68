package study_test

import (
	"path/filepath"
	"testing"

	"github.com/sweepml/sweep/recipe"
	"github.com/sweepml/sweep/study"
)

// planReads counts the reads of a study's attributes, where the
// final-stage plan is kept.
type planReads struct {
	*study.Journal
	n int
}

func (p *planReads) GetStudySystemAttrs(id int) (map[string]string, error) {
	p.n++
	return p.Journal.GetStudySystemAttrs(id)
}

// TestReaderReadsThePlanOnceNeeded: while a study searches, reading its
// trials does not read the final-stage plan (in a shared study, a round
// trip per trial): no search trial's record needs it. Once a trial past
// the search exists, the plan is read, once.
func TestReaderReadsThePlanOnceNeeded(t *testing.T) {
	src := "name: s\nseed: 1\nmethod: random\nparameters:\n  lr: {min: 0.01, max: 0.1}\nbudget: {trials: 3}\nconfirm: false\n"
	spec, err := study.ParseSpec("spec.yaml", []byte(src), recipe.Table)
	if err != nil {
		t.Fatal(err)
	}
	j, err := study.OpenJournal(filepath.Join(t.TempDir(), study.JournalFile))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	id, _ := j.CreateNewStudy(spec.Name)
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
