package autodiff

import (
	"testing"

	"github.com/sweepml/sweep/dataset"
	"github.com/sweepml/sweep/network"
	"github.com/sweepml/sweep/residual"
	"github.com/sweepml/sweep/train"
)

// BenchmarkStep times one training step (forward, backward, momentum
// update) of batch 64 for each architecture, scratch and GoMLX side by
// side in the same run: the README reports GoMLX's time as a ratio to
// scratch's.
func BenchmarkStep(b *testing.B) {
	b.Run("mlp/float64/scratch", func(b *testing.B) { benchStep[float64](b, "mlp", false) })
	b.Run("mlp/float64/gomlx", func(b *testing.B) { benchStep[float64](b, "mlp", true) })
	b.Run("mlp/float32/scratch", func(b *testing.B) { benchStep[float32](b, "mlp", false) })
	b.Run("mlp/float32/gomlx", func(b *testing.B) { benchStep[float32](b, "mlp", true) })
	b.Run("resnet/float64/scratch", func(b *testing.B) { benchStep[float64](b, "resnet", false) })
	b.Run("resnet/float64/gomlx", func(b *testing.B) { benchStep[float64](b, "resnet", true) })
}

func benchStep[T Float](b *testing.B, arch string, gomlx bool) {
	d, err := dataset.Embedded()
	if err != nil {
		b.Fatal(err)
	}
	var m train.Model[T]
	if arch == "mlp" {
		mlp, _ := network.New[T](network.Config{Sizes: []int{784, 128, 64, 10}, Activation: network.ReLU, Seed: 1})
		m = mlp
		if gomlx {
			m, err = FromMLP(backend(b), mlp)
		}
	} else {
		r, _ := residual.New[T](residual.Config{Sizes: []int{784, 128, 128, 10}, Activation: network.ReLU, Seed: 1})
		m = r
		if gomlx {
			m, err = FromResidual(backend(b), r)
		}
	}
	if err != nil {
		b.Fatal(err)
	}
	s := train.NewStepper(m, train.Optimizer{Kind: train.Momentum, LR: 0.01, Momentum: 0.9}, d.Train.All(), 64)
	rows := make([]int32, 64)
	for i := range rows {
		rows[i] = int32(i)
	}
	s.Step(rows, 0.01) // warm-up: buffers, graph compilation
	b.ResetTimer()
	for range b.N {
		s.Step(rows, 0.01)
	}
}
