package chart

import (
	"fmt"
	"math"
	"strconv"
)

// Scale is how an axis places values.
type Scale int

// The scales.
const (
	Linear   Scale = iota
	Log            // base 10; ticks are labelled in the values' own units
	Category       // value i is Categories[i]
)

// Axis is one axis: its scale, its label and the range of the data it
// must hold.
type Axis struct {
	Label      string
	Scale      Scale
	Categories []string
	// Tight leaves no margin beyond the data (a heat map's cells, a
	// fixed range like [0, 1]).
	Tight  bool
	lo, hi float64
	have   bool
}

// Include widens the axis to hold the values. Non-finite values (and, on
// a log axis, values ≤ 0) are ignored.
func (a *Axis) Include(vs ...float64) {
	for _, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) || a.Scale == Log && v <= 0 {
			continue
		}
		if !a.have {
			a.lo, a.hi, a.have = v, v, true
		}
		a.lo, a.hi = min(a.lo, v), max(a.hi, v)
	}
}

// settle fixes the range: categories span their slots, an empty or
// one-valued range is widened, and a margin is added unless Tight.
func (a *Axis) settle() {
	switch {
	case a.Scale == Category:
		a.lo, a.hi = -0.5, float64(len(a.Categories))-0.5
		return
	case !a.have:
		a.lo, a.hi = 0, 1
		if a.Scale == Log {
			a.lo, a.hi = 1, 10
		}
	}
	lo, hi := a.t(a.lo), a.t(a.hi)
	if hi == lo {
		lo, hi = lo-0.5, hi+0.5
		if a.Scale == Linear && a.lo != 0 {
			lo, hi = a.lo-abs(a.lo)*0.05, a.hi+abs(a.hi)*0.05
		}
	}
	if !a.Tight {
		pad := (hi - lo) * 0.04
		lo, hi = lo-pad, hi+pad
	}
	a.lo, a.hi = a.inv(lo), a.inv(hi)
	a.have = true
}

// t maps a value to the axis's linear coordinate; inv is its inverse.
func (a *Axis) t(v float64) float64 {
	if a.Scale == Log {
		return math.Log10(v)
	}
	return v
}

func (a *Axis) inv(v float64) float64 {
	if a.Scale == Log {
		return math.Pow(10, v)
	}
	return v
}

// pos places a value on the axis: 0 at its low end, 1 at its high end.
func (a *Axis) pos(v float64) float64 {
	lo, hi := a.t(a.lo), a.t(a.hi)
	if a.Scale == Log && v <= 0 {
		return 0
	}
	return (a.t(v) - lo) / (hi - lo)
}

type tick struct {
	v     float64
	label string
}

// ticks are the axis's labelled values: every category; powers of ten
// (with 2× and 5× between them over short spans) on a log axis; round
// steps of 1, 2 or 5 × 10ᵏ on a linear one.
func (a *Axis) ticks() []tick {
	var out []tick
	switch a.Scale {
	case Category:
		for i, c := range a.Categories {
			out = append(out, tick{float64(i), c})
		}
	case Log:
		lo, hi := math.Log10(a.lo), math.Log10(a.hi)
		mults := []float64{1}
		switch span := hi - lo; {
		case span < 1.2:
			mults = []float64{1, 2, 3, 5, 7}
		case span < 3:
			mults = []float64{1, 2, 5}
		}
		for e := math.Floor(lo); e <= math.Ceil(hi); e++ {
			for _, m := range mults {
				v := m * math.Pow(10, e)
				if v >= a.lo*(1-1e-9) && v <= a.hi*(1+1e-9) {
					out = append(out, tick{v, Number(v)})
				}
			}
		}
	default:
		step := niceStep((a.hi - a.lo) / 6)
		decimals := max(0, int(-math.Floor(math.Log10(step)+1e-9)))
		for k := math.Ceil(a.lo / step); k*step <= a.hi+step*1e-9; k++ {
			// Rounded to the step's decimals: 0.7, not 0.7000000000000001.
			label := strconv.FormatFloat(k*step+0, 'f', decimals, 64) // +0: no "-0.0"
			v, _ := strconv.ParseFloat(label, 64)
			if abs(v) >= 1e5 {
				label = Number(v)
			}
			out = append(out, tick{v, label})
		}
	}
	return out
}

// niceStep rounds a step up to 1, 2 or 5 × 10ᵏ.
func niceStep(raw float64) float64 {
	if raw <= 0 || math.IsNaN(raw) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw {
			return m * p
		}
	}
	return 10 * p
}

// Number formats an axis value in its own units, shortest first: 0.001,
// 0.25, 30, 1e+04.
func Number(v float64) string {
	if v == 0 {
		return "0"
	}
	if abs(v) >= 1e5 || abs(v) < 1e-4 {
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// viridis is the Viridis colour map (colour-blind safe, ordered in
// lightness) at nine evenly spaced stops.
var viridis = [][3]float64{
	{68, 1, 84}, {71, 44, 122}, {59, 81, 139}, {44, 113, 142}, {33, 144, 141},
	{39, 173, 129}, {92, 200, 99}, {170, 220, 50}, {253, 231, 37},
}

// Viridis is the colour of t ∈ [0, 1] on the Viridis map, as #rrggbb.
func Viridis(t float64) string {
	t = max(0, min(1, t))
	x := t * float64(len(viridis)-1)
	i := min(int(x), len(viridis)-2)
	fr := x - float64(i)
	var c [3]int
	for k := range c {
		c[k] = int(math.Round(viridis[i][k]*(1-fr) + viridis[i+1][k]*fr))
	}
	return fmt.Sprintf("#%02x%02x%02x", c[0], c[1], c[2])
}

// Palette is the Okabe–Ito palette, safe for the common forms of colour
// blindness, for lines and points told apart by colour.
var Palette = []string{"#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442"}
