"""Figures of the other network families: recurrent predictions, RBM components and Gibbs chains,
RBF interpolation."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
from matplotlib.figure import Figure

from nnlab.plots import hide_ticks, new_figure, save

__all__ = ["plot_sine_predictions", "plot_rbm_components", "plot_gibbs_chains", "plot_rbf_interpolation"]


def plot_sine_predictions(windows: np.ndarray, targets: np.ndarray, predictions: np.ndarray,
                          path: str | Path | None = None, n_examples: int = 6,
                          title: str | None = None) -> Path | Figure:
    """Input windows (n, T, 1) with the true next value, the network's and the persistence forecast."""
    windows, targets, predictions = (np.asarray(a, dtype=float) for a in (windows, targets, predictions))
    n = min(n_examples, len(windows))
    cols = min(n, 3)
    rows = -(-n // cols)
    fig, axes = new_figure(rows, cols, figsize=(4 * cols, 2.6 * rows), squeeze=False)
    T = windows.shape[1]
    for k, ax in enumerate(axes.ravel()):
        if k >= n:
            ax.axis("off")
            continue
        ax.plot(np.arange(T), windows[k, :, 0], ".-", color="0.5", label="input window")
        ax.plot([T], targets[k, 0], "o", color="k", label="true next value")
        ax.plot([T], predictions[k, 0], "x", color="C3", markersize=9, mew=2, label="network")
        ax.plot([T], windows[k, -1, 0], "s", color="C0", mfc="none", label="persistence")
        ax.grid(alpha=0.3)
        if k == 0:
            ax.legend(fontsize=7, loc="best")
    if title:
        fig.suptitle(title)
    return save(fig, path) if path is not None else fig


def plot_rbm_components(components: np.ndarray, image_shape: tuple[int, int] = (8, 8),
                        path: str | Path | None = None, n_columns: int = 10, title: str | None = None) -> Path | Figure:
    """The weight vector of each hidden unit as an image (components_ of shape (K, h * w))."""
    components = np.asarray(components, dtype=float)
    k = len(components)
    cols = min(k, n_columns)
    rows = -(-k // cols)
    fig, axes = new_figure(rows, cols, figsize=(0.8 * cols + 0.3, 0.8 * rows + 0.5), squeeze=False)
    for j, ax in enumerate(axes.ravel()):
        hide_ticks(ax)
        if j < k:
            w = components[j].reshape(image_shape)
            limit = np.abs(w).max() or 1.0
            ax.imshow(w, cmap="RdBu_r", vmin=-limit, vmax=limit, interpolation="nearest")
        else:
            ax.axis("off")
    if title:
        fig.suptitle(title, fontsize=10)
    return save(fig, path) if path is not None else fig


def plot_gibbs_chains(snapshots: Sequence[tuple[int, np.ndarray]], image_shape: tuple[int, int] = (8, 8),
                      path: str | Path | None = None, title: str | None = None) -> Path | Figure:
    """Gibbs chains: one row per chain, one column per recorded step (step, states (n_chains, h * w))."""
    steps = [s for s, _ in snapshots]
    states = np.stack([np.asarray(v, dtype=float) for _, v in snapshots], axis=1)  # (chains, steps, pixels)
    n_chains, n_steps = states.shape[:2]
    fig, axes = new_figure(n_chains, n_steps, figsize=(0.9 * n_steps + 0.4, 0.9 * n_chains + 0.6), squeeze=False)
    for i in range(n_chains):
        for j in range(n_steps):
            ax = axes[i, j]
            hide_ticks(ax)
            ax.imshow(states[i, j].reshape(image_shape), cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
            if i == 0:
                ax.set_title(f"step {steps[j]}", fontsize=7)
    if title:
        fig.suptitle(title, fontsize=10)
    return save(fig, path) if path is not None else fig


def plot_rbf_interpolation(x: np.ndarray, y: np.ndarray, exact: np.ndarray, network: np.ndarray,
                           centers: np.ndarray | None = None, train_points: np.ndarray | None = None,
                           path: str | Path | None = None, title: str | None = None) -> Path | Figure:
    """Exact surface, the RBF network's and the absolute error on a grid (x, y meshgrid arrays)."""
    error = np.abs(network - exact)
    fig, axes = new_figure(1, 3, figsize=(14, 4.2))
    low, high = min(exact.min(), network.min()), max(exact.max(), network.max())
    for ax, values, name in ((axes[0], exact, "exact"), (axes[1], network, "RBF network")):
        image = ax.pcolormesh(x, y, values, vmin=low, vmax=high, shading="auto", cmap="viridis")
        ax.set_title(name)
        fig.colorbar(image, ax=ax)
    image = axes[2].pcolormesh(x, y, error, shading="auto", cmap="magma")
    axes[2].set_title(f"|error| (max {error.max():.2e})")
    fig.colorbar(image, ax=axes[2])
    if train_points is not None:
        axes[0].plot(train_points[:, 0], train_points[:, 1], ".", color="w", markersize=2, alpha=0.7,
                     label="training points")
        axes[0].legend(fontsize=7, loc="upper right")
    if centers is not None:
        axes[1].plot(centers[:, 0], centers[:, 1], "+", color="r", markersize=5, label="centres")
        axes[1].legend(fontsize=7, loc="upper right")
    for ax in axes:
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        ax.set_aspect("equal")
    if title:
        fig.suptitle(title)
    return save(fig, path) if path is not None else fig
