// Package train is the training machinery shared by every model of this
// module: minibatch stepping, optimizers (SGD, momentum with an optional
// Nesterov step, Adam; L2 weight decay), learning-rate schedules (constant,
// cosine annealing, step decay, linear warm-up), the per-epoch history, and
// Fit, which ties them together.
//
// A model only has to compute a loss and its gradients (the Model
// interface); everything about how parameters move lives here, once. A
// model that can skip inputs blank in a whole batch (ColumnModel) gets
// compact batches from the Stepper and the Evaluator, which, where the
// model's RowGroup says the result is the same, converts and evaluates a
// batch a part at a time.
//
// Fit is deterministic: the same model weights, data, configuration and
// seed give a bit-identical history (apart from wall-clock seconds) and
// bit-identical weights. A training step allocates nothing after the first.
package train
