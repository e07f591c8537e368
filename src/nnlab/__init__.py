"""nnlab: neural networks from the perceptron to deep learning, built from scratch on NumPy.

The engine (Tensor, grad, the primitive operations and losses) is imported here; the layers of
the architecture are sub-packages, imported on first use::

    nnlab.nn           layers, initialisers, losses, penalties, Sequential
    nnlab.optim        optimisers, learning-rate schedules, gradient clipping
    nnlab.train        fit, callbacks, history, metrics
    nnlab.data         data sets, splitting, scaling, batching, MNIST
    nnlab.io           saving and loading models (npz + JSON, never pickle)
    nnlab.models       perceptron, MLP and CNN builders, RBM, sequence models
    nnlab.estimators   scikit-learn compatible MLPClassifier, MLPRegressor, CNNClassifier
    nnlab.de           neural solvers of ODEs and PDEs with trial solutions
    nnlab.diagnostics  vanishing/exploding gradients, saturated and dead units
    nnlab.experiments  grid search, library comparison, the vanishing-gradient study
    nnlab.export       export to PyTorch and ONNX
    nnlab.report       the HTML report of the lecture's experiments
"""
import importlib as _importlib

from nnlab.tensor import Tensor, enable_grad, grad, is_grad_enabled, no_grad
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

_SUBPACKAGES = frozenset({
    "nn", "optim", "train", "data", "io", "models", "estimators", "de", "diagnostics", "experiments",
    "export", "report", "conv_ops", "plots", "cli",
})


def __getattr__(name: str):
    """Import a sub-package on first access (``nnlab.nn``, ``nnlab.estimators``, ...)."""
    if name in _SUBPACKAGES:
        return _importlib.import_module(f"nnlab.{name}")
    raise AttributeError(f"module 'nnlab' has no attribute {name!r}")
