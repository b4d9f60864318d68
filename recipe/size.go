package recipe

// Size is the number of weights and biases of the network the settings
// describe: the same whichever implementation trains it.
func (s Settings) Size() (int, error) {
	s.Impl, s.DType = ImplScratch, "float64"
	m, err := build[float64](s)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, p := range m.Tensors() {
		n += len(p.Value)
	}
	return n, nil
}

// EpochFlops is the arithmetic of one training epoch of a network of
// params weights on trainN images: 6 per weight and image, 2 for the
// forward pass's multiply and add, 4 for the backward pass's two products
// (the usual estimate; activations and the optimizer's update aside).
func EpochFlops(params, trainN int) float64 { return 6 * float64(params) * float64(trainN) }
