package network

import (
	"encoding/json"
	"fmt"
	"io"
	"unsafe"

	"github.com/sweepml/sweep/internal/modelfile"
	"github.com/sweepml/sweep/train"
)

// kind identifies an MLP in a model file.
const kind = "mlp"

// DType names the element type T: "float32" or "float64".
func DType[T train.Float]() string {
	var zero T
	if unsafe.Sizeof(zero) == 4 {
		return "float32"
	}
	return "float64"
}

// Save writes the network's configuration and weights to w in the
// versioned model file format of package modelfile.
func (m *MLP[T]) Save(w io.Writer) error {
	cfg, err := json.Marshal(m.cfg)
	if err != nil {
		return err
	}
	f := modelfile.File{Kind: kind, DType: DType[T](), Config: cfg}
	for _, p := range m.params {
		values := make([]float64, len(p.Value))
		for i, v := range p.Value {
			values[i] = float64(v)
		}
		f.Tensors = append(f.Tensors, modelfile.Tensor{Name: p.Name, Values: values})
	}
	return modelfile.Write(w, f)
}

// Load reads a network saved by Save. A file saved in the other float type
// is converted.
func Load[T train.Float](r io.Reader) (*MLP[T], error) {
	f, err := modelfile.Read(r)
	if err != nil {
		return nil, err
	}
	if f.Kind != kind {
		return nil, fmt.Errorf("model file holds a %q model, not an %s", f.Kind, kind)
	}
	var cfg Config
	if err := json.Unmarshal(f.Config, &cfg); err != nil {
		return nil, fmt.Errorf("model file config: %w", err)
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("model file config: %w", err)
	}
	m := newZero[T](cfg.withDefaults())
	if len(f.Tensors) != len(m.params) {
		return nil, fmt.Errorf("model file has %d tensors, a %v network has %d", len(f.Tensors), cfg.Sizes, len(m.params))
	}
	for i, t := range f.Tensors {
		p := m.params[i]
		if t.Name != p.Name || len(t.Values) != len(p.Value) {
			return nil, fmt.Errorf("model file tensor %d is %s with %d values, want %s with %d", i, t.Name, len(t.Values), p.Name, len(p.Value))
		}
		for j, v := range t.Values {
			p.Value[j] = T(v)
		}
	}
	return m, nil
}
