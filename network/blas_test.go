package network

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"

	"github.com/sweepml/sweep/internal/testkit"
)

// countingBLAS is a stand-in for another BLAS (OpenBLAS, say): gonum's
// routines, counting the matrix multiplies.
type countingBLAS struct {
	gonum.Implementation
	dgemm, sgemm *int
}

func (c countingBLAS) Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, cm []float64, ldc int) {
	*c.dgemm++
	c.Implementation.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, cm, ldc)
}

func (c countingBLAS) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, cm []float32, ldc int) {
	*c.sgemm++
	c.Implementation.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, cm, ldc)
}

// TestBLASIsSwappable installs another BLAS with gonum's blas64.Use and
// blas32.Use and checks that the network's multiplies go through it and
// give the same results up to rounding.
func TestBLASIsSwappable(t *testing.T) {
	x, labels := testkit.RandomBatch(300, 20, 4, 1)
	x32 := make([]float32, len(x))
	for i, v := range x {
		x32[i] = float32(v)
	}
	cfg := Config{Sizes: []int{20, 16, 4}, Activation: Tanh, Seed: 1}
	m64, _ := New[float64](cfg)
	m32, _ := New[float32](cfg)
	// Whatever this build installed, the reference is gonum's pure Go,
	// which the counting BLAS wraps.
	prev64, prev32 := blas64.Implementation(), blas32.Implementation()
	defer blas64.Use(prev64)
	defer blas32.Use(prev32)
	blas64.Use(gonum.Implementation{})
	blas32.Use(gonum.Implementation{})
	want64, _ := m64.Gradient(x, labels)
	want32, _ := m32.Gradient(x32, labels)

	var dgemm, sgemm int
	blas64.Use(countingBLAS{dgemm: &dgemm, sgemm: &sgemm})
	blas32.Use(countingBLAS{dgemm: &dgemm, sgemm: &sgemm})

	got64, _ := m64.Gradient(x, labels)
	got32, _ := m32.Gradient(x32, labels)
	// Forward: 2 layers; backward: 2 weight gradients and 1 input gradient.
	// The swapped-in BLAS gets whole matrices, not pure-Go panels.
	if dgemm != 5 || sgemm != 5 {
		t.Errorf("the installed BLAS saw %d Dgemm and %d Sgemm calls, want 5 each", dgemm, sgemm)
	}
	// The pure-Go build has kernels of its own where the processor allows
	// (internal/linalg's kernels.go), which sum in another order than the
	// gonum routines the counting BLAS wraps.
	if math.Abs(got64-want64) > 1e-14*math.Abs(want64) || math.Abs(float64(got32)-float64(want32)) > 1e-6*math.Abs(float64(want32)) {
		t.Errorf("losses changed with the BLAS: %v/%v, %v/%v", got64, want64, got32, want32)
	}
}
