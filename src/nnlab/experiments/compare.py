"""The lecture's comparison: the same networks trained by nnlab, scikit-learn, PyTorch and Keras.

Two networks on the digits, 64-50-10 and 64-100-50-10, sigmoid hidden units and a softmax
output, trained by plain minibatch SGD with the same learning rate eta, L2 strength lambda,
epochs, batch size and seed in every library. All minimise the same cost on a batch of n rows,

    C = (1/n) sum_i CE(softmax(z_i), t_i) + lambda / (2 n) ||W||^2      (weights, not biases)

i.e. scikit-learn's ``MLPClassifier(solver='sgd', momentum=0, learning_rate_init=eta,
alpha=lambda)``; nnlab adds :class:`~nnlab.nn.regularization.L2` with
:func:`~nnlab.nn.regularization.l2_from_sklearn_alpha`, PyTorch the same penalty on the
weights, Keras ``kernel_regularizer=L2(lambda / (2 n))`` (via
:func:`~nnlab.nn.regularization.keras_from_l2`). Each library starts from its own default
initialisation. Keras runs on the PyTorch backend (``KERAS_BACKEND=torch``), so no TensorFlow
is needed. A library that is not installed is skipped with a note.

Wall time counts training only: the test accuracy recorded after every epoch is measured
outside the clock. BLAS and PyTorch use ``threads`` threads (1 by default: the networks are
small, and the comparison is fairest single-threaded).
"""
from __future__ import annotations

import contextlib
import csv
import os
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

__all__ = ["NETWORKS", "LIBRARIES", "CompareRow", "CompareResult", "compare_libraries", "train_library", "digits_data",
           "CompareConfig", "run"]

NETWORKS: dict[str, tuple[int, ...]] = {"64-50-10": (50,), "64-100-50-10": (100, 50)}
LIBRARIES = ("nnlab", "sklearn", "torch", "keras")


@dataclass
class CompareRow:
    """One library on one network."""

    library: str
    network: str
    test_accuracy: float
    wall_time: float
    epoch_accuracy: list[float]
    weights: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list, repr=False)


@dataclass
class CompareResult:
    """Rows for the libraries that ran, notes for those skipped, and the shared settings."""

    rows: list[CompareRow]
    notes: list[str]
    settings: dict[str, Any]

    def to_csv(self, path: str | Path) -> Path:
        """library, network, test accuracy, wall time and the accuracy after each epoch."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        n = max((len(r.epoch_accuracy) for r in self.rows), default=0)
        with path.open("w", newline="") as f:
            writer = csv.writer(f)
            header = ["library", "network", "test_accuracy", "wall_time_s"]
            writer.writerow(header + [f"epoch_{i + 1}" for i in range(n)])
            for r in self.rows:
                writer.writerow([r.library, r.network, f"{r.test_accuracy:.6f}", f"{r.wall_time:.4f}"]
                                + [f"{a:.6f}" for a in r.epoch_accuracy])
        return path

    def to_markdown(self) -> str:
        """A Markdown table (test accuracy and wall time per library and network) with the settings and notes."""
        s = self.settings
        lines = [f"Digits, SGD: eta={s['eta']:g}, lambda={s['lam']:g} (scikit-learn's alpha), {s['epochs']} epochs, "
                 f"batch size {s['batch_size']}, seed {s['seed']}, {s['threads']} thread(s).", "",
                 "| library | network | test accuracy | wall time (s) |", "|---|---|---|---|"]
        for r in self.rows:
            lines.append(f"| {r.library} | {r.network} | {r.test_accuracy:.4f} | {r.wall_time:.3f} |")
        if self.notes:
            lines += [""] + [f"- {note}" for note in self.notes]
        return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------------------------
# Data
# ----------------------------------------------------------------------------------------------
def digits_data(test_size: float = 0.2, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Digits split 80/20 (stratified, ``seed``), standardised on the training rows, float32."""
    from nnlab.experiments.grid import load_dataset

    X_train, X_test, y_train, y_test = load_dataset("digits", scale="standard", test_size=test_size, seed=seed,
                                                    dtype=np.float32)
    return X_train, X_test, y_train.astype(np.int64), y_test.astype(np.int64)


# ----------------------------------------------------------------------------------------------
# One runner per library: (data, hidden, eta, lam, epochs, batch_size, seed, shuffle, initial weights)
# -> (test accuracy after each epoch, training seconds, final weights [(W (in, out), b)])
# ----------------------------------------------------------------------------------------------
class _Clock:
    """Training time: total minus the time spent measuring accuracy."""

    def __init__(self):
        self.start = time.perf_counter()
        self.excluded = 0.0

    @contextlib.contextmanager
    def paused(self):
        t = time.perf_counter()
        yield
        self.excluded += time.perf_counter() - t

    def elapsed(self) -> float:
        return time.perf_counter() - self.start - self.excluded


def _accuracy(scores: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean(np.argmax(scores, axis=1) == y))


def _run_nnlab(data, hidden, eta, lam, epochs, batch_size, seed, shuffle, initial):
    from nnlab.models import mlp
    from nnlab.nn.losses import CrossEntropyLoss
    from nnlab.nn.regularization import L2, l2_from_sklearn_alpha
    from nnlab.optim import SGD
    from nnlab.train import Callback, fit, predict

    X_train, X_test, y_train, y_test = data
    model = mlp(X_train.shape[1], hidden, 10, activation="sigmoid", dtype=np.float32, rng=seed)
    dense = [m for m in model.modules() if getattr(m, "weight", None) is not None]
    if initial is not None:
        for layer, (W, b) in zip(dense, initial):
            layer.weight.data[...] = W
            layer.bias.data[...] = b
    accuracies: list[float] = []

    class Score(Callback):
        def on_epoch_end(self, epoch, logs=None):
            with clock.paused():
                accuracies.append(_accuracy(predict(model, X_test), y_test))

    clock = _Clock()
    fit(model, X_train, y_train, loss=CrossEntropyLoss(), optimizer=SGD(model, lr=eta), epochs=epochs,
        batch_size=batch_size, penalty=L2(l2_from_sklearn_alpha(lam, batch_size)) if lam > 0 else None,
        metrics=(), callbacks=[Score()], shuffle=shuffle, seed=seed)
    seconds = clock.elapsed()
    return accuracies, seconds, [(m.weight.data.copy(), m.bias.data.copy()) for m in dense]


def _run_sklearn(data, hidden, eta, lam, epochs, batch_size, seed, shuffle, initial):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    X_train, X_test, y_train, y_test = data
    # A RandomState *instance* so that each one-epoch fit draws a new shuffle (an int would repeat it).
    clf = MLPClassifier(hidden_layer_sizes=hidden, activation="logistic", solver="sgd", alpha=lam,
                        batch_size=batch_size, learning_rate="constant", learning_rate_init=eta, momentum=0.0,
                        nesterovs_momentum=False, shuffle=shuffle, max_iter=1, warm_start=True,
                        random_state=np.random.RandomState(seed), tol=0.0, n_iter_no_change=10**9)
    accuracies: list[float] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if initial is not None:  # build the network (one untimed epoch), then put the given weights in
            clf.fit(X_train, y_train)
            for k, (W, b) in enumerate(initial):
                clf.coefs_[k][...] = W
                clf.intercepts_[k][...] = b
        clock = _Clock()
        for _ in range(epochs):
            # warm_start + max_iter=1: one epoch per call; plain SGD keeps no state between calls
            clf.fit(X_train, y_train)
            with clock.paused():
                accuracies.append(_accuracy(clf.predict_proba(X_test), y_test))
        seconds = clock.elapsed()
    return accuracies, seconds, [(W.copy(), b.copy()) for W, b in zip(clf.coefs_, clf.intercepts_)]


def _run_torch(data, hidden, eta, lam, epochs, batch_size, seed, shuffle, initial):
    import torch

    X_train, X_test, y_train, y_test = (torch.from_numpy(np.ascontiguousarray(a)) for a in data)
    torch.manual_seed(seed)
    sizes = [X_train.shape[1], *hidden, 10]
    layers: list = []
    for k, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(torch.nn.Linear(n_in, n_out))
        if k < len(sizes) - 2:
            layers.append(torch.nn.Sigmoid())
    model = torch.nn.Sequential(*layers)
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    if initial is not None:
        with torch.no_grad():
            for m, (W, b) in zip(linears, initial):
                m.weight.copy_(torch.from_numpy(np.ascontiguousarray(W.T)))
                m.bias.copy_(torch.from_numpy(b))
    optimizer = torch.optim.SGD(model.parameters(), lr=eta)
    lam_batch = lam / batch_size  # (lam / 2n) ||W||^2 on the mean loss, n = batch size (as scikit-learn)
    generator = torch.Generator().manual_seed(seed)
    n = X_train.shape[0]
    accuracies: list[float] = []
    clock = _Clock()
    for _ in range(epochs):
        order = torch.randperm(n, generator=generator) if shuffle else torch.arange(n)
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            loss = torch.nn.functional.cross_entropy(model(X_train[idx]), y_train[idx])
            if lam_batch > 0:
                loss = loss + 0.5 * lam_batch * sum((m.weight ** 2).sum() for m in linears)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        with clock.paused(), torch.no_grad():
            accuracies.append(_accuracy(model(X_test).numpy(), y_test.numpy()))
    seconds = clock.elapsed()
    return accuracies, seconds, [(m.weight.detach().numpy().T.copy(), m.bias.detach().numpy().copy())
                                 for m in linears]


def _import_keras():
    """Keras 3 on the PyTorch backend; ImportError with the reason if that is not possible."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras

    if keras.backend.backend() != "torch":
        raise ImportError(f"keras was already imported with the {keras.backend.backend()!r} backend; set "
                          "KERAS_BACKEND=torch before anything imports keras")
    return keras


def _run_keras(data, hidden, eta, lam, epochs, batch_size, seed, shuffle, initial):
    from nnlab.nn.regularization import keras_from_l2, l2_from_sklearn_alpha

    keras = _import_keras()
    X_train, X_test, y_train, y_test = data
    keras.utils.set_random_seed(seed)
    l2 = keras_from_l2(l2_from_sklearn_alpha(lam, batch_size)) if lam > 0 else 0.0
    reg = (lambda: keras.regularizers.L2(l2)) if l2 > 0 else (lambda: None)
    layers = [keras.Input((X_train.shape[1],))]
    layers += [keras.layers.Dense(h, activation="sigmoid", kernel_regularizer=reg()) for h in hidden]
    layers += [keras.layers.Dense(10, activation="softmax", kernel_regularizer=reg())]
    model = keras.Sequential(layers)
    if initial is not None:
        model.set_weights([a for W, b in initial for a in (W, b)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=eta), loss="sparse_categorical_crossentropy")
    accuracies: list[float] = []

    class Score(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            with clock.paused():
                scores = keras.ops.convert_to_numpy(self.model(X_test, training=False))
                accuracies.append(_accuracy(scores, y_test))

    clock = _Clock()
    model.fit(X_train, y_train, epochs=epochs, batch_size=batch_size, shuffle=shuffle, verbose=0, callbacks=[Score()])
    seconds = clock.elapsed()
    weights = model.get_weights()
    return accuracies, seconds, [(weights[2 * k].copy(), weights[2 * k + 1].copy()) for k in range(len(weights) // 2)]


_RUNNERS: dict[str, Callable] = {"nnlab": _run_nnlab, "sklearn": _run_sklearn, "torch": _run_torch,
                                 "keras": _run_keras}
_REQUIRES = {"sklearn": "scikit-learn", "torch": "torch", "keras": "keras"}


@contextlib.contextmanager
def _threads(n: int | None):
    """Limit BLAS (and PyTorch, if imported) to ``n`` threads inside the block."""
    if n is None:
        yield
        return
    from threadpoolctl import threadpool_limits

    torch_threads = None
    try:
        import torch

        torch_threads = torch.get_num_threads()
        torch.set_num_threads(n)
    except ImportError:
        torch = None
    try:
        with threadpool_limits(limits=n):
            yield
    finally:
        if torch is not None and torch_threads is not None:
            torch.set_num_threads(torch_threads)


def train_library(library: str, hidden: Sequence[int], data: tuple, eta: float, lam: float, epochs: int,
                  batch_size: int, seed: int = 0, shuffle: bool = True,
                  initial_weights: list[tuple[np.ndarray, np.ndarray]] | None = None) -> CompareRow:
    """Train one library's network and return its row (raises ImportError if the library is missing).

    ``initial_weights`` [(W (in, out), b)] per layer replaces the library's initialisation, and
    ``shuffle=False`` takes the batches in order: then every library performs the same updates.
    """
    if library not in _RUNNERS:
        raise ValueError(f"unknown library {library!r}; choose from {list(LIBRARIES)}")
    accuracies, seconds, weights = _RUNNERS[library](data, tuple(hidden), float(eta), float(lam), int(epochs),
                                                     int(batch_size), int(seed), bool(shuffle), initial_weights)
    name = "-".join(str(s) for s in (data[0].shape[1], *hidden, 10))
    return CompareRow(library, name, accuracies[-1] if accuracies else float("nan"), seconds, accuracies, weights)


def compare_libraries(libraries: Sequence[str] = LIBRARIES, networks: Sequence[str] = tuple(NETWORKS), *,
                      eta: float = 0.5, lam: float = 1e-4, epochs: int = 100, batch_size: int = 100, seed: int = 0,
                      data: tuple | None = None, threads: int | None = 1) -> CompareResult:
    """Train every network with every library at the same settings.

    Parameters
    ----------
    libraries : names among 'nnlab', 'sklearn', 'torch', 'keras'
    networks : names of :data:`NETWORKS` ('64-50-10', '64-100-50-10') or hidden sizes like (100, 50)
    eta : float
        SGD learning rate on the mean batch loss (scikit-learn's learning_rate_init).
    lam : float
        L2 strength in scikit-learn's units (alpha): lam / (2 n) ||W||^2, n = batch size.
    epochs, batch_size, seed : int
    data : (X_train, X_test, y_train, y_test), optional
        Default: :func:`digits_data` with ``seed``.
    threads : int or None
        BLAS/PyTorch threads during training (None: leave as is).

    Returns
    -------
    CompareResult
        Rows (library, network, test accuracy, wall time, accuracy after each epoch) and notes
        for skipped libraries.
    """
    unknown = [lib for lib in libraries if lib not in _RUNNERS]
    if unknown:
        raise ValueError(f"unknown libraries {unknown}; choose from {list(LIBRARIES)}")
    hidden_list = []
    for net in networks:
        if isinstance(net, str):
            if net not in NETWORKS:
                raise ValueError(f"unknown network {net!r}; choose from {list(NETWORKS)} or pass hidden sizes")
            hidden_list.append(NETWORKS[net])
        else:
            hidden_list.append(tuple(int(h) for h in net))
    if data is None:
        data = digits_data(seed=seed)
    rows, notes = [], []
    with _threads(threads):
        for library in libraries:
            try:
                for hidden in hidden_list:
                    rows.append(train_library(library, hidden, data, eta, lam, epochs, batch_size, seed))
            except ImportError as exc:
                notes.append(f"{library} skipped: not installed ({exc}); pip install "
                             f"{_REQUIRES.get(library, library)}, or nnlab[compare]")
    settings = dict(eta=float(eta), lam=float(lam), epochs=int(epochs), batch_size=int(batch_size), seed=int(seed),
                    threads=threads if threads is not None else "default")
    return CompareResult(rows, notes, settings)


@dataclass
class CompareConfig:
    """Which libraries and networks, and the settings they all share."""

    libraries: tuple[str, ...] = LIBRARIES
    networks: tuple[str, ...] = tuple(NETWORKS)
    eta: float = 0.5
    lam: float = 1e-4
    epochs: int = 100
    batch_size: int = 100
    seed: int = 0
    threads: int = 1
    output_dir: Path = Path("runs/compare")

    def check(self) -> None:
        """ValueError (TypeError for a non-integer count) naming the option that cannot give a run."""
        from nnlab._validation import check_integer

        for key in ("epochs", "batch_size", "threads"):
            check_integer(getattr(self, key), f"--{key.replace('_', '-')}")
        if not (self.eta > 0 and self.lam >= 0):
            raise ValueError(f"--eta must be > 0 and --lam >= 0, got {self.eta} and {self.lam}")
        for option, names, known in (("--libraries", self.libraries, LIBRARIES), ("--networks", self.networks, NETWORKS)):
            unknown = [n for n in names if n not in known]
            if unknown or not names:
                raise ValueError(f"{option}: choose from {', '.join(known)}, got {', '.join(names) or 'nothing'}")


def run(config: CompareConfig) -> "Result":
    """Train, compare, and write compare.csv, compare.md and compare_accuracy.png into ``config.output_dir``."""
    from nnlab.experiments.result import Result, Table
    from nnlab.plots.compare import plot_epoch_accuracy

    config.check()
    out = Path(config.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    result = compare_libraries(config.libraries, config.networks, eta=config.eta, lam=config.lam,
                               epochs=config.epochs, batch_size=config.batch_size, seed=config.seed,
                               threads=config.threads)
    result.to_csv(out / "compare.csv")
    (out / "compare.md").write_text(result.to_markdown())
    st = result.settings
    curves = plot_epoch_accuracy(result, out / "compare_accuracy.png",
                                 title=f"SGD eta={st['eta']:g}, lambda={st['lam']:g}, batch {st['batch_size']}")
    by_network: dict[str, dict[str, CompareRow]] = {}
    for r in result.rows:
        by_network.setdefault(r.network, {})[r.library] = r
    numbers: dict[str, Any] = {}
    for network, libs in by_network.items():
        for lib, r in libs.items():
            numbers[f"{lib} {network} test accuracy"] = r.test_accuracy
            if "nnlab" in libs and lib != "nnlab" and r.wall_time > 0:
                numbers[f"{network}: nnlab time / {lib} time"] = libs["nnlab"].wall_time / r.wall_time
    parts = [f"{r.library} {r.network} {r.test_accuracy:.4f} ({r.wall_time:.2f} s)" for r in result.rows]
    skipped = f"; skipped: {', '.join(n.split(' ')[0] for n in result.notes)}" if result.notes else ""
    table = Table(["library", "network", "test accuracy", "training time (s)"],
                  [[r.library, r.network, r.test_accuracy, r.wall_time] for r in result.rows],
                  f"{st['epochs']} epochs, same eta, lambda, batch size and seed in every library")
    return Result(headline=f"test accuracy: {'; '.join(parts)}{skipped} ({out})", numbers=numbers,
                  figures={"accuracy per epoch": Path(curves)}, tables=[table], notes=list(result.notes),
                  output_dir=out)
