package autodiff

import (
	"fmt"
	"io"
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/gobackend"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/sweepml/sweep/internal/modelfile"
	"github.com/sweepml/sweep/network"
	"github.com/sweepml/sweep/residual"
	"github.com/sweepml/sweep/train"
)

// Float is the element type of a Net: GoMLX takes float32 and float64
// themselves, not types derived from them.
type Float interface{ float32 | float64 }

// NewBackend returns GoMLX's pure-Go backend. One backend can serve many
// networks.
func NewBackend() (compute.Backend, error) {
	b, err := gobackend.New("")
	if err != nil {
		return nil, fmt.Errorf("GoMLX Go backend: %w", err)
	}
	return b, nil
}

// Layer is one layer of the architecture: its widths and its shortcut.
type Layer struct {
	In, Out  int
	Shortcut residual.Shortcut
}

// Arch is the shape of a network: an MLP is the case where every shortcut
// is plain and the activation follows the weights.
type Arch struct {
	Name          string // for String, e.g. "MLP 784-128-64-10 relu"
	Layers        []Layer
	Activation    network.Activation
	PreActivation bool
	// FanInFirst says that the layers' weight matrices W are stored
	// In×Out, as network.MLP stores them, rather than Out×In, as
	// residual.Net stores them and its projection shortcuts P.
	FanInFirst bool
}

// Net is a network whose loss and gradients GoMLX computes. Its
// parameters live in Go slices, in the same order and with the same names
// as its scratch twin's, and package train's optimizers update them. A Net
// is used by one goroutine at a time.
type Net[T Float] struct {
	arch     Arch
	kind     string // the scratch twin's model file kind and config, for Save
	config   any
	backend  compute.Backend
	params   []train.Tensor[T]
	dims     [][]int // each parameter's tensor dimensions
	gradient *graph.Exec
	evaluate *graph.Exec
}

// FromMLP returns a GoMLX network with m's architecture and a copy of its
// current weights.
func FromMLP[T Float](backend compute.Backend, m *network.MLP[T]) (*Net[T], error) {
	cfg := m.Config()
	arch := Arch{Name: strings.TrimSuffix(m.String(), fmt.Sprintf(" (%s init)", cfg.Init)), Activation: cfg.Activation, FanInFirst: true}
	for l := 1; l < len(cfg.Sizes); l++ {
		arch.Layers = append(arch.Layers, Layer{In: cfg.Sizes[l-1], Out: cfg.Sizes[l], Shortcut: residual.Plain})
	}
	return newNet(backend, arch, network.FileKind, cfg, m.Tensors())
}

// FromResidual returns a GoMLX network with n's architecture and a copy of
// its current weights.
func FromResidual[T Float](backend compute.Backend, n *residual.Net[T]) (*Net[T], error) {
	cfg := n.Config()
	arch := Arch{Name: n.String(), Activation: cfg.Activation, PreActivation: cfg.PreActivation}
	for l, s := range n.Shortcuts() {
		arch.Layers = append(arch.Layers, Layer{In: cfg.Sizes[l], Out: cfg.Sizes[l+1], Shortcut: s})
	}
	return newNet(backend, arch, residual.FileKind, cfg, n.Tensors())
}

// newNet copies the source parameters, which come per layer as W, b and,
// for projection shortcuts, P.
func newNet[T Float](backend compute.Backend, arch Arch, kind string, config any, source []train.Tensor[T]) (*Net[T], error) {
	n := &Net[T]{arch: arch, backend: backend, kind: kind, config: config}
	i := 0
	for _, l := range arch.Layers {
		want := [][]int{{l.Out, l.In}, {l.Out}}
		if arch.FanInFirst {
			want[0] = []int{l.In, l.Out}
		}
		if l.Shortcut == residual.Projection {
			want = append(want, []int{l.Out, l.In})
		}
		for _, dims := range want {
			if i >= len(source) {
				return nil, fmt.Errorf("autodiff: the source model has %d parameters, its architecture needs more", len(source))
			}
			p := source[i]
			if size := dims[0] * dims[len(dims)-1]; len(dims) == 1 && len(p.Value) != dims[0] || len(dims) == 2 && len(p.Value) != size {
				return nil, fmt.Errorf("autodiff: parameter %s has %d values, want %v", p.Name, len(p.Value), dims)
			}
			n.params = append(n.params, train.Tensor[T]{
				Name: p.Name, Value: append([]T(nil), p.Value...), Grad: make([]T, len(p.Value)), Decay: p.Decay,
			})
			n.dims = append(n.dims, dims)
			i++
		}
	}
	if i != len(source) {
		return nil, fmt.Errorf("autodiff: the source model has %d parameters, its architecture %d", len(source), i)
	}
	var err error
	if n.gradient, err = graph.NewExec(backend, n.gradientGraph); err != nil {
		return nil, fmt.Errorf("autodiff: %w", err)
	}
	if n.evaluate, err = graph.NewExec(backend, n.evaluateGraph); err != nil {
		return nil, fmt.Errorf("autodiff: %w", err)
	}
	return n, nil
}

// Inputs is the width of the input layer.
func (n *Net[T]) Inputs() int { return n.arch.Layers[0].In }

// Params lists the parameters with their gradients, in the scratch twin's
// order.
func (n *Net[T]) Tensors() []train.Tensor[T] { return n.params }

// String describes the network, e.g. "GoMLX MLP 784-128-64-10 relu".
func (n *Net[T]) String() string { return "GoMLX " + n.arch.Name }

// Save writes the network in its scratch twin's model file format, so
// that network.Load or residual.Load reads it.
func (n *Net[T]) Save(w io.Writer) error {
	return modelfile.Encode(w, n.kind, n.config, n.params)
}

// dtype is GoMLX's name for T.
func (n *Net[T]) dtype() dtypes.DType { return dtypes.FromGenericsType[T]() }

// logits builds the forward pass: inputs are the parameters in order,
// then the batch x (rows × Inputs).
func (n *Net[T]) logits(params []*graph.Node, x *graph.Node) *graph.Node {
	product := "ni,oi->no" // in·Wᵀ
	if n.arch.FanInFirst {
		product = "ni,io->no" // in·W
	}
	affine := func(in, w, b *graph.Node) *graph.Node {
		z := graph.Einsum(product, in, w)
		return graph.Add(z, graph.BroadcastToShape(graph.InsertAxes(b, 0), z.Shape()))
	}
	h, i := x, 0
	last := len(n.arch.Layers) - 1
	for l, layer := range n.arch.Layers {
		w, b := params[i], params[i+1]
		i += 2
		var out *graph.Node
		switch {
		case n.arch.PreActivation && l > 0:
			out = affine(n.activate(h), w, b)
		case n.arch.PreActivation || l == last:
			out = affine(h, w, b)
		default:
			out = n.activate(affine(h, w, b))
		}
		switch layer.Shortcut {
		case residual.Identity:
			out = graph.Add(out, h)
		case residual.Projection:
			out = graph.Add(out, graph.Einsum("ni,oi->no", h, params[i]))
			i++
		}
		h = out
	}
	return h
}

// activate applies the activation with the same conventions as the scratch
// networks: the ReLUs' derivative at exactly 0 is that of the negative side.
func (n *Net[T]) activate(x *graph.Node) *graph.Node {
	switch n.arch.Activation {
	case network.Sigmoid:
		return graph.Sigmoid(x)
	case network.Tanh:
		return graph.Tanh(x)
	case network.LeakyReLU:
		return graph.Where(graph.GreaterThan(x, graph.ZerosLike(x)), x, graph.MulScalar(x, network.LeakySlope))
	default:
		return graph.Where(graph.GreaterThan(x, graph.ZerosLike(x)), x, graph.ZerosLike(x))
	}
}

// lossAndCorrect returns the summed cross-entropy of the batch and the
// number of rows whose largest logit is the label's.
func (n *Net[T]) lossAndCorrect(logits, labels *graph.Node) (lossSum, correct *graph.Node) {
	k := n.arch.Layers[len(n.arch.Layers)-1].Out
	onehot := graph.OneHot(labels, k, n.dtype())
	lossSum = graph.Neg(graph.ReduceAllSum(graph.Mul(onehot, graph.LogSoftmax(logits))))
	hits := graph.Equal(graph.ArgMax(logits, -1, dtypes.Int32), labels)
	correct = graph.ReduceAllSum(graph.ConvertDType(hits, dtypes.Int32))
	return lossSum, correct
}

// gradientGraph: inputs params…, x, labels; outputs mean loss, correct,
// and one gradient per parameter.
func (n *Net[T]) gradientGraph(inputs []*graph.Node) []*graph.Node {
	params := inputs[:len(n.params)]
	x, labels := inputs[len(n.params)], inputs[len(n.params)+1]
	lossSum, correct := n.lossAndCorrect(n.logits(params, x), labels)
	loss := graph.DivScalar(lossSum, labels.Shape().Dimensions[0])
	return append([]*graph.Node{loss, correct}, graph.Gradient(loss, params...)...)
}

// evaluateGraph: inputs params…, x, labels; outputs summed loss, correct.
func (n *Net[T]) evaluateGraph(inputs []*graph.Node) []*graph.Node {
	params := inputs[:len(n.params)]
	x, labels := inputs[len(n.params)], inputs[len(n.params)+1]
	lossSum, correct := n.lossAndCorrect(n.logits(params, x), labels)
	return []*graph.Node{lossSum, correct}
}

// run executes exec on the current parameters and the batch.
func (n *Net[T]) run(exec *graph.Exec, x []T, labels []uint8) ([]*tensors.Tensor, error) {
	args := make([]any, 0, len(n.params)+2)
	for i, p := range n.params {
		args = append(args, tensors.FromFlatDataAndDimensions(p.Value, n.dims[i]...))
	}
	ids := make([]int32, len(labels))
	for i, l := range labels {
		ids[i] = int32(l)
	}
	args = append(args, tensors.FromFlatDataAndDimensions(x, len(labels), n.Inputs()), tensors.FromFlatDataAndDimensions(ids, len(ids)))
	out, err := exec.Call(args...)
	for _, a := range args {
		a.(*tensors.Tensor).FinalizeAll()
	}
	return out, err
}

// Gradient computes the batch's mean loss and overwrites the gradients.
// A GoMLX error cannot happen for a well-formed network; one that does is
// a bug and panics (a sweep records the trial as failed with its message).
func (n *Net[T]) Gradient(x []T, labels []uint8) (loss float64, correct int) {
	out, err := n.run(n.gradient, x, labels)
	if err != nil {
		panic(fmt.Sprintf("autodiff: GoMLX gradient graph: %v", err))
	}
	defer finalize(out)
	loss = float64(tensors.ToScalar[T](out[0]))
	correct = int(tensors.ToScalar[int32](out[1]))
	for i, p := range n.params {
		tensors.MustConstFlatData(out[2+i], func(flat []T) { copy(p.Grad, flat) })
	}
	return loss, correct
}

// Evaluate returns the summed loss and the number of correct predictions.
func (n *Net[T]) Evaluate(x []T, labels []uint8) (lossSum float64, correct int) {
	out, err := n.run(n.evaluate, x, labels)
	if err != nil {
		panic(fmt.Sprintf("autodiff: GoMLX evaluation graph: %v", err))
	}
	defer finalize(out)
	return float64(tensors.ToScalar[T](out[0])), int(tensors.ToScalar[int32](out[1]))
}

func finalize(ts []*tensors.Tensor) {
	for _, t := range ts {
		t.FinalizeAll()
	}
}
