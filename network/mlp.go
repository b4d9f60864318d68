package network

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/sweepml/sweep/dataset"
	"github.com/sweepml/sweep/internal/linalg"
	"github.com/sweepml/sweep/train"
)

// MLP is a fully connected feed-forward classifier. Layer l (1…L) maps the
// activations a[l-1] (n×sizes[l-1]) to
//
//	z[l] = a[l-1]·W[l] + b[l]          W[l] is sizes[l-1]×sizes[l]
//	a[l] = act(z[l])   for hidden layers
//	p    = softmax(z[L])
//
// and is trained on the mean cross-entropy −log p[label]. W[l] is stored
// fan-in × fan-out (row i holds input i's weights) so that the inputs a
// batch never uses — MNIST's blank margins — are whole rows, which the
// first layer skips (see sparse.go). An MLP is used by one goroutine at a
// time.
type MLP[T train.Float] struct {
	cfg     Config
	weights [][]T // weights[l-1] is W[l], row-major sizes[l-1]×sizes[l]
	biases  [][]T
	gradW   [][]T
	gradB   [][]T
	params  []train.Tensor[T]
	// Buffers for the largest batch seen so far, one set for training and
	// one for evaluation, so that neither reallocates the other's.
	trainWS, evalWS workspace[T]
	// firstW holds W[1]'s rows in a batch's spans, for either workspace.
	firstW []T
	// dense turns the sparse first layer off, for tests and benchmarks.
	dense bool
}

// workspace holds per-batch intermediate values.
type workspace[T train.Float] struct {
	rows  int
	act   [][]T // act[l] is a[l], n×sizes[l]; act[0] is unused (the input)
	delta [][]T // delta[l] is ∂loss/∂z[l]
	first sparseInput[T]
}

// New returns a network with freshly initialised weights.
func New[T train.Float](cfg Config) (*MLP[T], error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m := newZero[T](cfg.withDefaults())
	rng := rand.New(rand.NewPCG(cfg.Seed, initStream))
	for l, w := range m.weights {
		fanIn, fanOut := m.cfg.Sizes[l], m.cfg.Sizes[l+1]
		// The draws fill fan-out × fan-in, the order of earlier releases
		// (and of residual's layers), so that a seed keeps its network.
		draw := drawer(fanIn, fanOut, m.cfg.Init, rng)
		for o := range fanOut {
			for i := range fanIn {
				w[i*fanOut+o] = T(draw())
			}
		}
	}
	return m, nil
}

// InitWeights fills w with draws of the scheme for a layer of the given
// fan-in and fan-out, in order; the draws are made in float64 so that
// float32 and float64 networks start from the same weights up to rounding.
func InitWeights[T train.Float](w []T, fanIn, fanOut int, scheme Init, rng *rand.Rand) {
	draw := drawer(fanIn, fanOut, scheme, rng)
	for i := range w {
		w[i] = T(draw())
	}
}

// drawer returns the draws of InitWeights one at a time.
func drawer(fanIn, fanOut int, scheme Init, rng *rand.Rand) func() float64 {
	if scheme == He {
		std := math.Sqrt(2 / float64(fanIn))
		return func() float64 { return std * rng.NormFloat64() }
	}
	limit := math.Sqrt(6 / float64(fanIn+fanOut))
	return func() float64 { return limit * (2*rng.Float64() - 1) }
}

// newZero allocates a network of cfg's shape with all parameters zero.
func newZero[T train.Float](cfg Config) *MLP[T] {
	m := &MLP[T]{cfg: cfg}
	for l := 1; l < len(cfg.Sizes); l++ {
		in, out := cfg.Sizes[l-1], cfg.Sizes[l]
		m.weights = append(m.weights, make([]T, in*out))
		m.biases = append(m.biases, make([]T, out))
		m.gradW = append(m.gradW, make([]T, in*out))
		m.gradB = append(m.gradB, make([]T, out))
		m.params = append(m.params,
			train.Tensor[T]{Name: fmt.Sprintf("W%d", l), Value: m.weights[l-1], Grad: m.gradW[l-1], Decay: true},
			train.Tensor[T]{Name: fmt.Sprintf("b%d", l), Value: m.biases[l-1], Grad: m.gradB[l-1]})
	}
	return m
}

// Config returns the network's configuration (with defaults filled in).
func (m *MLP[T]) Config() Config { c := m.cfg; c.Sizes = append([]int(nil), c.Sizes...); return c }

// Inputs is the width of the input layer.
func (m *MLP[T]) Inputs() int { return m.cfg.Sizes[0] }

// Outputs is the number of classes.
func (m *MLP[T]) Outputs() int { return m.cfg.Sizes[len(m.cfg.Sizes)-1] }

// Params lists W1, b1, W2, b2, … with their gradients.
func (m *MLP[T]) Tensors() []train.Tensor[T] { return m.params }

// String summarises the architecture, e.g. "MLP 784-128-64-10 relu (he)".
func (m *MLP[T]) String() string {
	sizes := make([]string, len(m.cfg.Sizes))
	for i, s := range m.cfg.Sizes {
		sizes[i] = fmt.Sprint(s)
	}
	return fmt.Sprintf("MLP %s %s (%s init)", strings.Join(sizes, "-"), m.cfg.Activation, m.cfg.Init)
}

// Fit trains the network; see train.Fit.
func (m *MLP[T]) Fit(ctx context.Context, trainSet, valSet dataset.View, cfg train.Config) (train.History, error) {
	return train.Fit[T](ctx, m, trainSet, valSet, cfg)
}

// reserve sizes ws for n rows; it allocates only when n grows.
func (m *MLP[T]) reserve(ws *workspace[T], n int) {
	if n <= ws.rows {
		return
	}
	L := len(m.cfg.Sizes)
	training := ws == &m.trainWS // evaluation keeps no gradients
	ws.rows, ws.act, ws.delta = n, make([][]T, L), nil
	if training {
		ws.delta = make([][]T, L)
	}
	for l := 1; l < L; l++ {
		ws.act[l] = make([]T, n*m.cfg.Sizes[l])
		if training {
			ws.delta[l] = make([]T, n*m.cfg.Sizes[l])
		}
	}
}

// forward runs x (n rows) through the network into ws, leaving the
// softmax probabilities in ws.act[L]. It returns the summed cross-entropy
// of the labels and the number of correct argmax predictions; with labels
// nil it only computes the probabilities.
func (m *MLP[T]) forward(ws *workspace[T], x []T, labels []uint8) (lossSum float64, correct int) {
	n := len(x) / m.Inputs()
	ws.first.sparse = !m.dense && ws.first.find(x, n, m.Inputs())
	return m.forwardPrepared(ws, x, n, labels, 0)
}

// forwardPrepared is forward for n rows once ws.first says whether the
// first layer takes its input from x or, sparse, from ws.first; it adds
// the rows' cross-entropies to lossSum, one after another.
func (m *MLP[T]) forwardPrepared(ws *workspace[T], x []T, n int, labels []uint8, lossSum float64) (float64, int) {
	sizes := m.cfg.Sizes
	m.reserve(ws, n)
	L := len(sizes) - 1
	in := x
	for l := 1; l <= L; l++ {
		w, b := m.weights[l-1], m.biases[l-1]
		z := ws.act[l][:n*sizes[l]]
		// z = b (each row), then z += in·W.
		for r := range n {
			copy(z[r*sizes[l]:(r+1)*sizes[l]], b)
		}
		if l == 1 && ws.first.sparse {
			ws.first.forward(z, w, sizes[1], &m.firstW)
		} else {
			linalg.Gemm(false, false, n, sizes[l], sizes[l-1], 1, in, sizes[l-1], w, sizes[l], 1, z, sizes[l])
		}
		if l < L {
			Activate(z, m.cfg.Activation)
		}
		in = z
	}
	return softmaxCrossEntropy(ws.act[L][:n*sizes[L]], sizes[L], labels, lossSum)
}

// SoftmaxCrossEntropy turns each row of k logits in z into probabilities,
// in place, and returns the summed cross-entropy −log p[label] and the
// number of rows whose largest logit is the label's. With labels nil it
// only computes the probabilities. Rows are shifted by their maximum for
// stability: loss = log Σ exp(z−max) − (z[label]−max).
func SoftmaxCrossEntropy[T train.Float](z []T, k int, labels []uint8) (lossSum float64, correct int) {
	return softmaxCrossEntropy(z, k, labels, 0)
}

// softmaxCrossEntropy is SoftmaxCrossEntropy adding the rows'
// cross-entropies to lossSum, one after another.
func softmaxCrossEntropy[T train.Float](z []T, k int, labels []uint8, lossSum float64) (float64, int) {
	var correct int
	for r := range len(z) / k {
		row := z[r*k : (r+1)*k]
		best, maxZ := 0, row[0]
		for j, v := range row {
			if v > maxZ {
				best, maxZ = j, v
			}
		}
		var label T
		if labels != nil {
			if best == int(labels[r]) {
				correct++
			}
			label = row[labels[r]]
		}
		var sum float64
		for j, v := range row {
			e := math.Exp(float64(v - maxZ))
			row[j] = T(e)
			sum += e
		}
		if labels != nil {
			lossSum += math.Log(sum) - float64(label-maxZ)
		}
		for j := range row {
			row[j] = T(float64(row[j]) / sum)
		}
	}
	return lossSum, correct
}

// CrossEntropyGrad writes into delta the gradient of the batch's mean
// cross-entropy with respect to the logits, given the softmax
// probabilities p (rows of k): (p − onehot(label)) / n.
func CrossEntropyGrad[T train.Float](delta, p []T, k int, labels []uint8) {
	inv := T(1) / T(len(labels))
	for r := range labels {
		d, pr := delta[r*k:(r+1)*k], p[r*k:(r+1)*k]
		for j := range d {
			d[j] = pr[j] * inv
		}
		d[labels[r]] -= inv
	}
}

// Gradient computes the batch's mean loss and overwrites the gradients.
func (m *MLP[T]) Gradient(x []T, labels []uint8) (loss float64, correct int) {
	ws := &m.trainWS
	lossSum, correct := m.forward(ws, x, labels)
	return m.backward(ws, x, labels, lossSum, correct)
}

// GradientColumns is Gradient for a compact batch, whose rows hold only
// the inputs in spans: the first layer multiplies just those (see
// sparse.go). It makes train.Stepper gather compact batches.
func (m *MLP[T]) GradientColumns(x []T, spans []dataset.Span, labels []uint8) (loss float64, correct int) {
	ws := &m.trainWS
	n := len(labels)
	if m.dense {
		return m.Gradient(ws.first.expand(x, spans, n, m.Inputs()), labels)
	}
	ws.first.use(x, spans, n)
	lossSum, correct := m.forwardPrepared(ws, nil, n, labels, 0)
	return m.backward(ws, nil, labels, lossSum, correct)
}

// backward finishes Gradient after the forward pass, which returned
// lossSum and correct; x is the dense input, nil when the first layer
// takes it from ws.first.
func (m *MLP[T]) backward(ws *workspace[T], x []T, labels []uint8, lossSum float64, correct int) (float64, int) {
	n, sizes := len(labels), m.cfg.Sizes
	L := len(sizes) - 1

	// Output layer: ∂loss/∂z = (p − onehot(label)) / n.
	CrossEntropyGrad(ws.delta[L][:n*sizes[L]], ws.act[L][:n*sizes[L]], sizes[L], labels)

	for l := L; l >= 1; l-- {
		in := x
		if l > 1 {
			in = ws.act[l-1][:n*sizes[l-1]]
		}
		d := ws.delta[l][:n*sizes[l]]
		// ∂loss/∂W[l] = a[l-1]ᵀ·δ[l];  ∂loss/∂b[l] = Σ_rows δ[l].
		if l == 1 && ws.first.sparse {
			ws.first.weightGrad(m.gradW[0], d, sizes[1])
		} else {
			linalg.Gemm(true, false, sizes[l-1], sizes[l], n, 1, in, sizes[l-1], d, sizes[l], 0, m.gradW[l-1], sizes[l])
		}
		gb := m.gradB[l-1]
		clear(gb)
		for r := range n {
			for j, v := range d[r*sizes[l] : (r+1)*sizes[l]] {
				gb[j] += v
			}
		}
		if l > 1 {
			// δ[l-1] = (δ[l]·W[l]ᵀ) ⊙ act'(z[l-1]).
			prev := ws.delta[l-1][:n*sizes[l-1]]
			linalg.Gemm(false, true, n, sizes[l-1], sizes[l], 1, d, sizes[l], m.weights[l-1], sizes[l], 0, prev, sizes[l-1])
			ActivationGrad(prev, in, m.cfg.Activation)
		}
	}
	return lossSum / float64(n), correct
}

// Evaluate returns the summed loss and the number of correct predictions
// without touching the gradients.
func (m *MLP[T]) Evaluate(x []T, labels []uint8) (lossSum float64, correct int) {
	return m.forward(&m.evalWS, x, labels)
}

// EvaluateColumns is Evaluate for a compact batch, whose rows hold only
// the inputs in spans, adding the batch's loss to lossSum row after row.
// It computes what Evaluate does with the dense batch, bit for bit: the
// sparse first layer where Evaluate would take it (which does not depend
// on the number of rows), otherwise the dense batch rebuilt. A batch may
// come in parts of RowGroup rows (see train.ColumnModel).
func (m *MLP[T]) EvaluateColumns(x []T, spans []dataset.Span, labels []uint8, lossSum float64) (float64, int) {
	ws := &m.evalWS
	n := len(labels)
	ws.first.use(x, spans, n)
	if m.dense || !worthSparse[T](n, ws.first.k, m.Inputs()) {
		// What Evaluate does with this batch: find would find these very
		// spans in it, and so the dense path too.
		ws.first.sparse = false
		return m.forwardPrepared(ws, ws.first.expand(x, spans, n, m.Inputs()), n, labels, lossSum)
	}
	return m.forwardPrepared(ws, nil, n, labels, lossSum)
}

// RowGroup is linalg's for T: every product of the forward pass is
// x·W with x's rows those of the batch, and the loss is summed row after
// row, so a batch in parts of a multiple of it comes out as a whole.
func (m *MLP[T]) RowGroup() int { return linalg.RowGroup[T]() }

// Predict writes the most probable class of each row of x into dst, which
// must hold len(x)/Inputs() entries, and returns it.
func (m *MLP[T]) Predict(dst []int, x []T) []int {
	n, k := len(x)/m.Inputs(), m.Outputs()
	m.forward(&m.evalWS, x, nil)
	for r := range n {
		p := m.evalWS.act[len(m.cfg.Sizes)-1][r*k : (r+1)*k]
		best := 0
		for j, v := range p {
			if v > p[best] {
				best = j
			}
		}
		dst[r] = best
	}
	return dst
}
