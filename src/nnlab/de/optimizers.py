"""First-order optimisers for the equation solver, by name (full-batch L-BFGS is :mod:`nnlab.optim.lbfgs`)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

from nnlab.tensor import Tensor

if TYPE_CHECKING:
    from nnlab.optim import Optimizer

__all__ = ["make_optimizer"]


def make_optimizer(name: str, params: Sequence[Tensor], lr: float, **kwargs: Any) -> Optimizer:
    """A first-order optimiser from :func:`nnlab.optim.get_optimizer` by name ('adam', 'sgd', ...);
    'gd' (the lecture's plain gradient descent) is 'sgd' without momentum."""
    from nnlab.optim import get_optimizer

    return get_optimizer("sgd" if name == "gd" else name, params, lr=lr, **kwargs)
