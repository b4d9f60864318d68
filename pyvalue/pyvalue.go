// Package pyvalue writes values as Python does: str(), repr() and
// json.dumps. W&B's agent hands a sweep's values to a program in these
// forms, and a program's mapping values keep their keys' order (Map).
package pyvalue

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// Map is a mapping value of a parameter (a program's), its keys in the
// order the spec gives them.
type Map []MapItem

// MapItem is one key of a Map.
type MapItem struct {
	Key   string
	Value any
}

// MarshalJSON writes the Map as a JSON object, its keys in order.
func (m Map) MarshalJSON() ([]byte, error) { return []byte(JSON(m)), nil }

// Str is how W&B hands a value to a program in its arguments: Python's
// str() — True, None, 1e-05, 3.0, [64, 64], {'lr': 0.001}.
func Str(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return Repr(v)
}

// Repr is Python's repr() of a value: strings quoted.
func Repr(v any) string {
	var b strings.Builder
	repr(&b, v, false)
	return b.String()
}

// JSON is Python's json.dumps of a value: ", " and ": " between items,
// floats as Python writes them.
func JSON(v any) string {
	var b strings.Builder
	repr(&b, v, true)
	return b.String()
}

func repr(b *strings.Builder, v any, asJSON bool) {
	switch x := v.(type) {
	case nil:
		b.WriteString(pick(asJSON, "null", "None"))
	case bool:
		b.WriteString(pick(asJSON, strconv.FormatBool(x), map[bool]string{true: "True", false: "False"}[x]))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case int:
		b.WriteString(strconv.Itoa(x))
	case float64:
		b.WriteString(Float(x))
	case string:
		if asJSON {
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			enc.Encode(x)
			b.WriteString(strings.TrimSuffix(buf.String(), "\n"))
		} else {
			b.WriteString(pyQuote(x))
		}
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			repr(b, e, asJSON)
		}
		b.WriteByte(']')
	case Map:
		b.WriteByte('{')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			repr(b, e.Key, asJSON)
			b.WriteString(": ")
			repr(b, e.Value, asJSON)
		}
		b.WriteByte('}')
	default:
		b.WriteString(pick(asJSON, "null", "None"))
	}
}

func pick(asJSON bool, j, py string) string {
	if asJSON {
		return j
	}
	return py
}

// Float writes a float as Python does: the shortest digits that read
// back, in scientific form when the exponent is below -4 or from 16 on,
// else always with a point (3.0, 1000000.0).
func Float(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	if exp := math.Floor(math.Log10(math.Abs(f))); f != 0 && (exp < -4 || exp >= 16) {
		s := strconv.FormatFloat(f, 'e', -1, 64) // 1e-05, 1.5e+16: as Python
		return s
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsAny(s, ".") {
		s += ".0"
	}
	return s
}

// pyQuote is Python's repr of a string: single quotes unless it holds a
// single quote and no double one.
func pyQuote(s string) string {
	q := byte('\'')
	if strings.Contains(s, "'") && !strings.Contains(s, "\"") {
		q = '"'
	}
	var b strings.Builder
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == rune(q):
			b.WriteByte('\\')
			b.WriteByte(q)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			b.WriteString(`\x` + strconv.FormatInt(int64(r)+0x100, 16)[1:])
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(q)
	return b.String()
}
