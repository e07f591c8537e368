"""The lecture's vanishing/exploding-gradient study: one deep network, every activation x initialisation.

The lecture (after Glorot and Bengio 2010) explains why deep networks trained badly before 2010:
with the logistic sigmoid and weights drawn from N(0, 1), "the variance of the outputs of each
layer is much greater than the variance of its inputs", the sigmoids saturate, and "what little
gradient exists keeps getting diluted as backpropagation progresses down ... so there is really
nothing left for the lower layers"; ReLU-like units with Glorot/He initialisation fix it, though
ReLU units can die. This study trains the *same* network -- ``depth`` hidden layers of ``width``
units on the standardised digits, plain SGD, the same batches -- for every pair of activation
(sigmoid, tanh, relu, leaky_relu, elu) and initialisation ('normal' = N(0, 1) as in the lecture,
glorot_uniform, glorot_normal, he_normal), and records with :class:`~nnlab.diagnostics.TrainingMonitor`
on a fixed probe batch:

* per-layer gradient norms ||dC/dtheta_l|| before training and after every epoch, and their
  first-to-last ratio (first hidden layer over the output layer);
* per-layer activation statistics (standard deviation, saturated and dead fractions) and
  activation histograms of every hidden layer before and after training;
* learning curves and final train/test accuracies; a run whose loss overflows is marked
  'diverged' (exploding activations and gradients).

What it shows on the digits (10 x 50, 20 epochs of SGD with lr 0.05, batch 32, seed 0):

* sigmoid + N(0, 1): 38 % of the hidden units saturated, the first layer gets 1/90 of the output
  layer's gradient norm before training (1/17 after epoch 1; about 1/800 with 20 layers), and
  the network reaches 61 % test accuracy;
* tanh + N(0, 1) fails the other way: the gradient *grows* towards the input (first/last ~ 4e2),
  27 % accuracy; ReLU, leaky ReLU and ELU + N(0, 1) blow up forwards (each layer's output ~5x
  wider than the one before) and diverge in the first epoch;
* Glorot or He with tanh, ReLU, leaky ReLU or ELU keep the first/last ratio between 0.3 and 1.7
  and reach 94-98 % test accuracy;
* sigmoid stays bad even with Glorot or He initialisation (first/last ~1e-6 to 1e-5, chance
  accuracy): its derivative is at most 1/4, not the 1 Glorot's derivation assumes, so every
  layer shrinks the gradient about 4-fold. That is the lecture's point that the activation
  function, not only the initialisation, caused the trouble.

Cases run in parallel processes (joblib, ``n_jobs``); each starts from weights drawn with the
same seed and sees the same batches.
"""
from __future__ import annotations

import inspect

import json
import math
import time
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from nnlab._threads import blas_threads
from nnlab.experiments._csv import write_rows

__all__ = ["ACTIVATIONS", "INITIALIZERS", "CaseResult", "VanishingResult", "run_case", "vanishing_study",
           "load_data", "build_network", "activation_histograms", "check_names", "VanishingConfig", "run"]

ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu")
INITIALIZERS = ("normal", "glorot_uniform", "glorot_normal", "he_normal")


def load_data(seed: int = 0, test_size: float = 0.2) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The digits split 80/20 and standardised with the training rows' statistics (float32)."""
    from nnlab.data import StandardScaler, load_digits, train_test_split

    X, y = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=test_size, seed=seed)
    scaler = StandardScaler().fit(X_train)
    as32 = lambda a: np.ascontiguousarray(a, dtype=np.float32)  # noqa: E731
    return as32(scaler.transform(X_train)), as32(scaler.transform(X_test)), y_train, y_test


def build_network(activation: str, init: str, n_inputs: int = 64, n_classes: int = 10, depth: int = 10,
                  width: int = 50, seed: int = 0):
    """``depth`` hidden Dense layers of ``width`` units with ``activation``; every layer (the
    output layer too, as in the lecture) drawn with ``init``; zero biases; logits out."""
    from nnlab.models.mlp import mlp

    if depth < 1 or width < 1:
        raise ValueError(f"depth and width must be positive, got depth={depth}, width={width}")
    return mlp(n_inputs, [width] * depth, n_classes, activation=activation, weight_init=init, rng=seed)


def _bin_range(activation: str, values: Sequence[np.ndarray]) -> tuple[float, float]:
    if activation == "sigmoid":
        return 0.0, 1.0
    if activation == "tanh":
        return -1.0, 1.0
    flat = np.concatenate([v.ravel() for v in values])
    flat = flat[np.isfinite(flat)]
    if flat.size == 0:
        return -1.0, 1.0
    lo, hi = (float(v) for v in np.percentile(flat, [0.5, 99.5]))
    if not hi > lo:
        lo, hi = lo - 0.5, hi + 0.5
    return lo, hi


def activation_histograms(outputs: dict[str, np.ndarray], activation: str, bins: int = 40) -> dict[str, Any]:
    """Histograms of the hidden layers' outputs on common bins.

    Returns ``{'edges': [bins + 1 floats], 'layers': [names], 'fractions': [[bins floats] per layer]}``,
    each row the fraction of the layer's entries per bin (values outside the range are counted in
    the end bins, non-finite ones dropped). Sigmoid uses [0, 1], tanh [-1, 1], the others the
    0.5-99.5 % percentiles of all hidden layers together.
    """
    names = list(outputs)[:-1]  # the last layer outputs logits
    lo, hi = _bin_range(activation, [outputs[n] for n in names])
    edges = np.linspace(lo, hi, bins + 1)
    fractions = []
    for name in names:
        a = outputs[name].ravel()
        a = a[np.isfinite(a)]
        counts = np.histogram(np.clip(a, lo, hi), bins=edges)[0] if a.size else np.zeros(bins)
        fractions.append((counts / max(a.size, 1)).tolist())
    return {"edges": edges.tolist(), "layers": names, "fractions": fractions}


@dataclass
class CaseResult:
    """One (activation, initialisation) run.

    ``grad_norm``, ``act_std``, ``saturated`` and ``dead`` are (measurements x layers) lists
    measured on the probe batch at ``measured_at`` epochs (0 = before training). Accuracies are
    NaN when the run diverged.
    """

    activation: str
    init: str
    status: str  # 'ok' or 'diverged'
    diverged_epoch: int | None
    train_accuracy: float
    test_accuracy: float
    seconds: float
    layers: list[str]
    measured_at: list[float]
    grad_norm: list[list[float]]
    act_std: list[list[float]]
    saturated: list[list[float]]
    dead: list[list[float]]
    curves: dict[str, list[float]] = field(default_factory=dict)
    histograms: dict[str, Any] = field(default_factory=dict)
    gradient_warnings: int = 0

    @property
    def name(self) -> str:
        return f"{self.activation}/{self.init}"

    def grad_norms_at(self, epoch: float) -> np.ndarray:
        """Per-layer gradient norms measured after ``epoch`` epochs (NaN if not measured: diverged earlier)."""
        if epoch in self.measured_at:
            return np.asarray(self.grad_norm[self.measured_at.index(epoch)], dtype=float)
        return np.full(len(self.layers), math.nan)

    def ratio(self, epoch: float = 1.0) -> float:
        """First-to-last layer gradient-norm ratio ||dC/dtheta_1|| / ||dC/dtheta_L|| after ``epoch`` epochs."""
        norms = self.grad_norms_at(epoch)
        with np.errstate(all="ignore"):
            return float(norms[0] / norms[-1])

    def hidden_mean(self, statistic: str, epoch: float = 0.0) -> float:
        """Mean of ``statistic`` ('saturated', 'dead', 'act_std') over the hidden layers at ``epoch``."""
        if epoch not in self.measured_at:
            return math.nan
        row = np.asarray(getattr(self, statistic)[self.measured_at.index(epoch)][:-1], dtype=float)
        row = row[~np.isnan(row)]
        return float(np.mean(row)) if row.size else math.nan


def run_case(activation: str, init: str, data: tuple, *, depth: int = 10, width: int = 50, epochs: int = 20,
             batch_size: int = 32, lr: float = 0.05, momentum: float = 0.0, probe_size: int = 512, bins: int = 40,
             seed: int = 0) -> CaseResult:
    """Train the study's network with one activation and initialisation and collect its diagnostics.

    ``data`` is ``(X_train, X_test, y_train, y_test)`` (see :func:`load_data`).
    """
    with blas_threads(1):
        return _run_case(activation, init, data, depth=depth, width=width, epochs=epochs, batch_size=batch_size,
                         lr=lr, momentum=momentum, probe_size=probe_size, bins=bins, seed=seed)


def _run_case(activation: str, init: str, data: tuple, *, depth: int, width: int, epochs: int, batch_size: int,
              lr: float, momentum: float, probe_size: int, bins: int, seed: int) -> CaseResult:
    from nnlab.diagnostics import TrainingMonitor, layer_outputs
    from nnlab.optim import SGD, GradientWarning
    from nnlab.train import TrainingDivergedError, accuracy, fit, predict

    X_train, X_test, y_train, y_test = data
    model = build_network(activation, init, X_train.shape[1], int(np.max(y_train)) + 1, depth, width, seed)
    monitor = TrainingMonitor(X_train, y_train, probe_size=probe_size, every=1, seed=seed)
    histograms = {"initial": activation_histograms(layer_outputs(model, monitor.X_probe), activation, bins)}
    status, diverged_epoch = "ok", None
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fit(model, X_train, y_train, optimizer=SGD(model, lr=lr, momentum=momentum), epochs=epochs,
                batch_size=batch_size, validation_data=(X_test, y_test), callbacks=[monitor], seed=seed)
        except TrainingDivergedError as exc:
            status, diverged_epoch = "diverged", exc.epoch
    seconds = time.perf_counter() - start
    n_warnings = sum(isinstance(w.message, GradientWarning) for w in caught)
    history = monitor.state.history
    curves = {key: list(history.history.get(key, [])) for key in ("loss", "accuracy", "val_loss", "val_accuracy")}
    if status == "ok":
        train_acc = accuracy(y_train, predict(model, X_train))
        test_acc = accuracy(y_test, predict(model, X_test))
        histograms["final"] = activation_histograms(layer_outputs(model, monitor.X_probe), activation, bins)
    else:
        train_acc = test_acc = math.nan
    record = monitor.record
    return CaseResult(
        activation=activation, init=init, status=status, diverged_epoch=diverged_epoch,
        train_accuracy=float(train_acc), test_accuracy=float(test_acc), seconds=seconds,
        layers=record.layer_names, measured_at=list(record.epochs),
        grad_norm=record.matrix("grad_norm").tolist(), act_std=record.matrix("act_std").tolist(),
        saturated=record.matrix("saturated").tolist(), dead=record.matrix("dead").tolist(),
        curves=curves, histograms=histograms, gradient_warnings=n_warnings,
    )


@dataclass
class VanishingResult:
    """All cases of a study and its settings."""

    settings: dict[str, Any]
    cases: list[CaseResult]

    def case(self, activation: str, init: str) -> CaseResult:
        for c in self.cases:
            if c.activation == activation and c.init == init:
                return c
        raise KeyError(f"no case {activation}/{init}; the study ran {[c.name for c in self.cases]}")

    @property
    def activations(self) -> list[str]:
        return list(dict.fromkeys(c.activation for c in self.cases))

    @property
    def inits(self) -> list[str]:
        return list(dict.fromkeys(c.init for c in self.cases))

    def rows(self) -> list[dict[str, Any]]:
        """One summary row per case (the CSV and Markdown tables)."""
        rows = []
        for c in self.cases:
            rows.append({
                "activation": c.activation, "init": c.init, "status": c.status,
                "diverged_epoch": "" if c.diverged_epoch is None else c.diverged_epoch,
                "ratio_initial": c.ratio(0.0), "ratio_epoch1": c.ratio(1.0),
                "saturated_initial": c.hidden_mean("saturated"), "dead_initial": c.hidden_mean("dead"),
                "train_accuracy": c.train_accuracy, "test_accuracy": c.test_accuracy,
                "gradient_warnings": c.gradient_warnings, "seconds": round(c.seconds, 2),
            })
        return rows

    def to_csv(self, path: str | Path) -> Path:
        """Write :meth:`rows` as CSV, one row per case."""
        return write_rows(path, self.rows())

    def to_markdown(self) -> str:
        """A table of final test accuracies (rows: activations, columns: initialisations) and one of ratios."""
        def acc(c: CaseResult) -> str:
            return f"diverged (epoch {c.diverged_epoch + 1})" if c.status != "ok" else f"{c.test_accuracy:.3f}"

        def ratio(c: CaseResult) -> str:
            r0, r1 = c.ratio(0.0), c.ratio(1.0)
            return f"{r0:.1e} / {r1:.1e}" if math.isfinite(r1) else f"{r0:.1e} / -"

        s = self.settings
        lines = [f"# Vanishing and exploding gradients: {s['depth']} hidden layers of {s['width']} units, digits",
                 "",
                 f"SGD lr={s['lr']}, momentum={s['momentum']}, batch {s['batch_size']}, {s['epochs']} epochs, "
                 f"seed {s['seed']}; 'normal' is the lecture's N(0, 1)."]
        inits = self.inits
        for title, cell in (("Final test accuracy", acc),
                            ("First-to-last layer gradient-norm ratio (before training / after epoch 1)", ratio)):
            lines += ["", f"## {title}", ""]
            lines.append("| activation | " + " | ".join(inits) + " |")
            lines.append("|---|" + "---|" * len(inits))
            for a in self.activations:
                cells = []
                for i in inits:
                    try:
                        cells.append(cell(self.case(a, i)))
                    except KeyError:
                        cells.append("")
                lines.append(f"| {a} | " + " | ".join(cells) + " |")
        return "\n".join(lines) + "\n"

    def to_dict(self) -> dict[str, Any]:
        return {"settings": dict(self.settings), "cases": [asdict(c) for c in self.cases]}

    def to_json(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_text(json.dumps(self.to_dict(), allow_nan=True))
        return path

    def headline(self) -> str:
        """One line: the sigmoid/normal first-to-last gradient ratio, against ReLU (or ELU)/He."""
        parts = []
        for a, i in (("sigmoid", "normal"), ("relu", "he_normal"), ("elu", "he_normal")):
            try:
                c = self.case(a, i)
            except KeyError:
                continue
            parts.append(f"{a}/{i} first-to-last gradient-norm ratio {c.ratio(0.0):.1e} before training, "
                         f"{c.ratio(1.0):.1e} after epoch 1, test accuracy {c.test_accuracy:.3f}")
            if len(parts) == 2:
                break
        if not parts:
            best = max(self.cases, key=lambda c: -1 if math.isnan(c.test_accuracy) else c.test_accuracy)
            parts.append(f"best {best.name} test accuracy {best.test_accuracy:.3f}")
        return "; ".join(parts)


def check_names(activations: Sequence[str], inits: Sequence[str]) -> None:
    """ValueError listing the valid names for an unknown activation or initialiser (or none given)."""
    from nnlab.nn.activations import ACTIVATIONS as REGISTERED
    from nnlab.nn.init import get_initializer

    if not activations or not inits:
        raise ValueError("give at least one activation and one initialiser")
    for a in activations:
        if a not in REGISTERED:
            raise ValueError(f"unknown activation {a!r}; choose from {list(ACTIVATIONS)} (or any of {sorted(REGISTERED)})")
    for i in inits:
        get_initializer(i)  # ValueError listing the valid names


def vanishing_study(activations: Sequence[str] = ACTIVATIONS, inits: Sequence[str] = INITIALIZERS, *,
                    depth: int = 10, width: int = 50, epochs: int = 20, batch_size: int = 32, lr: float = 0.05,
                    momentum: float = 0.0, probe_size: int = 512, bins: int = 40, seed: int = 0,
                    n_jobs: int = 2) -> VanishingResult:
    """Train the deep digits network for every activation x initialisation and collect diagnostics.

    Parameters
    ----------
    activations, inits : sequences of names
        From :data:`ACTIVATIONS` / the initialiser registry (:mod:`nnlab.nn.init`).
    depth, width : int
        Hidden layers and units per hidden layer.
    epochs, batch_size, lr, momentum :
        Plain minibatch SGD on the mean cross-entropy, the same for every case.
    probe_size : int
        Training rows of the fixed probe batch on which gradients and activations are measured.
    bins : int
        Bins of the activation histograms.
    seed : int
        Split, weights, batches and probe rows.
    n_jobs : int
        Parallel processes (1: run in this process).
    """
    activations, inits = list(activations), list(inits)
    check_names(activations, inits)
    if epochs < 1 or batch_size < 1 or probe_size < 1 or bins < 1 or lr <= 0 or n_jobs < 1:
        raise ValueError("epochs, batch_size, probe_size, bins and n_jobs must be positive integers and lr > 0, "
                         f"got epochs={epochs}, batch_size={batch_size}, probe_size={probe_size}, bins={bins}, "
                         f"lr={lr}, n_jobs={n_jobs}")
    data = load_data(seed)
    settings = {"depth": int(depth), "width": int(width), "epochs": int(epochs), "batch_size": int(batch_size),
                "lr": float(lr), "momentum": float(momentum), "probe_size": int(probe_size), "bins": int(bins),
                "seed": int(seed), "data": "digits, standardised, 80/20 split"}
    settings["full_epochs"] = _FULL["epochs"].default
    settings["quick"] = is_quick(epochs, probe_size)
    kwargs = {k: settings[k] for k in ("depth", "width", "epochs", "batch_size", "lr", "momentum", "probe_size",
                                       "bins", "seed")}
    pairs = [(a, i) for a in activations for i in inits]
    if n_jobs == 1 or len(pairs) == 1:
        cases = [run_case(a, i, data, **kwargs) for a, i in pairs]
    else:
        from joblib import Parallel, delayed

        cases = Parallel(n_jobs=int(n_jobs))(delayed(run_case)(a, i, data, **kwargs) for a, i in pairs)
    return VanishingResult(settings, list(cases))


@dataclass
class VanishingConfig:
    """The study's cases (activations x initialisers), network, training and probe; ``jobs`` processes."""

    activations: tuple[str, ...] = ACTIVATIONS
    inits: tuple[str, ...] = INITIALIZERS
    depth: int = 10
    width: int = 50
    epochs: int = 20
    batch_size: int = 32
    lr: float = 0.05
    momentum: float = 0.0
    probe_size: int = 512
    seed: int = 0
    jobs: int = 2
    output_dir: Path = Path("runs/vanishing")

    def check(self) -> None:
        """ValueError (TypeError for a non-integer count) naming the option that cannot give a run."""
        from nnlab._validation import check_integer

        for key in ("depth", "width", "epochs", "batch_size", "probe_size", "jobs"):
            check_integer(getattr(self, key), f"--{key.replace('_', '-')}")
        if not self.lr > 0 or self.momentum < 0:
            raise ValueError(f"--lr must be > 0 and --momentum >= 0, got {self.lr} and {self.momentum}")
        check_names(list(self.activations), list(self.inits))


def run(config: VanishingConfig) -> "Result":
    """Run the study; write results.csv, results.md, results.json and every figure into ``config.output_dir``."""
    from nnlab.experiments.result import Result, Table
    from nnlab.plots.vanishing import save_vanishing_figures

    config.check()
    result = vanishing_study(config.activations, config.inits, depth=config.depth, width=config.width,
                             epochs=config.epochs, batch_size=config.batch_size, lr=config.lr,
                             momentum=config.momentum, probe_size=config.probe_size, seed=config.seed,
                             n_jobs=config.jobs)
    out = Path(config.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    result.to_csv(out / "results.csv")
    (out / "results.md").write_text(result.to_markdown())
    result.to_json(out / "results.json")
    figures = {Path(p).stem: Path(p) for p in save_vanishing_figures(result, out)}

    def cell(activation: str, init: str, what: str):
        try:
            c = result.case(activation, init)
        except KeyError:
            return ""
        if what == "accuracy":
            return "diverged" if c.status != "ok" else c.test_accuracy
        return c.ratio(0.0)

    tables = [Table(["activation", *result.inits],
                    [[a, *[cell(a, i, what) for i in result.inits]] for a in result.activations], caption)
              for what, caption in (("accuracy", f"Test accuracy after {result.settings['epochs']} epochs"),
                                    ("ratio", "First-to-last layer gradient-norm ratio before training"))]
    numbers: dict[str, Any] = {}
    for a, i in (("sigmoid", "normal"), ("relu", "he_normal")):
        try:
            c = result.case(a, i)
        except KeyError:
            continue
        numbers[f"{a}/{i}: first-to-last gradient ratio"] = c.ratio(0.0)
        if not math.isnan(c.test_accuracy):
            numbers[f"{a}/{i}: test accuracy"] = c.test_accuracy
    numbers["hidden layers"] = result.settings["depth"]
    return Result(headline=result.headline(), numbers=numbers, figures=figures, tables=tables, output_dir=out)


_FULL = inspect.signature(vanishing_study).parameters


def is_quick(epochs: int, probe_size: int) -> bool:
    """Whether a study is shorter than the full one (fewer epochs or probe rows than the defaults).

    The figures of such a run say "quick run" in their titles.
    """
    return epochs < _FULL["epochs"].default or probe_size < _FULL["probe_size"].default
