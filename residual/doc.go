// Package residual is a residual multi-layer perceptron written from
// scratch, the notebook's ResNetwork done properly: every hidden layer gets
// a shortcut. Where a layer's input and output widths match it is the
// identity,
//
//	h = act(W·x + b) + x
//
// and where they differ it is a learned linear projection P (He et al.
// 2016, option B), h = act(W·x + b) + P·x, instead of silently dropping the
// residual as the notebook did. With Config.NoProjection such layers stay
// plain. The output layer is always plain. The pre-activation form (He et
// al. 2016, "Identity mappings") moves the activation in front of the
// weights: h = W·act(x) + b + shortcut(x), with no activation before the
// first layer.
//
// The forward and backward pass are in resnet.go, top to bottom; training
// is package train's, exactly as for package network.
package residual
