// Package modelfile reads and writes trained models in sweep's versioned
// binary format:
//
//	magic    "SWEEPMDL"
//	version  uint32, little-endian (Version)
//	length   uint32, little-endian: bytes of the JSON header
//	header   JSON: kind, dtype, the model's config, tensor names and lengths
//	tensors  each tensor's values, little-endian float32 or float64
//	checksum uint32, little-endian: CRC-32 (IEEE) of everything before it
//
// A file of another version, a damaged file or a truncated one is refused
// with an error that says which.
package modelfile

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"

	"github.com/sweepml/sweep/train"
)

// Version is the format version this build writes and reads. Version 2
// stores an MLP's weight matrices fan-in × fan-out; version 1 stored them
// transposed, and its files are refused rather than misread.
const Version = 2

const magic = "SWEEPMDL"

// maxHeader bounds the JSON header so that a corrupt length cannot make
// the reader reserve unbounded memory.
const maxHeader = 1 << 20

// Tensor is one named array of parameters, held as float64 (exact for
// float32 values too).
type Tensor struct {
	Name   string
	Values []float64
}

// File is the content of a model file.
type File struct {
	Kind    string          // the model type, e.g. "mlp"
	DType   string          // "float32" or "float64": how values are stored
	Config  json.RawMessage // the model's configuration
	Tensors []Tensor
}

type header struct {
	Kind    string          `json:"kind"`
	DType   string          `json:"dtype"`
	Config  json.RawMessage `json:"config"`
	Tensors []tensorInfo    `json:"tensors"`
}

type tensorInfo struct {
	Name string `json:"name"`
	Len  int    `json:"len"`
}

// Write writes f to w.
func Write(w io.Writer, f File) error {
	width := 8
	switch f.DType {
	case "float64":
	case "float32":
		width = 4
	default:
		return fmt.Errorf("model file: unknown dtype %q", f.DType)
	}
	h := header{Kind: f.Kind, DType: f.DType, Config: f.Config}
	for _, t := range f.Tensors {
		h.Tensors = append(h.Tensors, tensorInfo{t.Name, len(t.Values)})
	}
	hj, err := json.Marshal(h)
	if err != nil {
		return fmt.Errorf("model file header: %w", err)
	}
	var buf bytes.Buffer
	buf.WriteString(magic)
	binary.Write(&buf, binary.LittleEndian, uint32(Version))
	binary.Write(&buf, binary.LittleEndian, uint32(len(hj)))
	buf.Write(hj)
	var word [8]byte
	for _, t := range f.Tensors {
		for _, v := range t.Values {
			if width == 4 {
				binary.LittleEndian.PutUint32(word[:], math.Float32bits(float32(v)))
			} else {
				binary.LittleEndian.PutUint64(word[:], math.Float64bits(v))
			}
			buf.Write(word[:width])
		}
	}
	binary.Write(&buf, binary.LittleEndian, crc32.ChecksumIEEE(buf.Bytes()))
	_, err = w.Write(buf.Bytes())
	return err
}

// ErrVersion is wrapped by the error Read returns for a file written in
// another format version.
var ErrVersion = errors.New("unsupported model file version")

// MaxBytes bounds a model file: 2²⁶ float64 parameters and their header
// (network.MaxParams), so that reading one never takes more memory than a
// model can have.
const MaxBytes = 8<<26 + 1<<20

// Read reads a model file from r.
func Read(r io.Reader) (File, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return File{}, err
	}
	if len(b) > MaxBytes {
		return File{}, fmt.Errorf("model file of over %d bytes: larger than any model sweep makes", MaxBytes)
	}
	if len(b) < len(magic)+8 || string(b[:len(magic)]) != magic {
		return File{}, errors.New("not a sweep model file (it does not start with " + magic + ")")
	}
	if v := binary.LittleEndian.Uint32(b[len(magic):]); v != Version {
		return File{}, fmt.Errorf("%w: the file is format version %d, this build of sweep reads version %d", ErrVersion, v, Version)
	}
	if len(b) < len(magic)+12 {
		return File{}, errors.New("model file is truncated")
	}
	body, sum := b[:len(b)-4], binary.LittleEndian.Uint32(b[len(b)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return File{}, errors.New("model file is damaged or truncated (checksum mismatch)")
	}
	rest := body[len(magic)+4:]
	n := int(binary.LittleEndian.Uint32(rest))
	rest = rest[4:]
	if n > maxHeader || n > len(rest) {
		return File{}, fmt.Errorf("model file header of %d bytes does not fit the file", n)
	}
	var h header
	if err := json.Unmarshal(rest[:n], &h); err != nil {
		return File{}, fmt.Errorf("model file header: %w", err)
	}
	rest = rest[n:]
	width := 8
	switch h.DType {
	case "float64":
	case "float32":
		width = 4
	default:
		return File{}, fmt.Errorf("model file: unknown dtype %q", h.DType)
	}
	f := File{Kind: h.Kind, DType: h.DType, Config: h.Config}
	for _, ti := range h.Tensors {
		if ti.Len < 0 || ti.Len > len(rest)/width { // checked before anything is allocated
			return File{}, fmt.Errorf("model file: tensor %s of %d values does not fit the file", ti.Name, ti.Len)
		}
		t := Tensor{Name: ti.Name, Values: make([]float64, ti.Len)}
		for i := range t.Values {
			if width == 4 {
				t.Values[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(rest[i*4:])))
			} else {
				t.Values[i] = math.Float64frombits(binary.LittleEndian.Uint64(rest[i*8:]))
			}
		}
		rest = rest[ti.Len*width:]
		f.Tensors = append(f.Tensors, t)
	}
	if len(rest) != 0 {
		return File{}, fmt.Errorf("model file: %d bytes after the last tensor", len(rest))
	}
	return f, nil
}

// Encode writes a model of the given kind and configuration whose
// parameters are params, stored in the element type T.
func Encode[T train.Float](w io.Writer, kind string, config any, params []train.Tensor[T]) error {
	cfg, err := json.Marshal(config)
	if err != nil {
		return fmt.Errorf("model file config: %w", err)
	}
	f := File{Kind: kind, DType: train.DType[T](), Config: cfg}
	for _, p := range params {
		values := make([]float64, len(p.Value))
		for i, v := range p.Value {
			values[i] = float64(v)
		}
		f.Tensors = append(f.Tensors, Tensor{Name: p.Name, Values: values})
	}
	return Write(w, f)
}

// Decode reads a model file that must hold a model of the given kind, and
// unmarshals its configuration into config.
func Decode(r io.Reader, kind string, config any) (File, error) {
	f, err := Read(r)
	if err != nil {
		return f, err
	}
	if f.Kind != kind {
		return f, fmt.Errorf("model file holds a %q model, not %q", f.Kind, kind)
	}
	if err := json.Unmarshal(f.Config, config); err != nil {
		return f, fmt.Errorf("model file config: %w", err)
	}
	return f, nil
}

// CopyInto copies the file's tensors into params, which must match them in
// order, names and lengths; values are converted to T.
func CopyInto[T train.Float](f File, params []train.Tensor[T]) error {
	if len(f.Tensors) != len(params) {
		return fmt.Errorf("model file has %d tensors, the model it describes has %d", len(f.Tensors), len(params))
	}
	for i, t := range f.Tensors {
		p := params[i]
		if t.Name != p.Name || len(t.Values) != len(p.Value) {
			return fmt.Errorf("model file tensor %d is %s with %d values, want %s with %d", i, t.Name, len(t.Values), p.Name, len(p.Value))
		}
		for j, v := range t.Values {
			p.Value[j] = T(v)
		}
	}
	return nil
}

// Load reads a model file of the given kind: build checks the decoded
// configuration and returns a model of its shape with that model's
// parameters, into which the file's values are copied (converted to T).
func Load[C any, M any, T train.Float](r io.Reader, kind string, build func(C) (M, []train.Tensor[T], error)) (M, error) {
	var zero M
	var cfg C
	f, err := Decode(r, kind, &cfg)
	if err != nil {
		return zero, err
	}
	m, params, err := build(cfg)
	if err != nil {
		return zero, fmt.Errorf("model file config: %w", err)
	}
	if err := CopyInto(f, params); err != nil {
		return zero, err
	}
	return m, nil
}
