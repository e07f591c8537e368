"""Figures for the equation solvers: solution vs exact, error, loss history, 2D heat maps, FD comparison."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from nnlab.plots import new_figure, save

__all__ = ["plot_solution_1d", "plot_error_1d", "plot_loss_history", "plot_heatmaps_2d",
           "plot_diffusion_comparison", "plot_eigen_convergence", "plot_slices"]


def _rows(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values)
    return values[None] if values.ndim == 1 else values


def _positive(errors: np.ndarray) -> np.ndarray:
    """Errors for a log axis: boundary values held exactly (errors at rounding level, below 1e-14 of the
    largest error or 1e-15) become NaN, i.e. not drawn."""
    errors = np.abs(np.asarray(errors, dtype=np.float64))
    floor = max(1e-15, 1e-14 * float(np.nanmax(errors, initial=0.0)))
    return np.where(errors > floor, errors, np.nan)


def _error_limits(ax, *errors: np.ndarray) -> None:
    """Log-axis limits from the data's meaningful range: a few points near exact boundary values
    (errors of 1e-16 and below) would otherwise stretch the axis over ten decades of nothing."""
    values = np.concatenate([np.ravel(e) for e in errors])
    values = values[np.isfinite(values) & (values > 0)]
    if values.size == 0:
        return
    top = values.max()
    bottom = max(np.percentile(values, 5), top * 1e-10)
    ax.set_ylim(bottom / 3, top * 3)


def plot_solution_1d(x: np.ndarray, network: np.ndarray, exact: np.ndarray, path: str | Path,
                     names: Sequence[str] = ("u",), xlabel: str = "t", title: str = "") -> Path:
    """Network solution(s) (solid) against the exact one(s) (dashed); arrays (n,) or (m, n)."""
    fig, ax = new_figure(figsize=(6, 4))
    for name, u, e in zip(names, _rows(network), _rows(exact)):
        ax.plot(x, u, label=f"{name} network")
        ax.plot(x, e, "--", color="black", alpha=0.6, label=f"{name} exact")
    ax.set_xlabel(xlabel)
    ax.set_title(title or "network vs exact solution")
    ax.legend()
    return save(fig, path)


def plot_error_1d(x: np.ndarray, network: np.ndarray, exact: np.ndarray, path: str | Path,
                  names: Sequence[str] = ("u",), xlabel: str = "t") -> Path:
    """|network - exact| on a log scale."""
    fig, ax = new_figure(figsize=(6, 4))
    errors = [_positive(u - e) for u, e in zip(_rows(network), _rows(exact))]
    for name, err in zip(names, errors):
        ax.semilogy(x, err, label=name)
    _error_limits(ax, *errors)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("absolute error")
    ax.set_title("error of the network solution")
    ax.legend()
    return save(fig, path)


def plot_loss_history(history: dict, path: str | Path) -> Path:
    """The cost per iteration, coloured by optimiser phase."""
    loss = np.asarray(history["loss"])
    phases = history.get("phase", ["train"] * loss.size)
    fig, ax = new_figure(figsize=(6, 4))
    start = 0
    while start < loss.size:
        end = start
        while end < loss.size and phases[end] == phases[start]:
            end += 1
        ax.semilogy(np.arange(start + 1, end + 1), loss[start:end], label=phases[start])
        start = end
    ax.set_xlabel("iteration")
    ax.set_ylabel("cost (mean squared residual)")
    ax.set_title("loss history")
    ax.legend()
    return save(fig, path)


def plot_heatmaps_2d(X: np.ndarray, Y: np.ndarray, network: np.ndarray, exact: np.ndarray, path: str | Path,
                     labels: Sequence[str] = ("x", "y"), title: str = "") -> Path:
    """Three heat maps: network solution, exact solution, absolute error."""
    fig, axes = new_figure(1, 3, figsize=(13, 3.8))
    extent = (X.min(), X.max(), Y.min(), Y.max())
    for ax, values, name in zip(axes, (network, exact, np.abs(network - exact)),
                                ("network", "exact", "absolute error")):
        im = ax.imshow(values.T, origin="lower", extent=extent, aspect="auto", cmap="viridis")
        ax.set_xlabel(labels[0])
        ax.set_ylabel(labels[1])
        ax.set_title(name)
        fig.colorbar(im, ax=ax)
    if title:
        fig.suptitle(title)
    return save(fig, path)


def plot_diffusion_comparison(x: np.ndarray, times: Sequence[float], network: np.ndarray, exact: np.ndarray,
                              fd: dict, path: str | Path, title: str = "") -> Path:
    """Profiles at each time: network, finite differences ({label: (x_fd, u_fd)}), exact; errors below."""
    fig, axes = new_figure(2, len(times), figsize=(5 * len(times), 7))
    axes = np.asarray(axes).reshape(2, len(times))
    for k, t in enumerate(times):
        top, bottom = axes[0, k], axes[1, k]
        top.plot(x, exact[k], "k-", lw=2, alpha=0.4, label="exact")
        top.plot(x, network[k], "-", label="network")
        for label, (xf, uf) in fd.items():
            top.plot(xf, uf[k], "o--" if xf.size < 30 else ":", ms=3, label=label)
        top.set_title(f"t = {t:g}")
        top.set_xlabel("x")
        top.legend()
        errors = [_positive(network[k] - exact[k])]
        bottom.semilogy(x, errors[0], label="network")
        for label, (xf, uf) in fd.items():
            errors.append(_positive(uf[k] - np.interp(xf, x, exact[k])))
            bottom.semilogy(xf, errors[-1], "o--" if xf.size < 30 else ":", ms=3, label=label)
        _error_limits(bottom, *errors)
        bottom.set_xlabel("x")
        bottom.set_ylabel("absolute error (boundary values are exact)")
        bottom.legend()
    if title:
        fig.suptitle(title)
    return save(fig, path)


def plot_eigen_convergence(results: dict, exact: dict, path: str | Path) -> Path:
    """Rayleigh quotient after each time window against numpy.linalg.eigh's eigenvalue."""
    fig, ax = new_figure(figsize=(6, 4))
    for label, result in results.items():
        err = np.abs(np.asarray(result.history) - exact[label]) / abs(exact[label])
        ax.semilogy(np.arange(1, err.size + 1), np.maximum(err, 1e-16), "o-", label=label)
    ax.set_xlabel("time window")
    ax.set_ylabel("relative error of the eigenvalue")
    ax.set_title("Yi et al. flow solved by networks")
    ax.legend()
    return save(fig, path)


def plot_slices(problem, solution, times: Sequence[float], path: str | Path, title: str = "") -> Path:
    """A 1D-in-space problem: solution and reference against x at a few times (top), their difference (bottom)."""
    (x0, x1), _ = problem.domain
    x = np.linspace(x0, x1, 401)
    fig, axes = new_figure(2, len(times), figsize=(4.5 * len(times), 6.5))
    axes = np.asarray(axes).reshape(2, len(times))
    for k, t in enumerate(times):
        u, ref = solution(x, np.full_like(x, t)), problem.exact(x, np.full_like(x, t))
        top, bottom = axes[0, k], axes[1, k]
        top.plot(x, ref, "k-", lw=3, alpha=0.3, label="reference")
        top.plot(x, u, "r--", lw=1.2, label="network")
        top.set_title(f"t = {t:g}")
        top.set_xlabel(problem.coordinates[0])
        top.legend()
        bottom.plot(x, u - ref)
        bottom.set_xlabel(problem.coordinates[0])
        bottom.set_ylabel("network - reference")
    if title:
        fig.suptitle(title)
    return save(fig, path)
