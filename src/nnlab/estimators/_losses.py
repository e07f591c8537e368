"""The two losses scikit-learn's MLP minimises that are not in :mod:`nnlab.nn.losses` as such.

scikit-learn sums an element-wise loss over the outputs and averages it over the samples:

    half squared error      L = (1 / n) sum_i sum_k (y_ik - t_ik)^2 / 2       (MLPRegressor)
    binary log-loss         L = (1 / n) sum_i sum_k BCE(z_ik, t_ik)           (binary, multilabel)

whereas ``MSELoss`` and ``BCEWithLogitsLoss`` average over all n k elements. Using scikit-learn's
scale keeps ``learning_rate_init`` and ``alpha`` meaning the same thing in both libraries. The
fused functions of :mod:`nnlab.functional` carry the derivatives: the mean over n k elements
times k *is* the sum over outputs averaged over samples.
"""
from __future__ import annotations

from typing import Any, Callable

from nnlab import functional as F
from nnlab import ops
from nnlab.nn.losses import Loss

__all__ = ["HalfSquaredError", "SummedBCEWithLogits", "HalfPoissonDeviance"]


class _OutputSummedLoss(Loss):
    """scale * (sum over outputs, mean over samples) of an element-wise loss ``fn``."""

    fn: Callable[..., Any]
    scale: float = 1.0

    def forward(self, prediction: Any, target: Any) -> Any:
        shape = prediction.shape
        k = 1
        for s in shape[1:]:
            k *= int(s)
        if self.reduction == "none":
            per = self.fn(prediction, target, reduction="none")
            if per.ndim > 1:
                per = ops.sum(ops.reshape(per, (shape[0], -1)), axis=1)
            return per * self.scale if self.scale != 1.0 else per
        factor = self.scale * (k if self.reduction == "mean" else 1)
        value = self.fn(prediction, target, reduction=self.reduction)
        return value * factor if factor != 1.0 else value


class HalfSquaredError(_OutputSummedLoss):
    """(1/n) sum_i sum_k (y_ik - t_ik)^2 / 2: scikit-learn's 'squared_error';  d/dy = (y - t) / n."""

    fn = staticmethod(F.mse_loss)
    scale = 0.5
    task = "regression"


class SummedBCEWithLogits(_OutputSummedLoss):
    """(1/n) sum_i sum_k [softplus(z_ik) - t_ik z_ik]: scikit-learn's binary log-loss on logits;
    d/dz = (sigma(z) - t) / n."""

    fn = staticmethod(F.binary_cross_entropy_with_logits)
    task = "binary"


def half_poisson_deviance_log_link(z: Any, t: Any, reduction: str = "mean") -> Any:
    """Half Poisson deviance of mu = exp(z): exp(z) - t z + (t log t - t) per element;  d/dz = exp(z) - t.

    Built from ``ops.exp``, ``*`` and ``-``, so its derivatives come from theirs. The constant
    t log t - t (0 log 0 = 0) makes the value scikit-learn's ``poisson_loss``; it has no gradient.
    """
    import numpy as np
    from scipy.special import xlogy

    target = np.asarray(getattr(t, "data", t), dtype=z.dtype)
    per = ops.exp(z) - z * target + (xlogy(target, target) - target)
    if reduction == "none":
        return per
    return ops.sum(per) if reduction == "sum" else ops.mean(per)


class HalfPoissonDeviance(_OutputSummedLoss):
    """(1/n) sum_i sum_k [exp(z_ik) - t_ik z_ik + t_ik log t_ik - t_ik]: scikit-learn's 'poisson' loss
    on the network's output z = log(mu);  d/dz = (exp(z) - t) / n."""

    fn = staticmethod(half_poisson_deviance_log_link)
    task = "regression"
