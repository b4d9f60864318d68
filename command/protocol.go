package command

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"

	"github.com/sweepml/sweep/record"
)

// stepFields mark a line as a report: one of them must be an integer.
var stepFields = []string{"epoch", "step", "_step"}

// nonFinite matches the NaN and ±Infinity that Python's json.dumps writes
// as values, which JSON has no word for: they are read as null.
var nonFinite = regexp.MustCompile(`([:\[,]\s*)(-?Infinity|NaN)(\s*[,}\]])`)

// report is a report line read: its figures by name, and what could not be
// recorded, for the run's log.
type report struct {
	metrics  map[string]float64
	problems []string
}

// parseLine reads a line of the program's stdout: a report when it is a
// JSON object with an integer "epoch", "step" or "_step" and at least one
// other number, else log (ok false). Every finite number is a figure under
// its own name (booleans, strings and nested values are not); names that
// are not valid metric names, and figures past record.MaxFields, are left
// out and named in problems.
func parseLine(line []byte) (r report, ok bool) {
	line = bytes.TrimSpace(line)
	if len(line) == 0 || line[0] != '{' {
		return r, false
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(line, &fields) != nil {
		if !nonFinite.Match(line) || json.Unmarshal(nonFinite.ReplaceAll(line, []byte("${1}null${3}")), &fields) != nil {
			return r, false
		}
	}
	if !slices.ContainsFunc(stepFields, func(f string) bool { _, ok := integer(fields[f]); return ok }) {
		return r, false
	}
	r.metrics = map[string]float64{}
	var skipped []string
	over := ""
	for _, name := range sortedKeys(fields) {
		v, isNumber := number(fields[name])
		switch {
		case !isNumber:
		case !record.ValidName(name):
			skipped = append(skipped, fmt.Sprintf("%.40q", name))
		case len(r.metrics) == record.MaxFields:
			if over == "" {
				over = name
			}
		default:
			r.metrics[name] = v
		}
	}
	if over != "" {
		r.problems = append(r.problems, fmt.Sprintf("more than %d figures on one report: %s and those after it (in name order) not recorded", record.MaxFields, over))
	}
	if len(skipped) > 0 {
		r.problems = append(r.problems, fmt.Sprintf("not recorded: %s (a metric's name is letters, digits, '_', '.', '/', '-', ':' and inner spaces, at most %d bytes)",
			strings.Join(skipped[:min(len(skipped), 5)], ", "), record.MaxNameLen))
	}
	return r, hasFigure(r.metrics)
}

// hasFigure reports whether a report has a figure beside its step.
func hasFigure(m map[string]float64) bool {
	for name := range m {
		if !slices.Contains(stepFields, name) {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// number reads a JSON number that is finite.
func number(raw json.RawMessage) (float64, bool) {
	if len(raw) == 0 || !(raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9') {
		return 0, false
	}
	var f float64
	if json.Unmarshal(raw, &f) != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// integer reads a JSON integer that fits an int.
func integer(raw json.RawMessage) (int, bool) {
	f, ok := number(raw)
	if !ok || f != math.Trunc(f) || math.Abs(f) > 1<<31 {
		return 0, false
	}
	return int(f), true
}
