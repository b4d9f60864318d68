package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/sweepml/sweep/network"
)

func cli(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(context.Background(), nil, args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// epochLine is the notebook's per-epoch format; more fields may follow.
var epochLine = regexp.MustCompile(`^Epoch: (\d+), Training Time: \d+\.\d\ds, Training Accuracy: \d+\.\d\d%, Validation Accuracy: \d+\.\d\d%`)

func TestTrainPrintsNotebookLines(t *testing.T) {
	dir := t.TempDir()
	jsonPath, modelPath := filepath.Join(dir, "h.json"), filepath.Join(dir, "m.bin")
	code, out, errOut := cli("train", "--subset", "300", "--epochs", "3", "--batch", "16", "--test",
		"--dtype", "float32", "--json", jsonPath, "--save", modelPath)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 5 || !strings.HasPrefix(lines[0], "Training MLP 784-128-64-10 relu (he init) on 240 images, validating on 60 (mnist)") {
		t.Fatalf("output:\n%s", out)
	}
	for i, l := range lines[1:4] {
		m := epochLine.FindStringSubmatch(l)
		if m == nil || m[1] != string(rune('1'+i)) {
			t.Errorf("line %q is not epoch %d in the notebook's format", l, i+1)
		}
	}
	if !regexp.MustCompile(`^Test Accuracy: \d+\.\d\d%, Test Loss: \d+\.\d{4} \(10000 images\)$`).MatchString(lines[4]) {
		t.Errorf("test line %q", lines[4])
	}

	var rep trainReport
	b, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.History.Epochs) != 3 || rep.TestAccuracy == nil || rep.Settings.Subset != 300 || rep.TrainImages != 240 {
		t.Errorf("json report: %s", b)
	}
	f, err := os.Open(modelPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := network.Load[float32](f)
	if err != nil || m.String() != "MLP 784-128-64-10 relu (he init)" {
		t.Errorf("saved model: %v, %v", m, err)
	}
}

// TestTrainAllArchsAndImpls trains every architecture with every
// implementation on the notebook's task (shortened) and checks they print
// the same per-epoch lines; the float64 twins agree on every figure.
func TestTrainAllArchsAndImpls(t *testing.T) {
	strip := regexp.MustCompile(`Training Time: [0-9.]+s, `)
	for _, arch := range []string{"mlp", "resnet"} {
		var outputs []string
		for _, impl := range []string{"scratch", "gomlx"} {
			code, out, errOut := cli("train", "--arch", arch, "--impl", impl, "--subset", "200", "--epochs", "2")
			if code != 0 {
				t.Fatalf("%s %s: exit %d: %s", arch, impl, code, errOut)
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if len(lines) != 3 || !epochLine.MatchString(lines[1]) || !epochLine.MatchString(lines[2]) {
				t.Fatalf("%s %s output:\n%s", arch, impl, out)
			}
			outputs = append(outputs, strip.ReplaceAllString(strings.Join(lines[1:], "\n"), ""))
		}
		if outputs[0] != outputs[1] {
			t.Errorf("%s: scratch and GoMLX print different epochs:\n%s\n%s", arch, outputs[0], outputs[1])
		}
	}
}

func TestTrainIsReproducible(t *testing.T) {
	args := []string{"train", "--subset", "200", "--epochs", "2", "--seed", "7"}
	_, a, _ := cli(args...)
	_, b, _ := cli(args...)
	strip := regexp.MustCompile(`Training Time: [0-9.]+s`)
	if strip.ReplaceAllString(a, "") != strip.ReplaceAllString(b, "") {
		t.Errorf("two runs differ:\n%s\n%s", a, b)
	}
}

func TestTrainUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string // first line of stderr
	}{
		{[]string{"train", "--lr", "fast"}, `invalid value "fast" for flag -lr: "fast" is not a number`},
		{[]string{"train", "--epochs"}, "flag needs an argument: -epochs"},
		{[]string{"train", "--colour"}, "flag provided but not defined: -colour"},
		{[]string{"train", "extra"}, `sweep train: unexpected argument "extra"`},
		{[]string{"train", "--sizes", "784,x,10"}, `invalid value "784,x,10" for flag -sizes: layer sizes "784,x,10": "x" is not a positive integer (want e.g. 784,128,64,10)`},
		{[]string{"train", "--optimizer", "rmsprop"}, `sweep train: unknown optimizer "rmsprop" (want one of [sgd momentum adam])`},
		{[]string{"train", "--schedule", "cyclic"}, `sweep train: unknown schedule "cyclic" (want one of [constant cosine step])`},
		{[]string{"train", "--dtype", "float16"}, `sweep train: dtype "float16": want float32 or float64`},
		{[]string{"train", "--val", "0"}, "sweep train: validation fraction 0: want a number strictly between 0 and 1"},
		{[]string{"train", "--data", "/no/such/dir"}, "sweep train: data directory: stat /no/such/dir: no such file or directory"},
		{[]string{"train", "--sizes", "100,10"}, "sweep train: sizes 100,10: the input layer must have 784 units, one per pixel of the 28×28 images of mnist"},
		{[]string{"train", "--subset", "60001"}, "sweep train: subset 60001: the training set of mnist has only 60000 images"},
		{[]string{"train", "--arch", "cnn"}, `sweep train: arch "cnn": want one of [mlp resnet]`},
		{[]string{"train", "--impl", "jax"}, `sweep train: impl "jax": want one of [scratch gomlx torch]`},
		{[]string{"train", "--impl", "torch", "--optimizer", "adam"}, `sweep train: impl torch trains with SGD or momentum (no Nesterov, no weight decay), not adam`},
		{[]string{"train", "--pre-activation"}, "sweep train: pre-activation and no-projection apply to arch resnet, not mlp"},
		{[]string{"frobnicate"}, `sweep: unknown command "frobnicate"`},
		{nil, "sweep trains shallow neural networks on MNIST and sweeps their hyperparameters."},
	}
	for _, tt := range tests {
		code, out, errOut := cli(tt.args...)
		first, _, _ := strings.Cut(errOut, "\n")
		if code != 2 || first != tt.want || out != "" {
			t.Errorf("%v: exit %d, stderr %q, stdout %q\nwant exit 2 and %q", tt.args, code, first, out, tt.want)
		}
	}
}

func TestTrainBadDataFile(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"} {
		os.WriteFile(filepath.Join(dir, name), []byte{0, 0, 8, 3, 0, 0}, 0o644)
	}
	code, _, errOut := cli("train", "--data", dir)
	want := "sweep train: " + filepath.Join(dir, "train-images-idx3-ubyte") + ": truncated: header ends before dimension 1 (unexpected EOF)\n"
	if code != 2 || errOut != want {
		t.Errorf("exit %d, stderr %q, want 2 and %q", code, errOut, want)
	}
}

func TestTrainDivergenceExitsOne(t *testing.T) {
	dir := t.TempDir()
	jsonPath := filepath.Join(dir, "h.json")
	code, _, errOut := cli("train", "--subset", "200", "--epochs", "2", "--activation", "leaky_relu", "--optimizer", "sgd",
		"--lr", "100", "--schedule", "constant", "--batch", "8", "--dtype", "float32", "--json", jsonPath, "--save", filepath.Join(dir, "m.bin"))
	if code != 1 || !strings.HasPrefix(errOut, "sweep train: training diverged: loss is NaN") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	b, err := os.ReadFile(jsonPath)
	if err != nil || !bytes.Contains(b, []byte(`"error": "training diverged`)) {
		t.Errorf("the history of a failed run must still be written, with its error: %s %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "m.bin")); err == nil {
		t.Error("a diverged model was saved")
	}
}

func TestJSONNeverHalfWritten(t *testing.T) {
	code, _, errOut := cli("train", "--subset", "100", "--epochs", "1", "--json", "/no/such/dir/h.json")
	if code != 1 || !strings.Contains(errOut, "--json") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

// TestTrainFlagsAreDocumented: every flag sweep train declares is in
// docs/train.md's tables, and every flag there is declared.
func TestTrainFlagsAreDocumented(t *testing.T) {
	fs := flag.NewFlagSet("sweep train", flag.ContinueOnError)
	trainFlags(fs)
	var declared []string
	fs.VisitAll(func(f *flag.Flag) { declared = append(declared, f.Name) })
	b, err := os.ReadFile("../../docs/train.md")
	if err != nil {
		t.Fatal(err)
	}
	var documented []string
	for _, m := range regexp.MustCompile("(?m)^\\| `--([a-z-]+)").FindAllStringSubmatch(string(b), -1) {
		documented = append(documented, m[1])
	}
	slices.Sort(declared)
	slices.Sort(documented)
	if want := []string{"data", "json", "save", "test"}; !slices.Equal(documented, slices.Sorted(slices.Values(append(declared, want...)))) {
		t.Errorf("docs/train.md documents %v\nsweep train declares %v and %v", documented, declared, want)
	}
}

// TestEveryCommandsHelpAndBadFlag: for every command of the table, -h
// writes its usage line and flags to stderr and exits 0, `sweep help CMD`
// writes the same to stdout, and an unknown flag exits 2 naming it; sweep
// alone lists every command.
func TestEveryCommandsHelpAndBadFlag(t *testing.T) {
	_, _, list := cli()
	for _, cmd := range commands() {
		if !strings.Contains(list, "sweep "+cmd.UsageLine) {
			t.Errorf("sweep's usage does not list %q", cmd.UsageLine)
		}
		code, out, errOut := cli(cmd.Name, "-h")
		if code != 0 || out != "" || !strings.HasPrefix(errOut, "Usage: sweep "+cmd.UsageLine+"\n\n"+cmd.Long) {
			t.Errorf("%s -h: exit %d, stdout %q, stderr %.120q", cmd.Name, code, out, errOut)
		}
		code, helpOut, _ := cli("help", cmd.Name)
		if code != 0 || helpOut != errOut {
			t.Errorf("help %s: exit %d, %.120q; want what -h writes", cmd.Name, code, helpOut)
		}
		code, _, errOut = cli(cmd.Name, "--no-such-flag")
		if first, _, _ := strings.Cut(errOut, "\n"); code != 2 || first != "flag provided but not defined: -no-such-flag" {
			t.Errorf("%s --no-such-flag: exit %d, %q", cmd.Name, code, first)
		}
	}
	if code, _, errOut := cli("help", "frobnicate"); code != 2 || !strings.HasPrefix(errOut, `sweep help: unknown command "frobnicate"`) {
		t.Errorf("help frobnicate: exit %d, %.80q", code, errOut)
	}
	if code, _, errOut := cli("data", "split"); code != 2 || !strings.HasPrefix(errOut, "sweep data: split: want one file, got 0 arguments") {
		t.Errorf("data split: exit %d, %.80q", code, errOut)
	}
}
