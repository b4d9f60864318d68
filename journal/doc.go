// Package journal keeps a study on disk: a goptuna.Storage that appends
// every change to a file, one JSON line each, synced before the call
// returns, and replays it on opening (Open, Read); and the layout of a
// sweep's results directory (FileName, SpecFile), read back by Load.
// A sweep in PostgreSQL is kept by package pgstore instead.
package journal
