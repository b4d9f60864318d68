package dataset

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestEmbeddedMNIST(t *testing.T) {
	d, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	if d.Train.Len() != 60000 || d.Test.Len() != 10000 || d.Train.Classes != 10 || d.Test.Classes != 10 {
		t.Fatalf("train %d test %d classes %d/%d", d.Train.Len(), d.Test.Len(), d.Train.Classes, d.Test.Classes)
	}
	if d.Train.Images.Rows != 28 || d.Train.Images.Cols != 28 {
		t.Fatalf("images are %d×%d", d.Train.Images.Rows, d.Train.Images.Cols)
	}
	// The well-known first labels of both sets, and the training set's
	// class counts (LeCun et al.).
	if got := d.Train.Labels[:5]; string(got) != "\x05\x00\x04\x01\x09" {
		t.Errorf("first training labels %v, want [5 0 4 1 9]", got)
	}
	if got := d.Test.Labels[:3]; string(got) != "\x07\x02\x01" {
		t.Errorf("first test labels %v, want [7 2 1]", got)
	}
	counts := make([]int, 10)
	for _, l := range d.Train.Labels {
		counts[l]++
	}
	want := []int{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}
	for c := range counts {
		if counts[c] != want[c] {
			t.Errorf("class %d has %d training images, want %d", c, counts[c], want[c])
		}
	}
	if again, _ := Embedded(); again != d {
		t.Error("Embedded decoded the data twice")
	}
}

func TestChecksumCatchesDamage(t *testing.T) {
	b, err := mnistFiles.ReadFile("mnist/" + TestLabelsFile + ".gz")
	if err != nil {
		t.Fatal(err)
	}
	if err := checkSHA256(TestLabelsFile+".gz", b); err != nil {
		t.Fatalf("intact file rejected: %v", err)
	}
	damaged := append([]byte(nil), b...)
	damaged[100] ^= 1
	err = checkSHA256(TestLabelsFile+".gz", damaged)
	if err == nil || !strings.HasPrefix(err.Error(), "embedded t10k-labels-idx1-ubyte.gz: SHA-256 is ") || !strings.HasSuffix(err.Error(), "the copy is damaged") {
		t.Fatalf("got %v", err)
	}
}

// TestLoadDir loads a directory of raw (uncompressed) IDX files in the
// MNIST naming, as Fashion-MNIST or KMNIST would be laid out.
func TestLoadDir(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(TrainImagesFile, idx([]int{3, 2, 2}, make([]byte, 12)))
	write(TrainLabelsFile, idx([]int{3}, []byte{0, 1, 2}))
	write(TestImagesFile+".gz", gz(idx([]int{1, 2, 2}, make([]byte, 4))))
	write(TestLabelsFile, idx([]int{1}, []byte{1}))
	d, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if d.Source != dir || d.Train.Len() != 3 || d.Test.Len() != 1 || d.Train.Classes != 3 {
		t.Errorf("got source %s, %d train, %d test, %d classes", d.Source, d.Train.Len(), d.Test.Len(), d.Train.Classes)
	}

	// Mislabeled: a label file that does not match its image file.
	write(TrainLabelsFile, idx([]int{2}, []byte{0, 1}))
	_, err = Load(dir)
	if want := dir + ": train-images-idx3-ubyte and train-labels-idx1-ubyte disagree: 3 images but 2 labels"; err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}

	os.Remove(filepath.Join(dir, TestLabelsFile))
	write(TrainLabelsFile, idx([]int{3}, []byte{0, 1, 2}))
	_, err = Load(dir)
	if want := "data directory " + dir + " has neither t10k-labels-idx1-ubyte.gz nor t10k-labels-idx1-ubyte"; err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}

	_, err = Load(filepath.Join(dir, "missing"))
	if err == nil || !strings.HasPrefix(err.Error(), "data directory: stat ") {
		t.Errorf("missing directory: got %v", err)
	}
}

// TestLoadDirOfficialFiles reads the repository's copy of the official
// gzip files through the directory path.
func TestLoadDirOfficialFiles(t *testing.T) {
	d, err := LoadDir("mnist")
	if err != nil {
		t.Fatal(err)
	}
	e, _ := Embedded()
	if string(d.Train.Images.Pixels) != string(e.Train.Images.Pixels) || string(d.Test.Labels) != string(e.Test.Labels) {
		t.Error("directory and embedded copies differ")
	}
}

// TestViewsShareThePixels checks that selecting and splitting rows copies
// no image data: the 47 MB of training pixels exist once.
func TestViewsShareThePixels(t *testing.T) {
	d, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	train, val, err := d.Train.First(0).Split(0.2, 42)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 8<<20 {
		t.Errorf("splitting 60,000 images allocated %d bytes; the pixels must not be copied", grew)
	}
	if train.Len() != 48000 || val.Len() != 12000 {
		t.Errorf("split 60000 into %d + %d", train.Len(), val.Len())
	}
}

// TestRawAndGzipBoth: a directory holding a file both raw and gzipped is
// refused, naming both, rather than one silently winning.
func TestRawAndGzipBoth(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{TrainImagesFile, TrainImagesFile + ".gz"} {
		os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644)
	}
	_, err := LoadDir(dir)
	if err == nil || err.Error() != "data directory "+dir+" has both train-images-idx3-ubyte and train-images-idx3-ubyte.gz: keep one, so that it is clear which is read" {
		t.Errorf("got %v", err)
	}
}
