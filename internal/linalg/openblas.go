//go:build openblas

package linalg

// #cgo LDFLAGS: -lopenblas
// void openblas_set_num_threads(int);
import "C"

import (
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/netlib/blas/netlib"
)

// BLAS names the implementation this build multiplies with.
const BLAS = "openblas"

// A build with the openblas tag multiplies through OpenBLAS (cgo, Debian's
// libopenblas-dev) instead of gonum's pure-Go BLAS. One thread: sweeps run
// one trial per core, and for these small matrices a second thread does
// not pay.
func init() {
	C.openblas_set_num_threads(1)
	blas64.Use(netlib.Implementation{})
	blas32.Use(netlib.Implementation{})
}
