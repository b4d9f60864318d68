package linalg

import (
	"math"
	"math/rand/v2"
	"testing"
)

// naive is the textbook triple loop the BLAS result is checked against.
func naive(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	for i := range m {
		for j := range n {
			var s float64
			for l := range k {
				var av, bv float64
				if transA {
					av = a[l*lda+i]
				} else {
					av = a[i*lda+l]
				}
				if transB {
					bv = b[j*ldb+l]
				} else {
					bv = b[l*ldb+j]
				}
				s += av * bv
			}
			c[i*ldc+j] = alpha*s + beta*c[i*ldc+j]
		}
	}
}

func TestGemmMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	fill := func(n int) []float64 {
		s := make([]float64, n)
		for i := range s {
			s[i] = rng.NormFloat64()
		}
		return s
	}
	// Sizes straddle the tile edges and take the matrix-vector (m = 1) and
	// rank-one (k = 1) paths.
	for _, sz := range [][3]int{{1, 1, 1}, {1, 10, 784}, {65, 193, 7}, {200, 130, 64}, {130, 400, 3}, {128, 784, 1}, {1, 128, 784}, {64, 1, 10}} {
		m, n, k := sz[0], sz[1], sz[2]
		for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			tA, tB := tr[0], tr[1]
			a, b, c := fill(m*k), fill(k*n), fill(m*n)
			lda, ldb := k, n
			if tA {
				lda = m
			}
			if tB {
				ldb = k
			}
			want := append([]float64(nil), c...)
			naive(tA, tB, m, n, k, 0.5, a, lda, b, ldb, 2, want, n)

			got := append([]float64(nil), c...)
			Gemm(tA, tB, m, n, k, 0.5, a, lda, b, ldb, 2, got, n)

			a32, b32, got32 := to32(a), to32(b), to32(c)
			Gemm(tA, tB, m, n, k, float32(0.5), a32, lda, b32, ldb, float32(2), got32, n)
			for i := range want {
				if math.Abs(got[i]-want[i]) > 1e-12*(1+math.Abs(want[i]))*float64(k) {
					t.Fatalf("float64 %v trans %v: c[%d] = %v, want %v", sz, tr, i, got[i], want[i])
				}
				if math.Abs(float64(got32[i])-want[i]) > 1e-5*(1+math.Abs(want[i]))*float64(k) {
					t.Fatalf("float32 %v trans %v: c[%d] = %v, want %v", sz, tr, i, got32[i], want[i])
				}
			}
		}
	}
}

func to32(s []float64) []float32 {
	out := make([]float32, len(s))
	for i, v := range s {
		out[i] = float32(v)
	}
	return out
}

func TestGemmAllocatesNothing(t *testing.T) {
	const m, n, k = 1000, 128, 784 // large enough for gonum's parallel path
	a, b, c := make([]float32, m*k), make([]float32, n*k), make([]float32, m*n)
	if allocs := testing.AllocsPerRun(3, func() {
		Gemm(false, true, m, n, k, 1, a, k, b, k, 0, c, n)
	}); allocs != 0 {
		t.Fatalf("Gemm allocated %v times per call, want 0", allocs)
	}
}

// TestRowGroup checks RowGroup's promise where it makes one: a product
// computed in parts of rows, each but the last a multiple of RowGroup,
// equals the whole product bit for bit, for A stored plain and
// transposed and B plain and transposed, beta 0 and 1.
func TestRowGroup(t *testing.T) {
	t.Run("float64", func(t *testing.T) { checkRowGroup[float64](t) })
	t.Run("float32", func(t *testing.T) { checkRowGroup[float32](t) })
}

func checkRowGroup[T float32 | float64](t *testing.T) {
	g := RowGroup[T]()
	if g == 0 {
		t.Skip("a BLAS multiplies: RowGroup promises nothing")
	}
	rng := rand.New(rand.NewPCG(11, 12))
	const m, n, k = 103, 37, 29
	for _, tA := range []bool{false, true} {
		for _, tB := range []bool{false, true} {
			if tA && tB {
				continue // no model multiplies so
			}
			for _, beta := range []T{0, 1} {
				a, b := randoms[T](rng, m*k), randoms[T](rng, k*n)
				lda, ldb := k, n
				if tA {
					lda = m
				}
				if tB {
					ldb = k
				}
				c0 := randoms[T](rng, m*n)
				whole := append([]T(nil), c0...)
				Gemm(tA, tB, m, n, k, 1, a, lda, b, ldb, beta, whole, n)
				for _, part := range []int{g, 3 * g, 8 * g} {
					parts := append([]T(nil), c0...)
					for from := 0; from < m; from += part {
						rows := min(part, m-from)
						var aPart []T
						if tA {
							aPart = a[from:] // columns from.. of the stored k×m matrix
						} else {
							aPart = a[from*lda:]
						}
						Gemm(tA, tB, rows, n, k, 1, aPart, lda, b, ldb, beta, parts[from*n:], n)
					}
					for i := range whole {
						if whole[i] != parts[i] {
							t.Fatalf("transA %v transB %v beta %v, parts of %d rows: C[%d] = %v, whole %v", tA, tB, beta, part, i, parts[i], whole[i])
						}
					}
				}
			}
		}
	}
}
