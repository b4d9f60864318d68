package study

import (
	"fmt"

	"github.com/c-bata/goptuna"
)

// Read reads the study named name from a storage that keeps its spec (as
// a shared database does): the spec its first worker stored, and its
// trials. where names the storage in errors.
func Read(storage goptuna.Storage, name, where string, settings SettingTable) (*Spec, []Trial, error) {
	return (&StoredReader{Storage: storage, Name: name, Where: where, Settings: settings}).Read()
}

// A StoredReader reads a study kept in a storage that keeps its spec
// again and again, as a live view does: the spec is parsed once and each
// finished trial's record built once. A study deleted and created again
// under its name (sweep run --restart) is read afresh.
type StoredReader struct {
	Storage  goptuna.Storage
	Name     string
	Where    string // names the storage in errors
	Settings SettingTable

	id     int
	spec   *Spec
	reader *Reader
}

// Read reads the study as Read does. Its records share their slices with
// the reader's: callers must not modify them.
func (r *StoredReader) Read() (*Spec, []Trial, error) {
	id, err := r.Storage.GetStudyIDFromName(r.Name)
	if err != nil {
		return nil, nil, fmt.Errorf("%s holds no sweep named %q", r.Where, r.Name)
	}
	if r.spec == nil || id != r.id {
		attrs, err := r.Storage.GetStudySystemAttrs(id)
		if err != nil {
			return nil, nil, err
		}
		spec, err := ParseSpec("the spec stored in "+r.Where, []byte(attrs[AttrSpec]), r.Settings)
		if err != nil {
			return nil, nil, err
		}
		r.id, r.spec, r.reader = id, spec, NewReader(spec)
	}
	trials, err := r.reader.Read(r.Storage, id)
	return r.spec, trials, err
}
