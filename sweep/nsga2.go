package sweep

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/c-bata/goptuna"

	"github.com/sweepml/sweep/study"
)

// nsgaStream keeps NSGA-II's draws apart from other draws from the seed.
const nsgaStream = 0x7a4d_0005

// nsga2 is NSGA-II (Deb et al., 2002) in its steady-state form: each
// proposal breeds one child from the trials its horizon shows. The first
// Population trials are Sobol points; then the complete trials are sorted
// into fronts by non-domination, ties within a front broken by crowding
// distance (the lonelier first), and the best Population of them are the
// parents. Two binary tournaments pick two; uniform crossover takes each
// active parameter from one of them; each parameter then mutates with
// probability 1/dims: a numeric one by a Gaussian step of 0.1 of its range
// (in the unit coordinates its distribution maps from), a listed one by a
// fresh draw. A child that repeats a trial already seen, or that forbid:
// names, is bred again. A proposal depends only on the seed, the trial's
// number and the trials below its horizon: it is deterministic for any
// number of workers, and holds no state.
type nsga2 struct {
	spec       *study.Spec
	population int
}

// nsgaPopulation is the population for a search of trials: a quarter of
// them, from 4 to 50 (Optuna's default).
func nsgaPopulation(trials int) int { return min(max(trials/4, 4), 50) }

// maxRepeats bounds how often a child that repeats a seen trial is bred
// again before it is kept.
const maxRepeats = 20

// member is a complete trial as NSGA-II sees it.
type member struct {
	number   int
	internal []float64 // NaN where inactive
	values   []float64
	rank     int
	crowding float64
}

func (s nsga2) propose(st *goptuna.Study, id, number int) error {
	seen, pop, err := s.members(st)
	if err != nil {
		return err
	}
	if number < s.population || len(pop) < 2 {
		return pointSampler{s.spec, sobolPoint}.propose(st, id, number)
	}
	parents := s.parents(pop)
	rng := rand.New(rand.NewPCG(s.spec.Seed^nsgaStream, uint64(number)))
	repeats := 0
	for range maxRedraws {
		child := s.breed(rng, tournament(rng, parents), tournament(rng, parents))
		if s.spec.Forbids(s.spec.Lookup(child)) {
			continue
		}
		if repeats < maxRepeats && slices.ContainsFunc(seen, func(m []float64) bool { return sameInternal(m, child) }) {
			repeats++
			continue
		}
		return write(st, s.spec, id, child)
	}
	return errNoAllowed(number)
}

// members reads the trials the proposal sees: every one's parameters, and
// the complete ones as members.
func (s nsga2) members(st *goptuna.Study) (seen [][]float64, pop []member, err error) {
	trials, err := st.Storage.GetAllTrials(st.ID)
	if err != nil {
		return nil, nil, err
	}
	k := len(s.spec.Objectives())
	for _, ft := range trials {
		internal := make([]float64, len(s.spec.Parameters))
		for i, prm := range s.spec.Parameters {
			internal[i] = math.NaN()
			if v, ok := ft.InternalParams[prm.Name]; ok {
				internal[i] = v
			}
		}
		seen = append(seen, internal)
		if ft.State != goptuna.TrialStateComplete || ft.Number >= s.spec.TotalTrials() {
			continue
		}
		values, err := study.ParseValues(ft.SystemAttrs[study.AttrValues], k)
		if err != nil {
			return nil, nil, fmt.Errorf("trial %d: %w", ft.Number, err)
		}
		pop = append(pop, member{number: ft.Number, internal: internal, values: values})
	}
	return seen, pop, nil
}

// parents ranks the members by front, then crowding, and keeps the best
// population of them.
func (s nsga2) parents(pop []member) []member {
	metrics := s.spec.Objectives()
	points := make([][]float64, len(pop))
	for i, m := range pop {
		points[i] = m.values
	}
	for i, r := range study.Fronts(metrics, points) {
		pop[i].rank = r
	}
	for r := 0; ; r++ {
		var front []*member
		for i := range pop {
			if pop[i].rank == r {
				front = append(front, &pop[i])
			}
		}
		if len(front) == 0 {
			break
		}
		crowd(metrics, front)
	}
	slices.SortFunc(pop, func(a, b member) int {
		return cmp.Or(cmp.Compare(a.rank, b.rank), -cmp.Compare(a.crowding, b.crowding), cmp.Compare(a.number, b.number))
	})
	return pop[:min(len(pop), s.population)]
}

// crowd sets the crowding distance of a front's members: for each
// objective, the normalized gap between each member's neighbours; the
// extremes, infinite.
func crowd(metrics []study.Metric, front []*member) {
	for k := range metrics {
		slices.SortStableFunc(front, func(a, b *member) int {
			return cmp.Or(cmp.Compare(a.values[k], b.values[k]), cmp.Compare(a.number, b.number))
		})
		lo, hi := front[0].values[k], front[len(front)-1].values[k]
		front[0].crowding, front[len(front)-1].crowding = math.Inf(1), math.Inf(1)
		if hi == lo {
			continue
		}
		for i := 1; i < len(front)-1; i++ {
			front[i].crowding += (front[i+1].values[k] - front[i-1].values[k]) / (hi - lo)
		}
	}
}

// tournament picks the better of two members drawn at random: the lower
// front, then the greater crowding (parents are sorted so: the lower
// index).
func tournament(rng *rand.Rand, parents []member) member {
	return parents[min(rng.IntN(len(parents)), rng.IntN(len(parents)))]
}

// breed makes a child of a and b: uniform crossover over the parameters
// active in it, then mutation.
func (s nsga2) breed(rng *rand.Rand, a, b member) []float64 {
	dims := len(s.spec.Parameters)
	child := make([]float64, dims)
	for i, prm := range s.spec.Parameters {
		child[i] = math.NaN()
		if !prm.Active(s.spec.Lookup(child[:i])) {
			continue
		}
		x, y := a.internal[i], b.internal[i]
		if rng.IntN(2) == 1 {
			x, y = y, x
		}
		switch {
		case !math.IsNaN(x):
			child[i] = x
		case !math.IsNaN(y):
			child[i] = y
		default: // neither parent has it: a fresh draw
			child[i] = prm.FromUnit(rng.Float64())
		}
		if rng.Float64() < 1/float64(dims) {
			child[i] = mutate(rng, prm, child[i])
		}
	}
	return child
}

// mutate changes one value: a numeric one by a Gaussian step in its unit
// coordinates, a listed one by a fresh draw.
func mutate(rng *rand.Rand, prm study.Parameter, x float64) float64 {
	u, ok := prm.ToUnit(x)
	if !ok {
		return prm.FromUnit(rng.Float64())
	}
	u += 0.1 * rng.NormFloat64()
	return prm.FromUnit(min(max(u, 0), math.Nextafter(1, 0)))
}

// sameInternal reports whether two parameter vectors are the same point.
func sameInternal(a, b []float64) bool {
	for i := range a {
		if a[i] != b[i] && !(math.IsNaN(a[i]) && math.IsNaN(b[i])) {
			return false
		}
	}
	return true
}
