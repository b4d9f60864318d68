package network

import (
	"unsafe"

	"github.com/sweepml/sweep/internal/linalg"
	"github.com/sweepml/sweep/train"
)

// The first layer's products, z = x·W[1] forward and xᵀ·δ for W[1]'s
// gradient, are nine tenths of an MLP's arithmetic on MNIST, and most of
// it is spent on zeros: a digit covers a fifth of the image, and a batch of
// 64 digits leaves about 290 of the 784 pixels blank in every row. An
// input that is zero in every row of the batch contributes nothing to z
// and gets a zero gradient, so the first layer multiplies only the spans
// of inputs that some row uses: it copies those columns of x and those
// rows of W[1] (contiguous, since W[1] is stored fan-in × fan-out) into
// compact buffers, multiplies, and writes the gradient's rows back with
// zeros between them. The result is the dense product's, summed over
// fewer terms: equal up to rounding order.

// sparseShare is the largest share of the inputs a batch may use for the
// sparse path to pay for its copies; larger batches use more of the
// image (all 60,000 MNIST images together leave only 67 pixels blank).
const sparseShare = 0.8

// sparseInput holds the first layer's compact view of one batch.
type sparseInput[T train.Float] struct {
	sparse bool     // whether this batch takes the sparse path (find's answer)
	n, k   int      // rows of the batch, inputs in spans
	used   []uint64 // per word of a row: the OR of that word over the rows
	spans  []span   // the maximal runs of inputs some row uses
	x      []T      // the batch's columns in spans, n×k
	w      []T      // W[1]'s rows in spans, k×fan-out
	grad   []T      // the gradient of those rows
}

// span is the run of inputs [from, to).
type span struct{ from, to int }

// find reports whether the batch x of n rows of the given width takes the
// sparse path and, if so, copies its used columns into s.x.
func (s *sparseInput[T]) find(x []T, n, width int) bool {
	s.n = n
	size := int(unsafe.Sizeof(T(0)))
	if n == 0 || width*size%8 != 0 {
		return false // rows that are not whole words: no float32 widths that are odd
	}
	// OR the rows' bits together a word at a time (two float32 inputs or
	// one float64): an input is used when its OR is nonzero apart from the
	// sign, since −0 contributes nothing either.
	perRow := width * size / 8
	words := unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(x))), n*perRow)
	if cap(s.used) < perRow {
		s.used = make([]uint64, perRow)
	}
	used := s.used[:perRow]
	copy(used, words[:perRow])
	for r := 1; r < n; r++ {
		row := words[r*perRow : (r+1)*perRow]
		used := used[:len(row)] // no bounds checks below
		for j, w := range row {
			used[j] |= w
		}
	}
	inputUsed := func(i int) bool {
		if size == 8 {
			return used[i]<<1 != 0
		}
		return uint32(used[i/2]>>(32*(i%2)))<<1 != 0
	}
	if cap(s.spans) < width/2+1 {
		s.spans = make([]span, 0, width/2+1) // the most a row can have
	}
	s.spans, s.k = s.spans[:0], 0
	for i := 0; i < width; i++ {
		if !inputUsed(i) {
			continue
		}
		from := i
		for i < width && inputUsed(i) {
			i++
		}
		s.spans = append(s.spans, span{from, i})
		s.k += i - from
	}
	if float64(s.k) > sparseShare*float64(width) {
		return false
	}
	if len(s.x) < n*width {
		s.x = make([]T, n*width) // the most any later batch of n rows needs
	}
	for r := range n {
		row, out := x[r*width:(r+1)*width], s.x[r*s.k:(r+1)*s.k]
		off := 0
		for _, sp := range s.spans {
			off += copy(out[off:], row[sp.from:sp.to])
		}
	}
	return true
}

// forward adds the batch's product with W[1] (width × fanOut) to z.
func (s *sparseInput[T]) forward(z, w []T, fanOut int) {
	if s.k == 0 {
		return
	}
	if len(s.w) < len(w) {
		s.w = make([]T, len(w))
	}
	off := 0
	for _, sp := range s.spans {
		off += copy(s.w[off:], w[sp.from*fanOut:sp.to*fanOut])
	}
	linalg.Gemm(false, false, s.n, fanOut, s.k, 1, s.x, s.k, s.w, fanOut, 1, z, fanOut)
}

// weightGrad writes W[1]'s gradient xᵀ·δ into g (width × fanOut).
func (s *sparseInput[T]) weightGrad(g, delta []T, fanOut int) {
	if len(s.grad) < len(g) {
		s.grad = make([]T, len(g))
	}
	if s.k > 0 {
		linalg.Gemm(true, false, s.k, fanOut, s.n, 1, s.x, s.k, delta, fanOut, 0, s.grad, fanOut)
	}
	prev, off := 0, 0
	for _, sp := range s.spans {
		clear(g[prev*fanOut : sp.from*fanOut])
		off += copy(g[sp.from*fanOut:sp.to*fanOut], s.grad[off:])
		prev = sp.to
	}
	clear(g[prev*fanOut:])
}
