package command

import (
	"embed"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"

	"github.com/sweepml/sweep/internal/safefile"
	"github.com/sweepml/sweep/study"
)

// pylib holds this tool's wandb module, for programs written for W&B.
//
//go:embed pylib/wandb/__init__.py
var pylib embed.FS

// ModuleFile is the wandb module's file below a ModuleDir.
const ModuleFile = "wandb/__init__.py"

// FromSpec is the objective of a spec that names a command (or W&B's
// program:), its logs and files in dir: the spec's checks, then, unless
// the spec turns it off, this tool's wandb module written below dir for
// the program's import wandb. Errors are the spec's, at its lines.
func FromSpec(spec *study.Spec, dir string) (*Objective, error) {
	o := &Objective{Argv: spec.Command, Dir: dir, Program: spec.Program, Paths: map[string][]string{}}
	var names []string
	for _, p := range spec.Parameters {
		names = append(names, p.Name)
		o.Paths[p.Name] = p.Path
	}
	if err := Check(spec.Command, names, spec.Program); err != nil {
		return nil, spec.Errorf("command", "%v", err)
	}
	argv := o.Expand(study.TrialRun{}, "")
	if _, err := exec.LookPath(argv[0]); err != nil {
		return nil, spec.Errorf("command", "%s: not a program on PATH, nor a path to one", argv[0])
	}
	if spec.Program != "" {
		if _, err := os.Stat(spec.Program); err != nil && slices.Contains(spec.Command, "${program}") {
			return nil, spec.Errorf("program", "%s: no such file (a path from the directory sweep runs in, as W&B's agent takes it)", spec.Program)
		}
		o.Sweep = spec.Name
	}
	if o.UsesModule(spec) {
		o.ModuleDir = filepath.Join(dir, "pylib")
	}
	return o, nil
}

// UsesModule reports whether the spec's runs import this tool's wandb
// module: a spec with program:, unless wandb_module: false.
func (o *Objective) UsesModule(spec *study.Spec) bool {
	return spec.Program != "" && !spec.NoWandbModule
}

// WriteModule writes the wandb module below o.ModuleDir, if it has one.
func (o *Objective) WriteModule() error {
	if o.ModuleDir == "" {
		return nil
	}
	src, _ := pylib.ReadFile("pylib/" + ModuleFile)
	path := filepath.Join(o.ModuleDir, ModuleFile)
	if old, err := os.ReadFile(path); err == nil && string(old) == string(src) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("writing the wandb module: %w", err)
	}
	return safefile.Write(path, func(w io.Writer) error { _, err := w.Write(src); return err })
}
