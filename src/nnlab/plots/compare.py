"""Accuracy per epoch of several libraries on one plot (``nnlab compare``)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from nnlab.plots import new_figure, save

__all__ = ["plot_epoch_accuracy"]

_COLORS = {"nnlab": "tab:blue", "sklearn": "tab:orange", "torch": "tab:red", "keras": "tab:green"}
_STYLES = ("-", "--", ":", "-.")


def plot_epoch_accuracy(result, path: str | Path | None = None,
                        title: str = "Test accuracy per epoch") -> Path | tuple[Figure, Any]:
    """Curves of test accuracy after each epoch: one colour per library, one line style per network.

    ``result`` is a :class:`nnlab.experiments.compare.CompareResult`. Saves a PNG at ``path``
    when given (and returns the path), else returns (fig, ax).
    """
    fig, ax = new_figure(figsize=(7.5, 4.8))
    networks = list(dict.fromkeys(r.network for r in result.rows))
    for r in result.rows:
        epochs = range(1, len(r.epoch_accuracy) + 1)
        ax.plot(epochs, r.epoch_accuracy, color=_COLORS.get(r.library), linewidth=1.5,
                linestyle=_STYLES[networks.index(r.network) % len(_STYLES)],
                label=f"{r.library} {r.network} ({r.test_accuracy:.3f}, {r.wall_time:.2f} s)")
    ax.set_xlabel("epoch")
    ax.set_ylabel("test accuracy")
    ax.set_ylim(0.0, 1.0)
    ax.grid(alpha=0.3)
    ax.set_title(title)
    if result.rows:
        ax.legend(fontsize=8, loc="lower right")
    if path is None:
        return fig, ax
    return save(fig, path)
