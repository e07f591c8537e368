"""Collocation points: where the solver asks the residual to vanish.

Each sampler covers a box (an interval in 1D) and returns an array of shape (n_points, dim)
from :meth:`Sampler.sample`. Random samplers draw fresh points on every call (the solver
calls it once per epoch when resampling); deterministic ones return the same points.
Randomness comes from an explicit seed or ``numpy.random.Generator``.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from nnlab.nn.module import as_generator

__all__ = ["Sampler", "Grid", "Uniform", "Chebyshev", "LatinHypercube", "ResidualAdaptive", "SAMPLERS", "get_sampler",
           "as_box"]


def as_box(domain) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper corners, each of shape (dim,), from (a, b) or [(a1, b1), (a2, b2), ...]."""
    try:
        arr = np.asarray(domain, dtype=np.float64)
    except (TypeError, ValueError):
        arr = np.empty(0)  # reported below
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(
            f"domain must be (low, high) or a list of (low, high) pairs, one per coordinate; got {domain!r}"
        )
    if not np.all(np.isfinite(arr)) or np.any(arr[:, 1] <= arr[:, 0]):
        raise ValueError(f"domain needs finite bounds with low < high in every coordinate; got {arr.tolist()}")
    return arr[:, 0].copy(), arr[:, 1].copy()


def _count(n, name: str) -> int:
    """``n`` as an int, checked to be an integer >= 1 (a number of points)."""
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"{name}: the number of points must be a positive integer, got {n!r}")
    if n < 1:
        raise ValueError(f"{name}: n must be positive, got {n}")
    return int(n)


def _per_axis(n, dim: int, name: str) -> tuple[int, ...]:
    counts = (n,) * dim if np.ndim(n) == 0 else tuple(n)
    if any(isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)) for k in counts):
        raise TypeError(f"{name}: the numbers of points must be positive integers, got {n!r}")
    if len(counts) != dim or min(counts) < 1:
        raise ValueError(f"{name}: need a positive count per coordinate ({dim} of them), got {n!r}")
    return counts


def _tensor_grid(axes: Sequence[np.ndarray]) -> np.ndarray:
    mesh = np.meshgrid(*axes, indexing="ij")
    return np.stack([m.ravel() for m in mesh], axis=1)


class Sampler:
    """Base class. ``random`` tells whether successive samples differ (resampling makes sense)."""

    random: bool = False

    def __init__(self, domain):
        self.lower, self.upper = as_box(domain)
        self.dim = self.lower.size

    def sample(self) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _scale(self, unit: np.ndarray) -> np.ndarray:
        """Map points of the unit box to the domain."""
        return self.lower + unit * (self.upper - self.lower)


class Grid(Sampler):
    """Equally spaced points, ``n`` per coordinate (a tensor grid in nD), ends included.

    ``jitter`` > 0 moves every point by up to ``jitter`` grid spacings, at random, on each call
    (points stay inside the box), so the residual is not fitted at the same places only.
    """

    def __init__(self, n, domain=(0.0, 1.0), endpoints: bool = True, jitter: float = 0.0,
                 rng: np.random.Generator | int | None = None):
        super().__init__(domain)
        self.counts = _per_axis(n, self.dim, "Grid")
        if jitter < 0 or jitter > 0.5:
            raise ValueError(f"Grid: jitter is a fraction of the spacing in [0, 0.5], got {jitter}")
        self.endpoints, self.jitter = endpoints, float(jitter)
        self.random = self.jitter > 0
        self.rng = as_generator(rng)
        axes = []
        for k in self.counts:
            if endpoints:
                axes.append(np.linspace(0.0, 1.0, k) if k > 1 else np.array([0.5]))
            else:
                axes.append((np.arange(k) + 0.5) / k)
        self._unit = _tensor_grid(axes)
        self._spacing = np.array([1.0 / max(k - 1 if endpoints else k, 1) for k in self.counts])

    def sample(self) -> np.ndarray:
        unit = self._unit
        if self.jitter:
            unit = np.clip(unit + self.jitter * self._spacing * self.rng.uniform(-1, 1, unit.shape), 0.0, 1.0)
        return self._scale(unit)


class Uniform(Sampler):
    """``n`` points drawn independently and uniformly in the box, fresh on every call."""

    random = True

    def __init__(self, n: int, domain=(0.0, 1.0), rng: np.random.Generator | int | None = None):
        super().__init__(domain)
        self.n, self.rng = _count(n, "Uniform"), as_generator(rng)

    def sample(self) -> np.ndarray:
        return self._scale(self.rng.uniform(0.0, 1.0, (self.n, self.dim)))


class Chebyshev(Sampler):
    """Chebyshev points, ``n`` per coordinate (a tensor grid in nD), clustered towards the ends.

    Gauss points x_k = cos((2k + 1) pi / (2n)), k = 0..n-1 (interior), or with ``endpoints=True``
    the Gauss-Lobatto points cos(k pi / (n - 1)), which include the ends.
    """

    def __init__(self, n, domain=(0.0, 1.0), endpoints: bool = False):
        super().__init__(domain)
        self.counts = _per_axis(n, self.dim, "Chebyshev")
        axes = []
        for k in self.counts:
            if endpoints and k > 1:
                nodes = np.cos(np.pi * np.arange(k) / (k - 1))
            else:
                nodes = np.cos(np.pi * (2 * np.arange(k) + 1) / (2 * k))
            axes.append(np.sort((1.0 - nodes) / 2.0))
        self._points = self._scale(_tensor_grid(axes))

    def sample(self) -> np.ndarray:
        return self._points.copy()


class LatinHypercube(Sampler):
    """Latin-hypercube sample of ``n`` points (McKay et al. 1979), fresh on every call.

    Each coordinate range is cut into ``n`` equal strata and every stratum holds exactly one
    point: point i has coordinate (perm_k(i) + U) / n along axis k, with an independent random
    permutation per axis.
    """

    random = True

    def __init__(self, n: int, domain=(0.0, 1.0), rng: np.random.Generator | int | None = None):
        super().__init__(domain)
        self.n, self.rng = _count(n, "LatinHypercube"), as_generator(rng)

    def sample(self) -> np.ndarray:
        strata = np.stack([self.rng.permutation(self.n) for _ in range(self.dim)], axis=1)
        return self._scale((strata + self.rng.uniform(0.0, 1.0, strata.shape)) / self.n)


class ResidualAdaptive(Sampler):
    """Residual-based adaptive collocation around a base sampler (Lu et al. 2021; Wu et al. 2023).

    The solver calls :meth:`refine` every ``every`` iterations with a function giving the squared
    residual at given points. ``candidates`` points are drawn uniformly in the box and

    - ``mode='add'`` (RAR): the ``add`` candidates with the largest residual join the points;
    - ``mode='resample'`` (RAD): the points are redrawn from the candidates with probability
      p(x) proportional to r(x)^2 / mean(r^2) + 1, so they crowd where the residual is large while
      every region keeps some.

    Until the first refinement, and between refinements, :meth:`sample` returns the same points.

    Parameters
    ----------
    base : Sampler
        The initial points (sampled once).
    every : int
        Iterations between refinements.
    candidates : int
        Candidate points drawn per refinement.
    add : int
        Points added per refinement (mode 'add').
    mode : 'add' or 'resample'
    rng : Generator or int
    """

    random = False  # the points change only in refine()

    def __init__(self, base: Sampler, every: int = 500, candidates: int = 10_000, add: int = 100,
                 mode: str = "add", rng: np.random.Generator | int | None = None):
        if not isinstance(base, Sampler):
            raise TypeError(f"ResidualAdaptive: base must be a Sampler (e.g. LatinHypercube(1000, box)), "
                            f"got {type(base).__name__}")
        super().__init__(np.stack([base.lower, base.upper], axis=1))
        if mode not in ("add", "resample"):
            raise ValueError(f"ResidualAdaptive: mode must be 'add' or 'resample', got {mode!r}")
        self.base, self.mode = base, mode
        self.every = _count(every, "ResidualAdaptive every")
        self.candidates = _count(candidates, "ResidualAdaptive candidates")
        self.add = _count(add, "ResidualAdaptive add")
        self.rng = as_generator(rng)
        self._points: np.ndarray | None = None
        self.refinements = 0

    def sample(self) -> np.ndarray:
        if self._points is None:
            self._points = np.asarray(self.base.sample(), dtype=np.float64)
        return self._points

    def refine(self, squared_residual) -> np.ndarray:
        """New points from ``squared_residual(points (n, d)) -> (n,)``; returns them (also kept for sample())."""
        points = self.sample()
        candidates = self._scale(self.rng.uniform(0.0, 1.0, (self.candidates, self.dim)))
        r2 = np.asarray(squared_residual(candidates), dtype=np.float64).ravel()
        if r2.shape != (self.candidates,) or not np.all(np.isfinite(r2)):
            raise FloatingPointError("ResidualAdaptive: the residual is not finite at the candidate points")
        if self.mode == "add":
            worst = np.argsort(r2)[-self.add:]
            self._points = np.concatenate([points, candidates[worst]])
        else:
            p = r2 / max(float(r2.mean()), 1e-300) + 1.0
            chosen = self.rng.choice(self.candidates, size=min(points.shape[0], self.candidates), replace=False,
                                     p=p / p.sum())
            self._points = candidates[chosen]
        self.refinements += 1
        return self._points


SAMPLERS = {"grid": Grid, "uniform": Uniform, "chebyshev": Chebyshev, "latin": LatinHypercube,
            "latin_hypercube": LatinHypercube}


def get_sampler(name: str | Sampler, n, domain, rng: np.random.Generator | int | None = None) -> Sampler:
    """A sampler by name ('grid', 'uniform', 'chebyshev', 'latin'); a Sampler is returned as it is.

    ``n`` is the number of points per coordinate for the tensor grids ('grid', 'chebyshev') and the
    total number for the random ones.
    """
    if isinstance(name, Sampler):
        return name
    try:
        cls = SAMPLERS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown collocation {name!r}; choose one of {sorted(SAMPLERS)} or pass a Sampler") from None
    if cls in (Uniform, LatinHypercube):
        return cls(n, domain, rng=rng)
    return cls(n, domain)
