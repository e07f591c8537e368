"""Figures. Matplotlib runs headless (Agg); each experiment keeps its plots in its own module here."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def new_figure(*args, **kwargs):
    """A new figure and axes (``plt.subplots`` arguments)."""
    return plt.subplots(*args, **kwargs)


def hide_ticks(ax) -> None:
    """Remove both axes' ticks (image panels)."""
    ax.set_xticks([])
    ax.set_yticks([])


def save(fig, path: str | Path) -> Path:
    """Save ``fig`` as PNG at ``path`` and close it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
