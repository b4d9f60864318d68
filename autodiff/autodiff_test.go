package autodiff

import (
	"bytes"
	"context"
	"math"
	"slices"
	"testing"

	"github.com/gomlx/compute"

	"github.com/sweepml/sweep/dataset"
	"github.com/sweepml/sweep/internal/testkit"
	"github.com/sweepml/sweep/network"
	"github.com/sweepml/sweep/residual"
	"github.com/sweepml/sweep/train"
)

func backend(t testing.TB) compute.Backend {
	t.Helper()
	b, err := NewBackend()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// batch gathers the first n training rows.
func batch(tr dataset.View, n int) ([]float64, []uint8) {
	x, labels := make([]float64, n*tr.Features()), make([]uint8, n)
	dataset.GatherRange(x, labels, tr, 0, n)
	return x, labels
}

// relErr is the largest relative difference between two tensors, each
// element's difference relative to the larger of the two magnitudes (with a
// floor of 1e-300 so that two exact zeros agree).
func relErr(a, b []float64) float64 {
	worst := 0.0
	for i := range a {
		d := math.Abs(a[i] - b[i])
		if d != 0 {
			worst = max(worst, d/max(math.Abs(a[i]), math.Abs(b[i]), 1e-300))
		}
	}
	return worst
}

// twins returns, for each architecture under test, a scratch network and
// its GoMLX twin built from the same weights.
func twins(t *testing.T) map[string][2]train.Model[float64] {
	b := backend(t)
	out := map[string][2]train.Model[float64]{}
	for _, act := range network.Activations {
		m, err := network.New[float64](network.Config{Sizes: []int{784, 32, 16, 10}, Activation: act, Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		g, err := FromMLP(b, m)
		if err != nil {
			t.Fatal(err)
		}
		out["mlp/"+string(act)] = [2]train.Model[float64]{m, g}
	}
	for _, pre := range []bool{false, true} {
		for _, act := range []network.Activation{network.ReLU, network.Tanh} {
			// 784→32 projection, 32→32 identity, 32→16 projection, 16→10 plain.
			r, err := residual.New[float64](residual.Config{Sizes: []int{784, 32, 32, 16, 10}, Activation: act, PreActivation: pre, Seed: 7})
			if err != nil {
				t.Fatal(err)
			}
			g, err := FromResidual(b, r)
			if err != nil {
				t.Fatal(err)
			}
			name := "resnet/post/" + string(act)
			if pre {
				name = "resnet/pre/" + string(act)
			}
			out[name] = [2]train.Model[float64]{r, g}
		}
	}
	return out
}

// TestGradientsMatchScratch is the cross-check: float64, same initial
// weights, same batch of 32 MNIST images: the losses agree and every
// gradient entry agrees within 1e-9 relative.
func TestGradientsMatchScratch(t *testing.T) {
	tr, _ := testkit.MNISTSplit(t, 300)
	x, labels := batch(tr, 32)
	for name, pair := range twins(t) {
		scratch, gomlx := pair[0], pair[1]
		ls, cs := scratch.Gradient(x, labels)
		lg, cg := gomlx.Gradient(x, labels)
		if math.Abs(ls-lg) > 1e-14*ls || cs != cg {
			t.Errorf("%s: loss %v (%d correct) scratch, %v (%d correct) GoMLX", name, ls, cs, lg, cg)
		}
		worst := 0.0
		for i, p := range scratch.Tensors() {
			q := gomlx.Tensors()[i]
			if p.Name != q.Name {
				t.Fatalf("%s: parameter %d is %s in scratch, %s in GoMLX", name, i, p.Name, q.Name)
			}
			if e := relErr(p.Grad, q.Grad); e > 1e-9 {
				t.Errorf("%s: gradient of %s differs by %.2g relative", name, p.Name, e)
			} else {
				worst = max(worst, e)
			}
		}
		es, ecs := scratch.Evaluate(x, labels)
		eg, ecg := gomlx.Evaluate(x, labels)
		if math.Abs(es-eg) > 1e-14*es || ecs != ecg {
			t.Errorf("%s: evaluation %v/%d scratch, %v/%d GoMLX", name, es, ecs, eg, ecg)
		}
		t.Logf("%s: loss %.17g vs %.17g, worst gradient difference %.2g relative", name, ls, lg, worst)
	}
}

// TestWeightsAfterFiveSteps trains both twins for 5 SGD steps of 16
// images and compares every weight.
func TestWeightsAfterFiveSteps(t *testing.T) {
	tr, _ := testkit.MNISTSplit(t, 300)
	opt := train.Optimizer{Kind: train.SGD, LR: 0.1}
	for name, pair := range twins(t) {
		s0 := train.NewStepper(pair[0], opt, tr, 16)
		s1 := train.NewStepper(pair[1], opt, tr, 16)
		for step := range 5 {
			rows := make([]int32, 16)
			for i := range rows {
				rows[i] = int32(step*16 + i)
			}
			s0.Step(rows, opt.LR)
			s1.Step(rows, opt.LR)
		}
		worst := 0.0
		for i, p := range pair[0].Tensors() {
			e := relErr(p.Value, pair[1].Tensors()[i].Value)
			if e > 1e-9 {
				t.Errorf("%s: %s differs by %.2g relative after 5 steps", name, p.Name, e)
			}
			worst = max(worst, e)
		}
		t.Logf("%s: worst weight difference after 5 steps %.2g relative", name, worst)
	}
}

// TestFitIsDeterministic trains a GoMLX network twice and compares the
// histories and weights bit for bit.
func TestFitIsDeterministic(t *testing.T) {
	tr, val := testkit.MNISTSplit(t, 200)
	b := backend(t)
	fit := func() (train.History, []train.Tensor[float32]) {
		r, _ := residual.New[float32](residual.Config{Sizes: []int{784, 32, 32, 10}, Activation: network.ReLU, Seed: 3})
		g, err := FromResidual(b, r)
		if err != nil {
			t.Fatal(err)
		}
		h, err := train.Fit[float32](context.Background(), g, tr, val, train.Config{
			Epochs: 2, BatchSize: 16, Seed: 1,
			Optimizer: train.Optimizer{Kind: train.Adam, LR: 0.001}, Schedule: train.Schedule{Kind: train.Constant},
		})
		if err != nil {
			t.Fatal(err)
		}
		for i := range h.Epochs {
			h.Epochs[i].Seconds = 0
		}
		return h, g.Tensors()
	}
	h1, p1 := fit()
	h2, p2 := fit()
	if !slices.EqualFunc(h1.Epochs, h2.Epochs, train.Epoch.Equal) {
		t.Errorf("histories differ:\n%v\n%v", h1.Epochs, h2.Epochs)
	}
	for i := range p1 {
		if !slices.Equal(p1[i].Value, p2[i].Value) {
			t.Errorf("%s differs", p1[i].Name)
		}
	}
}

// TestSaveLoadsAsScratchTwin saves a GoMLX network and loads it with the
// scratch package: the weights are the GoMLX network's.
func TestSaveLoadsAsScratchTwin(t *testing.T) {
	m, _ := network.New[float64](network.Config{Sizes: []int{784, 8, 10}, Activation: network.Sigmoid, Seed: 1})
	g, err := FromMLP(backend(t), m)
	if err != nil {
		t.Fatal(err)
	}
	g.Tensors()[0].Value[3] = 42 // the copy, not m's weights
	var buf bytes.Buffer
	if err := g.Save(&buf); err != nil {
		t.Fatal(err)
	}
	loaded, err := network.Load[float64](&buf)
	if err != nil {
		t.Fatal(err)
	}
	if loaded.Tensors()[0].Value[3] != 42 || m.Tensors()[0].Value[3] == 42 {
		t.Error("the saved weights are not the GoMLX network's own")
	}
	if got := g.String(); got != "GoMLX MLP 784-8-10 sigmoid" {
		t.Errorf("String() = %q", got)
	}
}
