"""Sequential: layers applied one after another, and a printed summary of a model."""
from __future__ import annotations

from typing import Iterable

import numpy as np

from nnlab.nn.module import Module
from nnlab.tensor import Tensor, no_grad

__all__ = ["Sequential", "summary", "layer_spec"]


def layer_spec(layer: Module) -> dict:
    """How a layer is described when saved: {"class_name": its class name, "config": layer.config()}.

    Containers put their children's specs in their own config; ``nnlab.io`` rebuilds them.
    """
    config = getattr(layer, "config", None)
    if not callable(config):
        raise ValueError(f"layer {type(layer).__name__} has no config() method, so it cannot be saved; give it one "
                         f"returning its constructor arguments and register the class with nnlab.io.register_layer")
    return {"class_name": type(layer).__name__, "config": config()}


class Sequential(Module):
    """Applies its layers in order: out = layer_L(... layer_1(x))."""

    def __init__(self, *layers: Module):
        if len(layers) == 1 and isinstance(layers[0], (list, tuple)):
            layers = tuple(layers[0])
        for i, layer in enumerate(layers):
            if not isinstance(layer, Module):
                raise TypeError(f"Sequential layer {i} is a {type(layer).__name__}, not a Module")
        self.layers = list(layers)

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def __getitem__(self, index):
        return self.layers[index]

    def __len__(self) -> int:
        return len(self.layers)

    def __iter__(self):
        return iter(self.layers)

    def append(self, layer: Module) -> "Sequential":
        self.layers.append(layer)
        return self

    def config(self) -> dict:
        """{"layers": [spec of each layer]} (see ``layer_spec``); rebuilt by ``from_config``."""
        return {"layers": [layer_spec(layer) for layer in self.layers]}

    @classmethod
    def from_config(cls, config: dict) -> "Sequential":
        """Inverse of ``config`` once ``nnlab.io`` has rebuilt the layer specs into layers."""
        return cls(*config["layers"])


def summary(model: Module, input_shape: Iterable[int], dtype=np.float32) -> str:
    """A table of the layers of a Sequential model, their output shapes and parameter counts.

    ``input_shape`` excludes the batch axis, e.g. (64,) for the digits or (1, 28, 28) for MNIST.
    """
    layers = model.layers if isinstance(model, Sequential) else [model]
    x = Tensor(np.zeros((1, *input_shape), dtype=dtype))
    rows = [("Layer", "Output shape", "Parameters")]
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            for i, layer in enumerate(layers):
                x = layer(x)
                rows.append((f"{i}: {layer!r}".replace("\n", " "), str((None, *x.shape[1:])), f"{layer.n_parameters():,}"))
    finally:
        model.train(was_training)
    rows.append(("Total", "", f"{model.n_parameters():,}"))
    widths = [max(len(r[c]) for r in rows) for c in range(3)]
    line = "-" * (sum(widths) + 6)
    out = [line]
    for k, r in enumerate(rows):
        out.append(f"{r[0]:<{widths[0]}}   {r[1]:<{widths[1]}}   {r[2]:>{widths[2]}}")
        if k == 0 or k == len(rows) - 2:
            out.append(line)
    out.append(line)
    return "\n".join(out)
