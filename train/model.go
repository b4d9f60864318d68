package train

import (
	"unsafe"

	"github.com/sweepml/sweep/dataset"
)

// Float is the element type of a model: float32 for speed, float64 for
// gradient checks.
type Float interface{ ~float32 | ~float64 }

// Tensor is one trainable tensor of a model (weights or biases) together
// with its gradient.
type Tensor[T Float] struct {
	Name  string
	Value []T
	Grad  []T
	// Decay says whether L2 weight decay applies: weights yes, biases no.
	Decay bool
}

// Model is a classifier that Fit can train. Batches are row-major: n rows
// of Inputs() features, with n = len(labels). A Model is used by one
// goroutine at a time.
type Model[T Float] interface {
	// Inputs is the number of features of one example.
	Inputs() int
	// Tensors lists the trainable tensors, always in the same order.
	Tensors() []Tensor[T]
	// Gradient computes the mean cross-entropy loss of the batch and
	// overwrites every Tensor's Grad with its gradient. It returns the loss
	// and how many examples the model classified correctly.
	Gradient(x []T, labels []uint8) (loss float64, correct int)
	// Evaluate computes, without touching gradients, the summed
	// cross-entropy loss of the batch and the number classified correctly.
	Evaluate(x []T, labels []uint8) (lossSum float64, correct int)
}

// ColumnModel is a Model that can train on a compact batch: only the
// input columns that some row uses, the rest being zero in every row. A
// Stepper gives it such batches, which skips converting and copying the
// blank margins of MNIST's digits.
type ColumnModel[T Float] interface {
	Model[T]
	// GradientColumns is Gradient for the batch x whose rows hold only
	// the inputs in spans (ascending, disjoint), one span after another;
	// every other input is zero.
	GradientColumns(x []T, spans []dataset.Span, labels []uint8) (loss float64, correct int)
	// EvaluateColumns is Evaluate for a compact batch, with the very
	// same result as Evaluate of the dense batch, bit for bit, the loss
	// added to lossSum row after row.
	EvaluateColumns(x []T, spans []dataset.Span, labels []uint8, lossSum float64) (float64, int)
	// RowGroup, when not 0, says that a batch given to EvaluateColumns in
	// consecutive parts — the same spans, each part but the last a
	// multiple of RowGroup rows, the loss so far passed on — comes out bit
	// for bit as the whole batch does. 0: whole batches only.
	RowGroup() int
}

// DType names the element type T: "float32" or "float64".
func DType[T Float]() string {
	var zero T
	if unsafe.Sizeof(zero) == 4 {
		return "float32"
	}
	return "float64"
}
