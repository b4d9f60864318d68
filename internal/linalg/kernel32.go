package linalg

import "github.com/sweepml/sweep/internal/asm32"

// The pure-Go build multiplies float32 matrices with its own kernels
// (package asm32: AVX2 and FMA, Go assembly, no cgo) where the
// processor has them. Gonum's float32 GEMM makes one call to a four-lane
// SSE axpy per element of A, with a branch on that element: on MNIST's
// shapes the calls and branches cost as much as the arithmetic, so
// float32 trained barely 1.3× faster than float64 although its vectors
// are twice as wide. Here a 4×16 block of C stays in registers for the
// whole sum over k, with eight-lane FMAs.
//
// The kernels sum in a fixed order, so results are reproducible; they
// differ from gonum's in the last bits (other order, fused multiply-add).

// gemm32 computes C = op(A)·op(B) + beta·C for row-major matrices, as
// Gemm with alpha = 1. It reports false, doing nothing, for A and B both
// transposed, which no model uses. Short slices panic, as in BLAS.
func gemm32(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) bool {
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
			scal32(beta, row)
		}
	}
	if k == 0 {
		return true
	}
	if transB {
		gemmNT32(m, n, k, a[:(m-1)*lda+k], lda, b[:(n-1)*ldb+k], ldb, c, ldc)
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
	m4, n16 := m&^3, n&^15
	// Panels of 16 columns of B (k×16: 32 KB for k = 500, about L1),
	// each multiplied by every block of four rows of A.
	for j := 0; j < n16; j += 16 {
		for i := 0; i < m4; i += 4 {
			asm32.Kernel4x16(&c[i*ldc+j], ldc, &a[i*ars], ars, acs, &b[j], ldb, k)
		}
	}
	for i := range m {
		from := n16 // the columns the blocks left
		if i >= m4 {
			from = 0 // the rows they left
		}
		rowNN32(c[i*ldc+from:i*ldc+n], a[i*ars:], acs, b[from:], ldb, k)
	}
	return true
}

// masks holds eight −1 then eight 0: &masks[8−w] selects the first w of
// eight lanes in the kernels' masked loads and stores.
var masks = [16]int32{-1, -1, -1, -1, -1, -1, -1, -1}

// rowNN32 adds to c (one row of C) Σ_{t<k} a[t·as]·b[t·ldb : t·ldb+len(c)].
func rowNN32(c, a []float32, as int, b []float32, ldb, k int) {
	n := len(c)
	n64 := n &^ 63
	for j := 0; j < n64; j += 64 {
		asm32.AxpyBlock64(&c[j], &a[0], as, &b[j], ldb, k)
	}
	for j := n64; j < n; j += 8 {
		asm32.AxpyBlock8(&c[j], &a[0], as, &b[j], ldb, k, &masks[8-min(8, n-j)])
	}
}

// gemmNT32 adds A·Bᵀ to C (m×n), A stored m×k and B n×k: each element a
// dot product of two rows.
func gemmNT32(m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	n4 := n &^ 3
	mask := &masks[8-k%8]
	for i := range m {
		ai, ci := a[i*lda:i*lda+k], c[i*ldc:i*ldc+n]
		if n4 > 0 {
			asm32.DotRows4(&ci[0], n4, &ai[0], &b[0], ldb, k, mask)
		}
		for j := n4; j < n; j++ {
			bj := b[j*ldb : j*ldb+k]
			var s float32
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
		asm32.AxpyUnitary(alpha, &x[0], &y[0], n8)
	}
	for i := n8; i < len(x); i++ {
		y[i] += float32(alpha * x[i])
	}
}

// scal32 computes x *= alpha.
func scal32(alpha float32, x []float32) {
	n8 := len(x) &^ 7
	if n8 > 0 {
		asm32.ScalUnitary(alpha, &x[0], n8)
	}
	for i := n8; i < len(x); i++ {
		x[i] *= alpha
	}
}

// momentum32 is Momentum for float32. The conversions keep each product
// rounded on its own, as in the kernel: Go may otherwise fuse x*y + z.
func momentum32(mu, negRate float32, v, g, w []float32) {
	g, w = g[:len(v)], w[:len(v)]
	n8 := len(v) &^ 7
	if n8 > 0 {
		asm32.Momentum(&v[0], &g[0], &w[0], n8, mu, negRate)
	}
	for i := n8; i < len(v); i++ {
		v[i] = float32(v[i]*mu) + g[i]
		w[i] += float32(negRate * v[i])
	}
}
