"""Turning what the user passes as parameters into a named, de-duplicated list of Tensors."""
from __future__ import annotations

import math
from typing import Any, Iterable

from nnlab._validation import check_number
from nnlab.tensor import Tensor

ParamsLike = Any  # a Module, a Tensor, an iterable of Tensors or of (name, Tensor) pairs


def named_parameters_of(params: ParamsLike, what: str = "params") -> list[tuple[str, Tensor]]:
    """``[(name, tensor), ...]`` from a Module, a Tensor, Tensors or (name, Tensor) pairs.

    Unnamed tensors are called ``param0``, ``param1``, ... (or their ``.name``). A tensor that
    appears twice (shared weights) is kept once, so it is updated once per step.
    """
    if hasattr(params, "named_parameters"):
        items: Iterable = params.named_parameters()
    elif isinstance(params, Tensor):
        items = [params]
    else:
        try:
            items = list(params)
        except TypeError:
            raise TypeError(
                f"{what} must be a Module, a Tensor or an iterable of Tensors or (name, Tensor) pairs, "
                f"got {type(params).__name__}; pass model.parameters() or the model itself"
            ) from None
    named, seen = [], set()
    for i, item in enumerate(items):
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], Tensor):
            name, tensor = str(item[0]), item[1]
        elif isinstance(item, Tensor):
            name, tensor = item.name or f"param{i}", item
        else:
            raise TypeError(
                f"{what}[{i}] is a {type(item).__name__}, expected a Tensor or a (name, Tensor) pair; "
                "pass model.parameters() or model.named_parameters()"
            )
        if id(tensor) not in seen:
            seen.add(id(tensor))
            named.append((name, tensor))
    return named


def check_option(name: str, value: Any, low: float = 0.0, high: float = math.inf, **open_ends: bool) -> Any:
    """:func:`nnlab._validation.check_number` with the optimisers' default lower bound 0."""
    return check_number(name, value, low, high, **open_ends)


def copy_array(x: Any) -> Any:
    """A copy of an array of any array library."""
    if hasattr(x, "copy"):
        return x.copy()
    from nnlab._backend import namespace

    return namespace(x).asarray(x, copy=True)
