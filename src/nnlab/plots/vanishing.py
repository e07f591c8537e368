"""Figures of the vanishing/exploding-gradient study (:mod:`nnlab.experiments.vanishing`).

One panel per activation, one line per initialisation: gradient norms per layer (log scale,
after the first epoch, dashed before training), activation spread and saturated/dead fractions
per layer, learning curves; and, per activation, the histograms of every hidden layer's output
before and after training (Glorot and Bengio 2010, figures 3-6).
"""
from __future__ import annotations

import math
from pathlib import Path

import matplotlib
import numpy as np

from nnlab.plots import hide_ticks, new_figure, save

__all__ = ["plot_gradient_norms", "plot_layer_statistic", "plot_activation_histograms", "plot_learning_curves",
           "save_vanishing_figures"]

_INIT_LABELS = {"normal": "N(0, 1) (lecture)", "glorot_uniform": "Glorot uniform", "glorot_normal": "Glorot normal",
                "he_normal": "He normal", "he_uniform": "He uniform", "lecun_normal": "LeCun normal"}


def _label(init: str) -> str:
    return _INIT_LABELS.get(init, init)


def _grid(n: int):
    """A grid of panels for ``n`` activations with at least one cell to spare for the legend:
    (figure, the n axes in reading order, the legend's axes)."""
    columns = 2 if n == 3 else min(3, n + 1)
    rows = math.ceil((n + 1) / columns)
    fig, axes = new_figure(rows, columns, figsize=(4.3 * columns, 3.4 * rows), squeeze=False)
    cells = [ax for row in axes for ax in row]
    for ax in cells[n + 1:]:
        ax.set_visible(False)
    legend_ax = cells[n]
    legend_ax.axis("off")
    return fig, cells[:n], legend_ax


def _legend(panels, legend_ax) -> None:
    """One legend for all panels, in its own cell so that it covers no data."""
    entries: dict[str, object] = {}
    for ax in panels:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            entries.setdefault(label, handle)
    if entries:
        legend_ax.legend(list(entries.values()), list(entries), loc="center", fontsize=9, frameon=False,
                         title="initialisation")


def _study_note(result) -> str:
    """What run the figure shows, with 'quick run' when it is shorter than the full study."""
    s = result.settings
    note = f"{s.get('depth', '?')} hidden layers of {s.get('width', '?')} units, {s.get('epochs', '?')} epochs"
    if s.get("quick"):
        return f"quick run ({note}; the full study trains {s.get('full_epochs', '?')} epochs)"
    return note


def _colors(result) -> dict[str, str]:
    cycle = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
    return {init: cycle[k % len(cycle)] for k, init in enumerate(result.inits)}


def _row(case, statistic: str, epoch: float) -> np.ndarray:
    if epoch not in case.measured_at:
        return np.full(len(case.layers), math.nan)
    return np.asarray(getattr(case, statistic)[case.measured_at.index(epoch)], dtype=float)


def _positive(values: np.ndarray) -> np.ndarray:
    """Values for a log axis: zeros and non-finite values become NaN (gaps in the line)."""
    values = np.array(values, dtype=float)
    values[~(np.isfinite(values) & (values > 0))] = math.nan
    return values


def plot_layer_statistic(result, statistic: str, path: str | Path, epochs: tuple[float, ...] = (0.0,),
                         ylabel: str | None = None, log: bool = True, hidden_only: bool = False,
                         title: str | None = None, activations: list[str] | None = None) -> Path:
    """``statistic`` per layer (x: layer 1 = first hidden layer ... L = output), one panel per activation.

    The first entry of ``epochs`` is drawn solid, the others dashed and lighter. ``activations``
    limits the panels (default: every activation of the study).
    """
    colors = _colors(result)
    activations = result.activations if activations is None else list(activations)
    if not activations:
        raise ValueError(f"no activation to plot {statistic!r} for; the study ran {result.activations}")
    fig, panels, legend_ax = _grid(len(activations))
    for ax, activation in zip(panels, activations):
        for init in result.inits:
            try:
                case = result.case(activation, init)
            except KeyError:
                continue
            for k, epoch in enumerate(epochs):
                values = _row(case, statistic, epoch)
                if hidden_only:
                    values = values[:-1]
                values = _positive(values) if log else values
                x = np.arange(1, len(values) + 1)
                label = _label(init) if k == 0 else None
                ax.plot(x, values, marker="o", markersize=3, color=colors[init], label=label,
                        linestyle="-" if k == 0 else "--", alpha=1.0 if k == 0 else 0.45)
            if case.status != "ok" and epochs[0] > (case.diverged_epoch or 0):
                ax.plot([], [], color=colors[init], linestyle=":", label=f"{_label(init)}: diverged")
        if log:
            ax.set_yscale("log")
        ax.set_title(activation, fontsize=12)
        ax.set_xlabel("layer (1 = input side)")
        ax.set_ylabel(ylabel or statistic)
        ax.grid(True, alpha=0.3)
    _legend(panels, legend_ax)
    fig.suptitle(f"{title}\n{_study_note(result)}" if title else _study_note(result), fontsize=12)
    return save(fig, path)


def plot_gradient_norms(result, path: str | Path) -> Path:
    """||dC/dtheta_l|| per layer after the first epoch (solid) and before training (dashed)."""
    return plot_layer_statistic(
        result, "grad_norm", path, epochs=(1.0, 0.0), ylabel=r"$\|\partial C/\partial\theta_l\|$ (probe batch)",
        title="gradient norm per layer after epoch 1 (dashed: before training)")


def plot_activation_histograms(result, activation: str, path: str | Path) -> Path:
    """Histograms of every hidden layer's output, one row per initialisation, before/after training."""
    inits = [i for i in result.inits if any(c.activation == activation and c.init == i for c in result.cases)]
    fig, axes = new_figure(len(inits), 2, figsize=(9.0, 2.4 * len(inits) + 0.6), squeeze=False)
    cmap = matplotlib.colormaps["viridis"]
    for row, init in zip(axes, inits):
        case = result.case(activation, init)
        for ax, when, title in zip(row, ("initial", "final"), ("before training", "after training")):
            hist = case.histograms.get(when)
            if hist is None:
                ax.text(0.5, 0.5, f"diverged in epoch {(case.diverged_epoch or 0) + 1}", ha="center", va="center",
                        transform=ax.transAxes, color="#aa0000")
                hide_ticks(ax)
            else:
                edges = np.asarray(hist["edges"])
                centres = 0.5 * (edges[1:] + edges[:-1])
                n = len(hist["fractions"])
                for k, fractions in enumerate(hist["fractions"]):
                    ax.plot(centres, fractions, color=cmap(k / max(n - 1, 1)), linewidth=1.0,
                            label=f"layer {k + 1}" if k in (0, n - 1) else None)
                ax.set_xlim(edges[0], edges[-1])
                ax.set_ylim(bottom=0)
                ax.legend(fontsize=6, loc="upper center")
            ax.set_title(f"{_label(init)}, {title}", fontsize=9)
        row[0].set_ylabel("fraction of entries")
    for ax in axes[-1]:
        ax.set_xlabel(f"{activation} output")
    fig.suptitle(f"{activation}: activations of each hidden layer on the probe batch; {_study_note(result)}",
                 fontsize=10)
    return save(fig, path)


def plot_learning_curves(result, path: str | Path) -> Path:
    """Test accuracy (top) and training loss (bottom) per epoch, one panel per activation."""
    colors = _colors(result)
    n = len(result.activations)
    fig, axes = new_figure(2, n + 1, figsize=(3.0 * n + 3.0, 5.8), squeeze=False,
                           gridspec_kw={"width_ratios": [1.0] * n + [1.0]})  # the last column holds the legend
    for j, activation in enumerate(result.activations):
        for init in result.inits:
            try:
                case = result.case(activation, init)
            except KeyError:
                continue
            acc = np.asarray(case.curves.get("val_accuracy", []), dtype=float)
            loss = _positive(np.asarray(case.curves.get("loss", []), dtype=float))
            label = _label(init) + ("" if case.status == "ok" else " (diverged)")
            if len(acc):
                axes[0][j].plot(np.arange(1, len(acc) + 1), acc, color=colors[init], label=label)
                axes[1][j].plot(np.arange(1, len(loss) + 1), loss, color=colors[init])
            else:
                axes[0][j].plot([], [], color=colors[init], linestyle=":", label=label)
        axes[0][j].set_title(activation)
        axes[0][j].set_ylim(0, 1)
        axes[1][j].set_yscale("log")
        axes[1][j].set_xlabel("epoch")
        for ax in (axes[0][j], axes[1][j]):
            ax.grid(True, alpha=0.3)
    axes[0][0].set_ylabel("test accuracy")
    axes[1][0].set_ylabel("training loss")
    axes[0][-1].axis("off")
    axes[1][-1].axis("off")
    _legend([axes[0][j] for j in range(len(result.activations))], axes[0][-1])
    fig.suptitle(f"test accuracy and training loss per epoch; {_study_note(result)}", fontsize=11)
    return save(fig, path)


def save_vanishing_figures(result, directory: str | Path) -> list[Path]:
    """All figures of a study into ``directory``; returns their paths."""
    directory = Path(directory)
    paths = [
        plot_gradient_norms(result, directory / "gradient_norms.png"),
        plot_layer_statistic(result, "act_std", directory / "activation_std.png", epochs=(0.0,), hidden_only=True,
                             ylabel="std of the layer's output", title="spread of each hidden layer's output "
                             "before training"),
        plot_learning_curves(result, directory / "learning_curves.png"),
    ]
    saturating = [a for a in result.activations if a in ("sigmoid", "tanh")]
    if saturating:
        paths.append(plot_layer_statistic(
            result, "saturated", directory / "saturated.png", epochs=(0.0, 1.0), log=False, hidden_only=True,
            ylabel="saturated fraction", title="saturated units before training (dashed: after epoch 1)",
            activations=saturating))
    if "relu" in result.activations:
        paths.append(plot_layer_statistic(
            result, "dead", directory / "dead_relu.png", epochs=(0.0, 1.0), log=False, hidden_only=True,
            ylabel="fraction of dead units", title="dead ReLU units before training (dashed: after epoch 1)",
            activations=["relu"]))
    for activation in result.activations:
        paths.append(plot_activation_histograms(result, activation, directory / f"activations_{activation}.png"))
    return paths
