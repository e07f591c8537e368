"""Figures of convolutional networks: the learned filters and the feature maps of one image."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
from matplotlib.figure import Figure

from nnlab.plots import hide_ticks, new_figure, save

__all__ = ["plot_filters", "plot_feature_maps"]


def plot_filters(weight: np.ndarray, path: str | Path | None = None, title: str | None = None,
                 max_filters: int = 32, max_channels: int = 6) -> Path | Figure:
    """The kernels of a convolution layer as images: one column per filter, one row per input channel.

    ``weight`` has shape (out_channels, in_channels, kh, kw) (``Conv2D.weight``). Each image uses a
    diverging colour map centred on 0 (red positive, blue negative) with one scale for the whole
    figure, so the filters can be compared. Returns the figure, or the saved path when ``path`` is given.
    """
    w = np.asarray(weight.numpy() if hasattr(weight, "numpy") else weight, dtype=float)
    if w.ndim != 4:
        raise ValueError(f"weight must have shape (out_channels, in_channels, kh, kw), got {w.shape}")
    w = w[:max_filters, :max_channels]
    n_out, n_in = w.shape[:2]
    scale = float(np.abs(w).max()) or 1.0
    fig, axes = new_figure(n_in, n_out, figsize=(max(1.1 * n_out, 3), 1.2 * n_in + 0.6), squeeze=False)
    for c in range(n_in):
        for o in range(n_out):
            ax = axes[c, o]
            ax.imshow(w[o, c], cmap="RdBu_r", vmin=-scale, vmax=scale, interpolation="nearest")
            hide_ticks(ax)
            if c == 0:
                ax.set_title(f"{o}", fontsize=8)
            if o == 0 and n_in > 1:
                ax.set_ylabel(f"in {c}", fontsize=8)
    fig.suptitle(title or f"learned {w.shape[2]}x{w.shape[3]} filters (colour scale ±{scale:.2g})", fontsize=10)
    return save(fig, path) if path is not None else fig


def plot_feature_maps(image: np.ndarray, maps: Sequence[tuple[str, np.ndarray]], path: str | Path | None = None,
                      title: str | None = None, max_channels: int = 16) -> Path | Figure:
    """One input image (top row) and, below, the channels of each layer's output for it.

    ``image`` has shape (C, H, W) or (H, W); ``maps`` is a list of (layer name, array of shape
    (channels, h, w)), e.g. from :func:`nnlab.models.cnn.feature_maps`. Returns the figure, or the
    saved path when ``path`` is given.
    """
    img = np.asarray(image, dtype=float)
    img = img[0] if img.ndim == 3 else img
    n_cols = max([min(m.shape[0], max_channels) for _, m in maps] + [1])
    fig, axes = new_figure(len(maps) + 1, n_cols, figsize=(max(1.1 * n_cols, 3), 1.25 * (len(maps) + 1) + 0.4),
                           squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    axes[0, 0].imshow(img, cmap="gray_r", interpolation="nearest")
    axes[0, 0].set_title("input", fontsize=8)
    for row, (name, m) in enumerate(maps, start=1):
        m = np.asarray(m, dtype=float)
        for c in range(min(m.shape[0], max_channels)):
            ax = axes[row, c]
            ax.axis("on")
            ax.imshow(m[c], cmap="viridis", interpolation="nearest")
            hide_ticks(ax)
            if c == 0:
                ax.set_ylabel(name, fontsize=7)
    fig.suptitle(title or "feature maps of one image", fontsize=10)
    return save(fig, path) if path is not None else fig
