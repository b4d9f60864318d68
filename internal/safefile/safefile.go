// Package safefile writes files so that readers see either the old content
// or the complete new content, never a half-written file.
package safefile

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Write creates path with what write produces: into a temporary file in
// the same directory, synced, then renamed over path. On any error the
// temporary file is removed and path is untouched.
func Write(path string, write func(w io.Writer) error) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	// CreateTemp makes the file private; results are for everyone to read.
	if err := tmp.Chmod(0o644); err != nil {
		return err
	}
	if err := write(tmp); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
