"""Figures of the guide and the report: activation functions with their derivatives, decision
regions of small classifiers, grids of images (digits, RBM samples and components)."""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from nnlab.plots import new_figure, save

__all__ = ["activation_curves", "plot_activations", "plot_decision_regions", "plot_image_grid", "plot_epoch_accuracy"]


def activation_curves(names: Sequence[str], z: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """f(z) and f'(z) for each activation in ``names``, the derivative taken by nnlab's engine.

    Each f is applied to a Tensor z and ``nnlab.grad(sum f(z), z)`` gives f'(z) elementwise (f acts
    elementwise, so d/dz_i sum_j f(z_j) = f'(z_i)): the derivative rule written beside each op in
    :mod:`nnlab.ops`, not a finite difference.
    """
    import nnlab
    from nnlab.nn.activations import get_activation

    curves = {}
    for name in names:
        x = nnlab.Tensor(np.asarray(z, dtype=np.float64), requires_grad=True)
        y = get_activation(name)(x)
        (dy,) = nnlab.grad(nnlab.sum(y), x, allow_unused=True)
        derivative = np.zeros_like(x.data) if dy is None else np.asarray(dy.data)
        curves[name] = (np.asarray(y.data), derivative)
    return curves


def plot_activations(names: Sequence[str], path: str | Path | None = None, z: np.ndarray | None = None):
    """Each activation (left) and its derivative (right) on z in [-5, 5]."""
    z = np.linspace(-5.0, 5.0, 401) if z is None else np.asarray(z, dtype=float)
    curves = activation_curves(names, z)
    fig, (left, right) = new_figure(1, 2, figsize=(9, 3.6))
    for name, (f, df) in curves.items():
        line, = left.plot(z, f, label=name)
        right.plot(z, df, color=line.get_color(), label=name)
    left.set_title("activation f(z)")
    right.set_title("derivative f'(z) (from nnlab.grad)")
    for ax in (left, right):
        ax.set_xlabel("z")
        ax.grid(alpha=0.3)
        ax.axhline(0, color="black", lw=0.6)
    left.set_ylim(-1.5, 3)
    right.set_ylim(-0.1, 1.2)
    left.legend(fontsize=8)
    return save(fig, path) if path is not None else fig


def plot_decision_regions(predictors: Sequence[Callable[[np.ndarray], np.ndarray]], X: np.ndarray,
                          y: np.ndarray | Sequence[np.ndarray], titles: Sequence[str],
                          path: str | Path | None = None, resolution: int = 200):
    """Side by side, the class (0 or 1) each predictor assigns over the plane, with the points on top.

    Each predictor maps an array (n, 2) to labels (n,); ``y`` holds the labels of the points X, one
    array for all panels or one per panel.
    """
    X = np.asarray(X, dtype=float)
    targets = [np.asarray(t) for t in y] if isinstance(y, (list, tuple)) else [np.asarray(y)] * len(predictors)
    pad = 0.5
    xs = np.linspace(X[:, 0].min() - pad, X[:, 0].max() + pad, resolution)
    ys = np.linspace(X[:, 1].min() - pad, X[:, 1].max() + pad, resolution)
    gx, gy = np.meshgrid(xs, ys)
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    fig, axes = new_figure(1, len(predictors), figsize=(3.3 * len(predictors), 3.3), squeeze=False)
    for ax, predict, y, title in zip(axes[0], predictors, targets, titles):
        regions = np.asarray(predict(grid)).reshape(gx.shape)
        ax.contourf(gx, gy, regions, levels=[-0.5, 0.5, 1.5], colors=["#bbdefb", "#ffcdd2"])
        for label, marker, colour in ((0, "o", "#1565c0"), (1, "s", "#c62828")):
            pts = X[y == label]
            ax.scatter(pts[:, 0], pts[:, 1], marker=marker, c=colour, s=60, edgecolors="black", label=f"t = {label}")
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$")
    axes[0, 0].legend(fontsize=7, loc="center")
    return save(fig, path) if path is not None else fig


def plot_image_grid(images: np.ndarray, path: str | Path | None = None, title: str = "",
                    n_columns: int = 10, cmap: str = "gray_r", labels: Sequence | None = None):
    """Images (n, h, w) in a grid of ``n_columns`` columns, each on its own colour scale."""
    images = np.asarray(images, dtype=float)
    n = len(images)
    rows = max(1, -(-n // n_columns))
    cols = min(n, n_columns)
    fig, axes = new_figure(rows, cols, figsize=(0.9 * cols + 0.3, 0.9 * rows + (0.5 if title else 0.2)),
                           squeeze=False)
    for k, ax in enumerate(axes.ravel()):
        ax.set_xticks([])
        ax.set_yticks([])
        if k < n:
            ax.imshow(images[k], cmap=cmap, interpolation="nearest")
            if labels is not None:
                ax.set_title(str(labels[k]), fontsize=7)
        else:
            ax.axis("off")
    if title:
        fig.suptitle(title, fontsize=10)
    return save(fig, path) if path is not None else fig


def plot_epoch_accuracy(rows: Sequence, path: str | Path | None = None, title: str = "Test accuracy per epoch"):
    """Test accuracy after each epoch, one line per (library, network) row, one panel per network.

    ``rows`` are objects with ``library``, ``network`` and ``epoch_accuracy`` (e.g.
    :class:`nnlab.experiments.compare.CompareRow`).
    """
    networks = list(dict.fromkeys(r.network for r in rows))
    fig, axes = new_figure(1, max(1, len(networks)), figsize=(4.6 * max(1, len(networks)), 3.6), squeeze=False)
    for ax, network in zip(axes[0], networks):
        for r in rows:
            if r.network == network:
                ax.plot(np.arange(1, len(r.epoch_accuracy) + 1), r.epoch_accuracy, marker=".", label=r.library)
        ax.set_title(network, fontsize=10)
        ax.set_xlabel("epoch")
        ax.set_ylabel("test accuracy")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(title, fontsize=10)
    return save(fig, path) if path is not None else fig
