package residual

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/sweepml/sweep/dataset"
	"github.com/sweepml/sweep/internal/linalg"
	"github.com/sweepml/sweep/network"
	"github.com/sweepml/sweep/train"
)

// Shortcut is what a layer adds to its output.
type Shortcut string

// The shortcuts.
const (
	Plain      Shortcut = "plain"      // nothing: an ordinary layer
	Identity   Shortcut = "identity"   // + x
	Projection Shortcut = "projection" // + P·x, P learned, no bias
)

// initStream separates the initialisation's random stream from other users
// of the same seed.
const initStream = 0x1217

// Config describes a residual network.
type Config struct {
	// Sizes are the layer widths from input to output, e.g. 784,128,128,10.
	Sizes      []int              `json:"sizes"`
	Activation network.Activation `json:"activation"`
	// Init defaults to He for ReLU and leaky ReLU, Xavier otherwise.
	// Projections, being linear, start from LeCun's normal, std √(1/fan_in).
	Init network.Init `json:"init"`
	// PreActivation selects h = W·act(x) + b + shortcut(x).
	PreActivation bool `json:"pre_activation,omitempty"`
	// NoProjection leaves layers whose widths differ plain.
	NoProjection bool `json:"no_projection,omitempty"`
	// Seed drives the initial weights.
	Seed uint64 `json:"seed"`
}

// Validate reports the first invalid setting.
func (c Config) Validate() error {
	return c.mlp().Validate()
}

func (c Config) mlp() network.Config {
	return network.Config{Sizes: c.Sizes, Activation: c.Activation, Init: c.Init, Seed: c.Seed}
}

// Shortcuts lists the shortcut of each layer, input to output.
func (c Config) Shortcuts() []Shortcut {
	L := len(c.Sizes) - 1
	out := make([]Shortcut, L)
	for l := range L {
		switch {
		case l == L-1:
			out[l] = Plain
		case c.Sizes[l] == c.Sizes[l+1]:
			out[l] = Identity
		case c.NoProjection:
			out[l] = Plain
		default:
			out[l] = Projection
		}
	}
	return out
}

// Net is a residual MLP. Layer l (1…L) maps h[l-1] (n×sizes[l-1]; h[0] is
// the input) to, in the default post-activation form,
//
//	a[l] = act(h[l-1]·W[l]ᵀ + b[l])
//	h[l] = a[l] + S[l](h[l-1])        S: identity, projection ·P[l]ᵀ, or 0
//
// and in the pre-activation form
//
//	u[l] = act(h[l-1])   (u[1] = h[0])
//	h[l] = u[l]·W[l]ᵀ + b[l] + S[l](h[l-1])
//
// The output layer L is plain and has no activation after it in either
// form: h[L] are the logits, trained with softmax cross-entropy. A Net is
// used by one goroutine at a time.
type Net[T train.Float] struct {
	cfg       Config
	shortcuts []Shortcut
	// Per layer l (index l-1): weights, biases, projection (nil unless
	// the shortcut is a projection), and their gradients.
	w, b, p    [][]T
	gw, gb, gp [][]T
	params     []train.Tensor[T]

	trainWS, evalWS workspace[T]
}

// workspace holds per-batch intermediate values for up to rows rows.
type workspace[T train.Float] struct {
	rows int
	a    [][]T // a[l]: post-activation a[l], or pre-activation u[l] (l ≥ 2)
	h    [][]T // h[l]: layer outputs; h[L] holds the probabilities
	dh   [][]T // dh[l] = ∂loss/∂h[l]
	dz   [][]T // dz[l] = ∂loss/∂(h[l-1]·W[l]ᵀ + b[l]), post-activation only
}

// New returns a network with freshly initialised weights.
func New[T train.Float](cfg Config) (*Net[T], error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	n := newZero[T](cfg)
	rng := rand.New(rand.NewPCG(cfg.Seed, initStream))
	for l := range n.w {
		in, out := n.cfg.Sizes[l], n.cfg.Sizes[l+1]
		network.InitWeights(n.w[l], in, out, n.cfg.Init, rng)
		if n.p[l] != nil {
			// A projection is linear: LeCun's std √(1/fan_in) keeps the
			// signal's scale, where He's √(2/fan_in), made for ReLU,
			// would double its variance on top of the residual branch.
			std := math.Sqrt(1 / float64(in))
			for i := range n.p[l] {
				n.p[l][i] = T(std * rng.NormFloat64())
			}
		}
	}
	return n, nil
}

// newZero allocates a network of cfg's shape with all parameters zero.
func newZero[T train.Float](cfg Config) *Net[T] {
	cfg.Sizes = append([]int(nil), cfg.Sizes...)
	if cfg.Init == "" {
		cfg.Init = network.DefaultInit(cfg.Activation)
	}
	n := &Net[T]{cfg: cfg, shortcuts: cfg.Shortcuts()}
	for l := 1; l < len(cfg.Sizes); l++ {
		in, out := cfg.Sizes[l-1], cfg.Sizes[l]
		n.w = append(n.w, make([]T, out*in))
		n.b = append(n.b, make([]T, out))
		n.gw = append(n.gw, make([]T, out*in))
		n.gb = append(n.gb, make([]T, out))
		n.params = append(n.params,
			train.Tensor[T]{Name: fmt.Sprintf("W%d", l), Value: n.w[l-1], Grad: n.gw[l-1], Decay: true},
			train.Tensor[T]{Name: fmt.Sprintf("b%d", l), Value: n.b[l-1], Grad: n.gb[l-1]})
		var p, gp []T
		if n.shortcuts[l-1] == Projection {
			p, gp = make([]T, out*in), make([]T, out*in)
			n.params = append(n.params, train.Tensor[T]{Name: fmt.Sprintf("P%d", l), Value: p, Grad: gp, Decay: true})
		}
		n.p, n.gp = append(n.p, p), append(n.gp, gp)
	}
	return n
}

// Config returns the network's configuration (with defaults filled in).
func (n *Net[T]) Config() Config { c := n.cfg; c.Sizes = append([]int(nil), c.Sizes...); return c }

// Shortcuts lists each layer's shortcut.
func (n *Net[T]) Shortcuts() []Shortcut { return append([]Shortcut(nil), n.shortcuts...) }

// Inputs is the width of the input layer.
func (n *Net[T]) Inputs() int { return n.cfg.Sizes[0] }

// Params lists W1, b1, [P1,] W2, b2, [P2,] … with their gradients.
func (n *Net[T]) Tensors() []train.Tensor[T] { return n.params }

// String summarises the architecture once, saying which layers have an
// identity shortcut, a projection, or none, e.g. "ResMLP 784-128-128-10
// relu (he init, post-activation): 784→128 projection, 128→128 identity,
// 128→10 plain".
func (n *Net[T]) String() string {
	sizes := make([]string, len(n.cfg.Sizes))
	for i, s := range n.cfg.Sizes {
		sizes[i] = fmt.Sprint(s)
	}
	form := "post-activation"
	if n.cfg.PreActivation {
		form = "pre-activation"
	}
	layers := make([]string, len(n.shortcuts))
	for l, s := range n.shortcuts {
		layers[l] = fmt.Sprintf("%d→%d %s", n.cfg.Sizes[l], n.cfg.Sizes[l+1], s)
	}
	return fmt.Sprintf("ResMLP %s %s (%s init, %s): %s", strings.Join(sizes, "-"), n.cfg.Activation, n.cfg.Init, form, strings.Join(layers, ", "))
}

// Fit trains the network; see train.Fit.
func (n *Net[T]) Fit(ctx context.Context, trainSet, valSet dataset.View, cfg train.Config) (train.History, error) {
	return train.Fit[T](ctx, n, trainSet, valSet, cfg)
}

// reserve sizes ws for rows rows; it allocates only when rows grows.
func (n *Net[T]) reserve(ws *workspace[T], rows int) {
	if rows <= ws.rows {
		return
	}
	L := len(n.cfg.Sizes)
	ws.rows = rows
	ws.a, ws.h, ws.dh, ws.dz = make([][]T, L), make([][]T, L), make([][]T, L), make([][]T, L)
	training := ws == &n.trainWS // evaluation keeps no gradients
	for l := 1; l < L; l++ {
		size := rows * n.cfg.Sizes[l]
		ws.h[l] = make([]T, size)
		if training {
			ws.dh[l], ws.dz[l] = make([]T, size), make([]T, size)
		}
		// a[l] holds act(h[l-1]) in the pre-activation form.
		ws.a[l] = make([]T, rows*max(n.cfg.Sizes[l], n.cfg.Sizes[l-1]))
	}
}

// forward computes the probabilities into ws.h[L] and returns the summed
// loss and the number of correct predictions (labels nil: probabilities
// only).
func (n *Net[T]) forward(ws *workspace[T], x []T, labels []uint8) (lossSum float64, correct int) {
	rows, sizes, act := len(x)/n.Inputs(), n.cfg.Sizes, n.cfg.Activation
	n.reserve(ws, rows)
	L := len(sizes) - 1
	in := x // h[l-1]
	for l := 1; l <= L; l++ {
		width, inWidth := sizes[l], sizes[l-1]
		h := ws.h[l][:rows*width]
		if n.cfg.PreActivation {
			// h = act(h[l-1])·Wᵀ + b + S(h[l-1])
			u := in
			if l > 1 {
				u = ws.a[l][:rows*inWidth]
				copy(u, in)
				network.Activate(u, act)
			}
			affine(h, u, n.w[l-1], n.b[l-1], rows, inWidth, width)
		} else {
			// h = act(h[l-1]·Wᵀ + b) + S(h[l-1])
			if l == L {
				affine(h, in, n.w[l-1], n.b[l-1], rows, inWidth, width)
			} else {
				a := ws.a[l][:rows*width]
				affine(a, in, n.w[l-1], n.b[l-1], rows, inWidth, width)
				network.Activate(a, act)
				copy(h, a)
			}
		}
		switch n.shortcuts[l-1] {
		case Identity:
			for i, v := range in {
				h[i] += v
			}
		case Projection:
			linalg.Gemm(false, true, rows, width, inWidth, 1, in, inWidth, n.p[l-1], inWidth, 1, h, width)
		}
		in = h
	}
	return network.SoftmaxCrossEntropy(in, sizes[L], labels)
}

// affine sets out = in·Wᵀ + b for rows rows.
func affine[T train.Float](out, in, w, b []T, rows, inWidth, width int) {
	for r := range rows {
		copy(out[r*width:(r+1)*width], b)
	}
	linalg.Gemm(false, true, rows, width, inWidth, 1, in, inWidth, w, inWidth, 1, out, width)
}

// Gradient computes the batch's mean loss and overwrites the gradients.
func (n *Net[T]) Gradient(x []T, labels []uint8) (loss float64, correct int) {
	ws := &n.trainWS
	lossSum, correct := n.forward(ws, x, labels)
	rows, sizes, act := len(labels), n.cfg.Sizes, n.cfg.Activation
	L := len(sizes) - 1
	network.CrossEntropyGrad(ws.dh[L][:rows*sizes[L]], ws.h[L][:rows*sizes[L]], sizes[L], labels)

	for l := L; l >= 1; l-- {
		width, inWidth := sizes[l], sizes[l-1]
		in := x // h[l-1]
		if l > 1 {
			in = ws.h[l-1][:rows*inWidth]
		}
		dh := ws.dh[l][:rows*width]
		// dz: the gradient at the affine map's output, and u: its input.
		dz, u := dh, in
		if n.cfg.PreActivation {
			if l > 1 {
				u = ws.a[l][:rows*inWidth]
			}
		} else if l < L {
			dz = ws.dz[l][:rows*width]
			copy(dz, dh)
			network.ActivationGrad(dz, ws.a[l][:rows*width], act)
		}
		// ∂W = dzᵀ·u, ∂b = Σ_rows dz, ∂P = dhᵀ·h[l-1].
		linalg.Gemm(true, false, width, inWidth, rows, 1, dz, width, u, inWidth, 0, n.gw[l-1], inWidth)
		gb := n.gb[l-1]
		clear(gb)
		for r := range rows {
			for j, v := range dz[r*width : (r+1)*width] {
				gb[j] += v
			}
		}
		if n.shortcuts[l-1] == Projection {
			linalg.Gemm(true, false, width, inWidth, rows, 1, dh, width, in, inWidth, 0, n.gp[l-1], inWidth)
		}
		if l == 1 {
			break
		}
		// ∂h[l-1] = dz·W (through u: ⊙ act'(u) when pre-activation) + S'.
		prev := ws.dh[l-1][:rows*inWidth]
		linalg.Gemm(false, false, rows, inWidth, width, 1, dz, width, n.w[l-1], inWidth, 0, prev, inWidth)
		if n.cfg.PreActivation {
			network.ActivationGrad(prev, u, act)
		}
		switch n.shortcuts[l-1] {
		case Identity:
			for i, v := range dh {
				prev[i] += v
			}
		case Projection:
			linalg.Gemm(false, false, rows, inWidth, width, 1, dh, width, n.p[l-1], inWidth, 1, prev, inWidth)
		}
	}
	return lossSum / float64(rows), correct
}

// Evaluate returns the summed loss and the number of correct predictions
// without touching the gradients.
func (n *Net[T]) Evaluate(x []T, labels []uint8) (lossSum float64, correct int) {
	return n.forward(&n.evalWS, x, labels)
}
