"""The lecture's own NumPy network, kept as the reference that tests and benchmarks compare with.

This is the feed-forward and backpropagation of the lecture's ``NeuralNetwork`` class written out
as there: a sigmoid hidden layer, a softmax output, the output error p - t, the gradients summed over
the batch and lambda W added to the weight gradients. nnlab's ``fit`` with ``CrossEntropyLoss('sum')``,
``L2(lambda)`` and ``SGD`` reproduces it (tests/test_digits.py); nnlab itself never calls it.
"""
from __future__ import annotations

from typing import Iterable

import numpy as np

__all__ = ["lecture_forward", "lecture_sgd", "lecture_weights"]

Weights = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def lecture_weights(model) -> Weights:
    """Copies (hidden W, hidden b, output W, output b) of a two-layer nnlab model, e.g. ``lecture_mlp``."""
    (hidden, output) = model.layers
    return (hidden.weight.data.copy(), hidden.bias.data.copy(), output.weight.data.copy(), output.bias.data.copy())


def lecture_forward(weights: Weights, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """feed_forward: a_h = sigma(X W_h + b_h), p = softmax(a_h W_o + b_o); returns (a_h, p)."""
    hidden_weights, hidden_bias, output_weights, output_bias = weights
    with np.errstate(over="ignore"):  # e^-z may overflow to inf, and 1 / (1 + inf) is exactly 0
        a_h = 1 / (1 + np.exp(-(X @ hidden_weights + hidden_bias)))
    exp_term = np.exp(a_h @ output_weights + output_bias)
    return a_h, exp_term / np.sum(exp_term, axis=1, keepdims=True)


def lecture_sgd(weights: Weights, X: np.ndarray, Y: np.ndarray, eta: float, lmbd: float,
                batches: Iterable) -> Weights:
    """backpropagation + update, one step per index array in ``batches``; ``weights`` change in place.

    Y holds one-hot rows. Returns ``weights``.
    """
    hidden_weights, hidden_bias, output_weights, output_bias = weights
    for idx in batches:
        X_data, Y_data = X[idx], Y[idx]
        a_h, probabilities = lecture_forward(weights, X_data)
        error_output = probabilities - Y_data
        error_hidden = np.matmul(error_output, output_weights.T) * a_h * (1 - a_h)
        output_weights_gradient = np.matmul(a_h.T, error_output) + lmbd * output_weights
        output_bias_gradient = np.sum(error_output, axis=0)
        hidden_weights_gradient = np.matmul(X_data.T, error_hidden) + lmbd * hidden_weights
        hidden_bias_gradient = np.sum(error_hidden, axis=0)
        output_weights -= eta * output_weights_gradient
        output_bias -= eta * output_bias_gradient
        hidden_weights -= eta * hidden_weights_gradient
        hidden_bias -= eta * hidden_bias_gradient
    return weights
