"""``nnlab compare``: the lecture's networks trained by nnlab, scikit-learn, PyTorch and Keras side by side.

Writes ``compare.md`` and ``compare.csv`` (test accuracy and wall time per library and network,
accuracy after every epoch in the CSV) and ``compare_accuracy.png`` (accuracy per epoch) into
``--output-dir``; prints the test accuracies on one line. Libraries that are not installed are
skipped with a note (``pip install nnlab[compare]`` installs PyTorch and Keras).
"""
from __future__ import annotations

import argparse

HELP = "train the lecture's two digits networks with nnlab, scikit-learn, PyTorch and Keras (torch backend) and compare"


def _names(choices):
    def parse(text: str) -> list[str]:
        names = [v.strip() for v in text.split(",") if v.strip()]
        bad = [n for n in names if n not in choices]
        if not names or bad:
            raise argparse.ArgumentTypeError(f"choose from {', '.join(choices)} (comma-separated), got {text!r}")
        return names
    return parse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from nnlab.commands._common import add_output_dir
    from nnlab.experiments.compare import LIBRARIES, NETWORKS

    add_output_dir(parser, "compare")
    parser.add_argument("--libraries", type=_names(LIBRARIES), default=list(LIBRARIES),
                        help=f"comma-separated, from {','.join(LIBRARIES)} (default: all)")
    parser.add_argument("--networks", type=_names(tuple(NETWORKS)), default=list(NETWORKS),
                        help=f"comma-separated, from {','.join(NETWORKS)} (default: both)")
    parser.add_argument("--eta", type=float, default=0.5, help="SGD learning rate on the mean batch loss (default 0.5)")
    parser.add_argument("--lam", type=float, default=1e-4,
                        help="L2 strength, scikit-learn's alpha: lam/(2 n) ||W||^2 per batch of n (default 1e-4)")
    parser.add_argument("--epochs", type=int, default=100, help="epochs (default 100)")
    parser.add_argument("--batch-size", type=int, default=100, help="minibatch size (default 100)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the split, the initial weights and the batches")
    parser.add_argument("--threads", type=int, default=1, help="BLAS/PyTorch threads while training (default 1)")
    parser.add_argument("--quick", action="store_true", help="a short run: 10 epochs")


def run(args: argparse.Namespace) -> int:
    from nnlab.commands._common import output_dir
    from nnlab.experiments.compare import compare_libraries
    from nnlab.plots.compare import plot_epoch_accuracy

    if args.epochs < 1 or args.batch_size < 1 or args.threads < 1:
        raise SystemExit("--epochs, --batch-size and --threads must be positive integers")
    if not (args.eta > 0 and args.lam >= 0):
        raise SystemExit(f"--eta must be > 0 and --lam >= 0, got {args.eta} and {args.lam}")
    out = output_dir(args)
    result = compare_libraries(args.libraries, args.networks, eta=args.eta, lam=args.lam,
                     epochs=10 if args.quick else args.epochs, batch_size=args.batch_size, seed=args.seed,
                     threads=args.threads)
    result.to_csv(out / "compare.csv")
    (out / "compare.md").write_text(result.to_markdown())
    plot_epoch_accuracy(result, out / "compare_accuracy.png")
    parts = [f"{r.library} {r.network} {r.test_accuracy:.4f} ({r.wall_time:.2f} s)" for r in result.rows]
    skipped = f"; skipped: {', '.join(n.split(' ')[0] for n in result.notes)}" if result.notes else ""
    print(f"test accuracy: {'; '.join(parts)}{skipped} ({out})")
    return 0
