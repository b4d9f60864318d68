package command

import (
	"bytes"
	"encoding/json"
	"math"

	"github.com/sweepml/sweep/study"
)

// parseLine reads a line of the program's stdout: a report when it is a
// JSON object with an integer "epoch" or "step", else log (ok false).
func parseLine(line []byte) (e study.Epoch, ok bool) {
	line = bytes.TrimSpace(line)
	if len(line) == 0 || line[0] != '{' {
		return e, false
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(line, &fields) != nil {
		return e, false
	}
	step, ok := integer(fields["epoch"])
	if !ok {
		if step, ok = integer(fields["step"]); !ok {
			return e, false
		}
	}
	e.Epoch = step
	for name, dst := range map[string]*float64{"lr": &e.LR, "train_loss": &e.TrainLoss, "train_accuracy": &e.TrainAccuracy,
		"val_loss": &e.ValLoss, "val_accuracy": &e.ValAccuracy, "test_loss": &e.TestLoss, "test_accuracy": &e.TestAccuracy} {
		var v float64
		if raw, present := fields[name]; present && json.Unmarshal(raw, &v) == nil && !math.IsInf(v, 0) {
			*dst = v
		}
	}
	return e, true
}

// integer reads a JSON integer that fits an int.
func integer(raw json.RawMessage) (int, bool) {
	if raw == nil {
		return 0, false
	}
	var f float64
	if json.Unmarshal(raw, &f) != nil || f != math.Trunc(f) || math.Abs(f) > 1<<31 {
		return 0, false
	}
	return int(f), true
}
