package network

import (
	"unsafe"

	"github.com/sweepml/sweep/dataset"
	"github.com/sweepml/sweep/internal/linalg"
	"github.com/sweepml/sweep/train"
)

// The first layer's products, z = x·W[1] forward and xᵀ·δ for W[1]'s
// gradient, are nine tenths of an MLP's arithmetic on MNIST, and most of
// it is spent on zeros: a digit covers a fifth of the image, and a batch of
// 64 digits leaves about 290 of the 784 pixels blank in every row. An
// input that is zero in every row of the batch contributes nothing to z
// and gets a zero gradient, so the first layer multiplies only the spans
// of inputs that some row uses, with those rows of W[1] (contiguous, since
// W[1] is stored fan-in × fan-out) copied into a compact buffer — or used
// in place when the spans are one — and writes the gradient's rows back
// with zeros between them. The result is the dense product's, summed over
// fewer terms: equal up to rounding order.
//
// Through train.Stepper and train.Evaluator, the batch comes compact
// (GradientColumns, EvaluateColumns: the dataset found the spans from the
// pixels' bytes and converted only those). A dense batch given to Gradient
// or Evaluate is scanned here instead (find) and its used columns copied;
// EvaluateColumns takes the path Evaluate would take for the dense batch,
// so that the two agree bit for bit.

// sparseShare is the largest share of the inputs a dense batch may use
// for the sparse path to pay for its copies; larger batches use more of the
// image (all 60,000 MNIST images together leave only 67 pixels blank).
const sparseShare = 0.8

// sparseInput holds the first layer's compact view of one batch: either
// given compact (use, from train.Stepper) or found and copied from a
// dense batch (find).
type sparseInput[T train.Float] struct {
	sparse bool           // whether this batch takes the sparse path
	n, k   int            // rows of the batch, inputs in spans
	spans  []dataset.Span // the maximal runs of inputs some row uses
	x      []T            // the batch's columns in spans, n×k
	grad   []T            // the gradient of W[1]'s rows in spans
	// Buffers of find and expand.
	found []dataset.Span
	used  []uint64 // per word of a row: the OR of that word over the rows
	own   []T      // find's compact copy of x
	dense []T      // expand's dense copy of x
}

// use takes the compact batch x of n rows holding the inputs in spans;
// both stay the caller's.
func (s *sparseInput[T]) use(x []T, spans []dataset.Span, n int) {
	s.sparse, s.n, s.k, s.spans, s.x = true, n, 0, spans, x
	for _, sp := range spans {
		s.k += sp.To - sp.From
	}
}

// expand writes the compact batch x of n rows holding the inputs in spans
// into a dense batch of the given width, which it returns.
func (s *sparseInput[T]) expand(x []T, spans []dataset.Span, n, width int) []T {
	if len(s.dense) < n*width {
		s.dense = make([]T, n*width)
	}
	dense := s.dense[:n*width]
	clear(dense)
	off := 0
	for r := range n {
		row := dense[r*width : (r+1)*width]
		for _, sp := range spans {
			off += copy(row[sp.From:sp.To], x[off:])
		}
	}
	return dense
}

// worthSparse says whether a dense batch of n rows of the given width, k
// of whose inputs some row uses, takes the sparse path (find).
func worthSparse[T train.Float](n, k, width int) bool {
	size := int(unsafe.Sizeof(T(0)))
	return n > 0 && width*size%8 == 0 && float64(k) <= sparseShare*float64(width)
}

// find reports whether the dense batch x of n rows of the given width
// takes the sparse path and, if so, copies its used columns into s.x.
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
	if cap(s.found) < width/2+1 {
		s.found = make([]dataset.Span, 0, width/2+1) // the most a row can have
	}
	s.found, s.k = s.found[:0], 0
	for i := 0; i < width; i++ {
		if !inputUsed(i) {
			continue
		}
		from := i
		for i < width && inputUsed(i) {
			i++
		}
		s.found = append(s.found, dataset.Span{From: from, To: i})
		s.k += i - from
	}
	s.spans = s.found
	if !worthSparse[T](n, s.k, width) {
		return false
	}
	if len(s.own) < n*width {
		s.own = make([]T, n*width) // the most any later batch of n rows needs
	}
	s.x = s.own[:n*s.k]
	for r := range n {
		row, out := x[r*width:(r+1)*width], s.x[r*s.k:(r+1)*s.k]
		off := 0
		for _, sp := range s.spans {
			off += copy(out[off:], row[sp.From:sp.To])
		}
	}
	return true
}

// forward adds the batch's product with W[1] (width × fanOut) to z. Where
// the spans are more than one, W[1]'s rows in them are copied together
// into *buf (k×fanOut), which the model's workspaces share.
func (s *sparseInput[T]) forward(z, w []T, fanOut int, buf *[]T) {
	switch len(s.spans) {
	case 0:
		return
	case 1: // W[1]'s rows in place
		w = w[s.spans[0].From*fanOut : s.spans[0].To*fanOut]
	default:
		if len(*buf) < len(w) {
			*buf = make([]T, len(w))
		}
		off := 0
		for _, sp := range s.spans {
			off += copy((*buf)[off:], w[sp.From*fanOut:sp.To*fanOut])
		}
		w = *buf
	}
	linalg.Gemm(false, false, s.n, fanOut, s.k, 1, s.x, s.k, w, fanOut, 1, z, fanOut)
}

// weightGrad writes W[1]'s gradient xᵀ·δ into g (width × fanOut).
func (s *sparseInput[T]) weightGrad(g, delta []T, fanOut int) {
	if len(s.spans) == 1 { // straight into the span's rows
		sp := s.spans[0]
		clear(g[:sp.From*fanOut])
		linalg.Gemm(true, false, s.k, fanOut, s.n, 1, s.x, s.k, delta, fanOut, 0, g[sp.From*fanOut:sp.To*fanOut], fanOut)
		clear(g[sp.To*fanOut:])
		return
	}
	if len(s.grad) < len(g) {
		s.grad = make([]T, len(g))
	}
	if s.k > 0 {
		linalg.Gemm(true, false, s.k, fanOut, s.n, 1, s.x, s.k, delta, fanOut, 0, s.grad, fanOut)
	}
	prev, off := 0, 0
	for _, sp := range s.spans {
		clear(g[prev*fanOut : sp.From*fanOut])
		off += copy(g[sp.From*fanOut:sp.To*fanOut], s.grad[off:])
		prev = sp.To
	}
	clear(g[prev*fanOut:])
}
