package sweep

import (
	"errors"
	"fmt"
	"math"
	globalrand "math/rand"
	"math/rand/v2"
	"sync"

	"github.com/c-bata/goptuna"
	"github.com/c-bata/goptuna/cmaes"
	"github.com/c-bata/goptuna/sobol"
	"github.com/c-bata/goptuna/tpe"

	"github.com/sweepml/sweep/study"
)

// Random streams, so that one seed feeds independent draws (trial seeds
// have a third: study.TrialSeed).
const (
	randomStream  = 0x7a4d_0001
	proposeStream = 0x7a4d_0002
	redrawStream  = 0x7a4d_0004
)

// sampler proposes the parameters of new trials and writes them into the
// study, in spec order. A proposal depends only on the sweep's seed, the
// trial's number and the trials finished before it, so proposing a trial
// again (after a crash between its creation and its parameters) gives the
// same parameters.
type sampler interface {
	// propose sets the parameters of the trial with the given storage ID
	// and number.
	propose(st *goptuna.Study, id, number int) error
}

func newSampler(spec *study.Spec) (sampler, error) {
	switch spec.Method {
	case study.Grid:
		return gridSampler{spec}, nil
	case study.Random:
		return pointSampler{spec, randomPoint}, nil
	case study.Sobol:
		return pointSampler{spec, sobolPoint}, nil
	case study.NSGA2:
		return nsga2{spec, nsgaPopulation(spec.TotalTrials())}, nil
	}
	//lint:ignore SA1019 the check of the global source goptuna draws from
	if err := checkReseed(globalrand.Seed, globalrand.Int63); err != nil {
		return nil, err
	}
	if spec.Method == study.CMAES {
		return &goptunaSampler{spec: spec, cma: cmaes.NewSampler(cmaes.SamplerOptionSeed(int64(spec.Seed)))}, nil
	}
	return &goptunaSampler{spec: spec}, nil
}

// ErrNoReseed is the error of a TPE or CMA-ES sweep in a program where
// seeding the global math/rand source has no effect.
var ErrNoReseed = errors.New("methods tpe and cmaes need the global math/rand source to be reseedable, for reproducible proposals: " +
	"add `godebug randseednop=0` to the main module's go.mod (or //go:debug randseednop=0 to its main package), or use grid, random or sobol")

// checkReseed checks that seeding the global math/rand source takes
// effect. goptuna's TPE and CMA-ES draw from it, and the engine reseeds it
// per proposal; since Go 1.24 rand.Seed does nothing unless the main
// module's go.mod says godebug randseednop=0 (as this module's does). A
// program that imports this package from a module without that line would
// silently lose reproducibility: it is refused instead.
func checkReseed(seed func(int64), draw func() int64) error {
	seed(1)
	a := draw()
	seed(1)
	if draw() != a {
		return ErrNoReseed
	}
	return nil
}

// gridSampler enumerates the grid in spec order, the last parameter
// changing fastest: trial n is the n'th point.
type gridSampler struct{ spec *study.Spec }

func (g gridSampler) propose(st *goptuna.Study, id, number int) error {
	internal := g.spec.GridPoint(number)
	if internal == nil {
		return fmt.Errorf("trial %d: the grid has no point %d", number, number)
	}
	return write(st, g.spec, id, internal)
}

// write sets a proposed trial's parameters, the active ones (NaN marks the
// inactive).
func write(st *goptuna.Study, spec *study.Spec, id int, internal []float64) error {
	for i, prm := range spec.Parameters {
		if math.IsNaN(internal[i]) {
			continue
		}
		if err := st.Storage.SetTrialParam(id, prm.Name, internal[i], prm.GoptunaDistribution()); err != nil {
			return err
		}
	}
	return nil
}

// maxRedraws bounds the draws of a proposal that forbid: refuses.
const maxRedraws = 1000

// errNoAllowed is the error of a proposal whose every draw forbid: refused.
func errNoAllowed(number int) error {
	return fmt.Errorf("trial %d: %d draws, every one a combination forbid: names; the space left is empty, or too small to draw from", number, maxRedraws)
}

// pointSampler maps a point of the unit cube, one coordinate per
// parameter, to the parameters' values. The point depends only on the seed
// and the trial's number.
type pointSampler struct {
	spec  *study.Spec
	point func(seed uint64, number, dims int) []float64
}

func (s pointSampler) propose(st *goptuna.Study, id, number int) error {
	dims := len(s.spec.Parameters)
	internal := make([]float64, dims)
	for k := range maxRedraws {
		u := s.point(s.spec.Seed, number, dims)
		if k > 0 { // a redraw: a stream of its own per trial and draw
			u = randomPoint(s.spec.Seed^redrawStream^uint64(k)<<20, number, dims)
		}
		for i, prm := range s.spec.Parameters {
			internal[i] = math.NaN()
			if prm.Active(s.spec.Lookup(internal[:i])) {
				internal[i] = prm.FromUnit(u[i])
			}
		}
		if !s.spec.Forbids(s.spec.Lookup(internal)) {
			return write(st, s.spec, id, internal)
		}
	}
	return errNoAllowed(number)
}

// randomPoint draws uniformly from a stream of its own per trial.
func randomPoint(seed uint64, number, dims int) []float64 {
	rng := rand.New(rand.NewPCG(seed^randomStream, uint64(number)))
	u := make([]float64, dims)
	for i := range u {
		u[i] = rng.Float64()
	}
	return u
}

// sobolPoint is the (number+1)'th point of the Sobol sequence (the first,
// the origin, is skipped). goptuna's engine is not safe for concurrent
// use; each call has its own.
func sobolPoint(_ uint64, number, dims int) []float64 {
	e := sobol.NewEngine(uint32(dims))
	e.Draw()
	var u []float64
	for range number + 1 {
		u = e.Draw()
	}
	return append([]float64(nil), u...)
}

// goptunaSampler asks goptuna's TPE or CMA-ES. goptuna draws from the
// global math/rand, so each proposal reseeds it (and a new TPE sampler)
// from the sweep's seed and the trial's number: a proposal is then a
// function of the seed and the finished trials, whatever ran before in
// this process, and in any other study the process sweeps at once (a
// lock holds the source for the proposal). CMA-ES keeps its optimizer state from proposal to
// proposal, so a resumed CMA-ES sweep restarts its search distribution.
type goptunaSampler struct {
	spec *study.Spec
	cma  *cmaes.Sampler
}

// globalRand guards the global math/rand source goptuna draws from: a
// proposal reseeds it and draws, and must not interleave with another
// study's in the same process.
var globalRand sync.Mutex

func (s *goptunaSampler) propose(st *goptuna.Study, id, number int) error {
	globalRand.Lock()
	defer globalRand.Unlock()
	if !s.spec.Conditional() {
		return s.suggest(st, id, number, 0, nil)
	}
	// Conditions or forbid: the draws are staged, and only an allowed one
	// is written; a forbidden one is drawn again from a seed of its own.
	stage := &staged{Storage: st.Storage, id: id}
	st.Storage = stage
	defer func() { st.Storage = stage.Storage }()
	for k := range maxRedraws {
		stage.pending = nil
		if err := s.suggest(st, id, number, k, stage); err != nil {
			return err
		}
		internal := stage.internal(s.spec)
		if !s.spec.Forbids(s.spec.Lookup(internal)) {
			return write(&goptuna.Study{Storage: stage.Storage}, s.spec, id, internal)
		}
	}
	return errNoAllowed(number)
}

// suggest asks goptuna for trial number's parameters, in spec order, the
// k'th draw; with a stage, only the parameters active given those drawn
// before them.
func (s *goptunaSampler) suggest(st *goptuna.Study, id, number, k int, stage *staged) error {
	seed := int64(rand.New(rand.NewPCG(s.spec.Seed^proposeStream^uint64(k)<<20, uint64(number))).Uint64() >> 1)
	//lint:ignore SA1019 goptuna draws from the global source; reseeding it is the point (checked by checkReseed)
	globalrand.Seed(seed)
	if s.cma != nil {
		st.RelativeSampler = s.cma
		st.Sampler = goptuna.NewRandomSampler(goptuna.RandomSamplerOptionSeed(seed))
	} else {
		st.Sampler = tpe.NewSampler(tpe.SamplerOptionSeed(seed))
	}
	t := goptuna.Trial{Study: st, ID: id}
	if s.cma != nil {
		if err := t.CallRelativeSampler(); err != nil {
			return err
		}
	}
	for i, prm := range s.spec.Parameters {
		if stage != nil && !prm.Active(s.spec.Lookup(stage.internal(s.spec)[:i])) {
			continue
		}
		var err error
		switch d := prm.GoptunaDistribution().(type) {
		case goptuna.CategoricalDistribution:
			_, err = t.SuggestCategorical(prm.Name, d.Choices)
		case goptuna.DiscreteUniformDistribution:
			_, err = t.SuggestDiscreteFloat(prm.Name, d.Low, d.High, d.Q)
		case goptuna.LogUniformDistribution:
			_, err = t.SuggestLogFloat(prm.Name, d.Low, d.High)
		case goptuna.UniformDistribution:
			_, err = t.SuggestFloat(prm.Name, d.Low, d.High)
		}
		if err != nil {
			return fmt.Errorf("trial %d: suggesting %s: %w", number, prm.Name, err)
		}
	}
	return nil
}
