package network

import (
	"bytes"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/sweepml/sweep/dataset"
	"github.com/sweepml/sweep/internal/gradcheck"
	"github.com/sweepml/sweep/internal/testkit"
	"github.com/sweepml/sweep/train"
)

// TestGradientFiniteDifferences compares every gradient entry of every
// layer, for every activation, with central finite differences of the loss.
func TestGradientFiniteDifferences(t *testing.T) {
	for _, act := range Activations {
		t.Run(string(act), func(t *testing.T) {
			m, err := New[float64](Config{Sizes: []int{7, 6, 5, 4}, Activation: act, Seed: 3})
			if err != nil {
				t.Fatal(err)
			}
			// Nonzero biases so that their gradients are exercised too.
			rng := rand.New(rand.NewPCG(9, 9))
			for _, b := range m.biases {
				for i := range b {
					b[i] = 0.1 * rng.NormFloat64()
				}
			}
			x, labels := testkit.RandomBatch(5, 7, 4, 11)
			gradcheck.Check(t, m, x, labels, func() []bool {
				var on []bool
				for _, a := range m.evalWS.act[1 : len(m.evalWS.act)-1] {
					for _, v := range a[:len(labels)*len(a)/m.evalWS.rows] {
						on = append(on, v > 0)
					}
				}
				return on
			}, 1e-6)
		})
	}
}

// TestLossValue checks the loss itself: with all weights zero every class
// has probability 1/k, so the cross-entropy is log k for any input.
func TestLossValue(t *testing.T) {
	m := newZero[float64](Config{Sizes: []int{3, 4, 5}, Activation: Tanh, Init: Xavier})
	x, labels := testkit.RandomBatch(6, 3, 5, 1)
	loss, _ := m.Gradient(x, labels)
	if math.Abs(loss-math.Log(5)) > 1e-15 {
		t.Errorf("loss %v, want log 5 = %v", loss, math.Log(5))
	}
	// A confident correct output: logits (0, 0, 10) → loss log(2+e¹⁰) − 10.
	m = newZero[float64](Config{Sizes: []int{1, 3}, Activation: ReLU, Init: He})
	m.biases[0][2] = 10
	sum, correct := m.Evaluate([]float64{0}, []uint8{2})
	if want := math.Log(2+math.Exp(10)) - 10; math.Abs(sum-want) > 1e-15 || correct != 1 {
		t.Errorf("loss %v correct %d, want %v and 1", sum, correct, want)
	}
}

func TestInitialisation(t *testing.T) {
	m, _ := New[float64](Config{Sizes: []int{784, 256, 10}, Activation: ReLU, Seed: 1})
	if m.Config().Init != He {
		t.Errorf("relu defaults to %s, want he", m.Config().Init)
	}
	w := m.weights[0]
	var sum, sq float64
	for _, v := range w {
		sum += v
		sq += v * v
	}
	mean, std := sum/float64(len(w)), math.Sqrt(sq/float64(len(w)))
	if want := math.Sqrt(2.0 / 784); math.Abs(mean) > 0.01*want*10 || math.Abs(std-want)/want > 0.01 {
		t.Errorf("He weights: mean %v std %v, want 0 and %v", mean, std, want)
	}
	x, _ := New[float64](Config{Sizes: []int{784, 256, 10}, Activation: Sigmoid, Seed: 1})
	limit := math.Sqrt(6.0 / (784 + 256))
	hi := slices.Max(x.weights[0])
	if x.Config().Init != Xavier || hi > limit || hi < 0.99*limit {
		t.Errorf("sigmoid: init %s, max weight %v, want xavier within %v", x.Config().Init, hi, limit)
	}
	for _, b := range m.biases {
		for _, v := range b {
			if v != 0 {
				t.Fatal("biases must start at zero")
			}
		}
	}
	// float32 starts from the float64 weights, rounded.
	m32, _ := New[float32](Config{Sizes: []int{784, 256, 10}, Activation: ReLU, Seed: 1})
	for i, v := range m32.weights[1] {
		if v != float32(m.weights[1][i]) {
			t.Fatalf("float32 weight %d is %v, want %v", i, v, float32(m.weights[1][i]))
		}
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		cfg  Config
		want string
	}{
		{Config{Sizes: []int{784}, Activation: ReLU}, "sizes [784]: need at least an input and an output layer"},
		{Config{Sizes: []int{784, 0, 10}, Activation: ReLU}, "sizes 784,0,10: layer 1 has width 0, want 1 to 1048576"},
		{Config{Sizes: []int{784, 10}, Activation: "swish"}, `unknown activation "swish" (want one of [sigmoid tanh relu leaky_relu])`},
		{Config{Sizes: []int{784, 10}, Activation: ReLU, Init: "zeros"}, `unknown initialisation "zeros" (want one of [he xavier])`},
	}
	for _, tt := range tests {
		if _, err := New[float64](tt.cfg); err == nil || err.Error() != tt.want {
			t.Errorf("%+v: got %v, want %s", tt.cfg, err, tt.want)
		}
	}
}

func smallConfig(opt train.OptimizerKind) train.Config {
	return train.Config{
		Epochs: 3, BatchSize: 8, Seed: 5,
		Optimizer: train.Optimizer{Kind: opt, LR: 0.01, Momentum: 0.9, Nesterov: opt == train.Momentum, WeightDecay: 1e-4},
		Schedule:  train.Schedule{Kind: train.Cosine, Warmup: 1},
	}
}

// TestDeterminism trains twice with the same seeds and compares histories
// (all but wall-clock time) and weights bit for bit, in both dtypes and
// with every optimizer.
func TestDeterminism(t *testing.T) {
	tr, val := testkit.MNISTSplit(t, 300)
	for _, opt := range train.OptimizerKinds {
		check := func(name string, fit func() (train.History, [][]float64)) {
			h1, w1 := fit()
			h2, w2 := fit()
			for i := range h1.Epochs {
				h1.Epochs[i].Seconds, h2.Epochs[i].Seconds = 0, 0
			}
			if !slices.EqualFunc(h1.Epochs, h2.Epochs, train.Epoch.Equal) {
				t.Errorf("%s %s: histories differ:\n%v\n%v", name, opt, h1.Epochs, h2.Epochs)
			}
			for i := range w1 {
				if !slices.Equal(w1[i], w2[i]) {
					t.Errorf("%s %s: parameter %d differs", name, opt, i)
				}
			}
		}
		check("float64", func() (train.History, [][]float64) { return fitOnce[float64](t, tr, val, smallConfig(opt)) })
		check("float32", func() (train.History, [][]float64) { return fitOnce[float32](t, tr, val, smallConfig(opt)) })
	}
}

func fitOnce[T train.Float](t *testing.T, tr, val dataset.View, cfg train.Config) (train.History, [][]float64) {
	m, err := New[T](Config{Sizes: []int{784, 32, 16, 10}, Activation: ReLU, Seed: 42})
	if err != nil {
		t.Fatal(err)
	}
	h, err := m.Fit(context.Background(), tr, val, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var ws [][]float64
	for _, p := range m.Tensors() {
		w := make([]float64, len(p.Value))
		for i, v := range p.Value {
			w[i] = float64(v)
		}
		ws = append(ws, w)
	}
	return h, ws
}

// TestStepAllocatesNothing asserts zero allocations per training step after
// the first, for per-sample and minibatch steps, both dtypes, all
// optimizers.
func TestStepAllocatesNothing(t *testing.T) {
	tr, _ := testkit.MNISTSplit(t, 500)
	positions := make([]int32, 64)
	for i := range positions {
		positions[i] = int32(i * 3)
	}
	for _, opt := range train.OptimizerKinds {
		for _, batch := range []int{1, 64} {
			o := train.Optimizer{Kind: opt, LR: 0.01, Momentum: 0.9}
			m64, _ := New[float64](Config{Sizes: []int{784, 128, 64, 10}, Activation: ReLU})
			s64 := train.NewStepper[float64](m64, o, tr, batch)
			if a := testing.AllocsPerRun(5, func() { s64.Step(positions[:batch], 0.01) }); a != 0 {
				t.Errorf("float64 %s batch %d: %v allocations per step", opt, batch, a)
			}
			m32, _ := New[float32](Config{Sizes: []int{784, 128, 64, 10}, Activation: Sigmoid})
			s32 := train.NewStepper[float32](m32, o, tr, batch)
			if a := testing.AllocsPerRun(5, func() { s32.Step(positions[:batch], 0.01) }); a != 0 {
				t.Errorf("float32 %s batch %d: %v allocations per step", opt, batch, a)
			}
		}
	}
}

func TestDivergenceIsAnError(t *testing.T) {
	tr, val := testkit.MNISTSplit(t, 200)
	m, _ := New[float32](Config{Sizes: []int{784, 64, 10}, Activation: LeakyReLU, Seed: 1})
	cfg := smallConfig(train.SGD)
	cfg.Optimizer.LR = 100
	cfg.Schedule = train.Schedule{Kind: train.Constant}
	h, err := m.Fit(context.Background(), tr, val, cfg)
	if !errors.Is(err, train.ErrDiverged) {
		t.Fatalf("got %v, want an error wrapping ErrDiverged", err)
	}
	t.Log(err)
	if len(h.Epochs) > 1 {
		t.Errorf("training went on for %d epochs after diverging", len(h.Epochs))
	}
}

func TestCancelAndStop(t *testing.T) {
	tr, val := testkit.MNISTSplit(t, 200)
	m, _ := New[float64](Config{Sizes: []int{784, 16, 10}, Activation: ReLU, Seed: 1})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.Fit(ctx, tr, val, smallConfig(train.SGD)); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: got %v", err)
	}

	cfg := smallConfig(train.SGD)
	cfg.Epochs = 10
	cfg.OnEpoch = func(e train.Epoch) error {
		if e.Epoch == 2 {
			return train.ErrStop
		}
		return nil
	}
	h, err := m.Fit(context.Background(), tr, val, cfg)
	if err != nil || len(h.Epochs) != 2 || !h.Stopped {
		t.Errorf("stop after epoch 2: %d epochs, stopped %v, err %v", len(h.Epochs), h.Stopped, err)
	}
}

func TestSaveLoad(t *testing.T) {
	tr, val := testkit.MNISTSplit(t, 200)
	m, _ := New[float32](Config{Sizes: []int{784, 20, 10}, Activation: Tanh, Seed: 2})
	if _, err := m.Fit(context.Background(), tr, val, smallConfig(train.Adam)); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatal(err)
	}
	file := buf.Bytes()

	loaded, err := Load[float32](bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	if loaded.String() != m.String() {
		t.Errorf("loaded %s, saved %s", loaded, m)
	}
	for i, p := range m.Tensors() {
		if !slices.Equal(p.Value, loaded.Tensors()[i].Value) {
			t.Fatalf("parameter %s differs after loading", p.Name)
		}
	}
	ev := train.NewEvaluator[float32](m, 0)
	lossA, accA := ev.Evaluate(val)
	lossB, accB := train.NewEvaluator[float32](loaded, 0).Evaluate(val)
	if lossA != lossB || accA != accB {
		t.Errorf("loaded model evaluates %v/%v, saved %v/%v", lossB, accB, lossA, accA)
	}
	// float32 weights load exactly into a float64 network.
	as64, err := Load[float64](bytes.NewReader(file))
	if err != nil || as64.weights[0][5] != float64(m.weights[0][5]) {
		t.Errorf("float64 load: %v", err)
	}

	corrupt := func(f func(b []byte) []byte) error {
		_, err := Load[float32](bytes.NewReader(f(append([]byte(nil), file...))))
		return err
	}
	cases := []struct {
		name string
		edit func([]byte) []byte
		want string
	}{
		{"other version", func(b []byte) []byte { b[8] = 1; return b }, "unsupported model file version: the file is format version 1, this build of sweep reads version 2"},
		{"flipped bit", func(b []byte) []byte { b[len(b)/2] ^= 4; return b }, "model file is damaged or truncated (checksum mismatch)"},
		{"truncated", func(b []byte) []byte { return b[:len(b)-100] }, "model file is damaged or truncated (checksum mismatch)"},
		{"not a model", func(b []byte) []byte { return []byte("hello, world") }, "not a sweep model file (it does not start with SWEEPMDL)"},
	}
	for _, c := range cases {
		if err := corrupt(c.edit); err == nil || err.Error() != c.want {
			t.Errorf("%s: got %v, want %s", c.name, err, c.want)
		}
	}
}

func TestPredictAgreesWithEvaluate(t *testing.T) {
	x, labels := testkit.RandomBatch(50, 12, 3, 4)
	m, _ := New[float64](Config{Sizes: []int{12, 9, 3}, Activation: LeakyReLU, Seed: 8})
	_, correct := m.Evaluate(x, labels)
	pred := m.Predict(make([]int, 50), x)
	agree := 0
	for i, p := range pred {
		if p == int(labels[i]) {
			agree++
		}
	}
	if agree != correct {
		t.Errorf("Predict gets %d right, Evaluate counts %d", agree, correct)
	}
}
