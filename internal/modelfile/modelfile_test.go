package modelfile

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"math"
	"slices"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	for _, dtype := range []string{"float32", "float64"} {
		in := File{Kind: "mlp", DType: dtype, Config: json.RawMessage(`{"sizes":[2,1]}`), Tensors: []Tensor{
			{Name: "W1", Values: []float64{0.5, -1.25}},
			{Name: "b1", Values: []float64{math.Inf(1)}},
		}}
		var buf bytes.Buffer
		if err := Write(&buf, in); err != nil {
			t.Fatal(err)
		}
		out, err := Read(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if out.Kind != in.Kind || out.DType != dtype || string(out.Config) != string(in.Config) || len(out.Tensors) != 2 ||
			!slices.Equal(out.Tensors[0].Values, in.Tensors[0].Values) || out.Tensors[1].Name != "b1" || !math.IsInf(out.Tensors[1].Values[0], 1) {
			t.Errorf("%s: got %+v", dtype, out)
		}
	}
	if err := Write(new(bytes.Buffer), File{DType: "int8"}); err == nil || err.Error() != `model file: unknown dtype "int8"` {
		t.Errorf("got %v", err)
	}
}

func FuzzRead(f *testing.F) {
	var buf bytes.Buffer
	Write(&buf, File{Kind: "mlp", DType: "float32", Config: json.RawMessage(`{}`), Tensors: []Tensor{{Name: "W", Values: []float64{1, 2}}}})
	f.Add(buf.Bytes())
	f.Add([]byte("SWEEPMDL"))
	f.Fuzz(func(t *testing.T, b []byte) {
		Read(bytes.NewReader(b)) // must not panic
	})
}

// TestCraftedLengths: a header that claims tensors larger than the file
// (even lengths whose byte count overflows) is refused before anything
// is allocated.
func TestCraftedLengths(t *testing.T) {
	for _, n := range []string{"1000000", "2305843009213693952", "9223372036854775807"} {
		var buf bytes.Buffer
		Write(&buf, File{Kind: "mlp", DType: "float64", Config: json.RawMessage(`{}`), Tensors: []Tensor{{Name: "W", Values: []float64{1, 2}}}})
		b := bytes.Replace(buf.Bytes(), []byte(`"len":2`), []byte(`"len":`+n), 1)
		// Fix the header length and the checksum, as a crafter would.
		hdr := len(b) - len(buf.Bytes()) + int(binary.LittleEndian.Uint32(b[len(magic)+4:]))
		binary.LittleEndian.PutUint32(b[len(magic)+4:], uint32(hdr))
		binary.LittleEndian.PutUint32(b[len(b)-4:], crc32.ChecksumIEEE(b[:len(b)-4]))
		if _, err := Read(bytes.NewReader(b)); err == nil || err.Error() != "model file: tensor W of "+n+" values does not fit the file" {
			t.Errorf("len %s: %v", n, err)
		}
	}
}
