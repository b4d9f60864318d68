package network

import (
	"math/rand/v2"
	"testing"

	"github.com/sweepml/sweep/dataset"
	"github.com/sweepml/sweep/train"
)

// BenchmarkEpoch trains one epoch over all 60,000 MNIST training images,
// 784-128-64-10 ReLU, batch 64, momentum SGD, and reports samples/s; the
// dense variants multiply every input, blank or not, in the first layer.
func BenchmarkEpoch(b *testing.B) {
	b.Run("float64", func(b *testing.B) { benchSteps[float64](b, 64, 60000, false) })
	b.Run("float32", func(b *testing.B) { benchSteps[float32](b, 64, 60000, false) })
	b.Run("float64/dense", func(b *testing.B) { benchSteps[float64](b, 64, 60000, true) })
	b.Run("float32/dense", func(b *testing.B) { benchSteps[float32](b, 64, 60000, true) })
}

// BenchmarkStep times single training steps of 784-128-64-10: batch 64,
// and batch 1 (the notebook's per-sample training).
func BenchmarkStep(b *testing.B) {
	b.Run("float64/batch64", func(b *testing.B) { benchSteps[float64](b, 64, 64, false) })
	b.Run("float32/batch64", func(b *testing.B) { benchSteps[float32](b, 64, 64, false) })
	b.Run("float64/batch1", func(b *testing.B) { benchSteps[float64](b, 1, 1, false) })
	b.Run("float32/batch1", func(b *testing.B) { benchSteps[float32](b, 1, 1, false) })
}

// benchSteps runs, per iteration, steps of batch rows over the first n
// training images and reports samples/s.
func benchSteps[T train.Float](b *testing.B, batch, n int, dense bool) {
	d, err := dataset.Embedded()
	if err != nil {
		b.Fatal(err)
	}
	data := d.Train.All()
	m, err := New[T](Config{Sizes: []int{784, 128, 64, 10}, Activation: ReLU, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	m.dense = dense
	s := train.NewStepper[T](m, train.Optimizer{Kind: train.Momentum, LR: 0.01, Momentum: 0.9}, data, batch)
	order := make([]int32, n)
	for i := range order {
		order[i] = int32(i)
	}
	// In the order of a training epoch: shuffled, the next batch prefetched.
	rand.New(rand.NewPCG(1, 2)).Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
	s.Step(order[:batch], 0.01) // warm-up: sizes the buffers
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		for from := 0; from < n; from += batch {
			if next := from + batch; next < n {
				s.Prefetch(order[next:min(next+batch, n)])
			}
			s.Step(order[from:min(from+batch, n)], 0.01)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "samples/s")
}
