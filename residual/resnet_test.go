package residual

import (
	"bytes"
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/sweepml/sweep/internal/gradcheck"
	"github.com/sweepml/sweep/internal/testkit"
	"github.com/sweepml/sweep/network"
	"github.com/sweepml/sweep/train"
)

// TestGradientFiniteDifferences checks every gradient entry against finite
// differences for both shortcut kinds (7→6 projection, 6→6 identity, then
// 6→5 projection and the plain output), both forms, all activations.
func TestGradientFiniteDifferences(t *testing.T) {
	for _, pre := range []bool{false, true} {
		for _, act := range network.Activations {
			name := string(act) + "/post"
			if pre {
				name = string(act) + "/pre"
			}
			t.Run(name, func(t *testing.T) {
				n, err := New[float64](Config{Sizes: []int{7, 6, 6, 5, 4}, Activation: act, PreActivation: pre, Seed: 5})
				if err != nil {
					t.Fatal(err)
				}
				if got := n.Shortcuts(); !slices.Equal(got, []Shortcut{Projection, Identity, Projection, Plain}) {
					t.Fatalf("shortcuts %v", got)
				}
				rng := rand.New(rand.NewPCG(9, 9))
				for _, b := range n.b {
					for i := range b {
						b[i] = 0.1 * rng.NormFloat64()
					}
				}
				x, labels := testkit.RandomBatch(5, 7, 4, 11)
				gradcheck.Check(t, n, x, labels, func() []bool { return n.kinks(len(labels)) }, 1e-6)
			})
		}
	}
}

// kinks returns the on/off pattern of every activation input after the
// last Evaluate, for the gradient check.
func (n *Net[T]) kinks(rows int) []bool {
	var on []bool
	ws := &n.evalWS
	L := len(n.cfg.Sizes) - 1
	for l := 1; l <= L; l++ {
		var a []T
		switch {
		case n.cfg.PreActivation && l > 1:
			a = ws.h[l-1][:rows*n.cfg.Sizes[l-1]] // act's input
		case !n.cfg.PreActivation && l < L:
			a = ws.a[l][:rows*n.cfg.Sizes[l]] // act's output: same sign
		}
		for _, v := range a {
			on = append(on, v > 0)
		}
	}
	return on
}

func TestNoProjectionAndSummary(t *testing.T) {
	n, _ := New[float64](Config{Sizes: []int{784, 128, 128, 10}, Activation: network.ReLU})
	want := "ResMLP 784-128-128-10 relu (he init, post-activation): 784→128 projection, 128→128 identity, 128→10 plain"
	if n.String() != want {
		t.Errorf("got  %s\nwant %s", n, want)
	}
	p, _ := New[float64](Config{Sizes: []int{784, 128, 128, 10}, Activation: network.Tanh, NoProjection: true, PreActivation: true})
	want = "ResMLP 784-128-128-10 tanh (xavier init, pre-activation): 784→128 plain, 128→128 identity, 128→10 plain"
	if p.String() != want {
		t.Errorf("got  %s\nwant %s", p, want)
	}
	var names []string
	for _, prm := range n.Tensors() {
		names = append(names, prm.Name)
	}
	if !slices.Equal(names, []string{"W1", "b1", "P1", "W2", "b2", "W3", "b3"}) {
		t.Errorf("params %v", names)
	}
}

// TestIdentityIsResidual checks the defining property directly: with W and
// b zero, ReLU post-activation layers with identity shortcuts pass their
// input through unchanged.
func TestIdentityIsResidual(t *testing.T) {
	n := newZero[float64](Config{Sizes: []int{3, 3, 3, 2}, Activation: network.ReLU})
	n.w[2] = []float64{1, 0, 0, 0, 1, 0} // logits = first two inputs
	x := []float64{0.2, 0.7, 0.1}
	n.Evaluate(x, nil)
	// The logits are the first two inputs: softmax(0.2, 0.7).
	p := n.evalWS.h[3][:2]
	if !(p[1] > p[0]) || p[0]+p[1] < 0.999999 {
		t.Errorf("probabilities %v", p)
	}
	if !slices.Equal(n.evalWS.h[2][:3], x) {
		t.Errorf("hidden state %v, want the input %v", n.evalWS.h[2][:3], x)
	}
}

func TestDeterminismAndSaveLoad(t *testing.T) {
	tr, val := testkit.MNISTSplit(t, 300)
	cfg := train.Config{Epochs: 3, BatchSize: 8, Seed: 5,
		Optimizer: train.Optimizer{Kind: train.Adam, LR: 0.001, WeightDecay: 1e-4},
		Schedule:  train.Schedule{Kind: train.Cosine}}
	fit := func(pre bool) (*Net[float32], train.History) {
		n, err := New[float32](Config{Sizes: []int{784, 32, 32, 10}, Activation: network.ReLU, PreActivation: pre, Seed: 5})
		if err != nil {
			t.Fatal(err)
		}
		h, err := n.Fit(context.Background(), tr, val, cfg)
		if err != nil {
			t.Fatal(err)
		}
		for i := range h.Epochs {
			h.Epochs[i].Seconds = 0
		}
		return n, h
	}
	for _, pre := range []bool{false, true} {
		a, ha := fit(pre)
		b, hb := fit(pre)
		if !slices.EqualFunc(ha.Epochs, hb.Epochs, train.Epoch.Equal) {
			t.Errorf("pre %v: histories differ", pre)
		}
		for i, p := range a.Tensors() {
			if !slices.Equal(p.Value, b.Tensors()[i].Value) {
				t.Errorf("pre %v: %s differs", pre, p.Name)
			}
		}
		if ha.Last().ValAccuracy < 0.6 {
			t.Errorf("pre %v: validation accuracy %v after 3 epochs", pre, ha.Last().ValAccuracy)
		}

		var buf bytes.Buffer
		if err := a.Save(&buf); err != nil {
			t.Fatal(err)
		}
		loaded, err := Load[float32](bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if loaded.String() != a.String() {
			t.Errorf("loaded %s, saved %s", loaded, a)
		}
		l1, a1 := train.NewEvaluator[float32](a, 0).Evaluate(val)
		l2, a2 := train.NewEvaluator[float32](loaded, 0).Evaluate(val)
		if l1 != l2 || a1 != a2 {
			t.Errorf("loaded model evaluates differently")
		}
		if _, err := network.Load[float32](bytes.NewReader(buf.Bytes())); err == nil || err.Error() != `model file holds a "resnet" model, not "mlp"` {
			t.Errorf("loading a resnet as an MLP: %v", err)
		}
	}
}

func TestStepAllocatesNothing(t *testing.T) {
	tr, _ := testkit.MNISTSplit(t, 500)
	positions := make([]int32, 64)
	for i := range positions {
		positions[i] = int32(i * 3)
	}
	for _, pre := range []bool{false, true} {
		for _, batch := range []int{1, 64} {
			n64, _ := New[float64](Config{Sizes: []int{784, 128, 128, 10}, Activation: network.ReLU, PreActivation: pre})
			s64 := train.NewStepper[float64](n64, train.Optimizer{Kind: train.Momentum, LR: 0.01, Momentum: 0.9}, tr, batch)
			if a := testing.AllocsPerRun(5, func() { s64.Step(positions[:batch], 0.01) }); a != 0 {
				t.Errorf("float64 pre %v batch %d: %v allocations per step", pre, batch, a)
			}
			n32, _ := New[float32](Config{Sizes: []int{784, 128, 128, 10}, Activation: network.Tanh, PreActivation: pre})
			s32 := train.NewStepper[float32](n32, train.Optimizer{Kind: train.Adam, LR: 0.01}, tr, batch)
			if a := testing.AllocsPerRun(5, func() { s32.Step(positions[:batch], 0.01) }); a != 0 {
				t.Errorf("float32 pre %v batch %d: %v allocations per step", pre, batch, a)
			}
		}
	}
}
