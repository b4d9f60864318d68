package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sweepml/sweep/internal/pgtest"
	"github.com/sweepml/sweep/internal/race"
	"github.com/sweepml/sweep/internal/slurmtest"
	"github.com/sweepml/sweep/journal"
	"github.com/sweepml/sweep/pgstore"
	"github.com/sweepml/sweep/recipe"
	"github.com/sweepml/sweep/study"
)

// slurmSpec is small: nine trials of a tiny network, no pruning, so that a
// shared study records what a local one does; each trial long enough
// (about half a second) that a task cancelled after its first is caught
// in the middle of another.
const slurmSpec = `name: slurm
seed: 3
data: {subset: 1000}
fixed: {sizes: "784,32,10", epochs: 30}
method: random
parameters:
  lr: {distribution: log_uniform_values, min: 0.01, max: 0.5}
  batch: {values: [4, 8]}
budget: {trials: 9, batch: 2}
confirm: false
`

// slurmJob submits examples/slurm/sweep.sbatch as a job array on the
// cluster: a sweep on PATH (this test binary behind a script), the spec
// and a storage URL without its password, which comes in PGPASSWORD as
// the script's documentation says. It returns the job's ID.
func slurmJob(t *testing.T, cl *slurmtest.Cluster, dir, spec, url, array, extra string) string {
	t.Helper()
	bin := filepath.Join(dir, "bin")
	os.MkdirAll(bin, 0o755)
	wrapper := fmt.Sprintf("#!/bin/sh\nexport SWEEP_CLI_CHILD_ARGS=\"$(printf '%%s\\n' \"$@\")\"\nexec %q -test.run='^$'\n", os.Args[0])
	if err := os.WriteFile(filepath.Join(bin, "sweep"), []byte(wrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	script, err := filepath.Abs("../../examples/slurm/sweep.sbatch")
	if err != nil {
		t.Fatal(err)
	}
	cmd := cl.Command("sbatch", "--parsable", "--array="+array, script)
	cmd.Dir = dir
	cmd.Env = append(cmd.Env, "PATH="+bin+":"+os.Getenv("PATH"), "SWEEP_SPEC="+spec, "SWEEP_ARGS="+extra,
		"SWEEP_STORAGE="+strings.Replace(url, ":"+pgtest.Password+"@", "@", 1), "PGPASSWORD="+pgtest.Password)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("sbatch: %v\n%s", err, out)
	}
	return strings.TrimSpace(string(out))
}

// slurmStudies are the shared study and a local run's, untimed; on a
// difference the tasks' output is in the test's log.
func slurmStudies(t *testing.T, dir, spec, url string) (shared, local []study.Trial) {
	t.Helper()
	if code, _, errOut := cli("run", "--workers", "1", "--results", filepath.Join(dir, "local"), spec); code != 0 {
		t.Fatalf("local run: exit %d\n%s", code, errOut)
	}
	_, local, err := journal.Load(filepath.Join(dir, "local", "slurm"), recipe.Table)
	if err != nil {
		t.Fatal(err)
	}
	st, err := pgstore.Open(context.Background(), url, pgstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	_, shared, err = study.Read(st, "slurm", st.Redacted(), recipe.Table)
	if err != nil {
		t.Fatal(err)
	}
	return unnumbered(study.Untimed(shared)), unnumbered(study.Untimed(local))
}

// unnumbered zeroes the trials' storage IDs, which a journal and a
// database number differently.
func unnumbered(trials []study.Trial) []study.Trial {
	for i := range trials {
		trials[i].ID = 0
	}
	return trials
}

// slurmSetup starts a PostgreSQL server and a Slurm cluster of 2 CPUs
// for a test, and writes slurmSpec into its directory.
func slurmSetup(t *testing.T) (cl *slurmtest.Cluster, dir, spec, url string) {
	t.Helper()
	if race.Enabled {
		t.Skip("a real scheduler's processes: the plain pass runs it")
	}
	pg := pgtest.Start(t)
	cl = slurmtest.Start(t, 2)
	dir = t.TempDir()
	spec = filepath.Join(dir, "slurm.yaml")
	os.WriteFile(spec, []byte(slurmSpec), 0o644)
	return cl, dir, spec, pg.URL("slurm")
}

// firstDiff names the first trial that differs between two studies.
func firstDiff(a, b []study.Trial) string {
	for i := range min(len(a), len(b)) {
		if !reflect.DeepEqual(a[i], b[i]) {
			return fmt.Sprintf("trial %d:\n%+v\n%+v", i, a[i], b[i])
		}
	}
	return fmt.Sprintf("%d trials against %d", len(a), len(b))
}

// tasksOutput is what the array's tasks printed.
func tasksOutput(dir string) string {
	files, _ := filepath.Glob(filepath.Join(dir, "sweep-*.out"))
	var b strings.Builder
	for _, f := range files {
		out, _ := os.ReadFile(f)
		fmt.Fprintf(&b, "== %s\n%s\n", filepath.Base(f), out)
	}
	return b.String()
}

// TestSlurmArray: sbatch --array=1-3 examples/slurm/sweep.sbatch on a
// real single-node Slurm fills the PostgreSQL study exactly as sweep run
// --workers 1 fills a local one.
func TestSlurmArray(t *testing.T) {
	cl, dir, spec, url := slurmSetup(t)
	slurmJob(t, cl, dir, spec, url, "1-3", "")
	cl.WaitEmpty(3 * time.Minute)
	shared, local := slurmStudies(t, dir, spec, url)
	if len(shared) != 9+1 || !reflect.DeepEqual(shared, local) {
		t.Fatalf("the array's study differs from a local run's: %s\n%s", firstDiff(shared, local), tasksOutput(dir))
	}
	if out := tasksOutput(dir); !strings.Contains(out, "Results: postgres://postgres@127.0.0.1:") || strings.Contains(out, pgtest.Password) {
		t.Errorf("the tasks' output:\n%s", out)
	}
}

// TestSlurmCancelledTask: one task of the array cancelled mid-trial
// (scancel: SIGTERM, then SIGKILL) changes nothing in the study: the
// others take its trial over.
func TestSlurmCancelledTask(t *testing.T) {
	cl, dir, spec, url := slurmSetup(t)
	job := slurmJob(t, cl, dir, spec, url, "1-2", "--grace 2s")
	// Cancel task 1 once it has begun a trial (its output says so).
	deadline := time.Now().Add(time.Minute)
	for {
		out, _ := os.ReadFile(filepath.Join(dir, fmt.Sprintf("sweep-%s_1.out", job)))
		if strings.Contains(string(out), "trial ") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("task 1 began no trial in a minute\n%s", tasksOutput(dir))
		}
		time.Sleep(20 * time.Millisecond)
	}
	if out, err := cl.Command("scancel", job+"_1").CombinedOutput(); err != nil {
		t.Fatalf("scancel: %v\n%s", err, out)
	}
	cl.WaitEmpty(3 * time.Minute)
	if !takenOver(t, url) {
		t.Errorf("no trial was taken over: the cancelled task was not mid-trial\n%s", tasksOutput(dir))
	}
	shared, local := slurmStudies(t, dir, spec, url)
	if len(shared) != 9+1 || !reflect.DeepEqual(shared, local) {
		t.Fatalf("after a cancelled task the study differs from a local run's: %s\n%s", firstDiff(shared, local), tasksOutput(dir))
	}
}

// takenOver reports whether a trial of the study was taken over from a
// worker that stopped (sweep:stale:<attempt>).
func takenOver(t *testing.T, url string) bool {
	st, err := pgstore.Open(context.Background(), url, pgstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	studyID, err := st.GetStudyIDFromName("slurm")
	if err != nil {
		t.Fatal(err)
	}
	trials, err := st.GetAllTrials(studyID)
	if err != nil {
		t.Fatal(err)
	}
	for _, ft := range trials {
		for k := range ft.SystemAttrs {
			if strings.HasPrefix(k, study.AttrStale) {
				return true
			}
		}
	}
	return false
}
