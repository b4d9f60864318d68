package network_test

import (
	"context"
	"fmt"

	"github.com/sweepml/sweep/dataset"
	"github.com/sweepml/sweep/network"
	"github.com/sweepml/sweep/train"
)

// Train a small network on 500 MNIST images. The same seeds always print
// the same accuracy.
func Example() {
	data, err := dataset.Embedded()
	if err != nil {
		panic(err)
	}
	trainSet, valSet, err := data.Train.First(500).Split(0.2, 42)
	if err != nil {
		panic(err)
	}
	m, err := network.New[float64](network.Config{Sizes: []int{784, 64, 10}, Activation: network.ReLU, Seed: 42})
	if err != nil {
		panic(err)
	}
	h, err := m.Fit(context.Background(), trainSet, valSet, train.Config{
		Epochs:    10,
		BatchSize: 8,
		Optimizer: train.Optimizer{Kind: train.Momentum, LR: 0.01, Momentum: 0.9},
		Schedule:  train.Schedule{Kind: train.Cosine},
		Seed:      42,
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(m)
	fmt.Printf("validation accuracy after %d epochs: %.1f%%\n", len(h.Epochs), 100*h.Last().ValAccuracy)
	// Output:
	// MLP 784-64-10 relu (he init)
	// validation accuracy after 10 epochs: 83.0%
}
