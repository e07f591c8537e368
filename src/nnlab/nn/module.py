"""The Module base class: parameters, sub-modules, train/eval mode and state dicts."""
from __future__ import annotations

from typing import Any, Iterator

import numpy as np

from nnlab._random import as_generator  # re-exported: nn.as_generator is public
from nnlab.tensor import Tensor

__all__ = ["Module", "Parameter", "as_generator"]


def Parameter(data: Any, dtype: Any = None) -> Tensor:
    """A trainable tensor: a leaf with ``requires_grad=True``."""
    return Tensor(data, requires_grad=True, dtype=dtype)


def call_runs_forward(cls: type) -> None:
    """Make calling an instance of ``cls`` run its ``forward`` directly.

    The class gets its own ``forward`` as ``__call__`` (a layer call is then one Python call,
    not two: the step calls several layers per batch). A class that defines ``__call__``
    itself, and every subclass of it, keeps that ``__call__``. The binding is made when the class
    is created: a ``forward`` assigned to the class later needs ``__call__`` assigned with it.
    Called by ``__init_subclass__`` of :class:`Module` and :class:`nnlab.nn.losses.Loss`.
    """
    if "__call__" in cls.__dict__:
        return
    owner = next(c for c in cls.__mro__ if "__call__" in c.__dict__)
    if owner.__dict__["__call__"] is owner.__dict__.get("forward") or owner.__dict__.get("_call_is_forward"):
        cls.__call__ = cls.forward


class Module:
    """Base class of layers and models.

    A module's parameters are the attributes that are Tensors with ``requires_grad=True``;
    its children are attributes that are Modules (or lists/tuples of Modules). Subclasses
    implement ``forward``; calling the module calls ``forward``.
    """

    training: bool = True
    _call_is_forward = True  # its __call__ only runs forward (see call_runs_forward)
    #: names of attributes that are state but not trained (Tensors without gradient, e.g. batch norm's
    #: running statistics): saved and loaded with the parameters, never handed to an optimiser
    buffer_names: tuple[str, ...] = ()

    def forward(self, *args, **kwargs):  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__} must implement forward()")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        call_runs_forward(cls)

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
