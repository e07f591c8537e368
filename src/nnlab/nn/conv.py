"""Convolution and pooling layers on NCHW images, and layout/reshape helpers.

Images are channels-first, (batch, channels, height, width), as in PyTorch. Data stored
channels-last (N, H, W, C), as in TensorFlow/Keras and the lecture, goes through
:class:`NHWCToNCHW` (or :func:`nnlab.conv_ops.nhwc_to_nchw`) first; flat rows (N, 64) go through
``Reshape((1, 8, 8))``.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from nnlab import conv_ops as C
from nnlab import ops
from nnlab.data.validation import check_integer
from nnlab.nn.activations import activation_name, get_activation
from nnlab.nn.init import initialize
from nnlab.nn.module import Module, Parameter, as_generator

__all__ = ["Conv2D", "MaxPool2D", "AvgPool2D", "NHWCToNCHW", "Reshape", "nhwc_to_nchw"]

nhwc_to_nchw = C.nhwc_to_nchw


def _pair_list(value: Any) -> list[int] | int:
    return [int(v) for v in value] if isinstance(value, (tuple, list)) else int(value)


class Conv2D(Module):
    """2-D convolution layer a = f(W * x + b) with W of shape (out_channels, in_channels, kh, kw).

    Parameters
    ----------
    in_channels, out_channels : int
        Channels of the input images and number of filters.
    kernel_size : int or (kh, kw)
        Size of each filter.
    stride : int or (sh, sw)
        Step between neighbouring windows.
    padding : 'same', 'valid', int or (ph, pw)
        'same' keeps ceil(H / stride) rows and columns (zero padding), 'valid' uses none.
    activation : str or callable, optional
        Applied to the feature maps (None: identity).
    weight_init : str
        Initialiser name; fan-in = in_channels kh kw, fan-out = out_channels kh kw.
    bias_init : float
        Constant initial bias.
    bias : bool
        Whether the layer has a bias.
    dtype : dtype
        float32 (default) or float64.
    rng : Generator, int or None
        Source of the random initial weights.

    Notes
    -----
    Input (N, in_channels, H, W) -> output (N, out_channels, Ho, Wo); see :func:`nnlab.conv_ops.conv2d`.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int | tuple[int, int],
                 stride: int | tuple[int, int] = 1, padding: str | int | tuple[int, int] = "same",
                 activation: str | Callable | None = None, weight_init: str = "he_normal",
                 bias_init: float = 0.0, bias: bool = True, dtype: Any = np.float32,
                 rng: np.random.Generator | int | None = None):
        self.in_channels = check_integer(in_channels, "Conv2D in_channels")
        self.out_channels = check_integer(out_channels, "Conv2D out_channels")
        self.kernel_size = C._pair(kernel_size, "kernel_size")
        self.stride = C._pair(stride, "stride")
        C.resolve_padding(padding, (1, 1), self.kernel_size, self.stride)  # validate now, not at the first call
        self.padding = padding if isinstance(padding, str) else _pair_list(padding)
        self.activation = get_activation(activation)
        self.weight_init, self.bias_init, self.dtype = weight_init, float(bias_init), np.dtype(dtype)
        kh, kw = self.kernel_size
        shape = (self.out_channels, self.in_channels, kh, kw)
        self.weight = Parameter(initialize(weight_init, shape, in_channels * kh * kw, out_channels * kh * kw,
                                           as_generator(rng), dtype))
        self.bias = Parameter(np.full(out_channels, bias_init, dtype=dtype)) if bias else None

    def forward(self, x):
        shape = tuple(x.shape)
        if len(shape) == 4 and shape[1] != self.in_channels and shape[3] == self.in_channels:
            raise ValueError(f"Conv2D expects NCHW images with {self.in_channels} channels on axis 1, got shape "
                             f"{shape}, which looks channels-last (NHWC): convert with nhwc_to_nchw(x) or "
                             "put an NHWCToNCHW() layer first")
        padding = tuple(self.padding) if isinstance(self.padding, list) else self.padding
        return self.activation(C.conv2d(x, self.weight, self.bias, self.stride, padding))

    def config(self) -> dict:
        """Constructor arguments as a JSON-able dict (weights are saved separately)."""
        return {"in_channels": self.in_channels, "out_channels": self.out_channels,
                "kernel_size": list(self.kernel_size), "stride": list(self.stride), "padding": self.padding,
                "activation": activation_name(self.activation), "weight_init": self.weight_init,
                "bias_init": self.bias_init, "bias": self.bias is not None, "dtype": self.dtype.name}

    def extra_repr(self) -> str:
        return (f"{self.in_channels} -> {self.out_channels}, kernel={self.kernel_size}, stride={self.stride}, "
                f"padding={self.padding!r}, activation={activation_name(self.activation)}")


class _Pool2D(Module):
    _fn: Callable = staticmethod(C.max_pool2d)

    def __init__(self, kernel_size: int | tuple[int, int] = 2, stride: int | tuple[int, int] | None = None,
                 padding: int = 0):
        self.kernel_size = C._pair(kernel_size, "kernel_size")
        self.stride = self.kernel_size if stride is None else C._pair(stride, "stride")
        if not isinstance(padding, (int, np.integer)) or padding < 0 or 2 * padding > min(self.kernel_size):
            raise ValueError(f"pooling padding must be an int in [0, kernel_size / 2], got {padding!r}")
        self.padding = int(padding)

    def forward(self, x):
        return type(self)._fn(x, self.kernel_size, self.stride, self.padding)

    def config(self) -> dict:
        """Constructor arguments as a JSON-able dict."""
        return {"kernel_size": list(self.kernel_size), "stride": list(self.stride), "padding": self.padding}

    def extra_repr(self) -> str:
        return f"kernel={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxPool2D(_Pool2D):
    """Max pooling: the largest value of each kh x kw window (stride defaults to the kernel size)."""

    _fn = staticmethod(C.max_pool2d)


class AvgPool2D(_Pool2D):
    """Average pooling: the mean of each kh x kw window (stride defaults to the kernel size)."""

    _fn = staticmethod(C.avg_pool2d)


class NHWCToNCHW(Module):
    """Channels-last images (N, H, W, C) to channels-first (N, C, H, W)."""

    def forward(self, x):
        return C.nhwc_to_nchw(x)

    def config(self) -> dict:
        return {}


class Reshape(Module):
    """Reshape each sample: (N, ...) -> (N, *target_shape), e.g. flat digits (N, 64) to (N, 1, 8, 8)."""

    def __init__(self, target_shape: tuple[int, ...]):
        self.target_shape = tuple(int(s) for s in target_shape)

    def forward(self, x):
        per_sample = int(np.prod(x.shape[1:]))
        if per_sample != int(np.prod(self.target_shape)):
            raise ValueError(f"Reshape{self.target_shape}: each sample has {per_sample} values (input shape "
                             f"{tuple(x.shape)}), the target shape needs {int(np.prod(self.target_shape))}")
        return ops.reshape(x, (x.shape[0], *self.target_shape))

    def config(self) -> dict:
        return {"target_shape": list(self.target_shape)}

    def extra_repr(self) -> str:
        return str(self.target_shape)
