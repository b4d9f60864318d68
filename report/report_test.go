package report

import (
	"bytes"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sweepml/sweep/study"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const studySpec = `name: fixed
seed: 1
method: grid
fixed: {epochs: 3}
parameters:
  lr: {values: [0.01, 0.1, 1.0]}
  schedule: {values: [constant, cosine]}
repeats: 2
`

// study is a fixed, hand-made study: six trials, two seeds each, with
// learning rate 0.1 best, cosine a little better than constant, and one
// failed trial.
func fixedStudy(t testing.TB) (*study.Spec, []study.Trial) {
	spec, err := study.ParseSpec("fixed.yaml", []byte(studySpec), nil)
	if err != nil {
		t.Fatal(err)
	}
	finals := map[string][2]float64{
		"0.01/constant": {0.80, 0.82}, "0.01/cosine": {0.83, 0.85},
		"0.1/constant": {0.90, 0.91}, "0.1/cosine": {0.92, 0.91},
		"1/constant": {0.60, 0.70},
	}
	var trials []study.Trial
	n := 0
	for _, lr := range []float64{0.01, 0.1, 1.0} {
		for _, sched := range []string{"constant", "cosine"} {
			tr := study.Trial{Number: n, State: study.Complete, Seconds: float64(n) + 0.5,
				Params: []study.ParamValue{{Name: "lr", Value: lr}, {Name: "schedule", Value: sched}},
				Seeds:  []uint64{study.TrialSeed(1, n, 0), study.TrialSeed(1, n, 1)}}
			f, ok := finals[fmt.Sprintf("%g/%s", lr, sched)]
			if !ok {
				tr.State, tr.Reason = study.Failed, "training diverged: loss is NaN in epoch 1 at example 0 (learning rate 1)"
			} else {
				for _, v := range f {
					var run []study.Epoch
					for e := 1; e <= 3; e++ {
						acc := v - 0.1*float64(3-e)
						run = append(run, study.Epoch{Epoch: e, LR: lr, TrainLoss: 1 - acc, TrainAccuracy: acc + 0.05, ValLoss: 1.1 - acc, ValAccuracy: acc, Seconds: float64(e)})
					}
					tr.Runs = append(tr.Runs, run)
					tr.Value += v / 2
				}
			}
			trials = append(trials, tr)
			n++
		}
	}
	return spec, trials
}

func TestGoldenFormats(t *testing.T) {
	spec, trials := fixedStudy(t)
	for _, format := range Formats {
		var buf bytes.Buffer
		if err := Write(&buf, Analyze(spec, trials), format, 0); err != nil {
			t.Fatal(err)
		}
		golden := filepath.Join("testdata", "fixed."+format+".golden")
		if *update {
			os.WriteFile(golden, buf.Bytes(), 0o644)
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf.Bytes(), want) {
			t.Errorf("%s differs from %s:\n%s", format, golden, buf.String())
		}
	}
}

func TestAnalysis(t *testing.T) {
	spec, trials := fixedStudy(t)
	r := Analyze(spec, trials)
	// Ranked by mean: trial 3 (0.915), 2 (0.905), 1 (0.84), 0 (0.81); the
	// lr 1 with constant (0.65) is last; the failed trial 5 is left out.
	var order []int
	for _, row := range r.Ranked {
		order = append(order, row.Trial)
	}
	if fmt.Sprint(order) != "[3 2 1 0 4]" {
		t.Errorf("ranking %v", order)
	}
	// Half-width of the 95% interval of {0.92, 0.91}: t(1) = 12.706 times
	// s/√2 = 0.005.
	if h := r.Ranked[0].Interval.HalfWidth; fmt.Sprintf("%.5f", h) != "0.06353" {
		t.Errorf("half-width %v, want 12.706·0.005 = 0.06353", h)
	}
	// lr explains more of the variance than schedule.
	if r.Parameters[0].Name != "lr" || r.Parameters[0].Importance <= r.Parameters[1].Importance {
		t.Errorf("importance %+v", r.Parameters)
	}
	// Every ranked trial's interval overlaps the best's with two seeds
	// each: all are marked tied.
	for _, row := range r.Ranked[1:] {
		if !row.Tied {
			t.Errorf("trial %d [%v, %v] not tied with the best [%v, %v]", row.Trial, row.Interval.Low, row.Interval.High, r.Ranked[0].Interval.Low, r.Ranked[0].Interval.High)
		}
	}
	// The answer is derived from the table: best trial with its interval,
	// that the data cannot tell it from the others, the most important
	// parameter and its best and worst values.
	for _, want := range []string{"trial #3 (lr=0.1, schedule=cosine) scored best", "val_accuracy 91.50% (95% interval 85.15%–97.85%, 2 runs)",
		"4 other trials are within that interval: the search alone cannot tell them apart", "lr matters most", "lr 0.1 averages", "for lr 1"} {
		if !strings.Contains(r.Answer, want) {
			t.Errorf("answer lacks %q:\n%s", want, r.Answer)
		}
	}
	// Identical on every call.
	var a, b bytes.Buffer
	Write(&a, Analyze(spec, trials), "json", 0)
	Write(&b, Analyze(spec, trials), "json", 0)
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two reports of the same study differ")
	}
}

// BenchmarkReport analyses a 500-trial study and renders it: the four
// formats, every figure and the HTML page.
func BenchmarkReport(b *testing.B) {
	spec, trials := bigStudy(b)
	for range b.N {
		r := Analyze(spec, trials)
		for _, f := range Formats {
			if err := Write(new(bytes.Buffer), r, f, 10); err != nil {
				b.Fatal(err)
			}
		}
		page := &Page{Report: r, Figures: Plots(spec, r)}
		if err := page.WriteHTML(new(bytes.Buffer)); err != nil {
			b.Fatal(err)
		}
	}
}

// TestTiesOnTwoHundredImages: with one seed and 200 validation images, a
// lead of 1.5 points is inside the noise (Wilson intervals overlap) and
// the report says so; a lead of 40 points is not.
func TestTiesOnTwoHundredImages(t *testing.T) {
	spec, err := study.ParseSpec("t.yaml", []byte("name: t\nmethod: grid\nparameters:\n  lr: {values: [0.01, 0.02, 0.0001]}\nconfirm: false\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	var trials []study.Trial
	for i, acc := range []float64{0.905, 0.89, 0.505} {
		trials = append(trials, study.Trial{Number: i, State: study.Complete, Value: acc, Seeds: []uint64{1},
			Params: []study.ParamValue{{Name: "lr", Value: spec.Parameters[0].Values[i]}}, Runs: [][]study.Epoch{{{Epoch: 1, ValAccuracy: acc}}}})
	}
	r := Analyze(spec, trials)
	if r.ValidationImages != 200 || r.Ranked[0].Interval.Kind != "wilson" {
		t.Fatalf("%d images, interval %+v", r.ValidationImages, r.Ranked[0].Interval)
	}
	if !r.Ranked[1].Tied || r.Ranked[2].Tied {
		t.Errorf("1.5 points apart tied: %v (want true); 40 points apart tied: %v (want false)", r.Ranked[1].Tied, r.Ranked[2].Tied)
	}
	if want := "1 other trial is within that interval: the search alone cannot tell them apart"; !strings.Contains(r.Answer, want) {
		t.Errorf("answer lacks %q:\n%s", want, r.Answer)
	}
}

// bigStudy is a made-up 500-trial study shaped like configs/lr_sizes.yaml
// run longer: four parameters, 30 epochs, two thirds pruned at epoch 3 or
// 9, one run each.
func bigStudy(t testing.TB) (*study.Spec, []study.Trial) {
	spec, err := study.ParseSpec("big.yaml", []byte(`name: big
seed: 42
fixed: {epochs: 30}
method: random
parameters:
  lr:       {distribution: log_uniform_values, min: 0.001, max: 0.3}
  sizes:    {values: ["784,128,64,10", "784,256,128,10", "784,128,128,10", "784,64,10"]}
  batch:    {distribution: int_uniform, min: 4, max: 64}
  schedule: {values: [constant, cosine]}
budget: {trials: 500, batch: 4}
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var trials []study.Trial
	for n := range 500 {
		lr := math.Exp(math.Log(0.001) + rng.Float64()*math.Log(300))
		q := 1 - math.Abs(math.Log10(lr)+1.5)/2 // best near lr 0.03
		epochs, state := 30, study.Complete
		if n%3 != 0 {
			epochs, state = []int{3, 9}[n%2], study.Pruned
		}
		var run []study.Epoch
		for e := 1; e <= epochs; e++ {
			acc := 0.5 + 0.4*q*(1-math.Exp(-float64(e)/4)) + rng.Float64()*0.01
			run = append(run, study.Epoch{Epoch: e, LR: lr, TrainLoss: 1.5 - acc, TrainAccuracy: acc + 0.05, ValLoss: 1.6 - acc, ValAccuracy: acc, Seconds: float64(e) * 0.3})
		}
		trials = append(trials, study.Trial{Number: n, State: state, Value: run[len(run)-1].ValAccuracy, Seconds: float64(epochs) * 0.3,
			Seeds: []uint64{study.TrialSeed(42, n, 0)}, Runs: [][]study.Epoch{run},
			Params: []study.ParamValue{{Name: "lr", Value: lr}, {Name: "sizes", Value: spec.Parameters[1].Values[n%4]},
				{Name: "batch", Value: int64(4 + n%61)}, {Name: "schedule", Value: spec.Parameters[3].Values[n%2]}}})
	}
	return spec, trials
}

// TestPageSize: the page of a 500-trial study stays under 1.5 MB, every
// ranked trial a row.
func TestPageSize(t *testing.T) {
	spec, trials := bigStudy(t)
	_, page := writePage(t, spec, trials, nil)
	if n := bytes.Count(page, []byte(`<tr data-trial=`)); n != 500 {
		t.Errorf("%d ranked rows, want 500", n)
	}
	t.Logf("report.html of 500 trials: %d bytes", len(page))
	if len(page) > 1500<<10 {
		t.Errorf("report.html of 500 trials is %d bytes, over 1.5 MB", len(page))
	}
}
