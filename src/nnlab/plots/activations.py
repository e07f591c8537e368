"""Figures of activation functions f(z) and their derivatives f'(z)."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
from matplotlib.figure import Figure

from nnlab.plots import new_figure, save

__all__ = ["plot_activation", "plot_activation_grid"]


def _draw(ax, name: str, z: np.ndarray, f: np.ndarray, df: np.ndarray) -> None:
    ax.plot(z, f, label=f"{name}(z)")
    ax.plot(z, df, "--", label=f"{name}'(z)")
    ax.axhline(0, color="grey", lw=0.5)
    ax.axvline(0, color="grey", lw=0.5)
    ax.set_title(name)
    ax.set_xlabel("z")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)


def plot_activation(name: str, z: np.ndarray, f: np.ndarray, df: np.ndarray,
                    path: str | Path | None = None) -> Path | Figure:
    """One activation and its derivative on the grid ``z``."""
    fig, ax = new_figure(figsize=(5, 3.6))
    _draw(ax, name, z, f, df)
    return save(fig, path) if path is not None else fig


def plot_activation_grid(curves: Sequence[tuple[str, np.ndarray, np.ndarray, np.ndarray]],
                         path: str | Path | None = None, columns: int = 4) -> Path | Figure:
    """All activations (name, z, f, f') side by side."""
    rows = -(-len(curves) // columns)
    fig, axes = new_figure(rows, columns, figsize=(3.6 * columns, 3.0 * rows), squeeze=False)
    for ax, (name, z, f, df) in zip(axes.ravel(), curves):
        _draw(ax, name, z, f, df)
    for ax in axes.ravel()[len(curves):]:
        ax.set_visible(False)
    return save(fig, path) if path is not None else fig
