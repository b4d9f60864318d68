package dataset

import (
	"encoding/binary"
	"fmt"
	"unsafe"

	"github.com/sweepml/sweep/internal/simd"
)

// A digit covers a fifth of the image, so a minibatch leaves many pixels
// blank in every one of its rows (about 290 of MNIST's 784 for a batch of
// 64). A model whose first layer is a matrix product has nothing to do for
// such a pixel; Columns finds the pixels a batch uses, from the bytes,
// before anything is converted, and GatherColumns materialises only those.

// Span is the run of pixels [From, To) of a row.
type Span struct{ From, To int }

// Prefetch asks the processor to start loading the pixels of the rows of v
// at the given positions into its cache, and returns without waiting. The
// rows lie scattered over 47 MB, and a batch's first touch of them waits
// on memory: a training loop that prefetches the next batch before each
// step has the step's arithmetic hide that wait. Where the processor has
// no prefetch instruction (simd), it does nothing.
func Prefetch(v View, positions []int32) {
	size := v.Features()
	if size == 0 {
		return
	}
	for _, p := range positions {
		r := int(v.rows[p])
		simd.Prefetch(&v.set.Images.Pixels[r*size], size)
	}
}

// Columns holds the pixels that some row of a batch uses (is nonzero in),
// as the maximal spans of such pixels in ascending order. Its buffers are
// reused from batch to batch.
type Columns struct {
	Spans []Span
	// Width is the number of pixels in Spans, the width of a compact row.
	Width   int
	used    []uint64 // per 8 pixels of a row: the OR of their bytes over the rows
	touched byte     // keeps the loads that warm the cache
}

// Find sets c to the pixels that some row of v at the given positions
// uses. It allocates only when a wider image than before needs it.
func (c *Columns) Find(v View, positions []int32) {
	size := v.Features()
	words := (size + 7) / 8
	if cap(c.used) < words {
		c.used = make([]uint64, words)
		c.Spans = make([]Span, 0, size/2+1) // the most spans a row can have
	}
	used := c.used[:words]
	clear(used)
	// The rows are scattered over the set, and a prefetch (Prefetch) may
	// not have brought them all, or kept them: the step's own traffic
	// evicts. Touch a byte of each of their cache lines first, in a loop
	// short enough that the processor has those loads in flight together,
	// instead of row after row as the OR below would.
	var touched byte
	for _, p := range positions {
		r := int(v.rows[p])
		row := v.set.Images.Pixels[r*size : (r+1)*size]
		for j := 0; j < len(row); j += 64 {
			touched |= row[j]
		}
	}
	c.touched = touched
	full := size / 8 // whole words of a row; a tail of size%8 bytes follows
	for _, p := range positions {
		r := int(v.rows[p])
		row := v.set.Images.Pixels[r*size : (r+1)*size]
		used := used[:full] // no bounds checks below
		for j := range used {
			used[j] |= binary.LittleEndian.Uint64(row[8*j:])
		}
		for j, b := range row[8*full:] {
			c.used[full] |= uint64(b) << (8 * j)
		}
	}
	pixelUsed := func(i int) bool { return byte(used[i/8]>>(8*(i%8))) != 0 }
	c.Spans, c.Width = c.Spans[:0], 0
	for i := 0; i < size; i++ {
		if used[i/8] == 0 && i%8 == 0 {
			i += 7 // eight blank pixels: skip them together
			continue
		}
		if !pixelUsed(i) {
			continue
		}
		from := i
		for i < size && pixelUsed(i) {
			i++
		}
		c.Spans = append(c.Spans, Span{from, i})
		c.Width += i - from
	}
}

// GatherColumns is Gather for the compact layout of cols: each row holds
// only the pixels in cols.Spans, cols.Width of them, one span after
// another. dst must hold len(positions)·cols.Width values. It panics if
// cols is not what Find makes (ascending spans inside the image, Width
// their total).
func GatherColumns[T Float](dst []T, labels []uint8, v View, positions []int32, cols *Columns) {
	size, width := v.Features(), cols.Width
	total, prev := 0, 0
	for _, sp := range cols.Spans {
		if sp.From < prev || sp.To <= sp.From || sp.To > size {
			panic(fmt.Sprintf("dataset: span %v out of order or outside an image of %d pixels", sp, size))
		}
		total, prev = total+sp.To-sp.From, sp.To
	}
	if total != width {
		panic(fmt.Sprintf("dataset: spans of %d pixels, Width %d", total, width))
	}
	for i, p := range positions {
		r := int(v.rows[p])
		scaleSpans(dst[i*width:(i+1)*width], v.set.Images.Pixels[r*size:(r+1)*size], cols.Spans)
		labels[i] = v.set.Labels[r]
	}
}

// convertSIMD says whether scaleSpans converts with package simd; tests
// turn it off to check the tables.
var convertSIMD = simd.Available

// scaleSpans writes the scaled pixels of src in spans (checked: inside
// src, and dst as long as they are together) into dst, one span after
// another: with package simd's conversion where it runs, otherwise by
// table lookup. Both give x/255 correctly rounded.
func scaleSpans[T Float](dst []T, src []uint8, spans []Span) {
	if len(spans) == 0 || len(dst) == 0 {
		return // nothing to write: the spans are empty
	}
	if convertSIMD {
		pairs := &spans[0].From // Span is two ints: From, then To
		if unsafe.Sizeof(T(0)) == 4 {
			simd.ScaleSpansF32(&as[float32](dst)[0], &src[0], pairs, len(spans))
		} else {
			simd.ScaleSpansF64(&as[float64](dst)[0], &src[0], pairs, len(spans))
		}
		return
	}
	off := 0
	for _, sp := range spans {
		if unsafe.Sizeof(T(0)) == 4 {
			scaleWith(as[float32](dst[off:off+sp.To-sp.From]), src[sp.From:sp.To], &pixelScale32)
		} else {
			scaleWith(as[float64](dst[off:off+sp.To-sp.From]), src[sp.From:sp.To], &pixelScale)
		}
		off += sp.To - sp.From
	}
}

// as reinterprets a slice of T as a slice of E, a type of the same size.
func as[E, T Float](s []T) []E {
	return unsafe.Slice((*E)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
}
