package train

import (
	"fmt"
	"math"

	"github.com/sweepml/sweep/internal/linalg"
)

// OptimizerKind names an update rule.
type OptimizerKind string

// The update rules.
const (
	SGD      OptimizerKind = "sgd"
	Momentum OptimizerKind = "momentum"
	Adam     OptimizerKind = "adam"
)

// OptimizerKinds lists the valid kinds, for messages and flag help.
var OptimizerKinds = []OptimizerKind{SGD, Momentum, Adam}

// Optimizer configures how parameters move along their gradients.
//
// With g the gradient plus WeightDecay·w (weights only, not biases) and lr
// the scheduled learning rate:
//
//	sgd:       w -= lr·g
//	momentum:  v = μ·v + g;  w -= lr·v            (PyTorch's form)
//	nesterov:  v = μ·v + g;  w -= lr·(g + μ·v)
//	adam:      m = β₁m + (1-β₁)g;  s = β₂s + (1-β₂)g²
//	           w -= lr·(m/(1-β₁ᵗ)) / (√(s/(1-β₂ᵗ)) + ε)
//
// Weight decay is the classic L2 penalty added to the gradient, for Adam
// too (not AdamW's decoupled decay).
type Optimizer struct {
	Kind        OptimizerKind `json:"kind"`
	LR          float64       `json:"lr"`
	Momentum    float64       `json:"momentum,omitempty"` // μ; momentum only
	Nesterov    bool          `json:"nesterov,omitempty"` // momentum only
	Beta1       float64       `json:"beta1,omitempty"`    // adam; 0 means 0.9
	Beta2       float64       `json:"beta2,omitempty"`    // adam; 0 means 0.999
	Epsilon     float64       `json:"epsilon,omitempty"`  // adam; 0 means 1e-8
	WeightDecay float64       `json:"weight_decay,omitempty"`
}

// Validate reports the first invalid setting.
func (o Optimizer) Validate() error {
	switch o.Kind {
	case SGD, Adam:
	case Momentum:
		if !(o.Momentum >= 0 && o.Momentum < 1) {
			return fmt.Errorf("momentum %v out of range [0, 1)", o.Momentum)
		}
	default:
		return fmt.Errorf("unknown optimizer %q (want one of %v)", o.Kind, OptimizerKinds)
	}
	if o.Nesterov && o.Kind != Momentum {
		return fmt.Errorf("nesterov applies to the momentum optimizer, not %s", o.Kind)
	}
	if !(o.LR > 0) || math.IsInf(o.LR, 0) {
		return fmt.Errorf("learning rate %v must be positive and finite", o.LR)
	}
	if !(o.WeightDecay >= 0) || math.IsInf(o.WeightDecay, 0) {
		return fmt.Errorf("weight decay %v must be ≥ 0 and finite", o.WeightDecay)
	}
	for _, b := range []float64{o.Beta1, o.Beta2} {
		if !(b >= 0 && b < 1) {
			return fmt.Errorf("adam beta %v out of range [0, 1)", b)
		}
	}
	if !(o.Epsilon >= 0) {
		return fmt.Errorf("adam epsilon %v must be ≥ 0", o.Epsilon)
	}
	return nil
}

func (o Optimizer) withDefaults() Optimizer {
	if o.Beta1 == 0 {
		o.Beta1 = 0.9
	}
	if o.Beta2 == 0 {
		o.Beta2 = 0.999
	}
	if o.Epsilon == 0 {
		o.Epsilon = 1e-8
	}
	return o
}

// optimizer holds the state of an update rule for one model's parameters.
type optimizer[T Float] struct {
	cfg    Optimizer
	params []Tensor[T]
	first  [][]T // momentum velocity, or Adam's first moment
	second [][]T // Adam's second moment
	steps  int
}

func newOptimizer[T Float](cfg Optimizer, params []Tensor[T]) *optimizer[T] {
	o := &optimizer[T]{cfg: cfg.withDefaults(), params: params}
	if cfg.Kind == Momentum || cfg.Kind == Adam {
		o.first = zerosLike(params)
	}
	if cfg.Kind == Adam {
		o.second = zerosLike(params)
	}
	return o
}

func zerosLike[T Float](params []Tensor[T]) [][]T {
	out := make([][]T, len(params))
	for i, p := range params {
		out[i] = make([]T, len(p.Value))
	}
	return out
}

// update moves every parameter one step with learning rate lr. SGD and
// momentum are written as BLAS vector operations (SIMD; they dominate a
// per-sample step), in the order of the formulas above, so that they round
// exactly as the formulas do. The gradient is overwritten: the next
// Gradient call replaces it anyway.
func (o *optimizer[T]) update(lr float64) {
	o.steps++
	rate := T(lr)
	for i, p := range o.params {
		w, g := p.Value, p.Grad[:len(p.Value)]
		var decay T
		if p.Decay {
			decay = T(o.cfg.WeightDecay)
		}
		switch o.cfg.Kind {
		case SGD, Momentum:
			if decay != 0 {
				linalg.Axpy(decay, w, g) // g = g + decay·w
			}
			if o.cfg.Kind == Momentum {
				mu, v := T(o.cfg.Momentum), o.first[i][:len(w)]
				if !o.cfg.Nesterov { // v = μ·v + g; w = w − lr·v, in one pass
					linalg.Momentum(mu, -rate, v, g, w)
					continue
				}
				linalg.Scal(mu, v) // v = μ·v + g
				linalg.Axpy(1, g, v)
				linalg.Axpy(mu, v, g) // Nesterov's step: g + μ·v
			}
			linalg.Axpy(-rate, g, w) // w = w − lr·step
		case Adam:
			b1, b2, eps := T(o.cfg.Beta1), T(o.cfg.Beta2), o.cfg.Epsilon
			c1 := T(1 - math.Pow(o.cfg.Beta1, float64(o.steps)))
			c2 := 1 - math.Pow(o.cfg.Beta2, float64(o.steps))
			m, s := o.first[i][:len(w)], o.second[i][:len(w)]
			for j := range w {
				gj := g[j] + decay*w[j]
				m[j] = b1*m[j] + (1-b1)*gj
				s[j] = b2*s[j] + (1-b2)*gj*gj
				w[j] -= rate * (m[j] / c1) / T(math.Sqrt(float64(s[j])/c2)+eps)
			}
		}
	}
}
