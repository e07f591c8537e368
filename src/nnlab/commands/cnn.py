"""``nnlab cnn``: train a convolutional network on the 8x8 digits (the lecture's CNN) or on MNIST (LeNet-5).

Writes into --output-dir: ``learning_curves.png`` (loss and accuracy per epoch, training and test),
``filters.png`` (the first convolution's learned kernels), ``feature_maps.png`` (what each
convolution and pooling layer makes of the first test image), ``model.npz`` (nnlab.io.save_model)
and ``metrics.json``; prints ``test accuracy: 0.9xxx``.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from nnlab.commands._common import add_output_dir, output_dir

HELP = "train the lecture's CNN on the 8x8 digits or LeNet-5 on MNIST; plots filters and feature maps"

# Defaults per data set: the lecture's plain SGD (eta = 0.1, batch 100, 100 epochs) for the digits;
# for LeNet on MNIST Adam with eta = 0.002 decayed by 0.6 an epoch (98.8 % test accuracy after 4 epochs).
DEFAULTS = {
    "digits": {"epochs": 100, "batch_size": 100, "optimizer": "sgd", "lr": 0.1, "lr_decay": 1.0},
    "mnist": {"epochs": 4, "batch_size": 128, "optimizer": "adam", "lr": 2e-3, "lr_decay": 0.6},
}
QUICK = {"digits": {"epochs": 30, "momentum": 0.9}, "mnist": {"epochs": 1, "train_size": 10000, "test_size": 2000}}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dataset", choices=sorted(DEFAULTS), default="digits",
                        help="digits: scikit-learn's 1x8x8 digits, 80/20 split (default); mnist: 1x28x28 IDX files")
    parser.add_argument("--data-dir", type=Path, default=Path("data/mnist"),
                        help="directory of the MNIST IDX files, gzip or raw (default: data/mnist)")
    parser.add_argument("--epochs", type=int, default=None, help="passes over the training set (digits 100, mnist 4)")
    parser.add_argument("--batch-size", type=int, default=None, help="minibatch size (digits 100, mnist 128)")
    parser.add_argument("--optimizer", choices=["sgd", "adam"], default=None, help="digits: sgd, mnist: adam")
    parser.add_argument("--lr", type=float, default=None, help="learning rate (digits: sgd 0.1; mnist: adam 0.002)")
    parser.add_argument("--lr-decay", type=float, default=None,
                        help="multiply the learning rate by this after every epoch (digits 1, mnist 0.6)")
    parser.add_argument("--momentum", type=float, default=None, help="SGD momentum (default 0, the lecture's)")
    parser.add_argument("--train-size", type=int, default=None, help="use only the first N training images")
    parser.add_argument("--test-size", type=int, default=None, help="use only the first N test images")
    parser.add_argument("--seed", type=int, default=0, help="seed of the weights, the split and the shuffling")
    parser.add_argument("--quick", action="store_true",
                        help="a short run: digits 30 epochs with momentum 0.9; mnist 1 epoch on 10 000 images")
    add_output_dir(parser, "cnn")


def _settings(args: argparse.Namespace) -> dict:
    settings = {"momentum": 0.0, "train_size": None, "test_size": None, **DEFAULTS[args.dataset]}
    if args.quick:
        settings.update(QUICK[args.dataset])
    for key in ("epochs", "batch_size", "optimizer", "lr", "lr_decay", "momentum", "train_size", "test_size"):
        value = getattr(args, key)
        if value is not None:
            settings[key] = value
    if args.optimizer is not None and args.lr is None:
        settings["lr"] = DEFAULTS["digits" if args.optimizer == "sgd" else "mnist"]["lr"]
    for key in ("epochs", "batch_size", "train_size", "test_size"):
        if settings[key] is not None and settings[key] < 1:
            raise ValueError(f"--{key.replace('_', '-')} must be a positive integer, got {settings[key]}")
    if settings["lr"] <= 0:
        raise ValueError(f"--lr must be positive, got {settings['lr']}")
    if not 0 < settings["lr_decay"] <= 1:
        raise ValueError(f"--lr-decay must lie in (0, 1], got {settings['lr_decay']}")
    return settings


def _load(args: argparse.Namespace, settings: dict):
    """(X_train, y_train, X_test, y_test) as float32 NCHW images in [0, 1] and int labels."""
    from nnlab.data import load_digits, load_mnist, train_test_split

    if args.dataset == "digits":
        X, y = load_digits(return_images=True)
        X_train, X_test, y_train, y_test = train_test_split(X / 16.0, y, test_size=0.2, seed=args.seed)
    else:
        X_train, y_train = load_mnist(args.data_dir, "train")
        X_test, y_test = load_mnist(args.data_dir, "test")
    n_train, n_test = settings["train_size"], settings["test_size"]
    return X_train[:n_train], y_train[:n_train], X_test[:n_test], y_test[:n_test]


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from nnlab.io import save_model
    from nnlab.models.cnn import feature_maps, first_conv, lecture_cnn, lenet
    from nnlab.optim import SGD, Adam, ExponentialLR
    from nnlab.plots.cnn import plot_feature_maps, plot_filters
    from nnlab.plots.training import plot_learning_curves
    from nnlab.train import fit, predict

    settings = _settings(args)
    X_train, y_train, X_test, y_test = _load(args, settings)
    out = output_dir(args)
    model = (lecture_cnn if args.dataset == "digits" else lenet)(rng=args.seed)
    if settings["optimizer"] == "sgd":
        optimizer = SGD(model.parameters(), lr=settings["lr"], momentum=settings["momentum"])
    else:
        optimizer = Adam(model.parameters(), lr=settings["lr"])
    schedule = ExponentialLR(optimizer, gamma=settings["lr_decay"]) if settings["lr_decay"] != 1.0 else None
    start = time.perf_counter()
    history = fit(model, X_train, y_train, loss="cross_entropy", optimizer=optimizer, epochs=settings["epochs"],
                  batch_size=settings["batch_size"], validation_data=(X_test, y_test), metrics=("accuracy",),
                  schedule=schedule, seed=args.seed)
    seconds = time.perf_counter() - start
    accuracy = float(np.mean(predict(model, X_test, batch_size=1000).argmax(axis=1) == y_test))

    name = "lecture CNN, digits 1x8x8" if args.dataset == "digits" else "LeNet-5, MNIST 1x28x28"
    plot_learning_curves(history, out / "learning_curves.png",
                         title=f"{name} (validation = test set, {len(y_test)} images)")
    plot_filters(first_conv(model).weight.numpy(), out / "filters.png", title=f"{name}: first-layer filters")
    plot_feature_maps(X_test[0], feature_maps(model, X_test[0]), out / "feature_maps.png",
                      title=f"{name}: feature maps of test image 0 (label {int(y_test[0])})")
    save_model(model, out / "model.npz")
    metrics = {"dataset": args.dataset, "test_accuracy": accuracy, "train_seconds": seconds,
               "n_train": int(len(y_train)), "n_test": int(len(y_test)), **settings}
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    print(f"test accuracy: {accuracy:.4f}")
    return 0
