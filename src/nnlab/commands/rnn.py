"""``nnlab rnn sine|digits``: recurrent networks trained by backpropagation through time (:mod:`nnlab.experiments.rnn`).

``sine`` prints ``test mse: ...`` with the persistence baseline; ``digits`` prints ``test accuracy: ...``.
"""
from __future__ import annotations

import argparse

from nnlab.commands._common import add_output_dir, output_dir, print_result

HELP = "recurrent networks (Elman RNN, LSTM): noisy sine next-value prediction or digits read row by row"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("task", choices=("digits", "sine"), help="sine: next-value prediction; digits: row-by-row classifier")
    parser.add_argument("--cell", choices=["rnn", "lstm"], default=None, help="recurrent layer (default lstm)")
    parser.add_argument("--hidden-size", type=int, default=None, help="hidden units (sine 32, digits 64)")
    parser.add_argument("--epochs", type=int, default=None, help="passes over the training set (sine 30, digits 20)")
    parser.add_argument("--lr", type=float, default=None, help="Adam learning rate (default 0.003)")
    parser.add_argument("--batch-size", type=int, default=32, help="minibatch size (default 32)")
    parser.add_argument("--clip-norm", type=float, default=1.0, help="clip the global gradient norm to this (default 1)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the data, the weights and the shuffling")
    parser.add_argument("--quick", action="store_true", help="a short run (fewer epochs and, for sine, fewer windows)")
    add_output_dir(parser, "rnn")


def run(args: argparse.Namespace) -> int:
    from nnlab.experiments.rnn import config_from, run as run_rnn

    config = config_from(args.task, quick=args.quick, seed=args.seed,
                         **{k: getattr(args, k) for k in ("cell", "hidden_size", "epochs", "lr", "batch_size",
                                                           "clip_norm")})
    config.output_dir = output_dir(args)
    return print_result(run_rnn(config))
