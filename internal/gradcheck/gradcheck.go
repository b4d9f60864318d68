// Package gradcheck compares a model's analytic gradients with finite
// differences of its loss, for tests.
package gradcheck

import (
	"math"
	"slices"
	"testing"

	"github.com/sweepml/sweep/train"
)

// Step is the finite-difference step. With a five-point central stencil the
// truncation error is O(Step⁴) and the round-off about 1e-13: far below
// the gradients' size.
const Step = 1e-3

// Check compares every gradient entry of m, as computed by m.Gradient on
// (x, labels), with the five-point central difference of the mean loss,
// and fails t for any relative error above tol. The relative error is
// |analytic − numeric| / max(|analytic|, |numeric|, 1e-6): the floor keeps
// the stencil's round-off (~1e-13) on exactly zero gradients, such as those
// of dead ReLUs, from reading as an error.
//
// kinks, if not nil, returns the on/off pattern of the model's ReLU units
// after its last Evaluate. Where a perturbation changes it, the loss is not
// differentiable on the stencil and the entry is skipped; Check insists
// that fewer than one entry in ten is.
func Check(t testing.TB, m train.Model[float64], x []float64, labels []uint8, kinks func() []bool, tol float64) {
	t.Helper()
	mean := func() float64 {
		s, _ := m.Evaluate(x, labels)
		return s / float64(len(labels))
	}
	loss, _ := m.Gradient(x, labels)
	if got := mean(); got != loss {
		t.Fatalf("Evaluate's mean loss %v differs from Gradient's %v", got, loss)
	}
	var base []bool
	if kinks != nil {
		base = slices.Clone(kinks())
	}
	worst, checked, skipped := 0.0, 0, 0
	for _, p := range m.Tensors() {
		for i := range p.Value {
			orig := p.Value[i]
			crossed := false
			at := func(d float64) float64 {
				p.Value[i] = orig + d
				l := mean()
				crossed = crossed || (kinks != nil && !slices.Equal(kinks(), base))
				return l
			}
			numeric := (at(-2*Step) - 8*at(-Step) + 8*at(Step) - at(2*Step)) / (12 * Step)
			p.Value[i] = orig
			if crossed {
				skipped++
				continue
			}
			checked++
			analytic := p.Grad[i]
			rel := math.Abs(numeric-analytic) / max(math.Abs(numeric), math.Abs(analytic), 1e-6)
			worst = max(worst, rel)
			if !(rel <= tol) { // NaN fails too
				t.Errorf("%s[%d]: analytic %.10g, numeric %.10g, relative error %.2g", p.Name, i, analytic, numeric, rel)
			}
		}
	}
	if skipped*10 > checked {
		t.Errorf("%d entries crossed a kink, %d checked: too few checked", skipped, checked)
	}
	t.Logf("%d entries checked (%d skipped at kinks), worst relative error %.2g", checked, skipped, worst)
}
