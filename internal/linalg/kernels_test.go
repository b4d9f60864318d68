package linalg

import (
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"

	"gonum.org/v1/gonum/blas/blas64"

	"github.com/sweepml/sweep/internal/simd"
)

// TestKernelsMatchNaive checks both element types' kernels against the
// textbook loop in float64 on shapes around every block edge (4 rows;
// 16, 8, 64 and 32 columns; 8 and 4 terms), with leading dimensions wider
// than the matrices, and checks that nothing outside C's m×n elements is
// written.
func TestKernelsMatchNaive(t *testing.T) {
	if !simd.Available {
		t.Skip("no AVX2 and FMA: this build multiplies with gonum")
	}
	t.Run("float32", func(t *testing.T) { checkKernels(t, &kernels32, 2e-6) })
	t.Run("float64", func(t *testing.T) { checkKernels(t, &kernels64, 1e-14) })
}

func checkKernels[E float32 | float64](t *testing.T, ks *kernels[E], tol float64) {
	rng := rand.New(rand.NewPCG(3, 4))
	const pad = 3 // extra elements per row of every matrix
	sizes := [][3]int{
		{1, 1, 1}, {4, 16, 8}, {5, 17, 9}, {3, 15, 7}, {8, 64, 16}, {7, 72, 1},
		{64, 128, 500}, {64, 10, 64}, {1, 128, 150}, {150, 128, 1}, {9, 130, 33},
		{4, 8, 4}, {6, 9, 5}, {2, 35, 3}, {4, 8, 0}, {0, 5, 5}, {6, 0, 2},
	}
	for _, sz := range sizes {
		m, n, k := sz[0], sz[1], sz[2]
		for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}} {
			tA, tB := tr[0], tr[1]
			ra, ca := m, k // stored shapes
			if tA {
				ra, ca = k, m
			}
			rb, cb := k, n
			if tB {
				rb, cb = n, k
			}
			lda, ldb, ldc := ca+pad, cb+pad, n+pad
			a, b := randoms[E](rng, ra*lda), randoms[E](rng, rb*ldb)
			for _, beta := range []E{0, 1, 0.5} {
				c := randoms[E](rng, m*ldc)
				want := widen(c)
				naive(tA, tB, m, n, k, 1, widen(a), lda, widen(b), ldb, float64(beta), want, ldc)
				got := append([]E(nil), c...)
				if !ks.gemm(tA, tB, m, n, k, a, lda, b, ldb, beta, got, ldc) {
					t.Fatalf("%v trans %v: the kernels declined", sz, tr)
				}
				for i := range got {
					if i%ldc >= n { // padding: untouched
						if got[i] != c[i] {
							t.Fatalf("%v trans %v beta %v: wrote c[%d] outside the matrix", sz, tr, beta, i)
						}
						continue
					}
					if math.Abs(float64(got[i])-want[i]) > tol*(1+math.Abs(want[i]))*float64(k+1) {
						t.Fatalf("%v trans %v beta %v: c[%d] = %v, want %v", sz, tr, beta, i, got[i], want[i])
					}
				}
			}
		}
	}
	if ks.gemm(true, true, 2, 2, 2, make([]E, 4), 2, make([]E, 4), 2, 0, make([]E, 4), 2) {
		t.Error("the kernels took A and B both transposed")
	}
}

// TestVector32RoundsAsGo checks that axpy32 and scal32 give exactly what
// y[i] + alpha*x[i] and x[i]*alpha give in Go, tails included: the
// optimizer's updates are written to round as their formulas do.
func TestVector32RoundsAsGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 1, 7, 8, 9, 64, 100} {
		x, y := randoms[float32](rng, n), randoms[float32](rng, n)
		alpha := float32(rng.NormFloat64())
		want := make([]float32, n)
		for i := range want {
			want[i] = y[i] + alpha*x[i]
		}
		axpy32(alpha, x, y)
		for i := range want {
			if y[i] != want[i] {
				t.Fatalf("axpy n=%d: y[%d] = %v, want %v", n, i, y[i], want[i])
			}
		}
		for i := range want {
			want[i] = x[i] * alpha
		}
		scal32(alpha, x)
		for i := range want {
			if x[i] != want[i] {
				t.Fatalf("scal n=%d: x[%d] = %v, want %v", n, i, x[i], want[i])
			}
		}
	}
}

// TestMomentum32RoundsAsGo checks the fused momentum update against the
// three vector operations it replaces, written in Go, bit for bit.
func TestMomentum32RoundsAsGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{0, 1, 7, 8, 9, 64, 100} {
		v, g, w := randoms[float32](rng, n), randoms[float32](rng, n), randoms[float32](rng, n)
		mu, negRate := float32(0.9), float32(-0.01*rng.Float64())
		wantV, wantW := make([]float32, n), make([]float32, n)
		for i := range n {
			wantV[i] = float32(v[i]*mu) + float32(1*g[i])
			wantW[i] = w[i] + float32(negRate*wantV[i])
		}
		Momentum(mu, negRate, v, g, w)
		for i := range n {
			if v[i] != wantV[i] || w[i] != wantW[i] {
				t.Fatalf("n=%d, i=%d: v, w = %v, %v; want %v, %v", n, i, v[i], w[i], wantV[i], wantW[i])
			}
		}
	}
}

// TestMomentum64RoundsAsBLAS checks float64's momentum update against the
// three BLAS calls it replaces, bit for bit, in this build's BLAS
// (OpenBLAS or gonum; for OpenBLAS, whichever kernels OPENBLAS_CORETYPE
// picks): on lengths around the kernel's four lanes and OpenBLAS's blocks
// of 16, with zeros of both signs, infinities, NaNs and subnormals among
// the values, with mu = 0, where BLAS's scal zeroes rather than
// multiplies, and with a zero learning rate.
func TestMomentum64RoundsAsBLAS(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	special := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), 5e-324, -1e-310}
	same := func(a, b float64) bool {
		return math.Float64bits(a) == math.Float64bits(b) || (math.IsNaN(a) && math.IsNaN(b))
	}
	for _, mu := range []float64{0.9, 0.5, 0} {
		for k, n := range []int{0, 1, 3, 4, 5, 8, 13, 16, 17, 31, 33, 64, 1001, 1001, 1001} {
			v, g, w := randoms[float64](rng, n), randoms[float64](rng, n), randoms[float64](rng, n)
			for i := range n {
				if rng.IntN(4) == 0 {
					v[i] = special[rng.IntN(len(special))]
				}
				if rng.IntN(4) == 0 {
					g[i] = special[rng.IntN(len(special))]
				}
			}
			// A learning rate's size, one whose products differ in their
			// rounding fused or not as often as w's own, and zero, which a
			// BLAS's axpy may skip.
			negRate := [...]float64{-0.01 * rng.Float64(), -0.5 - rng.Float64(), 0}[k%3]
			wantV, wantW := append([]float64(nil), v...), append([]float64(nil), w...)
			impl := blas64.Implementation()
			impl.Dscal(n, mu, wantV, 1)
			impl.Daxpy(n, 1, g, 1, wantV, 1)
			impl.Daxpy(n, negRate, wantV, 1, wantW, 1)
			Momentum(mu, negRate, v, g, w)
			for i := range n {
				if !same(v[i], wantV[i]) || !same(w[i], wantW[i]) {
					t.Fatalf("mu=%v n=%d, i=%d: v, w = %v, %v; want %v, %v", mu, n, i, v[i], w[i], wantV[i], wantW[i])
				}
			}
		}
	}
}

func randoms[E float32 | float64](rng *rand.Rand, n int) []E {
	s := make([]E, n)
	for i := range s {
		s[i] = E(rng.NormFloat64())
	}
	return s
}

func widen[E float32 | float64](s []E) []float64 {
	out := make([]float64, len(s))
	for i, v := range s {
		out[i] = float64(v)
	}
	return out
}

// BenchmarkGemm times the products of a training step of 784-128-64-10
// at batch 64 with the first layer's 494 inputs in use (MNIST's average),
// through Gemm, and reports GFLOP/s: forward (NN), weight gradient (TN),
// input gradient (NT).
func BenchmarkGemm(b *testing.B) {
	for _, s := range []struct {
		name           string
		transA, transB bool
		m, n, k        int
	}{
		{"first/forward", false, false, 64, 128, 494},
		{"first/weights", true, false, 494, 128, 64},
		{"second/forward", false, false, 64, 64, 128},
		{"second/inputs", false, true, 64, 128, 64},
		{"third/forward", false, false, 64, 10, 64},
		{"third/inputs", false, true, 64, 64, 10},
		{"residual/forward", false, true, 64, 128, 784}, // W stored out×in
	} {
		b.Run(s.name+"/float32", func(b *testing.B) { benchGemm[float32](b, s.transA, s.transB, s.m, s.n, s.k) })
		b.Run(s.name+"/float64", func(b *testing.B) { benchGemm[float64](b, s.transA, s.transB, s.m, s.n, s.k) })
	}
}

func benchGemm[E float32 | float64](b *testing.B, transA, transB bool, m, n, k int) {
	rng := rand.New(rand.NewPCG(1, 2))
	a, bm, c := randoms[E](rng, m*k), randoms[E](rng, k*n), randoms[E](rng, m*n)
	lda, ldb := k, n
	if transA {
		lda = m
	}
	if transB {
		ldb = k
	}
	b.ResetTimer()
	for range b.N {
		Gemm(transA, transB, m, n, k, 1, a, lda, bm, ldb, 0, c, n)
	}
	b.ReportMetric(2*float64(m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// TestMomentum64FollowsRule checks the one-pass float64 update against
// each rule a BLAS's axpy may follow, whatever this build's BLAS does:
// the velocity as Go rounds it, then each weight fused or not as the rule
// says for its place in the vector.
func TestMomentum64FollowsRule(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, r := range []axpyRule{{true, 1, true, true}, {true, 1, false, false}, {true, 16, true, false}, {true, 4, false, true}} {
		for _, n := range []int{1, 3, 4, 5, 15, 16, 17, 33, 100} {
			v, g, w := randoms[float64](rng, n), randoms[float64](rng, n), randoms[float64](rng, n)
			mu, negRate := 0.9, -0.5-rng.Float64()
			wantV, wantW := make([]float64, n), make([]float64, n)
			for i := range n {
				wantV[i] = float64(v[i]*mu) + g[i]
				if r.fused(i, n) {
					wantW[i] = math.FMA(negRate, wantV[i], w[i])
				} else {
					wantW[i] = w[i] + float64(negRate*wantV[i])
				}
			}
			momentum64(mu, negRate, v, g, w, r)
			for i := range n {
				if v[i] != wantV[i] || w[i] != wantW[i] {
					t.Fatalf("%+v, n=%d, i=%d: v, w = %v, %v; want %v, %v", r, n, i, v[i], w[i], wantV[i], wantW[i])
				}
			}
		}
	}
}

// TestProbeAxpy checks that the probe finds how a daxpy rounds — every
// element one way, or a body in multiples of a block one way and the rest
// the other — and gives up on a daxpy that follows no such rule.
func TestProbeAxpy(t *testing.T) {
	rounded := func(body, tail bool, block int) daxpyFunc {
		return func(n int, alpha float64, x, y []float64) {
			for i := range n {
				if fused := (i < n&^(block-1) && body) || (i >= n&^(block-1) && tail); fused {
					y[i] = math.FMA(alpha, x[i], y[i])
				} else {
					y[i] += float64(alpha * x[i])
				}
			}
		}
	}
	oddOnes := func(n int, alpha float64, x, y []float64) { // fused but a few
		for i := range n {
			if i >= 50_000 && i%1000 == 0 {
				y[i] += float64(alpha * x[i])
			} else {
				y[i] = math.FMA(alpha, x[i], y[i])
			}
		}
	}
	peeled := func(n int, alpha float64, x, y []float64) { // plain until 32-byte aligned
		for i := range n {
			if uintptr(unsafe.Pointer(&y[i]))%32 != 0 && i < 4 {
				y[i] += float64(alpha * x[i])
			} else {
				y[i] = math.FMA(alpha, x[i], y[i])
			}
		}
	}
	for _, c := range []struct {
		name  string
		daxpy daxpyFunc
		want  axpyRule
	}{
		{"fused", rounded(true, true, 1), axpyRule{true, 1, true, true}},
		{"plain", rounded(false, false, 1), axpyRule{true, 1, false, false}},
		{"fused in blocks of 16, the rest plain", rounded(true, false, 16), axpyRule{true, 16, true, false}},
		{"plain in blocks of 4, the rest fused", rounded(false, true, 4), axpyRule{true, 4, false, true}},
		{"fused but a few elements of a long vector", oddOnes, axpyRule{}},
		{"plain until aligned", peeled, axpyRule{}},
		{"the build's BLAS", blasDaxpy, blasAxpy()},
	} {
		if got := probeAxpy(c.daxpy); got != c.want {
			t.Errorf("%s: probe says %+v, want %+v", c.name, got, c.want)
		}
	}
	// Gonum's daxpy (the pure-Go build) rounds the product and the sum
	// each; OpenBLAS's depends on the processor it picks kernels for.
	t.Logf("%s's daxpy: %+v", BLAS, blasAxpy())
	if want := (axpyRule{true, 1, false, false}); BLAS == "gonum" && blasAxpy() != want {
		t.Errorf("gonum's daxpy: probe says %+v, want %+v", blasAxpy(), want)
	}
}
