package serve

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
	"os"
	"path/filepath"
	"sort"

	"github.com/sweepml/sweep/journal"
	"github.com/sweepml/sweep/study"
)

// A Source is one study the server shows.
type Source interface {
	// Stamp is a cheap token that changes whenever the study may have
	// changed (a journal's size and time); "" means unknown: Load to see.
	Stamp() string
	// Load reads the study: its spec and trials, and for a study kept in
	// a directory that directory (for command trials' logs), else "".
	Load() (*study.Spec, []study.Trial, string, error)
}

// Journal is a study recorded in a results directory.
type Journal struct {
	Dir      string
	Settings study.SettingTable
}

// Stamp is the journal's and spec's size and modification times.
func (j Journal) Stamp() string {
	var s string
	for _, f := range []string{journal.FileName, journal.SpecFile} {
		if st, err := os.Stat(filepath.Join(j.Dir, f)); err == nil {
			s += fmt.Sprintf("%d.%d;", st.Size(), st.ModTime().UnixNano())
		}
	}
	return s
}

// Load reads the journal without writing to it.
func (j Journal) Load() (*study.Spec, []study.Trial, string, error) {
	spec, trials, err := journal.Load(j.Dir, j.Settings)
	return spec, trials, j.Dir, err
}

// Sweeps lists the sweep directories directly under root, by name.
func Sweeps(root string) []string {
	specs, _ := filepath.Glob(filepath.Join(root, "*", journal.SpecFile))
	var out []string
	for _, s := range specs {
		out = append(out, filepath.Base(filepath.Dir(s)))
	}
	sort.Strings(out)
	return out
}

// IsSweep reports whether dir is one sweep's results directory.
func IsSweep(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, journal.SpecFile))
	return err == nil
}

// version names a study's state: it changes when a trial is added, moves
// on an epoch, or changes state or value.
func version(trials []study.Trial) string {
	h := fnv.New64a()
	var buf [8]byte
	put := func(v uint64) {
		binary.LittleEndian.PutUint64(buf[:], v)
		h.Write(buf[:])
	}
	for _, t := range trials {
		put(uint64(t.Number))
		h.Write([]byte(t.State))
		put(math.Float64bits(t.Value))
		for _, run := range t.Runs {
			put(uint64(len(run)))
		}
		h.Write([]byte(t.Reason))
	}
	return fmt.Sprintf("%d-%016x", len(trials), h.Sum64())
}
