package dataset

import (
	"bytes"
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
	test, err := d.Test()
	if err != nil {
		t.Fatal(err)
	}
	if d.Train.Len() != 60000 || d.TrainTotal != 60000 || test.Len() != 10000 || d.Train.Classes != 10 || test.Classes != 10 {
		t.Fatalf("train %d of %d, test %d, classes %d/%d", d.Train.Len(), d.TrainTotal, test.Len(), d.Train.Classes, test.Classes)
	}
	if d.Train.Images.Rows != 28 || d.Train.Images.Cols != 28 {
		t.Fatalf("images are %d×%d", d.Train.Images.Rows, d.Train.Images.Cols)
	}
	// The well-known first labels of both sets, and the training set's
	// class counts (LeCun et al.).
	if got := d.Train.Labels[:5]; string(got) != "\x05\x00\x04\x01\x09" {
		t.Errorf("first training labels %v, want [5 0 4 1 9]", got)
	}
	if got := test.Labels[:3]; string(got) != "\x07\x02\x01" {
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
	if again, _ := Embedded(); again.Train != d.Train {
		t.Error("Embedded decoded the data twice")
	}
	if part, _ := Load(EmbeddedSource, 1000); part.Train.Len() != 1000 || part.TrainTotal != 60000 || part.Train.Classes != 10 ||
		&part.Train.Images.Pixels[0] != &d.Train.Images.Pixels[0] {
		t.Error("the first 1000 images must share the decoded pixels")
	}
}

func TestChecksumCatchesDamage(t *testing.T) {
	b, err := mnistFiles.ReadFile("mnist/" + TestLabelsFile + ".gz")
	if err != nil {
		t.Fatal(err)
	}
	if err := checkSum(TestLabelsFile+".gz", bytes.NewReader(b)); err != nil {
		t.Fatalf("intact file rejected: %v", err)
	}
	damaged := append([]byte(nil), b...)
	damaged[100] ^= 1
	err = checkSum(TestLabelsFile+".gz", bytes.NewReader(damaged))
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
	d, err := Load(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	test, err := d.Test()
	if err != nil {
		t.Fatal(err)
	}
	if d.Source != dir || d.Train.Len() != 3 || test.Len() != 1 || d.Train.Classes != 3 {
		t.Errorf("got source %s, %d train, %d test, %d classes", d.Source, d.Train.Len(), test.Len(), d.Train.Classes)
	}
	// The first 2: classes counted over every label.
	if d, err := Load(dir, 2); err != nil || d.Train.Len() != 2 || d.TrainTotal != 3 || d.Train.Classes != 3 || len(d.Train.Images.Pixels) != 8 {
		t.Errorf("first 2: %v", err)
	}

	// Mislabeled: a label file that does not match its image file.
	write(TrainLabelsFile, idx([]int{2}, []byte{0, 1}))
	_, err = Load(dir, 0)
	if want := dir + ": train-images-idx3-ubyte and train-labels-idx1-ubyte disagree: 3 images but 2 labels"; err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}

	os.Remove(filepath.Join(dir, TestLabelsFile))
	write(TrainLabelsFile, idx([]int{3}, []byte{0, 1, 2}))
	d, err = Load(dir, 0)
	if err != nil {
		t.Fatal(err) // the test set is read when asked for
	}
	_, err = d.Test()
	if want := "data directory " + dir + " has neither t10k-labels-idx1-ubyte.gz nor t10k-labels-idx1-ubyte"; err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}

	_, err = Load(filepath.Join(dir, "missing"), 0)
	if err == nil || !strings.HasPrefix(err.Error(), "data directory: stat ") {
		t.Errorf("missing directory: got %v", err)
	}
}

// TestLoadDirOfficialFiles reads the repository's copy of the official
// gzip files through the directory path.
func TestLoadDirOfficialFiles(t *testing.T) {
	d, err := LoadDir("mnist", 0)
	if err != nil {
		t.Fatal(err)
	}
	e, _ := Embedded()
	dt, err1 := d.Test()
	et, err2 := e.Test()
	if err1 != nil || err2 != nil || string(d.Train.Images.Pixels) != string(e.Train.Images.Pixels) || string(dt.Labels) != string(et.Labels) {
		t.Error("directory and embedded copies differ")
	}
}

// TestLoadOnlyWhatIsUsed: the first 1000 images of a directory cost about
// their own size (0.8 MB), not the 47 MB of the file, and the test set
// nothing until it is asked for.
func TestLoadOnlyWhatIsUsed(t *testing.T) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	d, err := LoadDir("mnist", 1000)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 4<<20 {
		t.Errorf("loading the first 1000 images allocated %d bytes", grew)
	}
	e, _ := Embedded()
	if d.Train.Len() != 1000 || string(d.Train.Images.Pixels) != string(e.Train.Images.Pixels[:1000*784]) || string(d.Train.Labels) != string(e.Train.Labels[:1000]) {
		t.Error("the first 1000 images differ from the whole file's")
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
	_, err := LoadDir(dir, 0)
	if err == nil || err.Error() != "data directory "+dir+" has both train-images-idx3-ubyte and train-images-idx3-ubyte.gz: keep one, so that it is clear which is read" {
		t.Errorf("got %v", err)
	}
}

// TestEmbeddedFilesMatchTheirSums: every embedded file against the
// published sums (a run that reads only the first training images does
// not hash the whole file).
func TestEmbeddedFilesMatchTheirSums(t *testing.T) {
	for name := range mnistSHA256 {
		if err := checkSHA256(name); err != nil {
			t.Error(err)
		}
	}
}
