"""The optimiser base class: parameters, ``step()``, ``zero_grad()``, learning rate, state.

A subclass writes only :meth:`Optimizer.update`, the rule that changes one parameter array in
place given its gradient and its own state (momentum buffers, running averages). The base
class walks the parameters, skips those without a gradient, counts steps per parameter,
applies gradient clipping and checks, and saves and restores everything a resumed run needs.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from nnlab._backend import to_numpy
from nnlab.optim._params import ParamsLike, check_option, named_parameters_of
from nnlab.optim.clipping import check_gradients, clip_grad_norm, clip_grad_value
from nnlab.tensor import Tensor

__all__ = ["Optimizer"]


class Optimizer:
    """Base class of the optimisers.

    Parameters
    ----------
    params : Module, iterable of Tensors or of (name, Tensor) pairs
        The parameters to update. Passing the model (or ``model.named_parameters()``) lets
        gradient warnings name the layer.
    lr : float
        Learning rate eta (settable: schedules change ``optimizer.lr``).
    clip_norm : float, optional
        Before each update, rescale all gradients together so their joint Euclidean norm is
        at most ``clip_norm`` (:func:`nnlab.optim.clip_grad_norm`).
    clip_value : float, optional
        Before each update, clip every gradient entry to [-clip_value, clip_value]
        (applied before ``clip_norm`` when both are given).
    warn_threshold : float, optional
        Before each update, warn (:class:`nnlab.optim.GradientWarning`, naming the layer)
        when a gradient is NaN/inf or its norm exceeds this value; ``math.inf`` checks only
        for non-finite gradients. None (default): no check.

    Notes
    -----
    Updates happen in place on ``p.data`` and keep its dtype; ``p.grad`` is never written
    into (clipping assigns new arrays). Parameters whose ``grad`` is None are skipped and
    their step count does not advance (as in PyTorch).
    """

    #: names of the scalar hyperparameters saved by :meth:`state_dict` (besides ``lr``)
    hyperparameters: tuple[str, ...] = ()

    def __init__(self, params: ParamsLike, lr: float, *, clip_norm: float | None = None,
                 clip_value: float | None = None, warn_threshold: float | None = None):
        self.named_params = named_parameters_of(params)
        if not self.named_params:
            raise ValueError("the optimiser got an empty parameter list; pass model.parameters() of a model "
                             "that has parameters")
        self.params: list[Tensor] = [p for _, p in self.named_params]
        self.lr = lr
        self.clip_norm = check_option("clip_norm", clip_norm, low_open=True, allow_none=True)
        self.clip_value = check_option("clip_value", clip_value, low_open=True, allow_none=True)
        self.warn_threshold = check_option("warn_threshold", warn_threshold, low_open=True, allow_none=True)
        self.state: list[dict[str, Any]] = [{} for _ in self.params]

    @property
    def lr(self) -> float:
        """The learning rate eta used by the next :meth:`step`."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        # a Python float keeps float32 parameters float32 (NumPy 2 promotion rules)
        self._lr = check_option("lr", value, high_open=True)

    def zero_grad(self) -> None:
        """Forget the gradients (``p.grad = None``); backward() then starts from zero."""
        for p in self.params:
            p.grad = None

    def step(self) -> None:
        """Check and clip the gradients as configured, then update every parameter that has one."""
        if self.warn_threshold is not None:
            check_gradients(self.named_params, None if math.isinf(self.warn_threshold) else self.warn_threshold)
        if self.clip_value is not None:
            clip_grad_value(self.params, self.clip_value)
        if self.clip_norm is not None:
            clip_grad_norm(self.params, self.clip_norm)
        update = self.update
        for p, state in zip(self.params, self.state):  # the hot path: a few us a step for small models
            g = p.grad
            if g is None:
                continue
            if isinstance(g, Tensor):
                g = g.data
            data = p.data
            if g.shape != data.shape and tuple(g.shape) != tuple(data.shape):
                self._shape_error(p, g)
            state["step"] = state.get("step", 0) + 1
            update(data, g, state)

    def _shape_error(self, p: Tensor, g: Any) -> None:
        name = next(n for n, q in self.named_params if q is p)
        raise ValueError(f"gradient of {name!r} has shape {tuple(g.shape)}, the parameter has shape "
                         f"{p.shape}; assign gradients of the parameter's shape")

    def update(self, param: Any, grad: Any, state: dict[str, Any]) -> None:
        """Change ``param`` in place from ``grad``; ``state['step']`` is t = 1, 2, ... ."""
        raise NotImplementedError(f"{type(self).__name__} must implement update()")

    # -- state -----------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """Everything needed to resume exactly: a flat dict of scalars and arrays.

        Keys: ``'optimizer'`` (class name), ``'lr'``, the hyperparameters, and
        ``'state.<i>.<name>'`` for the state of the i-th parameter (``step`` as an int,
        buffers as copies of the arrays). ``np.savez(path, **opt.state_dict())`` stores it
        (scalars also go to JSON); :meth:`load_state_dict` accepts what ``np.load`` returns.
        Clipping and warning options are configuration and are not saved.
        """
        state: dict[str, Any] = {"optimizer": type(self).__name__, "lr": self.lr}
        for name in self.hyperparameters:
            value = getattr(self, name)
            state[name] = list(value) if isinstance(value, tuple) else value
        for i, s in enumerate(self.state):
            for key, value in s.items():
                state[f"state.{i}.{key}"] = value if isinstance(value, (int, float)) else to_numpy(value).copy()
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` saved; checks everything before changing anything."""
        state = {k: _to_python(v) for k, v in dict(state).items()}
        saved = state.pop("optimizer", type(self).__name__)
        if saved != type(self).__name__:
            raise ValueError(f"state dict was saved by {saved}, cannot load it into {type(self).__name__}; "
                             f"create a {saved} instead")
        if "lr" not in state:
            raise KeyError("state dict has no 'lr' entry; pass the dict returned by optimizer.state_dict()")
        lr = check_option("lr", state.pop("lr"))
        hyper = {name: state.pop(name) for name in self.hyperparameters if name in state}
        per_param: list[dict[str, Any]] = [{} for _ in self.params]
        for key, value in state.items():
            prefix, _, rest = key.partition(".")
            index, _, field = rest.partition(".")
            if prefix != "state" or not index.isdigit() or not field:
                raise KeyError(f"unexpected state dict entry {key!r} for {type(self).__name__}")
            i = int(index)
            if i >= len(self.params):
                raise ValueError(f"state dict has state for parameter {i} but the optimiser has "
                                 f"{len(self.params)} parameters; build it on the same model")
            p = self.params[i]
            if field == "step":
                per_param[i][field] = int(value)
                continue
            if tuple(np.shape(value)) != p.shape:
                raise ValueError(f"state dict entry {key!r} has shape {tuple(np.shape(value))}, parameter "
                                 f"{self.named_params[i][0]!r} has shape {p.shape}; build it on the same model")
            per_param[i][field] = _like(value, p.data)
        self.lr = lr
        for name, value in hyper.items():
            setattr(self, name, tuple(value) if isinstance(getattr(self, name), tuple) else value)
        self.state = per_param

    def __repr__(self) -> str:
        hyper = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.hyperparameters)
        return f"{type(self).__name__}(lr={self.lr!r}{', ' + hyper if hyper else ''})"


def _to_python(value: Any) -> Any:
    """0-d arrays (what ``np.load`` gives for saved scalars) back to Python scalars."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value.item()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _like(value: Any, param: Any) -> Any:
    """A fresh array of ``param``'s array library and dtype holding ``value``."""
    if isinstance(param, np.ndarray):
        return np.array(value, dtype=param.dtype, copy=True)
    from nnlab._backend import namespace

    return namespace(param).asarray(np.asarray(value), dtype=param.dtype, copy=True)
