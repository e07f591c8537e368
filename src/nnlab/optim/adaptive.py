"""Optimisers with per-parameter adaptive step sizes: Adagrad, RMSprop, Adam, AdamW.

Each class writes only its update rule; all arithmetic is in place on the parameter and its
state buffers, which have the parameter's dtype.
"""
from __future__ import annotations

import math
from typing import Any

from nnlab._backend import namespace
from nnlab.optim._params import ParamsLike, check_option
from nnlab.optim.base import Optimizer

__all__ = ["Adagrad", "RMSprop", "Adam", "AdamW"]


def _buffer(state: dict[str, Any], key: str, like: Any, fill: float = 0.0) -> Any:
    """``state[key]``, created as an array shaped and typed like ``like`` filled with ``fill``."""
    buf = state.get(key)
    if buf is None:
        buf = state[key] = namespace(like).full_like(like, fill)
    return buf


class Adagrad(Optimizer):
    r"""Adagrad: steps scaled by the root of the summed squared gradients.

        s_t = s_{t-1} + g_t^2                     (s_0 = initial_accumulator_value)
        theta <- theta - eta g_t / (sqrt(s_t) + eps)

    Duchi, Hazan and Singer 2011, "Adaptive subgradient methods for online learning and
    stochastic optimization", JMLR 12. Defaults as in PyTorch: eta = 0.01, eps = 1e-10.
    ``weight_decay`` adds lambda theta to g_t.
    """

    hyperparameters = ("eps", "weight_decay", "initial_accumulator_value")

    def __init__(self, params: ParamsLike, lr: float = 0.01, eps: float = 1e-10, weight_decay: float = 0.0,
                 initial_accumulator_value: float = 0.0, **options: Any):
        super().__init__(params, lr, **options)
        self.eps = check_option("eps", eps, low_open=True)
        self.weight_decay = check_option("weight_decay", weight_decay)
        self.initial_accumulator_value = check_option("initial_accumulator_value", initial_accumulator_value)

    def update(self, param: Any, grad: Any, state: dict[str, Any]) -> None:
        if self.weight_decay:
            grad = grad + self.weight_decay * param
        s = _buffer(state, "sum", param, self.initial_accumulator_value)
        s += grad * grad
        xp = namespace(param)
        param -= self.lr * grad / (xp.sqrt(s) + self.eps)


class RMSprop(Optimizer):
    r"""RMSprop: steps scaled by a running root mean square of the gradients.

        v_t = rho v_{t-1} + (1 - rho) g_t^2                         (v_0 = 0)
        centered:  m_t = rho m_{t-1} + (1 - rho) g_t,  d_t = sqrt(v_t - m_t^2) + eps
        otherwise: d_t = sqrt(v_t) + eps
        momentum mu > 0:  b_t = mu b_{t-1} + g_t / d_t,  theta <- theta - eta b_t
        otherwise:        theta <- theta - eta g_t / d_t

    Hinton, Srivastava and Swersky 2012, "Neural networks for machine learning", lecture 6e
    (rho = 0.9 as suggested there, eta = 0.001 as Keras). PyTorch calls rho ``alpha`` and
    defaults to alpha = 0.99, lr = 0.01. ``weight_decay`` adds lambda theta to g_t.
    """

    hyperparameters = ("rho", "eps", "momentum", "centered", "weight_decay")

    def __init__(self, params: ParamsLike, lr: float = 0.001, rho: float = 0.9, eps: float = 1e-8,
                 momentum: float = 0.0, centered: bool = False, weight_decay: float = 0.0, **options: Any):
        super().__init__(params, lr, **options)
        self.rho = check_option("rho", rho, 0.0, 1.0, high_open=True)
        self.eps = check_option("eps", eps, low_open=True)
        self.momentum = check_option("momentum", momentum, 0.0, 1.0, high_open=True)
        self.centered = bool(centered)
        self.weight_decay = check_option("weight_decay", weight_decay)

    def update(self, param: Any, grad: Any, state: dict[str, Any]) -> None:
        xp = namespace(param)
        if self.weight_decay:
            grad = grad + self.weight_decay * param
        v = _buffer(state, "square_avg", param)
        v *= self.rho
        v += (1.0 - self.rho) * (grad * grad)
        if self.centered:
            m = _buffer(state, "grad_avg", param)
            m *= self.rho
            m += (1.0 - self.rho) * grad
            denom = xp.sqrt(v - m * m) + self.eps
        else:
            denom = xp.sqrt(v) + self.eps
        if self.momentum:
            b = _buffer(state, "momentum_buffer", param)
            b *= self.momentum
            b += grad / denom
            param -= self.lr * b
        else:
            param -= self.lr * grad / denom


class Adam(Optimizer):
    r"""Adam: bias-corrected running means of the gradient and of its square.

        m_t = beta1 m_{t-1} + (1 - beta1) g_t,    v_t = beta2 v_{t-1} + (1 - beta2) g_t^2
        theta <- theta - eta / (1 - beta1^t) * m_t / (sqrt(v_t) / sqrt(1 - beta2^t) + eps)

    i.e. theta <- theta - eta m_hat / (sqrt(v_hat) + eps) with m_hat = m_t / (1 - beta1^t),
    v_hat = v_t / (1 - beta2^t). Kingma and Ba 2015, "Adam: a method for stochastic
    optimization", ICLR; the paper's defaults eta = 0.001, betas = (0.9, 0.999), eps = 1e-8.
    ``weight_decay`` adds lambda theta to g_t (L2 regularisation, coupled to the adaptive
    scaling; see :class:`AdamW` for the decoupled form).
    """

    hyperparameters = ("betas", "eps", "weight_decay")

    def __init__(self, params: ParamsLike, lr: float = 0.001, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, **options: Any):
        super().__init__(params, lr, **options)
        if len(tuple(betas)) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        self.betas = tuple(check_option(f"betas[{i}]", b, 0.0, 1.0, high_open=True) for i, b in enumerate(betas))
        self.eps = check_option("eps", eps, low_open=True)
        self.weight_decay = check_option("weight_decay", weight_decay)

    def update(self, param: Any, grad: Any, state: dict[str, Any]) -> None:
        if self.weight_decay:
            grad = grad + self.weight_decay * param
        self._adam_step(param, grad, state)

    def _adam_step(self, param: Any, grad: Any, state: dict[str, Any]) -> None:
        """The moment updates and the bias-corrected step, shared with AdamW."""
        xp = namespace(param)
        beta1, beta2 = self.betas
        t = state["step"]
        m = _buffer(state, "exp_avg", param)
        v = _buffer(state, "exp_avg_sq", param)
        m *= beta1
        m += (1.0 - beta1) * grad
        v *= beta2
        v += (1.0 - beta2) * (grad * grad)
        step_size = self.lr / (1.0 - beta1 ** t)
        # denom = sqrt(v) / sqrt(1 - beta2^t) + eps, computed in one buffer to save allocations
        denom = xp.sqrt(v)
        denom *= 1.0 / math.sqrt(1.0 - beta2 ** t)
        denom += self.eps
        step = m / denom
        step *= step_size
        param -= step


class AdamW(Adam):
    r"""Adam with decoupled weight decay.

        theta <- theta (1 - eta lambda),  then the Adam step with the raw gradient g_t.

    Loshchilov and Hutter 2019, "Decoupled weight decay regularization", ICLR. The decay is
    not scaled by the adaptive denominator, unlike L2 in :class:`Adam`. Defaults as PyTorch:
    eta = 0.001, betas = (0.9, 0.999), eps = 1e-8, lambda = 0.01 (the paper fixes none).
    """

    def __init__(self, params: ParamsLike, lr: float = 0.001, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.01, **options: Any):
        super().__init__(params, lr, betas, eps, weight_decay, **options)

    def update(self, param: Any, grad: Any, state: dict[str, Any]) -> None:
        if self.weight_decay:
            param *= 1.0 - self.lr * self.weight_decay
        self._adam_step(param, grad, state)
