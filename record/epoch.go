package record

import (
	"maps"
	"regexp"
	"slices"
)

// Epoch is one epoch's record of a run: what every objective reports. Its
// JSON form is the journal's. Accuracies are fractions in [0, 1].
type Epoch struct {
	Epoch         int     `json:"epoch"` // from 1: the report's number in its run
	LR            float64 `json:"lr"`
	TrainLoss     float64 `json:"train_loss"`
	TrainAccuracy float64 `json:"train_accuracy"`
	ValLoss       float64 `json:"val_loss"`
	ValAccuracy   float64 `json:"val_accuracy"`
	// Seconds is the wall-clock time since the run began, at the end of
	// this epoch: the only figure that differs between two runs.
	Seconds float64 `json:"seconds"`
	// The test set's figures, on the last epoch of a final-stage run only.
	TestLoss     float64 `json:"test_loss,omitempty"`
	TestAccuracy float64 `json:"test_accuracy,omitempty"`
	// The network's size and cost, where a sweep optimizes them: its
	// weights and biases, and the arithmetic of one training epoch.
	Params float64 `json:"params,omitempty"`
	Flops  float64 `json:"flops,omitempty"`
	// Metrics holds a program's figures by name, every one it reported on
	// this line. A record with Metrics has no other figures: its named
	// fields above are unused (zero), and Get reads the map alone.
	Metrics map[string]float64 `json:"metrics,omitempty"`
}

// The built-in networks' figures, by name.
const (
	LR            = "lr"
	TrainLoss     = "train_loss"
	TrainAccuracy = "train_accuracy"
	ValLoss       = "val_loss"
	ValAccuracy   = "val_accuracy"
	TestLoss      = "test_loss"
	TestAccuracy  = "test_accuracy"
	Params        = "params"
	Flops         = "flops"
)

// optional are the named fields a record need not have: 0 is none.
var optional = []string{TestLoss, TestAccuracy, Params, Flops}

// Builtin lists the names of the named fields, in their order.
var Builtin = []string{LR, TrainLoss, TrainAccuracy, ValLoss, ValAccuracy, TestLoss, TestAccuracy, Params, Flops}

// field is the named field of a built-in figure.
func (e *Epoch) field(name string) *float64 {
	switch name {
	case LR:
		return &e.LR
	case TrainLoss:
		return &e.TrainLoss
	case TrainAccuracy:
		return &e.TrainAccuracy
	case ValLoss:
		return &e.ValLoss
	case ValAccuracy:
		return &e.ValAccuracy
	case TestLoss:
		return &e.TestLoss
	case TestAccuracy:
		return &e.TestAccuracy
	case Params:
		return &e.Params
	case Flops:
		return &e.Flops
	}
	return nil
}

// Get reads the figure called name: from Metrics where the record has
// them, else from its named fields (the test figures, the size and cost
// only where recorded).
func (e Epoch) Get(name string) (float64, bool) {
	if e.Metrics != nil {
		v, ok := e.Metrics[name]
		return v, ok
	}
	f := e.field(name)
	if f == nil || *f == 0 && slices.Contains(optional, name) {
		return 0, false
	}
	return *f, true
}

// Value is Get without the flag: 0 where the record has no such figure.
func (e Epoch) Value(name string) float64 {
	v, _ := e.Get(name)
	return v
}

// Names lists the figures the record holds, sorted.
func (e Epoch) Names() []string {
	if e.Metrics != nil {
		return slices.Sorted(maps.Keys(e.Metrics))
	}
	var out []string
	for _, n := range Builtin {
		if _, ok := e.Get(n); ok {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

// Bounds on what one run may report: past them a report is cut (a clear
// message in the run's log), and nothing recorded before is lost.
const (
	MaxNameLen = 128    // bytes of a metric's name
	MaxFields  = 256    // figures on one report
	MaxReports = 10_000 // reports of one run
)

// validName is what a metric's name may be made of.
var validName = regexp.MustCompile(`^[A-Za-z0-9_./:\- ]+$`)

// ValidName reports whether s may name a metric: letters, digits, '_', '.',
// '/', '-', ':' and spaces, at most MaxNameLen bytes, not only spaces.
func ValidName(s string) bool {
	return len(s) <= MaxNameLen && validName.MatchString(s) && s[0] != ' ' && s[len(s)-1] != ' '
}

// Clone returns a copy of e that shares nothing with it.
func (e Epoch) Clone() Epoch {
	if e.Metrics != nil {
		e.Metrics = maps.Clone(e.Metrics)
	}
	return e
}

// Equal reports whether two records hold the same figures, wall-clock
// time aside: what a replay must reproduce.
func (e Epoch) Equal(o Epoch) bool {
	if e.Epoch != o.Epoch || (e.Metrics == nil) != (o.Metrics == nil) || !maps.Equal(e.Metrics, o.Metrics) {
		return false
	}
	for _, n := range Builtin {
		if *e.field(n) != *o.field(n) {
			return false
		}
	}
	return true
}

// Last is the figure called name at the last record of run that carries
// it.
func Last(run []Epoch, name string) (float64, bool) {
	for i := len(run) - 1; i >= 0; i-- {
		if v, ok := run[i].Get(name); ok {
			return v, true
		}
	}
	return 0, false
}

// Named is the record with its figures in the named fields: a program's
// report of the built-in networks' figures (the scratch networks' third
// implementation prints them) as those networks record them. Figures of
// other names are dropped.
func (e Epoch) Named() Epoch {
	m := e.Metrics
	e.Metrics = nil
	for name, v := range m {
		if f := e.field(name); f != nil {
			*f = v
		}
	}
	return e
}
