"""``nnlab digits``: the lecture's feed-forward network on the 8x8 handwritten digits, end to end.

By default (and exactly with ``--lecture``) it is the lecture's set-up: 64 inputs (raw pixel
values 0..16), 50 sigmoid hidden units, 10 softmax outputs, weights N(0, 1) and biases 0.01,
cross-entropy summed over each batch of 100 with the L2 term lambda W added to the gradient,
plain SGD for 100 epochs, 80/20 train/test split. eta = 0.002 and lambda = 1 were the best of
a grid (eta 1e-3..5e-3, lambda 0.3..10, 5 seeds each: 0.974 mean test accuracy).
``--best`` switches to our stronger configuration (scaled inputs, 256 ReLU units with dropout,
Adam, averaged loss), which reaches about 98.5 %.
"""
from __future__ import annotations

import argparse
import json
import time

import numpy as np

from nnlab._threads import blas_threads
from nnlab.commands._common import add_output_dir, output_dir

HELP = "train the lecture's digits network; prints the test accuracy and the confusion matrix"

LECTURE = dict(hidden=[50], activation="sigmoid", optimizer="sgd", eta=0.002, lmbd=1.0, epochs=100, batch_size=100,
               reduction="sum", init="normal", scale="none", dropout=0.0, dtype="float64")
BEST = dict(hidden=[256], activation="relu", optimizer="adam", eta=1e-3, lmbd=1e-4, epochs=100, batch_size=64,
            reduction="mean", init="auto", scale="max", dropout=0.2, dtype="float32")
_OPTIONS = tuple(LECTURE)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    preset = parser.add_mutually_exclusive_group()
    preset.add_argument("--lecture", action="store_true",
                        help="exactly the lecture's configuration (the default; refuses options that change it)")
    preset.add_argument("--best", action="store_true",
                        help="our stronger configuration: inputs/16, 256 ReLU + dropout 0.2, Adam, mean loss")
    parser.add_argument("--hidden", type=int, action="append", metavar="N",
                        help="hidden layer width; repeat for more layers (default: 50)")
    parser.add_argument("--activation", help="hidden activation: sigmoid, tanh, relu, leaky_relu, elu (default: sigmoid)")
    parser.add_argument("--optimizer", help="sgd, adam, adamw, rmsprop, adagrad (default: sgd)")
    parser.add_argument("--eta", type=float, help="learning rate (default: 0.002)")
    parser.add_argument("--lmbd", type=float, help="L2 strength lambda: the gradient gets + lambda W (default: 1)")
    parser.add_argument("--epochs", type=int, help="epochs (default: 100)")
    parser.add_argument("--batch-size", type=int, help="minibatch size (default: 100)")
    parser.add_argument("--reduction", choices=("sum", "mean"),
                        help="sum the cost over the batch (the lecture) or average it (default: sum)")
    parser.add_argument("--init", help="weight initialiser: normal (the lecture's N(0,1)), glorot_uniform, he_normal, "
                                       "auto, ... (default: normal; biases start at 0.01 with normal)")
    parser.add_argument("--scale", choices=("none", "max", "standard"),
                        help="input scaling: raw pixels, /16, or standardised (default: none)")
    parser.add_argument("--dropout", type=float, help="dropout rate after each hidden layer (default: 0)")
    parser.add_argument("--dtype", choices=("float32", "float64"), help="parameter dtype (default: float64)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the split, the weights and the shuffling (default: 0)")
    parser.add_argument("--verbose", type=int, default=0, help="1: progress bar on a terminal")
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS threads (default: 1, the fastest for these small matrices; 0: library default)")
    add_output_dir(parser, "digits")


def settings(args: argparse.Namespace) -> dict:
    """The configuration of the run: the preset, with the options given on the command line on top."""
    given = {k: getattr(args, k) for k in _OPTIONS if getattr(args, k, None) is not None}
    if args.lecture and given:
        raise SystemExit(f"nnlab digits: --lecture fixes every setting; drop {', '.join('--' + k.replace('_', '-') for k in given)} "
                         "(or leave out --lecture to change them)")
    config = dict(BEST if args.best else LECTURE)
    config.update(given)
    config["preset"] = "best" if args.best else "lecture"
    _check(config)
    return config


def _check(config: dict) -> None:
    """Refuse numbers that cannot give a meaningful run (ValueError naming the option)."""
    for key in ("epochs", "batch_size"):
        if config[key] < 1:
            raise ValueError(f"--{key.replace('_', '-')} must be a positive integer, got {config[key]}")
    if min(config["hidden"]) < 1:
        raise ValueError(f"--hidden widths must be positive integers, got {config['hidden']}")
    if not 0.0 < config["eta"] < float("inf"):
        raise ValueError(f"--eta (the learning rate) must be a positive number, got {config['eta']}")
    if not 0.0 <= config["lmbd"] < float("inf"):
        raise ValueError(f"--lmbd (the L2 strength) must be a number >= 0, got {config['lmbd']}")
    if not 0.0 <= config["dropout"] < 1.0:
        raise ValueError(f"--dropout must lie in [0, 1), got {config['dropout']}")


def build(config: dict, n_inputs: int, n_classes: int, seed: int):
    """The model, loss, optimizer and penalty of a configuration."""
    from nnlab.models import mlp
    from nnlab.nn.losses import CrossEntropyLoss
    from nnlab.nn.regularization import L2
    from nnlab.optim import get_optimizer

    bias = 0.01 if config["init"] == "normal" else 0.0
    model = mlp(n_inputs, config["hidden"], n_classes, activation=config["activation"], weight_init=config["init"],
                bias_init=bias, dropout=config["dropout"], dtype=np.dtype(config["dtype"]), rng=seed)
    optimizer = get_optimizer(config["optimizer"], model.parameters(), lr=config["eta"])
    penalty = L2(config["lmbd"]) if config["lmbd"] else None
    return model, CrossEntropyLoss(reduction=config["reduction"]), optimizer, penalty


def _scale(config: dict, X_train: np.ndarray, X_test: np.ndarray):
    if config["scale"] == "max":
        return X_train / 16.0, X_test / 16.0
    if config["scale"] == "standard":
        from nnlab.data import StandardScaler

        scaler = StandardScaler().fit(X_train)
        return scaler.transform(X_train), scaler.transform(X_test)
    return X_train, X_test


def format_confusion(cm: np.ndarray) -> str:
    """The confusion matrix as a text table (rows: true digit, columns: predicted digit)."""
    width = max(3, len(str(cm.max())) + 1)
    head = "true\\pred" + "".join(f"{j:>{width}}" for j in range(cm.shape[1]))
    rows = [f"{i:>9}" + "".join(f"{v:>{width}}" for v in row) for i, row in enumerate(cm)]
    return "\n".join([head, *rows])


def run(args: argparse.Namespace) -> int:
    from nnlab.data import load_digits, train_test_split
    from nnlab.io import save_model
    from nnlab.plots.training import plot_confusion_matrix, plot_learning_curves
    from nnlab.train import TrainingDivergedError, accuracy, confusion_matrix, fit, predict

    config = settings(args)
    out = output_dir(args)
    X, y = load_digits(dtype=np.float64)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, seed=args.seed)
    X_train, X_test = _scale(config, X_train, X_test)
    model, loss, optimizer, penalty = build(config, X.shape[1], 10, args.seed)
    start = time.perf_counter()
    try:
        with blas_threads(args.threads):
            history = fit(model, X_train, y_train, loss=loss, optimizer=optimizer, epochs=config["epochs"],
                          batch_size=config["batch_size"], validation_data=(X_test, y_test), penalty=penalty,
                          seed=args.seed, verbose=args.verbose)
    except TrainingDivergedError as exc:
        print(f"nnlab digits: {exc}")
        return 1
    seconds = time.perf_counter() - start
    scores = predict(model, X_test)
    test_accuracy = accuracy(y_test, scores)
    cm = confusion_matrix(y_test, scores, n_classes=10)

    sizes = "-".join(str(s) for s in (X.shape[1], *config["hidden"], 10))
    plot_learning_curves(history, out / "learning_curves.png",
                         title=f"digits {sizes} {config['activation']}: training and test (dashed)")
    plot_confusion_matrix(cm, out / "confusion_matrix.png", title=f"digits, test accuracy {test_accuracy:.4f}")
    model_path = save_model(model, out / "model.npz")
    record = {"config": config, "seed": args.seed, "test_accuracy": test_accuracy, "train_seconds": seconds,
              "n_train": len(X_train), "n_test": len(X_test), "history": history.to_dict()["history"]}
    (out / "run.json").write_text(json.dumps(record, indent=1))

    print(f"test accuracy: {test_accuracy:.4f}")
    print(f"network {sizes} ({config['activation']}), {config['optimizer']} eta={config['eta']:g} "
          f"lambda={config['lmbd']:g} reduction={config['reduction']}, {config['epochs']} epochs of batch "
          f"{config['batch_size']}, {len(X_train)} training / {len(X_test)} test images, {seconds:.2f} s")
    print("confusion matrix (rows: true digit, columns: predicted digit):")
    print(format_confusion(cm))
    print(f"wrote {out / 'learning_curves.png'}, {out / 'confusion_matrix.png'}, {model_path}, {out / 'run.json'}")
    return 0
