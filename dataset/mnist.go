package dataset

import (
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

// Data is the training images a job uses and, when asked for, the test
// set, from one source.
type Data struct {
	Source string // "mnist" for the embedded copy, else the directory
	// Train holds the first training examples: as many as were asked
	// for, or all. Its Classes counts the classes of every label of the
	// source's training set.
	Train *Set
	// TrainTotal is the number of training examples the source holds.
	TrainTotal int
	test       func() (*Set, error)
}

// NewData pairs a training set with a function that reads the test set
// (called once, when first asked for).
func NewData(source string, train *Set, test func() (*Set, error)) *Data {
	return &Data{Source: source, Train: train, TrainTotal: train.Len(), test: sync.OnceValues(test)}
}

// Test is the source's test set, read the first time it is asked for.
func (d *Data) Test() (*Set, error) { return d.test() }

// Load loads the first n training examples (all when n ≤ 0) from source:
// "" or "mnist" for the embedded MNIST, anything else a directory holding
// the four IDX files under the MNIST names (each raw or gzip-compressed).
// Only those images are decompressed; the test set is read when
// Data.Test is first called.
func Load(source string, n int) (*Data, error) {
	if source == "" || source == EmbeddedSource {
		return embedded.load(n)
	}
	return LoadDir(source, n)
}

// Embedded returns the whole MNIST copy built into the binary; see Load.
func Embedded() (*Data, error) { return embedded.load(0) }

// embedded keeps the embedded MNIST decoded so far: each image is decoded
// once per process and shared read-only by every caller (a caller asking
// for more than was decoded gets a longer prefix decoded, which later
// callers share). Every file read whole is verified against the published
// SHA-256 sums; the first images of the training file alone are not (the
// sum is of the whole 9.9 MB file, which a prefix does not read: the
// tests check the embedded files).
var embedded = &cache{}

type cache struct {
	mu    sync.Mutex
	train *Set
	total int
	test  func() (*Set, error)
}

// openEmbedded opens an embedded file, verified unless it is the training
// images' and only a prefix is read.
func openEmbedded(prefix bool) func(name string) (io.Reader, func(), error) {
	return func(name string) (io.Reader, func(), error) {
		if !prefix || name != TrainImagesFile {
			if err := checkSHA256(name + ".gz"); err != nil {
				return nil, nil, err
			}
		}
		f, err := mnistFiles.Open("mnist/" + name + ".gz") // reads the binary's bytes in place: no copy
		if err != nil {
			return nil, nil, err
		}
		return f, func() { f.Close() }, nil
	}
}

func (c *cache) load(n int) (*Data, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.test == nil {
		c.test = sync.OnceValues(func() (*Set, error) {
			test, _, err := readSet(EmbeddedSource, openEmbedded(false), TestImagesFile, TestLabelsFile, 0)
			return test, err
		})
	}
	if c.train == nil || c.train.Len() < c.total && (n <= 0 || n > c.train.Len()) {
		train, total, err := readSet(EmbeddedSource, openEmbedded(n > 0), TrainImagesFile, TrainLabelsFile, n)
		if err != nil {
			return nil, err
		}
		c.train, c.total = train, total
	}
	train := c.train
	if n > 0 && n < train.Len() {
		train = train.prefix(n)
	}
	return &Data{Source: EmbeddedSource, Train: train, TrainTotal: c.total, test: c.test}, nil
}

// prefix is the set of the first n examples, sharing s's pixels.
func (s *Set) prefix(n int) *Set {
	im := *s.Images
	im.Count, im.Pixels = n, im.Pixels[:n*im.Size()]
	return &Set{Images: &im, Labels: s.Labels[:n], Classes: s.Classes}
}

// Export writes the embedded MNIST's four files, as published (gzip, the
// MNIST names), into dir, each verified against its sum; files already
// there with the right sum are kept. It returns the paths written.
func Export(dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var out []string
	for _, name := range []string{TrainImagesFile, TrainLabelsFile, TestImagesFile, TestLabelsFile} {
		name += ".gz"
		if err := checkSHA256(name); err != nil {
			return out, err
		}
		path := filepath.Join(dir, name)
		if f, err := os.Open(path); err == nil {
			same := checkSum(name, f) == nil
			f.Close()
			if same {
				continue
			}
		}
		b, err := mnistFiles.ReadFile("mnist/" + name)
		if err != nil {
			return out, err
		}
		tmp := path + ".tmp"
		if err := os.WriteFile(tmp, b, 0o644); err != nil {
			return out, err
		}
		if err := os.Rename(tmp, path); err != nil {
			return out, err
		}
		out = append(out, path)
	}
	return out, nil
}

// checkSHA256 verifies an embedded file against its published sum.
func checkSHA256(name string) error {
	f, err := mnistFiles.Open("mnist/" + name)
	if err != nil {
		return err
	}
	defer f.Close()
	return checkSum(name, f)
}

// checkSum verifies a file's contents against its published sum.
func checkSum(name string, r io.Reader) error {
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return err
	}
	sum := h.Sum(nil)
	if got, want := hex.EncodeToString(sum[:]), mnistSHA256[name]; got != want {
		return fmt.Errorf("embedded %s: SHA-256 is %s, want %s: the copy is damaged", name, got, want)
	}
	return nil
}

// LoadDir loads the first n training examples (all when n ≤ 0) from the
// four MNIST-named IDX files in dir, each raw or gzip-compressed (name or
// name.gz); the test set is read when Data.Test is first called.
func LoadDir(dir string, n int) (*Data, error) {
	if st, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	} else if !st.IsDir() {
		return nil, fmt.Errorf("data source %s is not a directory (want %q for the embedded MNIST, or a directory holding %s[.gz] and the three other MNIST files)", dir, EmbeddedSource, TrainImagesFile)
	}
	open := func(name string) (io.Reader, func(), error) {
		if _, gzErr := os.Stat(filepath.Join(dir, name+".gz")); gzErr == nil {
			if _, rawErr := os.Stat(filepath.Join(dir, name)); rawErr == nil {
				return nil, nil, fmt.Errorf("data directory %s has both %s and %s.gz: keep one, so that it is clear which is read", dir, name, name)
			}
		}
		for _, candidate := range []string{name + ".gz", name} {
			f, err := os.Open(filepath.Join(dir, candidate))
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return nil, nil, err
			}
			return f, func() { f.Close() }, nil
		}
		return nil, nil, fmt.Errorf("data directory %s has neither %s.gz nor %s", dir, name, name)
	}
	train, total, err := readSet(dir, open, TrainImagesFile, TrainLabelsFile, n)
	if err != nil {
		return nil, err
	}
	test := sync.OnceValues(func() (*Set, error) {
		test, _, err := readSet(dir, open, TestImagesFile, TestLabelsFile, 0)
		if err == nil && (test.Images.Rows != train.Images.Rows || test.Images.Cols != train.Images.Cols) {
			return nil, fmt.Errorf("%s: training images are %d×%d but test images are %d×%d",
				dir, train.Images.Rows, train.Images.Cols, test.Images.Rows, test.Images.Cols)
		}
		return test, err
	})
	return &Data{Source: dir, Train: train, TrainTotal: total, test: test}, nil
}

// readSet reads the first n examples (all when n ≤ 0) of a pair of files
// and returns them with the number of examples the files hold. Every label
// is read, to check their number against the images' and to count the
// classes.
func readSet(source string, open func(string) (io.Reader, func(), error), imagesName, labelsName string, n int) (*Set, int, error) {
	r, done, err := open(imagesName)
	if err != nil {
		return nil, 0, err
	}
	images, count, err := ReadFirstImages(r, filepath.Join(source, imagesName), n)
	done()
	if err != nil {
		return nil, 0, err
	}
	r, done, err = open(labelsName)
	if err != nil {
		return nil, 0, err
	}
	labels, err := ReadLabels(r, filepath.Join(source, labelsName))
	done()
	if err != nil {
		return nil, 0, err
	}
	if count != len(labels) {
		return nil, 0, fmt.Errorf("%s: %s and %s disagree: %d images but %d labels", source, imagesName, labelsName, count, len(labels))
	}
	set, err := NewSet(images, labels[:images.Count])
	if err != nil {
		return nil, 0, err
	}
	for _, l := range labels {
		set.Classes = max(set.Classes, int(l)+1)
	}
	return set, count, nil
}
