"""nnlab: neural networks from the perceptron to deep learning, built from scratch on NumPy."""
from nnlab.tensor import Tensor, enable_grad, grad, is_grad_enabled, no_grad, tensor
from nnlab import ops  # noqa: F401 - attaches the Tensor operators
from nnlab.ops import (
    abs, add, broadcast_to, clip, concatenate, cos, div, elu, exp, getitem, heaviside, leaky_relu, linear,
    log, log_softmax, logsumexp, matmul, max, maximum, mean, min, minimum, mul, neg, power, relu, reshape,
    sigmoid, sin, softmax, softplus, sqrt, stack, sub, sum, sum_to, tanh, transpose, where,
)
from nnlab.functional import (
    binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, dropout, mse_loss, nll_loss, one_hot,
)
from nnlab.gradcheck import GradcheckReport, gradcheck

__version__ = "0.1.0"
