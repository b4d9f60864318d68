package recipe

import (
	"fmt"
	"strconv"
	"strings"
)

// Sizes are layer widths, written "784,128,64,10" in flags, specs and JSON.
type Sizes []int

// ParseSizes parses a comma-separated list of positive widths.
func ParseSizes(s string) (Sizes, error) {
	fields := strings.Split(s, ",")
	out := make(Sizes, len(fields))
	for i, f := range fields {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("layer sizes %q: %q is not a positive integer (want e.g. 784,128,64,10)", s, f)
		}
		out[i] = n
	}
	if len(out) < 2 {
		return nil, fmt.Errorf("layer sizes %q: need at least an input and an output width (e.g. 784,128,64,10)", s)
	}
	return out, nil
}

func (s Sizes) String() string {
	parts := make([]string, len(s))
	for i, n := range s {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ",")
}

// MarshalText writes the comma-separated form.
func (s Sizes) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads the comma-separated form.
func (s *Sizes) UnmarshalText(b []byte) error {
	v, err := ParseSizes(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}
