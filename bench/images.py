"""Benchmark: image classifiers against the published accuracies (minutes, not tests).

    python bench/images.py [RUN ...] [--quick] [--data-root ../shared/data] [--threads N]

RUN is any of ``digits``, ``mnist``, ``fashion-mlp``, ``fashion-cnn`` (default: all four):

| run         | model                                         | target  | published                          |
|-------------|-----------------------------------------------|---------|------------------------------------|
| digits      | lecture CNN, 32 filters, shifts of 1 pixel    | >= 0.985| PyTorch same net 0.981             |
| mnist       | LeNet-5 (ReLU, max-pool) + shifts/rotations   | >= 0.992| LeNet-5 0.9905, 0.992 distorted    |
| fashion-mlp | MLP 784-512-256-10, dropout                   | >= 0.890| sklearn MLPClassifier 0.871        |
| fashion-cnn | nnlab.models.cnn.bn_cnn (< 120k parameters)   | >= 0.925| 2-conv CNNs 0.876-0.925            |

Each run trains with Adam and a cosine learning-rate decay, applies its augmentation to every
training batch through a ``transform(X_batch, rng)`` (nnlab.data.augmentation) and prints the
test accuracy and the wall time. ``--quick`` trains on a few hundred images for one epoch (what
the tests run). Training is ``nnlab.train.fit`` with its ``transform`` hook and the
``CosineLR`` schedule.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from nnlab.data.augmentation import RandomShift  # noqa: E402
from nnlab.models.cnn import bn_cnn, lecture_cnn, lenet  # noqa: E402
from nnlab.models.mlp import mlp  # noqa: E402
from nnlab.optim import Adam, CosineLR  # noqa: E402
from nnlab.train import fit, predict  # noqa: E402

# ../shared/data beside the repository (a git worktree one level deeper looks one level further up)
DEFAULT_DATA = next((p for p in (ROOT.parent / "shared" / "data", ROOT.parent.parent / "shared" / "data")
                     if p.is_dir()), ROOT.parent / "shared" / "data")

# name: (data set, builder, epochs, batch size, learning rate, augmentation, target)
RUNS = {
    "digits": ("digits", lambda rng: lecture_cnn(n_filters=32, n_hidden=128, rng=rng), 60, 32, 2e-3,
               RandomShift(1), 0.985),
    "mnist": ("mnist", lambda rng: lenet(rng=rng), 12, 128, 2e-3, RandomShift(2, max_rotation=10.0), 0.992),
    "fashion-mlp": ("fashion-mnist", lambda rng: mlp(784, [512, 256], 10, dropout=0.2, rng=rng), 12, 128, 1e-3,
                    None, 0.890),
    "fashion-cnn": ("fashion-mnist", lambda rng: bn_cnn(dropout=0.2, rng=rng), 10, 128, 2e-3, RandomShift(1),
                    0.925),
}


def load(dataset: str, data_root: Path, flat: bool, seed: int = 0):
    """(X_train, y_train, X_test, y_test) as float32 in [0, 1]; images (N, 1, H, W) unless ``flat``."""
    if dataset == "digits":
        from nnlab.data import load_digits, train_test_split

        X, y = load_digits(return_images=True)
        X_train, X_test, y_train, y_test = train_test_split(X / 16.0, y, test_size=0.2, seed=seed)
    else:
        from nnlab.data import load_fashion_mnist, load_mnist

        reader = load_mnist if dataset == "mnist" else load_fashion_mnist
        X_train, y_train = reader(data_root / dataset, "train", flatten=flat)
        X_test, y_test = reader(data_root / dataset, "test", flatten=flat)
    as32 = lambda a: np.ascontiguousarray(a, dtype=np.float32)  # noqa: E731
    return as32(X_train), np.asarray(y_train), as32(X_test), np.asarray(y_test)


def train(model, X, y, epochs: int, batch_size: int, lr: float, transform=None, seed: int = 0,
          verbose: bool = False) -> None:
    """``fit`` with Adam, lr_e = lr (1 + cos(pi e / epochs)) / 2, and ``transform`` applied to each batch."""
    optimizer = Adam(model.parameters(), lr=lr)
    fit(model, X, y, loss="cross_entropy", optimizer=optimizer, epochs=epochs, batch_size=batch_size,
        schedule=CosineLR(optimizer, epochs=epochs), transform=transform, seed=seed, verbose=int(verbose))


def run(name: str, data_root: Path = DEFAULT_DATA, n_train: int | None = None, n_test: int | None = None,
        epochs: int | None = None, seed: int = 0, verbose: bool = False) -> dict:
    """Train run ``name`` and return {'accuracy', 'seconds', 'parameters', 'target', 'epochs', 'n_train'}."""
    dataset, build, default_epochs, batch_size, lr, transform, target = RUNS[name]
    flat = name == "fashion-mlp"
    X_train, y_train, X_test, y_test = load(dataset, data_root, flat)
    X_train, y_train = X_train[:n_train], y_train[:n_train]
    X_test, y_test = X_test[:n_test], y_test[:n_test]
    model = build(np.random.default_rng(seed))
    epochs = default_epochs if epochs is None else epochs
    start = time.perf_counter()
    train(model, X_train, y_train, epochs, batch_size, lr, transform, seed, verbose)
    seconds = time.perf_counter() - start
    accuracy = float(np.mean(predict(model, X_test).argmax(axis=1) == y_test))
    return {"accuracy": accuracy, "seconds": seconds, "parameters": model.n_parameters(), "target": target,
            "epochs": epochs, "n_train": len(X_train)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="*", metavar="RUN", help=f"any of {', '.join(RUNS)} (default all)")
    parser.add_argument("--quick", action="store_true", help="500 training images, one epoch")
    parser.add_argument("--data-root", type=Path, default=DEFAULT_DATA,
                        help="directory holding mnist/ and fashion-mnist/ with the IDX files")
    parser.add_argument("--epochs", type=int, default=None, help="override the number of epochs")
    parser.add_argument("--threads", type=int, default=None, help="BLAS threads (default: the library's default)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    unknown = [r for r in args.runs if r not in RUNS]
    if unknown:
        parser.error(f"unknown runs {unknown}; choose from {list(RUNS)}")
    limits = None
    if args.threads is not None:
        from threadpoolctl import threadpool_limits

        limits = threadpool_limits(limits=args.threads)
    for name in args.runs or list(RUNS):
        kwargs = {"n_train": 500, "n_test": 1000, "epochs": 1} if args.quick else {"epochs": args.epochs}
        result = run(name, args.data_root, seed=args.seed, verbose=not args.quick, **kwargs)
        verdict = "meets" if result["accuracy"] >= result["target"] else "misses"
        print(f"{name:12s} test accuracy {result['accuracy']:.4f} ({verdict} target {result['target']}), "
              f"{result['epochs']} epochs on {result['n_train']} images, {result['parameters']} parameters, "
              f"wall time {result['seconds']:.1f} s", flush=True)
    if limits is not None:
        limits.unregister()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
