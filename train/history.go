package train

// Epoch is what one epoch of training measured. Accuracies are fractions in
// [0, 1]. The training loss and accuracy are averages over the epoch's
// minibatches as they were trained (Keras's convention), so they cost
// nothing extra; the validation figures are measured after the epoch.
type Epoch struct {
	Epoch         int     `json:"epoch"` // from 1
	LR            float64 `json:"lr"`
	TrainLoss     float64 `json:"train_loss"`
	TrainAccuracy float64 `json:"train_accuracy"`
	ValLoss       float64 `json:"val_loss"`
	ValAccuracy   float64 `json:"val_accuracy"`
	// Seconds is the wall-clock time since training began, at the end of
	// this epoch (the notebook's cumulative "Training Time"). It is the
	// only field that differs between two runs with the same seed.
	Seconds float64 `json:"seconds"`
}

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
