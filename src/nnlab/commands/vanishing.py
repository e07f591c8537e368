"""``nnlab vanishing``: the lecture's vanishing/exploding-gradient study on a deep digits network.

Trains ``--depth`` hidden layers of ``--width`` units for every activation x initialisation and
writes into ``--output-dir``: ``gradient_norms.png`` (per-layer gradient norms after the first
epoch), ``activation_std.png``, ``saturated.png``, ``dead_relu.png``, ``activations_<name>.png``
(histograms of each hidden layer's output before and after training), ``learning_curves.png``,
``results.csv`` and ``results.md`` (final accuracies and gradient ratios) and ``results.json``
(everything). Prints the sigmoid/N(0, 1) first-to-last gradient-norm ratio on one line.
"""
from __future__ import annotations

import argparse

from nnlab.commands._common import add_output_dir, output_dir

HELP = ("vanishing and exploding gradients: a deep digits network for every activation x initialisation "
        "(gradient norms per layer, activation histograms, learning curves, accuracy table)")


def _names(text: str) -> list[str]:
    names = [v.strip() for v in text.split(",") if v.strip()]
    if not names:
        raise argparse.ArgumentTypeError(f"expected comma-separated names like sigmoid,relu, got {text!r}")
    return names


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from nnlab.experiments.vanishing import ACTIVATIONS, INITIALIZERS

    add_output_dir(parser, "vanishing")
    parser.add_argument("--activations", type=_names, default=list(ACTIVATIONS),
                        help=f"hidden activations (default: {','.join(ACTIVATIONS)})")
    parser.add_argument("--inits", type=_names, default=list(INITIALIZERS),
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
    parser.add_argument("--quick", action="store_true", help="a short run: 3 epochs, probe of 256 rows")


def run(args: argparse.Namespace) -> int:
    from nnlab.experiments.vanishing import vanishing_study
    from nnlab.plots.vanishing import save_vanishing_figures

    for name in ("depth", "width", "epochs", "batch_size", "probe_size", "jobs"):
        if getattr(args, name) < 1:
            raise SystemExit(f"--{name.replace('_', '-')} must be a positive integer, got {getattr(args, name)}")
    if not args.lr > 0 or args.momentum < 0:
        raise SystemExit(f"--lr must be > 0 and --momentum >= 0, got {args.lr} and {args.momentum}")
    epochs, probe = (min(args.epochs, 3), min(args.probe_size, 256)) if args.quick else (args.epochs, args.probe_size)
    try:
        result = vanishing_study(args.activations, args.inits, depth=args.depth, width=args.width, epochs=epochs,
                                 batch_size=args.batch_size, lr=args.lr, momentum=args.momentum, probe_size=probe,
                                 seed=args.seed, n_jobs=args.jobs)
    except ValueError as exc:
        raise SystemExit(f"nnlab vanishing: {exc}") from None
    out = output_dir(args)
    result.to_csv(out / "results.csv")
    (out / "results.md").write_text(result.to_markdown())
    result.to_json(out / "results.json")
    save_vanishing_figures(result, out)
    print(result.headline())
    return 0
