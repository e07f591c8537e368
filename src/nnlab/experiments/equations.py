"""Equations solved by networks, end to end: ``run(EquationConfig) -> Result``.

Used by ``nnlab ode``, ``nnlab pde`` and the report's equation sections. A run solves one shipped
problem (:mod:`nnlab.de.problems`) or finds eigenvalues (:mod:`nnlab.de.eigen`), measures the error
against the exact solution, writes the figures and returns them with the numbers in a
:class:`~nnlab.experiments.result.Result`.
"""
from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from nnlab._threads import blas_threads
from nnlab.experiments.result import Result, Table

__all__ = ["EquationConfig", "run", "settings_for", "QUICK_BUDGET", "EIGEN", "ADAPTIVE", "CAPTIONS"]

#: fraction of a problem's default iterations in a quick run
QUICK_BUDGET = 0.2
#: the eigenvalue problem, beside the problems of nnlab.de.problems
EIGEN = "eigen"
#: adaptive collocation for --adaptive: the 250 worst of 20 000 candidates join the points every 1000 iterations
ADAPTIVE = dict(every=1000, candidates=20_000, add=250, mode="add")

#: what each figure of a Result shows
CAPTIONS = {
    "loss": "loss", "solution": "network and exact solution", "error": "error u_network - u_exact",
    "solution_2d": "network, exact and error over the domain",
    "slices": "slices at t = 0.25, 0.5, 0.75: network and reference, and their difference",
    "diffusion_fd": "network, finite differences (FTCS) and exact solution at an early and a late time",
    "eigen": "Rayleigh quotient per time window against eigh",
}


@dataclass
class EquationConfig:
    """What to solve and how (None: the problem's default setting).

    ``budget`` scales the problem's default iteration counts (``quick`` means QUICK_BUDGET);
    ``points`` is per coordinate for the grids, in total for the random samplers.
    """

    problem: str
    output_dir: Path | None
    quick: bool = False
    budget: float | None = None
    iterations: int | None = None
    lbfgs_iterations: int | None = None
    hidden: tuple[int, ...] | None = None
    collocation: str | None = None
    points: int | None = None
    adaptive: bool = False
    seed: int = 0
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        for name in ("iterations", "lbfgs_iterations"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"--{name.replace('_', '-')} must be >= 0, got {value}")
        if self.iterations == 0 and self.lbfgs_iterations == 0:
            raise ValueError("--iterations and --lbfgs-iterations are both 0, so nothing would be trained; "
                             "give one of them a positive value")
        if self.points is not None and self.points < 1:
            raise ValueError(f"--points must be a positive integer, got {self.points}")
        if self.points == 1:
            raise ValueError("--points must be at least 2 (the equation needs 2 collocation points along each "
                             "coordinate, usually many more), got 1")
        if self.hidden is not None and (not self.hidden or min(self.hidden) < 1):
            raise ValueError(f"--hidden sizes must be positive integers, got {self.hidden}")
        self.output_dir = None if self.output_dir is None else Path(self.output_dir)

    @property
    def fraction(self) -> float:
        return self.budget if self.budget is not None else (QUICK_BUDGET if self.quick else 1.0)


def settings_for(problem, config: EquationConfig) -> dict:
    """Solver settings: the problem's defaults scaled by the budget, then the config's overrides."""
    s = problem.settings
    kw = {}
    if config.fraction != 1.0:
        kw = {"iterations": int(s.get("iterations", 0) * config.fraction),
              "lbfgs_iterations": max(20, int(s.get("lbfgs_iterations", 0) * config.fraction))}
    if config.iterations is not None:
        kw["iterations"] = config.iterations
    if config.lbfgs_iterations is not None:
        kw["lbfgs_iterations"] = config.lbfgs_iterations
    if config.hidden:
        kw["hidden"] = tuple(config.hidden)
    if config.collocation:
        kw["collocation"] = config.collocation
    dim = len(problem.domain)
    collocation = kw.get("collocation", s.get("collocation", "grid"))
    if config.points is not None:
        kw["n_points"] = config.points if dim == 1 or collocation in ("uniform", "latin") else (config.points,) * dim
    if config.adaptive:
        if collocation not in ("uniform", "latin"):
            raise ValueError("--adaptive needs a random collocation (--collocation latin or uniform)")
        kw["adaptive"] = dict(ADAPTIVE)
    kw.update(config.extra)
    kw["seed"] = config.seed
    return kw


def run(config: EquationConfig) -> Result:
    """Solve ``config.problem`` and return the errors, timings and figures.

    Figures by name: 'loss', 'solution' and 'error' (1D) or 'solution_2d', 'slices' (Burgers),
    'diffusion_fd' (diffusion against finite differences), 'eigen'; see :data:`CAPTIONS`.
    """
    if config.output_dir is None:
        raise ValueError("EquationConfig.output_dir is needed: the directory for the figures")
    config.output_dir.mkdir(parents=True, exist_ok=True)
    with blas_threads(1):
        if config.problem == EIGEN:
            return _run_eigen(config)
        return _run_problem(config)


def _title(problem, config: EquationConfig) -> str:
    return problem.description + (" (quick run)" if config.quick else "")


def _run_problem(config: EquationConfig) -> Result:
    from nnlab.de import ConvergenceWarning
    from nnlab.de.problems import get_problem
    from nnlab.plots import de as plots

    problem = get_problem(config.problem)
    out = config.output_dir
    start, cpu = time.perf_counter(), time.process_time()
    with warnings.catch_warnings():  # a ConvergenceWarning is also a line of solution.log, printed below
        warnings.simplefilter("ignore", ConvergenceWarning)
        solution = problem.solve(**settings_for(problem, config))
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    coords = problem.grid()
    network, exact = solution(*coords), problem.exact(*coords)
    error = float(np.max(np.abs(network - exact)))
    numbers = {"max_error": error, "iterations": solution.iterations, "wall_time": wall, "cpu_time": cpu}
    figures = {"loss": plots.plot_loss_history(solution.history, out / "loss_history.png")}
    if len(coords) == 1:
        names = problem.unknowns
        figures["solution"] = plots.plot_solution_1d(
            coords[0], network, exact, out / "solution.png", names, problem.coordinates[0], _title(problem, config))
        figures["error"] = plots.plot_error_1d(coords[0], network, exact, out / "error.png", names,
                                                                   problem.coordinates[0])
    else:
        figures["solution_2d"] = plots.plot_heatmaps_2d(
            coords[0], coords[1], network, exact, out / "solution_2d.png", problem.coordinates,
            title=_title(problem, config))
    headline = f"max error: {error:.3e}"
    lines = []
    tables = []
    if config.problem == "burgers":
        from nnlab.de.burgers import relative_l2

        numbers["relative_l2"] = relative_l2(network, exact)
        headline = f"relative L2 error: {numbers['relative_l2']:.3e}"
        lines.append(f"max error: {error:.3e}")
        figures["slices"] = plots.plot_slices(
            problem, solution, (0.25, 0.5, 0.75), out / "burgers_slices.png", _title(problem, config))
    lines += [f"iterations: {solution.iterations}", f"wall time: {wall:.2f} s (CPU {cpu:.2f} s)"]
    if config.problem == "diffusion":
        comparison = diffusion_comparison(problem, solution, out, quick=config.quick)
        figures["diffusion_fd"] = comparison["file"]
        for label, err in comparison["errors"].items():
            lines.append(f"max error at t = 0.02, 0.5 ({label}): {err:.3e}")
            numbers[f"{label} max error"] = err
        tables.append(Table(["method", "max error at the two times"], [[k, v] for k, v in comparison["errors"].items()],
                            "Diffusion: network against forward-Euler/centred finite differences"))
    lines += [f"note: {line}" for line in solution.log if not line.startswith("iteration ")]
    lines.append(f"figures in: {out}")
    return Result(headline=headline, numbers=numbers, figures=figures, tables=tables, lines=lines, output_dir=out)


def diffusion_comparison(problem, solution, output_dir: Path, times=(0.02, 0.5), quick: bool = False) -> dict:
    """Network vs FTCS at dx = 1/10 and 1/100 vs exact, at an early (curved) and a late (flat) time."""
    from nnlab.de.finite_difference import diffusion_ftcs
    from nnlab.plots import de as plots

    x = np.linspace(0.0, 1.0, 201)
    network = np.stack([solution(x, np.full_like(x, t)) for t in times])
    exact = np.stack([problem.exact(x, np.full_like(x, t)) for t in times])
    initial = problem.conditions[0].initial
    fd, errors = {}, {"network": float(np.max(np.abs(network - exact)))}
    for dx in (0.1, 0.01):
        xf, uf = diffusion_ftcs(lambda s: np.asarray(initial(s)), dx, times)
        label = f"FTCS dx=1/{round(1 / dx)}"
        fd[label] = (xf, uf)
        errors[label] = float(np.max(np.abs(uf - np.stack([problem.exact(xf, np.full_like(xf, t)) for t in times]))))
    title = "diffusion: network, FTCS and exact" + (" (quick run)" if quick else "")
    path = plots.plot_diffusion_comparison(x, times, network, exact, fd, output_dir / "diffusion_fd_comparison.png",
                                           title=title)
    return {"errors": errors, "file": path}


def _run_eigen(config: EquationConfig) -> Result:
    from nnlab.de.eigen import eigen_ode, random_symmetric
    from nnlab.plots import de as plots

    settings = {"lbfgs_iterations": 60} if config.quick else {}
    if config.lbfgs_iterations is not None:
        settings["lbfgs_iterations"] = config.lbfgs_iterations
    if config.hidden:
        settings["hidden"] = tuple(config.hidden)
    A = random_symmetric(6, config.seed)
    w = np.linalg.eigvalsh(A)
    exact = {"largest": float(w[-1]), "smallest": float(w[0])}
    start, cpu = time.perf_counter(), time.process_time()
    results = {which: eigen_ode(A, which, rng=config.seed, **settings) for which in ("largest", "smallest")}
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    rel = {k: abs(results[k].value - exact[k]) / abs(exact[k]) for k in results}
    np.savetxt(config.output_dir / "matrix.txt", A)
    path = plots.plot_eigen_convergence(results, exact, config.output_dir / "eigen_convergence.png")
    lines = [f"{which} eigenvalue: {r.value:.10f} (eigh {exact[which]:.10f}, relative error {rel[which]:.2e}, "
             f"{r.windows} windows)" for which, r in results.items()]
    iterations = sum(r.iterations for r in results.values())
    lines += [f"iterations: {iterations}", f"wall time: {wall:.2f} s (CPU {cpu:.2f} s)",
              f"figures in: {config.output_dir}"]
    numbers = {"max_error": max(rel.values()), "iterations": iterations, "wall_time": wall, "cpu_time": cpu,
               **{f"{k} eigenvalue": r.value for k, r in results.items()}}
    return Result(headline=f"max error: {max(rel.values()):.3e}", numbers=numbers, figures={"eigen": path},
                  lines=lines, output_dir=config.output_dir)
