package study

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// Prepare completes a spec's source as a W&B user writes it before it is
// parsed and kept: a spec without name: is named after its file, and
// trials > 0 (sweep run --trials, like wandb agent --count) sets its
// run_cap, or its budget.trials where it gives that, the flag winning.
// The lines already there keep their numbers. A source that is not a
// YAML mapping is returned as it is, for ParseSpec to say what is wrong.
func Prepare(file string, src []byte, trials int) []byte {
	var doc yaml.Node
	if yaml.Unmarshal(src, &doc) != nil || doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return src
	}
	root := doc.Content[0]
	if root.Style&yaml.FlowStyle != 0 {
		return src // a spec written {…} on one line: nothing is appended to it
	}
	out := append([]byte(nil), src...)
	if trials > 0 {
		v := mappingValue(root, "run_cap")
		if b := mappingValue(root, "budget"); v == nil && b != nil {
			v = mappingValue(b, "trials")
		}
		if v != nil && v.Kind == yaml.ScalarNode && v.Style == 0 {
			out = replaceScalar(out, v, fmt.Sprint(trials))
		} else if v == nil {
			out = appendLine(out, fmt.Sprintf("run_cap: %d", trials))
		}
	}
	if mappingValue(root, "name") == nil {
		base := strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
		if SafeName(base) == "" {
			base = "sweep"
		}
		out = appendLine(out, "name: "+fmt.Sprintf("%q", base))
	}
	return out
}

// appendLine adds a top-level line at the end of a YAML source.
func appendLine(src []byte, line string) []byte {
	if len(src) > 0 && src[len(src)-1] != '\n' {
		src = append(src, '\n')
	}
	return append(src, line+"\n"...)
}

// replaceScalar replaces a plain scalar, found by its line and column, with
// text.
func replaceScalar(src []byte, n *yaml.Node, text string) []byte {
	lines := bytes.SplitAfter(src, []byte("\n"))
	if n.Line < 1 || n.Line > len(lines) {
		return src
	}
	l := lines[n.Line-1]
	col := n.Column - 1
	if col < 0 || col+len(n.Value) > len(l) || string(l[col:col+len(n.Value)]) != n.Value {
		return src
	}
	lines[n.Line-1] = append(append(append([]byte(nil), l[:col]...), text...), l[col+len(n.Value):]...)
	return bytes.Join(lines, nil)
}
