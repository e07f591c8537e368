"""The neural equation solver: trial solutions, residuals at collocation points, minimisation.

The unknowns u_j(x) = parameterize_j(N_j(x), x) are trial solutions built from the outputs of
one network (one output per unknown), so the conditions hold exactly. The solver minimises the
mean squared residual of the equations at collocation points,

    C(P) = sum_eq mean_i R_eq(x_i, u(x_i, P), derivatives of u at x_i)^2

(the lecture's cost function, eq. 19, with a mean instead of a sum by default), plus the optional
terms of :mod:`nnlab.de.terms` (observations, penalty conditions), first with a first-order
optimiser (Adam, resampling the points each epoch if wanted) and then with full-batch L-BFGS.
Unknown coefficients of the equation (an inverse problem) are minimised over with the weights.
Derivatives of u with respect to the coordinates come from :func:`diff`: carried forward with the
trial solution where possible (a :class:`nnlab.de.jets.Jet`), by reverse mode otherwise, so the
cost can itself be differentiated by the weights.
"""
from __future__ import annotations

import logging
import time
import warnings
from typing import Any, Callable, Sequence

import numpy as np

from nnlab import ops
from nnlab.de import jets
from nnlab.de.collocation import ResidualAdaptive, Sampler, as_box, get_sampler
from nnlab.de.conditions import Condition, check_conditions
from nnlab.de.jets import ForwardModeUnsupported, Jet, reverse_derivative
from nnlab.de.optimizers import make_optimizer
from nnlab.de.terms import Observations, SoftCondition, as_points
from nnlab.nn import Module
from nnlab.nn.module import as_generator
from nnlab.optim.lbfgs import minimize_lbfgs
from nnlab.tensor import Tensor, grad, is_grad_enabled, no_grad

__all__ = ["diff", "D", "laplacian", "Solver", "Solution", "solve", "ConvergenceWarning"]

logger = logging.getLogger(__name__)

#: a solve whose cost did not fall below this fraction of its first value is reported as not converged
DECREASE_WARNING = 1e-3


class ConvergenceWarning(UserWarning):
    """The solver's cost barely decreased: the returned solution is probably not a solution."""


# --------------------------------------------------------------------------------------------
# Derivatives with respect to the coordinates
# --------------------------------------------------------------------------------------------
def diff(u: Tensor, x: Tensor, order: int = 1) -> Tensor:
    """d^order u / dx^order at each collocation point, as a Tensor that can be differentiated again.

    ``u`` and ``x`` have shape (n, 1) and row i of u depends only on row i of x (true for a
    network applied point by point), so the vector-Jacobian product with ones is the derivative.
    A trial solution evaluated by the solver is a :class:`~nnlab.de.jets.Jet` that carries its
    first and second derivatives (``u.d(x, order)``); any other Tensor is differentiated by reverse mode.
    """
    if order < 0:
        raise ValueError(f"diff: order must be >= 0, got {order}")
    if isinstance(u, Jet):
        return u.d(x, order)
    return reverse_derivative(u, x, order)


def D(u: Tensor, x: Tensor, component: int, order: int = 1) -> Tensor:
    """Partial derivative of u (n, 1) along column ``component`` of a combined input x (n, d)."""
    for _ in range(order):
        if not (isinstance(u, Tensor) and u.requires_grad):
            return Tensor(np.zeros((x.shape[0], 1), dtype=x.dtype))
        (g,) = grad(u, x, grad_outputs=np.ones(u.shape, dtype=u.dtype), create_graph=True, allow_unused=True)
        if g is None:
            return Tensor(np.zeros((x.shape[0], 1), dtype=x.dtype))
        u = g[:, component:component + 1]
    return u


def laplacian(u: Tensor, *coordinates: Tensor) -> Tensor:
    """Sum of the second derivatives of u along each coordinate."""
    total = diff(u, coordinates[0], 2)
    for c in coordinates[1:]:
        total = total + diff(u, c, 2)
    return total


# --------------------------------------------------------------------------------------------
# The trial solutions
# --------------------------------------------------------------------------------------------
class _Trial:
    """u_j = condition_j.parameterize(N(scaled x)[:, j], *x): the trial solutions from one network.

    With ``forward_derivatives`` the trial solutions are Jets that carry their first and second
    derivatives along each coordinate. Where that is impossible (the network, or a condition
    that Taylor arithmetic cannot follow) the reason is kept in ``fallback`` and reverse mode is used.
    """

    def __init__(self, network: Module, conditions: list[Condition], lower: np.ndarray, upper: np.ndarray,
                 scale_inputs: bool, forward_derivatives: bool = True):
        self.network, self.conditions = network, conditions
        self.forward_derivatives, self.fallback = forward_derivatives, None
        if forward_derivatives:
            try:
                jets.check_network(network)
            except ForwardModeUnsupported as exc:
                self._fall_back(exc)
        # The network sees the box mapped onto [-1, 1]^d: better conditioned than raw coordinates.
        self.center = (lower + upper) / 2 if scale_inputs else np.zeros_like(lower)
        self.halfwidth = (upper - lower) / 2 if scale_inputs else np.ones_like(lower)

    def _fall_back(self, exc: ForwardModeUnsupported) -> None:
        self.forward_derivatives = False
        self.fallback = f"derivatives by reverse mode: {exc}"
        logger.info(self.fallback)

    def _network(self, coordinates: Sequence[Tensor], forward: bool):
        x = coordinates[0] if len(coordinates) == 1 else ops.concatenate(list(coordinates), axis=1)
        h = (x - self.center) / self.halfwidth
        out, derivatives = jets.network_taylor(self.network, h, 1.0 / self.halfwidth) if forward else (self.network(h), None)
        m = len(self.conditions)
        if out.ndim != 2 or out.shape[1] != m:
            raise ValueError(
                f"the network returns shape {out.shape} but there are {m} unknown function(s); it must map "
                f"(n, {len(coordinates)}) to (n, {m})"
            )
        return out, derivatives

    def __call__(self, coordinates: Sequence[Tensor]) -> list[Tensor]:
        if self.forward_derivatives and is_grad_enabled() and all(c.requires_grad for c in coordinates):
            try:
                return self._call_forward(coordinates)
            except ForwardModeUnsupported as exc:
                self._fall_back(exc)
        out, _ = self._network(coordinates, forward=False)
        m = len(self.conditions)
        columns = [out] if m == 1 else [out[:, j:j + 1] for j in range(m)]
        return [c.parameterize(n, *coordinates) for c, n in zip(self.conditions, columns)]

    def _call_forward(self, coordinates: Sequence[Tensor]) -> list[Jet]:
        """The trial solutions as Jets, their derivatives carried forward (see nnlab.de.jets)."""
        out, derivatives = self._network(coordinates, forward=True)
        m, d = len(self.conditions), len(coordinates)

        def column(a, j):
            if a is None or m == 1:
                return a
            return a[j:j + 1] if a.ndim == 1 else a[:, j:j + 1]

        points = [jets.Taylor.coordinate(c, k, d) for k, c in enumerate(coordinates)]
        results = []
        for j, condition in enumerate(self.conditions):
            n = jets.Taylor(column(out, j), [[column(a, j), column(b, j)] for a, b in derivatives])
            results.append(condition.parameterize(n, *points).to_jet(coordinates))
        return results


def _as_list(residuals) -> list:
    return list(residuals) if isinstance(residuals, (list, tuple)) else [residuals]


def _coefficient_value(t: Tensor):
    return float(t.data) if t.data.ndim == 0 else t.data.copy()


# --------------------------------------------------------------------------------------------
# Solution
# --------------------------------------------------------------------------------------------
class Solution:
    """A trained trial solution: evaluate it (NumPy in, NumPy out) and its derivatives anywhere.

    Attributes
    ----------
    history : dict
        'loss' (one value per iteration, both phases), 'phase' ('adam', 'lbfgs', ...) per entry, and
        'coefficients': name -> the coefficient's value after each iteration (inverse problems).
    coefficients : dict
        The fitted unknown coefficients (float, or array for a vector), by name.
    iterations : int
        Iterations done (first-order steps plus L-BFGS iterations).
    wall_time : float
        Seconds spent solving.
    log : list of str
        What the run noted: why derivatives were not carried forward, refinements of the points.
    """

    def __init__(self, trial: _Trial, residual: Callable, history: dict, iterations: int, wall_time: float,
                 coefficients: dict | None = None, log: list | None = None):
        self._trial, self.residual_function = trial, residual
        self.network, self.conditions = trial.network, trial.conditions
        self.history, self.iterations, self.wall_time = history, iterations, wall_time
        self._coefficients = coefficients or {}
        self.coefficients = {k: _coefficient_value(v) for k, v in self._coefficients.items()}
        self.log = list(log or [])

    @property
    def n_unknowns(self) -> int:
        return len(self.conditions)

    def _coordinates(self, coordinates, requires_grad: bool):
        n_coords = self.conditions[0].n_coordinates
        if len(coordinates) != n_coords:
            raise ValueError(f"the solution takes {n_coords} coordinate array(s), got {len(coordinates)}")
        arrays = np.broadcast_arrays(*[np.asarray(c, dtype=np.float64) for c in coordinates])
        for a in arrays:
            if not np.all(np.isfinite(a)):
                raise ValueError("coordinates contain NaN or inf; evaluate the solution at finite points")
        shape = arrays[0].shape
        return shape, [Tensor(a.reshape(-1, 1), requires_grad=requires_grad) for a in arrays]

    def _shape_out(self, columns: list[np.ndarray], shape) -> np.ndarray:
        values = [c.reshape(shape) for c in columns]
        return values[0] if len(values) == 1 else np.stack(values)

    def __call__(self, *coordinates) -> np.ndarray:
        """u at the points given by the (broadcast) coordinate arrays: same shape, or (m, ...) for m unknowns."""
        shape, coords = self._coordinates(coordinates, requires_grad=False)
        with no_grad():
            us = self._trial(coords)
        return self._shape_out([u.numpy() for u in us], shape)

    def derivative(self, *coordinates, wrt: int = 0, order: int = 1) -> np.ndarray:
        """d^order u / d(coordinate ``wrt``)^order at the given points (shape as in ``__call__``)."""
        shape, coords = self._coordinates(coordinates, requires_grad=True)
        if not 0 <= wrt < len(coords):
            raise ValueError(f"wrt must index one of the {len(coords)} coordinates, got {wrt}")
        us = self._trial(coords)
        return self._shape_out([diff(u, coords[wrt], order).numpy() for u in us], shape)

    def residual(self, *coordinates) -> np.ndarray:
        """The equations' residuals at the given points: shape as in ``__call__``, (k, ...) for k equations."""
        shape, coords = self._coordinates(coordinates, requires_grad=True)
        rs = _as_list(self.residual_function(*coords, *self._trial(coords), **self._coefficients))
        return self._shape_out([np.broadcast_to(ops._raw(r), (coords[0].shape[0], 1)) for r in rs], shape)


# --------------------------------------------------------------------------------------------
# Solver
# --------------------------------------------------------------------------------------------
class Solver:
    """Solve residual(*coordinates, *unknowns) = 0 with trial solutions that meet the conditions.

    Parameters
    ----------
    residual : callable
        ``residual(x1, ..., xd, u1, ..., um, **coefficients)`` -> Tensor (n, 1), or a list of them for
        systems. Each argument is a Tensor of shape (n, 1); use :func:`diff` for derivatives, e.g.
        ``lambda t, u: diff(u, t) + 2 * u`` for u' = -2u.
    conditions : Condition or list of Conditions
        One per unknown (None for no condition), all for d coordinates.
    domain : (low, high) or list of (low, high)
        The box where the equations hold; one pair per coordinate.
    network : Module, optional
        Maps (n, d) -> (n, m). Default: :func:`nnlab.models.mlp` with ``hidden`` and ``activation``, float64.
    hidden, activation : network shape when ``network`` is None.
    collocation : str or Sampler
        'grid', 'chebyshev', 'uniform' or 'latin' (with ``n_points``: per coordinate for the grids,
        in total for the random ones), or a Sampler (:class:`~nnlab.de.ResidualAdaptive` for
        residual-based adaptive points).
    n_points : int or tuple
        Number of collocation points (see ``collocation``); at least 2 along each coordinate.
    optimizer : str
        First-order optimiser for the first phase ('adam', 'sgd', ...).
    lr : float
        Its learning rate.
    iterations : int
        First-order steps (full batch, one per epoch).
    lbfgs_iterations : int
        L-BFGS iterations after the first phase (0 to skip), on a fixed set of points (refined between
        rounds of ``every`` iterations by an adaptive sampler).
    resample : bool
        Draw new collocation points every epoch in the first phase (random samplers only).
    lbfgs_points : Sampler, optional
        Points for the L-BFGS phase (default: one sample of ``collocation``).
    reduction : 'mean' or 'sum'
        Mean squared residual (default) or the lecture's sum.
    scale_inputs : bool
        Feed the network coordinates mapped onto [-1, 1] (default) instead of the raw ones.
    forward_derivatives : bool
        Carry first and second derivatives along each coordinate forward through a Dense tanh/sigmoid
        network and the trial solution (:mod:`nnlab.de.jets`), so :func:`diff` reads them instead of
        differentiating twice by reverse mode (same values, a smaller graph). Other networks, mixed and
        higher derivatives use reverse mode; the run's ``log`` says when the fast path was not taken.
    coefficients : dict, optional
        Unknown coefficients of the equation (an inverse problem): name -> initial value (a number or
        an array). The residual (and penalty conditions) receive them by name as Tensors, and they are
        minimised over with the weights; fit them to ``observations``.
    observations : Observations or list of them, optional
        Measured values of the unknowns: a data-misfit term each (:class:`~nnlab.de.Observations`).
    soft : SoftCondition or list of them, optional
        Conditions imposed by penalty terms with their own weights (:class:`~nnlab.de.SoftCondition`).
    residual_weight : float
        Weight of the equation's residual term.
    adaptive : dict, optional
        Residual-based adaptive collocation: the points of ``collocation`` refined by a
        :class:`~nnlab.de.ResidualAdaptive` with these settings (``every``, ``add``, ``mode``, ...).
    seed : int or Generator
        Initial weights and random collocation points.
    callback : callable, optional
        ``callback(iteration, loss)`` after every iteration; return True to stop.
    """

    def __init__(self, residual: Callable, conditions, domain, network: Module | None = None,
                 hidden: Sequence[int] = (32, 32), activation: str = "tanh", collocation: str | Sampler = "grid",
                 n_points=64, optimizer: str = "adam", lr: float = 1e-2, iterations: int = 500,
                 lbfgs_iterations: int = 1000, resample: bool = True, lbfgs_points: Sampler | None = None,
                 reduction: str = "mean", scale_inputs: bool = True, forward_derivatives: bool = True,
                 coefficients: dict | None = None, observations=None, soft=None, residual_weight: float = 1.0,
                 adaptive: dict | None = None, seed: np.random.Generator | int | None = 0,
                 callback: Callable | None = None):
        from nnlab.models import mlp

        if not callable(residual):
            raise TypeError(f"residual must be a function of the coordinates and unknowns, got {type(residual).__name__}")
        self.residual = residual
        self.lower, self.upper = as_box(domain)
        dim = self.lower.size
        self.conditions = check_conditions(conditions, dim)
        rng = as_generator(seed)
        self.network = network if network is not None else mlp(dim, hidden, len(self.conditions), activation,
                                                               dtype=np.float64, rng=rng)
        self.sampler = get_sampler(collocation, n_points, np.stack([self.lower, self.upper], axis=1), rng=rng)
        if self.sampler.dim != dim:
            raise ValueError(f"the collocation sampler covers {self.sampler.dim} coordinate(s), the domain {dim}")
        if adaptive is not None:
            if not isinstance(adaptive, dict):
                raise TypeError(f"adaptive must be a dict of ResidualAdaptive settings, e.g. {{'every': 500}}, got "
                                f"{type(adaptive).__name__}")
            self.sampler = ResidualAdaptive(self.sampler, rng=rng, **adaptive)
        self.lbfgs_points = lbfgs_points
        if reduction not in ("mean", "sum"):
            raise ValueError(f"reduction must be 'mean' or 'sum', got {reduction!r}")
        if iterations < 0 or lbfgs_iterations < 0:
            raise ValueError(f"iteration counts must be >= 0, got {iterations} and {lbfgs_iterations}")
        self.optimizer, self.lr, self.iterations = optimizer, float(lr), int(iterations)
        self.lbfgs_iterations, self.resample, self.reduction = int(lbfgs_iterations), resample, reduction
        self.callback = callback
        self.coefficients = self._coefficient_tensors(coefficients)
        self.observations = self._terms(observations, Observations, "observations")
        for i, o in enumerate(self.observations):
            o.points = as_points(o.points, dim, f"observations[{i}]")
            if not 0 <= o.unknown < len(self.conditions):
                raise ValueError(f"observations[{i}]: unknown={o.unknown}, but there are {len(self.conditions)} "
                                 "unknown function(s)")
        self.soft = self._terms(soft, SoftCondition, "soft")
        for i, c in enumerate(self.soft):
            c.points = [as_points(p, dim, f"soft[{i}]") for p in c.points]
        self.residual_weight = float(residual_weight)
        self.trial = _Trial(self.network, self.conditions, self.lower, self.upper, scale_inputs, forward_derivatives)

    @staticmethod
    def _coefficient_tensors(coefficients) -> dict[str, Tensor]:
        if coefficients is None:
            return {}
        if not isinstance(coefficients, dict):
            raise TypeError(f"coefficients must be a dict name -> initial value, e.g. {{'gamma': 1.0}}, got "
                            f"{type(coefficients).__name__}")
        out = {}
        for name, value in coefficients.items():
            a = np.array(value, dtype=np.float64)
            if not np.all(np.isfinite(a)):
                raise ValueError(f"coefficients[{name!r}] must be finite, got {value!r}")
            out[str(name)] = Tensor(a, requires_grad=True)
        return out

    @staticmethod
    def _terms(terms, cls, name: str) -> list:
        if terms is None:
            return []
        terms = [terms] if isinstance(terms, cls) else list(terms)
        for i, t in enumerate(terms):
            if not isinstance(t, cls):
                raise TypeError(f"{name}[{i}] is a {type(t).__name__}; expected {cls.__name__}")
        return terms

    def parameters(self) -> list[Tensor]:
        """What is minimised over: the network's weights, then the unknown coefficients."""
        return [*self.network.parameters(), *self.coefficients.values()]

    # -- the cost ------------------------------------------------------------------------------
    def _unknowns_at(self, points: np.ndarray) -> tuple[list[Tensor], list[Tensor]]:
        coords = [Tensor(points[:, k:k + 1], requires_grad=True) for k in range(points.shape[1])]
        return coords, self.trial(coords)

    def _mean_square(self, r: Tensor) -> Tensor:
        return ops.sum(r * r) if self.reduction == "sum" else ops.mean(r * r)

    def loss(self, points: np.ndarray) -> Tensor:
        """The cost C at the collocation points (n, d), as a Tensor depending on the weights and coefficients."""
        coords, unknowns = self._unknowns_at(points)
        residuals = _as_list(self.residual(*coords, *unknowns, **self.coefficients))
        total = None
        for i, r in enumerate(residuals):
            term = self._mean_square(_checked_residual(r, i, points.shape[0]))
            total = term if total is None else total + term
        if self.residual_weight != 1.0:
            total = self.residual_weight * total
        for o in self.observations:
            _, unknowns = self._unknowns_at(o.points)
            total = total + o.weight * ops.mean((unknowns[o.unknown] - o.values) ** 2)
        for c in self.soft:
            args = []
            for p in c.points:
                coords, unknowns = self._unknowns_at(p)
                args += [*coords, *unknowns]
            r = _checked_residual(c.residual(*args, **self.coefficients), f"of the soft condition {c.name or ''}",
                                  c.points[0].shape[0])
            total = total + c.weight * ops.mean(r * r)
        return total

    def squared_residual(self, points: np.ndarray) -> np.ndarray:
        """sum_eq R_eq^2 at each of the points (n, d), as an array (n,) (what adaptive sampling ranks)."""
        coords, unknowns = self._unknowns_at(points)
        residuals = _as_list(self.residual(*coords, *unknowns, **self.coefficients))
        return sum(np.asarray(ops._raw(r), dtype=np.float64).reshape(-1) ** 2 for r in residuals)

    def _loss_and_grads(self, points: np.ndarray, params: list[Tensor]) -> tuple[float, list[np.ndarray]]:
        # A diverging run overflows; the non-finite cost is then reported with a fix by solve().
        with np.errstate(over="ignore", invalid="ignore"):
            value = self.loss(points)
            if not value.requires_grad:
                return float(value.item()), [np.zeros_like(p.data) for p in params]
            grads = grad(value, params, allow_unused=True)
        return float(value.item()), [np.zeros_like(p.data) if g is None else g.data for p, g in zip(params, grads)]

    def _check_dependence(self, points: np.ndarray, params: list[Tensor]) -> None:
        """Refuse a cost that the network cannot change (a residual that ignores the unknowns)."""
        value = self.loss(points)
        weights = self.network.parameters()
        if not value.requires_grad or all(g is None for g in grad(value, weights, allow_unused=True)):
            raise ValueError("the residual does not depend on the unknown functions (the network cannot change it); "
                             "write it with the unknowns, e.g. lambda t, u: diff(u, t) + u, not with constants or "
                             "the coordinates alone")

    @staticmethod
    def _check_points(points: np.ndarray) -> None:
        for k in range(points.shape[1]):
            distinct = np.unique(points[:, k]).size
            if distinct < 2:
                raise ValueError(f"the collocation points take {distinct} value(s) of coordinate {k}; the equation "
                                 "needs at least 2 along each coordinate (and usually many more): raise n_points")

    # -- the minimisation -----------------------------------------------------------------------
    def solve(self) -> Solution:
        """Train and return the :class:`Solution` (the history holds the cost per iteration)."""
        params = self.parameters()
        history: dict[str, Any] = {"loss": [], "phase": [], "coefficients": {k: [] for k in self.coefficients}}
        log: list[str] = []
        start = time.perf_counter()
        done = 0
        adaptive = self.sampler if isinstance(self.sampler, ResidualAdaptive) else None

        def record(loss: float, phase: str) -> bool:
            nonlocal done
            if not np.isfinite(loss):
                raise self._diverged(loss, done)
            history["loss"].append(loss)
            history["phase"].append(phase)
            for name, t in self.coefficients.items():
                history["coefficients"][name].append(_coefficient_value(t))
            done += 1
            return bool(self.callback(done, loss)) if self.callback is not None else False

        def refine() -> np.ndarray:
            points = adaptive.refine(self.squared_residual)
            log.append(f"iteration {done}: adaptive refinement {adaptive.refinements}, {points.shape[0]} points")
            return points

        points = self.sampler.sample()
        self._check_points(points)
        self._check_dependence(points, params)
        stopped = False
        if self.iterations:
            opt = make_optimizer(self.optimizer, params, lr=self.lr)
            for k in range(self.iterations):
                if adaptive is not None and k and k % adaptive.every == 0:
                    points = refine()
                elif self.resample and self.sampler.random and k:
                    points = self.sampler.sample()
                value, grads = self._loss_and_grads(points, params)
                for p, g in zip(params, grads):
                    p.grad = g
                opt.step()
                if record(value, self.optimizer):
                    stopped = True
                    break
        remaining = self.lbfgs_iterations if not stopped else 0
        if remaining:
            points = self.sampler.sample() if adaptive is not None else (self.lbfgs_points or self.sampler).sample()
        while remaining > 0:
            chunk = min(remaining, adaptive.every) if adaptive is not None else remaining
            before = done
            result = self._lbfgs(points, params, chunk, record, done)
            remaining -= chunk
            if result.stopped or done == before:
                break
            if adaptive is not None and remaining > 0:
                points = refine()
        for p in params:
            p.grad = None
        if self.trial.fallback:
            log.insert(0, self.trial.fallback)
        if not history["loss"]:
            warnings.warn("the solver ran no iteration (iterations=0 and lbfgs_iterations=0)", stacklevel=2)
        elif history["loss"][-1] > DECREASE_WARNING * history["loss"][0]:
            message = (f"the cost fell only from {history['loss'][0]:.3g} to {history['loss'][-1]:.3g} (less than a "
                       f"factor {1 / DECREASE_WARNING:.0f}): the result is probably not a solution; lower the learning "
                       "rate, train longer, use more collocation points or split the domain")
            log.append(message)
            warnings.warn(message, ConvergenceWarning, stacklevel=2)
        return Solution(self.trial, self.residual, history, done, time.perf_counter() - start, self.coefficients, log)

    def _lbfgs(self, points: np.ndarray, params: list[Tensor], iterations: int, record: Callable, done: int):
        """One L-BFGS run of at most ``iterations`` on fixed points."""
        first = [True]

        def cost():
            value, grads = self._loss_and_grads(points, params)
            if first[0] and not np.isfinite(value):  # L-BFGS would stop silently at a non-finite start
                raise self._diverged(value, done)
            first[0] = False
            return value, grads

        return minimize_lbfgs(cost, params, max_iter=iterations, tol=1e-300, ftol=1e-300, memory=50,
                              callback=lambda loss: record(loss, "lbfgs"))

    def _diverged(self, loss: float, done: int) -> FloatingPointError:
        """The error for a non-finite cost after ``done`` iterations (0: at the initial weights)."""
        if done == 0:
            return FloatingPointError(
                f"the cost is {loss} at the initial weights, before any update: the residual gives NaN or inf at "
                "the collocation points; check it for divisions by zero, logarithms or square roots of negative "
                "numbers and NaN constants")
        return FloatingPointError(f"the cost became {loss} at iteration {done}; lower the learning rate "
                                  f"(lr={self.lr}) or scale the problem")


def _checked_residual(r: Any, index: int, n: int) -> Tensor:
    """Residual ``index`` as a Tensor of shape (n, 1) or (n,); constants are broadcast to (n, 1)."""
    fix = "build it elementwise from the coordinates and unknowns, e.g. lambda t, u: diff(u, t) + u"
    if not isinstance(r, Tensor):
        try:
            if r is None or isinstance(r, (bool, np.bool_, str, bytes)):
                raise TypeError
            a = np.asarray(r, dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError(f"residual {index} must be a Tensor of shape ({n}, 1), got {type(r).__name__}; "
                            f"{fix}") from None
        if a.ndim == 0:  # a constant residual
            return Tensor(np.full((n, 1), float(a)))
        r = Tensor(a)
    if tuple(r.shape) not in ((n, 1), (n,)):
        raise ValueError(f"residual {index} has shape {tuple(r.shape)} but must have one value per collocation "
                         f"point, shape ({n}, 1); {fix} (do not sum or average it)")
    return r


def solve(residual: Callable, conditions, domain, **kwargs) -> Solution:
    """Shorthand for ``Solver(residual, conditions, domain, **kwargs).solve()``."""
    return Solver(residual, conditions, domain, **kwargs).solve()
