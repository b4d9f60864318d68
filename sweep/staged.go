package sweep

import (
	"math"

	"github.com/c-bata/goptuna"

	"github.com/sweepml/sweep/study"
)

// staged is a storage that holds back one trial's parameters as a sampler
// draws them: goptuna's Suggest writes each at once, and a draw that
// forbid: refuses, or whose conditions leave a parameter out, must leave
// nothing behind. The trial reads back with its pending parameters.
type staged struct {
	goptuna.Storage
	id      int
	pending []stagedParam
}

type stagedParam struct {
	name     string
	internal float64
	dist     any
}

func (s *staged) SetTrialParam(trialID int, name string, internal float64, dist any) error {
	if trialID != s.id {
		return s.Storage.SetTrialParam(trialID, name, internal, dist)
	}
	s.pending = append(s.pending, stagedParam{name, internal, dist})
	return nil
}

func (s *staged) GetTrial(trialID int) (goptuna.FrozenTrial, error) {
	t, err := s.Storage.GetTrial(trialID)
	if err != nil || trialID != s.id || len(s.pending) == 0 {
		return t, err
	}
	t.InternalParams = copyMap(t.InternalParams)
	t.Params = copyMap(t.Params)
	t.Distributions = copyMap(t.Distributions)
	for _, p := range s.pending {
		t.InternalParams[p.name] = p.internal
		t.Distributions[p.name] = p.dist
		if t.Params[p.name], err = goptuna.ToExternalRepresentation(p.dist, p.internal); err != nil {
			return t, err
		}
	}
	return t, nil
}

// internal is the staged draw in spec order, NaN where not drawn.
func (s *staged) internal(spec *study.Spec) []float64 {
	out := make([]float64, len(spec.Parameters))
	for i, prm := range spec.Parameters {
		out[i] = math.NaN()
		for _, p := range s.pending {
			if p.name == prm.Name {
				out[i] = p.internal
			}
		}
	}
	return out
}

func copyMap[V any](m map[string]V) map[string]V {
	out := make(map[string]V, len(m)+4)
	for k, v := range m {
		out[k] = v
	}
	return out
}
