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
	// prune judges a run by its scores so far (iterations 1, 2, …; the
	// last is the one just reported).
	prune(scores []float64, earlier []curve) bool
}

func newPruner(e study.EarlyTerminate) pruner {
	switch e.Type {
	case study.SuccessiveHalving:
		return successiveHalving{minEpochs: e.MinEpochs, eta: e.Eta}
	case study.MedianPruner:
		return medianPruner{minEpochs: e.MinEpochs, minTrials: e.MinTrials}
	case study.Hyperband:
		return hyperband{bands: e.Bands, eta: e.Eta, strict: e.Strict}
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

func (p successiveHalving) prune(scores []float64, earlier []curve) bool {
	epoch, score := len(scores), scores[len(scores)-1]
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

func (p medianPruner) prune(scores []float64, earlier []curve) bool {
	epoch, score := len(scores), scores[len(scores)-1]
	if epoch < p.minEpochs {
		return false
	}
	var done []float64
	for _, c := range earlier {
		if v, ok := c.scores[epoch]; ok && c.complete {
			done = append(done, v)
		}
	}
	if len(done) < p.minTrials {
		return false
	}
	return score < median(done)
}

func median(v []float64) float64 {
	s := slices.Sorted(slices.Values(v))
	if n := len(s); n%2 == 1 {
		return s[n/2]
	} else {
		return (s[n/2-1] + s[n/2]) / 2
	}
}

// hyperband is W&B's hyperband early termination, judged as W&B's
// controller judges a run at each pass, but once, when the run reaches a
// band, and against the curves below its horizon only (so it depends on
// neither timing nor the number of workers). At band b (an iteration: the
// b'th report of the metric) it takes the b'th values of the earlier runs
// that reached b and its own, and keeps the run unless its value (strict)
// or its best so far (not strict) is worse than the value ranked
// ⌊n/η⌋ from the best (the top 1/η and a little go on).
type hyperband struct {
	bands  []int
	eta    int
	strict bool
}

func (p hyperband) prune(scores []float64, earlier []curve) bool {
	b := len(scores)
	if !slices.Contains(p.bands, b) {
		return false
	}
	own := scores[b-1]
	if !p.strict {
		own = slices.Max(scores)
	}
	vals := []float64{scores[b-1]}
	for _, c := range earlier {
		if v, ok := c.scores[b]; ok {
			vals = append(vals, v)
		}
	}
	slices.Sort(vals)
	slices.Reverse(vals) // best first
	threshold := vals[len(vals)/p.eta]
	return own < threshold
}
