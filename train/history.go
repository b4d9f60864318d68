package train

import "github.com/sweepml/sweep/record"

// Epoch is what one epoch of training measured: record.Epoch, the record
// every sweep objective reports, its figures in the named fields. Accuracies are fractions in [0, 1]. The
// training loss and accuracy are averages over the epoch's minibatches as
// they were trained (Keras's convention), so they cost nothing extra; the
// validation figures are measured after the epoch. Seconds is the
// wall-clock time since training began, at the end of the epoch (the
// notebook's cumulative "Training Time").
type Epoch = record.Epoch

// History is the record of one training run.
type History struct {
	Epochs []Epoch `json:"epochs"`
	// Stopped is true when the per-epoch callback ended training early.
	Stopped bool `json:"stopped,omitempty"`
}

// Last returns the final epoch, or the zero Epoch if there is none.
func (h History) Last() Epoch {
	if len(h.Epochs) == 0 {
		return Epoch{}
	}
	return h.Epochs[len(h.Epochs)-1]
}
