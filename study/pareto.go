package study

import "slices"

// Dominates reports whether objectives a are better than b: at least as
// good on every metric and strictly better on one.
func Dominates(metrics []Metric, a, b []float64) bool {
	better := false
	for i, m := range metrics {
		sa, sb := m.Score(a[i]), m.Score(b[i])
		if sa < sb {
			return false
		}
		better = better || sa > sb
	}
	return better
}

// Fronts sorts points by non-domination: rank 0 are those nothing
// dominates, rank 1 those only rank 0 dominates, and so on (NSGA-II's
// sort, O(m·n²)).
func Fronts(metrics []Metric, points [][]float64) []int {
	n := len(points)
	rank := make([]int, n)
	count := make([]int, n)    // how many dominate i
	beaten := make([][]int, n) // whom i dominates
	var front []int
	for i := range n {
		for j := range n {
			switch {
			case Dominates(metrics, points[i], points[j]):
				beaten[i] = append(beaten[i], j)
			case Dominates(metrics, points[j], points[i]):
				count[i]++
			}
		}
		if count[i] == 0 {
			front = append(front, i)
		}
	}
	for r := 0; len(front) > 0; r++ {
		var next []int
		for _, i := range front {
			rank[i] = r
			for _, j := range beaten[i] {
				if count[j]--; count[j] == 0 {
					next = append(next, j)
				}
			}
		}
		front = next
	}
	return rank
}

// Pareto is the Pareto front of a study with several objectives: its
// complete search trials that no other complete search trial dominates,
// in number order. Without several objectives it is empty.
func (s *Spec) Pareto(trials []Trial) []Trial {
	if !s.MultiObjective() {
		return nil
	}
	var done []Trial
	for _, t := range trials {
		if t.State == Complete && t.Stage == SearchStage && len(t.Values) == len(s.Objectives()) {
			done = append(done, t)
		}
	}
	var out []Trial
	for _, t := range done {
		if !slices.ContainsFunc(done, func(o Trial) bool { return Dominates(s.Objectives(), o.Values, t.Values) }) {
			out = append(out, t)
		}
	}
	return out
}
