"""Overhead of the TrainingMonitor on the lecture's digits network (64-50-10 sigmoid, SGD, batch 100).

Trains the same network from the same seed without the monitor, with the monitor measuring
after every epoch (``every=1``) and with its default schedule (``every='auto'``, which keeps
measurements under 10 % of the training time), interleaving the runs, and prints the median
times and the median ratios of paired runs. The issue's target: at most 10 % extra time.

    python bench/diagnostics.py [--quick] [--epochs N] [--repeats R] [--probe-size P]
"""
from __future__ import annotations

import argparse
import statistics
import time

from nnlab.data import load_digits, train_test_split
from nnlab.diagnostics import TrainingMonitor
from nnlab.models.mlp import mlp
from nnlab.train import fit


def _train(X, y, epochs: int, callbacks) -> float:
    model = mlp(64, [50], 10, activation="sigmoid", rng=0)
    start = time.process_time()  # CPU time: the machine is shared, and wall time swings with the others' load
    fit(model, X, y, optimizer="sgd", lr=0.1, epochs=epochs, batch_size=100, callbacks=callbacks, seed=0)
    return time.process_time() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="30 epochs, 3 repeats")
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--probe-size", type=int, default=None, help="probe rows (default: the monitor's)")
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads (default 1, the fastest for these "
                        "small matrices; 0: the library's default)")
    args = parser.parse_args(argv)
    if args.threads > 0:
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:
            print("threadpoolctl is not installed: BLAS keeps its default number of threads")
        else:
            with threadpool_limits(args.threads):
                return _run(args)
    return _run(args)


def _run(args) -> int:
    epochs, repeats = (30, 3) if args.quick else (args.epochs, args.repeats)

    X, y = load_digits()
    X_train, _, y_train, _ = train_test_split(X, y, test_size=0.2, seed=0)
    X_train = X_train / 16.0
    kwargs = {} if args.probe_size is None else {"probe_size": args.probe_size}
    _train(X_train, y_train, 2, [])  # warm-up (imports, caches)
    times: dict[str, list[float]] = {"plain": [], "every=1": [], "auto": []}
    monitors = {}
    for _ in range(repeats):
        times["plain"].append(_train(X_train, y_train, epochs, []))
        for name, every in (("every=1", 1), ("auto", "auto")):
            monitors[name] = TrainingMonitor(X_train, y_train, every=every, **kwargs)
            times[name].append(_train(X_train, y_train, epochs, [monitors[name]]))
    probe = len(monitors["auto"].X_probe)
    print(f"digits 64-50-10 sigmoid, {epochs} epochs, batch 100 (15 steps an epoch), probe {probe} rows, "
          f"median of {repeats} interleaved runs, CPU time")
    print(f"{'no monitor':>22}: {statistics.median(times['plain']):.3f} s")
    for name in ("every=1", "auto"):
        ratio = statistics.median(b / a for a, b in zip(times["plain"], times[name]))
        m = monitors[name]
        print(f"{'monitor ' + name:>22}: {statistics.median(times[name]):.3f} s  ratio {ratio:.3f} "
              f"(+{100 * (ratio - 1):.1f} %; every {m.every_} epoch(s), {len(m.record)} measurements)")
    print("target: at most +10 % for the default ('auto') schedule")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
