// Package network is a multi-layer perceptron written from scratch on
// gonum's BLAS: any layer sizes, sigmoid, tanh, ReLU or leaky-ReLU hidden
// layers, a softmax output trained with cross-entropy, He or Xavier
// initialisation from an explicit seed, float32 or float64.
//
// The whole forward and backward pass is in mlp.go, top to bottom; the
// first layer's skipping of inputs blank in a whole batch is in sparse.go,
// the activations in activation.go. How the
// weights move (optimizers, schedules, the epoch loop) is package train's
// business; an *MLP is a train.Model, and a train.ColumnModel, which
// takes compact batches.
package network
