package dataset

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkGather gathers minibatches of 64 random training images, the
// per-step input work of training, and reports images/s.
func BenchmarkGather(b *testing.B) {
	b.Run("float32", benchGather[float32])
	b.Run("float64", benchGather[float64])
}

func benchGather[T Float](b *testing.B) {
	d, err := Embedded()
	if err != nil {
		b.Fatal(err)
	}
	v := d.Train.All()
	const batch = 64
	positions := make([]int32, v.Len())
	for i := range positions {
		positions[i] = int32(i)
	}
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(positions), func(i, j int) { positions[i], positions[j] = positions[j], positions[i] })
	x, labels := make([]T, batch*v.Features()), make([]uint8, batch)
	b.ReportAllocs()
	b.ResetTimer()
	from := 0
	for range b.N {
		if from+batch > len(positions) {
			from = 0
		}
		Gather(x, labels, v, positions[from:from+batch])
		from += batch
	}
	b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "images/s")
}
