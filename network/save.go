package network

import (
	"io"

	"github.com/sweepml/sweep/internal/modelfile"
	"github.com/sweepml/sweep/train"
)

// FileKind identifies an MLP in a model file.
const FileKind = "mlp"

// Save writes the network's configuration and weights to w in the
// versioned model file format of package modelfile.
func (m *MLP[T]) Save(w io.Writer) error {
	return modelfile.Encode(w, FileKind, m.cfg, m.params)
}

// Load reads a network saved by Save. A file saved in the other float type
// is converted.
func Load[T train.Float](r io.Reader) (*MLP[T], error) {
	return modelfile.Load(r, FileKind, func(cfg Config) (*MLP[T], []train.Tensor[T], error) {
		if err := cfg.Validate(); err != nil {
			return nil, nil, err
		}
		m := newZero[T](cfg.withDefaults())
		return m, m.params, nil
	})
}
