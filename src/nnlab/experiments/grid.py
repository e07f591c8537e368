"""The lecture's hyperparameter search: learning rate eta x L2 strength lambda, train/test scores per cell.

Classification (the lecture's digits): the network 64 -> 50 sigmoid -> 10 (weights N(0, 1),
biases 0.01, raw pixels) for 100 epochs of minibatches of 100 with the gradient *summed* over the
batch and ``dW += lmbd * W``, for every eta in logspace(-5, 1, 7) and lambda in logspace(-5, 1, 7);
train and test accuracy as heatmaps. Regression (the course's project 2, the Franke function): the
same search with one linear output and the squared error, scored by test MSE and R^2. Each cell is
:func:`nnlab.models.lecture_mlp` trained by :func:`nnlab.train.fit` with
:class:`~nnlab.nn.losses.CrossEntropyLoss` or :class:`~nnlab.nn.losses.MSELoss` (reduction 'sum' as
the lecture, or 'mean'), :class:`~nnlab.optim.SGD` (lr = eta) and
:class:`~nnlab.nn.regularization.L2` (lam = lambda: gradient lambda W, the lecture's code).

Every cell starts from the same weights and sees the same batches (one seed), so cells differ
by eta and lambda only. Cells run in parallel (joblib: ``n_jobs`` processes, or the workers of a
Dask cluster with ``scheduler``). A cell whose loss or weights become NaN/inf is recorded with
status 'diverged' (or 'non-finite') and NaN scores, and the search goes on.

:func:`grid_search` is the library function; :func:`run` (a :class:`GridConfig` in, a
:class:`~nnlab.experiments.result.Result` out, figures and CSV written) is what ``nnlab grid`` and
the report call.
"""
from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from nnlab.experiments._csv import write_rows

__all__ = ["GridCell", "GridResult", "GridConfig", "grid_search", "run", "load_dataset", "DATASETS", "TASKS",
           "METRICS", "LECTURE_ETAS", "LECTURE_LAMBDAS"]

LECTURE_ETAS = tuple(np.logspace(-5, 1, 7))
LECTURE_LAMBDAS = tuple(np.logspace(-5, 1, 7))
#: data set -> the task it is for (the task is declared by the caller and checked against this)
DATASETS = {"digits": "classification", "breast_cancer": "classification", "franke": "regression"}
TASKS = ("classification", "regression")
#: the scores of a cell, per task
METRICS = {"classification": ("train_accuracy", "test_accuracy"),
           "regression": ("train_mse", "test_mse", "train_r2", "test_r2")}
#: the Franke data of the regression grid: points uniform on [0, 1]^2, noise N(0, 0.1^2)
FRANKE_SAMPLES, FRANKE_NOISE = 1000, 0.1
_SCALES = ("auto", "none", "standard", "minmax")


@dataclass
class GridCell:
    """One (eta, lambda) run: its scores (NaN when it diverged), status and cost.

    ``scores`` holds :data:`METRICS` of the task; each is also an attribute (``cell.test_accuracy``,
    ``cell.test_mse``).
    """

    eta: float
    lam: float
    scores: dict[str, float]
    status: str  # 'ok', 'diverged' (non-finite loss) or 'non-finite' (weights or outputs)
    epochs_run: int
    seconds: float
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def __getattr__(self, name: str) -> float:
        scores = self.__dict__.get("scores") or {}
        if name in scores:
            return scores[name]
        raise AttributeError(f"GridCell has no attribute {name!r}; its scores are {sorted(scores)}")


@dataclass
class GridResult:
    """All cells of a search, with the settings used.

    ``cells`` are in row-major order: eta varies slowest (rows of the heatmaps), lambda fastest.
    """

    etas: tuple[float, ...]
    lambdas: tuple[float, ...]
    cells: list[GridCell]
    settings: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def task(self) -> str:
        return self.settings.get("task", "classification")

    @property
    def metrics(self) -> tuple[str, ...]:
        """The score names of this grid's task (:data:`METRICS`)."""
        return METRICS[self.task]

    def matrix(self, which: str | None = None) -> np.ndarray:
        """(len(etas), len(lambdas)) array of one score (default: the test accuracy or test MSE; NaN where missing)."""
        which = self.metrics[1] if which is None else which
        if which not in self.metrics:
            raise ValueError(f"which must be one of {list(self.metrics)} for a {self.task} grid, got {which!r}")
        values = np.array([c.scores[which] for c in self.cells], dtype=float)
        return values.reshape(len(self.etas), len(self.lambdas))

    def best(self) -> GridCell:
        """The best finished cell: highest test accuracy (ties: higher train accuracy), or lowest
        test MSE (ties: lower train MSE); the first of equals."""
        finished = [c for c in self.cells if c.ok]
        if not finished:
            raise ValueError("every cell of the grid diverged; try smaller learning rates")
        if self.task == "regression":
            return min(finished, key=lambda c: (c.scores["test_mse"], c.scores["train_mse"]))
        return max(finished, key=lambda c: (c.scores["test_accuracy"], c.scores["train_accuracy"]))

    def rows(self) -> list[dict[str, Any]]:
        """One flat dict per cell (for CSV or a DataFrame): eta, lam, the scores, status, epochs, seconds, message."""
        rows = []
        for c in self.cells:
            row = asdict(c)
            row = {"eta": row.pop("eta"), "lam": row.pop("lam"), **row.pop("scores"), **row}
            rows.append(row)
        return rows

    def to_csv(self, path: str | Path) -> Path:
        """Write every cell as a CSV row (:meth:`rows`)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        return write_rows(path, self.rows())


# ----------------------------------------------------------------------------------------------
# Data
# ----------------------------------------------------------------------------------------------
def load_dataset(name: str = "digits", scale: str = "auto", test_size: float = 0.2, seed: int = 0,
                 dtype: Any = np.float64) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(X_train, X_test, y_train, y_test) of a shipped data set, split 80/20 (stratified for classes).

    'digits' and 'breast_cancer' have integer labels; 'franke' has :data:`FRANKE_SAMPLES` points
    of [0, 1]^2 with targets Franke(x, y) + N(0, 0.1^2) (:func:`nnlab.data.make_franke`, drawn with
    ``seed``). ``scale``: 'none' (the lecture's raw digit pixels 0..16), 'standard', 'minmax'
    (fitted on the training rows), or 'auto' = 'none' for the digits and the Franke points (already
    in [0, 1]) and 'standard' otherwise.
    """
    from nnlab.data import MinMaxScaler, StandardScaler, load_breast_cancer, load_digits, make_franke, train_test_split

    if name not in DATASETS:
        raise ValueError(f"unknown data set {name!r}; choose one of {list(DATASETS)}")
    if scale not in _SCALES:
        raise ValueError(f"scale must be one of {list(_SCALES)}, got {scale!r}")
    if name == "franke":
        X, y = make_franke(FRANKE_SAMPLES, noise=FRANKE_NOISE, seed=seed, dtype=np.float64)
    else:
        X, y = (load_digits if name == "digits" else load_breast_cancer)(dtype=np.float64)
    classes = DATASETS[name] == "classification"
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=test_size, seed=seed, stratify=classes)
    if scale == "auto":
        scale = "none" if name in ("digits", "franke") else "standard"
    if scale != "none":
        scaler = (StandardScaler if scale == "standard" else MinMaxScaler)().fit(X_train)
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    cast = lambda a: np.ascontiguousarray(a, dtype=dtype)  # noqa: E731
    if not classes:
        y_train, y_test = cast(y_train), cast(y_test)
    return cast(X_train), cast(X_test), y_train, y_test


# ----------------------------------------------------------------------------------------------
# One cell
# ----------------------------------------------------------------------------------------------
def _scores(task: str, model, data: tuple) -> dict[str, float]:
    """The task's scores of ``model`` on the training and the test rows (NaN for non-finite outputs)."""
    from nnlab.train import predict
    from nnlab.train.metrics import mse, r2

    X_train, X_test, y_train, y_test = data
    scores = {}
    for part, X, y in (("train", X_train, y_train), ("test", X_test, y_test)):
        with np.errstate(all="ignore"):
            out = predict(model, X)
        finite = bool(np.isfinite(out).all())
        if task == "classification":
            scores[f"{part}_accuracy"] = float(np.mean(np.argmax(out, axis=1) == y)) if finite else math.nan
        else:
            out = out.reshape(np.shape(y))
            scores[f"{part}_mse"] = mse(y, out) if finite else math.nan
            scores[f"{part}_r2"] = r2(y, out) if finite else math.nan
    return {name: scores[name] for name in METRICS[task]}


def run_cell(eta: float, lam: float, data: tuple, hidden: Sequence[int], activation: str, init: str,
             reduction: str, epochs: int, batch_size: int, seed: int, dtype: Any,
             task: str = "classification") -> GridCell:
    """Train one network with (eta, lambda) and score it; never raises on divergence."""
    from nnlab.models import lecture_mlp
    from nnlab.nn.losses import CrossEntropyLoss, MSELoss
    from nnlab.nn.regularization import L2
    from nnlab.optim import SGD
    from nnlab.train import TrainingDivergedError, fit

    X_train, X_test, y_train, y_test = data
    if task == "classification":
        n_outputs, loss = int(max(y_train.max(), y_test.max())) + 1, CrossEntropyLoss(reduction=reduction)
    else:
        n_outputs, loss = 1 if np.ndim(y_train) == 1 else y_train.shape[1], MSELoss(reduction=reduction)
    model = lecture_mlp(X_train.shape[1], tuple(hidden), n_outputs, activation=activation, init=init, dtype=dtype,
                        rng=np.random.default_rng(seed))
    start = time.perf_counter()
    status, message, epochs_run = "ok", "", epochs
    try:
        history = fit(model, X_train, y_train, loss=loss, optimizer=SGD(model, lr=float(eta)), epochs=epochs,
                      batch_size=batch_size, penalty=L2(float(lam)) if lam > 0 else None, metrics=(), seed=seed)
        epochs_run = len(history)
    except TrainingDivergedError as exc:
        status, message, epochs_run = "diverged", str(exc).split(";")[0], exc.epoch
    seconds = time.perf_counter() - start
    if status == "ok" and not all(np.isfinite(p.data).all() for p in model.parameters()):
        status, message = "non-finite", "weights became NaN or inf"
    missing = {name: math.nan for name in METRICS[task]}
    if status != "ok":
        return GridCell(float(eta), float(lam), missing, status, epochs_run, seconds, message)
    scores = _scores(task, model, data)
    if any(math.isnan(v) for v in scores.values()):
        return GridCell(float(eta), float(lam), missing, "non-finite", epochs_run, seconds, "outputs became NaN or inf")
    return GridCell(float(eta), float(lam), scores, "ok", epochs_run, seconds)


# ----------------------------------------------------------------------------------------------
# The search
# ----------------------------------------------------------------------------------------------
def _values(name: str, values: Sequence[float]) -> tuple[float, ...]:
    values = tuple(float(v) for v in values)
    if not values or any(not math.isfinite(v) or v < 0 for v in values):
        raise ValueError(f"{name} must be a non-empty list of finite numbers >= 0, got {values!r}")
    return values


def _check_task(task: str, dataset: str | None, custom: bool) -> str:
    """The data set for ``task`` (its default when None); refuses a data set of the other task."""
    if task not in TASKS:
        raise ValueError(f"task must be one of {list(TASKS)}, got {task!r}")
    if dataset is None:
        return "custom" if custom else ("digits" if task == "classification" else "franke")
    if dataset not in DATASETS:
        raise ValueError(f"unknown data set {dataset!r}; choose one of {list(DATASETS)}")
    if DATASETS[dataset] != task:
        raise ValueError(f"data set {dataset!r} is for {DATASETS[dataset]}, not {task}; "
                         f"pass task={DATASETS[dataset]!r} "
                         f"or a {task} data set ({', '.join(d for d, t in DATASETS.items() if t == task)})")
    return dataset


def grid_search(etas: Sequence[float] = LECTURE_ETAS, lambdas: Sequence[float] = LECTURE_LAMBDAS, *,
                task: str = "classification", dataset: str | None = None, data: tuple | None = None,
                hidden: Sequence[int] = (50,), activation: str = "sigmoid", init: str = "normal",
                reduction: str = "sum", epochs: int = 100, batch_size: int = 100, scale: str = "auto", seed: int = 0,
                dtype: Any = np.float64, n_jobs: int = 2, scheduler: str | None = None) -> GridResult:
    """Train the network for every (eta, lambda) pair and record its train and test scores.

    Parameters
    ----------
    etas, lambdas : sequences of float
        Learning rates and L2 strengths (default: the lecture's logspace(-5, 1, 7) each).
    task : {'classification', 'regression'}
        Accuracy of a softmax classifier (cross-entropy), or MSE and R^2 of a regressor with one
        linear output (squared error).
    dataset : {'digits', 'breast_cancer'} or {'franke'}, optional
        Shipped data set of the task, split 80/20 with ``seed`` (default: 'digits', 'franke';
        ignored when ``data`` is given).
    data : (X_train, X_test, y_train, y_test), optional
        Your own data (integer labels 0..C-1, or real targets (n,) or (n, k) for regression).
    hidden, activation, init :
        The network: :func:`nnlab.models.lecture_mlp` (default: the lecture's 50 sigmoid units,
        N(0, 1) weights).
    reduction : {'sum', 'mean'}
        'sum': the lecture's gradient summed over the batch; 'mean': averaged (then eta is
        scikit-learn's learning_rate_init and lambda = sklearn alpha / batch_size).
    epochs, batch_size : int
        The lecture: 100 and 100.
    scale : {'auto', 'none', 'standard', 'minmax'}
        Feature scaling ('auto': raw digits and Franke points as the lecture, standardised otherwise).
    seed : int
        Same initial weights and batch order in every cell.
    dtype : float32 or float64
        Network precision (float64 as the lecture's NumPy code).
    n_jobs : int
        Processes (joblib); 1 runs in this process. With ``scheduler``: the workers of a local cluster.
    scheduler : str, optional
        Run the cells on a Dask cluster through joblib: the scheduler's address
        ('tcp://host:8786'), or 'local' to start a ``LocalCluster`` of ``n_jobs`` workers here.
        Needs ``dask[distributed]`` (``pip install -e '.[dask]'``); the cells are the same as run locally.

    Returns
    -------
    GridResult
        ``.matrix('test_accuracy')`` (or 'test_mse', 'test_r2', ...), ``.best()``, ``.to_csv(path)``.
    """
    from joblib import Parallel, delayed

    etas, lambdas = _values("etas", etas), _values("lambdas", lambdas)
    if reduction not in ("sum", "mean"):
        raise ValueError(f"reduction must be 'sum' (the lecture) or 'mean', got {reduction!r}")
    if int(epochs) < 1 or int(batch_size) < 1 or int(n_jobs) < 1:
        raise ValueError(f"epochs, batch_size and n_jobs must be positive, got {epochs}, {batch_size} and {n_jobs}")
    custom = data is not None
    dataset = _check_task(task, None if custom else dataset, custom)
    if not custom:
        data = load_dataset(dataset, scale=scale, seed=seed, dtype=dtype)
    elif len(data) != 4:
        raise ValueError("data must be (X_train, X_test, y_train, y_test)")
    elif task == "classification" and not all(np.issubdtype(np.asarray(y).dtype, np.integer) for y in data[2:]):
        raise ValueError("y must hold integer class labels for task='classification'; for real-valued targets pass "
                         "task='regression'")
    settings = dict(task=task, dataset=dataset, hidden=tuple(int(h) for h in hidden),
                    activation=activation, init=init, reduction=reduction, epochs=int(epochs),
                    batch_size=int(batch_size), scale=scale, seed=int(seed), dtype=np.dtype(dtype).name,
                    n_jobs=int(n_jobs), scheduler=scheduler)
    args = dict(data=data, hidden=settings["hidden"], activation=activation, init=init, reduction=reduction,
                epochs=int(epochs), batch_size=int(batch_size), seed=int(seed), dtype=dtype, task=task)
    pairs = [(eta, lam) for eta in etas for lam in lambdas]
    start = time.perf_counter()
    if scheduler is not None:
        from nnlab.experiments._dask import dask_backend

        with dask_backend(scheduler, n_workers=int(n_jobs)):
            cells = Parallel(n_jobs=-1)(delayed(run_cell)(eta, lam, **args) for eta, lam in pairs)
    elif int(n_jobs) == 1:
        cells = [run_cell(eta, lam, **args) for eta, lam in pairs]
    else:
        cells = Parallel(n_jobs=int(n_jobs))(delayed(run_cell)(eta, lam, **args) for eta, lam in pairs)
    return GridResult(etas, lambdas, list(cells), settings, time.perf_counter() - start)


# ----------------------------------------------------------------------------------------------
# The experiment: config in, Result out (the command line and the report)
# ----------------------------------------------------------------------------------------------
@dataclass
class GridConfig:
    """The settings of ``nnlab grid`` (each field is the option of the same name; see :func:`grid_search`)."""

    etas: tuple[float, ...] = LECTURE_ETAS
    lambdas: tuple[float, ...] = LECTURE_LAMBDAS
    task: str = "classification"
    dataset: str | None = None
    hidden: tuple[int, ...] = (50,)
    activation: str = "sigmoid"
    init: str = "normal"
    reduction: str = "sum"
    scale: str = "auto"
    epochs: int = 100
    batch_size: int = 100
    seed: int = 0
    jobs: int = 2
    scheduler: str | None = None
    output_dir: Path | None = None

    def check(self) -> None:
        """Refuse a bad setting with a ValueError naming its option (``--jobs``, ``--dataset``, ...)."""
        for option, value in (("--epochs", self.epochs), ("--batch-size", self.batch_size), ("--jobs", self.jobs)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{option} must be a positive integer, got {value!r}")
        for option, values in (("--etas", self.etas), ("--lambdas", self.lambdas)):
            try:
                _values(option, values)
            except (TypeError, ValueError):
                raise ValueError(f"{option} must be a non-empty list of finite numbers >= 0, got {values!r}") from None
        if not self.hidden or any(int(h) < 1 for h in self.hidden):
            raise ValueError(f"--hidden must be positive layer widths like 50 or 100,50, got {self.hidden!r}")
        if self.task not in TASKS:
            raise ValueError(f"--task must be one of {', '.join(TASKS)}, got {self.task!r}")
        if self.dataset is not None and self.dataset not in DATASETS:
            raise ValueError(f"--dataset must be one of {', '.join(DATASETS)}, got {self.dataset!r}")
        if self.dataset is not None and DATASETS[self.dataset] != self.task:
            raise ValueError(f"--dataset {self.dataset} is a {DATASETS[self.dataset]} data set; pass --task "
                             f"{DATASETS[self.dataset]} (the task is {self.task})")
        if self.reduction not in ("sum", "mean"):
            raise ValueError(f"--reduction must be sum or mean, got {self.reduction!r}")
        if self.scale not in _SCALES:
            raise ValueError(f"--scale must be one of {', '.join(_SCALES)}, got {self.scale!r}")
        if self.scheduler is not None:
            from nnlab.experiments._dask import DaskUnavailableError, require_distributed

            try:
                require_distributed("--scheduler")
            except DaskUnavailableError as exc:  # an option given without the package it needs: bad input
                raise ValueError(str(exc)) from exc


def run(config: GridConfig) -> "Result":
    """Run the grid of ``config``; write grid.csv and one heatmap per score into ``config.output_dir``.

    Returns a :class:`~nnlab.experiments.result.Result`: headline (the best cell), numbers, the
    heatmaps by score name ('train_accuracy', 'test_accuracy' or 'train_mse', 'test_mse',
    'train_r2', 'test_r2'), a table of the five best cells. Raises ValueError when every cell diverged.
    """
    from nnlab.experiments.result import Result, Table
    from nnlab.plots.grid import format_value, save_grid_heatmaps

    config.check()
    out = Path(config.output_dir if config.output_dir is not None else ".")
    out.mkdir(parents=True, exist_ok=True)
    result = grid_search(config.etas, config.lambdas, task=config.task, dataset=config.dataset, hidden=config.hidden,
                         activation=config.activation, init=config.init, reduction=config.reduction,
                         epochs=config.epochs, batch_size=config.batch_size, scale=config.scale, seed=config.seed,
                         n_jobs=config.jobs, scheduler=config.scheduler)
    csv_path = result.to_csv(out / "grid.csv")
    figures = dict(zip(result.metrics, save_grid_heatmaps(result, out)))
    diverged = sum(not c.ok for c in result.cells)
    best = result.best()  # ValueError when every cell diverged
    regression = result.task == "regression"
    key = ("test_mse", "test_r2", "train_mse") if regression else ("test_accuracy", "train_accuracy")
    if regression:
        score = f"test MSE: {best.test_mse:.4g}, R2: {best.test_r2:.4f} (train MSE {best.train_mse:.4g})"
    else:
        score = f"test accuracy: {best.test_accuracy:.4f} (train {best.train_accuracy:.4f})"
    ok = [c for c in result.cells if c.ok]
    top = sorted(ok, key=lambda c: c.test_mse if regression else -c.test_accuracy)[:5]
    columns = ["eta", "lambda", *[k.replace("_", " ") for k in result.metrics]]
    table = Table(columns, [[c.eta, c.lam, *[c.scores[k] for k in result.metrics]] for c in top], "The five best cells")
    numbers = {"best eta": best.eta, "best lambda": best.lam,
               **{f"best {k.replace('_', ' ')}": best.scores[k] for k in key},
               "cells": len(result.cells), "diverged cells": diverged, "epochs per cell": config.epochs,
               "search time (s)": result.seconds}
    headline = (f"best eta={format_value(best.eta)} lambda={format_value(best.lam)}: {score}; "
                f"{len(result.cells)} cells, "
                f"{diverged} diverged, {result.seconds:.1f} s; {out}")
    return Result(headline=headline, numbers=numbers, figures=figures, tables=[table],
                  lines=[f"wrote {csv_path} and {', '.join(p.name for p in figures.values())}"], output_dir=out)
