// Package report answers the question a sweep asks — which
// hyperparameters work best — from a sweep's recorded trials: a ranked
// table (mean and 95% interval over repeats), how the metric varies with
// each parameter, an importance score per parameter, and a plain-language
// answer derived from those numbers. Everything is a function of the
// recorded trials alone: the same study gives the same report, to the
// digit, on every call.
package report
