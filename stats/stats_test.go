package stats

import (
	"math"
	"testing"
)

// TestIntervals: Student's t and Wilson's intervals against values
// computed by hand (t₀.₉₇₅ with 3 degrees of freedom is 3.182446305…,
// z₀.₉₇₅ 1.959963985…); one value and no value have none.
func TestIntervals(t *testing.T) {
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	if iv := TInterval([]float64{1, 2, 3, 4}); iv.Mean != 2.5 || !near(iv.Low, 0.445739743239121) || !near(iv.High, 4.5542602567608785) || iv.Kind != KindT || iv.N != 4 {
		t.Errorf("t interval: %+v", iv)
	}
	if iv := Wilson(0.9, 200); iv.Mean != 0.9 || !near(iv.Low, 0.8505941875672826) || !near(iv.High, 0.9343295513309041) || iv.Kind != KindWilson {
		t.Errorf("Wilson: %+v", iv)
	}
	for _, iv := range []Interval{TInterval([]float64{0.7}), TInterval(nil), Wilson(0.5, 0), {}} {
		if iv.Known() || iv.Overlaps(iv) {
			t.Errorf("%+v: an interval where none is known", iv)
		}
	}
	a, b := TInterval([]float64{1, 2, 3}), TInterval([]float64{10, 11, 12})
	if a.Overlaps(b) || !a.Overlaps(TInterval([]float64{2, 3, 4})) {
		t.Errorf("overlaps: %+v %+v", a, b)
	}
}
