"""Time marching: an initial-value problem on a long interval solved window by window.

One network on [t0, t1] must represent the whole trajectory, and the cost cannot tell a small
residual spread evenly from one that lets errors grow: y'' + y = 0 on [0, 6 pi] in one window ends
far from sin t. Marching solves [t_k, t_k+1] in turn, each with the trial solution of an
:class:`~nnlab.de.conditions.IVP` whose initial value (and slope, for second order) is where the
previous window ended, so each network only has to follow the solution over a short stretch.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from nnlab.de.conditions import IVP
from nnlab.de.solver import Solution, Solver

__all__ = ["MarchedSolution", "march"]


class MarchedSolution:
    """Piecewise solution of a marched IVP: window k's Solution on [edges[k], edges[k+1]]."""

    def __init__(self, edges: np.ndarray, pieces: list[Solution]):
        self.edges, self.pieces = edges, pieces
        self.iterations = sum(p.iterations for p in pieces)
        self.wall_time = sum(p.wall_time for p in pieces)

    def _piecewise(self, t, evaluate: Callable) -> np.ndarray:
        t = np.asarray(t, dtype=np.float64)
        index = np.clip(np.searchsorted(self.edges, t, side="right") - 1, 0, len(self.pieces) - 1)
        out = np.empty(t.shape)
        for k, piece in enumerate(self.pieces):
            mask = index == k
            if np.any(mask):
                out[mask] = evaluate(piece, t[mask])
        return out

    def __call__(self, t) -> np.ndarray:
        """u(t), from the window that holds each t."""
        return self._piecewise(t, lambda piece, s: piece(s))

    def derivative(self, t, order: int = 1) -> np.ndarray:
        """d^order u / dt^order at t."""
        return self._piecewise(t, lambda piece, s: piece.derivative(s, order=order))


def march(residual: Callable, t0: float, t1: float, u0: float, v0: float | None = None, windows: int = 4,
          **settings) -> MarchedSolution:
    """Solve residual(t, u) = 0 with u(t0) = u0 (and u'(t0) = v0) on [t0, t1] in ``windows`` equal windows.

    ``settings`` go to each window's :class:`Solver` (``hidden``, ``n_points``, ``lbfgs_iterations``,
    ``seed``, ...).
    """
    if windows < 1:
        raise ValueError(f"march: windows must be a positive integer, got {windows}")
    edges = np.linspace(float(t0), float(t1), int(windows) + 1)
    pieces = []
    for a, b in zip(edges[:-1], edges[1:]):
        piece = Solver(residual, IVP(a, u0, v0), (a, b), **settings).solve()
        pieces.append(piece)
        end = np.array([b])
        u0 = float(piece(end)[0])
        if v0 is not None:
            v0 = float(piece.derivative(end)[0])
    return MarchedSolution(edges, pieces)
