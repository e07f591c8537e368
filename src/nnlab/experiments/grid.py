"""The lecture's hyperparameter search: learning rate eta x L2 strength lambda, train/test accuracy per cell.

The lecture trains its digits network (64 -> 50 sigmoid -> 10 softmax, weights N(0, 1), biases
0.01, raw pixels) for 100 epochs of minibatches of 100 with the gradient *summed* over the batch
and ``dW += lmbd * W``, for every eta in logspace(-5, 1, 7) and lambda in logspace(-5, 1, 7), and
shows train and test accuracy as heatmaps. Here each cell is :func:`nnlab.models.lecture_mlp`
trained by :func:`nnlab.train.fit` with :class:`~nnlab.nn.losses.CrossEntropyLoss` (reduction
'sum' as the lecture, or 'mean'), :class:`~nnlab.optim.SGD` (lr = eta) and
:class:`~nnlab.nn.regularization.L2` (lam = lambda: gradient lambda W, the lecture's code).

Every cell starts from the same weights and sees the same batches (one seed), so cells differ
by eta and lambda only. Cells run in parallel (joblib, ``n_jobs`` processes). A cell whose loss
or weights become NaN/inf is recorded with status 'diverged' (or 'non-finite') and NaN
accuracies, and the search goes on.
"""
from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from nnlab.experiments._csv import write_rows

__all__ = ["GridCell", "GridResult", "grid_search", "load_dataset", "DATASETS", "LECTURE_ETAS", "LECTURE_LAMBDAS"]

LECTURE_ETAS = tuple(np.logspace(-5, 1, 7))
LECTURE_LAMBDAS = tuple(np.logspace(-5, 1, 7))
DATASETS = ("digits", "breast_cancer")
_SCALES = ("auto", "none", "standard", "minmax")


@dataclass
class GridCell:
    """One (eta, lambda) run: accuracies (NaN when it diverged), status and cost."""

    eta: float
    lam: float
    train_accuracy: float
    test_accuracy: float
    status: str  # 'ok', 'diverged' (non-finite loss) or 'non-finite' (weights or outputs)
    epochs_run: int
    seconds: float
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"


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

    def matrix(self, which: str = "test_accuracy") -> np.ndarray:
        """(len(etas), len(lambdas)) array of 'train_accuracy' or 'test_accuracy' (NaN where missing)."""
        if which not in ("train_accuracy", "test_accuracy"):
            raise ValueError(f"which must be 'train_accuracy' or 'test_accuracy', got {which!r}")
        values = np.array([getattr(c, which) for c in self.cells], dtype=float)
        return values.reshape(len(self.etas), len(self.lambdas))

    def best(self) -> GridCell:
        """The cell with the highest test accuracy (ties: the higher train accuracy, then the first)."""
        finished = [c for c in self.cells if c.ok]
        if not finished:
            raise ValueError("every cell of the grid diverged; try smaller learning rates")
        return max(finished, key=lambda c: (c.test_accuracy, c.train_accuracy))

    def rows(self) -> list[dict[str, Any]]:
        """One dict per cell (for CSV or a DataFrame)."""
        return [asdict(c) for c in self.cells]

    def to_csv(self, path: str | Path) -> Path:
        """Write every cell as a CSV row: eta, lam, train/test accuracy, status, epochs, seconds, message."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        return write_rows(path, self.rows())


# ----------------------------------------------------------------------------------------------
# Data
# ----------------------------------------------------------------------------------------------
def load_dataset(name: str = "digits", scale: str = "auto", test_size: float = 0.2, seed: int = 0,
                 dtype: Any = np.float64) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(X_train, X_test, y_train, y_test) of a shipped data set, split 80/20 (stratified).

    ``scale``: 'none' (the lecture's raw digit pixels 0..16), 'standard', 'minmax' (fitted on
    the training rows), or 'auto' = 'none' for the digits and 'standard' otherwise.
    """
    from nnlab.data import MinMaxScaler, StandardScaler, load_breast_cancer, load_digits, train_test_split

    if name not in DATASETS:
        raise ValueError(f"unknown data set {name!r}; choose one of {list(DATASETS)}")
    if scale not in _SCALES:
        raise ValueError(f"scale must be one of {list(_SCALES)}, got {scale!r}")
    X, y = (load_digits if name == "digits" else load_breast_cancer)(dtype=np.float64)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=test_size, seed=seed, stratify=True)
    if scale == "auto":
        scale = "none" if name == "digits" else "standard"
    if scale != "none":
        scaler = (StandardScaler if scale == "standard" else MinMaxScaler)().fit(X_train)
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    cast = lambda a: np.ascontiguousarray(a, dtype=dtype)  # noqa: E731
    return cast(X_train), cast(X_test), y_train, y_test


# ----------------------------------------------------------------------------------------------
# One cell
# ----------------------------------------------------------------------------------------------
def _accuracy(model, X: np.ndarray, y: np.ndarray) -> float:
    from nnlab.train import predict

    with np.errstate(all="ignore"):
        out = predict(model, X)
    if not np.isfinite(out).all():
        return math.nan
    return float(np.mean(np.argmax(out, axis=1) == y))


def run_cell(eta: float, lam: float, data: tuple, hidden: Sequence[int], activation: str, init: str,
             reduction: str, epochs: int, batch_size: int, seed: int, dtype: Any) -> GridCell:
    """Train one network with (eta, lambda) and score it; never raises on divergence."""
    from nnlab.models import lecture_mlp
    from nnlab.nn.losses import CrossEntropyLoss
    from nnlab.nn.regularization import L2
    from nnlab.optim import SGD
    from nnlab.train import TrainingDivergedError, fit

    X_train, X_test, y_train, y_test = data
    n_classes = int(max(y_train.max(), y_test.max())) + 1
    model = lecture_mlp(X_train.shape[1], tuple(hidden), n_classes, activation=activation, init=init, dtype=dtype,
                        rng=np.random.default_rng(seed))
    start = time.perf_counter()
    status, message, epochs_run = "ok", "", epochs
    try:
        history = fit(model, X_train, y_train, loss=CrossEntropyLoss(reduction=reduction),
                      optimizer=SGD(model, lr=float(eta)), epochs=epochs, batch_size=batch_size,
                      penalty=L2(float(lam)) if lam > 0 else None, metrics=(), seed=seed)
        epochs_run = len(history)
    except TrainingDivergedError as exc:
        status, message, epochs_run = "diverged", str(exc).split(";")[0], exc.epoch
    seconds = time.perf_counter() - start
    if status == "ok" and not all(np.isfinite(p.data).all() for p in model.parameters()):
        status, message = "non-finite", "weights became NaN or inf"
    if status != "ok":
        return GridCell(float(eta), float(lam), math.nan, math.nan, status, epochs_run, seconds, message)
    train_acc, test_acc = _accuracy(model, X_train, y_train), _accuracy(model, X_test, y_test)
    if math.isnan(train_acc) or math.isnan(test_acc):
        return GridCell(float(eta), float(lam), math.nan, math.nan, "non-finite", epochs_run, seconds,
                        "outputs became NaN or inf")
    return GridCell(float(eta), float(lam), train_acc, test_acc, "ok", epochs_run, seconds)


# ----------------------------------------------------------------------------------------------
# The search
# ----------------------------------------------------------------------------------------------
def _values(name: str, values: Sequence[float]) -> tuple[float, ...]:
    values = tuple(float(v) for v in values)
    if not values or any(not math.isfinite(v) or v < 0 for v in values):
        raise ValueError(f"{name} must be a non-empty list of finite numbers >= 0, got {values!r}")
    return values


def grid_search(etas: Sequence[float] = LECTURE_ETAS, lambdas: Sequence[float] = LECTURE_LAMBDAS, *,
                dataset: str = "digits", data: tuple | None = None, hidden: Sequence[int] = (50,),
                activation: str = "sigmoid", init: str = "normal", reduction: str = "sum", epochs: int = 100,
                batch_size: int = 100, scale: str = "auto", seed: int = 0, dtype: Any = np.float64,
                n_jobs: int = 2) -> GridResult:
    """Train the network for every (eta, lambda) pair and record train and test accuracy.

    Parameters
    ----------
    etas, lambdas : sequences of float
        Learning rates and L2 strengths (default: the lecture's logspace(-5, 1, 7) each).
    dataset : {'digits', 'breast_cancer'}
        Shipped data set, split 80/20 with ``seed`` (ignored when ``data`` is given).
    data : (X_train, X_test, y_train, y_test), optional
        Your own data (integer labels 0..C-1).
    hidden, activation, init :
        The network: :func:`nnlab.models.lecture_mlp` (default: the lecture's 50 sigmoid units,
        N(0, 1) weights).
    reduction : {'sum', 'mean'}
        'sum': the lecture's gradient summed over the batch; 'mean': averaged (then eta is
        scikit-learn's learning_rate_init and lambda = sklearn alpha / batch_size).
    epochs, batch_size : int
        The lecture: 100 and 100.
    scale : {'auto', 'none', 'standard', 'minmax'}
        Feature scaling ('auto': raw digits as the lecture, standardised otherwise).
    seed : int
        Same initial weights and batch order in every cell.
    dtype : float32 or float64
        Network precision (float64 as the lecture's NumPy code).
    n_jobs : int
        Processes (joblib); 1 runs in this process.

    Returns
    -------
    GridResult
        ``.matrix('test_accuracy')``, ``.best()``, ``.to_csv(path)``.
    """
    from joblib import Parallel, delayed

    etas, lambdas = _values("etas", etas), _values("lambdas", lambdas)
    if reduction not in ("sum", "mean"):
        raise ValueError(f"reduction must be 'sum' (the lecture) or 'mean', got {reduction!r}")
    if int(epochs) < 1 or int(batch_size) < 1:
        raise ValueError(f"epochs and batch_size must be positive, got {epochs} and {batch_size}")
    custom = data is not None
    if not custom:
        data = load_dataset(dataset, scale=scale, seed=seed, dtype=dtype)
    elif len(data) != 4:
        raise ValueError("data must be (X_train, X_test, y_train, y_test)")
    settings = dict(dataset="custom" if custom else dataset, hidden=tuple(int(h) for h in hidden),
                    activation=activation, init=init, reduction=reduction, epochs=int(epochs),
                    batch_size=int(batch_size), scale=scale, seed=int(seed), dtype=np.dtype(dtype).name,
                    n_jobs=int(n_jobs))
    args = dict(data=data, hidden=settings["hidden"], activation=activation, init=init, reduction=reduction,
                epochs=int(epochs), batch_size=int(batch_size), seed=int(seed), dtype=dtype)
    pairs = [(eta, lam) for eta in etas for lam in lambdas]
    start = time.perf_counter()
    if int(n_jobs) == 1:
        cells = [run_cell(eta, lam, **args) for eta, lam in pairs]
    else:
        cells = Parallel(n_jobs=int(n_jobs))(delayed(run_cell)(eta, lam, **args) for eta, lam in pairs)
    return GridResult(etas, lambdas, list(cells), settings, time.perf_counter() - start)
