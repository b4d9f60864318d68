package network

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/sweepml/sweep/internal/simd"
	"github.com/sweepml/sweep/train"
)

// activationGradByDefinition is ActivationGrad written as its formulas.
func activationGradByDefinition[T train.Float](d, a []T, act Activation) {
	for i, v := range a {
		switch act {
		case Sigmoid:
			d[i] *= v * (1 - v)
		case Tanh:
			d[i] *= 1 - v*v
		case ReLU:
			if v <= 0 {
				d[i] = 0
			}
		case LeakyReLU:
			if v <= 0 {
				d[i] *= LeakySlope
			}
		}
	}
}

// TestActivationGradMatchesDefinition checks the branch-free derivatives
// bit for bit against the formulas, on random values and on the edge
// cases: ±0, NaN and infinities in both the activations and the deltas.
func TestActivationGradMatchesDefinition(t *testing.T) {
	bothPaths(t, func(t *testing.T) {
		for _, act := range Activations {
			t.Run(string(act)+"/float32", func(t *testing.T) { checkActivationGrad[float32](t, act) })
			t.Run(string(act)+"/float64", func(t *testing.T) { checkActivationGrad[float64](t, act) })
		}
	})
}

// bothPaths runs test with the ReLUs' vector kernels (where they run)
// and with the scalar loops.
func bothPaths(t *testing.T, test func(t *testing.T)) {
	t.Run("simd", func(t *testing.T) {
		if !simd.Available {
			t.Skip("no AVX2")
		}
		test(t)
	})
	t.Run("scalar", func(t *testing.T) {
		defer func(prev bool) { keepSIMD = prev }(keepSIMD)
		keepSIMD = false
		test(t)
	})
}

func checkActivationGrad[T train.Float](t *testing.T, act Activation) {
	special := []float64{0, math.Copysign(0, -1), math.NaN(), math.Inf(1), math.Inf(-1), 1e-40, -1e-40}
	rng := rand.New(rand.NewPCG(1, 2))
	n := 1000
	a, d := make([]T, n), make([]T, n)
	for i := range n {
		a[i], d[i] = T(rng.NormFloat64()), T(rng.NormFloat64())
		if i < len(special)*len(special) {
			a[i], d[i] = T(special[i/len(special)]), T(special[i%len(special)])
		}
	}
	want := append([]T(nil), d...)
	activationGradByDefinition(want, a, act)
	ActivationGrad(d, a, act)
	for i := range d {
		if bits(d[i]) != bits(want[i]) {
			t.Fatalf("a=%v, d=%v: got %v, want %v", a[i], want[i], d[i], want[i])
		}
	}
}

func bits[T train.Float](v T) uint64 {
	if f, ok := any(v).(float32); ok {
		return uint64(math.Float32bits(f))
	}
	return math.Float64bits(float64(v))
}

// TestReLUMatchesMax checks the branch-free ReLU bit for bit against
// max(v, 0), which turns −0 into +0 and keeps NaN.
func TestReLUMatchesMax(t *testing.T) {
	bothPaths(t, func(t *testing.T) {
		t.Run("float32", checkReLU[float32])
		t.Run("float64", checkReLU[float64])
	})
}

func checkReLU[T train.Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	z := []T{0, T(math.Copysign(0, -1)), T(math.NaN()), T(math.Inf(1)), T(math.Inf(-1)), 1e-40, -1e-40}
	for range 1000 {
		z = append(z, T(rng.NormFloat64()))
	}
	want := make([]T, len(z))
	for i, v := range z {
		want[i] = max(v, 0)
	}
	Activate(z, ReLU)
	for i := range z {
		if bits(z[i]) != bits(want[i]) {
			t.Fatalf("element %d: got %v, want %v", i, z[i], want[i])
		}
	}
}
