"""Benchmark: nnlab CNNs against PyTorch on the CPU, same network, batch size, optimiser and data.

    python bench/cnn.py [--quick] [--data-dir ../shared/data/mnist] [--threads N]

Prints, for the lecture's CNN on the 8x8 digits (batch 100) and for LeNet-5 on MNIST (batch 128),
the training time of one epoch for nnlab and PyTorch and their ratio (target: nnlab <= 1.0x), and
the peak memory of nnlab training LeNet on MNIST at batch 128 (target: under 1 GiB), measured in
a child process that never imports PyTorch.

Both sides run the same explicit loop (forward, softmax cross-entropy, backward, SGD step) on
float32. The two libraries are timed in alternating blocks and the median block is kept, so load
from other processes on the machine hits both alike. The LeNet epoch time is the median time per
step times the 469 steps of an epoch (``--full-epoch`` times a whole epoch instead).
"""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from nnlab import Tensor  # noqa: E402
from nnlab import functional as F  # noqa: E402
from nnlab.models.cnn import lecture_cnn, lenet  # noqa: E402
from nnlab.optim import SGD  # noqa: E402

# ../shared/data/mnist beside the repository (a git worktree one level deeper looks one level further up)
DEFAULT_MNIST = next((p / "shared" / "data" / "mnist" for p in (ROOT.parent, ROOT.parent.parent)
                      if (p / "shared" / "data" / "mnist").is_dir()), ROOT.parent / "shared" / "data" / "mnist")


# ----------------------------------------------------------------------------------------------
# Data
# ----------------------------------------------------------------------------------------------
def digits_data(seed: int = 0):
    from nnlab.data import load_digits, train_test_split

    X, y = load_digits(return_images=True)
    X_train, _, y_train, _ = train_test_split(X / 16.0, y, test_size=0.2, seed=seed)
    return np.ascontiguousarray(X_train, dtype=np.float32), y_train


def mnist_data(directory: Path, n: int | None = None):
    """MNIST training images (N, 1, 28, 28) in [0, 1], or random ones of that shape if the files are absent."""
    try:
        from nnlab.data import load_mnist

        X, y = load_mnist(directory, "train")
        note = f"MNIST from {directory}"
    except FileNotFoundError:
        rng = np.random.default_rng(0)
        X = rng.random((60000, 1, 28, 28), dtype=np.float32)
        y = rng.integers(0, 10, 60000)
        note = f"random images of MNIST's shape ({directory} has no MNIST files)"
    if n is not None:
        X, y = X[:n], y[:n]
    return np.ascontiguousarray(X, dtype=np.float32), y, note


# ----------------------------------------------------------------------------------------------
# The two training loops
# ----------------------------------------------------------------------------------------------
def nnlab_trainer(model, X, y, batch_size, lr=0.01):
    opt = SGD(model.parameters(), lr=lr)

    def steps(start: int, count: int) -> int:
        n = len(X)
        for k in range(count):
            i = ((start + k) * batch_size) % (n - batch_size + 1)
            opt.zero_grad()
            loss = F.cross_entropy(model(Tensor(X[i:i + batch_size])), y[i:i + batch_size])
            loss.backward()
            opt.step()
        return count

    return steps


def torch_model(name: str):
    import torch

    nn = torch.nn
    if name == "lecture":
        return nn.Sequential(nn.Conv2d(1, 10, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                             nn.Linear(160, 50), nn.ReLU(), nn.Linear(50, 10))
    return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                         nn.Linear(84, 10))


def torch_trainer(model, X, y, batch_size, lr=0.01):
    import torch

    Xt, yt = torch.from_numpy(X), torch.from_numpy(np.asarray(y, dtype=np.int64))
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = torch.nn.functional.cross_entropy

    def steps(start: int, count: int) -> int:
        n = len(X)
        for k in range(count):
            i = ((start + k) * batch_size) % (n - batch_size + 1)
            opt.zero_grad()
            loss = loss_fn(model(Xt[i:i + batch_size]), yt[i:i + batch_size])
            loss.backward()
            opt.step()
        return count

    return steps


def alternate(trainers: dict, steps_per_block: int, rounds: int) -> tuple[dict, dict]:
    """Median and fastest seconds per step of each trainer, timed in alternating blocks after a warm-up."""
    times = {name: [] for name in trainers}
    for name, run in trainers.items():
        run(0, max(2, steps_per_block // 4))  # warm-up: allocations, caches, lazy imports
    for r in range(rounds):
        for name, run in trainers.items():
            start = time.perf_counter()
            run(r * steps_per_block, steps_per_block)
            times[name].append((time.perf_counter() - start) / steps_per_block)
    return ({name: statistics.median(t) for name, t in times.items()}, {name: min(t) for name, t in times.items()})


def fastest_note(fastest: dict) -> str:
    return f"; fastest blocks {fastest['nnlab'] / fastest['torch']:.2f}x"


# ----------------------------------------------------------------------------------------------
# Memory (child process: no PyTorch in it)
# ----------------------------------------------------------------------------------------------
def memory_child(data_dir: Path, steps: int, batch_size: int) -> None:
    tracemalloc.start()
    X, y, note = mnist_data(data_dir)
    model = lenet(rng=0)
    run = nnlab_trainer(model, X, y, batch_size)
    run(0, steps)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    maxrss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(json.dumps({"tracemalloc_peak": peak, "maxrss": maxrss_kib * 1024, "data_bytes": X.nbytes, "note": note}))


def measure_memory(data_dir: Path, steps: int, batch_size: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--memory-child", "--data-dir", str(data_dir),
                          "--steps", str(steps), "--batch-size", str(batch_size)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------------------------------------
def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer and shorter timing blocks")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_MNIST, help="directory of the MNIST IDX files")
    parser.add_argument("--threads", type=int, default=None,
                        help="limit both PyTorch and NumPy's BLAS to this many threads (default: as installed)")
    parser.add_argument("--batch-size", type=int, default=128, help="LeNet batch size (default 128)")
    parser.add_argument("--steps", type=int, default=None, help="LeNet steps per timing block")
    parser.add_argument("--full-epoch", action="store_true", help="time one whole MNIST epoch per library")
    parser.add_argument("--memory-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.memory_child:
        memory_child(args.data_dir, args.steps or 20, args.batch_size)
        return 0
    try:
        import torch
    except ImportError:
        print("PyTorch is not installed: no reference to compare with (pip install torch); skipping the timings")
        torch = None

    limits = None
    if args.threads is not None:
        from threadpoolctl import threadpool_limits

        limits = threadpool_limits(args.threads)
        if torch is not None:
            torch.set_num_threads(args.threads)
    if torch is not None:
        torch.manual_seed(0)
        print(f"threads: PyTorch {torch.get_num_threads()}, NumPy BLAS "
              f"{args.threads if args.threads is not None else 'default'}")

    rounds = 3 if args.quick else 7
    ratios = {}
    if torch is not None:
        # The lecture's CNN on the digits: batch 100, 1437 training images -> 15 steps an epoch.
        X, y = digits_data()
        steps_per_epoch = -(-len(X) // 100)
        t, fastest = alternate({"nnlab": nnlab_trainer(lecture_cnn(rng=0), X, y, 100),
                                "torch": torch_trainer(torch_model("lecture"), X, y, 100)},
                               steps_per_epoch * (2 if args.quick else 5), rounds)
        ratios["lecture"] = t["nnlab"] / t["torch"]
        print(f"lecture CNN, digits 1x8x8, batch 100: epoch nnlab {t['nnlab'] * steps_per_epoch * 1e3:.1f} ms, "
              f"PyTorch {t['torch'] * steps_per_epoch * 1e3:.1f} ms, ratio {ratios['lecture']:.2f}x "
              f"(100 epochs: {t['nnlab'] * steps_per_epoch * 100:.2f} s vs {t['torch'] * steps_per_epoch * 100:.2f} s"
              f"{fastest_note(fastest)})")

        # LeNet-5 on MNIST.
        X, y, note = mnist_data(args.data_dir)
        bs = args.batch_size
        steps_per_epoch = -(-len(X) // bs)
        ours, theirs = nnlab_trainer(lenet(rng=0), X, y, bs), torch_trainer(torch_model("lenet"), X, y, bs)
        if args.full_epoch:
            t = {}
            for name, run in (("nnlab", ours), ("torch", theirs)):
                start = time.perf_counter()
                run(0, steps_per_epoch)
                t[name] = (time.perf_counter() - start) / steps_per_epoch
            how = "whole epoch"
        else:
            t, fastest = alternate({"nnlab": ours, "torch": theirs}, args.steps or (10 if args.quick else 30), rounds)
            how = f"median step x {steps_per_epoch} steps{fastest_note(fastest)}"
        ratios["lenet"] = t["nnlab"] / t["torch"]
        print(f"LeNet-5, {note}, batch {bs}: epoch nnlab {t['nnlab'] * steps_per_epoch:.2f} s, "
              f"PyTorch {t['torch'] * steps_per_epoch:.2f} s, ratio {ratios['lenet']:.2f}x ({how})")
    if limits is not None:
        limits.unregister()

    mem = measure_memory(args.data_dir, 5 if args.quick else 20, args.batch_size)
    gib = 2 ** 30
    print(f"peak memory, nnlab LeNet training on MNIST at batch {args.batch_size}: "
          f"{mem['maxrss'] / gib:.2f} GiB resident (tracemalloc peak {mem['tracemalloc_peak'] / gib:.2f} GiB, "
          f"of which the float32 training images {mem['data_bytes'] / gib:.2f} GiB); target < 1 GiB")
    if ratios:
        print("ratios nnlab/PyTorch: " + ", ".join(f"{k} {v:.2f}x" for k, v in ratios.items()) + " (target <= 1.0x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
