"""A convolutional network on the 8x8 digits (the lecture's CNN) or LeNet-5 on MNIST or Fashion-MNIST:
``run(CNNConfig) -> Result``.

The MNIST-type sets are read by :func:`nnlab.data.load_image_dataset` from ``data_dir``, or, when it
is None, from ``$NNLAB_DATA/<dataset>`` and then ``nnlab.data.data_home()/<dataset>``.

Writes into ``output_dir``: ``learning_curves.png`` (loss and accuracy per epoch, training and
test), ``filters.png`` (the first convolution's learned kernels), ``feature_maps.png`` (what each
convolution and pooling layer makes of the first test image), ``confusion_matrix.png`` (test set,
labelled with the data set's class names), ``model.npz`` and ``metrics.json``.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, fields
from pathlib import Path

from nnlab._validation import check_integer
from nnlab.experiments.result import Result

__all__ = ["DATASETS", "DEFAULTS", "QUICK", "CNNConfig", "config_from", "run"]

#: The data sets ``--dataset`` accepts: the 8x8 digits and the MNIST-type sets of :data:`nnlab.data.IMAGE_DATASETS`.
DATASETS = ("digits", "mnist", "fashion-mnist")
# Defaults per data set: the lecture's plain SGD (eta = 0.1, batch 100, 100 epochs) for the digits;
# for LeNet on MNIST Adam with eta = 0.002 decayed by 0.6 an epoch (98.8 % test accuracy after 4 epochs).
# Fashion-MNIST has MNIST's shapes and takes LeNet with the same settings.
_LENET = {"epochs": 4, "batch_size": 128, "optimizer": "adam", "lr": 2e-3, "lr_decay": 0.6}
_LENET_QUICK = {"epochs": 1, "train_size": 10000, "test_size": 2000}
DEFAULTS = {"digits": {"epochs": 100, "batch_size": 100, "optimizer": "sgd", "lr": 0.1, "lr_decay": 1.0},
            "mnist": _LENET, "fashion-mnist": _LENET}
QUICK = {"digits": {"epochs": 30, "momentum": 0.9}, "mnist": _LENET_QUICK, "fashion-mnist": _LENET_QUICK}


@dataclass
class CNNConfig:
    """One CNN run; build it with :func:`config_from` to get the data set's defaults."""

    dataset: str = "digits"
    data_dir: Path | None = None
    epochs: int = 100
    batch_size: int = 100
    optimizer: str = "sgd"
    lr: float = 0.1
    lr_decay: float = 1.0
    momentum: float = 0.0
    train_size: int | None = None
    test_size: int | None = None
    seed: int = 0
    output_dir: Path = Path("runs/cnn")

    def check(self) -> None:
        """ValueError naming the option for a setting that cannot give a run."""
        if self.dataset not in DEFAULTS:
            raise ValueError(f"--dataset must be one of {sorted(DEFAULTS)}, got {self.dataset!r}")
        for key in ("epochs", "batch_size", "train_size", "test_size"):
            if getattr(self, key) is not None:
                check_integer(getattr(self, key), f"--{key.replace('_', '-')}")
        if not self.lr > 0:
            raise ValueError(f"--lr must be positive, got {self.lr}")
        if not 0 < self.lr_decay <= 1:
            raise ValueError(f"--lr-decay must lie in (0, 1], got {self.lr_decay}")


def config_from(dataset: str = "digits", quick: bool = False, **changes) -> CNNConfig:
    """The data set's defaults (shortened by ``quick``) with ``changes`` (None values ignored) on top."""
    if dataset not in DEFAULTS:
        raise ValueError(f"--dataset must be one of {sorted(DEFAULTS)}, got {dataset!r}")
    settings = {**DEFAULTS[dataset], **(QUICK[dataset] if quick else {})}
    given = {k: v for k, v in changes.items() if v is not None}
    if given.get("optimizer") is not None and "lr" not in given:  # each optimiser has its own default rate
        settings["lr"] = DEFAULTS["digits" if given["optimizer"] == "sgd" else "mnist"]["lr"]
    known = {f.name for f in fields(CNNConfig)}
    unknown = set(given) - known
    if unknown:
        raise TypeError(f"unknown CNN settings {sorted(unknown)}; choose from {sorted(known)}")
    config = CNNConfig(dataset=dataset, **{**settings, **given})
    config.check()
    return config


def _load(config: CNNConfig):
    """(X_train, y_train, X_test, y_test, class names): float32 NCHW images in [0, 1] and int labels."""
    from nnlab.data import MNIST_CLASSES, get_image_dataset, load_digits, load_image_dataset, train_test_split

    if config.dataset == "digits":
        X, y = load_digits(return_images=True)
        X_train, X_test, y_train, y_test = train_test_split(X / 16.0, y, test_size=0.2, seed=config.seed)
        classes = MNIST_CLASSES  # the digits 0..9
    else:
        X_train, y_train = load_image_dataset(config.dataset, "train", directory=config.data_dir)
        X_test, y_test = load_image_dataset(config.dataset, "test", directory=config.data_dir)
        classes = get_image_dataset(config.dataset).class_names
    n_train, n_test = config.train_size, config.test_size
    return X_train[:n_train], y_train[:n_train], X_test[:n_test], y_test[:n_test], classes


def _confusion_figure(cm, classes, path: Path, title: str) -> Path:
    """The test set's confusion matrix, its axes labelled with the class names (slanted when they are words)."""
    from nnlab.plots import save
    from nnlab.plots.training import plot_confusion_matrix

    fig = plot_confusion_matrix(cm, class_names=classes, title=title)
    if max(len(c) for c in classes) > 2:  # "T-shirt/top", "Ankle boot": upright names would overlap
        for label in fig.axes[0].get_xticklabels():
            label.set(rotation=45, ha="right")
    return save(fig, path)


def run(config: CNNConfig) -> Result:
    """Train the network, plot its filters, feature maps, learning curves and confusion matrix, save it."""
    import numpy as np

    from nnlab.data import get_image_dataset
    from nnlab.io import save_model
    from nnlab.models.cnn import feature_maps, first_conv, lecture_cnn, lenet
    from nnlab.optim import SGD, Adam, ExponentialLR
    from nnlab.plots.cnn import plot_feature_maps, plot_filters
    from nnlab.plots.training import plot_learning_curves
    from nnlab.train import confusion_matrix, fit, predict

    config.check()
    X_train, y_train, X_test, y_test, classes = _load(config)
    out = Path(config.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    model = (lecture_cnn if config.dataset == "digits" else lenet)(rng=config.seed)
    if config.optimizer == "sgd":
        optimizer = SGD(model.parameters(), lr=config.lr, momentum=config.momentum)
    else:
        optimizer = Adam(model.parameters(), lr=config.lr)
    schedule = ExponentialLR(optimizer, gamma=config.lr_decay) if config.lr_decay != 1.0 else None
    start = time.perf_counter()
    history = fit(model, X_train, y_train, loss="cross_entropy", optimizer=optimizer, epochs=config.epochs,
                  batch_size=config.batch_size, validation_data=(X_test, y_test), metrics=("accuracy",),
                  schedule=schedule, seed=config.seed)
    seconds = time.perf_counter() - start
    predicted = predict(model, X_test, batch_size=1000).argmax(axis=1)
    accuracy = float(np.mean(predicted == y_test))
    cm = confusion_matrix(y_test, predicted, n_classes=len(classes))

    if config.dataset == "digits":
        name = "lecture CNN, digits 1x8x8"
    else:
        name = f"LeNet-5, {get_image_dataset(config.dataset).title} 1x28x28"
    figures = {
        "filters": plot_filters(first_conv(model).weight.numpy(), out / "filters.png",
                                title=f"{name}: first-layer filters"),
        "feature maps": plot_feature_maps(X_test[0], feature_maps(model, X_test[0]), out / "feature_maps.png",
                                          title=f"{name}: feature maps of test image 0 (label {int(y_test[0])})"),
        "learning curves": plot_learning_curves(history, out / "learning_curves.png",
                                                title=f"{name} (validation = test set, {len(y_test)} images)"),
        "confusion matrix": _confusion_figure(cm, classes, out / "confusion_matrix.png",
                                              title=f"{name}: test set, {len(y_test)} images"),
    }
    save_model(model, out / "model.npz")
    settings = {k: getattr(config, k) for k in ("epochs", "batch_size", "optimizer", "lr", "lr_decay", "momentum",
                                                 "train_size", "test_size")}
    metrics = {"dataset": config.dataset, "test_accuracy": accuracy, "train_seconds": seconds,
               "n_train": int(len(y_train)), "n_test": int(len(y_test)), "class_names": list(classes),
               "confusion_matrix": cm.tolist(), **settings}
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    return Result(headline=f"test accuracy: {accuracy:.4f}", numbers=metrics,
                  figures={k: Path(v) for k, v in figures.items()}, output_dir=out)
