package sweep

import (
	"slices"

	"github.com/sweepml/sweep/study"
)

// curve is a finished trial's metric per epoch, as scores: higher is
// better (the metric, negated when it is minimised).
type curve struct {
	complete bool
	scores   map[int]float64
}

// pruner decides, at the end of an epoch, whether a trial stops. It sees
// only the curves of trials below its trial's horizon, never those running beside
// it, so its decisions do not depend on timing or the number of workers.
type pruner interface {
	prune(epoch int, score float64, earlier []curve) bool
}

func newPruner(e study.EarlyTerminate) pruner {
	switch e.Type {
	case study.SuccessiveHalving:
		return successiveHalving{minEpochs: e.MinEpochs, eta: e.Eta}
	case study.MedianPruner:
		return medianPruner{minEpochs: e.MinEpochs, minTrials: e.MinTrials}
	}
	return nil
}

// successiveHalving is asynchronous successive halving (ASHA) as in
// Optuna's SuccessiveHalvingPruner: rungs at epochs m, m·η, m·η², …; at a
// rung a trial goes on only if its score is among the top ⌊n/η⌋ (at least
// the top one) of the n scores recorded at that rung, its own included.
type successiveHalving struct{ minEpochs, eta int }

func (p successiveHalving) isRung(epoch int) bool {
	for r := p.minEpochs; r <= epoch; r *= p.eta {
		if r == epoch {
			return true
		}
	}
	return false
}

func (p successiveHalving) prune(epoch int, score float64, earlier []curve) bool {
	if !p.isRung(epoch) {
		return false
	}
	competing := []float64{score}
	for _, c := range earlier {
		if v, ok := c.scores[epoch]; ok {
			competing = append(competing, v)
		}
	}
	slices.Sort(competing)
	slices.Reverse(competing)
	k := max(len(competing)/p.eta, 1)
	return score < competing[k-1]
}

// medianPruner is Optuna's MedianPruner: from epoch minEpochs on, once
// minTrials trials have completed, a trial stops when its score is below
// the median of the completed trials' scores at the same epoch.
type medianPruner struct{ minEpochs, minTrials int }

func (p medianPruner) prune(epoch int, score float64, earlier []curve) bool {
	if epoch < p.minEpochs {
		return false
	}
	var scores []float64
	for _, c := range earlier {
		if v, ok := c.scores[epoch]; ok && c.complete {
			scores = append(scores, v)
		}
	}
	if len(scores) < p.minTrials {
		return false
	}
	return score < median(scores)
}

func median(v []float64) float64 {
	s := slices.Sorted(slices.Values(v))
	if n := len(s); n%2 == 1 {
		return s[n/2]
	} else {
		return (s[n/2-1] + s[n/2]) / 2
	}
}
