package linalg

import (
	"math"
	"math/rand/v2"
	"sync"

	"gonum.org/v1/gonum/blas/blas64"
)

// axpyRule says how a BLAS's daxpy rounds y[i] + alpha·x[i] in a call of
// length n: the first n &^ (block−1) elements one way, the rest the other
// (block 1: all one way), each either fused (once, as math.FMA) or plain
// (the product, then the sum, each rounded). OpenBLAS, for one, runs a
// kernel over the vector's body in multiples of its block and ends with a
// loop in C, compiled with fused multiply-adds for some processors and
// not for others.
type axpyRule struct {
	known                bool
	block                int // a power of two
	bodyFused, tailFused bool
}

// fused says how element i of a call of length n rounds.
func (r axpyRule) fused(i, n int) bool {
	if i < n&^(r.block-1) {
		return r.bodyFused
	}
	return r.tailFused
}

// daxpyFunc is BLAS's daxpy with unit strides.
type daxpyFunc func(n int, alpha float64, x, y []float64)

// blasAxpy is how this build's BLAS rounds daxpy, found by asking it once
// (probeAxpy): Momentum updates float64 weights in the same pass as their
// velocity where it is known, rounding as the BLAS would have.
var blasAxpy = sync.OnceValue(func() axpyRule { return probeAxpy(blasDaxpy) })

// blasDaxpy is the installed BLAS's daxpy.
func blasDaxpy(n int, alpha float64, x, y []float64) {
	blas64.Implementation().Daxpy(n, alpha, x, 1, y, 1)
}

// probeAxpy asks daxpy for y + alpha·x over fixed pseudo-random vectors
// and returns the one rule (axpyRule) that gives every element of every
// call bit for bit; unknown if none does, or more than one. A BLAS may
// take different paths by length and by alignment, so the probe calls it
// for every length to 80 at every start modulo 8 doubles (64 bytes), and
// once for a long vector (2¹⁶ elements and 5), with values for which the
// two roundings differ in more than a quarter of the elements. It takes
// about 3 ms, once in a process that trains in float64 with momentum.
func probeAxpy(daxpy daxpyFunc) axpyRule {
	var rules []axpyRule
	for _, fused := range []bool{true, false} {
		rules = append(rules, axpyRule{true, 1, fused, fused})
	}
	for block := 4; block <= 64; block *= 2 {
		for _, bodyFused := range []bool{true, false} {
			rules = append(rules, axpyRule{true, block, bodyFused, !bodyFused})
		}
	}
	fits := make([]bool, len(rules))
	for i := range fits {
		fits[i] = true
	}
	rng := rand.New(rand.NewPCG(0x5eed, 0xa8e7)) // the same probe every run
	const alpha = -1.2345678901
	check := func(n, start int) {
		x, y := make([]float64, start+n), make([]float64, start+n)
		for i := range x {
			x[i], y[i] = rng.Float64()-0.5, rng.Float64()-0.5
		}
		got := append([]float64(nil), y...)
		daxpy(n, alpha, x[start:], got[start:])
		got = got[start:]
		// Every rule's body holds the elements below n &^ 63: they
		// need only be seen to round one way or the other.
		lo := n &^ 63
		bodyFused, bodyPlain := true, true
		for i, yi := range y[start : start+lo] {
			xi := x[start+i]
			bodyFused = bodyFused && got[i] == math.FMA(alpha, xi, yi)
			bodyPlain = bodyPlain && got[i] == yi+float64(alpha*xi)
		}
		for k, r := range rules {
			fits[k] = fits[k] && (r.bodyFused && bodyFused || !r.bodyFused && bodyPlain)
		}
		for i := lo; i < n; i++ {
			xi, yi := x[start+i], y[start+i]
			f, p := math.FMA(alpha, xi, yi), yi+float64(alpha*xi)
			for k, r := range rules {
				want := p
				if r.fused(i, n) {
					want = f
				}
				fits[k] = fits[k] && got[i] == want
			}
		}
	}
	for n := 1; n <= 80; n++ {
		for start := range 8 {
			check(n, start)
		}
	}
	check(1<<16+5, 3)
	var found axpyRule
	for k, r := range rules {
		if fits[k] {
			if found.known {
				return axpyRule{}
			}
			found = r
		}
	}
	return found
}
