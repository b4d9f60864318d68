// Command epoch times training epochs of sweep's MLP for the side-by-side
// benchmark (go run ./bench): 784-128-64-10, ReLU, He initialisation,
// momentum SGD, minibatches drawn from the first N MNIST training images.
// It prints one JSON object: the seconds of each epoch after a warm-up
// step, training only, and the CPU seconds the process used meanwhile.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"syscall"
	"time"

	"github.com/sweepml/sweep/dataset"
	"github.com/sweepml/sweep/internal/linalg"
	"github.com/sweepml/sweep/network"
	"github.com/sweepml/sweep/train"
)

func main() {
	dtype := flag.String("dtype", "float32", "float32 or float64")
	batch := flag.Int("batch", 64, "minibatch size")
	epochs := flag.Int("epochs", 1, "epochs to time")
	subset := flag.Int("subset", 60000, "training images")
	flag.Parse()
	var secs []float64
	var cpu float64
	var err error
	if *dtype == "float64" {
		secs, cpu, err = run[float64](*batch, *epochs, *subset)
	} else {
		secs, cpu, err = run[float32](*batch, *epochs, *subset)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	json.NewEncoder(os.Stdout).Encode(map[string]any{"seconds": secs, "cpu_seconds": cpu, "build": linalg.Build(), "kernels": linalg.Kernels()})
}

func run[T train.Float](batch, epochs, subset int) (secs []float64, cpu float64, err error) {
	d, err := dataset.Embedded()
	if err != nil {
		return nil, 0, err
	}
	data := d.Train.First(subset)
	m, err := network.New[T](network.Config{Sizes: []int{784, 128, 64, 10}, Activation: network.ReLU, Seed: 1})
	if err != nil {
		return nil, 0, err
	}
	s := train.NewStepper[T](m, train.Optimizer{Kind: train.Momentum, LR: 0.01, Momentum: 0.9}, data, batch)
	order := make([]int32, data.Len())
	for i := range order {
		order[i] = int32(i)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	s.Step(order[:batch], 0.01) // warm-up
	for range epochs {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		start, startCPU := time.Now(), cpuTime()
		for from := 0; from < len(order); from += batch {
			if next := from + batch; next < len(order) {
				s.Prefetch(order[next:min(next+batch, len(order))])
			}
			s.Step(order[from:min(from+batch, len(order))], 0.01)
		}
		secs = append(secs, time.Since(start).Seconds())
		cpu += cpuTime() - startCPU
	}
	return secs, cpu, nil
}

// cpuTime is the CPU seconds the process has used, all threads.
func cpuTime() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
