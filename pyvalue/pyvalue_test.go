package pyvalue

import "testing"

// TestPythonForms: values as W&B's agent writes them (Python's str()).
func TestPythonForms(t *testing.T) {
	for v, want := range map[any]string{1e-5: "1e-05", 0.0001: "0.0001", 1e6: "1000000.0", 1e16: "1e+16", 3.0: "3.0", -2.5e-7: "-2.5e-07", true: "True", int64(7): "7", "it's": "it's"} {
		if got := Str(v); got != want {
			t.Errorf("Str(%v) = %s, want %s", v, got, want)
		}
	}
	if x, y := 0.1, 0.2; Str(x+y) != "0.30000000000000004" {
		t.Errorf("Str(0.1+0.2) = %s", Str(x+y))
	}
	m := Map{{Key: "lr", Value: 0.001}, {Key: "names", Value: []any{"a", "b'c", nil}}}
	if got := Repr(m); got != `{'lr': 0.001, 'names': ['a', "b'c", None]}` {
		t.Errorf("Repr %s", got)
	}
	if got := JSON(m); got != `{"lr": 0.001, "names": ["a", "b'c", null]}` {
		t.Errorf("JSON %s", got)
	}
}
