"""The lecture's own setup for g' = -gamma g, g(0) = g0, rebuilt on nnlab.

The lecture solves the decay equation with the trial solution g_t(x) = g0 + x N(x, P) (its
eq. 17), a network of 10 sigmoid hidden units (or two layers of 10), weights and biases drawn
from N(0, 1) with ``npr.seed(15)``, 10 equally spaced points on [0, 1], the *summed* squared
residual (eq. 19) and plain gradient descent with step 1e-3 for 10 000 iterations, in float64.
Its code reports a max error of about 0.044 this way. :func:`lecture_solver` rebuilds exactly
that (same initial weights: the lecture's ``P_hidden`` has the bias in column 0, the weights after).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from nnlab.de.collocation import Grid
from nnlab.de.conditions import IVP
from nnlab.de.solver import Solution, Solver, diff
from nnlab.nn import Dense, Sequential

__all__ = ["lecture_network", "lecture_solver", "lecture_errors"]


def lecture_network(hidden: Sequence[int] = (10,), seed: int = 15) -> Sequential:
    """Sigmoid hidden layers and a linear output, initialised as the lecture's ``npr.randn`` calls with ``npr.seed(seed)``."""
    rs = np.random.RandomState(seed)  # the lecture's legacy generator, as an explicit object
    sizes = [1, *hidden]
    layers = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        layers.append((fan_in, fan_out, "sigmoid", rs.randn(fan_out, fan_in + 1)))
    layers.append((sizes[-1], 1, None, rs.randn(1, sizes[-1] + 1)))
    modules = []
    for fan_in, fan_out, activation, p in layers:
        layer = Dense(fan_in, fan_out, activation, dtype=np.float64)
        layer.weight.data[...] = p[:, 1:].T  # the lecture's row i = (bias_i, weights of neuron i)
        layer.bias.data[...] = p[:, 0]
        modules.append(layer)
    return Sequential(*modules)


def lecture_solver(hidden: Sequence[int] = (10,), iterations: int = 10_000, lr: float = 1e-3, n_points: int = 10,
                   gamma: float = 2.0, g0: float = 10.0, seed: int = 15, callback=None) -> Solver:
    """The lecture's experiment as a :class:`Solver`: plain gradient descent on the summed cost."""
    return Solver(lambda x, g: diff(g, x) + gamma * g, IVP(0.0, g0), (0.0, 1.0),
                  network=lecture_network(hidden, seed), collocation=Grid(n_points, (0.0, 1.0)),
                  optimizer="sgd", lr=lr, iterations=iterations, lbfgs_iterations=0, reduction="sum",
                  scale_inputs=False, callback=callback)


def lecture_errors(solution: Solution, n_points: int = 10, gamma: float = 2.0, g0: float = 10.0) -> dict:
    """Max |g_t - g0 e^(-gamma x)| at the lecture's points and on a fine grid of 1001 points."""
    x = np.linspace(0.0, 1.0, n_points)
    fine = np.linspace(0.0, 1.0, 1001)
    return {
        "points": float(np.max(np.abs(solution(x) - g0 * np.exp(-gamma * x)))),
        "fine": float(np.max(np.abs(solution(fine) - g0 * np.exp(-gamma * fine)))),
    }
