package network

import (
	"math"
	"unsafe"

	"github.com/sweepml/sweep/internal/linalg"
	"github.com/sweepml/sweep/internal/simd"
	"github.com/sweepml/sweep/train"
)

// Activate applies the activation to z in place.
func Activate[T train.Float](z []T, act Activation) {
	switch act {
	case Sigmoid:
		for i, v := range z {
			z[i] = T(1 / (1 + math.Exp(-float64(v))))
		}
	case Tanh:
		for i, v := range z {
			z[i] = T(math.Tanh(float64(v)))
		}
	case ReLU:
		// max(v, 0) is v where v > 0 and +0 elsewhere, NaN kept: the
		// derivative's mask applied to z by itself.
		if unsafe.Sizeof(T(0)) == 4 {
			keepPositive32(linalg.As[float32](z), linalg.As[float32](z))
		} else {
			keepPositive64(linalg.As[float64](z), linalg.As[float64](z))
		}
	case LeakyReLU:
		for i, v := range z {
			if v < 0 {
				z[i] = v * LeakySlope
			}
		}
	}
}

// ActivationGrad multiplies d by the activation's derivative, written in
// terms of the activation's output a (which is all the forward pass keeps):
// σ' = a(1−a), tanh' = 1−a², and for the ReLUs a > 0 exactly when z > 0.
func ActivationGrad[T train.Float](d, a []T, act Activation) {
	a = a[:len(d)]
	switch act {
	case Sigmoid:
		for i, v := range a {
			d[i] *= v * (1 - v)
		}
	case Tanh:
		for i, v := range a {
			d[i] *= 1 - v*v
		}
	case ReLU:
		if unsafe.Sizeof(T(0)) == 4 {
			keepPositive32(linalg.As[float32](d), linalg.As[float32](a))
		} else {
			keepPositive64(linalg.As[float64](d), linalg.As[float64](a))
		}
	case LeakyReLU:
		if unsafe.Sizeof(T(0)) == 4 {
			leakyGrad32(linalg.As[float32](d), linalg.As[float32](a))
		} else {
			leakyGrad64(linalg.As[float64](d), linalg.As[float64](a))
		}
	}
}

// The ReLUs keep a value or zero (scale) it by a sign that is as good as
// random: written as a branch, as in the loops above, it is mispredicted
// half the time and four times slower than these selects of bits, which
// compile to conditional moves (and are shorter than max's handling of
// NaN and −0); vector compares and masks (package simd) where they run.
// Leaky ReLU's derivative multiplies by 1 where a > 0, which
// changes nothing. Go selects integers without branches, not floats: hence
// one function per width.

// keepSIMD says whether keepPositive32 and keepPositive64 use package
// simd's vector compare-and-mask where it runs; tests turn it off to
// check the scalar loops too.
var keepSIMD = simd.Available

// keepPositive32 and keepPositive64 set d[i] to +0 where a[i] ≤ 0 (−0
// included) and leave it elsewhere (NaN included).
func keepPositive32(d, a []float32) {
	a = a[:len(d)]
	from := 0
	if n := len(d) &^ 7; keepSIMD && n > 0 {
		simd.KeepPositiveF32(&d[0], &a[0], n)
		from = n
	}
	for i := from; i < len(d); i++ {
		v := a[i]
		bits := math.Float32bits(d[i])
		if v <= 0 {
			bits = 0
		}
		d[i] = math.Float32frombits(bits)
	}
}

func keepPositive64(d, a []float64) {
	a = a[:len(d)]
	from := 0
	if n := len(d) &^ 3; keepSIMD && n > 0 {
		simd.KeepPositiveF64(&d[0], &a[0], n)
		from = n
	}
	for i := from; i < len(d); i++ {
		v := a[i]
		bits := math.Float64bits(d[i])
		if v <= 0 {
			bits = 0
		}
		d[i] = math.Float64frombits(bits)
	}
}

func leakyGrad32(d, a []float32) {
	a = a[:len(d)]
	one, slope := math.Float32bits(1), math.Float32bits(LeakySlope)
	for i, v := range a {
		bits := one
		if v <= 0 {
			bits = slope
		}
		d[i] *= math.Float32frombits(bits)
	}
}

func leakyGrad64(d, a []float64) {
	a = a[:len(d)]
	one, slope := math.Float64bits(1), math.Float64bits(LeakySlope)
	for i, v := range a {
		bits := one
		if v <= 0 {
			bits = slope
		}
		d[i] *= math.Float64frombits(bits)
	}
}
