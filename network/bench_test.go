package network

import (
	"testing"

	"github.com/sweepml/sweep/dataset"
	"github.com/sweepml/sweep/train"
)

// BenchmarkEpoch trains one epoch over all 60,000 MNIST training images,
// 784-128-64-10 ReLU, batch 64, momentum SGD, and reports samples/s.
func BenchmarkEpoch(b *testing.B) {
	b.Run("float64", benchEpoch[float64])
	b.Run("float32", benchEpoch[float32])
}

func benchEpoch[T train.Float](b *testing.B) {
	benchSteps[T](b, 64, 60000)
}

// BenchmarkStep times single training steps of 784-128-64-10: batch 64,
// and batch 1 (the notebook's per-sample training).
func BenchmarkStep(b *testing.B) {
	b.Run("float64/batch64", func(b *testing.B) { benchSteps[float64](b, 64, 64) })
	b.Run("float32/batch64", func(b *testing.B) { benchSteps[float32](b, 64, 64) })
	b.Run("float64/batch1", func(b *testing.B) { benchSteps[float64](b, 1, 1) })
	b.Run("float32/batch1", func(b *testing.B) { benchSteps[float32](b, 1, 1) })
}

// benchSteps runs, per iteration, steps of batch rows over the first n
// training images and reports samples/s.
func benchSteps[T train.Float](b *testing.B, batch, n int) {
	d, err := dataset.Embedded()
	if err != nil {
		b.Fatal(err)
	}
	data := d.Train.All()
	m, err := New[T](Config{Sizes: []int{784, 128, 64, 10}, Activation: ReLU, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	s := train.NewStepper[T](m, train.Optimizer{Kind: train.Momentum, LR: 0.01, Momentum: 0.9}, data, batch)
	order := make([]int32, n)
	for i := range order {
		order[i] = int32(i)
	}
	s.Step(order[:batch], 0.01) // warm-up: sizes the buffers
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		for from := 0; from < n; from += batch {
			s.Step(order[from:min(from+batch, n)], 0.01)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "samples/s")
}
