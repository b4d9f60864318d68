//go:build unix

package journal

import (
	"os"
	"syscall"
)

// noFollow makes opening a symbolic link fail.
const noFollow = syscall.O_NOFOLLOW

// lock takes an exclusive advisory lock on f, or fails at once if another
// process holds one; it ends when f is closed, or the process.
func lock(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
}
