package sweep

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/c-bata/goptuna"

	"github.com/sweepml/sweep/internal/linalg"
	"github.com/sweepml/sweep/recipe"
	"github.com/sweepml/sweep/train"
)

// Trial states, as recorded and reported.
const (
	StateRunning  = "running"
	StateComplete = "complete"
	StatePruned   = "pruned"
	StateFailed   = "failed"
)

// Param is one parameter value of a trial.
type Param struct {
	Name  string `json:"name"`
	Value any    `json:"value"`
}

// Trial is the record of one trial.
type Trial struct {
	ID      int      `json:"-"` // the storage's ID, which need not be the number
	Number  int      `json:"number"`
	State   string   `json:"state"`
	Value   float64  `json:"value"` // the metric: the mean over repeats of the last epoch's
	Params  []Param  `json:"params"`
	Seeds   []uint64 `json:"seeds"` // one per repeat
	Reason  string   `json:"reason,omitempty"`
	Seconds float64  `json:"seconds"`
	// Build says what trained it: BLAS, Go version, platform.
	Build string `json:"build,omitempty"`
	// Runs holds each repeat's per-epoch history, as far as it got.
	Runs [][]train.Epoch `json:"runs"`
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
	attrAttempt = "sweep:attempt" // how many times the trial was started
	attrReason  = "sweep:reason"
	attrBuild   = "sweep:build"
	attrSeconds = "sweep:seconds"
	epochPrefix = "sweep:epoch" // sweep:epoch:<attempt>:<repeat>:<epoch> → train.Epoch as JSON
)

func epochKey(attempt, repeat, epoch int) string {
	return fmt.Sprintf("%s:%d:%d:%03d", epochPrefix, attempt, repeat, epoch)
}

// Build describes this build as trials record it: what it multiplies with
// (gonum's pure Go, or OpenBLAS with the openblas tag, and whether the
// AVX2 kernels run: linalg.Name), the Go version and the platform.
// float64 results of two builds may differ in the last bits.
func Build() string {
	return fmt.Sprintf("%s BLAS, %s, %s/%s", linalg.Name(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// TrialSeed is the seed of a trial's run: a hash of the sweep's seed, the
// trial's number and the repeat.
func TrialSeed(sweepSeed uint64, number, repeat int) uint64 {
	return rand.New(rand.NewPCG(sweepSeed^trialStream, uint64(number)<<16|uint64(repeat))).Uint64()
}

// settings are the training settings of a trial's repeat: the defaults of
// its architecture, the spec's fixed settings, then its parameters.
func (s *Spec) settings(params []Param, number, repeat int) (recipe.Settings, error) {
	arch := recipe.ArchMLP
	for _, kv := range append(slices.Clone(s.Fixed), paramSettings(params)...) {
		if kv.Key == "arch" {
			arch, _ = kv.Value.(string)
		}
	}
	out := recipe.Defaults(arch)
	var err error
	for _, kv := range append(slices.Clone(s.Fixed), paramSettings(params)...) {
		if out, err = apply(out, kv.Key, kv.Value); err != nil {
			return out, fmt.Errorf("setting %s: %w", kv.Key, err)
		}
	}
	out.Seed = TrialSeed(s.Seed, number, repeat)
	out.SplitSeed = s.Seed
	out.Subset = s.Data.Subset
	out.Validation = s.Data.Validation
	return out, nil
}

func paramSettings(params []Param) []Setting {
	out := make([]Setting, len(params))
	for i, p := range params {
		out[i] = Setting{Key: p.Name, Value: p.Value}
	}
	return out
}

var states = map[goptuna.TrialState]string{
	goptuna.TrialStateRunning:  StateRunning,
	goptuna.TrialStateWaiting:  StateRunning,
	goptuna.TrialStateComplete: StateComplete,
	goptuna.TrialStatePruned:   StatePruned,
	goptuna.TrialStateFail:     StateFailed,
}

// readTrials builds the trial records of the study from its storage.
func (s *Spec) readTrials(storage goptuna.Storage, studyID int) ([]Trial, error) {
	frozen, err := storage.GetAllTrials(studyID)
	if err != nil {
		return nil, err
	}
	out := make([]Trial, len(frozen))
	for i, ft := range frozen {
		// goptuna's state is written last when a trial ends: the commit
		// point. A trial killed before it is running, and reruns.
		t := Trial{ID: ft.ID, Number: ft.Number, State: states[ft.State]}
		if t.State == StateFailed {
			t.Reason = ft.SystemAttrs[attrReason]
		}
		t.Seconds, _ = strconv.ParseFloat(ft.SystemAttrs[attrSeconds], 64)
		t.Build = ft.SystemAttrs[attrBuild]
		for _, prm := range s.Parameters {
			internal, ok := ft.InternalParams[prm.Name]
			if !ok {
				// Only a sweep killed between creating a trial and
				// proposing it leaves one without all its parameters;
				// resuming proposes it again.
				if t.State != StateRunning {
					return nil, fmt.Errorf("trial %d has no value for parameter %s: the study was made by another spec", ft.Number, prm.Name)
				}
				t.Params = nil
				break
			}
			t.Params = append(t.Params, Param{Name: prm.Name, Value: prm.external(internal)})
		}
		for r := range s.Repeats {
			t.Seeds = append(t.Seeds, TrialSeed(s.Seed, t.Number, r))
		}
		if t.Runs, err = readRuns(ft, s.Repeats); err != nil {
			return nil, fmt.Errorf("trial %d: %w", ft.Number, err)
		}
		if t.State == StateComplete || t.State == StatePruned {
			t.Value = ft.Value
		}
		out[i] = t
	}
	return out, nil
}

// readRuns collects the per-epoch records of the trial's latest attempt.
func readRuns(ft goptuna.FrozenTrial, repeats int) ([][]train.Epoch, error) {
	attempt := ft.SystemAttrs[attrAttempt]
	prefix := epochPrefix + ":" + attempt + ":"
	runs := make([][]train.Epoch, repeats)
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
		var e train.Epoch
		if err := json.Unmarshal([]byte(ft.UserAttrs[k]), &e); err != nil {
			return nil, fmt.Errorf("epoch record %s: %w", k, err)
		}
		if repeat < repeats {
			runs[repeat] = append(runs[repeat], e)
		}
	}
	return runs, nil
}

// metric reads the spec's metric off an epoch.
func (s *Spec) metric(e train.Epoch) float64 {
	if s.Metric.Name == "val_loss" {
		return e.ValLoss
	}
	return e.ValAccuracy
}

// score turns a metric value into a score, higher is better.
func (s *Spec) score(v float64) float64 {
	if s.Metric.Goal == "minimize" {
		return -v
	}
	return v
}
