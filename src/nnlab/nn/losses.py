"""Losses as objects: ``loss(prediction, target) -> Tensor``, picked by name with :func:`get_loss`.

Each wraps the fused, numerically stable function of :mod:`nnlab.functional`. ``reduction``
chooses between the average over the batch (``'mean'``: scikit-learn, Keras and PyTorch)
and the sum (``'sum'``: the lecture, whose gradient is summed over the batch). The two differ
by the factor n (batch size), which the learning rate absorbs: eta_sum = eta_mean / n.
"""
from __future__ import annotations

import copy
from typing import Any, Callable

from nnlab import functional as F
from nnlab import ops
from nnlab.nn.module import call_runs_forward

__all__ = ["Loss", "MSELoss", "BCEWithLogitsLoss", "BCELoss", "CrossEntropyLoss", "LOSSES", "get_loss", "TASKS"]

#: what a loss can be for: its targets, and how ``fit`` checks them and scores the predictions
TASKS = ("multiclass", "binary", "regression")


class Loss:
    """Base class: stores ``reduction`` and calls :meth:`forward` (prediction, target).

    Attributes
    ----------
    task : {'multiclass', 'binary', 'regression'}
        What the loss is for, declared by each subclass: :func:`nnlab.train.fit` checks the
        targets and picks the default metrics from it (never from the loss's name).
    from_logits : bool
        Whether a classification loss takes logits (True) or probabilities.
    """

    task: str | None = None
    from_logits: bool = True

    def __init__(self, reduction: str = "mean"):
        if reduction not in F._REDUCTIONS:
            raise ValueError(f"reduction must be one of {F._REDUCTIONS}, got {reduction!r}; use 'mean' "
                             "(average over the batch) or 'sum' (the lecture's summed cost)")
        self.reduction = reduction

    _call_is_forward = True  # its __call__ only runs forward (see nnlab.nn.module.call_runs_forward)

    def __call__(self, prediction: Any, target: Any) -> Any:
        return self.forward(prediction, target)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        call_runs_forward(cls)

    def forward(self, prediction: Any, target: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__} must implement forward()")

    def per_sample(self) -> "Loss":
        """The same loss with ``reduction='none'``: one value per sample (for sample weights)."""
        unreduced = copy.copy(self)
        unreduced.reduction = "none"
        return unreduced

    def config(self) -> dict[str, Any]:
        """Constructor arguments as a JSON-able dict."""
        return {"reduction": self.reduction}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.config().items())})"


class MSELoss(Loss):
    """Squared error (y - t)^2 averaged (or summed) over all elements; y, t of the same shape."""

    task = "regression"

    def forward(self, prediction: Any, target: Any) -> Any:
        return F.mse_loss(prediction, target, reduction=self.reduction)


class BCEWithLogitsLoss(Loss):
    """Binary cross-entropy from logits z: softplus(z) - t z = -[t log sigma(z) + (1-t) log(1-sigma(z))].

    Stable for any z; its gradient is sigma(z) - t. Use with a last layer that has no sigmoid.
    Targets are 0/1 labels or probabilities in [0, 1].
    """

    task = "binary"

    def forward(self, prediction: Any, target: Any) -> Any:
        return F.binary_cross_entropy_with_logits(prediction, target, reduction=self.reduction)


class BCELoss(Loss):
    """Binary cross-entropy from probabilities p: -[t log p + (1 - t) log(1 - p)], p clipped to [eps, 1-eps].

    Use with a sigmoid last layer (the lecture's); prefer :class:`BCEWithLogitsLoss` for stability.
    """

    task = "binary"
    from_logits = False

    def __init__(self, reduction: str = "mean", eps: float = 1e-12):
        super().__init__(reduction)
        self.eps = float(eps)

    def forward(self, prediction: Any, target: Any) -> Any:
        return F.binary_cross_entropy(prediction, target, reduction=self.reduction, eps=self.eps)

    def config(self) -> dict[str, Any]:
        return {"reduction": self.reduction, "eps": self.eps}


class CrossEntropyLoss(Loss):
    """Categorical cross-entropy -sum_c t_c log p_c over classes, per sample.

    Parameters
    ----------
    reduction : {'mean', 'sum', 'none'}
        Average or sum over the batch, or per-sample values.
    from_logits : bool
        True (default): predictions are logits z of shape (n, C) and p = softmax(z), fused so the
        gradient is softmax(z) - t (the lecture's output error). False: predictions are
        probabilities (a Softmax last layer), clipped to [eps, 1] before the log.
    eps : float
        Clipping of probabilities when ``from_logits=False``.

    Targets are integer labels of shape (n,) or one-hot / probability rows of shape (n, C).
    """

    task = "multiclass"

    def __init__(self, reduction: str = "mean", from_logits: bool = True, eps: float = 1e-12):
        super().__init__(reduction)
        self.from_logits = bool(from_logits)
        self.eps = float(eps)

    def forward(self, prediction: Any, target: Any) -> Any:
        if self.from_logits:
            return F.cross_entropy(prediction, target, reduction=self.reduction)
        return F.nll_loss(ops.log(ops.clip(prediction, self.eps, 1.0)), target, reduction=self.reduction)

    def config(self) -> dict[str, Any]:
        return {"reduction": self.reduction, "from_logits": self.from_logits, "eps": self.eps}


def _binary_crossentropy(reduction: str = "mean", from_logits: bool = True, **kwargs: Any) -> Loss:
    return BCEWithLogitsLoss(reduction) if from_logits else BCELoss(reduction, **kwargs)


LOSSES: dict[str, Callable[..., Loss]] = {
    "mse": MSELoss,
    "mean_squared_error": MSELoss,
    "binary_crossentropy": _binary_crossentropy,
    "bce": BCELoss,
    "binary_cross_entropy": BCELoss,
    "bce_with_logits": BCEWithLogitsLoss,
    "categorical_crossentropy": CrossEntropyLoss,
    "cross_entropy": CrossEntropyLoss,
}


def get_loss(name: str | Loss | Callable, **kwargs: Any) -> Loss | Callable:
    """The loss called ``name``, built with ``kwargs`` (e.g. ``reduction='sum'``).

    'mse' (alias 'mean_squared_error'); 'binary_crossentropy' (logits; ``from_logits=False``
    for probabilities, as Keras); 'bce' and 'binary_cross_entropy' (probabilities, as
    ``torch.nn.BCELoss`` and :func:`nnlab.functional.binary_cross_entropy`); 'bce_with_logits' (logits); 'categorical_crossentropy' and 'cross_entropy' (logits;
    ``from_logits=False`` for probabilities). A Loss or any callable is returned unchanged.
    """
    if callable(name):
        if kwargs:
            raise TypeError(f"keyword arguments {sorted(kwargs)} given with a loss object; pass a loss name "
                            "or configure the object yourself")
        return name
    try:
        factory = LOSSES[name.lower()]
    except (KeyError, AttributeError):
        raise ValueError(f"unknown loss {name!r}; choose one of {sorted(LOSSES)}") from None
    return factory(**kwargs)
