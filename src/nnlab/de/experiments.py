"""Run a shipped problem end to end: solve, measure the error, write the figures (used by the CLI)."""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from nnlab.de.eigen import eigen_ode, random_symmetric
from nnlab.de.finite_difference import diffusion_ftcs
from nnlab.de.problems import Problem

__all__ = ["run_problem", "diffusion_comparison", "run_eigen", "quick_settings"]


def quick_settings(problem: Problem) -> dict:
    """A short run: a fifth of the default iterations."""
    s = problem.settings
    return {"iterations": s.get("iterations", 0) // 5, "lbfgs_iterations": max(20, s.get("lbfgs_iterations", 0) // 5)}


def run_problem(problem: Problem, output_dir: Path, **overrides) -> dict:
    """Solve ``problem``, write solution/error/loss figures into ``output_dir``; returns the figures measured."""
    from nnlab.plots import de as plots

    start = time.perf_counter()
    solution = problem.solve(**overrides)
    wall = time.perf_counter() - start
    error = problem.max_error(solution)
    coords = problem.grid()
    network, exact = solution(*coords), problem.exact(*coords)
    files = [plots.plot_loss_history(solution.history, output_dir / "loss_history.png")]
    if len(coords) == 1:
        names = problem.unknowns
        files.append(plots.plot_solution_1d(coords[0], network, exact, output_dir / "solution.png", names,
                                            problem.coordinates[0], problem.description))
        files.append(plots.plot_error_1d(coords[0], network, exact, output_dir / "error.png", names,
                                         problem.coordinates[0]))
    else:
        files.append(plots.plot_heatmaps_2d(coords[0], coords[1], network, exact, output_dir / "solution_2d.png",
                                            problem.coordinates))
    return {"max_error": error, "iterations": solution.iterations, "wall_time": wall, "files": files,
            "solution": solution}


def diffusion_comparison(problem: Problem, solution, output_dir: Path, times=(0.02, 0.5)) -> dict:
    """Network vs FTCS at dx = 1/10 and 1/100 vs exact, at an early (curved) and a late (flat) time."""
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
    path = plots.plot_diffusion_comparison(x, times, network, exact, fd, output_dir / "diffusion_fd_comparison.png")
    return {"errors": errors, "file": path}


def run_eigen(output_dir: Path, n: int = 6, seed: int = 0, **settings) -> dict:
    """Largest and smallest eigenvalue of a random symmetric matrix from the Yi et al. flow vs eigh."""
    from nnlab.plots import de as plots

    A = random_symmetric(n, seed)
    w = np.linalg.eigvalsh(A)
    exact = {"largest": float(w[-1]), "smallest": float(w[0])}
    start = time.perf_counter()
    results = {which: eigen_ode(A, which, rng=seed, **settings) for which in ("largest", "smallest")}
    wall = time.perf_counter() - start
    rel = {k: abs(results[k].value - exact[k]) / abs(exact[k]) for k in results}
    np.savetxt(output_dir / "matrix.txt", A)
    path = plots.plot_eigen_convergence(results, exact, output_dir / "eigen_convergence.png")
    return {"results": results, "exact": exact, "relative_errors": rel, "max_error": max(rel.values()),
            "iterations": sum(r.iterations for r in results.values()), "wall_time": wall, "files": [path]}
