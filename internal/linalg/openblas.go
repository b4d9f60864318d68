//go:build openblas

package linalg

// #cgo LDFLAGS: -lopenblas
// void openblas_set_num_threads(int);
// char* openblas_get_corename(void);
// char* openblas_get_config(void);
import "C"

import (
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/netlib/blas/netlib"
)

// BLAS names the implementation this build multiplies with.
const BLAS = "openblas"

// spareProcs is the P this build asks a program to add to GOMAXPROCS
// (ReserveSpareProcs). A goroutine in a cgo call keeps its P only while the
// runtime has another one idle: otherwise sysmon hands the P to a new
// thread once the call has run 20µs, and the goroutine, back from C, must
// wait to be rescheduled — a thread switch per large multiply, 10–15% of
// an epoch measured here. With one P more than the goroutines that
// multiply (see Procs), one is always idle; it runs nothing. An idle P has
// a cost of its own, which training avoids with LockThread.
const spareProcs = 1

// A build with the openblas tag multiplies through OpenBLAS (cgo, Debian's
// libopenblas-dev) instead of gonum's pure-Go BLAS. One thread: sweeps run
// one trial per core, and for these small matrices a second thread does
// not pay.
func init() {
	C.openblas_set_num_threads(1)
	blas64.Use(netlib.Implementation{})
	blas32.Use(netlib.Implementation{})
}

// Kernels says which kernels multiply in this process: OpenBLAS's, for the
// processor it detected (its core name, e.g. Haswell, Zen, SkylakeX, or
// the one OPENBLAS_CORETYPE forced), with its build configuration.
func Kernels() string {
	return "OpenBLAS " + C.GoString(C.openblas_get_corename()) + " kernels (" + C.GoString(C.openblas_get_config()) + ")"
}
