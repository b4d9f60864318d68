package dataset

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// The file names of the MNIST distribution, without the .gz suffix.
const (
	TrainImagesFile = "train-images-idx3-ubyte"
	TrainLabelsFile = "train-labels-idx1-ubyte"
	TestImagesFile  = "t10k-images-idx3-ubyte"
	TestLabelsFile  = "t10k-labels-idx1-ubyte"
)

// EmbeddedSource is the name of the MNIST copy built into the binary.
const EmbeddedSource = "mnist"

// mnistSHA256 holds the published sums of the official MNIST files. They are
// written here rather than read from the embedded SHA256SUMS so that a
// damaged copy cannot vouch for itself.
var mnistSHA256 = map[string]string{
	TrainImagesFile + ".gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
	TrainLabelsFile + ".gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
	TestImagesFile + ".gz":  "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
	TestLabelsFile + ".gz":  "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}

//go:embed mnist/*.gz
var mnistFiles embed.FS

// Set is a labelled set of images. Labels run from 0 to Classes-1.
type Set struct {
	Images  *Images
	Labels  []uint8
	Classes int
}

// Len is the number of examples.
func (s *Set) Len() int { return len(s.Labels) }

// NewSet pairs images with labels, checking that they agree in number.
func NewSet(images *Images, labels []uint8) (*Set, error) {
	if images.Count != len(labels) {
		return nil, fmt.Errorf("%d images but %d labels", images.Count, len(labels))
	}
	classes := 0
	for _, l := range labels {
		classes = max(classes, int(l)+1)
	}
	return &Set{Images: images, Labels: labels, Classes: classes}, nil
}

// Data is a training set and a test set from one source.
type Data struct {
	Source      string // "mnist" for the embedded copy, else the directory
	Train, Test *Set
}

// Load loads data from source: "" or "mnist" for the embedded MNIST,
// anything else is a directory holding the four IDX files under the MNIST
// names (each raw or gzip-compressed).
func Load(source string) (*Data, error) {
	if source == "" || source == EmbeddedSource {
		return Embedded()
	}
	return LoadDir(source)
}

// Embedded returns the MNIST copy built into the binary, verified against
// the published SHA-256 sums. It is decoded once per process and shared:
// callers must treat it as read-only.
var Embedded = sync.OnceValues(func() (*Data, error) {
	open := func(name string) (io.Reader, error) {
		b, err := mnistFiles.ReadFile("mnist/" + name + ".gz")
		if err != nil {
			return nil, err
		}
		if err := checkSHA256(name+".gz", b); err != nil {
			return nil, err
		}
		return bytes.NewReader(b), nil
	}
	return load(EmbeddedSource, open)
})

// checkSHA256 verifies an embedded file against its published sum.
func checkSHA256(name string, b []byte) error {
	sum := sha256.Sum256(b)
	if got, want := hex.EncodeToString(sum[:]), mnistSHA256[name]; got != want {
		return fmt.Errorf("embedded %s: SHA-256 is %s, want %s: the copy is damaged", name, got, want)
	}
	return nil
}

// LoadDir loads the four MNIST-named IDX files from dir. Each may be raw or
// gzip-compressed (name or name.gz).
func LoadDir(dir string) (*Data, error) {
	if st, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	} else if !st.IsDir() {
		return nil, fmt.Errorf("data source %s is not a directory (want %q for the embedded MNIST, or a directory holding %s[.gz] and the three other MNIST files)", dir, EmbeddedSource, TrainImagesFile)
	}
	var opened []*os.File
	defer func() {
		for _, f := range opened {
			f.Close()
		}
	}()
	open := func(name string) (io.Reader, error) {
		if _, gzErr := os.Stat(filepath.Join(dir, name+".gz")); gzErr == nil {
			if _, rawErr := os.Stat(filepath.Join(dir, name)); rawErr == nil {
				return nil, fmt.Errorf("data directory %s has both %s and %s.gz: keep one, so that it is clear which is read", dir, name, name)
			}
		}
		for _, candidate := range []string{name + ".gz", name} {
			f, err := os.Open(filepath.Join(dir, candidate))
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return nil, err
			}
			opened = append(opened, f)
			return f, nil
		}
		return nil, fmt.Errorf("data directory %s has neither %s.gz nor %s", dir, name, name)
	}
	return load(dir, open)
}

func load(source string, open func(name string) (io.Reader, error)) (*Data, error) {
	readSet := func(imagesName, labelsName string) (*Set, error) {
		r, err := open(imagesName)
		if err != nil {
			return nil, err
		}
		images, err := ReadImages(r, filepath.Join(source, imagesName))
		if err != nil {
			return nil, err
		}
		r, err = open(labelsName)
		if err != nil {
			return nil, err
		}
		labels, err := ReadLabels(r, filepath.Join(source, labelsName))
		if err != nil {
			return nil, err
		}
		set, err := NewSet(images, labels)
		if err != nil {
			return nil, fmt.Errorf("%s: %s and %s disagree: %w", source, imagesName, labelsName, err)
		}
		return set, nil
	}
	train, err := readSet(TrainImagesFile, TrainLabelsFile)
	if err != nil {
		return nil, err
	}
	test, err := readSet(TestImagesFile, TestLabelsFile)
	if err != nil {
		return nil, err
	}
	if train.Images.Rows != test.Images.Rows || train.Images.Cols != test.Images.Cols {
		return nil, fmt.Errorf("%s: training images are %d×%d but test images are %d×%d",
			source, train.Images.Rows, train.Images.Cols, test.Images.Rows, test.Images.Cols)
	}
	return &Data{Source: source, Train: train, Test: test}, nil
}
