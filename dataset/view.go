package dataset

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
)

// Float is the element type of materialised batches.
type Float interface{ ~float32 | ~float64 }

// splitStream separates the split's random stream from other users of the
// same seed.
const (
	splitStream = 0x5157_1e7
	foldStream  = 0x5157_1e8
)

// View is a selection of rows of a Set, in a fixed order. It holds row
// numbers only; the pixels stay in the set.
type View struct {
	set  *Set
	rows []int32
}

// All returns a view of every row of s.
func (s *Set) All() View { return s.First(s.Len()) }

// First returns a view of the first n rows of s; n ≤ 0 or n ≥ s.Len()
// selects all of them.
func (s *Set) First(n int) View {
	if n <= 0 || n > s.Len() {
		n = s.Len()
	}
	rows := make([]int32, n)
	for i := range rows {
		rows[i] = int32(i)
	}
	return View{set: s, rows: rows}
}

// Rows lists the set's rows the view holds, in its order: a split or fold
// handed to a program of another language.
func (v View) Rows() []int {
	out := make([]int, len(v.rows))
	for i, r := range v.rows {
		out[i] = int(r)
	}
	return out
}

// Len is the number of rows in the view.
func (v View) Len() int { return len(v.rows) }

// Features is the number of pixels per example.
func (v View) Features() int { return v.set.Images.Size() }

// Classes is the number of label values of the underlying set.
func (v View) Classes() int { return v.set.Classes }

// Label returns the label of the i'th row of the view.
func (v View) Label(i int) uint8 { return v.set.Labels[v.rows[i]] }

// Row returns the set's row number of the i'th row of the view.
func (v View) Row(i int) int { return int(v.rows[i]) }

// Split divides v into training and validation views, stratified by label:
// each class contributes fraction of its rows to validation (rounded so that
// the total is round(fraction·Len), remainders going to the classes with
// the largest fractional parts). Which rows go where is drawn from seed.
// Both views keep v's order.
func (v View) Split(fraction float64, seed uint64) (train, val View, err error) {
	if !(fraction >= 0 && fraction < 1) {
		return View{}, View{}, fmt.Errorf("validation fraction %v out of range [0, 1)", fraction)
	}
	byClass := make([][]int32, v.set.Classes)
	for _, r := range v.rows {
		l := v.set.Labels[r]
		byClass[l] = append(byClass[l], r)
	}

	// Largest-remainder apportionment of round(fraction·n) validation rows.
	total := int(fraction*float64(len(v.rows)) + 0.5)
	quota := make([]int, len(byClass))
	order := make([]int, len(byClass))
	assigned := 0
	for c, rows := range byClass {
		exact := fraction * float64(len(rows))
		quota[c] = int(exact)
		assigned += quota[c]
		order[c] = c
	}
	remainder := func(c int) float64 { return fraction*float64(len(byClass[c])) - float64(quota[c]) }
	slices.SortStableFunc(order, func(a, b int) int {
		ra, rb := remainder(a), remainder(b)
		switch {
		case ra > rb:
			return -1
		case ra < rb:
			return 1
		}
		return 0
	})
	for i := 0; assigned < total && i < len(order); i++ {
		if c := order[i]; quota[c] < len(byClass[c]) {
			quota[c]++
			assigned++
		}
	}

	rng := rand.New(rand.NewPCG(seed, splitStream))
	var trainRows, valRows []int32
	for c, rows := range byClass {
		rng.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
		valRows = append(valRows, rows[:quota[c]]...)
		trainRows = append(trainRows, rows[quota[c]:]...)
	}
	// Restore the view's order (rows of a view ascend).
	slices.Sort(trainRows)
	slices.Sort(valRows)
	return View{set: v.set, rows: trainRows}, View{set: v.set, rows: valRows}, nil
}

// Fold splits the view for stratified k-fold cross-validation and returns
// fold i as the validation view and the other k−1 folds as the training
// view. Each class's rows, shuffled with seed, are dealt to the folds in
// turn, so every fold holds ⌊n_c/k⌋ or ⌈n_c/k⌉ rows of class c and every
// row is validated in exactly one fold. k may not exceed the smallest
// class's count.
func (v View) Fold(k, i int, seed uint64) (train, val View, err error) {
	byClass := make([][]int32, v.set.Classes)
	for _, r := range v.rows {
		l := v.set.Labels[r]
		byClass[l] = append(byClass[l], r)
	}
	smallest := len(v.rows)
	for _, rows := range byClass {
		if len(rows) > 0 {
			smallest = min(smallest, len(rows))
		}
	}
	if k < 2 || k > smallest || i < 0 || i >= k {
		return View{}, View{}, fmt.Errorf("%d folds: want 2 to %d, the smallest class's count (fold %d)", k, smallest, i)
	}
	rng := rand.New(rand.NewPCG(seed, foldStream))
	var trainRows, valRows []int32
	dealt := 0 // where each class starts dealing, so that fold sizes even out across classes
	for _, rows := range byClass {
		rng.Shuffle(len(rows), func(a, b int) { rows[a], rows[b] = rows[b], rows[a] })
		for j, r := range rows {
			if (dealt+j)%k == i {
				valRows = append(valRows, r)
			} else {
				trainRows = append(trainRows, r)
			}
		}
		dealt += len(rows)
	}
	slices.Sort(trainRows)
	slices.Sort(valRows)
	return View{set: v.set, rows: trainRows}, View{set: v.set, rows: valRows}, nil
}

// SmallestClass is the count of the view's rarest class (0 if empty).
func (v View) SmallestClass() int {
	counts := make([]int, v.set.Classes)
	for _, r := range v.rows {
		counts[v.set.Labels[r]]++
	}
	smallest := 0
	for _, n := range counts {
		if n > 0 && (smallest == 0 || n < smallest) {
			smallest = n
		}
	}
	return smallest
}

// pixelScale maps a byte to its scaled value x/255, computed in float64 so
// that float32 and float64 batches hold the same numbers up to rounding;
// pixelScale32 holds the same values rounded to float32, so that gathering
// a float32 batch is a lookup without a conversion.
var pixelScale, pixelScale32 = func() (t [256]float64, t32 [256]float32) {
	for i := range t {
		t[i] = float64(i) / 255
		t32[i] = float32(t[i])
	}
	return t, t32
}()

// Gather writes the view rows at the given positions into dst, one row of
// Features() scaled pixels after another, and their labels into labels.
// dst must hold len(positions)·Features() values and labels
// len(positions); Gather allocates nothing.
func Gather[T Float](dst []T, labels []uint8, v View, positions []int32) {
	size := v.Features()
	for i, p := range positions {
		labels[i] = scaleRow(dst[i*size:(i+1)*size], v.set, v.rows[p])
	}
}

// GatherRange is Gather for the n consecutive positions from start.
func GatherRange[T Float](dst []T, labels []uint8, v View, start, n int) {
	size := v.Features()
	for i := range n {
		labels[i] = scaleRow(dst[i*size:(i+1)*size], v.set, v.rows[start+i])
	}
}

// scaleRow writes row r of the set as scaled pixels into dst and returns
// its label.
func scaleRow[T Float](dst []T, s *Set, r int32) uint8 {
	size := len(dst)
	whole := [1]Span{{0, size}}
	scaleSpans(dst, s.Images.Pixels[int(r)*size:(int(r)+1)*size], whole[:])
	return s.Labels[r]
}

// scaleWith writes table[p] into dst for each pixel p of src. Four fifths
// of MNIST's pixels are blank: eight at a time, they are one test and a
// cleared block.
func scaleWith[E float32 | float64](dst []E, src []uint8, table *[256]E) {
	dst = dst[:len(src)]
	j := 0
	for ; j+8 <= len(src); j += 8 {
		px, out := src[j:j+8:j+8], (*[8]E)(dst[j:j+8:j+8])
		if binary.LittleEndian.Uint64(px) == 0 {
			*out = [8]E{}
			continue
		}
		for k, p := range px {
			out[k] = table[p]
		}
	}
	for ; j < len(src); j++ {
		dst[j] = table[src[j]]
	}
}
