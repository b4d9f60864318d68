// Package linalg is the one place where model code meets BLAS. It offers a
// matrix multiply generic over float32 and float64 that dispatches to
// whatever implementation gonum's blas32.Use and blas64.Use installed, so a
// faster BLAS replaces the pure-Go one without touching model code. Where
// gonum's own BLAS is installed (the pure-Go build), multiplies go to
// this package's AVX2 kernels instead when the processor has them
// (kernels.go).
package linalg

import (
	"unsafe"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"

	"github.com/sweepml/sweep/internal/simd"
)

// Name names what this process multiplies with, as trials record it: the
// build's BLAS, with "+avx2" where package simd's kernels run (all of the
// pure-Go build's multiplies, and momentum updates in either build).
// Results may differ in the last bits between any two names.
func Name() string {
	if simd.Available {
		return BLAS + "+avx2"
	}
	return BLAS
}

// Float is the element type of the models.
type Float interface{ ~float32 | ~float64 }

// Gonum's pure-Go GEMM goes parallel, starting goroutines and allocating a
// channel and a WaitGroup on every call, once C holds four or more 64×64
// blocks. Multiplying in panels of at most tileRows×tileCols keeps every
// call on its serial path: no allocation, no goroutine, one core per
// caller, which is what parallel sweep workers want anyway.
const (
	tileRows = 64
	tileCols = 3 * 64
)

// Gemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices,
// where op(A) is m×k, op(B) is k×n and C is m×n. transA and transB say
// whether A and B are stored transposed (k×m and n×k).
func Gemm[T Float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	tA, tB := blas.NoTrans, blas.NoTrans
	if transA {
		tA = blas.Trans
	}
	if transB {
		tB = blas.Trans
	}
	if unsafe.Sizeof(alpha) == 8 {
		impl := blas64.Implementation()
		_, native := impl.(gonum.Implementation)
		if ownKernels(impl) && alpha == 1 &&
			kernels64.gemm(transA, transB, m, n, k, As[float64](a), lda, As[float64](b), ldb, float64(beta), As[float64](c), ldc) {
			return
		}
		p := product[float64]{impl.Dgemm, impl.Dgemv, impl.Dger, impl.Dscal}
		p.multiply(native, tA, tB, m, n, k, float64(alpha), As[float64](a), lda, As[float64](b), ldb, float64(beta), As[float64](c), ldc)
		return
	}
	impl := blas32.Implementation()
	_, native := impl.(gonum.Implementation)
	if ownKernels(impl) && alpha == 1 &&
		kernels32.gemm(transA, transB, m, n, k, As[float32](a), lda, As[float32](b), ldb, float32(beta), As[float32](c), ldc) {
		return
	}
	p := product[float32]{impl.Sgemm, impl.Sgemv, impl.Sger, impl.Sscal}
	p.multiply(native, tA, tB, m, n, k, float32(alpha), As[float32](a), lda, As[float32](b), ldb, float32(beta), As[float32](c), ldc)
}

// RowGroup says how the rows of C depend on each other in Gemm with
// alpha = 1. Where package simd's kernels multiply it is 4: they take C's
// rows four at a time from the first, and each row comes out bit for bit
// the same whichever other rows the call holds, as long as the calls that
// make up a product split no group of four (each call but the last has a
// multiple of 4 rows). Where a BLAS multiplies it is 0: a BLAS promises
// nothing of the kind (its blocking, and the matrix-vector path for a
// single row here, may change a row's rounding).
func RowGroup[T Float]() int {
	var impl any = blas32.Implementation()
	if unsafe.Sizeof(T(0)) == 8 {
		impl = blas64.Implementation()
	}
	if ownKernels(impl) {
		return 4
	}
	return 0
}

// ownKernels says whether the build multiplies with package simd's
// kernels rather than the BLAS impl: impl is gonum's and the processor
// runs the kernels.
func ownKernels(impl any) bool {
	_, native := impl.(gonum.Implementation)
	return native && simd.Available
}

// product holds one element type's BLAS routines.
type product[E float32 | float64] struct {
	gemm gemmFunc[E]
	gemv func(tA blas.Transpose, m, n int, alpha E, a []E, lda int, x []E, incX int, beta E, y []E, incY int)
	ger  func(m, n int, alpha E, x []E, incX int, y []E, incY int, a []E, lda int)
	scal func(n int, alpha E, x []E, incX int)
}

// multiply computes C = alpha·op(A)·op(B) + beta·C. Training one sample
// at a time makes degenerate products, which a BLAS's GEMM handles with
// the overhead of packing whole panels: a single row of C (m = 1) is a
// matrix-vector product, and a product over a single index (k = 1, the
// weight gradient of one sample) is a rank-one update. Both go to the
// routines made for them.
func (p product[E]) multiply(tiled bool, tA, tB blas.Transpose, m, n, k int, alpha E, a []E, lda int, b []E, ldb int, beta E, c []E, ldc int) {
	switch {
	case m == 1 && k > 1:
		// c = op(B)ᵀ·a, a the one row of op(A).
		x, incX := a, 1
		if tA == blas.Trans {
			incX = lda // A is stored k×1
		}
		if tB == blas.Trans { // B is stored n×k
			p.gemv(blas.NoTrans, n, k, alpha, b, ldb, x, incX, beta, c, 1)
		} else { // B is stored k×n
			p.gemv(blas.Trans, k, n, alpha, b, ldb, x, incX, beta, c, 1)
		}
	case k == 1 && m > 1:
		// C = beta·C + alpha·x·yᵀ, x the column of op(A), y the row of op(B).
		incX, incY := lda, 1 // A stored m×1, B stored 1×n
		if tA == blas.Trans {
			incX = 1
		}
		if tB == blas.Trans {
			incY = ldb
		}
		for i := range m {
			row := c[i*ldc : i*ldc+n]
			if beta == 0 {
				clear(row)
			} else if beta != 1 {
				p.scal(n, beta, row, 1)
			}
		}
		p.ger(m, n, alpha, a, incX, b, incY, c, ldc)
	default:
		gemm(tiled, p.gemm, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	}
}

type gemmFunc[E float32 | float64] func(tA, tB blas.Transpose, m, n, k int, alpha E, a []E, lda int, b []E, ldb int, beta E, c []E, ldc int)

func gemm[E float32 | float64](tiled bool, f gemmFunc[E], tA, tB blas.Transpose, m, n, k int, alpha E, a []E, lda int, b []E, ldb int, beta E, c []E, ldc int) {
	if !tiled || (m <= tileRows && n <= tileCols) {
		f(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	for i := 0; i < m; i += tileRows {
		mt := min(tileRows, m-i)
		var aSub []E
		if tA == blas.Trans {
			aSub = a[i:] // columns i.. of the stored k×m matrix
		} else {
			aSub = a[i*lda:] // rows i.. of A
		}
		for j := 0; j < n; j += tileCols {
			nt := min(tileCols, n-j)
			var bSub []E
			if tB == blas.Trans {
				bSub = b[j*ldb:] // rows j.. of the stored n×k matrix
			} else {
				bSub = b[j:] // columns j.. of B
			}
			f(tA, tB, mt, nt, k, alpha, aSub, lda, bSub, ldb, beta, c[i*ldc+j:], ldc)
		}
	}
}

// As reinterprets a slice of a float type as a slice of its underlying
// type E, for code that dispatches on the element size; the caller has
// checked that the sizes agree.
func As[E float32 | float64, T Float](s []T) []E {
	return unsafe.Slice((*E)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
}

// Axpy computes y += alpha·x.
func Axpy[T Float](alpha T, x, y []T) {
	if unsafe.Sizeof(alpha) == 8 {
		blas64.Implementation().Daxpy(len(x), float64(alpha), As[float64](x), 1, As[float64](y), 1)
		return
	}
	impl := blas32.Implementation()
	if ownKernels(impl) {
		axpy32(float32(alpha), As[float32](x), As[float32](y))
		return
	}
	impl.Saxpy(len(x), float32(alpha), As[float32](x), 1, As[float32](y), 1)
}

// Scal computes x *= alpha.
func Scal[T Float](alpha T, x []T) {
	if unsafe.Sizeof(alpha) == 8 {
		blas64.Implementation().Dscal(len(x), float64(alpha), As[float64](x), 1)
		return
	}
	impl := blas32.Implementation()
	if ownKernels(impl) {
		scal32(float32(alpha), As[float32](x))
		return
	}
	impl.Sscal(len(x), float32(alpha), As[float32](x), 1)
}

// Momentum performs momentum SGD's update: v = mu·v + g, then
// w = w + negRate·v. It rounds as Scal(mu, v), Axpy(1, g, v),
// Axpy(negRate, v, w) do. The weights are larger than the second-level
// cache, so each pass over the three vectors is memory traffic. Where simd
// runs, float32 makes one pass instead of three, rounding as Go does.
// float64 makes one pass too where it is known how the BLAS's axpy rounds
// each element (blasAxpy: one fused multiply-add, or the product and the
// sum each rounded): v rounded as BLAS's scal and axpy with α = 1 round it
// (no fused multiply-add can change 1·g + v), then w as the BLAS's axpy
// would. Otherwise float64 makes two passes, the second the BLAS's axpy
// itself. A zero mu takes the three calls, as BLAS's scal zeroes v then
// rather than multiplying it; a zero negRate leaves w to the BLAS's axpy,
// which may skip it.
func Momentum[T Float](mu, negRate T, v, g, w []T) {
	switch {
	case unsafe.Sizeof(mu) == 4 && simd.Available:
		momentum32(float32(mu), float32(negRate), As[float32](v), As[float32](g), As[float32](w))
		return
	case unsafe.Sizeof(mu) == 8 && simd.Available && mu != 0:
		if r := blasAxpy(); negRate != 0 && r.known {
			momentum64(float64(mu), float64(negRate), As[float64](v), As[float64](g), As[float64](w), r)
			return
		}
		velocity64(float64(mu), As[float64](v), As[float64](g))
	default:
		Scal(mu, v)
		Axpy(1, g, v)
	}
	Axpy(negRate, v, w)
}
