package study

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/c-bata/goptuna"
)

// State is how far a trial got.
type State string

// Trial states, as recorded and reported.
const (
	Running  State = "running"
	Complete State = "complete"
	Pruned   State = "pruned"
	Failed   State = "failed"
)

// States lists the states in the order reports count them.
var States = []State{Complete, Pruned, Failed, Running}

// Finished reports whether the trial ended with a value: complete or
// pruned.
func (s State) Finished() bool { return s == Complete || s == Pruned }

// stateOf is the state of a goptuna trial state.
var stateOf = map[goptuna.TrialState]State{
	goptuna.TrialStateRunning:  Running,
	goptuna.TrialStateWaiting:  Running,
	goptuna.TrialStateComplete: Complete,
	goptuna.TrialStatePruned:   Pruned,
	goptuna.TrialStateFail:     Failed,
}

// ParamValue is a parameter's value in a trial (the parameter, its search
// dimension, is a Parameter). An inactive parameter (its
// when: did not hold) has none; it is not written to JSON.
type ParamValue struct {
	Name     string `json:"name"`
	Value    any    `json:"value"`
	Inactive bool   `json:"-"`
}

// Trial is the record of one trial.
type Trial struct {
	ID     int     `json:"-"` // the storage's ID, which need not be the number
	Number int     `json:"number"`
	State  State   `json:"state"`
	Value  float64 `json:"value"` // the metric: the mean over repeats of the last epoch's
	// Values are the objectives, with several (metrics:), in order: each
	// the mean over runs of its last value (Values[0] is Value).
	Values  []float64    `json:"values,omitempty"`
	Params  []ParamValue `json:"params"`
	Seeds   []uint64     `json:"seeds"` // one per repeat
	Reason  string       `json:"reason,omitempty"`
	Seconds float64      `json:"seconds"`
	// Build says what trained it: BLAS, Go version, platform.
	Build string `json:"build,omitempty"`
	// Runs holds each run's per-epoch history, as far as it got.
	Runs [][]Epoch `json:"runs"`
	// Devices are the GPU devices each run used (CUDA_VISIBLE_DEVICES),
	// where the sweep gave runs devices.
	Devices []string `json:"devices,omitempty"`
	// Stage is the part of the study the trial belongs to; Source, for a
	// final-stage trial, the search trial whose configuration it trains
	// again.
	Stage  Stage `json:"stage,omitempty"`
	Source *int  `json:"source,omitempty"`
}

// TrialRun is one run of a trial: what an objective trains.
type TrialRun struct {
	Number int          // the trial's number in its study
	Repeat int          // which of the trial's runs
	Seed   uint64       // the run's seed (initial weights, order of examples)
	Params []ParamValue // in spec order; none for the baseline (the defaults)
	// SplitSeed draws the validation split: the spec's seed, or for a
	// confirmation run with data.resplit its own seed.
	SplitSeed uint64
	// Folds > 1 cross-validates: the run validates on fold Fold of Folds
	// and trains on the others.
	Folds, Fold int
	// Test asks the objective to measure the test set at the end of the
	// run (final stage only) and report it with the last epoch.
	Test  bool
	Stage Stage
	// Devices are the GPU devices the run may use, e.g. "0" or "2,3";
	// "" for none (see sweep.Options.Devices).
	Devices string
}

// Epochs is the number of epochs the trial's first run trained.
func (t Trial) Epochs() int {
	if len(t.Runs) == 0 {
		return 0
	}
	return len(t.Runs[0])
}

// Attribute keys of trials in the study.
const (
	AttrAttempt = "sweep:attempt" // how many times the trial was started
	AttrReason  = "sweep:reason"
	AttrBuild   = "sweep:build"
	AttrSeconds = "sweep:seconds"
	AttrValues  = "sweep:values"  // a finished trial's objectives, with several, as JSON
	AttrStale   = "sweep:stale"   // sweep:stale:<attempt>: who stopped beating, who took over
	AttrSpec    = "sweep:spec"    // the study's spec, a study attribute
	attrDevices = "sweep:devices" // sweep:devices:<attempt>:<repeat> → the run's GPU devices
	epochPrefix = "sweep:epoch"   // sweep:epoch:<attempt>:<repeat>:<epoch> → Epoch as JSON
)

// EpochKey is the attribute key of an epoch's record.
func EpochKey(attempt, repeat, epoch int) string {
	return fmt.Sprintf("%s:%d:%d:%03d", epochPrefix, attempt, repeat, epoch)
}

// DevicesKey is the attribute key of the GPU devices a run used.
func DevicesKey(attempt, repeat int) string {
	return fmt.Sprintf("%s:%d:%d", attrDevices, attempt, repeat)
}

// trialStream keeps trial seeds apart from other draws from a sweep's seed.
const trialStream = 0x7a4d_0003

// TrialSeed is the seed of a trial's run: a hash of the sweep's seed, the
// trial's number and the repeat.
func TrialSeed(sweepSeed uint64, number, repeat int) uint64 {
	return rand.New(rand.NewPCG(sweepSeed^trialStream, uint64(number)<<16|uint64(repeat))).Uint64()
}

// trial builds one trial's record. goptuna's state is written last when a
// trial ends: the commit point. A trial killed before it is running, and
// reruns.
func (s *Spec) trial(ft goptuna.FrozenTrial, final Final) (Trial, error) {
	t := Trial{ID: ft.ID, Number: ft.Number, State: stateOf[ft.State]}
	stage, source := s.StageOf(ft.Number, final)
	t.Stage = stage
	if source >= 0 {
		t.Source = &source
	}
	if t.State == Failed {
		t.Reason = ft.SystemAttrs[AttrReason]
	}
	t.Seconds, _ = strconv.ParseFloat(ft.SystemAttrs[AttrSeconds], 64)
	t.Build = ft.SystemAttrs[AttrBuild]
	for _, prm := range s.Parameters {
		if stage == BaselineStage {
			t.Params = s.baselineParams()
			break
		}
		internal, ok := ft.InternalParams[prm.Name]
		if !ok && len(prm.When) > 0 && !prm.Active(ParamLookup(t.Params)) {
			t.Params = append(t.Params, ParamValue{Name: prm.Name, Inactive: true}) // its when: does not hold
			continue
		}
		if !ok {
			// Only a sweep killed between creating a trial and proposing
			// it leaves one without all its parameters; resuming proposes
			// it again.
			if t.State != Running {
				return t, fmt.Errorf("trial %d has no value for parameter %s: the study was made by another spec", ft.Number, prm.Name)
			}
			t.Params = nil
			break
		}
		v := prm.External(internal)
		if v == nil {
			return t, fmt.Errorf("trial %d: parameter %s has index %v, but the spec lists %d values: the study was edited or made by another spec", ft.Number, prm.Name, internal, len(prm.Values))
		}
		t.Params = append(t.Params, ParamValue{Name: prm.Name, Value: v})
	}
	t.Seeds = s.Seeds(ft.Number, stage, source)
	var err error
	if t.Runs, err = readRuns(ft, len(t.Seeds)); err != nil {
		return t, fmt.Errorf("trial %d: %w", ft.Number, err)
	}
	if t.State.Finished() {
		t.Value = ft.Value
		if t.Values, err = ParseValues(ft.SystemAttrs[AttrValues], len(s.Objectives())); err != nil && s.MultiObjective() {
			return t, fmt.Errorf("trial %d: %w", ft.Number, err)
		}
	}
	for r := range t.Seeds {
		if d, ok := ft.SystemAttrs[DevicesKey(attemptOf(ft), r)]; ok {
			if t.Devices == nil {
				t.Devices = make([]string, len(t.Seeds))
			}
			t.Devices[r] = d
		}
	}
	return t, nil
}

// ParseValues reads a trial's objectives from their attribute: want of
// them, finite.
func ParseValues(attr string, want int) ([]float64, error) {
	var v []float64
	if err := json.Unmarshal([]byte(attr), &v); err != nil || len(v) != want || slices.ContainsFunc(v, notFinite) {
		return nil, fmt.Errorf("objectives %q: want a list of %d finite numbers, one per metric", attr, want)
	}
	return v, nil
}

func notFinite(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }

// attemptOf is the number of a trial's latest attempt.
func attemptOf(ft goptuna.FrozenTrial) int {
	n, _ := strconv.Atoi(ft.SystemAttrs[AttrAttempt])
	return n
}

// readRuns collects the per-epoch records of the trial's latest attempt.
func readRuns(ft goptuna.FrozenTrial, repeats int) ([][]Epoch, error) {
	prefix := epochPrefix + ":" + ft.SystemAttrs[AttrAttempt] + ":"
	runs := make([][]Epoch, repeats)
	keys := make([]string, 0, len(ft.UserAttrs))
	for k := range ft.UserAttrs {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys) // repeat, then zero-padded epoch
	for _, k := range keys {
		var repeat int
		fmt.Sscanf(strings.TrimPrefix(k, prefix), "%d:", &repeat)
		var e Epoch
		if err := json.Unmarshal([]byte(ft.UserAttrs[k]), &e); err != nil {
			return nil, fmt.Errorf("epoch record %s: %w", k, err)
		}
		if repeat < repeats {
			runs[repeat] = append(runs[repeat], e)
		}
	}
	return runs, nil
}

// MarshalJSON writes a trial with "value": null unless it finished (a
// failed or running trial has no value), its active parameters, and every
// run's epochs as a list, empty if none were recorded.
func (t Trial) MarshalJSON() ([]byte, error) {
	type plain Trial
	t.Params = Active(t.Params)
	out := struct {
		plain
		Value *float64  `json:"value"`
		Runs  [][]Epoch `json:"runs"`
	}{plain: plain(t), Runs: make([][]Epoch, len(t.Runs))}
	if t.State.Finished() {
		out.Value = &t.Value
	}
	for i, run := range t.Runs {
		out.Runs[i] = append([]Epoch{}, run...)
	}
	return json.Marshal(out)
}

// Untimed returns copies of the trials with their wall-clock times (and
// the GPU devices that happened to run them) zeroed: what two runs of one
// sweep must agree on, bit for bit.
func Untimed(trials []Trial) []Trial {
	out := make([]Trial, len(trials))
	for i, t := range trials {
		t.Seconds, t.Devices = 0, nil
		runs := make([][]Epoch, len(t.Runs))
		for r, run := range t.Runs {
			runs[r] = append([]Epoch(nil), run...)
			for e := range runs[r] {
				runs[r][e].Seconds = 0
			}
		}
		t.Runs = runs
		out[i] = t
	}
	return out
}

// Active are the parameters that exist in a trial: those whose when:
// holds.
func Active(params []ParamValue) []ParamValue {
	out := make([]ParamValue, 0, len(params))
	for _, p := range params {
		if !p.Inactive {
			out = append(out, p)
		}
	}
	return out
}
