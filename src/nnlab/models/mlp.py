"""Feed-forward networks (multilayer perceptrons) built from Dense layers.

Classifiers here output *logits* z^L: the softmax (or sigmoid) of the lecture's output layer
is applied inside the loss (``CrossEntropyLoss`` = softmax + cross-entropy, fused, whose
gradient is the lecture's delta^L = softmax(z^L) - t), which is exact and never overflows.
Use ``nnlab.softmax(predict(model, X))`` for probabilities, ``argmax`` for labels.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from nnlab.data.validation import check_integer
from nnlab.nn.container import Sequential
from nnlab.nn.layers import Dense, Dropout
from nnlab.nn.module import as_generator

__all__ = ["mlp", "lecture_mlp", "logistic_regression", "default_init"]

_RELU_LIKE = {"relu", "leaky_relu", "elu"}


def default_init(activation: str | Callable | None) -> str:
    """He initialisation for the ReLU family, Glorot for the rest (sigmoid, tanh, identity)."""
    return "he_normal" if isinstance(activation, str) and activation in _RELU_LIKE else "glorot_uniform"


def _per_layer(name: str, value, n: int) -> list:
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(f"{name} has {len(value)} entries but there are {n} hidden layers")
        return list(value)
    return [value] * n


def mlp(n_inputs: int, hidden_sizes: Sequence[int], n_outputs: int,
        activation: str | Callable | Sequence[str | Callable] = "relu",
        output_activation: str | Callable | None = None, weight_init: str | Sequence[str] = "auto",
        bias_init: float = 0.0, dropout: float = 0.0, dtype: Any = np.float32,
        rng: np.random.Generator | int | None = None) -> Sequential:
    """A multilayer perceptron n_inputs -> hidden_sizes[0] -> ... -> n_outputs.

    Parameters
    ----------
    n_inputs, n_outputs : int
        Features in, outputs (classes, or regression targets) out.
    hidden_sizes : sequence of int
        Width of each hidden layer; () gives a single affine layer.
    activation : str, callable or one per hidden layer
        Hidden activations ('sigmoid', 'tanh', 'relu', 'leaky_relu', 'elu', ...).
    output_activation : str or None
        None (default) outputs logits / linear values, which is what the fused losses expect.
    weight_init : str or one per layer (hidden layers and the output layer)
        Initialiser name; 'auto' picks He for the ReLU family and Glorot otherwise.
    bias_init : float
        Constant initial biases.
    dropout : float
        Dropout rate after each hidden layer (0: none).
    dtype : dtype
        float32 (default) or float64.
    rng : Generator, int or None
        Source of the initial weights and the dropout masks.
    """
    if isinstance(hidden_sizes, (int, np.integer, str)) or not hasattr(hidden_sizes, "__iter__"):
        raise TypeError(f"hidden_sizes must be a sequence of layer widths such as [50] or (100, 50), got "
                        f"{hidden_sizes!r}; use () for no hidden layer")
    hidden_sizes = [check_integer(h, "hidden layer size") for h in hidden_sizes]
    rng = as_generator(rng)
    activations = _per_layer("activation", activation, len(hidden_sizes))
    inits = _per_layer("weight_init", weight_init, len(hidden_sizes) + 1)
    inits = [default_init(a) if i == "auto" else i for i, a in zip(inits, activations + [output_activation])]
    layers = []
    sizes = [int(n_inputs), *hidden_sizes]
    for k, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Dense(fan_in, fan_out, activations[k], weight_init=inits[k], bias_init=bias_init,
                            dtype=dtype, rng=rng))
        if dropout:
            layers.append(Dropout(dropout, rng=rng))
    layers.append(Dense(sizes[-1], int(n_outputs), output_activation, weight_init=inits[-1], bias_init=bias_init,
                        dtype=dtype, rng=rng))
    return Sequential(*layers)


def lecture_mlp(n_inputs: int = 64, hidden: Sequence[int] = (50,), n_outputs: int = 10,
                activation: str = "sigmoid", init: str = "normal", dtype: Any = np.float64,
                rng: np.random.Generator | int | None = None) -> Sequential:
    """The lecture's digits network: 64 -> 50 sigmoid -> 10 (softmax inside the loss).

    ``init='normal'`` is the lecture's choice: weights N(0, 1) (``np.random.randn``) and biases
    0.01; any other initialiser name keeps biases at 0.01 too. float64 by default, as the
    lecture's NumPy code: with N(0, 1) weights on raw pixels (0..16) the sigmoid saturates, and in
    float32 its derivatives fall into the subnormal range, which slows the CPU several-fold.
    Train with ``CrossEntropyLoss(reduction='sum')`` and ``SGD`` to reproduce the lecture exactly.
    """
    return mlp(n_inputs, hidden, n_outputs, activation=activation, weight_init=init, bias_init=0.01,
               dtype=dtype, rng=rng)


def logistic_regression(n_features: int, n_classes: int = 2, weight_init: str = "zeros", dtype: Any = np.float64,
                        rng: np.random.Generator | int | None = None) -> Sequential:
    """Logistic regression as a network without hidden layer: z = x W + b.

    Two classes give one output (train with ``BCEWithLogitsLoss``: p = sigma(z)); more give one
    output per class (train with ``CrossEntropyLoss``: p = softmax(z)). The cost is convex, so
    zero initial weights are fine (and make the fit deterministic).
    """
    if n_classes < 2:
        raise ValueError(f"n_classes must be >= 2, got {n_classes}")
    return mlp(n_features, (), 1 if n_classes == 2 else n_classes, weight_init=weight_init, dtype=dtype, rng=rng)
