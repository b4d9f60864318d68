package pgstore

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/c-bata/goptuna"

	"github.com/sweepml/sweep/storage"
	"github.com/sweepml/sweep/study"
)

// TestAttemptsAreFenced: once a trial is taken over, every write of the
// old attempt fails with storage.ErrFenced and changes nothing; the new
// attempt's writes go through.
func TestAttemptsAreFenced(t *testing.T) {
	s, _ := open(t, "fence")
	id, _ := s.CreateNewStudy("st")
	trial, _, _, _ := s.CreateTrialWithin(id, -1, "zombie")
	old, err := s.Begin(trial, "zombie")
	if err != nil || old.Number() != 1 {
		t.Fatalf("begin: %v", err)
	}
	if err := old.SetUserAttr("sweep:epoch:1:0:001", "a"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond)
	if claims, _ := s.ClaimStale(id, time.Second, "taker"); len(claims) != 1 {
		t.Fatalf("claims %+v", claims)
	}
	if _, err := s.Begin(trial, "zombie"); !errors.Is(err, storage.ErrFenced) {
		t.Errorf("zombie begins again: %v", err)
	}
	taker, err := s.Begin(trial, "taker")
	if err != nil || taker.Number() != 2 {
		t.Fatalf("taker: %v", err)
	}
	// The zombie's attributes are sent a second after the first of them
	// (its epoch above, so at once), or with its state or heartbeat; its
	// value with its state: each send fails and writes nothing.
	if err := old.SetSystemAttr("sweep:seconds", "9"); !errors.Is(err, storage.ErrFenced) {
		t.Errorf("zombie's system attribute: %v", err)
	}
	if err := errors.Join(old.SetUserAttr("sweep:epoch:1:0:002", "b"), old.SetValue(0.5)); err != nil {
		t.Errorf("zombie's epoch and value are sent with its state: %v", err)
	}
	if err := old.SetState(goptuna.TrialStateComplete); !errors.Is(err, storage.ErrFenced) {
		t.Errorf("zombie's state: %v", err)
	}
	if err := old.Heartbeat(); !errors.Is(err, storage.ErrFenced) {
		t.Errorf("zombie's heartbeat: %v", err)
	}
	if err := taker.SetValue(0.9); err != nil {
		t.Fatal(err)
	}
	if err := taker.SetState(goptuna.TrialStateComplete); err != nil {
		t.Fatal(err)
	}
	ft, _ := s.GetTrial(trial)
	if ft.Value != 0.9 || ft.State != goptuna.TrialStateComplete || ft.UserAttrs["sweep:epoch:1:0:002"] != "" || ft.SystemAttrs["sweep:attempt"] != "2" || ft.SystemAttrs["sweep:seconds"] != "" {
		t.Errorf("trial %+v", ft)
	}
}

// TestBeginReadsTheTrial: the trial an attempt begins is the trial as a
// read right after gives it, parameters sent with Begin and attempt
// number included, for a new trial and for one taken over, and Begin is
// one statement.
func TestBeginReadsTheTrial(t *testing.T) {
	s, _ := open(t, "begin")
	id, _ := s.CreateNewStudy("st")
	trial, _, _, _ := s.CreateTrialWithin(id, -1, "first")
	if err := errors.Join(s.SetTrialUserAttr(trial, "u", "x"), s.SetTrialIntermediateValue(trial, 2, 0.25)); err != nil {
		t.Fatal(err)
	}
	s.SetTrialParam(trial, "lr", 0.1, goptuna.LogUniformDistribution{Low: 0.001, High: 1})
	s.SetTrialParam(trial, "act", 1, goptuna.CategoricalDistribution{Choices: []string{"relu", "tanh"}})
	begin := func(worker string) storage.Attempt {
		t.Helper()
		before := s.statements.Load()
		a, err := s.Begin(trial, worker)
		if err != nil {
			t.Fatal(err)
		}
		if n := s.statements.Load() - before; n != 1 {
			t.Errorf("%s's Begin took %d statements", worker, n)
		}
		want, err := s.GetTrial(trial)
		if err != nil {
			t.Fatal(err)
		}
		if got := a.Trial(); !reflect.DeepEqual(got, want) {
			t.Errorf("%s's attempt %d began\n%+v\nread after:\n%+v", worker, a.Number(), got, want)
		}
		return a
	}
	first := begin("first")
	if p := first.Trial().Params; p["act"] != "tanh" || p["lr"] != 0.1 || first.Trial().SystemAttrs[study.AttrAttempt] != "1" {
		t.Errorf("first attempt's trial %+v", first.Trial())
	}
	if err := errors.Join(first.SetUserAttr(study.EpochKey(1, 0, 1), "{}"), first.Heartbeat()); err != nil {
		t.Fatal(err)
	}
	if claims, err := s.ClaimStale(id, 0, "taker"); err != nil || len(claims) != 1 {
		t.Fatalf("claims %+v, %v", claims, err)
	}
	taker := begin("taker")
	if ft := taker.Trial(); ft.SystemAttrs[study.AttrAttempt] != "2" || ft.UserAttrs[study.EpochKey(1, 0, 1)] != "{}" || ft.IntermediateValues[2] != 0.25 {
		t.Errorf("taker's trial %+v", ft)
	}
}

// TestParamsTravelWithBegin: a new trial's parameters are written by the
// statement that begins it; until then no other worker sees them, yet
// the store that set them reads them back, and sends them when closed; a
// begin that is fenced off writes none (the claimant proposes the trial
// again).
func TestParamsTravelWithBegin(t *testing.T) {
	s, url := open(t, "params")
	other, err := Open(context.Background(), url, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	id, _ := s.CreateNewStudy("st")
	dist := goptuna.UniformDistribution{Low: 0, High: 1}
	tid, _, _, _ := s.CreateTrialWithin(id, -1, "w")
	n := s.statements.Load()
	s.SetTrialParam(tid, "a", 0.25, dist)
	s.SetTrialParam(tid, "b", 0.5, dist)
	if ft, _ := other.GetTrial(tid); len(ft.InternalParams) != 0 {
		t.Errorf("parameters written before Begin: %v", ft.InternalParams)
	}
	if _, err := s.Begin(tid, "w"); err != nil {
		t.Fatal(err)
	}
	if got := s.statements.Load() - n; got != 1 {
		t.Errorf("two parameters and Begin took %d statements, want 1", got)
	}
	if ft, _ := other.GetTrial(tid); ft.InternalParams["a"] != 0.25 || ft.InternalParams["b"] != 0.5 {
		t.Errorf("after Begin another worker reads %v", ft.InternalParams)
	}

	// The store reads what was written to it, begun or not.
	tid2, _, _, _ := s.CreateTrialWithin(id, -1, "w")
	s.SetTrialParam(tid2, "a", 0.75, dist)
	if ft, err := s.GetTrial(tid2); err != nil || ft.InternalParams["a"] != 0.75 {
		t.Errorf("read back before Begin: %v, %v", ft.InternalParams, err)
	}

	// A store closed with parameters kept sends them.
	closing, err := Open(context.Background(), url, Options{})
	if err != nil {
		t.Fatal(err)
	}
	closing.SetTrialParam(tid2, "b", 0.0625, dist)
	if err := closing.Close(); err != nil {
		t.Fatal(err)
	}
	if ft, _ := other.GetTrial(tid2); ft.InternalParams["b"] != 0.0625 {
		t.Errorf("after Close another worker reads %v", ft.InternalParams)
	}

	// Taken over before it began: its Begin is fenced and writes nothing.
	tid3, _, _, _ := s.CreateTrialWithin(id, -1, "w")
	if _, err := other.ClaimStale(id, 0, "w2"); err != nil {
		t.Fatal(err)
	}
	s.SetTrialParam(tid3, "a", 0.125, dist)
	if _, err := s.Begin(tid3, "w"); !errors.Is(err, storage.ErrFenced) {
		t.Fatalf("Begin of a trial taken over: %v", err)
	}
	if ft, _ := other.GetTrial(tid3); len(ft.InternalParams) != 0 {
		t.Errorf("a fenced Begin wrote %v", ft.InternalParams)
	}
}
