package sweeps

import (
	"os"
	"testing"
)

// TestMain clears OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE, which some
// machines here set for old OpenBLAS builds, from the environment every
// command measured here inherits: they pin the OpenBLAS build to other
// kernels than those it picks for the processor (Haswell's instead of the
// AVX-512 ones on the development machine), which is not what a user runs.
// make compare clears them for all its contenders alike (bench/main.go).
func TestMain(m *testing.M) {
	os.Unsetenv("OPENBLAS_CORETYPE")
	os.Unsetenv("OPENBLAS_L2_SIZE")
	os.Exit(m.Run())
}
