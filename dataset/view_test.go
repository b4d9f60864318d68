package dataset

import (
	"slices"
	"testing"
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
