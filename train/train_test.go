package train

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/sweepml/sweep/dataset"
)

// constModel has one decayed weight and one bias; its gradients are fixed
// numbers, so optimizer steps can be computed by hand.
type constModel struct {
	w, b, gw, gb []float64
	grads        [][2]float64 // gradient (w, b) of each successive step
	step         int
	lossAt       map[int]float64 // loss returned at a step; 0 otherwise
}

func newConstModel(grads ...[2]float64) *constModel {
	return &constModel{w: []float64{1}, b: []float64{1}, gw: []float64{0}, gb: []float64{0}, grads: grads}
}

func (m *constModel) Inputs() int { return 4 }
func (m *constModel) Tensors() []Tensor[float64] {
	return []Tensor[float64]{{Name: "w", Value: m.w, Grad: m.gw, Decay: true}, {Name: "b", Value: m.b, Grad: m.gb}}
}
func (m *constModel) Gradient(x []float64, labels []uint8) (float64, int) {
	g := m.grads[min(m.step, len(m.grads)-1)]
	m.gw[0], m.gb[0] = g[0], g[1]
	loss := m.lossAt[m.step]
	m.step++
	return loss, 0
}
func (m *constModel) Evaluate(x []float64, labels []uint8) (float64, int) { return 0, len(labels) }

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-12*max(1, math.Abs(b)) }

// TestOptimizers runs two steps of each update rule with gradients 0.5 then
// -0.25 (weight) and 2 then 2 (bias), learning rate 0.1, weight decay 0.1
// on the weight only, and compares with values worked out by hand.
func TestOptimizers(t *testing.T) {
	tests := []struct {
		opt  Optimizer
		w, b float64
	}{
		// w: g1 = 0.5+0.1·1 = 0.6 → w = 0.94; g2 = -0.25+0.094 = -0.156 → 0.9556.
		// b: 1 - 0.2 - 0.2 = 0.6.
		{Optimizer{Kind: SGD, LR: 0.1, WeightDecay: 0.1}, 0.9556, 0.6},
		// v1 = 0.6 → w = 0.94; g2 = -0.156, v2 = 0.54-0.156 = 0.384 → w = 0.9016.
		// b: v1 = 2 → 0.8; v2 = 3.8 → 0.42.
		{Optimizer{Kind: Momentum, LR: 0.1, Momentum: 0.9, WeightDecay: 0.1}, 0.9016, 0.42},
		// Nesterov: w -= lr(g + μv). Step 1: v=0.6, w = 1-0.1(0.6+0.54) = 0.886.
		// Step 2: g = -0.25+0.0886 = -0.1614, v = 0.54-0.1614 = 0.3786,
		// w = 0.886 - 0.1(-0.1614+0.34074) = 0.868066.
		// b: v1 = 2, b = 1-0.1(2+1.8) = 0.62; v2 = 3.8, b = 0.62-0.1(2+3.42) = 0.078.
		{Optimizer{Kind: Momentum, LR: 0.1, Momentum: 0.9, Nesterov: true, WeightDecay: 0.1}, 0.868066, 0.078},
		// Adam, no decay: step 1 moves each parameter by -lr·sign(g)·(1/(1+ε')),
		// i.e. w = 0.9, b = 0.9 (up to ε). Step 2 for w: m = 0.9·0.05-0.025 = 0.02,
		// m̂ = 0.02/0.19; s = 0.999·0.00025+0.001·0.0625 = 0.00031225,
		// ŝ = 0.00031225/0.001999; w = 0.9 - 0.1·m̂/√ŝ.
		{Optimizer{Kind: Adam, LR: 0.1}, 0.9 - 0.1*(0.02/0.19)/math.Sqrt(0.00031225/0.001999), 0.8},
	}
	for _, tt := range tests {
		m := newConstModel([2]float64{0.5, 2}, [2]float64{-0.25, 2})
		o := newOptimizer(tt.opt, m.Tensors())
		for range 2 {
			m.Gradient(nil, nil)
			o.update(tt.opt.LR)
		}
		tol := 1e-12
		if tt.opt.Kind == Adam {
			tol = 1e-6 // ε = 1e-8 shifts the hand values slightly
		}
		if math.Abs(m.w[0]-tt.w) > tol || math.Abs(m.b[0]-tt.b) > tol {
			t.Errorf("%+v: w = %.12g, b = %.12g; want %.12g, %.12g", tt.opt, m.w[0], m.b[0], tt.w, tt.b)
		}
	}
}

func TestSchedules(t *testing.T) {
	tests := []struct {
		s      Schedule
		epoch  int
		epochs int
		want   float64
	}{
		{Schedule{Kind: Constant}, 7, 10, 0.1},
		{Schedule{Kind: Cosine}, 0, 10, 0.1},
		{Schedule{Kind: Cosine}, 5, 10, 0.05},
		{Schedule{Kind: Cosine, MinLR: 0.02}, 5, 10, 0.06},
		{Schedule{Kind: Cosine}, 9, 10, 0.05 * (1 + math.Cos(0.9*math.Pi))},
		{Schedule{Kind: Step}, 9, 30, 0.1},
		{Schedule{Kind: Step}, 10, 30, 0.01},
		{Schedule{Kind: Step, StepSize: 3, Gamma: 0.5}, 7, 30, 0.025},
		{Schedule{Kind: Constant, Warmup: 4}, 0, 10, 0.025},
		{Schedule{Kind: Constant, Warmup: 4}, 3, 10, 0.1},
		{Schedule{Kind: Cosine, Warmup: 2}, 2, 12, 0.1},
		{Schedule{Kind: Cosine, Warmup: 2}, 7, 12, 0.05},
	}
	for _, tt := range tests {
		if got := tt.s.LR(0.1, tt.epoch, tt.epochs); !near(got, tt.want) {
			t.Errorf("%+v epoch %d of %d: lr %v, want %v", tt.s, tt.epoch, tt.epochs, got, tt.want)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	good := Config{Epochs: 1, BatchSize: 1, Optimizer: Optimizer{Kind: SGD, LR: 0.1}, Schedule: Schedule{Kind: Constant}}
	tests := []struct {
		edit func(*Config)
		want string
	}{
		{func(c *Config) { c.Epochs = 0 }, "epochs 0: want 1 to 100000"},
		{func(c *Config) { c.BatchSize = -1 }, "batch size -1: want 1 to 1048576"},
		{func(c *Config) { c.Optimizer.Kind = "rmsprop" }, `unknown optimizer "rmsprop" (want one of [sgd momentum adam])`},
		{func(c *Config) { c.Optimizer.LR = 0 }, "learning rate 0 must be positive and finite"},
		{func(c *Config) { c.Optimizer.LR = math.Inf(1) }, "learning rate +Inf must be positive and finite"},
		{func(c *Config) { c.Optimizer.Nesterov = true }, "nesterov applies to the momentum optimizer, not sgd"},
		{func(c *Config) { c.Optimizer.Kind, c.Optimizer.Momentum = Momentum, 1 }, "momentum 1 out of range [0, 1)"},
		{func(c *Config) { c.Optimizer.WeightDecay = -1 }, "weight decay -1 must be ≥ 0 and finite"},
		{func(c *Config) { c.Schedule.Kind = "cyclic" }, `unknown schedule "cyclic" (want one of [constant cosine step])`},
		{func(c *Config) { c.Schedule.Warmup = -2 }, "warm-up -2 epochs must be ≥ 0"},
		{func(c *Config) { c.Schedule.Gamma = 2 }, "step decay factor 2 out of range (0, 1]"},
	}
	for _, tt := range tests {
		c := good
		tt.edit(&c)
		if err := c.Validate(); err == nil || err.Error() != tt.want {
			t.Errorf("got %v, want %s", err, tt.want)
		}
	}
	if err := good.Validate(); err != nil {
		t.Errorf("valid config rejected: %v", err)
	}
}

func tinyData(t *testing.T) (dataset.View, dataset.View) {
	labels := []uint8{0, 1, 0, 1, 0, 1, 0, 1, 0, 1}
	s, err := dataset.NewSet(&dataset.Images{Count: 10, Rows: 2, Cols: 2, Pixels: make([]uint8, 40)}, labels)
	if err != nil {
		t.Fatal(err)
	}
	tr, val, err := s.All().Split(0.2, 1)
	if err != nil {
		t.Fatal(err)
	}
	return tr, val
}

func TestFitStopsOnDivergence(t *testing.T) {
	tr, val := tinyData(t)
	m := newConstModel([2]float64{0, 0})
	m.lossAt = map[int]float64{5: math.Inf(1)}
	cfg := Config{Epochs: 5, BatchSize: 2, Optimizer: Optimizer{Kind: SGD, LR: 0.1}, Schedule: Schedule{Kind: Constant}}
	h, err := Fit[float64](context.Background(), m, tr, val, cfg)
	if !errors.Is(err, ErrDiverged) {
		t.Fatalf("got %v, want ErrDiverged", err)
	}
	// 8 training rows, batches of 2: steps 0-3 are epoch 1, step 5 is the
	// second batch (rows 2-3) of epoch 2.
	if want := "training diverged: loss is +Inf in epoch 2 at example 2 (learning rate 0.1)"; err.Error() != want {
		t.Errorf("got %q\nwant %q", err, want)
	}
	if len(h.Epochs) != 1 {
		t.Errorf("history has %d epochs, want the 1 completed", len(h.Epochs))
	}
}

func TestFitHistory(t *testing.T) {
	tr, val := tinyData(t)
	m := newConstModel([2]float64{0, 0})
	m.lossAt = map[int]float64{0: 2, 1: 4}
	var seen []int
	cfg := Config{
		Epochs: 3, BatchSize: 5, Optimizer: Optimizer{Kind: SGD, LR: 0.1}, Schedule: Schedule{Kind: Step, StepSize: 1, Gamma: 0.5},
		OnEpoch: func(e Epoch) error { seen = append(seen, e.Epoch); return nil },
	}
	h, err := Fit[float64](context.Background(), m, tr, val, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Epochs) != 3 || len(seen) != 3 || h.Stopped {
		t.Fatalf("history %+v, callback saw %v", h, seen)
	}
	// Epoch 1 has batches of 5 and 3 rows with losses 2 and 4.
	e := h.Epochs[0]
	if !near(e.TrainLoss, (5*2+3*4)/8.0) || e.LR != 0.1 || h.Epochs[2].LR != 0.025 || e.ValAccuracy != 1 {
		t.Errorf("epoch 1: %+v; epoch 3 lr %v", e, h.Epochs[2].LR)
	}
	if h.Epochs[1].Seconds < e.Seconds {
		t.Error("seconds are not cumulative")
	}
}

// TestDivergedBound: a finite loss far beyond what guessing scores, or a
// million times the first epoch's, is divergence; an ordinary curve is not.
func TestDivergedBound(t *testing.T) {
	ok := []Epoch{{Epoch: 1, TrainLoss: 2.1}, {Epoch: 2, TrainLoss: 0.9}}
	if err := diverged(ok, 10); err != nil {
		t.Errorf("ordinary curve: %v", err)
	}
	if err := diverged([]Epoch{{Epoch: 1, TrainLoss: 6e32}}, 10); !errors.Is(err, ErrDiverged) || err.Error() != "training diverged: training loss 6e+32 in epoch 1 is beyond 230.3 (100·ln(classes), or a million times the first epoch's)" {
		t.Errorf("6e32: %v", err)
	}
	small := []Epoch{{Epoch: 1, TrainLoss: 1e-7}, {Epoch: 2, TrainLoss: 0.5}}
	if err := diverged(small, 10); !errors.Is(err, ErrDiverged) {
		t.Errorf("a millionfold rise: %v", err)
	}
}
