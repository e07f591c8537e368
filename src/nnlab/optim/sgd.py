"""Stochastic gradient descent with momentum, Nesterov momentum and L2 weight decay."""
from __future__ import annotations

from typing import Any

from nnlab.optim._params import ParamsLike, check_option, copy_array
from nnlab.optim.base import Optimizer

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""Stochastic gradient descent, optionally with (Nesterov) momentum.

    With gradient g_t (plus ``weight_decay * theta`` when weight_decay > 0), momentum mu and
    learning rate eta:

        plain:     theta <- theta - eta g_t
        momentum:  b_t = mu b_{t-1} + g_t  (b_1 = g_1),  theta <- theta - eta b_t
        Nesterov:  theta <- theta - eta (g_t + mu b_t)

    This is PyTorch's form (Sutskever, Martens, Dahl and Hinton 2013, "On the importance of
    initialization and momentum in deep learning", ICML; Nesterov 1983). With a constant
    eta it equals the lecture's and scikit-learn's v <- mu v - eta g, theta <- theta + v
    (v = -eta b).

    Parameters
    ----------
    params : Module or iterable of Tensors
        The parameters to update.
    lr : float
        eta (default 0.01, scikit-learn's ``learning_rate_init`` is 0.001).
    momentum : float
        mu in [0, 1); 0 gives plain SGD.
    nesterov : bool
        Nesterov's accelerated gradient (needs momentum > 0).
    weight_decay : float
        L2 penalty coefficient lambda: adds lambda theta to every gradient (biases included;
        use :mod:`nnlab.nn.regularization` to penalise weights only).
    clip_norm, clip_value, warn_threshold
        See :class:`Optimizer`.
    """

    hyperparameters = ("momentum", "nesterov", "weight_decay")

    def __init__(self, params: ParamsLike, lr: float = 0.01, momentum: float = 0.0, nesterov: bool = False,
                 weight_decay: float = 0.0, **options: Any):
        super().__init__(params, lr, **options)
        self.momentum = check_option("momentum", momentum, 0.0, 1.0, high_open=True)
        self.weight_decay = check_option("weight_decay", weight_decay)
        if nesterov and self.momentum == 0.0:
            raise ValueError("nesterov=True needs momentum > 0, got momentum=0; pass e.g. momentum=0.9")
        self.nesterov = bool(nesterov)

    def update(self, param: Any, grad: Any, state: dict[str, Any]) -> None:
        if not (self.momentum or self.weight_decay):  # plain SGD, the lecture's rule
            param -= self._lr * grad
            return
        if self.weight_decay:
            grad = grad + self.weight_decay * param
        if self.momentum:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = copy_array(grad)
            else:
                buf *= self.momentum
                buf += grad
            grad = grad + self.momentum * buf if self.nesterov else buf
        param -= self.lr * grad
