"""The Module base class: parameters, sub-modules, train/eval mode and state dicts."""
from __future__ import annotations

from typing import Any, Iterator

import numpy as np

from nnlab.tensor import Tensor

__all__ = ["Module", "Parameter", "as_generator"]


def Parameter(data: Any, dtype: Any = None) -> Tensor:
    """A trainable tensor: a leaf with ``requires_grad=True``."""
    return Tensor(data, requires_grad=True, dtype=dtype)


def as_generator(rng: "np.random.Generator | int | None") -> np.random.Generator:
    """A NumPy Generator from a seed, a Generator (returned as is) or None (fresh entropy)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        if rng < 0:
            raise ValueError(f"an int seed must be >= 0, got {rng}; pass a non-negative seed such as 0")
        return np.random.default_rng(rng)
    if rng is None:
        return np.random.default_rng()
    raise TypeError(f"rng must be a numpy.random.Generator, an int seed or None, got {type(rng).__name__}")


class Module:
    """Base class of layers and models.

    A module's parameters are the attributes that are Tensors with ``requires_grad=True``;
    its children are attributes that are Modules (or lists/tuples of Modules). Subclasses
    implement ``forward``; calling the module calls ``forward``.
    """

    training: bool = True
    #: names of attributes that are state but not trained (Tensors without gradient, e.g. batch norm's
    #: running statistics): saved and loaded with the parameters, never handed to an optimiser
    buffer_names: tuple[str, ...] = ()

    def forward(self, *args, **kwargs):  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__} must implement forward()")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    def __init_subclass__(cls, **kwargs):
        # Calling a module runs its forward: each subclass gets its own forward as __call__, one
        # Python call less per layer and step (about 1 % of the lecture network's step). A subclass
        # that defines __call__ itself keeps it.
        super().__init_subclass__(**kwargs)
        if "__call__" not in cls.__dict__:
            cls.__call__ = cls.forward

    # -- structure -------------------------------------------------------------------------
    def named_children(self) -> Iterator[tuple[str, "Module"]]:
        for name, value in vars(self).items():
            if isinstance(value, Module):
                yield name, value
            elif isinstance(value, (list, tuple)):
                for i, item in enumerate(value):
                    if isinstance(item, Module):
                        yield f"{name}.{i}", item

    def children(self) -> Iterator["Module"]:
        return (m for _, m in self.named_children())

    def modules(self) -> Iterator["Module"]:
        """This module and all modules below it, depth first."""
        yield self
        for child in self.children():
            yield from child.modules()

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Tensor]]:
        for name, value in vars(self).items():
            if isinstance(value, Tensor) and value.requires_grad:
                yield prefix + name, value
        for name, child in self.named_children():
            yield from child.named_parameters(prefix + name + ".")

    def named_buffers(self, prefix: str = "") -> Iterator[tuple[str, Tensor]]:
        """(dotted name, Tensor) of every buffer (see ``buffer_names``) in this module and below it."""
        for name in self.buffer_names:
            value = getattr(self, name, None)
            if isinstance(value, Tensor):
                yield prefix + name, value
        for name, child in self.named_children():
            yield from child.named_buffers(prefix + name + ".")

    def parameters(self) -> list[Tensor]:
        return [p for _, p in self.named_parameters()]

    def n_parameters(self) -> int:
        return sum(p.size for p in self.parameters())

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = None

    # -- mode ------------------------------------------------------------------------------
    def train(self, mode: bool = True) -> "Module":
        """Set training mode (dropout active) on this module and all below it."""
        for m in self.modules():
            m.training = mode
        return self

    def eval(self) -> "Module":
        """Set inference mode (dropout off)."""
        return self.train(False)

    # -- state -----------------------------------------------------------------------------
    def state_dict(self) -> dict[str, np.ndarray]:
        """Copies of the parameter and buffer arrays, by dotted name."""
        return {name: np.array(p.numpy(), copy=True) for name, p in self.named_state()}

    def named_state(self) -> list[tuple[str, Tensor]]:
        """(dotted name, Tensor) of every parameter, then every buffer: what ``state_dict`` saves."""
        return [*self.named_parameters(), *self.named_buffers()]

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Set parameters and buffers from ``state``; checks every name and shape before changing anything."""
        params = dict(self.named_state())
        missing = sorted(set(params) - set(state))
        unexpected = sorted(set(state) - set(params))
        if missing or unexpected:
            raise KeyError(f"state dict does not match the model: missing {missing}, unexpected {unexpected}")
        for name, p in params.items():
            if tuple(np.shape(state[name])) != p.shape:
                raise ValueError(
                    f"state dict entry {name!r} has shape {tuple(np.shape(state[name]))}, "
                    f"the model expects {p.shape}"
                )
        for name, p in params.items():
            p.data = np.array(state[name], dtype=p.dtype, copy=True)
            p.grad = None

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        children = list(self.named_children())
        if not children:
            return f"{type(self).__name__}({self.extra_repr()})"
        lines = [f"  ({name}): " + repr(child).replace("\n", "\n  ") for name, child in children]
        return f"{type(self).__name__}(\n" + "\n".join(lines) + "\n)"
