// Package testkit holds helpers that the models' tests share.
package testkit

import (
	"math/rand/v2"
	"testing"

	"github.com/sweepml/sweep/dataset"
)

// RandomBatch returns n rows of inputs in [0, 1) and labels below classes,
// drawn from seed.
func RandomBatch(n, inputs, classes int, seed uint64) ([]float64, []uint8) {
	rng := rand.New(rand.NewPCG(seed, 0))
	x := make([]float64, n*inputs)
	for i := range x {
		x[i] = rng.Float64()
	}
	labels := make([]uint8, n)
	for i := range labels {
		labels[i] = uint8(rng.IntN(classes))
	}
	return x, labels
}

// MNISTSplit returns the first n embedded MNIST training images split
// 80/20 with seed 42.
func MNISTSplit(t testing.TB, n int) (train, val dataset.View) {
	t.Helper()
	d, err := dataset.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	train, val, err = d.Train.First(n).Split(0.2, 42)
	if err != nil {
		t.Fatal(err)
	}
	return train, val
}
