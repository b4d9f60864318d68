package dataset

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestColumnsFind checks the spans of a batch of images 3×7 pixels wide
// (21: two words of eight and a tail of five) against the spans worked out
// by hand, and that only the batch's rows count.
func TestColumnsFind(t *testing.T) {
	const size = 21
	px := make([]uint8, 4*size)
	for _, i := range []int{0, 1, 9, 10, 11, 20} { // image 0
		px[i] = 1
	}
	for _, i := range []int{2, 12, 19} { // image 1: joins 0–2, 9–12 and 19–20
		px[size+i] = 255
	}
	for i := range size { // image 2 uses everything; image 3 nothing
		px[2*size+i] = 7
	}
	set, err := NewSet(&Images{Count: 4, Rows: 3, Cols: 7, Pixels: px}, make([]uint8, 4))
	if err != nil {
		t.Fatal(err)
	}
	var c Columns
	for _, tc := range []struct {
		positions []int32
		want      []Span
	}{
		{[]int32{0}, []Span{{0, 2}, {9, 12}, {20, 21}}},
		{[]int32{1, 0}, []Span{{0, 3}, {9, 13}, {19, 21}}},
		{[]int32{3}, []Span{}},
		{[]int32{3, 2}, []Span{{0, 21}}},
		{[]int32{1}, []Span{{2, 3}, {12, 13}, {19, 20}}},
	} {
		c.Find(set.All(), tc.positions)
		width := 0
		for _, sp := range tc.want {
			width += sp.To - sp.From
		}
		if !slices.Equal(c.Spans, tc.want) || c.Width != width {
			t.Errorf("images %v: spans %v, width %d; want %v, %d", tc.positions, c.Spans, c.Width, tc.want, width)
		}
	}
}

// TestGatherColumnsMatchesGather gathers random MNIST batches both ways:
// the compact rows must hold exactly the dense rows' values in the spans,
// and the dense rows must be zero outside them.
func TestGatherColumnsMatchesGather(t *testing.T) {
	d, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	v := d.Train.All()
	rng := rand.New(rand.NewPCG(3, 4))
	var c Columns
	for _, batch := range []int{1, 7, 64, 500} {
		positions := make([]int32, batch)
		for i := range positions {
			positions[i] = int32(rng.IntN(v.Len()))
		}
		c.Find(v, positions)
		checkGatherColumns[float32](t, v, positions, &c)
		checkGatherColumns[float64](t, v, positions, &c)
	}
}

// TestGatherColumnsRefusesBadSpans: the conversion trusts the spans, so
// GatherColumns checks them against the image first.
func TestGatherColumnsRefusesBadSpans(t *testing.T) {
	set, err := NewSet(&Images{Count: 1, Rows: 2, Cols: 4, Pixels: make([]uint8, 8)}, make([]uint8, 1))
	if err != nil {
		t.Fatal(err)
	}
	for _, cols := range []Columns{
		{Spans: []Span{{0, 9}}, Width: 9},         // past the image
		{Spans: []Span{{4, 6}, {2, 3}}, Width: 3}, // out of order
		{Spans: []Span{{3, 3}}, Width: 0},         // empty
		{Spans: []Span{{0, 4}}, Width: 5},         // wrong width
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("spans %v, width %d: no panic", cols.Spans, cols.Width)
				}
			}()
			GatherColumns(make([]float32, 16), make([]uint8, 1), set.All(), []int32{0}, &cols)
		}()
	}
}

func checkGatherColumns[T Float](t *testing.T, v View, positions []int32, c *Columns) {
	t.Helper()
	n, size := len(positions), v.Features()
	dense, labels := make([]T, n*size), make([]uint8, n)
	Gather(dense, labels, v, positions)
	compact, compactLabels := make([]T, n*c.Width), make([]uint8, n)
	for i := range compact {
		compact[i] = -1 // stale values that must be overwritten
	}
	GatherColumns(compact, compactLabels, v, positions, c)
	if !slices.Equal(labels, compactLabels) {
		t.Fatalf("batch of %d: labels %v, want %v", n, compactLabels, labels)
	}
	for r := range n {
		row, off := dense[r*size:(r+1)*size], r*c.Width
		from := 0
		for _, sp := range c.Spans {
			for j := from; j < sp.From; j++ {
				if row[j] != 0 {
					t.Fatalf("batch of %d, row %d: pixel %d = %v lies outside the spans %v", n, r, j, row[j], c.Spans)
				}
			}
			for j := sp.From; j < sp.To; j++ {
				if compact[off] != row[j] {
					t.Fatalf("batch of %d, row %d: pixel %d gathered as %v, want %v", n, r, j, compact[off], row[j])
				}
				off++
			}
			from = sp.To
		}
		for j := from; j < size; j++ {
			if row[j] != 0 {
				t.Fatalf("batch of %d, row %d: pixel %d = %v lies after the spans", n, r, j, row[j])
			}
		}
	}
	if allocs := testing.AllocsPerRun(5, func() {
		c.Find(v, positions)
		GatherColumns(compact, compactLabels, v, positions, c)
	}); allocs != 0 {
		t.Errorf("Find and GatherColumns allocated %v times", allocs)
	}
}
