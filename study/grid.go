package study

import (
	"math"
	"sync"
)

// maxGridVisits bounds the enumeration of a conditional grid: the points
// considered, allowed or not.
const maxGridVisits = 10_000_000

// grid is a conditional grid's points, enumerated once.
type grid struct {
	once   sync.Once
	points [][]float64 // internal values in spec order; NaN: inactive
	whole  bool        // every point enumerated (else more than MaxTrials, or too many to visit)
}

// GridPoint is the grid's n'th point: each parameter's internal value in
// spec order, NaN where the parameter is inactive. The grid runs in spec
// order, the last parameter changing fastest, over the active parameters'
// values, without the combinations forbid: names.
func (s *Spec) GridPoint(n int) []float64 {
	if !s.Conditional() {
		point := make([]float64, len(s.Parameters))
		for i := len(s.Parameters) - 1; i >= 0; i-- {
			c := s.Parameters[i].Count()
			point[i] = s.Parameters[i].GridValue(n % c)
			n /= c
		}
		return point
	}
	points := s.conditionalGrid().points
	if n < 0 || n >= len(points) {
		return nil
	}
	return points[n]
}

// conditionalGrid enumerates a conditional grid, once: at most
// MaxTrials+1 points, visiting at most maxGridVisits.
func (s *Spec) conditionalGrid() *grid {
	g := &s.grid
	g.once.Do(func() {
		cur := make([]float64, len(s.Parameters))
		visits := 0
		var walk func(i int) bool // false: stop
		walk = func(i int) bool {
			if visits++; visits > maxGridVisits || len(g.points) > MaxTrials {
				return false
			}
			if i == len(s.Parameters) {
				if !s.Forbids(s.Lookup(cur)) {
					g.points = append(g.points, append([]float64(nil), cur...))
				}
				return true
			}
			prm := s.Parameters[i]
			if !prm.Active(s.Lookup(cur[:i])) {
				cur[i] = math.NaN()
				return walk(i + 1)
			}
			for k := range prm.Count() {
				cur[i] = prm.GridValue(k)
				if !walk(i + 1) {
					return false
				}
			}
			return true
		}
		g.whole = walk(0) && len(g.points) <= MaxTrials
	})
	return g
}

// Lookup reads the values of the first len(internal) parameters from
// their internal representation, NaN being inactive.
func (s *Spec) Lookup(internal []float64) Lookup {
	return func(name string) (any, bool) {
		for i, x := range internal {
			if s.Parameters[i].Name == name {
				if math.IsNaN(x) {
					return nil, false
				}
				v := s.Parameters[i].External(x)
				return v, v != nil
			}
		}
		return nil, false
	}
}

// ParamLookup reads a trial's values from its parameters: the inactive
// ones absent.
func ParamLookup(params []ParamValue) Lookup {
	return func(name string) (any, bool) {
		for _, p := range params {
			if p.Name == name {
				return p.Value, !p.Inactive
			}
		}
		return nil, false
	}
}
