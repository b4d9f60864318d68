package dataset

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"testing"
)

// idx builds an IDX file of unsigned bytes.
func idx(dims []int, data []byte) []byte {
	var b bytes.Buffer
	b.Write([]byte{0, 0, typeUint8, byte(len(dims))})
	for _, d := range dims {
		binary.Write(&b, binary.BigEndian, uint32(d))
	}
	b.Write(data)
	return b.Bytes()
}

func gz(b []byte) []byte {
	var out bytes.Buffer
	w := gzip.NewWriter(&out)
	w.Write(b)
	w.Close()
	return out.Bytes()
}

func TestReadImagesRawAndGzip(t *testing.T) {
	pixels := []byte{0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255}
	file := idx([]int{2, 2, 3}, pixels)
	for name, b := range map[string][]byte{"raw": file, "gzip": gz(file)} {
		im, err := ReadImages(bytes.NewReader(b), name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if im.Count != 2 || im.Rows != 2 || im.Cols != 3 || !bytes.Equal(im.Pixels, pixels) {
			t.Errorf("%s: got %d×%d×%d %v", name, im.Count, im.Rows, im.Cols, im.Pixels)
		}
	}
}

func TestReadLabels(t *testing.T) {
	labels, err := ReadLabels(bytes.NewReader(gz(idx([]int{4}, []byte{5, 0, 4, 1}))), "labels")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(labels, []byte{5, 0, 4, 1}) {
		t.Errorf("labels = %v", labels)
	}
}

// TestReadErrors is the catalogue of broken files and the exact message
// each one gets.
func TestReadErrors(t *testing.T) {
	images := idx([]int{2, 2, 2}, make([]byte, 8))
	tests := []struct {
		name   string
		labels bool // read as a label file
		file   []byte
		want   string
	}{
		{"empty", false, nil, "f: truncated: no IDX header (unexpected EOF)"},
		{"short header", false, []byte{0, 0, 8}, "f: truncated: no IDX header (unexpected EOF)"},
		{"labels as images", false, idx([]int{3}, []byte{1, 2, 3}), "f: wrong magic number 0x00000801, want 0x00000803 (an idx3-ubyte image file)"},
		{"images as labels", true, images, "f: wrong magic number 0x00000803, want 0x00000801 (an idx1-ubyte label file)"},
		{"float elements", true, append([]byte{0, 0, 0x0d, 1}, 0, 0, 0, 1, 0, 0, 0, 0), "f: wrong magic number 0x00000d01, want 0x00000801 (an idx1-ubyte label file)"},
		{"dimensions cut", false, images[:9], "f: truncated: header ends before dimension 2 (unexpected EOF)"},
		{"zero dimension", false, idx([]int{0, 28, 28}, nil), "f: dimension 1 is zero"},
		{"huge dimensions", false, idx([]int{1 << 20, 1 << 10, 1 << 10}, nil), "f: dimensions [1048576 1024 1024] announce more than 1073741824 bytes"},
		{"data cut", false, images[:len(images)-3], "f: truncated: header 2×2×2 announces 8 bytes of data, file holds 5"},
		{"trailing data", false, append(append([]byte(nil), images...), 7), "f: trailing data after the 8 bytes announced by header 2×2×2"},
		{"gzip header cut", false, gz(images)[:5], "f: bad gzip stream: unexpected EOF"},
		{"gzip cut", false, gz(images)[:15], "f: truncated: header ends before dimension 1 (unexpected EOF)"},
	}
	for _, tt := range tests {
		var err error
		if tt.labels {
			_, err = ReadLabels(bytes.NewReader(tt.file), "f")
		} else {
			_, err = ReadImages(bytes.NewReader(tt.file), "f")
		}
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s:\n got %v\nwant %s", tt.name, err, tt.want)
		}
	}
}

func TestReadTruncatedGzipPayload(t *testing.T) {
	// A gzip stream cut inside its compressed data: the error must say so,
	// not report a short but valid file.
	file := gz(idx([]int{50, 28, 28}, bytes.Repeat([]byte{1, 2, 3, 200}, 50*28*7)))
	_, err := ReadImages(bytes.NewReader(file[:len(file)/2]), "cut.gz")
	if err == nil {
		t.Fatal("no error for a truncated gzip file")
	}
	if got := err.Error(); got != "cut.gz: reading data: unexpected EOF" {
		t.Errorf("got %q", got)
	}
}

func FuzzReadIDX(f *testing.F) {
	f.Add(idx([]int{2, 2, 2}, make([]byte, 8)))
	f.Add(gz(idx([]int{1, 3, 1}, []byte{1, 2, 3})))
	f.Add(idx([]int{3}, []byte{1, 2, 3}))
	f.Add([]byte{0x1f, 0x8b, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		if im, err := ReadImages(bytes.NewReader(b), "fuzz"); err == nil {
			if len(im.Pixels) != im.Count*im.Rows*im.Cols || im.Count == 0 {
				t.Fatalf("accepted %d×%d×%d with %d pixels", im.Count, im.Rows, im.Cols, len(im.Pixels))
			}
		}
		if labels, err := ReadLabels(bytes.NewReader(b), "fuzz"); err == nil && len(labels) == 0 {
			t.Fatal("accepted an empty label file")
		}
	})
}
