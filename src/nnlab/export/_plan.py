"""An nnlab model as a flat list of export steps, shared by the PyTorch and ONNX exporters.

Both exporters support the same layers, so the decision "which layers can leave nnlab, and as
what" is made once, here: a Sequential (nested ones included) becomes a list of :class:`Step`;
a Dense or Conv2D with an activation becomes two steps (the affine map, then the activation),
which is how PyTorch and ONNX spell it.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from nnlab._geometry import output_hw, pair
from nnlab.nn.activations import ACTIVATIONS, ELU, Activation, LeakyReLU, Softmax, activation_name
from nnlab.nn.container import Sequential
from nnlab.nn.layers import Dense, Dropout, Flatten
from nnlab.nn.module import Module
from nnlab.nn.normalization import BatchNorm1D, BatchNorm2D, LayerNorm

__all__ = ["Step", "Act", "UnsupportedLayerError", "plan", "SUPPORTED", "conv_classes", "model_dtype"]

SUPPORTED = ("Dense, Conv2D, MaxPool2D, AvgPool2D, Flatten, Reshape, NHWCToNCHW, Dropout, BatchNorm1D, BatchNorm2D, "
             "LayerNorm and the activation "
             "layers Sigmoid, Tanh, ReLU, LeakyReLU, ELU, Softplus, Softmax, Identity, Step (alone or in a Sequential)")

# Activation names this exporter knows how to write (aliases such as 'logistic' resolve to these).
ACTIVATION_NAMES = ("identity", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus", "softmax", "step")


class UnsupportedLayerError(TypeError):
    """A layer (or activation) that has no equivalent in the export target."""


@dataclass(frozen=True)
class Act:
    """An activation: its registry name, plus ``alpha`` (leaky_relu, elu) or ``axis`` (softmax)."""

    name: str
    alpha: float | None = None
    axis: int = -1


@dataclass
class Step:
    """One exported operation.

    ``kind`` is 'dense', 'conv', 'maxpool', 'avgpool', 'flatten', 'reshape', 'nhwc_to_nchw', 'dropout',
    'batchnorm', 'layernorm' or 'act';
    ``layer`` the nnlab layer it comes from; ``act`` the activation of an 'act' step;
    ``name`` the layer's dotted path in the model ('layers.0'), used to name weights and nodes.
    """

    kind: str
    layer: Module | None = None
    act: Act | None = None
    name: str = ""


_CONV_LAYERS = {"Conv2D": "conv", "MaxPool2D": "maxpool", "AvgPool2D": "avgpool", "Reshape": "reshape",
                "NHWCToNCHW": "nhwc_to_nchw"}


def conv_classes() -> dict[str, type]:
    """{'Conv2D': class, 'MaxPool2D': class, ...} from ``nnlab.nn.conv``, as far as it exists.

    Looked up on demand so this module imports whether or not the convolution layers are installed.
    """
    try:
        conv = importlib.import_module("nnlab.nn.conv")
    except ImportError:
        return {}
    return {name: getattr(conv, name) for name in _CONV_LAYERS if hasattr(conv, name)}


def _unsupported(layer: Any, where: str, why: str = "") -> UnsupportedLayerError:
    if isinstance(layer, Module) or not callable(layer):
        what = type(layer).__name__
    else:  # an activation function
        what = f"function {getattr(layer, '__name__', repr(layer))}"
    reason = f" ({why})" if why else ""
    return UnsupportedLayerError(
        f"cannot export layer {where!r}: {what}{reason} has no PyTorch/ONNX equivalent here. "
        f"Supported: {SUPPORTED}. Rebuild the model from these, or export its supported part."
    )


def act_of_function(fn: Callable, where: str) -> Act:
    """The Act of an activation *function* (a Dense's ``activation``), with the ops' default parameters."""
    name = activation_name(fn)  # the first registered name: 'logistic' -> 'sigmoid', 'linear' -> 'identity'
    if ACTIVATIONS.get(name) is not fn:
        raise _unsupported(fn, where, "a custom activation function")
    if name not in ACTIVATION_NAMES:
        raise _unsupported(fn, where, f"activation {name!r} has no exporter yet")
    if name == "leaky_relu":
        return Act(name, alpha=0.01)  # ops.leaky_relu's default, which Dense uses
    if name == "elu":
        return Act(name, alpha=1.0)
    return Act(name)


def act_of_layer(layer: Module, where: str) -> Act | None:
    """The Act of an activation *layer*, or None if ``layer`` is not one."""
    if isinstance(layer, LeakyReLU):
        return Act("leaky_relu", alpha=float(layer.alpha))
    if isinstance(layer, ELU):
        return Act("elu", alpha=float(layer.alpha))
    if isinstance(layer, Softmax):
        return Act("softmax", axis=int(layer.axis))
    if isinstance(layer, Activation):
        return act_of_function(layer.fn, where)
    return None


def _layers(model: Module, prefix: str) -> list[tuple[str, Module]]:
    """The leaf layers of ``model`` with their dotted paths; nested Sequentials are opened."""
    if isinstance(model, Sequential):
        out = []
        for i, layer in enumerate(model.layers):
            out += _layers(layer, f"{prefix}layers.{i}.")
        return out
    return [(prefix.rstrip("."), model)]


def plan(model: Module) -> list[Step]:
    """The export steps of ``model`` (a Sequential or a single supported layer).

    Raises
    ------
    UnsupportedLayerError
        Naming the first layer that cannot be exported and listing the supported ones.
    """
    if not isinstance(model, Module):
        raise TypeError(f"model must be an nnlab Module (e.g. a Sequential), got {type(model).__name__}")
    conv = conv_classes()
    conv_kinds = {cls: _CONV_LAYERS[name] for name, cls in conv.items()}
    steps: list[Step] = []
    for name, layer in _layers(model, ""):
        where = name or type(layer).__name__
        act = act_of_layer(layer, where)
        if act is not None:
            steps.append(Step("act", layer, act, name))
        elif isinstance(layer, Dense):
            steps.append(Step("dense", layer, name=name))
            _append_activation(steps, layer, name, where)
        elif type(layer) in conv_kinds:
            steps.append(Step(conv_kinds[type(layer)], layer, name=name))
            if isinstance(layer, conv.get("Conv2D", ())):
                _append_activation(steps, layer, name, where)
        elif isinstance(layer, Flatten):
            steps.append(Step("flatten", layer, name=name))
        elif isinstance(layer, Dropout):
            steps.append(Step("dropout", layer, name=name))
        elif isinstance(layer, (BatchNorm1D, BatchNorm2D)):
            steps.append(Step("batchnorm", layer, name=name))
        elif isinstance(layer, LayerNorm):
            steps.append(Step("layernorm", layer, name=name))
        else:
            raise _unsupported(layer, where)
    return steps


def _append_activation(steps: list[Step], layer: Module, name: str, where: str) -> None:
    fn = getattr(layer, "activation", None)
    if fn is None:
        return
    act = act_of_function(fn, f"{where}.activation")
    if act.name != "identity":
        steps.append(Step("act", None, act, f"{name}.activation" if name else "activation"))


def model_dtype(model: Module, default: Any = np.float32) -> np.dtype:
    """The floating dtype shared by all parameters of ``model`` (``default`` when it has none)."""
    dtypes = {np.dtype(p.dtype) for p in model.parameters()}
    if len(dtypes) > 1:
        raise ValueError(f"model mixes parameter dtypes {sorted(map(str, dtypes))}; convert it to one dtype first")
    return dtypes.pop() if dtypes else np.dtype(default)


def conv_pads(layer: Module, input_hw: tuple[int, int] | None = None) -> tuple[int, int, int, int] | None:
    """A Conv2D's zero padding as (top, bottom, left, right), as ``nnlab.conv_ops.resolve_padding`` gives it.

    None for 'same' with a stride above 1 and no ``input_hw``: then the padding depends on the image size.
    """
    from nnlab.conv_ops import resolve_padding

    stride = pair(layer.stride)
    if layer.padding == "same" and stride != (1, 1) and input_hw is None:
        return None
    padding = tuple(layer.padding) if isinstance(layer.padding, list) else layer.padding
    return tuple(resolve_padding(padding, input_hw or (1, 1), pair(layer.kernel_size), stride))


def input_shape(model: Module, concrete: bool = False) -> tuple[int | str, ...] | None:
    """The input shape of ``model`` without the batch axis, as far as its layers tell it.

    (in_features,) when the model starts with a Dense; (channels, 'height', 'width') when it starts
    with a Conv2D (channels-last after NHWCToNCHW); (size,) before a Reshape; None otherwise.
    With ``concrete=True`` image sizes are made numbers: the square size whose flattened feature
    maps fit the first Dense after them (any size, 32, when no Dense follows); None if none fits.
    """
    steps = [s for s in plan(model) if s.kind not in ("act", "dropout", "batchnorm", "layernorm")]  # shape kept
    if not steps:
        return None
    first = steps[0]
    if first.kind == "dense":
        return (first.layer.in_features,)
    if first.kind == "reshape":
        return (int(np.prod(first.layer.target_shape)),)
    channels_last = first.kind == "nhwc_to_nchw"
    if channels_last:
        steps = steps[1:]
    if not steps or steps[0].kind != "conv":
        return None
    channels = int(steps[0].layer.weight.shape[1])
    if not concrete:
        return ("height", "width", channels) if channels_last else (channels, "height", "width")
    size = _square_size(steps, channels)
    if size is None:
        return None
    return (size, size, channels) if channels_last else (channels, size, size)


def _square_size(steps: list[Step], channels: int, largest: int = 1024) -> int | None:
    """The smallest square image size that flows through ``steps`` into the first Dense's width."""
    try:
        target = next(s.layer.in_features for s in steps if s.kind == "dense")
    except StopIteration:
        return 32
    for size in range(1, largest + 1):
        if _flat_size(steps, (channels, size, size)) == target:
            return size
    return None


def _flat_size(steps: list[Step], shape: tuple[int, int, int]) -> int | None:
    """Features reaching the first Dense from a (C, H, W) input, by shape arithmetic (None: does not fit)."""
    c, h, w = shape
    for step in steps:
        if step.kind == "conv":
            k, s = pair(step.layer.kernel_size), pair(step.layer.stride)
            top, bottom, left, right = conv_pads(step.layer, (h, w))
            c, (h, w) = step.layer.out_channels, output_hw((h, w), k, s, (top, bottom, left, right))
        elif step.kind in ("maxpool", "avgpool"):
            k, s, p = pair(step.layer.kernel_size), pair(step.layer.stride), int(step.layer.padding)
            h, w = output_hw((h, w), k, s, (p, p, p, p))
        elif step.kind == "flatten":
            return c * h * w
        elif step.kind == "dense":
            return None  # a Dense on images acts on the last axis only
        else:
            return None
        if h < 1 or w < 1:
            return None
    return None
