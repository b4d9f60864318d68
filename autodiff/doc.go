// Package autodiff builds the networks of packages network and residual a
// second way: as GoMLX computation graphs whose gradients come from GoMLX's
// reverse-mode automatic differentiation, the Go counterpart of the
// notebook's PyTorch network.
//
// A Net starts from the exact weights of a scratch model (FromMLP,
// FromResidual) and is a train.Model: it trains with the same optimizers,
// schedules and epoch loop, and returns the same history. Only the loss and
// its gradients are computed differently, so comparing the two checks the
// hand-written backward passes against a framework's, to machine
// precision.
//
// Graphs run on GoMLX's pure-Go backend (github.com/gomlx/compute/gobackend),
// constructed explicitly by NewBackend: nothing ever tries to load or
// download XLA, and builds stay CGO_ENABLED=0.
package autodiff
