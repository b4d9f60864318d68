// Package dataset reads image classification data in the IDX format of
// MNIST and serves it to training code without copying it.
//
// The four official MNIST files are embedded in the binary and verified
// against their published SHA-256 sums when loaded, so training never needs
// a network. Any directory holding the four files under the MNIST names
// (Fashion-MNIST, KMNIST, ...) works as a source too.
//
// Pixels stay uint8 in one read-only copy shared by every user. A View is a
// selection of rows of a Set (the first N images, a stratified train or
// validation split); Gather materialises rows of a view as scaled floats
// (pixel/255) into a caller-owned buffer that is reused batch after batch.
// Columns finds the pixels some row of a batch uses, and GatherColumns
// materialises only those, for models that skip inputs blank in a whole
// batch.
package dataset
