"""Figures of training runs: learning curves and confusion matrices (grid heatmaps: :mod:`nnlab.plots.grid`)."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
from matplotlib.figure import Figure

from nnlab.plots import new_figure, save

__all__ = ["plot_learning_curves", "plot_confusion_matrix"]


def plot_learning_curves(history, path: str | Path | None = None, title: str | None = None) -> Path | Figure:
    """Loss (left, log scale) and metrics (right) per epoch, training solid and validation dashed.

    ``history`` is a :class:`nnlab.train.History` (or its ``.history`` dict). Returns the figure,
    or the saved path when ``path`` is given.
    """
    logs = history.history if hasattr(history, "history") else dict(history)
    epochs = np.asarray(getattr(history, "epoch", range(len(next(iter(logs.values()), [])))))
    metric_keys = [k for k in logs if k not in ("loss", "lr") and not k.startswith("val_")]
    fig, axes = new_figure(1, 2 if metric_keys else 1, figsize=(10 if metric_keys else 5.5, 4))
    axes = np.atleast_1d(axes)
    ax = axes[0]
    for key, style in (("loss", "-"), ("val_loss", "--")):
        if key in logs:
            ax.plot(epochs + 1, logs[key], style, label=key.replace("_", " "))
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss (mean per sample)")
    values = np.asarray([v for k in ("loss", "val_loss") if k in logs for v in logs[k]], dtype=float)
    if values.size and np.all(values[np.isfinite(values)] > 0):
        ax.set_yscale("log")
    ax.legend()
    ax.grid(alpha=0.3)
    if metric_keys:
        ax = axes[1]
        for key in metric_keys:
            line, = ax.plot(epochs + 1, logs[key], "-", label=f"train {key}")
            if "val_" + key in logs:
                ax.plot(epochs + 1, logs["val_" + key], "--", color=line.get_color(), label=f"validation {key}")
        ax.set_xlabel("epoch")
        ax.set_ylabel(", ".join(metric_keys))
        ax.legend()
        ax.grid(alpha=0.3)
    if title:
        fig.suptitle(title)
    return save(fig, path) if path is not None else fig


def plot_confusion_matrix(cm: np.ndarray, path: str | Path | None = None, class_names: Sequence | None = None,
                          title: str = "Confusion matrix", normalize: bool = False) -> Path | Figure:
    """A heat map of C[i, j] = samples of true class i predicted as j, with the counts written in."""
    cm = np.asarray(cm)
    shown = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1) if normalize else cm
    k = cm.shape[0]
    names = [str(c) for c in (class_names if class_names is not None else range(k))]
    fig, ax = new_figure(figsize=(1.0 + 0.5 * k, 0.8 + 0.5 * k))
    image = ax.imshow(shown, cmap="Blues")
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    ax.set_xticks(range(k), names)
    ax.set_yticks(range(k), names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title)
    threshold = shown.max() / 2 if shown.size else 0
    for i in range(k):
        for j in range(k):
            text = f"{shown[i, j]:.2f}" if normalize else f"{int(cm[i, j])}"
            ax.text(j, i, text, ha="center", va="center", fontsize=8,
                    color="white" if shown[i, j] > threshold else "black")
    return save(fig, path) if path is not None else fig
