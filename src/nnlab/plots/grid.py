"""Heatmaps of a hyperparameter grid: eta down the rows, lambda across the columns, one value per cell.

As the lecture's seaborn heatmaps (annotated, viridis), drawn with matplotlib only. Cells
without a value (a diverged run) are drawn hatched grey and labelled, never as a colour.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from nnlab.plots import new_figure, save

__all__ = ["heatmap", "save_grid_heatmaps", "format_value"]


def format_value(v: float) -> str:
    """Short label of a grid value: 1e-05, 0.001, 0.1, 1, 10."""
    return f"{v:g}" if 1e-3 <= abs(v) < 1e4 or v == 0 else f"{v:.0e}".replace("e-0", "e-").replace("e+0", "e")


def heatmap(values: np.ndarray, etas: Sequence[float], lambdas: Sequence[float], title: str = "accuracy",
            ax=None, missing_label: str = "diverged", vmin: float = 0.0, vmax: float = 1.0,
            cmap: str = "viridis") -> tuple[Figure, Any]:
    """Draw ``values`` (len(etas), len(lambdas)) as an annotated heatmap on ``ax`` (a new figure if None).

    NaN entries are drawn hatched grey with ``missing_label``. Returns (fig, ax).
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
                shade = (v - vmin) / (vmax - vmin) if vmax > vmin else 0.5
                ax.text(j, i, f"{v:.3f}", ha="center", va="center", fontsize=8,
                        color="black" if shade > 0.6 else "white")
    ax.set_xticks(range(len(lambdas)), [format_value(v) for v in lambdas])
    ax.set_yticks(range(len(etas)), [format_value(v) for v in etas])
    ax.set_xlabel(r"$\lambda$ (L2 strength)")
    ax.set_ylabel(r"$\eta$ (learning rate)")
    ax.set_title(title)
    return fig, ax


def save_grid_heatmaps(result, output_dir: str | Path, prefix: str = "") -> list[Path]:
    """Write ``train_accuracy.png`` and ``test_accuracy.png`` of a :class:`nnlab.experiments.grid.GridResult`."""
    output_dir = Path(output_dir)
    paths = []
    for which, title in (("train_accuracy", "Training accuracy"), ("test_accuracy", "Test accuracy")):
        fig, _ = heatmap(result.matrix(which), result.etas, result.lambdas, title=title)
        paths.append(save(fig, output_dir / f"{prefix}{which}.png"))
    return paths
