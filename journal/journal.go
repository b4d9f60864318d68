package journal

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/c-bata/goptuna"

	"github.com/sweepml/sweep/internal/lineio"
	"github.com/sweepml/sweep/study"
)

// Journal is a goptuna.Storage that keeps the study in memory and appends
// every change to a file, one JSON object per line, synced before the call
// returns. Opening an existing journal replays it. It is the durable
// record of a sweep: a process killed at any moment loses at most the
// change it was writing, and a torn last line is dropped on replay.
//
// Journal is safe for concurrent use.
type Journal struct {
	*goptuna.InMemoryStorage
	mu     sync.Mutex
	file   *os.File
	path   string
	trials int // created: counted, since the storage counts only by copying them all
	read   int // trial records handed out (TrialsRead)
}

var _ goptuna.Storage = (*Journal)(nil)

// event is one line of the journal.
type event struct {
	Op    string          `json:"op"`
	Study int             `json:"study,omitempty"`
	Trial int             `json:"trial,omitempty"`
	Name  string          `json:"name,omitempty"`
	Text  string          `json:"text,omitempty"`
	Value float64         `json:"value,omitempty"`
	Step  int             `json:"step,omitempty"`
	Dist  json.RawMessage `json:"dist,omitempty"`
}

// ErrInUse is the error of opening a journal that another process has
// open for writing.
var ErrInUse = errors.New("in use by another sweep run")

// maxLine bounds a journal line (an epoch's record is a few hundred
// bytes): a longer one is damage, not data.
const maxLine = 1 << 20

// Open opens the journal at path for writing, creating it if it
// does not exist and replaying it if it does. It holds an exclusive lock
// on the file while open: a second process opening the same journal gets
// ErrInUse. It never follows a symbolic link.
func Open(path string) (*Journal, error) {
	j := &Journal{InMemoryStorage: goptuna.NewInMemoryStorage(), path: path}
	_, statErr := os.Lstat(path)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND|noFollow, 0o644)
	if err != nil {
		if st, lerr := os.Lstat(path); lerr == nil && st.Mode()&os.ModeSymlink != 0 {
			return nil, fmt.Errorf("journal %s is a symbolic link; a sweep writes only its own file", path)
		}
		return nil, err
	}
	if err := lock(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w (wait for it to end, or give this sweep another name)", path, ErrInUse)
	}
	if os.IsNotExist(statErr) {
		syncDir(filepath.Dir(path)) // the new file's directory entry too
	}
	if err := j.open(f); err != nil {
		f.Close()
		return nil, err
	}
	j.file = f
	return j, nil
}

// open replays f, drops a torn last line and completes a whole last line
// that lacks its newline.
func (j *Journal) open(f *os.File) error {
	good, whole, err := j.replay(f)
	if err != nil {
		return err
	}
	if err := f.Truncate(good); err != nil {
		return err
	}
	if whole {
		if _, err := f.Write([]byte("\n")); err != nil {
			return err
		}
		return f.Sync()
	}
	return nil
}

// syncDir makes a directory's entries durable.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// Read replays the journal at path into a storage that cannot be
// written to disk: for reports, which may read a sweep while it runs (a
// torn last line is skipped, never truncated).
func Read(path string) (*goptuna.InMemoryStorage, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	j := &Journal{InMemoryStorage: goptuna.NewInMemoryStorage(), path: path}
	if _, _, err := j.replay(f); err != nil {
		return nil, err
	}
	return j.InMemoryStorage, nil
}

// Files in a sweep's results directory.
const (
	FileName = "journal.jsonl"
	SpecFile = "spec.yaml"
)

// Load reads a sweep's results directory: the spec it was run with and
// its trials, as far as they got. settings is what the spec was checked
// against (nil: anything).
func Load(dir string, settings study.SettingTable) (*study.Spec, []study.Trial, error) {
	path := filepath.Join(dir, SpecFile)
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("%s is not a sweep's results directory: %w", dir, err)
	}
	spec, err := study.ParseSpec(path, src, settings)
	if err != nil {
		return nil, nil, fmt.Errorf("%s is not a sweep's results directory: %w", dir, err)
	}
	storage, err := Read(filepath.Join(dir, FileName))
	if err != nil {
		return nil, nil, err
	}
	id, err := storage.GetStudyIDFromName(spec.Name)
	if err != nil {
		return spec, nil, nil // no trial recorded yet
	}
	trials, err := spec.ReadTrials(storage, id)
	return spec, trials, err
}

// Close closes the journal file.
func (j *Journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.file.Close()
}

// replay applies every complete line of r and returns the offset after
// the last one. A last line without its newline is applied if it is a
// whole event (whole reports it: its newline is missing) and dropped if
// it is torn.
func (j *Journal) replay(r io.Reader) (offset int64, whole bool, err error) {
	br := bufio.NewReaderSize(r, 64<<10)
	for line := 1; ; line++ {
		b, cut, err := lineio.ReadLine(br, maxLine)
		if cut {
			err = fmt.Errorf("a line of over %d bytes: damaged journal", maxLine)
		}
		if err != nil && err != io.EOF {
			return offset, false, fmt.Errorf("%s:%d: %w", j.path, line, err)
		}
		if len(b) == 0 && err == io.EOF {
			return offset, false, nil
		}
		var e event
		if jerr := json.Unmarshal(bytes.TrimSpace(b), &e); jerr != nil {
			if err == io.EOF {
				return offset, false, nil // a torn last line
			}
			return offset, false, fmt.Errorf("%s:%d: damaged journal line: %w", j.path, line, jerr)
		}
		if aerr := j.apply(e); aerr != nil {
			return offset, false, fmt.Errorf("%s:%d: journal line does not replay: %w", j.path, line, aerr)
		}
		offset += int64(len(b))
		if err == io.EOF {
			return offset, true, nil
		}
	}
}

// apply performs one change on the in-memory study.
func (j *Journal) apply(e event) error {
	m := j.InMemoryStorage
	switch e.Op {
	case "create_study":
		_, err := m.CreateNewStudy(e.Name)
		return err
	case "direction":
		return m.SetStudyDirection(e.Study, goptuna.StudyDirection(e.Text))
	case "study_user_attr":
		return m.SetStudyUserAttr(e.Study, e.Name, e.Text)
	case "study_system_attr":
		return m.SetStudySystemAttr(e.Study, e.Name, e.Text)
	case "create_trial":
		_, err := m.CreateNewTrial(e.Study)
		if err == nil {
			j.trials++
		}
		return err
	case "param":
		dist, err := goptuna.JSONToDistribution(e.Dist)
		if err == nil {
			err = study.CheckInternal(e.Name, dist, e.Value)
		}
		if err != nil {
			return err
		}
		return m.SetTrialParam(e.Trial, e.Name, e.Value, dist)
	case "intermediate":
		return m.SetTrialIntermediateValue(e.Trial, e.Step, e.Value)
	case "value":
		return m.SetTrialValue(e.Trial, e.Value)
	case "state":
		for state := goptuna.TrialStateRunning; state <= goptuna.TrialStateWaiting; state++ {
			if state.String() == e.Text {
				return m.SetTrialState(e.Trial, state)
			}
		}
		return fmt.Errorf("unknown trial state %q", e.Text)
	case "trial_user_attr":
		return m.SetTrialUserAttr(e.Trial, e.Name, e.Text)
	case "trial_system_attr":
		return m.SetTrialSystemAttr(e.Trial, e.Name, e.Text)
	}
	return fmt.Errorf("unknown operation %q", e.Op)
}

// commits are the operations synced at once (see record).
var commits = map[string]bool{"state": true, "create_study": true, "direction": true, "study_user_attr": true, "study_system_attr": true}

// record applies e and, if that succeeds, appends it to the file. The
// changes that commit — a trial's state (written last when it ends) and
// the study's own — are synced to disk before record returns, and carry
// the lines before them with them: group commit, one sync per trial.
// Every other change (a trial's creation, parameters, attributes, epoch
// records, value) is written to the operating system at once — a killed
// process loses none — and reaches the disk with the next synced change;
// a machine that loses power can lose a suffix of the journal holding
// trials still running, which rerun anyway, never a finished trial. The lock orders the lines;
// the sync happens outside it, so that workers recording at once wait for
// the disk together rather than in turn.
func (j *Journal) record(e event) error {
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	j.mu.Lock()
	if err := j.apply(e); err != nil {
		j.mu.Unlock()
		return err
	}
	_, err = j.file.Write(append(b, '\n'))
	j.mu.Unlock()
	if err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	if !commits[e.Op] {
		return nil // synced with the next change that is
	}
	if err := j.file.Sync(); err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	return nil
}

// CreateNewStudy records a new study.
func (j *Journal) CreateNewStudy(name string) (int, error) {
	if err := j.record(event{Op: "create_study", Name: name}); err != nil {
		return -1, err
	}
	return j.GetStudyIDFromName(name)
}

// DeleteStudy is not supported: a journal only grows.
func (j *Journal) DeleteStudy(studyID int) error {
	return errors.New("a journal cannot delete its study; remove the results directory")
}

// SetStudyDirection records the study's direction.
func (j *Journal) SetStudyDirection(studyID int, d goptuna.StudyDirection) error {
	return j.record(event{Op: "direction", Study: studyID, Text: string(d)})
}

// SetStudyUserAttr records a study user attribute.
func (j *Journal) SetStudyUserAttr(studyID int, key, value string) error {
	return j.record(event{Op: "study_user_attr", Study: studyID, Name: key, Text: value})
}

// SetStudySystemAttr records a study system attribute.
func (j *Journal) SetStudySystemAttr(studyID int, key, value string) error {
	return j.record(event{Op: "study_system_attr", Study: studyID, Name: key, Text: value})
}

// CreateNewTrial records a new running trial and returns its ID, which is
// also its number.
func (j *Journal) CreateNewTrial(studyID int) (int, error) {
	n := j.NumTrials()
	if err := j.record(event{Op: "create_trial", Study: studyID}); err != nil {
		return -1, err
	}
	return n, nil
}

// NumTrials is the number of trials the journal holds.
func (j *Journal) NumTrials() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.trials
}

// CloneTrial is not supported.
func (j *Journal) CloneTrial(studyID int, base goptuna.FrozenTrial) (int, error) {
	return -1, errors.New("a journal does not clone trials")
}

// SetTrialValue records a trial's value.
func (j *Journal) SetTrialValue(trialID int, value float64) error {
	return j.record(event{Op: "value", Trial: trialID, Value: value})
}

// SetTrialIntermediateValue records a trial's value at a step.
func (j *Journal) SetTrialIntermediateValue(trialID, step int, value float64) error {
	return j.record(event{Op: "intermediate", Trial: trialID, Step: step, Value: value})
}

// SetTrialParam records a trial's parameter.
func (j *Journal) SetTrialParam(trialID int, name string, internal float64, distribution any) error {
	dist, err := goptuna.DistributionToJSON(distribution)
	if err != nil {
		return err
	}
	return j.record(event{Op: "param", Trial: trialID, Name: name, Value: internal, Dist: dist})
}

// SetTrialState records a trial's state.
func (j *Journal) SetTrialState(trialID int, state goptuna.TrialState) error {
	return j.record(event{Op: "state", Trial: trialID, Text: state.String()})
}

// SetTrialUserAttr records a trial user attribute.
func (j *Journal) SetTrialUserAttr(trialID int, key, value string) error {
	return j.record(event{Op: "trial_user_attr", Trial: trialID, Name: key, Text: value})
}

// SetTrialSystemAttr records a trial system attribute.
func (j *Journal) SetTrialSystemAttr(trialID int, key, value string) error {
	return j.record(event{Op: "trial_system_attr", Trial: trialID, Name: key, Text: value})
}
