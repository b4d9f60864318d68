// Command bench trains the same model for the same epochs in sweep's Go
// code (pure-Go and OpenBLAS builds, float32 and float64), in PyTorch and
// in NumPy, in interleaved rounds on one thread each, and prints each one's
// epoch time and its ratio to ours. Run from the repository root:
//
//	go run ./bench [-rounds 3]
//
// It needs Debian's python3-torch and python3-numpy (/usr/bin/python3) and,
// for the OpenBLAS build, libopenblas-dev.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
)

// contender is one implementation at one setting.
type contender struct {
	name, dtype string
	cmd         []string
	times       []float64 // per round: seconds of the timed epochs, summed
	load        []float64 // per round: CPU seconds ÷ seconds of the timed epochs
	kernels     string    // what it multiplied with, as it says
}

func main() {
	rounds := flag.Int("rounds", 3, "interleaved rounds; medians are reported")
	python := flag.String("python", "/usr/bin/python3", "a Python with Debian's torch and numpy")
	flag.Parse()
	if err := run(*rounds, *python); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(rounds int, python string) error {
	tmp, err := os.MkdirTemp("", "sweep-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	// Our two builds.
	builds := map[string]string{"pure Go": filepath.Join(tmp, "epoch-pure")}
	if err := goBuild(builds["pure Go"], nil, "CGO_ENABLED=0"); err != nil {
		return err
	}
	if libs, _ := filepath.Glob("/usr/lib/*/libopenblas.so"); len(libs) > 0 {
		builds["OpenBLAS"] = filepath.Join(tmp, "epoch-openblas")
		if err := goBuild(builds["OpenBLAS"], []string{"-tags", "openblas"}); err != nil {
			return err
		}
	}
	ours := "pure Go" // what make builds: see the Makefile
	if _, ok := builds["OpenBLAS"]; ok {
		ours = "OpenBLAS"
	}
	py := func(script string, args ...string) []string {
		return append([]string{python, filepath.Join("bench", script)}, args...)
	}
	epoch := func(dtype, batch, epochs, subset string) (goArgs, pyArgs []string) {
		return []string{"-dtype", dtype, "-batch", batch, "-epochs", epochs, "-subset", subset}, []string{dtype, batch, epochs, subset}
	}
	var all []*contender
	add := func(group, name, dtype string, cmd []string) *contender {
		c := &contender{name: group + "|" + name, dtype: dtype, cmd: cmd}
		all = append(all, c)
		return c
	}
	// One epoch over all 60,000 images, batch 64.
	for _, dt := range []string{"float32", "float64"} {
		g, p := epoch(dt, "64", "1", "60000")
		for _, b := range []string{"pure Go", "OpenBLAS"} {
			if bin, ok := builds[b]; ok {
				add("epoch", "Go, "+b, dt, append([]string{bin}, g...))
			}
		}
		add("epoch", "PyTorch", dt, py("torch_epoch.py", p...))
		add("epoch", "NumPy", dt, py("numpy_epoch.py", p...))
	}
	// The notebook's task: 800 images, 30 epochs at batch 32; one epoch
	// per sample (batch 1).
	g, _ := epoch("float32", "32", "30", "800")
	add("notebook", "Go, "+ours+", batch 32, 30 epochs", "float32", append([]string{builds[ours]}, g...))
	g, p := epoch("float64", "1", "1", "800")
	add("notebook", "Go, "+ours+", batch 1, 1 epoch", "float64", append([]string{builds[ours]}, g...))
	add("notebook", "NumPy, batch 1, 1 epoch", "float64", py("numpy_epoch.py", p...))

	env := benchEnv()
	for r := range rounds {
		fmt.Fprintf(os.Stderr, "round %d of %d\n", r+1, rounds)
		for _, c := range all {
			secs, load, kernels, err := timeIt(c.cmd, env)
			if err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			c.kernels = kernels
			c.times = append(c.times, secs)
			c.load = append(c.load, load)
		}
	}
	printResults(all, ours, rounds)
	return nil
}

func goBuild(out string, flags []string, env ...string) error {
	cmd := exec.Command("go", append(append([]string{"build", "-o", out}, flags...), "./bench/epoch")...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	return cmd.Run()
}

// benchEnv pins every contender to one thread (our OpenBLAS build adds a
// spare, idle P to GOMAXPROCS: see internal/linalg). OPENBLAS_CORETYPE and
// OPENBLAS_L2_SIZE, which some machines here set for old OpenBLAS builds,
// are unset for all alike: OpenBLAS serves NumPy and our OpenBLAS build.
func benchEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OPENBLAS_CORETYPE=") && !strings.HasPrefix(kv, "OPENBLAS_L2_SIZE=") {
			env = append(env, kv)
		}
	}
	return append(env, "OPENBLAS_NUM_THREADS=1", "OMP_NUM_THREADS=1", "MKL_NUM_THREADS=1", "GOMAXPROCS=1")
}

// printResults prints the medians of the rounds: the epochs side by side
// with their ratios to ours, then the notebook's task.
func printResults(all []*contender, ours string, rounds int) {
	median := func(c *contender) float64 {
		s := slices.Sorted(slices.Values(c.times))
		return s[len(s)/2]
	}
	find := func(name, dtype string) *contender {
		for _, c := range all {
			if c.name == name && c.dtype == dtype {
				return c
			}
		}
		return nil
	}
	fmt.Printf("Machine: %s, %d CPUs, Go %s; one thread each; medians of %d interleaved rounds.\n\n", cpuModel(), runtime.NumCPU(), runtime.Version(), rounds)
	fmt.Println("One epoch over all 60,000 MNIST images, 784-128-64-10, batch 64, momentum SGD:")
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "implementation\tdtype\tepoch (s)\tours (Go, %s) ÷ this\tGFLOP/s (dense)\tCPU ÷ wall\n", ours)
	for _, c := range all {
		group, name, _ := strings.Cut(c.name, "|")
		if group != "epoch" {
			continue
		}
		us := find("epoch|Go, "+ours, c.dtype)
		// 784·128 + 128·64 + 64·10 multiply-adds per image forward, three
		// times that with the backward pass, two flops each.
		gflops := 6 * float64(784*128+128*64+64*10) * 60000 / 1e9 / median(c)
		fmt.Fprintf(tw, "%s\t%s\t%.3f\t%.2f\t%.1f\t%.2f\n", name, c.dtype, median(c), median(us)/median(c), gflops, slices.Max(c.load))
	}
	tw.Flush()
	fmt.Println("\nThe notebook's task (800 images):")
	tw = tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	for _, c := range all {
		if group, name, _ := strings.Cut(c.name, "|"); group == "notebook" {
			fmt.Fprintf(tw, "%s\t%s\t%.3f s\n", name, c.dtype, median(c))
		}
	}
	tw.Flush()
	goOne, npOne := all[len(all)-2], all[len(all)-1]
	fmt.Printf("Per sample, NumPy ÷ ours: %.1f\n", median(npOne)/median(goOne))
	printKernels(all)
}

// timeIt runs a contender and sums the epoch seconds it reports. It also
// returns the CPU seconds the process used in those epochs over their
// seconds, which shows that each contender computes on one core.
func timeIt(argv []string, env []string) (secs, load float64, kernels string, err error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return 0, 0, "", fmt.Errorf("%v: %s", err, errOut.String())
	}
	var res struct {
		Seconds    []float64
		CPUSeconds float64 `json:"cpu_seconds"`
		Kernels    string
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		return 0, 0, "", fmt.Errorf("output %q: %w", out.String(), err)
	}
	for _, s := range res.Seconds {
		secs += s
	}
	return secs, res.CPUSeconds / secs, res.Kernels, nil
}

// printKernels says what each contender multiplied with, and whether the
// environment forces OpenBLAS's kernels (every contender ran without it).
func printKernels(all []*contender) {
	fmt.Println("\nKernels, as each contender reported them:")
	seen := map[string]bool{}
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	for _, c := range all {
		_, name, _ := strings.Cut(c.name, "|")
		if key := name + c.kernels; !seen[key] {
			seen[key] = true
			fmt.Fprintf(tw, "  %s\t%s\n", name, c.kernels)
		}
	}
	tw.Flush()
	for _, v := range []string{"OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"} {
		if x, ok := os.LookupEnv(v); ok {
			fmt.Printf("  This environment sets %s=%s; every contender ran without it: native kernels.\n", v, x)
		}
	}
}

func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}
