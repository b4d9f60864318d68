package dataset

import (
	"slices"
	"testing"

	"github.com/sweepml/sweep/internal/simd"
)

func testSet(t *testing.T, labels []uint8) *Set {
	t.Helper()
	pixels := make([]uint8, len(labels)*4)
	for i := range pixels {
		pixels[i] = uint8(i)
	}
	s, err := NewSet(&Images{Count: len(labels), Rows: 2, Cols: 2, Pixels: pixels}, labels)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSplitIsStratifiedAndExact(t *testing.T) {
	d, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	all := d.Train.First(1000)
	train, val, err := all.Split(0.2, 42)
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 800 || val.Len() != 200 {
		t.Fatalf("split 1000 into %d + %d, want 800 + 200", train.Len(), val.Len())
	}
	// Disjoint, complete, each in ascending order.
	seen := map[int]bool{}
	for _, v := range []View{train, val} {
		for i := range v.Len() {
			r := v.Row(i)
			if seen[r] || r >= 1000 {
				t.Fatalf("row %d twice or out of the subset", r)
			}
			seen[r] = true
			if i > 0 && v.Row(i-1) >= r {
				t.Fatal("rows out of order")
			}
		}
	}
	// Each class's validation share is within one image of 20%.
	count := func(v View) []int {
		c := make([]int, 10)
		for i := range v.Len() {
			c[v.Label(i)]++
		}
		return c
	}
	tc, vc := count(train), count(val)
	for c := range 10 {
		if share := 0.2 * float64(tc[c]+vc[c]); float64(vc[c]) < share-1 || float64(vc[c]) > share+1 {
			t.Errorf("class %d: %d of %d in validation", c, vc[c], tc[c]+vc[c])
		}
	}
	// Same seed, same split; another seed, another split.
	_, again, _ := all.Split(0.2, 42)
	_, other, _ := all.Split(0.2, 43)
	if !slices.Equal(val.rows, again.rows) {
		t.Error("same seed gave another split")
	}
	if slices.Equal(val.rows, other.rows) {
		t.Error("another seed gave the same split")
	}
}

func TestSplitRounding(t *testing.T) {
	// 3 classes of 3, 3 and 4 rows; 25% of 10 rounds to 3 (2.5 → 3):
	// exact shares 0.75, 0.75, 1.0 give 0+0+1 plus two by largest remainder.
	s := testSet(t, []uint8{0, 0, 0, 1, 1, 1, 2, 2, 2, 2})
	train, val, err := s.All().Split(0.25, 1)
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 7 || val.Len() != 3 {
		t.Fatalf("split into %d + %d, want 7 + 3", train.Len(), val.Len())
	}
	per := make([]int, 3)
	for i := range val.Len() {
		per[val.Label(i)]++
	}
	if !slices.Equal(per, []int{1, 1, 1}) {
		t.Errorf("validation per class %v, want [1 1 1]", per)
	}
	for _, f := range []float64{-0.1, 1, 2} {
		if _, _, err := s.All().Split(f, 1); err == nil {
			t.Errorf("fraction %v accepted", f)
		}
	}
}

func TestGather(t *testing.T) {
	s := testSet(t, []uint8{3, 1, 4})
	v := s.First(0)
	x := make([]float32, 8)
	labels := make([]uint8, 2)
	Gather(x, labels, v, []int32{2, 0})
	want := []float32{8. / 255, 9. / 255, 10. / 255, 11. / 255, 0, 1. / 255, 2. / 255, 3. / 255}
	if !slices.Equal(x, want) || !slices.Equal(labels, []uint8{4, 3}) {
		t.Errorf("Gather: %v %v", x, labels)
	}
	x64 := make([]float64, 8)
	GatherRange(x64, labels, v, 1, 2)
	if x64[0] != 4./255 || x64[7] != 11./255 || !slices.Equal(labels, []uint8{1, 4}) {
		t.Errorf("GatherRange: %v %v", x64, labels)
	}
	if allocs := testing.AllocsPerRun(10, func() { Gather(x, labels, v, []int32{1, 2}) }); allocs != 0 {
		t.Errorf("Gather allocated %v times", allocs)
	}
}

// TestGatherEveryPixelValue gathers images 3×7 pixels wide (21: two
// blocks of eight and a tail) holding every byte value, blank blocks among
// them, and checks each value against x/255 in both dtypes, converted by
// package simd and by the tables it replaces where it runs.
func TestGatherEveryPixelValue(t *testing.T) {
	t.Run("simd", func(t *testing.T) {
		if !simd.Available {
			t.Skip("no AVX2")
		}
		checkGatherEveryPixelValue(t)
	})
	t.Run("tables", func(t *testing.T) {
		defer func(prev bool) { convertSIMD = prev }(convertSIMD)
		convertSIMD = false
		checkGatherEveryPixelValue(t)
	})
}

func checkGatherEveryPixelValue(t *testing.T) {
	const size, count = 21, 40
	px := make([]uint8, size*count)
	for i := range px {
		if i/8%3 != 1 { // every third block of eight stays blank
			px[i] = uint8(i * 7)
		}
	}
	set, err := NewSet(&Images{Count: count, Rows: 3, Cols: 7, Pixels: px}, make([]uint8, count))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[uint8]bool{}
	for _, p := range px {
		seen[p] = true
	}
	if len(seen) != 256 {
		t.Fatalf("the test images hold %d byte values, want all 256", len(seen))
	}
	positions := []int32{39, 0, 17, 5}
	for i := range count {
		positions = append(positions, int32(i))
	}
	x32 := make([]float32, len(positions)*size)
	x64 := make([]float64, len(positions)*size)
	labels := make([]uint8, len(positions))
	for i := range x32 { // stale values that blank blocks must overwrite
		x32[i], x64[i] = -1, -1
	}
	Gather(x32, labels, set.All(), positions)
	Gather(x64, labels, set.All(), positions)
	for i, p := range positions {
		for j := range size {
			want := float64(px[int(p)*size+j]) / 255
			if x64[i*size+j] != want || x32[i*size+j] != float32(want) {
				t.Fatalf("image %d pixel %d: got %v and %v, want %v", p, j, x64[i*size+j], x32[i*size+j], want)
			}
		}
	}
}

// TestFold: every row is validated in exactly one of k folds; each fold
// holds about n/k rows of every class; training and validation are
// disjoint and cover the view; the same seed deals the same folds.
func TestFold(t *testing.T) {
	d, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	v := d.Train.First(1000)
	seen := map[int]int{}
	for i := range 5 {
		tr, val, err := v.Fold(5, i, 42)
		if err != nil {
			t.Fatal(err)
		}
		if tr.Len()+val.Len() != 1000 || val.Len() != 200 {
			t.Errorf("fold %d: %d train, %d validation", i, tr.Len(), val.Len())
		}
		perClass := make([]int, 10)
		for j := range val.Len() {
			seen[val.Row(j)]++
			perClass[val.Label(j)]++
		}
		all := make([]int, 10)
		for j := range v.Len() {
			all[v.Label(j)]++
		}
		for c := range perClass {
			if perClass[c] < all[c]/5 || perClass[c] > all[c]/5+1 {
				t.Errorf("fold %d class %d: %d of %d", i, c, perClass[c], all[c])
			}
		}
		again, _, _ := v.Fold(5, i, 42)
		if again.Len() != tr.Len() || again.Row(0) != tr.Row(0) || again.Row(again.Len()-1) != tr.Row(tr.Len()-1) {
			t.Errorf("fold %d differs with the same seed", i)
		}
	}
	if len(seen) != 1000 {
		t.Errorf("%d rows validated, want 1000", len(seen))
	}
	for r, n := range seen {
		if n != 1 {
			t.Fatalf("row %d validated %d times", r, n)
		}
	}
	if _, _, err := v.Fold(1, 0, 42); err == nil || err.Error() != "1 folds: want 2 to 87, the smallest class's count (fold 0)" {
		t.Errorf("1 fold: %v", err)
	}
	if v.SmallestClass() != 87 {
		t.Errorf("smallest class %d", v.SmallestClass())
	}
}

func TestViewRows(t *testing.T) {
	d, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	train, val, err := d.Train.First(100).Split(0.2, 42)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, v := range []View{train, val} {
		for i, r := range v.Rows() {
			if r != v.Row(i) || seen[r] || r >= 100 {
				t.Fatalf("row %d: %d", i, r)
			}
			seen[r] = true
		}
	}
	if len(seen) != 100 {
		t.Errorf("%d rows, want the 100 of the subset", len(seen))
	}
}
