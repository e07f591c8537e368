"""Convolutional classifiers: the lecture's small CNN for the 8x8 digits, LeNet for MNIST, a small batch-norm CNN.

Both output logits (softmax is fused into the cross-entropy loss) and take NCHW images;
``flat_input=True`` puts a :class:`~nnlab.nn.Reshape` first so they also take flat rows
(n, H*W), e.g. the digits as (n, 64).
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from nnlab.nn import (
    BatchNorm1D, BatchNorm2D, Conv2D, Dense, Dropout, Flatten, MaxPool2D, Module, ReLU, Reshape, Sequential,
    as_generator,
)
from nnlab.tensor import Tensor, no_grad

__all__ = ["lecture_cnn", "lenet", "bn_cnn", "feature_maps", "first_conv"]


def _check_shape(input_shape: Sequence[int]) -> tuple[int, int, int]:
    shape = tuple(int(s) for s in input_shape)
    if len(shape) != 3 or min(shape) < 1:
        raise ValueError(f"input_shape must be (channels, height, width), got {input_shape!r}")
    return shape


def lecture_cnn(input_shape: Sequence[int] = (1, 8, 8), n_filters: int = 10, kernel_size: int = 3,
                n_hidden: int = 50, n_classes: int = 10, flat_input: bool = False, dtype: Any = np.float32,
                rng: np.random.Generator | int | None = None) -> Sequential:
    """The lecture's CNN: conv (n_filters, kernel 'same') + ReLU, 2x2 max-pool, dense n_hidden ReLU, dense n_classes.

    Parameters
    ----------
    input_shape : (C, H, W)
        Image shape; (1, 8, 8) for scikit-learn's digits.
    n_filters, kernel_size : int
        Number and size of the convolution filters (lecture: 10 filters of 3x3).
    n_hidden : int
        Units of the fully connected ReLU layer (lecture: 50).
    n_classes : int
        Outputs (logits).
    flat_input : bool
        Accept flat rows (n, C*H*W) by reshaping them first.
    dtype : dtype
        float32 (default) or float64.
    rng : Generator, int or None
        Source of the initial weights.

    Returns
    -------
    Sequential mapping (n, C, H, W) (or (n, C*H*W)) to logits (n, n_classes).
    """
    c, h, w = _check_shape(input_shape)
    rng = as_generator(rng)
    layers = [Reshape((c, h, w))] if flat_input else []
    layers += [
        Conv2D(c, n_filters, kernel_size, padding="same", activation="relu", dtype=dtype, rng=rng),
        MaxPool2D(2),
        Flatten(),
        Dense(n_filters * (h // 2) * (w // 2), n_hidden, activation="relu", weight_init="he_normal",
              dtype=dtype, rng=rng),
        Dense(n_hidden, n_classes, dtype=dtype, rng=rng),
    ]
    return Sequential(*layers)


def lenet(input_shape: Sequence[int] = (1, 28, 28), filters: Sequence[int] = (6, 16), kernel_size: int = 5,
          hidden: Sequence[int] = (120, 84), n_classes: int = 10, flat_input: bool = False, dtype: Any = np.float32,
          rng: np.random.Generator | int | None = None) -> Sequential:
    """LeNet-5 (LeCun et al. 1998) with ReLU and max-pooling, for 28x28 MNIST digits.

    conv 5x5 ('same', filters[0]) + ReLU, 2x2 max-pool, conv 5x5 ('valid', filters[1]) + ReLU,
    2x2 max-pool, dense hidden[0] ReLU, dense hidden[1] ReLU, dense n_classes (logits).
    With the defaults: (1, 28, 28) -> (6, 28, 28) -> (6, 14, 14) -> (16, 10, 10) -> (16, 5, 5) -> 400
    -> 120 -> 84 -> 10, 61 706 parameters.

    Parameters are as in :func:`lecture_cnn`; ``filters`` and ``hidden`` give the channel counts of
    the two convolutions and the sizes of the hidden dense layers.
    """
    c, h, w = _check_shape(input_shape)
    if len(filters) != 2:
        raise ValueError(f"filters must give the channels of the two convolutions, got {filters!r}")
    rng = as_generator(rng)
    h2, w2 = (h // 2 - kernel_size + 1) // 2, (w // 2 - kernel_size + 1) // 2
    if h2 < 1 or w2 < 1:
        raise ValueError(f"input_shape {input_shape} is too small for LeNet with {kernel_size}x{kernel_size} kernels")
    layers: list = [Reshape((c, h, w))] if flat_input else []
    layers += [
        Conv2D(c, filters[0], kernel_size, padding="same", activation="relu", dtype=dtype, rng=rng),
        MaxPool2D(2),
        Conv2D(filters[0], filters[1], kernel_size, padding="valid", activation="relu", dtype=dtype, rng=rng),
        MaxPool2D(2),
        Flatten(),
    ]
    n_in = filters[1] * h2 * w2
    for n_out in hidden:
        layers.append(Dense(n_in, n_out, activation="relu", weight_init="he_normal", dtype=dtype, rng=rng))
        n_in = n_out
    layers.append(Dense(n_in, n_classes, dtype=dtype, rng=rng))
    return Sequential(*layers)


def bn_cnn(input_shape: Sequence[int] = (1, 28, 28), blocks: Sequence[Sequence[int]] = ((16,), (32, 32)),
           hidden: int = 64, n_classes: int = 10, dropout: float = 0.0, dtype: Any = np.float32,
           rng: np.random.Generator | int | None = None) -> Sequential:
    """A small CNN with batch normalisation: blocks of [conv 3x3 'same' -> BatchNorm2D -> ReLU], each block
    ending in a 2x2 max-pool, then dense ``hidden`` -> BatchNorm1D -> ReLU (-> Dropout) -> dense ``n_classes``.

    The convolutions have no bias (batch norm's beta takes its place). With the defaults on
    (1, 28, 28): 16 | pool | 32, 32 | pool -> 32 * 7 * 7 -> 64 -> 10, 115 258 parameters.

    Parameters
    ----------
    input_shape : (C, H, W)
    blocks : sequence of sequences of int
        Output channels of the convolutions of each block.
    hidden : int
        Units of the dense hidden layer.
    n_classes : int
        Outputs (logits).
    dropout : float
        Dropout rate before the last layer (0: none).
    dtype, rng
        As in :func:`lecture_cnn`.
    """
    c, h, w = _check_shape(input_shape)
    rng = as_generator(rng)
    layers: list = []
    for block in blocks:
        for out in block:
            layers += [Conv2D(c, out, 3, padding="same", bias=False, dtype=dtype, rng=rng),
                       BatchNorm2D(out, dtype=dtype), ReLU()]
            c = out
        layers.append(MaxPool2D(2))
        h, w = h // 2, w // 2
    if h < 1 or w < 1:
        raise ValueError(f"input_shape {input_shape} is too small for {len(blocks)} pooling blocks")
    layers += [Flatten(), Dense(c * h * w, hidden, bias=False, weight_init="he_normal", dtype=dtype, rng=rng),
               BatchNorm1D(hidden, dtype=dtype), ReLU()]
    if dropout:
        layers.append(Dropout(dropout, rng=rng))
    layers.append(Dense(hidden, n_classes, dtype=dtype, rng=rng))
    return Sequential(*layers)


def first_conv(model: Module) -> Conv2D:
    """The first :class:`Conv2D` layer of ``model`` (its filters see the raw image)."""
    for module in model.modules():
        if isinstance(module, Conv2D):
            return module
    raise ValueError(f"{type(model).__name__} has no Conv2D layer")


def feature_maps(model: Sequential, image: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """The output of every layer of ``model`` that yields images, for one input image.

    ``image`` is one sample as the model takes it ((C, H, W), or a flat row for ``flat_input``
    models). Returns [(name such as '1: Conv2D', array (channels, h, w)), ...], in inference mode.
    """
    if not isinstance(model, Sequential):
        raise TypeError(f"feature_maps needs a Sequential model, got {type(model).__name__}")
    x = Tensor(np.asarray(image, dtype=model.parameters()[0].dtype)[None])
    maps = []
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            for i, layer in enumerate(model.layers):
                x = layer(x)
                if x.ndim == 4 and not isinstance(layer, Reshape):
                    maps.append((f"{i}: {type(layer).__name__}", x.numpy()[0]))
    finally:
        model.train(was_training)
    return maps
