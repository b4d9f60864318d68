package dataset

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// maxIDXBytes bounds the payload a header may announce, so a corrupt or
// hostile header cannot make the reader reserve unbounded memory. The MNIST
// training images are 47 MB.
const maxIDXBytes = 1 << 30

// typeUint8 is the IDX element type code for unsigned bytes, the only one
// used by MNIST-style data sets.
const typeUint8 = 0x08

// Images is a set of same-sized grayscale images stored one byte per pixel,
// row-major, image after image. It is shared read-only by every user.
type Images struct {
	Count, Rows, Cols int
	Pixels            []uint8
}

// Pixels per image.
func (im *Images) Size() int { return im.Rows * im.Cols }

// ReadImages reads an idx3-ubyte image file, gzip-compressed or raw. name is
// used in errors only.
func ReadImages(r io.Reader, name string) (*Images, error) {
	im, _, err := ReadFirstImages(r, name, 0)
	return im, err
}

// ReadFirstImages reads the first n images of an idx3-ubyte image file
// (all of them when n ≤ 0 or the file holds fewer), decoding nothing after
// them, and returns them with the number of images the file holds.
// Nothing after the first n is checked.
func ReadFirstImages(r io.Reader, name string, n int) (*Images, int, error) {
	dims, data, err := readIDX(r, 3, n)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", name, err)
	}
	im := &Images{Count: len(data) / (dims[1] * dims[2]), Rows: dims[1], Cols: dims[2], Pixels: data}
	return im, dims[0], nil
}

// ReadLabels reads an idx1-ubyte label file, gzip-compressed or raw. name is
// used in errors only.
func ReadLabels(r io.Reader, name string) ([]uint8, error) {
	_, data, err := readIDX(r, 1, 0)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return data, nil
}

// readIDX reads an IDX file of unsigned bytes with the wanted number of
// dimensions and returns its dimensions and payload: the first limit
// items of the first dimension, or all of them when limit ≤ 0 or the file
// holds fewer. It checks the magic number, that no dimension is zero, and,
// reading it all, that the payload is exactly as long as the header says
// and that nothing follows it.
func readIDX(r io.Reader, wantDims, limit int) ([]int, []byte, error) {
	br := bufio.NewReader(r)
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, fmt.Errorf("bad gzip stream: %w", err)
		}
		defer zr.Close()
		br = bufio.NewReader(zr)
	}

	var head [4]byte
	if _, err := io.ReadFull(br, head[:]); err != nil {
		return nil, nil, fmt.Errorf("truncated: no IDX header (%w)", noEOF(err))
	}
	want := uint32(typeUint8)<<8 | uint32(wantDims)
	got := binary.BigEndian.Uint32(head[:])
	if got != want {
		return nil, nil, fmt.Errorf("wrong magic number 0x%08x, want 0x%08x (%s)", got, want, idxKind(wantDims))
	}

	dims := make([]int, wantDims)
	size := 1
	for i := range dims {
		var d [4]byte
		if _, err := io.ReadFull(br, d[:]); err != nil {
			return nil, nil, fmt.Errorf("truncated: header ends before dimension %d (%w)", i+1, noEOF(err))
		}
		n := int(binary.BigEndian.Uint32(d[:]))
		if n == 0 {
			return nil, nil, fmt.Errorf("dimension %d is zero", i+1)
		}
		dims[i] = n
		if n > maxIDXBytes || size*n > maxIDXBytes {
			return nil, nil, fmt.Errorf("dimensions %v announce more than %d bytes", dims[:i+1], maxIDXBytes)
		}
		size *= n
	}
	whole := limit <= 0 || limit >= dims[0]
	if !whole {
		size = size / dims[0] * limit
	}
	data, err := readPayload(br, size)
	if err != nil {
		return nil, nil, err
	}
	if len(data) < size {
		return nil, nil, fmt.Errorf("truncated: header %s announces %d bytes of data, file holds %d", dimString(dims), size, len(data))
	}
	if !whole {
		return dims, data, nil
	}
	if _, err := br.ReadByte(); err == nil {
		return nil, nil, fmt.Errorf("trailing data after the %d bytes announced by header %s", size, dimString(dims))
	} else if err != io.EOF {
		return nil, nil, fmt.Errorf("reading data: %w", err)
	}
	return dims, data, nil
}

// exactUpTo is the largest payload read straight into a buffer of the
// announced size (the MNIST training images, 47 MB, are): one allocation,
// no copy. A larger announcement is trusted only as far as data arrives,
// so a lying header costs what the file holds.
const exactUpTo = 64 << 20

// readPayload reads up to size bytes, fewer only at the end of the data.
func readPayload(r io.Reader, size int) ([]byte, error) {
	if size > exactUpTo {
		var buf bytes.Buffer
		buf.Grow(1 << 20)
		if _, err := buf.ReadFrom(io.LimitReader(r, int64(size))); err != nil {
			return nil, fmt.Errorf("reading data: %w", err)
		}
		return buf.Bytes(), nil
	}
	data := make([]byte, size)
	n := 0
	for n < size {
		m, err := r.Read(data[n:])
		n += m
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading data: %w", err)
		}
	}
	return data[:n], nil
}

func idxKind(dims int) string {
	switch dims {
	case 1:
		return "an idx1-ubyte label file"
	case 3:
		return "an idx3-ubyte image file"
	}
	return fmt.Sprintf("an IDX file of unsigned bytes with %d dimensions", dims)
}

func dimString(dims []int) string {
	var b bytes.Buffer
	for i, d := range dims {
		if i > 0 {
			b.WriteString("×")
		}
		fmt.Fprint(&b, d)
	}
	return b.String()
}

// noEOF turns a bare io.EOF into io.ErrUnexpectedEOF: inside a header, the
// end of the file is always unexpected.
func noEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
