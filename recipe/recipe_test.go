package recipe

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/sweepml/sweep/dataset"
	"github.com/sweepml/sweep/internal/race"
	"github.com/sweepml/sweep/study"
)

func embedded(t *testing.T) *dataset.Data {
	t.Helper()
	d, err := dataset.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// slow skips a test under the race detector: `make test` runs it in its
// plain pass.
func slow(t *testing.T) {
	if race.Enabled {
		t.Skip("slow under the race detector; make test runs it without")
	}
}

// TestNotebookDefaultsLearn is the learning acceptance of both
// architectures and both implementations: the defaults, on the notebook's
// task (first 1000 images, 80/20 split, seed 42, 30 epochs), reach at
// least 90% validation accuracy, and each GoMLX network lands within half a
// percentage point of its scratch twin.
func TestNotebookDefaultsLearn(t *testing.T) {
	slow(t)
	for _, arch := range Archs {
		t.Run(arch, func(t *testing.T) {
			t.Parallel()
			final := map[string]float64{}
			for _, impl := range []string{ImplScratch, ImplGoMLX} { // torch: cmd/sweep's TestTorchExample
				s := Defaults(arch)
				s.Impl = impl
				res, err := Run(context.Background(), embedded(t), s, Options{})
				if err != nil {
					t.Fatal(err)
				}
				if res.TrainN != 800 || res.ValN != 200 || len(res.History.Epochs) != 30 {
					t.Fatalf("%s: trained on %d, validated on %d, %d epochs", impl, res.TrainN, res.ValN, len(res.History.Epochs))
				}
				last := res.History.Last()
				final[impl] = last.ValAccuracy
				t.Logf("%s %s: train %.2f%%, validation %.2f%%", arch, impl, 100*last.TrainAccuracy, 100*last.ValAccuracy)
				if first := res.History.Epochs[0]; first.ValAccuracy >= last.ValAccuracy {
					t.Errorf("%s: no progress: epoch 1 %.2f%%, epoch 30 %.2f%%", impl, 100*first.ValAccuracy, 100*last.ValAccuracy)
				}
			}
			if final[ImplScratch] < 0.90 {
				t.Errorf("scratch validation accuracy %.2f%%, want ≥ 90%%", 100*final[ImplScratch])
			}
			if d := math.Abs(final[ImplGoMLX] - final[ImplScratch]); d > 0.005 {
				t.Errorf("GoMLX %.2f%% vs scratch %.2f%%: more than 0.5 points apart", 100*final[ImplGoMLX], 100*final[ImplScratch])
			}
		})
	}
}

func TestSettingsErrors(t *testing.T) {
	tests := []struct {
		edit func(*Settings)
		want string
	}{
		{func(s *Settings) { s.Arch = "cnn" }, `arch "cnn": want one of [mlp resnet]`},
		{func(s *Settings) { s.Impl = "jax" }, `impl "jax": want one of [scratch gomlx torch]`},
		{func(s *Settings) { s.Impl, s.Arch = "torch", ArchResNet }, `impl torch trains the MLP only, not arch resnet`},
		{func(s *Settings) { s.PreActivation = true }, "pre-activation and no-projection apply to arch resnet, not mlp"},
		{func(s *Settings) { s.DType = "float16" }, `dtype "float16": want float32 or float64`},
		{func(s *Settings) { s.Subset = -1 }, "subset -1: want ≥ 0 (0 = all images)"},
		{func(s *Settings) { s.Validation = 1 }, "validation fraction 1: want a number strictly between 0 and 1"},
		{func(s *Settings) { s.Activation = "gelu" }, `unknown activation "gelu" (want one of [sigmoid tanh relu leaky_relu])`},
		{func(s *Settings) { s.Batch = 0 }, "batch size 0: want 1 to 1048576"},
		{func(s *Settings) { s.Sizes = Sizes{784, 100000000, 10} }, "sizes 784,100000000,10: layer 1 has width 100000000, want 1 to 1048576"},
		{func(s *Settings) { s.Sizes = Sizes{784, 1000000, 10} }, "sizes 784,1000000,10: 795000010 parameters; at most 67108864 fit in memory with their gradients and optimizer state"},
	}
	for _, tt := range tests {
		s := Defaults(ArchMLP)
		tt.edit(&s)
		if err := s.Validate(); err == nil || err.Error() != tt.want {
			t.Errorf("got %v, want %s", err, tt.want)
		}
	}
	d := embedded(t)
	s := Defaults(ArchMLP)
	s.Sizes = Sizes{100, 10}
	if _, err := Run(context.Background(), d, s, Options{}); err == nil || err.Error() != "sizes 100,10: the input layer must have 784 units, one per pixel of the 28×28 images of mnist" {
		t.Errorf("got %v", err)
	}
	s = Defaults(ArchMLP)
	s.Sizes = Sizes{784, 5}
	if _, err := Run(context.Background(), d, s, Options{}); err == nil || err.Error() != "sizes 784,5: the output layer has 5 units but mnist has 10 classes" {
		t.Errorf("got %v", err)
	}
	s = Defaults(ArchMLP)
	s.Subset = 70000
	if _, err := Run(context.Background(), d, s, Options{}); err == nil || err.Error() != "subset 70000: the training set of mnist has only 60000 images" {
		t.Errorf("got %v", err)
	}
}

func TestSizes(t *testing.T) {
	var s Sizes
	if err := json.Unmarshal([]byte(`"784, 128,10"`), &s); err != nil || s.String() != "784,128,10" {
		t.Errorf("got %v, %v", s, err)
	}
	b, _ := json.Marshal(Sizes{784, 10})
	if string(b) != `"784,10"` {
		t.Errorf("marshal: %s", b)
	}
	for in, want := range map[string]string{
		"784":       `layer sizes "784": need at least an input and an output width (e.g. 784,128,64,10)`,
		"784,x,10":  `layer sizes "784,x,10": "x" is not a positive integer (want e.g. 784,128,64,10)`,
		"784,-3,10": `layer sizes "784,-3,10": "-3" is not a positive integer (want e.g. 784,128,64,10)`,
		"784,,10":   `layer sizes "784,,10": "" is not a positive integer (want e.g. 784,128,64,10)`,
	} {
		if _, err := ParseSizes(in); err == nil || err.Error() != want {
			t.Errorf("%q: got %v, want %s", in, err, want)
		}
	}
}

func TestTestSetAccuracy(t *testing.T) {
	s := Defaults(ArchMLP)
	s.Epochs, s.DType = 2, "float32"
	res, err := Run(context.Background(), embedded(t), s, Options{Test: true})
	if err != nil {
		t.Fatal(err)
	}
	if !(res.TestAccuracy > 0.5 && res.TestAccuracy <= 1) || !(res.TestLoss > 0) {
		t.Errorf("test accuracy %v, loss %v", res.TestAccuracy, res.TestLoss)
	}
}

// TestObjectiveChecksData: the data a spec names is checked when its
// objective is made, not when the spec is parsed; errors name the spec.
func TestObjectiveChecksData(t *testing.T) {
	for _, tt := range []struct{ from, to, want string }{
		{`sizes: "784,24,10"`, `sizes: "100,10"`, "spec.yaml:4: fixed.sizes: sizes 100,10: the input layer must have 784 units, one per pixel of the 28×28 images of mnist"},
		{"subset: 300", "subset: 70000", "spec.yaml:3: data.subset: subset 70000: the training set of mnist has only 60000 images"},
		{"subset: 300", "subset: 300, folds: 40", "spec.yaml:3: data.folds: folds 40: the smallest class of the first 300 images of mnist has 21, and every fold needs one of each"},
		{"subset: 300", "subset: 300, source: /no/such/dir", `spec.yaml:3: data.source: "/no/such/dir" is neither mnist (the embedded MNIST) nor a directory of MNIST-named IDX files`},
	} {
		src := strings.Replace("name: small\nseed: 11\ndata: {subset: 300}\nfixed: {sizes: \"784,24,10\", epochs: 4}\nmethod: grid\nparameters:\n  lr: {values: [0.1]}\n", tt.from, tt.to, 1)
		spec, err := study.ParseSpec("spec.yaml", []byte(src), Table)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := NewObjective(spec); err == nil || err.Error() != tt.want {
			t.Errorf("got %v\nwant %s", err, tt.want)
		}
	}
}

// TestSearchNeverReadsTheTestSet: a search run trains and validates with
// no test set at all; a final-stage run measures it and reports the
// figures with its last epoch.
func TestSearchNeverReadsTheTestSet(t *testing.T) {
	src := "name: t\ndata: {subset: 300}\nfixed: {sizes: \"784,16,10\", epochs: 2}\nmethod: grid\nparameters:\n  lr: {values: [0.05]}\n"
	spec, err := study.ParseSpec("t.yaml", []byte(src), Table)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := NewObjective(spec)
	if err != nil {
		t.Fatal(err)
	}
	obj.Data = dataset.NewData(obj.Data.Source, obj.Data.Train, func() (*dataset.Set, error) {
		t.Error("a search run read the test set")
		return nil, errors.New("no test set")
	})
	var epochs []study.Epoch
	run := study.TrialRun{Seed: 1, SplitSeed: 1, Params: []study.ParamValue{{Name: "lr", Value: 0.05}}}
	if err := obj.Run(context.Background(), run, func(e study.Epoch) error { epochs = append(epochs, e); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(epochs) != 2 || epochs[1].TestAccuracy != 0 {
		t.Errorf("search run: %+v", epochs)
	}
	obj.Data = embedded(t)
	epochs, run.Test = nil, true
	if err := obj.Run(context.Background(), run, func(e study.Epoch) error { epochs = append(epochs, e); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(epochs) != 2 || epochs[0].TestAccuracy != 0 || !(epochs[1].TestAccuracy > 0.2) {
		t.Errorf("final-stage run: %+v", epochs)
	}
}
