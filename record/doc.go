// Package record is what a training run reports at the end of each epoch
// (or, for a program, each report line): the Epoch, its figures named. It
// is a leaf: the training code (package train and the networks) and the
// study (package study) both speak it, and neither imports the other for
// it.
//
// The built-in networks fill the named fields; a program's reports (package
// command) carry every numeric figure under its own name in Metrics. Get
// reads a figure by name either way.
package record
