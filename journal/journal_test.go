package journal_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sweepml/sweep/journal"
)

func TestJournalTornLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), journal.FileName)
	j, err := journal.Open(path)
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

	j, err = journal.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if attrs, _ := j.GetTrialUserAttrs(0); attrs["k"] != "v" {
		t.Errorf("replayed attrs %v", attrs)
	}
	j.SetTrialUserAttr(0, "k2", "v2") // appends after the last good line
	j.Close()
	j, err = journal.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if attrs, _ := j.GetTrialUserAttrs(0); attrs["k2"] != "v2" {
		t.Errorf("replayed attrs %v", attrs)
	}
	j.Close()

	b, _ := os.ReadFile(path)
	os.WriteFile(path, append([]byte("{not json}\n"), b...), 0o644)
	if _, err := journal.Open(path); err == nil || !strings.HasPrefix(err.Error(), path+":1: damaged journal line: ") {
		t.Errorf("damaged journal: %v", err)
	}
}

// TestJournalIsExclusive: a journal open for writing cannot be opened for
// writing again (another sweep run on the same directory) until it is
// closed; reading it stays possible.
func TestJournalIsExclusive(t *testing.T) {
	path := filepath.Join(t.TempDir(), journal.FileName)
	j, err := journal.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := journal.Open(path); !errors.Is(err, journal.ErrInUse) {
		t.Errorf("second open: %v", err)
	}
	if _, err := journal.Read(path); err != nil {
		t.Errorf("reading: %v", err)
	}
	j.Close()
	j, err = journal.Open(path)
	if err != nil {
		t.Fatalf("after close: %v", err)
	}
	j.Close()
}

// TestJournalEdges: a whole last line without its newline is kept (and
// completed); a symbolic link is not followed; an absurdly long line is
// damage.
func TestJournalEdges(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, journal.FileName)
	os.WriteFile(path, []byte(`{"op":"create_study","name":"s"}`+"\n"+`{"op":"create_trial","study":1}`), 0o644)
	j, err := journal.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if trials, _ := j.GetAllTrials(1); len(trials) != 1 {
		t.Errorf("%d trials, want the one on the last line", len(trials))
	}
	j.Close()
	if b, _ := os.ReadFile(path); !strings.HasSuffix(string(b), "}\n") {
		t.Errorf("last line not completed: %q", b)
	}
	link := filepath.Join(dir, "link.jsonl")
	os.Symlink(path, link)
	if _, err := journal.Open(link); err == nil || !strings.Contains(err.Error(), "is a symbolic link") {
		t.Errorf("symlink: %v", err)
	}
	long := filepath.Join(dir, "long.jsonl")
	os.WriteFile(long, append(bytes.Repeat([]byte("x"), 2<<20), '\n'), 0o644)
	if _, err := journal.Open(long); err == nil || !strings.Contains(err.Error(), "long.jsonl:1: a line of over 1048576 bytes") {
		t.Errorf("long line: %v", err)
	}
}
