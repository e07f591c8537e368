"""``nnlab cnn``: the lecture's CNN on the 8x8 digits, or LeNet-5 on MNIST or Fashion-MNIST
(:mod:`nnlab.experiments.cnn`).

Writes learning_curves.png, filters.png, feature_maps.png, confusion_matrix.png, model.npz and
metrics.json into --output-dir; prints ``test accuracy: 0.9xxx``. A missing data set ends the
command with one line naming the places searched.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from nnlab.commands._common import add_output_dir, output_dir, print_result

HELP = ("train the lecture's CNN on the 8x8 digits or LeNet-5 on MNIST or Fashion-MNIST; plots filters, feature maps "
        "and the confusion matrix")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from nnlab.experiments.cnn import DATASETS

    parser.add_argument("--dataset", choices=DATASETS, default="digits",
                        help="digits: scikit-learn's 1x8x8 digits, 80/20 split (default); mnist, fashion-mnist: "
                             "1x28x28 IDX files, 60 000 training and 10 000 test images")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="directory of the data set's four IDX files, gzip or raw (default: $NNLAB_DATA/<dataset>, "
                             "then nnlab.data.data_home()/<dataset>)")
    parser.add_argument("--epochs", type=int, default=None,
                        help="passes over the training set (digits 100, mnist and fashion-mnist 4)")
    parser.add_argument("--batch-size", type=int, default=None, help="minibatch size (digits 100, MNIST-type 128)")
    parser.add_argument("--optimizer", choices=["sgd", "adam"], default=None, help="digits: sgd, MNIST-type: adam")
    parser.add_argument("--lr", type=float, default=None,
                        help="learning rate (digits: sgd 0.1; MNIST-type: adam 0.002)")
    parser.add_argument("--lr-decay", type=float, default=None,
                        help="multiply the learning rate by this after every epoch (digits 1, MNIST-type 0.6)")
    parser.add_argument("--momentum", type=float, default=None, help="SGD momentum (default 0, the lecture's)")
    parser.add_argument("--train-size", type=int, default=None, help="use only the first N training images")
    parser.add_argument("--test-size", type=int, default=None, help="use only the first N test images")
    parser.add_argument("--seed", type=int, default=0, help="seed of the weights, the split and the shuffling")
    parser.add_argument("--quick", action="store_true",
                        help="a short run: digits 30 epochs with momentum 0.9; MNIST-type 1 epoch on 10 000 images")
    add_output_dir(parser, "cnn")


def run(args: argparse.Namespace) -> int:
    from nnlab.experiments.cnn import config_from, run as run_cnn

    config = config_from(args.dataset, quick=args.quick, data_dir=args.data_dir, seed=args.seed,
                         **{k: getattr(args, k) for k in ("epochs", "batch_size", "optimizer", "lr", "lr_decay",
                                                           "momentum", "train_size", "test_size")})
    config.output_dir = output_dir(args)
    return print_result(run_cnn(config))
