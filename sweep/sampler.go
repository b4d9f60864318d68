package sweep

import (
	"fmt"
	"math"
	globalrand "math/rand"
	"math/rand/v2"

	"github.com/c-bata/goptuna"
	"github.com/c-bata/goptuna/cmaes"
	"github.com/c-bata/goptuna/sobol"
	"github.com/c-bata/goptuna/tpe"
)

// Random streams, so that one seed feeds independent draws.
const (
	randomStream  = 0x7a4d_0001
	proposeStream = 0x7a4d_0002
	trialStream   = 0x7a4d_0003
)

// sampler proposes the parameters of new trials and writes them into the
// study, in spec order. A proposal depends only on the sweep's seed, the
// trial's number and the trials finished before it, so proposing a trial
// again (after a crash between its creation and its parameters) gives the
// same parameters.
type sampler interface {
	// propose sets the parameters of the trial with the given storage ID
	// and number.
	propose(study *goptuna.Study, id, number int) error
}

func newSampler(spec *Spec) sampler {
	switch spec.Method {
	case "grid":
		return gridSampler{spec}
	case "random":
		return pointSampler{spec, randomPoint}
	case "sobol":
		return pointSampler{spec, sobolPoint}
	case "cmaes":
		return &goptunaSampler{spec: spec, cma: cmaes.NewSampler(cmaes.SamplerOptionSeed(int64(spec.Seed)))}
	}
	return &goptunaSampler{spec: spec}
}

// distribution is goptuna's form of a parameter's distribution. Integers
// are discrete uniforms with step 1: goptuna's own int distributions never
// draw their upper bound from its random sampler.
func (prm Parameter) distribution() any {
	switch prm.Distribution {
	case Categorical, Constant:
		choices := make([]string, len(prm.Values))
		for i, v := range prm.Values {
			choices[i] = fmt.Sprint(v)
		}
		return goptuna.CategoricalDistribution{Choices: choices}
	case IntUniform:
		return goptuna.DiscreteUniformDistribution{Low: prm.Min, High: prm.Max, Q: 1}
	case QUniform:
		return goptuna.DiscreteUniformDistribution{Low: prm.Min, High: prm.Min + prm.Q*float64(prm.steps()), Q: prm.Q}
	case LogUniformValues:
		return goptuna.LogUniformDistribution{Low: prm.Min, High: prm.Max}
	}
	return goptuna.UniformDistribution{Low: prm.Min, High: prm.Max}
}

// searchSpace is the spec's space in goptuna's terms. Studies are given it
// up front: goptuna's inference of it (IntersectionSearchSpace) compares
// distributions with != and so panics on categorical ones, and mutates
// stored trials.
func (s *Spec) searchSpace() map[string]any {
	space := make(map[string]any, len(s.Parameters))
	for _, prm := range s.Parameters {
		space[prm.Name] = prm.distribution()
	}
	return space
}

// steps is the number of q steps from min that stay within max.
func (prm Parameter) steps() int { return int(math.Floor((prm.Max-prm.Min)/prm.Q + 1e-9)) }

// external turns goptuna's internal representation of a parameter value
// into the setting's value.
func (prm Parameter) external(internal float64) any {
	switch prm.Distribution {
	case Categorical, Constant:
		return prm.Values[int(internal)]
	}
	return prm.value(internal)
}

// fromUnit maps u in [0, 1) to the internal representation of a value,
// every value of a discrete parameter equally likely, both ends included.
func (prm Parameter) fromUnit(u float64) float64 {
	pick := func(n int) float64 { return float64(min(int(u*float64(n)), n-1)) }
	switch prm.Distribution {
	case Categorical, Constant:
		return pick(len(prm.Values))
	case IntUniform:
		return prm.Min + pick(int(prm.Max-prm.Min)+1)
	case QUniform:
		return prm.Min + prm.Q*pick(prm.steps()+1)
	case LogUniformValues:
		return math.Exp(math.Log(prm.Min) + u*(math.Log(prm.Max)-math.Log(prm.Min)))
	}
	return prm.Min + u*(prm.Max-prm.Min)
}

// gridSampler enumerates the grid in spec order, the last parameter
// changing fastest: trial n is the n'th point.
type gridSampler struct{ spec *Spec }

func (g gridSampler) propose(study *goptuna.Study, id, number int) error {
	rest := number
	internal := make([]float64, len(g.spec.Parameters))
	for i := len(g.spec.Parameters) - 1; i >= 0; i-- {
		prm := g.spec.Parameters[i]
		values := prm.gridValues()
		k := rest % len(values)
		rest /= len(values)
		internal[i] = float64(k)
		if prm.Distribution != Categorical && prm.Distribution != Constant {
			internal[i] = toFloat(values[k])
		}
	}
	for i, prm := range g.spec.Parameters {
		if err := study.Storage.SetTrialParam(id, prm.Name, internal[i], prm.distribution()); err != nil {
			return err
		}
	}
	return nil
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case float64:
		return x
	}
	return math.NaN()
}

// pointSampler maps a point of the unit cube, one coordinate per
// parameter, to the parameters' values. The point depends only on the seed
// and the trial's number.
type pointSampler struct {
	spec  *Spec
	point func(seed uint64, number, dims int) []float64
}

func (s pointSampler) propose(study *goptuna.Study, id, number int) error {
	u := s.point(s.spec.Seed, number, len(s.spec.Parameters))
	for i, prm := range s.spec.Parameters {
		if err := study.Storage.SetTrialParam(id, prm.Name, prm.fromUnit(u[i]), prm.distribution()); err != nil {
			return err
		}
	}
	return nil
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
// this process. CMA-ES keeps its optimizer state from proposal to
// proposal, so a resumed CMA-ES sweep restarts its search distribution.
type goptunaSampler struct {
	spec *Spec
	cma  *cmaes.Sampler
}

func (s *goptunaSampler) propose(study *goptuna.Study, id, number int) error {
	seed := int64(rand.New(rand.NewPCG(s.spec.Seed^proposeStream, uint64(number))).Uint64() >> 1)
	//lint:ignore SA1019 goptuna draws from the global source; reseeding it is the point (godebug randseednop=0 in go.mod)
	globalrand.Seed(seed)
	if s.cma != nil {
		study.RelativeSampler = s.cma
		study.Sampler = goptuna.NewRandomSampler(goptuna.RandomSamplerOptionSeed(seed))
	} else {
		study.Sampler = tpe.NewSampler(tpe.SamplerOptionSeed(seed))
	}
	t := goptuna.Trial{Study: study, ID: id}
	if s.cma != nil {
		if err := t.CallRelativeSampler(); err != nil {
			return err
		}
	}
	for _, prm := range s.spec.Parameters {
		var err error
		switch d := prm.distribution().(type) {
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
