"""Heatmaps of a hyperparameter grid: eta down the rows, lambda across the columns, one value per cell.

As the lecture's seaborn heatmaps (annotated, viridis), drawn with matplotlib only. Cells
without a value (a diverged run) are drawn hatched grey and labelled, never as a colour.
Accuracies and R^2 use a linear colour scale up to 1 (R^2 from -1: worse cells take the lowest
colour and keep their number); MSE, which spans orders of magnitude, a logarithmic one.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import matplotlib
import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from nnlab.plots import new_figure, save

__all__ = ["heatmap", "save_grid_heatmaps", "format_value"]


def format_value(v: float) -> str:
    """Short label of a grid value: 1e-05, 0.001, 0.1, 1, 10."""
    return f"{v:g}" if 1e-3 <= abs(v) < 1e4 or v == 0 else f"{v:.0e}".replace("e-0", "e-").replace("e+0", "e")


def heatmap(values: np.ndarray, etas: Sequence[float], lambdas: Sequence[float], title: str = "accuracy",
            ax=None, missing_label: str = "diverged", vmin: float = 0.0, vmax: float = 1.0,
            cmap: str = "viridis", log: bool = False, fmt: str = "{:.3f}") -> tuple[Figure, Any]:
    """Draw ``values`` (len(etas), len(lambdas)) as an annotated heatmap on ``ax`` (a new figure if None).

    NaN entries are drawn hatched grey with ``missing_label``; ``log`` colours on a logarithmic
    scale from ``vmin`` > 0; ``fmt`` formats the numbers. Returns (fig, ax).
    """
    values = np.asarray(values, dtype=float)
    if values.shape != (len(etas), len(lambdas)):
        raise ValueError(f"values has shape {values.shape} but there are {len(etas)} etas and {len(lambdas)} lambdas")
    if ax is None:
        size = (1.1 * len(lambdas) + 2.5, 0.85 * len(etas) + 1.8)
        fig, ax = new_figure(figsize=size)
    else:
        fig = ax.figure
    masked = np.ma.masked_invalid(values)
    colormap = matplotlib.colormaps[cmap].with_extremes(bad="#d9d9d9")
    if log:
        image = ax.imshow(masked, cmap=colormap, norm=LogNorm(vmin=vmin, vmax=vmax), aspect="auto")
    else:
        image = ax.imshow(masked, cmap=colormap, vmin=vmin, vmax=vmax, aspect="auto")
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            v = values[i, j]
            if np.isnan(v):
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, hatch="//", edgecolor="#888888",
                                       linewidth=0))
                ax.text(j, i, missing_label, ha="center", va="center", fontsize=7, color="#444444")
            else:
                if log:
                    shade = np.log(np.clip(v, vmin, vmax) / vmin) / np.log(vmax / vmin) if vmax > vmin else 0.5
                else:
                    shade = (v - vmin) / (vmax - vmin) if vmax > vmin else 0.5
                shade = 1.0 - shade if cmap.endswith("_r") else shade  # reversed map: bright at the low end
                ax.text(j, i, fmt.format(v), ha="center", va="center", fontsize=8,
                        color="black" if shade > 0.6 else "white")
    ax.set_xticks(range(len(lambdas)), [format_value(v) for v in lambdas])
    ax.set_yticks(range(len(etas)), [format_value(v) for v in etas])
    ax.set_xlabel(r"$\lambda$ (L2 strength)")
    ax.set_ylabel(r"$\eta$ (learning rate)")
    ax.set_title(title)
    return fig, ax


TITLES = {"train_accuracy": "Training accuracy", "test_accuracy": "Test accuracy", "train_mse": "Training MSE",
          "test_mse": "Test MSE", "train_r2": "Training $R^2$", "test_r2": "Test $R^2$"}


def _scale(which: str, values: np.ndarray) -> dict[str, Any]:
    """Colour scale and number format of one score's heatmap."""
    finite = values[np.isfinite(values)]
    if which.endswith("_mse"):
        positive = finite[finite > 0]
        low, high = (positive.min(), positive.max()) if positive.size else (1e-3, 1.0)
        return dict(vmin=low, vmax=max(high, low * 10), log=True, fmt="{:.2g}", cmap="viridis_r")
    if which.endswith("_r2"):
        low = max(float(finite.min()), -1.0) if finite.size else -1.0
        return dict(vmin=min(low, 0.0), vmax=1.0, fmt="{:.3g}")
    return dict(vmin=0.0, vmax=1.0)


def save_grid_heatmaps(result, output_dir: str | Path, prefix: str = "") -> list[Path]:
    """Write one heatmap per score of a :class:`nnlab.experiments.grid.GridResult`, ``<prefix><score>.png``:
    ``train_accuracy.png``, ``test_accuracy.png`` (classification) or ``train_mse.png``,
    ``test_mse.png``, ``train_r2.png``, ``test_r2.png`` (regression). Returns the paths in that order."""
    output_dir = Path(output_dir)
    paths = []
    for which in result.metrics:
        values = result.matrix(which)
        fig, _ = heatmap(values, result.etas, result.lambdas, title=TITLES[which], **_scale(which, values))
        paths.append(save(fig, output_dir / f"{prefix}{which}.png"))
    return paths
