package network

import (
	"fmt"
	"strings"
)

// Activation names a hidden-layer nonlinearity.
type Activation string

// The activations. Leaky ReLU has slope LeakySlope below zero.
const (
	Sigmoid   Activation = "sigmoid"
	Tanh      Activation = "tanh"
	ReLU      Activation = "relu"
	LeakyReLU Activation = "leaky_relu"
)

// Bounds on a network's shape: the widest layer, and the most parameters
// (weights and biases; with gradients and optimizer state, float64, about
// 128 bytes each all told).
const (
	MaxWidth  = 1 << 20
	MaxParams = 1 << 26
)

// widths writes layer widths as flags and specs do: 784,128,10.
func widths(sizes []int) string {
	return strings.ReplaceAll(strings.Trim(fmt.Sprint(sizes), "[]"), " ", ",")
}

// Activations lists the valid activations.
var Activations = []Activation{Sigmoid, Tanh, ReLU, LeakyReLU}

// LeakySlope is leaky ReLU's slope for negative inputs.
const LeakySlope = 0.01

// Init names a weight initialisation scheme. Biases start at zero.
type Init string

// The schemes: He (normal, std √(2/fan_in)), suited to ReLU; Xavier/Glorot
// (uniform on ±√(6/(fan_in+fan_out))), suited to sigmoid and tanh.
const (
	He     Init = "he"
	Xavier Init = "xavier"
)

// Inits lists the valid initialisation schemes.
var Inits = []Init{He, Xavier}

// initStream separates the initialisation's random stream from other users
// of the same seed.
const initStream = 0x1217

// Config describes a network.
type Config struct {
	// Sizes are the layer widths from input to output, e.g. 784,128,64,10.
	Sizes      []int      `json:"sizes"`
	Activation Activation `json:"activation"`
	// Init defaults to He for ReLU and leaky ReLU, Xavier otherwise.
	Init Init `json:"init"`
	// Seed drives the initial weights.
	Seed uint64 `json:"seed"`
}

// Validate reports the first invalid setting.
func (c Config) Validate() error {
	if len(c.Sizes) < 2 {
		return fmt.Errorf("sizes %v: need at least an input and an output layer", c.Sizes)
	}
	params := 0
	for i, s := range c.Sizes {
		if s < 1 || s > MaxWidth {
			return fmt.Errorf("sizes %s: layer %d has width %d, want 1 to %d", widths(c.Sizes), i, s, MaxWidth)
		}
		if i > 0 {
			params += (c.Sizes[i-1] + 1) * s
		}
	}
	if params > MaxParams {
		return fmt.Errorf("sizes %s: %d parameters; at most %d fit in memory with their gradients and optimizer state", widths(c.Sizes), params, MaxParams)
	}
	switch c.Activation {
	case Sigmoid, Tanh, ReLU, LeakyReLU:
	default:
		return fmt.Errorf("unknown activation %q (want one of %v)", c.Activation, Activations)
	}
	switch c.Init {
	case "", He, Xavier:
	default:
		return fmt.Errorf("unknown initialisation %q (want one of %v)", c.Init, Inits)
	}
	return nil
}

// DefaultInit is the initialisation suited to an activation: He for ReLU
// and leaky ReLU, Xavier for sigmoid and tanh.
func DefaultInit(act Activation) Init {
	if act == ReLU || act == LeakyReLU {
		return He
	}
	return Xavier
}

// withDefaults fills in the initialisation suited to the activation.
func (c Config) withDefaults() Config {
	if c.Init == "" {
		c.Init = DefaultInit(c.Activation)
	}
	c.Sizes = append([]int(nil), c.Sizes...)
	return c
}
