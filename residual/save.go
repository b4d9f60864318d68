package residual

import (
	"io"

	"github.com/sweepml/sweep/internal/modelfile"
	"github.com/sweepml/sweep/train"
)

// FileKind identifies a residual network in a model file.
const FileKind = "resnet"

// Save writes the network's configuration and weights to w in the
// versioned model file format of package modelfile.
func (n *Net[T]) Save(w io.Writer) error {
	return modelfile.Encode(w, FileKind, n.cfg, n.params)
}

// Load reads a network saved by Save. A file saved in the other float type
// is converted.
func Load[T train.Float](r io.Reader) (*Net[T], error) {
	return modelfile.Load(r, FileKind, func(cfg Config) (*Net[T], []train.Tensor[T], error) {
		if err := cfg.Validate(); err != nil {
			return nil, nil, err
		}
		n := newZero[T](cfg)
		return n, n.params, nil
	})
}
