// Package recipe turns the settings of one training run — architecture,
// optimizer, schedule, data selection, element type, seeds — into a trained
// model and its history. `sweep train` runs one recipe from flags; a sweep
// runs one per trial. Defaults reproduce the notebook's task: the first
// 1000 MNIST training images, a stratified 80/20 split with seed 42, a
// 784-128-64-10 network, 30 epochs.
package recipe
