package network

import (
	"math"
	"testing"

	"github.com/sweepml/sweep/dataset"
	"github.com/sweepml/sweep/internal/gradcheck"
	"github.com/sweepml/sweep/internal/testkit"
	"github.com/sweepml/sweep/train"
)

// blankBatch is a batch of n rows of 12 inputs in which inputs 0–2, 5 and
// 9–11 are zero (or −0) in every row: the sparse first layer multiplies
// the two spans 3–4 and 6–8.
func blankBatch(n int, seed uint64) ([]float64, []uint8) {
	x, labels := testkit.RandomBatch(n, 12, 4, seed)
	for r := range n {
		for _, i := range []int{0, 1, 2, 5, 9, 10, 11} {
			x[r*12+i] = 0
		}
		x[r*12+10] = math.Copysign(0, -1)
	}
	return x, labels
}

func TestSparseFirstLayerFindsSpans(t *testing.T) {
	x, _ := blankBatch(6, 1)
	var s sparseInput[float64]
	if !s.find(x, 6, 12) || s.k != 5 || len(s.spans) != 2 || s.spans[0] != (dataset.Span{From: 3, To: 5}) || s.spans[1] != (dataset.Span{From: 6, To: 9}) {
		t.Fatalf("k %d, spans %v; want the sparse path, 5, [{3 5} {6 9}]", s.k, s.spans)
	}
	var s32 sparseInput[float32]
	if !s32.find(toFloat32(x), 6, 12) || s32.k != 5 || len(s32.spans) != 2 {
		t.Fatalf("float32: k %d, spans %v; want the sparse path, 5, two spans", s32.k, s32.spans)
	}
	// A batch that uses most inputs multiplies them all.
	full, _ := testkit.RandomBatch(6, 12, 4, 2)
	if s.find(full, 6, 12) {
		t.Error("a batch using every input took the sparse path")
	}
}

// TestSparseGradientFiniteDifferences checks the sparse first layer's
// gradients, zeros between the spans included, against finite differences.
func TestSparseGradientFiniteDifferences(t *testing.T) {
	m, err := New[float64](Config{Sizes: []int{12, 6, 4}, Activation: Tanh, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	for i := range m.gradW[0] {
		m.gradW[0][i] = math.NaN() // the blank inputs' rows must be overwritten
	}
	x, labels := blankBatch(5, 7)
	gradcheck.Check(t, m, x, labels, nil, 1e-6)
	if !m.trainWS.first.sparse {
		t.Fatal("the batch did not take the sparse path")
	}
}

// TestSparseMatchesDense compares losses and gradients of the sparse and
// dense first layers on MNIST batches: the same sums in another order.
func TestSparseMatchesDense(t *testing.T) {
	t.Run("float64", func(t *testing.T) { checkSparseMatchesDense[float64](t, 1e-13) })
	t.Run("float32", func(t *testing.T) { checkSparseMatchesDense[float32](t, 1e-5) })
}

func checkSparseMatchesDense[T train.Float](t *testing.T, tol float64) {
	tr, _ := testkit.MNISTSplit(t, 300)
	for _, batch := range []int{1, 8, 64} {
		positions := make([]int32, batch)
		for i := range positions {
			positions[i] = int32(i * 3)
		}
		x, labels := make([]T, batch*784), make([]uint8, batch)
		dataset.Gather(x, labels, tr, positions)
		sparse, _ := New[T](Config{Sizes: []int{784, 32, 10}, Activation: ReLU, Seed: 5})
		dense, _ := New[T](Config{Sizes: []int{784, 32, 10}, Activation: ReLU, Seed: 5})
		dense.dense = true
		ls, cs := sparse.Gradient(x, labels)
		ld, cd := dense.Gradient(x, labels)
		if !sparse.trainWS.first.sparse {
			t.Fatalf("batch %d did not take the sparse path", batch)
		}
		if cs != cd || math.Abs(ls-ld) > tol*math.Abs(ld) {
			t.Errorf("batch %d: sparse loss %v (%d correct), dense %v (%d)", batch, ls, cs, ld, cd)
		}
		for i, p := range sparse.Tensors() {
			q := dense.Tensors()[i]
			var worst, scale float64
			for j := range p.Grad {
				worst = max(worst, math.Abs(float64(p.Grad[j]-q.Grad[j])))
				scale = max(scale, math.Abs(float64(q.Grad[j])))
			}
			if worst > tol*scale {
				t.Errorf("batch %d: %s gradients differ by %g (largest %g)", batch, p.Name, worst, scale)
			}
		}
	}
}

func toFloat32(x []float64) []float32 {
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = float32(v)
	}
	return out
}

// TestGradientColumnsMatchesGradient trains on MNIST batches gathered
// compact (as train.Stepper does) and dense: where the dense batch takes
// the sparse path too, the compact one multiplies the same numbers and
// must agree bit for bit; larger batches use most of the image and agree
// up to rounding order. A network with the sparse path turned off expands
// the compact batch and must agree with its own dense result exactly.
func TestGradientColumnsMatchesGradient(t *testing.T) {
	t.Run("float64", func(t *testing.T) { checkGradientColumns[float64](t, 1e-13) })
	t.Run("float32", func(t *testing.T) { checkGradientColumns[float32](t, 1e-5) })
}

func checkGradientColumns[T train.Float](t *testing.T, tol float64) {
	tr, _ := testkit.MNISTSplit(t, 0)
	var cols dataset.Columns
	for _, batch := range []int{1, 8, 64, 1000} {
		positions := make([]int32, batch)
		for i := range positions {
			positions[i] = int32(i * 7)
		}
		x, labels := make([]T, batch*784), make([]uint8, batch)
		dataset.Gather(x, labels, tr, positions)
		cols.Find(tr, positions)
		compact := make([]T, batch*cols.Width)
		dataset.GatherColumns(compact, labels, tr, positions, &cols)

		nets := make([]*MLP[T], 4) // dense batch, compact, and both with the sparse path off
		for i := range nets {
			nets[i], _ = New[T](Config{Sizes: []int{784, 32, 10}, Activation: ReLU, Seed: 5})
			nets[i].dense = i >= 2
		}
		l0, c0 := nets[0].Gradient(x, labels)
		l1, c1 := nets[1].GradientColumns(compact, cols.Spans, labels)
		l2, c2 := nets[2].Gradient(x, labels)
		l3, c3 := nets[3].GradientColumns(compact, cols.Spans, labels)
		exact := nets[0].trainWS.first.sparse
		if batch <= 64 && !exact {
			t.Fatalf("batch %d did not take the sparse path", batch)
		}
		if c1 != c0 || !close(l1, l0, tol, exact) {
			t.Errorf("batch %d: compact loss %v (%d correct), dense batch %v (%d)", batch, l1, c1, l0, c0)
		}
		if c3 != c2 || l3 != l2 {
			t.Errorf("batch %d, sparse path off: compact loss %v (%d correct), dense batch %v (%d)", batch, l3, c3, l2, c2)
		}
		for i, p := range nets[1].Tensors() {
			compareGrads(t, batch, p, nets[0].Tensors()[i], tol, exact)
			compareGrads(t, batch, nets[3].Tensors()[i], nets[2].Tensors()[i], 0, true)
		}
	}
}

// close reports whether a equals b, exactly or within relative tol.
func close(a, b, tol float64, exact bool) bool {
	if exact {
		return a == b
	}
	return math.Abs(a-b) <= tol*math.Abs(b)
}

func compareGrads[T train.Float](t *testing.T, batch int, p, q train.Tensor[T], tol float64, exact bool) {
	t.Helper()
	var worst, scale float64
	for j := range p.Grad {
		if exact && p.Grad[j] != q.Grad[j] {
			t.Errorf("batch %d: %s gradient %d is %v, want %v exactly", batch, p.Name, j, p.Grad[j], q.Grad[j])
			return
		}
		worst = max(worst, math.Abs(float64(p.Grad[j]-q.Grad[j])))
		scale = max(scale, math.Abs(float64(q.Grad[j])))
	}
	if worst > tol*scale {
		t.Errorf("batch %d: %s gradients differ by %g (largest %g)", batch, p.Name, worst, scale)
	}
}

// TestOneSpanUsesWeightsInPlace covers the first layer's single-span
// case, which multiplies W[1]'s rows where they lie and writes the
// gradient straight into them: the gradient, zero rows outside the span
// included (over NaN-poisoned buffers), must match the dense path's.
func TestOneSpanUsesWeightsInPlace(t *testing.T) {
	const n = 5
	x, labels := testkit.RandomBatch(n, 12, 4, 9)
	compact := make([]float64, 0, n*6)
	for r := range n {
		for i := range 12 {
			if i < 3 || i >= 9 {
				x[r*12+i] = 0
			}
		}
		compact = append(compact, x[r*12+3:r*12+9]...)
	}
	sparse, _ := New[float64](Config{Sizes: []int{12, 6, 4}, Activation: Tanh, Seed: 3})
	dense, _ := New[float64](Config{Sizes: []int{12, 6, 4}, Activation: Tanh, Seed: 3})
	dense.dense = true
	for i := range sparse.gradW[0] {
		sparse.gradW[0][i] = math.NaN()
	}
	ls, _ := sparse.GradientColumns(compact, []dataset.Span{{From: 3, To: 9}}, labels)
	ld, _ := dense.Gradient(x, labels)
	if !close(ls, ld, 1e-14, false) {
		t.Errorf("loss %v, dense %v", ls, ld)
	}
	for i, p := range sparse.Tensors() {
		compareGrads(t, n, p, dense.Tensors()[i], 1e-14, false)
	}
	for j, g := range sparse.gradW[0] {
		if row := j / 6; (row < 3 || row >= 9) && g != 0 {
			t.Fatalf("W1 gradient row %d (outside the span) holds %v", row, g)
		}
	}
}

// denseOnly hides an MLP's compact methods: train.Evaluator gives it
// dense batches.
type denseOnly[T train.Float] struct{ train.Model[T] }

// TestEvaluateColumnsMatchesEvaluate checks that a compact batch is
// measured bit for bit as its dense batch is: batches small enough for the
// sparse path, 5000-row batches that use more than sparseShare of the
// image (the dense batch rebuilt), and the sparse path
// turned off. train.Evaluator, which gathers compact batches for an MLP,
// must then agree exactly with its dense batches, remainder batch
// included.
func TestEvaluateColumnsMatchesEvaluate(t *testing.T) {
	t.Run("float64", func(t *testing.T) { checkEvaluateColumns[float64](t) })
	t.Run("float32", func(t *testing.T) { checkEvaluateColumns[float32](t) })
}

func checkEvaluateColumns[T train.Float](t *testing.T) {
	tr, val := testkit.MNISTSplit(t, 0)
	var cols dataset.Columns
	paths := map[bool]int{}
	for _, batch := range []int{1, 64, 1000, 5000} {
		for _, stride := range []int{1, 9} {
			positions := make([]int32, batch)
			for i := range positions {
				positions[i] = int32(i * stride)
			}
			x, labels := make([]T, batch*784), make([]uint8, batch)
			dataset.Gather(x, labels, tr, positions)
			cols.Find(tr, positions)
			compact := make([]T, batch*cols.Width)
			dataset.GatherColumns(compact, labels, tr, positions, &cols)
			for _, dense := range []bool{false, true} {
				a, _ := New[T](Config{Sizes: []int{784, 32, 10}, Activation: ReLU, Seed: 5})
				b, _ := New[T](Config{Sizes: []int{784, 32, 10}, Activation: ReLU, Seed: 5})
				a.dense, b.dense = dense, dense
				la, ca := a.Evaluate(x, labels)
				lb, cb := b.EvaluateColumns(compact, cols.Spans, labels, 0)
				if la != lb || ca != cb {
					t.Errorf("batch %d, stride %d, sparse path off %v: compact %v (%d correct), dense %v (%d)", batch, stride, dense, lb, cb, la, ca)
				}
				if !dense {
					paths[a.evalWS.first.sparse]++
				}
			}
		}
	}
	if paths[true] == 0 || paths[false] == 0 {
		t.Fatalf("batches taking the sparse path: %d, the dense: %d; want both", paths[true], paths[false])
	}
	m, _ := New[T](Config{Sizes: []int{784, 32, 10}, Activation: ReLU, Seed: 5})
	for _, batch := range []int{1000, 300} { // 12,000 rows: whole batches, and a remainder
		lc, ac := train.NewEvaluator[T](m, batch).Evaluate(val)
		ld, ad := train.NewEvaluator[T](denseOnly[T]{m}, batch).Evaluate(val)
		if lc != ld || ac != ad {
			t.Errorf("evaluator, batch %d: compact batches %v, %v; dense %v, %v", batch, lc, ac, ld, ad)
		}
	}
}
