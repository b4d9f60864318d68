package sweep

import "testing"

func curves(epoch int, complete bool, scores ...float64) []curve {
	out := make([]curve, len(scores))
	for i, s := range scores {
		out[i] = curve{complete: complete, scores: map[int]float64{epoch: s}}
	}
	return out
}

func TestSuccessiveHalvingRungs(t *testing.T) {
	p := successiveHalving{minEpochs: 3, eta: 3}
	for epoch, want := range map[int]bool{1: false, 2: false, 3: true, 4: false, 6: false, 9: true, 27: true, 28: false} {
		if p.isRung(epoch) != want {
			t.Errorf("epoch %d: rung %v, want %v", epoch, !want, want)
		}
	}
}

// TestSuccessiveHalving works through Optuna's rule by hand: at a rung
// with n scores (the trial's own included) the top ⌊n/η⌋, at least one,
// go on.
func TestSuccessiveHalving(t *testing.T) {
	p := successiveHalving{minEpochs: 1, eta: 3}
	five := curves(3, false, 0.9, 0.8, 0.7, 0.6, 0.5)
	tests := []struct {
		name    string
		epoch   int
		score   float64
		earlier []curve
		prune   bool
	}{
		// n = 6, top 2 are 0.9 and 0.8: 0.75 is out, 0.8 and 0.85 are in.
		{"below the top third", 3, 0.75, five, true},
		{"ties the cut", 3, 0.8, five, false},
		{"inside the top third", 3, 0.85, five, false},
		// Not a rung (1, 3, 9, …): never pruned.
		{"between rungs", 2, 0.1, curves(2, false, 0.9, 0.8), false},
		// Alone at the rung: it is the top one.
		{"first at its rung", 3, 0.1, nil, false},
		// n = 2: ⌊2/3⌋ = 0, at least one goes on: the better one.
		{"one earlier, worse", 3, 0.5, curves(3, true, 0.6), true},
		{"one earlier, better", 3, 0.7, curves(3, true, 0.6), false},
		// Trials that never reached the rung do not compete.
		{"others stopped earlier", 9, 0.2, curves(3, false, 0.9, 0.9, 0.9), false},
	}
	for _, tt := range tests {
		if got := p.prune(at(tt.epoch, tt.score), tt.earlier); got != tt.prune {
			t.Errorf("%s: prune %v, want %v", tt.name, got, tt.prune)
		}
	}
}

func TestMedian(t *testing.T) {
	p := medianPruner{minEpochs: 2, minTrials: 3}
	done := curves(2, true, 0.5, 0.9, 0.7) // median 0.7
	tests := []struct {
		name    string
		epoch   int
		score   float64
		earlier []curve
		prune   bool
	}{
		{"below the median", 2, 0.6, done, true},
		{"at the median", 2, 0.7, done, false},
		{"above the median", 2, 0.8, done, false},
		{"warm-up", 1, 0.0, curves(1, true, 0.5, 0.9, 0.7), false},
		{"too few completed", 2, 0.1, curves(2, true, 0.5, 0.9), false},
		// Pruned trials are not counted: two completed are too few.
		{"pruned ones ignored", 2, 0.1, append(curves(2, true, 0.5, 0.9), curves(2, false, 0.95)...), false},
		// Even count: the median is the mean of the middle two, 0.6.
		{"even count", 2, 0.55, curves(2, true, 0.4, 0.5, 0.7, 0.9), true},
	}
	for _, tt := range tests {
		if got := p.prune(at(tt.epoch, tt.score), tt.earlier); got != tt.prune {
			t.Errorf("%s: prune %v, want %v", tt.name, got, tt.prune)
		}
	}
}

// at is a run's scores that reach epoch with score, the epochs before it
// scoring the same.
func at(epoch int, score float64) []float64 {
	s := make([]float64, epoch)
	for i := range s {
		s[i] = score
	}
	return s
}

// TestHyperband checks W&B's hyperband rule (sweeps' hyperband_stopping.py)
// on values computed by hand: bands 2 and 6 (max_iter 19, s 2, η 3);
// maximize, so scores are the values.
func TestHyperband(t *testing.T) {
	strict := hyperband{bands: []int{2, 6}, eta: 3, strict: true}
	loose := hyperband{bands: []int{2, 6}, eta: 3, strict: false}
	three := curves(2, true, 0.9, 0.7, 0.5) // with the run's own: n = 4, ⌊4/3⌋ = 1: threshold the 2nd best
	tests := []struct {
		name    string
		p       hyperband
		scores  []float64
		earlier []curve
		prune   bool
	}{
		{"not a band", strict, []float64{0.1}, three, false},
		{"alone at the band", strict, []float64{0.1, 0.1}, nil, false},
		{"second best goes on", strict, []float64{0.1, 0.8}, three, false},
		{"tied with the second best", strict, []float64{0.1, 0.7}, three, false},
		{"third is stopped", strict, []float64{0.1, 0.6}, three, true},
		// n = 2: ⌊2/3⌋ = 0: only the best goes on.
		{"two at the band, worse", strict, []float64{0.1, 0.6}, curves(2, true, 0.9), true},
		// Not strict: its best so far, against the others' values at the band.
		{"loose: an earlier best saves it", loose, []float64{0.95, 0.6}, three, false},
		{"loose: no better earlier", loose, []float64{0.2, 0.6}, three, true},
		{"second band, others stopped before it", strict, []float64{1, 1, 1, 1, 1, 0.1}, three, false},
	}
	for _, tt := range tests {
		if got := tt.p.prune(tt.scores, tt.earlier); got != tt.prune {
			t.Errorf("%s: prune %v, want %v", tt.name, got, tt.prune)
		}
	}
}
