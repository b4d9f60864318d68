//go:build !race

// Package race reports whether the race detector is on, so that slow
// end-to-end tests can leave race-instrumented runs and run in the plain
// pass of `make test` instead.
package race

// Enabled is true when built with -race.
const Enabled = false
