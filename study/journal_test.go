package study_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sweepml/sweep/study"
)

func TestJournalTornLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), study.JournalFile)
	j, err := study.OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := j.CreateNewStudy("s")
	j.CreateNewTrial(id)
	j.SetTrialUserAttr(0, "k", "v")
	j.Close()
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"op":"trial_user_attr","trial":0,"na`) // killed mid-write
	f.Close()

	j, err = study.OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	if attrs, _ := j.GetTrialUserAttrs(0); attrs["k"] != "v" {
		t.Errorf("replayed attrs %v", attrs)
	}
	j.SetTrialUserAttr(0, "k2", "v2") // appends after the last good line
	j.Close()
	j, err = study.OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	if attrs, _ := j.GetTrialUserAttrs(0); attrs["k2"] != "v2" {
		t.Errorf("replayed attrs %v", attrs)
	}
	j.Close()

	b, _ := os.ReadFile(path)
	os.WriteFile(path, append([]byte("{not json}\n"), b...), 0o644)
	if _, err := study.OpenJournal(path); err == nil || !strings.HasPrefix(err.Error(), path+":1: damaged journal line: ") {
		t.Errorf("damaged journal: %v", err)
	}
}
