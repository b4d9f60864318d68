package linalg

import (
	"math"
	"unsafe"

	"github.com/sweepml/sweep/internal/simd"
)

// The pure-Go build multiplies with its own kernels (package simd: AVX2
// and FMA, Go assembly, no cgo) where the processor has them. Gonum's GEMM
// makes one call to an SSE axpy per element of A, with a branch on that
// element: on MNIST's shapes the calls and branches cost as much as the
// arithmetic, and float32 trained barely 1.3× faster than float64 although
// its vectors are twice as wide. Here a 4-row block of C stays in
// registers for the whole sum over k (4×16 float32, 4×8 float64), with
// fused multiply-adds across a whole register.
//
// The kernels sum in a fixed order, so results are reproducible; they
// differ from gonum's in the last bits (other order, fused multiply-add).

// kernels is one element type's kernels and the widths they work in.
type kernels[E float32 | float64] struct {
	// block adds to a 4×blockCols block of C (leading dimension ldc) the
	// sum over t < k of op(A)'s four rows' elements a[r·ars + t·acs]
	// times B's row t.
	block     func(c *E, ldc int, a *E, ars, acs int, b *E, ldb, k int)
	blockCols int
	// blockPart does the same for the first w ≤ lanes columns.
	blockPart func(c *E, ldc int, a *E, ars, acs int, b *E, ldb, k, w int)
	// row does the same for one row and rowCols columns; part for the
	// first w ≤ lanes columns.
	row     func(c *E, a *E, as int, b *E, ldb, k int)
	rowCols int
	lanes   int
	part    func(c *E, a *E, as int, b *E, ldb, k, w int)
	// dots adds to c[j], j < n (a multiple of 4), the dot product of a
	// and B's row j, both k long; dots2 does so for two rows of A and C.
	dots  func(c *E, n int, a, b *E, ldb, k int)
	dots2 func(c *E, ldc, n int, a *E, lda int, b *E, ldb, k int)
}

// masks32 and masks64 hold lanes −1, then lanes 0: &masks[lanes−w]
// selects the first w lanes of a register in the kernels' masked loads
// and stores.
var (
	masks32 = [16]int32{-1, -1, -1, -1, -1, -1, -1, -1}
	masks64 = [8]int64{-1, -1, -1, -1}
)

var kernels32 = kernels[float32]{
	block: simd.Gemm4x16F32, blockCols: 16,
	blockPart: func(c *float32, ldc int, a *float32, ars, acs int, b *float32, ldb, k, w int) {
		simd.Gemm4xMaskF32(c, ldc, a, ars, acs, b, ldb, k, &masks32[8-w])
	},
	row: simd.Row64F32, rowCols: 64, lanes: 8,
	part: func(c *float32, a *float32, as int, b *float32, ldb, k, w int) {
		simd.Row8F32(c, a, as, b, ldb, k, &masks32[8-w])
	},
	dots: func(c *float32, n int, a, b *float32, ldb, k int) {
		simd.Dots4F32(c, n, a, b, ldb, k, &masks32[8-k%8])
	},
	dots2: func(c *float32, ldc, n int, a *float32, lda int, b *float32, ldb, k int) {
		simd.Dots2x4F32(c, ldc, n, a, lda, b, ldb, k, &masks32[8-k%8])
	},
}

var kernels64 = kernels[float64]{
	block: simd.Gemm4x8F64, blockCols: 8,
	blockPart: func(c *float64, ldc int, a *float64, ars, acs int, b *float64, ldb, k, w int) {
		simd.Gemm4xMaskF64(c, ldc, a, ars, acs, b, ldb, k, &masks64[4-w])
	},
	row: simd.Row32F64, rowCols: 32, lanes: 4,
	part: func(c *float64, a *float64, as int, b *float64, ldb, k, w int) {
		simd.Row4F64(c, a, as, b, ldb, k, &masks64[4-w])
	},
	dots: func(c *float64, n int, a, b *float64, ldb, k int) {
		simd.Dots4F64(c, n, a, b, ldb, k, &masks64[4-k%4])
	},
	dots2: func(c *float64, ldc, n int, a *float64, lda int, b *float64, ldb, k int) {
		simd.Dots2x4F64(c, ldc, n, a, lda, b, ldb, k, &masks64[4-k%4])
	},
}

// gemm computes C = op(A)·op(B) + beta·C for row-major matrices with
// kernels ks, as Gemm with alpha = 1. It reports false, doing nothing, for
// A and B both transposed, which no model uses. Short slices panic, as in
// BLAS.
func (ks *kernels[E]) gemm(transA, transB bool, m, n, k int, a []E, lda int, b []E, ldb int, beta E, c []E, ldc int) bool {
	if transA && transB {
		return false
	}
	if m == 0 || n == 0 {
		return true
	}
	c = c[:(m-1)*ldc+n]
	for i := range m {
		switch row := c[i*ldc : i*ldc+n]; beta {
		case 0:
			clear(row)
		case 1:
		default:
			for j := range row {
				row[j] *= beta
			}
		}
	}
	if k == 0 {
		return true
	}
	if transB {
		ks.gemmNT(m, n, k, a[:(m-1)*lda+k], lda, b[:(n-1)*ldb+k], ldb, c, ldc)
		return true
	}
	// op(A)'s element (i, t) is a[i·ars + t·acs].
	ars, acs := lda, 1
	if transA {
		a, ars, acs = a[:(k-1)*lda+m], 1, lda
	} else {
		a = a[:(m-1)*lda+k]
	}
	b = b[:(k-1)*ldb+n]
	m4, nb := m&^3, n-n%ks.blockCols
	// Panels of blockCols columns of B (k×16 float32: 32 KB for k = 500,
	// about the first-level cache), each multiplied by every block of four
	// rows of A.
	for j := 0; j < nb; j += ks.blockCols {
		for i := 0; i < m4; i += 4 {
			ks.block(&c[i*ldc+j], ldc, &a[i*ars], ars, acs, &b[j], ldb, k)
		}
	}
	for j := nb; j < n; j += ks.lanes { // the columns the blocks left
		for i := 0; i < m4; i += 4 {
			ks.blockPart(&c[i*ldc+j], ldc, &a[i*ars], ars, acs, &b[j], ldb, k, min(ks.lanes, n-j))
		}
	}
	for i := m4; i < m; i++ { // the rows they left
		ks.rowNN(c[i*ldc:i*ldc+n], a[i*ars:], acs, b, ldb, k)
	}
	return true
}

// rowNN adds to c (one row of C) Σ_{t<k} a[t·as]·b[t·ldb : t·ldb+len(c)].
func (ks *kernels[E]) rowNN(c, a []E, as int, b []E, ldb, k int) {
	n := len(c)
	nr := n - n%ks.rowCols
	for j := 0; j < nr; j += ks.rowCols {
		ks.row(&c[j], &a[0], as, &b[j], ldb, k)
	}
	for j := nr; j < n; j += ks.lanes {
		ks.part(&c[j], &a[0], as, &b[j], ldb, k, min(ks.lanes, n-j))
	}
}

// gemmNT adds A·Bᵀ to C (m×n), A stored m×k and B n×k: each element a
// dot product of two rows, two rows of A at a time. The rows of B go in blocks of about 16 KB,
// which stay in the first-level cache while every row of A meets them:
// with W stored out×in (the residual network's layers) B is a layer's
// whole weight matrix, which row after row of A would otherwise read from
// memory again.
func (ks *kernels[E]) gemmNT(m, n, k int, a []E, lda int, b []E, ldb int, c []E, ldc int) {
	n4 := n &^ 3
	var zero E
	block := max(4, (16<<10)/(k*int(unsafe.Sizeof(zero)))&^3)
	m2 := m &^ 1
	for j := 0; j < n4; j += block {
		nj := min(block, n4-j)
		for i := 0; i < m2; i += 2 {
			ks.dots2(&c[i*ldc+j], ldc, nj, &a[i*lda], lda, &b[j*ldb], ldb, k)
		}
		if m2 < m {
			ks.dots(&c[m2*ldc+j], nj, &a[m2*lda], &b[j*ldb], ldb, k)
		}
	}
	for i := range m {
		ai, ci := a[i*lda:i*lda+k], c[i*ldc:i*ldc+n]
		for j := n4; j < n; j++ {
			bj := b[j*ldb : j*ldb+k]
			var s E
			for t, v := range ai {
				s += v * bj[t]
			}
			ci[j] += s
		}
	}
}

// axpy32 computes y += alpha·x, rounding as the expression does in Go.
func axpy32(alpha float32, x, y []float32) {
	y = y[:len(x)]
	n8 := len(x) &^ 7
	if n8 > 0 {
		simd.AxpyF32(alpha, &x[0], &y[0], n8)
	}
	for i := n8; i < len(x); i++ {
		y[i] += float32(alpha * x[i])
	}
}

// scal32 computes x *= alpha.
func scal32(alpha float32, x []float32) {
	n8 := len(x) &^ 7
	if n8 > 0 {
		simd.ScalF32(alpha, &x[0], n8)
	}
	for i := n8; i < len(x); i++ {
		x[i] *= alpha
	}
}

// velocity64 is the first of Momentum's two passes for float64, where
// the BLAS's axpy rounds by no rule it knows: v = mu·v + g.
func velocity64(mu float64, v, g []float64) {
	g = g[:len(v)]
	n4 := len(v) &^ 3
	if n4 > 0 {
		simd.VelocityF64(&v[0], &g[0], n4, mu)
	}
	for i := n4; i < len(v); i++ {
		v[i] = float64(v[i]*mu) + g[i]
	}
}

// momentum64 is Momentum for float64 in one pass: v = mu·v + g, then
// w = w + negRate·v, rounded as the rule r says the BLAS's axpy rounds.
func momentum64(mu, negRate float64, v, g, w []float64, r axpyRule) {
	g, w = g[:len(v)], w[:len(v)]
	body := len(v) &^ (r.block - 1)
	momentumPart(mu, negRate, v[:body], g[:body], w[:body], r.bodyFused)
	momentumPart(mu, negRate, v[body:], g[body:], w[body:], r.tailFused)
}

// momentumPart is momentum64 for elements that all round one way.
func momentumPart(mu, negRate float64, v, g, w []float64, fused bool) {
	n4 := len(v) &^ 3
	if n4 > 0 {
		simd.MomentumF64(&v[0], &g[0], &w[0], n4, mu, negRate, fused)
	}
	for i := n4; i < len(v); i++ {
		v[i] = float64(v[i]*mu) + g[i]
		if fused {
			w[i] = math.FMA(negRate, v[i], w[i])
		} else {
			w[i] += float64(negRate * v[i])
		}
	}
}

// momentum32 is Momentum for float32. The conversions keep each product
// rounded on its own, as in the kernel: Go may otherwise fuse x*y + z.
func momentum32(mu, negRate float32, v, g, w []float32) {
	g, w = g[:len(v)], w[:len(v)]
	n8 := len(v) &^ 7
	if n8 > 0 {
		simd.MomentumF32(&v[0], &g[0], &w[0], n8, mu, negRate)
	}
	for i := n8; i < len(v); i++ {
		v[i] = float32(v[i]*mu) + g[i]
		w[i] += float32(negRate * v[i])
	}
}
