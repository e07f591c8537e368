"""Figures of the guide and the report: decision regions of small classifiers, grids of images."""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence

import numpy as np
from matplotlib.figure import Figure

from nnlab.plots import hide_ticks, new_figure, save

__all__ = ["plot_decision_regions", "plot_image_grid"]


def plot_decision_regions(predictors: Sequence[Callable[[np.ndarray], np.ndarray]], X: np.ndarray,
                          y: np.ndarray | Sequence[np.ndarray], titles: Sequence[str],
                          path: str | Path | None = None, resolution: int = 200) -> Path | Figure:
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
                    n_columns: int = 10, cmap: str = "gray_r", labels: Sequence | None = None) -> Path | Figure:
    """Images (n, h, w) in a grid of ``n_columns`` columns, each on its own colour scale."""
    images = np.asarray(images, dtype=float)
    n = len(images)
    rows = max(1, -(-n // n_columns))
    cols = min(n, n_columns)
    fig, axes = new_figure(rows, cols, figsize=(0.9 * cols + 0.3, 0.9 * rows + (0.5 if title else 0.2)),
                           squeeze=False)
    for k, ax in enumerate(axes.ravel()):
        hide_ticks(ax)
        if k < n:
            ax.imshow(images[k], cmap=cmap, interpolation="nearest")
            if labels is not None:
                ax.set_title(str(labels[k]), fontsize=7)
        else:
            ax.axis("off")
    if title:
        fig.suptitle(title, fontsize=10)
    return save(fig, path) if path is not None else fig

