"""nnlab models to PyTorch modules and back.

nnlab's Dense computes z = x W + b with W of shape (in, out); ``torch.nn.Linear`` computes
z = x A^T + b with A of shape (out, in), so A = W^T. Convolution weights already share PyTorch's
layout (out_channels, in_channels, kh, kw). A layer with an activation becomes the layer followed by
the activation module, which is how PyTorch writes it; :func:`from_torch` folds such pairs back.

PyTorch is optional (``pip install nnlab[torch]``): it is imported only when these functions run.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from nnlab._files import write_atomically
from nnlab.export._plan import (
    SUPPORTED, Act, Step, UnsupportedLayerError, conv_classes, conv_pads, input_shape as infer_input_shape,
    model_dtype, pair, plan,
)
from nnlab.nn import (
    ELU, BatchNorm1D, BatchNorm2D, Dense, Dropout, Flatten, Identity, LayerNorm, LeakyReLU, ReLU, Sequential, Sigmoid,
    Softmax, Softplus, Step as StepLayer, Tanh,
)
from nnlab.nn.module import Module, as_generator

if TYPE_CHECKING:  # pragma: no cover
    import torch

__all__ = ["to_torch", "from_torch", "save_torch", "import_torch"]


def import_torch():
    """The ``torch`` module, or an ImportError that says how to install it."""
    try:
        import torch
    except ImportError as exc:
        raise ImportError(
            "exporting to or from PyTorch needs the 'torch' package; install it with `pip install nnlab[torch]`"
        ) from exc
    return torch


# --------------------------------------------------------------------------------------------
# nnlab -> torch
# --------------------------------------------------------------------------------------------
def to_torch(model: Module) -> "torch.nn.Sequential":
    """A ``torch.nn.Sequential`` that computes what ``model`` computes, with the same weights.

    Parameters
    ----------
    model : Module
        A Sequential (or a single layer) of Dense, Conv2D, MaxPool2D, AvgPool2D, Flatten, Reshape,
        NHWCToNCHW, Dropout and activation layers.

    Returns
    -------
    torch.nn.Sequential
        A flat sequence of torch modules, parameters in the model's dtype (float32 or float64),
        copied (not shared), in the model's training/inference mode. A layer with an activation
        becomes two modules; Step, NHWCToNCHW and the padding of strided 'same' convolutions use
        the small modules of ``nnlab.export._torch_modules``.

    Raises
    ------
    UnsupportedLayerError
        If a layer has no PyTorch equivalent; the message names it.
    """
    torch = import_torch()
    dtype = {np.dtype(np.float32): torch.float32, np.dtype(np.float64): torch.float64}.get(model_dtype(model))
    if dtype is None:
        raise ValueError(f"to_torch supports float32 and float64 models, this one is {model_dtype(model)}")
    modules = [m for step in plan(model) for m in _step_to_torch(step, torch, dtype)]
    out = torch.nn.Sequential(*modules)
    out.train(model.training)
    return out


def _copy_into(torch, param, array: Any) -> None:
    with torch.no_grad():
        param.copy_(torch.tensor(np.array(array, copy=True), dtype=param.dtype))


def _step_to_torch(step: Step, torch, dtype) -> list:
    """The torch modules (usually one) of one export step."""
    nn = torch.nn
    layer = step.layer
    if step.kind == "act":
        return [_act_to_torch(step.act, torch)]
    if step.kind == "dense":
        linear = nn.Linear(layer.in_features, layer.out_features, bias=layer.bias is not None, dtype=dtype)
        _copy_into(torch, linear.weight, layer.weight.numpy().T)
        if layer.bias is not None:
            _copy_into(torch, linear.bias, layer.bias.numpy())
        return [linear]
    if step.kind == "conv":
        return _conv_to_torch(layer, torch, dtype)
    if step.kind == "maxpool":
        return [nn.MaxPool2d(layer.kernel_size, stride=layer.stride, padding=layer.padding)]
    if step.kind == "avgpool":  # nnlab counts the zero padding in the mean
        return [nn.AvgPool2d(layer.kernel_size, stride=layer.stride, padding=layer.padding, count_include_pad=True)]
    if step.kind == "flatten":
        return [nn.Flatten()]
    if step.kind == "reshape":  # (N, ...) -> (N, *target) whatever the input's rank
        return [nn.Flatten(), nn.Unflatten(1, tuple(layer.target_shape))]
    if step.kind == "nhwc_to_nchw":
        from nnlab.export._torch_modules import NHWCToNCHW

        return [NHWCToNCHW()]
    if step.kind == "dropout":
        return [nn.Dropout(layer.rate)]
    if step.kind == "batchnorm":
        cls = nn.BatchNorm2d if isinstance(layer, BatchNorm2D) else nn.BatchNorm1d
        module = cls(layer.num_features, eps=layer.eps, momentum=layer.momentum, affine=layer.affine, dtype=dtype)
        _load_torch_state(torch, module, layer.torch_state_dict())
        return [module]
    if step.kind == "layernorm":
        module = nn.LayerNorm(layer.normalized_shape, eps=layer.eps, elementwise_affine=layer.elementwise_affine,
                              dtype=dtype)
        _load_torch_state(torch, module, layer.torch_state_dict())
        return [module]
    raise AssertionError(f"unknown export step {step.kind!r}")  # plan() only makes the kinds above


def _load_torch_state(torch, module, state: dict) -> None:
    """Copy nnlab's arrays (already under torch's names) into ``module``'s parameters and buffers."""
    targets = dict(module.named_parameters()) | dict(module.named_buffers())
    for key, array in state.items():
        _copy_into(torch, targets[key], array)


def _act_to_torch(act: Act, torch) -> "torch.nn.Module":
    nn = torch.nn
    if act.name == "leaky_relu":
        return nn.LeakyReLU(act.alpha)
    if act.name == "elu":
        return nn.ELU(act.alpha)
    if act.name == "softmax":
        return nn.Softmax(dim=act.axis)
    if act.name == "step":
        from nnlab.export._torch_modules import Heaviside

        return Heaviside()
    simple = {"identity": nn.Identity, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU,
              "softplus": nn.Softplus}
    return simple[act.name]()


def _conv_to_torch(layer: Module, torch, dtype) -> list:
    """Conv2d, preceded by the padding torch's Conv2d cannot express itself (strided 'same', asymmetric)."""
    nn = torch.nn
    out_ch, in_ch, kh, kw = layer.weight.shape
    stride = pair(layer.stride)
    before = []
    pads = conv_pads(layer)
    if layer.padding == "same" and stride == (1, 1) and pads[0] == pads[1] and pads[2] == pads[3]:
        padding: Any = "same"  # odd kernels: torch pads like nnlab (even ones go through ZeroPad2d below)
    elif pads is None:  # strided 'same': the padding depends on the image size
        from nnlab.export._torch_modules import SamePad2d

        before, padding = [SamePad2d((kh, kw), stride)], 0
    elif pads[0] == pads[1] and pads[2] == pads[3]:
        padding = (pads[0], pads[2])
    else:
        top, bottom, left, right = pads
        before, padding = [nn.ZeroPad2d((left, right, top, bottom))], 0
    conv = nn.Conv2d(in_ch, out_ch, (kh, kw), stride=stride, padding=padding, bias=layer.bias is not None,
                     dtype=dtype)
    _copy_into(torch, conv.weight, layer.weight.numpy())
    if layer.bias is not None:
        _copy_into(torch, conv.bias, layer.bias.numpy())
    return before + [conv]


def save_torch(model: Module, path: str | os.PathLike, input_shape: Sequence[int] | None = None) -> Path:
    """Write ``model`` as a PyTorch program (``torch.export``, a .pt2 file) that loads without nnlab.

    Load it with ``torch.export.load(path).module()``; the batch size is free and so are image sizes
    where the network allows it (no Dense after the convolutions).

    Parameters
    ----------
    model : Module
        As for :func:`to_torch`; exported in inference mode.
    path : str or PathLike
        The file to write (replaced atomically: a temporary file, then ``os.replace``).
    input_shape : sequence of int, optional
        Input shape without the batch axis, for tracing. By default taken from the model
        (see ``nnlab.export._plan.input_shape``; CNNs: the square image that fits their first Dense).

    Returns
    -------
    Path
        ``path``.
    """
    torch = import_torch()
    if input_shape is None:
        input_shape = infer_input_shape(model, concrete=True)
        if input_shape is None:
            raise ValueError("cannot tell the input shape from the model's layers; pass input_shape without "
                             "the batch axis, e.g. input_shape=(1, 28, 28)")
    module = to_torch(model).eval()
    dtype = torch.float64 if model_dtype(model) == np.float64 else torch.float32
    example = torch.zeros((2, *(int(n) for n in input_shape)), dtype=dtype)
    # The batch is free; other axes stay free unless a layer fixes them (channels, a Dense's width).
    dynamic = {0: torch.export.Dim("batch")}
    dynamic.update({axis: torch.export.Dim.AUTO for axis in range(1, example.ndim)})
    program = torch.export.export(module, (example,), dynamic_shapes=(dynamic,))
    return write_atomically(path, lambda tmp: torch.export.save(program, tmp))


# --------------------------------------------------------------------------------------------
# torch -> nnlab
# --------------------------------------------------------------------------------------------
def from_torch(module: "torch.nn.Module", fuse_activations: bool = True,
               rng: np.random.Generator | int | None = None) -> Sequential:
    """An nnlab Sequential that computes what a PyTorch module computes, with the same weights.

    Parameters
    ----------
    module : torch.nn.Module
        A ``torch.nn.Sequential`` (nested ones are opened) or a single module of Linear, Conv2d
        (groups=1, dilation=1, zero padding; optionally after ZeroPad2d), MaxPool2d, AvgPool2d
        (count_include_pad=True), Flatten, Unflatten(1, ...), Dropout, Sigmoid, Tanh, ReLU,
        LeakyReLU, ELU, Softplus (beta=1), Softmax(dim), Identity, and the modules of
        ``nnlab.export._torch_modules`` that :func:`to_torch` writes.
    fuse_activations : bool
        Fold "Linear, activation" into one ``Dense(..., activation=name)`` (likewise Conv2d) where
        nnlab's activation names can say it exactly; the predictions are the same either way.
    rng : Generator, int or None
        Random source of the Dropout layers.

    Returns
    -------
    Sequential
        Parameters in the dtype of the torch parameters (float32 or float64), copied, in the
        module's training/inference mode.

    Raises
    ------
    UnsupportedLayerError
        If a module has no nnlab equivalent; the message names it.
    """
    torch = import_torch()
    from nnlab.export import _torch_modules as T

    nn = torch.nn
    rng = as_generator(rng)
    leaves = _torch_leaves(module, nn)
    layers: list[Module] = []
    i = 0
    while i < len(leaves):
        name, m = leaves[i]
        pad = None
        if isinstance(m, (nn.ZeroPad2d, T.SamePad2d)):
            if i + 1 >= len(leaves) or not isinstance(leaves[i + 1][1], nn.Conv2d):
                raise _unsupported(name, m, "padding is supported only right before a Conv2d")
            pad, (name, m), i = m, leaves[i + 1], i + 1
        nxt = leaves[i + 1][1] if i + 1 < len(leaves) else None
        act = _fusable_activation(nxt, nn, T) if fuse_activations and isinstance(m, (nn.Linear, nn.Conv2d)) else None
        if isinstance(m, nn.Linear):
            layers.append(_dense_from_linear(m, act))
        elif isinstance(m, nn.Conv2d):
            layers.append(_conv_from_torch(m, pad, act, name, nn, T))
        else:
            layers.append(_layer_from_torch(m, nn, T, rng, name))
        i += 2 if act is not None else 1
    out = Sequential(*layers)
    out.train(module.training)
    return out


def _unsupported(name: str, m, why: str = "") -> UnsupportedLayerError:
    return UnsupportedLayerError(
        f"cannot import torch module {name!r}: {m!r}{' (' + why + ')' if why else ''} has no nnlab equivalent "
        f"here. Supported (as their torch counterparts): {SUPPORTED}; see nnlab.export.from_torch for the "
        f"settings each needs."
    )


def _torch_leaves(module, nn, prefix: str = "") -> list[tuple[str, Any]]:
    if isinstance(module, nn.Sequential):
        out = []
        for name, child in module.named_children():
            out += _torch_leaves(child, nn, f"{prefix}{name}.")
        return out
    return [(prefix.rstrip(".") or type(module).__name__, module)]


def _numpy_dtype(param) -> np.dtype:
    dtype = {"torch.float32": np.dtype(np.float32), "torch.float64": np.dtype(np.float64)}.get(str(param.dtype))
    if dtype is None:
        raise ValueError(f"from_torch supports float32 and float64 parameters, got {param.dtype}; "
                         f"convert the module first with module.float() or module.double()")
    return dtype


def _array(param) -> np.ndarray:
    return np.array(param.detach().cpu().numpy(), copy=True)


def _fusable_activation(m, nn, T) -> str | None:
    """The nnlab activation name of module ``m`` when a Dense can carry it exactly, else None."""
    simple = {nn.Identity: "identity", nn.Sigmoid: "sigmoid", nn.Tanh: "tanh", nn.ReLU: "relu", T.Heaviside: "step"}
    if type(m) in simple:
        return simple[type(m)]
    if type(m) is nn.Softplus and m.beta == 1:
        return "softplus"
    if type(m) is nn.LeakyReLU and m.negative_slope == 0.01:  # ops.leaky_relu's default, which Dense uses
        return "leaky_relu"
    if type(m) is nn.ELU and m.alpha == 1.0:
        return "elu"
    if type(m) is nn.Softmax and m.dim == -1:
        return "softmax"
    return None


def _dense_from_linear(m, activation: str | None) -> Dense:
    dense = Dense(m.in_features, m.out_features, activation=activation, weight_init="zeros",
                  bias=m.bias is not None, dtype=_numpy_dtype(m.weight))
    dense.weight.data = np.ascontiguousarray(_array(m.weight).T)
    if m.bias is not None:
        dense.bias.data = _array(m.bias)
    return dense


def _conv_from_torch(m, pad, activation: str | None, name: str, nn, T) -> Module:
    """A Conv2D from a torch Conv2d and the padding module before it (ZeroPad2d, SamePad2d or None)."""
    conv2d = conv_classes().get("Conv2D")
    if conv2d is None:
        raise _unsupported(name, m, "nnlab.nn.conv.Conv2D is missing")
    if m.groups != 1 or tuple(m.dilation) != (1, 1) or m.padding_mode != "zeros":
        raise _unsupported(name, m, "only groups=1, dilation=1 and padding_mode='zeros' are supported")
    padding: Any = m.padding if isinstance(m.padding, str) else [int(p) for p in m.padding]
    if isinstance(pad, T.SamePad2d):
        if padding not in ("valid", [0, 0]) or pad.kernel_size != tuple(m.kernel_size) or pad.stride != tuple(m.stride):
            raise _unsupported(name, m, "SamePad2d must match the Conv2d's kernel and stride and the Conv2d pad nothing")
        padding = "same"
    elif pad is not None:  # ZeroPad2d (left, right, top, bottom) plus the conv's own (ph, pw)
        if padding == "same":
            raise _unsupported(name, m, "ZeroPad2d before a padding='same' Conv2d")
        ph, pw = (0, 0) if padding == "valid" else padding
        left, right, top, bottom = (int(p) for p in pad.padding)
        padding = [top + ph, bottom + ph, left + pw, right + pw]
    dtype = _numpy_dtype(m.weight)
    layer = conv2d(m.in_channels, m.out_channels, tuple(m.kernel_size), stride=tuple(m.stride), padding=padding,
                   activation=activation, weight_init="zeros", bias=m.bias is not None, dtype=dtype)
    layer.weight.data = _array(m.weight)
    if m.bias is not None:
        layer.bias.data = _array(m.bias)
    return layer


def _pool_from_torch(m, nn, name: str) -> Module:
    conv = conv_classes()
    avg = type(m) is nn.AvgPool2d
    cls = conv.get("AvgPool2D" if avg else "MaxPool2D")
    padding = pair(m.padding)
    if cls is None:
        raise _unsupported(name, m, "nnlab.nn.conv is missing")
    if m.ceil_mode or padding[0] != padding[1] or (avg and (not m.count_include_pad or m.divisor_override)) or (
            not avg and (pair(m.dilation) != (1, 1) or m.return_indices)):
        raise _unsupported(name, m, "pooling needs ceil_mode=False, equal padding on both axes, dilation=1, "
                                    "and for AvgPool2d count_include_pad=True without divisor_override")
    stride = m.stride if m.stride is not None and m.stride != [] else m.kernel_size
    return cls(pair(m.kernel_size), stride=pair(stride), padding=padding[0])


def _layer_from_torch(m, nn, T, rng: np.random.Generator, name: str) -> Module:
    """The nnlab layer of a torch module other than Linear and Conv2d."""
    simple = {nn.Sigmoid: Sigmoid, nn.Tanh: Tanh, nn.ReLU: ReLU, nn.Identity: Identity, T.Heaviside: StepLayer}
    if type(m) in simple:
        return simple[type(m)]()
    if type(m) is nn.LeakyReLU:
        return LeakyReLU(float(m.negative_slope))
    if type(m) is nn.ELU:
        return ELU(float(m.alpha))
    if type(m) is nn.Softplus and m.beta == 1:
        return Softplus()
    if type(m) is nn.Softmax and m.dim is not None:
        return Softmax(axis=int(m.dim))
    if type(m) is nn.Dropout:
        return Dropout(float(m.p), rng=rng)
    if type(m) is nn.Flatten and m.start_dim == 1 and m.end_dim == -1:
        return Flatten()
    if type(m) in (nn.MaxPool2d, nn.AvgPool2d):
        return _pool_from_torch(m, nn, name)
    conv = conv_classes()
    if type(m) is nn.Unflatten and m.dim == 1 and "Reshape" in conv:
        return conv["Reshape"](tuple(int(v) for v in m.unflattened_size))
    if type(m) is T.NHWCToNCHW and "NHWCToNCHW" in conv:
        return conv["NHWCToNCHW"]()
    if type(m) in (nn.BatchNorm1d, nn.BatchNorm2d) and m.track_running_stats and m.momentum is not None:
        ours = (BatchNorm2D if type(m) is nn.BatchNorm2d else BatchNorm1D)(
            m.num_features, eps=float(m.eps), momentum=float(m.momentum), affine=m.affine,
            dtype=_numpy_dtype(m.running_mean))
        ours.load_torch_state_dict(m.state_dict())
        return ours
    if type(m) is nn.LayerNorm and m.elementwise_affine and m.bias is not None:
        ours = LayerNorm(tuple(m.normalized_shape), eps=float(m.eps), dtype=_numpy_dtype(m.weight))
        ours.load_torch_state_dict(m.state_dict())
        return ours
    raise _unsupported(name, m, "Softplus needs beta=1, Softmax an explicit dim, Flatten start_dim=1 and "
                                "end_dim=-1, Unflatten dim=1, BatchNorm track_running_stats=True and a "
                                "momentum, LayerNorm elementwise_affine and a bias")
