// Package recipe turns the settings of one training run — architecture,
// optimizer, schedule, data selection, element type, seeds — into a trained
// model and its history. `sweep train` runs one recipe from flags; a sweep
// runs one per trial. Defaults reproduce the notebook's task: the first
// 1000 MNIST training images, a stratified 80/20 split with seed 42, 30
// epochs, and the notebook's sizes for each architecture (784-128-64-10 for
// the MLP, 784-128-128-10 for the residual network). The implementation is
// the hand-written one (scratch) or its GoMLX twin (gomlx).
package recipe
