// Package study holds what a sweep is and what it recorded, apart from how
// it runs and where it is kept: the spec (parsed from YAML, checked, with
// the positions of its keys), its parameters' maths, the trials with their
// per-epoch records as a storage holds them, and the ranking of trials by
// the metric (the Pareto front with several). Package journal keeps a
// study on disk, pgstore in PostgreSQL; package stats holds the intervals.
//
// It is a leaf: reports, the command and the engine (package sweep) import
// it, and it imports neither the engine nor any model, BLAS or database
// package. What a spec's fixed: and parameters: may name comes from a
// SettingTable handed to ParseSpec (package recipe's, for the built-in
// networks); parsing never touches the filesystem.
//
// Vocabulary follows Optuna: a Study is a set of Trials; each trial has
// Params, a State, a seed per repeat, and per-epoch records.
package study
