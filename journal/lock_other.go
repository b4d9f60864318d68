//go:build !unix

package journal

import "os"

const noFollow = 0

// lock does nothing where advisory locks are not available.
func lock(*os.File) error { return nil }
