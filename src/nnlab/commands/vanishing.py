"""``nnlab vanishing``: the lecture's vanishing/exploding-gradient study on a deep digits network.

Runs :mod:`nnlab.experiments.vanishing`: trains ``--depth`` hidden layers of ``--width`` units for
every activation x initialisation and writes into ``--output-dir``: ``gradient_norms.png``,
``activation_std.png``, ``saturated.png``, ``dead_relu.png``, ``activations_<name>.png``,
``learning_curves.png``, ``results.csv``, ``results.md`` and ``results.json``. Prints the
sigmoid/N(0, 1) first-to-last gradient-norm ratio on one line.
"""
from __future__ import annotations

import argparse

from nnlab.commands._common import add_output_dir, comma_names, output_dir, print_result

HELP = ("vanishing and exploding gradients: a deep digits network for every activation x initialisation "
        "(gradient norms per layer, activation histograms, learning curves, accuracy table)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from nnlab.experiments.vanishing import ACTIVATIONS, INITIALIZERS

    add_output_dir(parser, "vanishing")
    parser.add_argument("--activations", type=comma_names(), default=list(ACTIVATIONS),
                        help=f"hidden activations (default: {','.join(ACTIVATIONS)})")
    parser.add_argument("--inits", type=comma_names(example="normal,he_normal"), default=list(INITIALIZERS),
                        help=f"initialisers, 'normal' = N(0, 1) as in the lecture (default: {','.join(INITIALIZERS)})")
    parser.add_argument("--depth", type=int, default=10, help="hidden layers (default: 10)")
    parser.add_argument("--width", type=int, default=50, help="units per hidden layer (default: 50)")
    parser.add_argument("--epochs", type=int, default=20, help="epochs per case (default: 20)")
    parser.add_argument("--batch-size", type=int, default=32, help="minibatch size (default: 32)")
    parser.add_argument("--lr", type=float, default=0.05, help="SGD learning rate (default: 0.05)")
    parser.add_argument("--momentum", type=float, default=0.0, help="SGD momentum (default: 0)")
    parser.add_argument("--probe-size", type=int, default=512, help="rows of the probe batch (default: 512)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the split, weights, batches and probe")
    parser.add_argument("--jobs", type=int, default=2, help="parallel processes (default: 2)")
    parser.add_argument("--quick", action="store_true", help="a short run: at most 3 epochs, probe of at most 256 rows")


def run(args: argparse.Namespace) -> int:
    from nnlab.experiments.vanishing import VanishingConfig, run as run_vanishing

    epochs, probe = (min(args.epochs, 3), min(args.probe_size, 256)) if args.quick else (args.epochs, args.probe_size)
    config = VanishingConfig(activations=tuple(args.activations), inits=tuple(args.inits), depth=args.depth,
                             width=args.width, epochs=epochs, batch_size=args.batch_size, lr=args.lr,
                             momentum=args.momentum, probe_size=probe, seed=args.seed, jobs=args.jobs)
    config.check()
    config.output_dir = output_dir(args)
    return print_result(run_vanishing(config))
