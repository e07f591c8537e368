"""Engine overhead: small-tensor operations and a 64-50-10 MLP step, against PyTorch CPU eager.

Run ``python bench/engine.py`` (or ``--quick`` for a short run). For each operation on 10x10
float32 tensors it times the forward pass alone and forward + backward (sum, then backward),
for nnlab and for PyTorch when it is installed, and prints the ratio (target: at most 2x
PyTorch per operation). The MLP is the lecture's digits network (64-50-10, sigmoid hidden
layer, fused softmax cross-entropy, batch 100, in float32 and in the lecture's float64):
forward, backward and an SGD update, also against the hand-written NumPy step that the lecture
derives. Times are the best of several repeats, in microseconds per call, measured as CPU time
of this process (robust on a shared machine; BLAS and PyTorch run on one thread for the same
reason); ``--wall`` uses wall-clock time.
"""
from __future__ import annotations

import argparse
import time
from typing import Callable

import numpy as np

import nnlab
from nnlab import Tensor, ops
from nnlab import functional as F


CLOCK = time.process_time


def best_time(fn: Callable[[], object], number: int, repeat: int) -> float:
    """Microseconds per call: the minimum over ``repeat`` runs of ``number`` calls."""
    for _ in range(max(number // 10, 1)):  # warm up caches and allocators
        fn()
    best = float("inf")
    for _ in range(repeat):
        start = CLOCK()
        for _ in range(number):
            fn()
        best = min(best, (CLOCK() - start) / number)
    return best * 1e6


# --------------------------------------------------------------------------------------------
# Small operations
# --------------------------------------------------------------------------------------------
OPERATIONS = {
    "add": (2, lambda a, b: a + b),
    "mul": (2, lambda a, b: a * b),
    "matmul": (2, lambda a, b: a @ b),
    "tanh": (1, lambda a: a.tanh()),
    "sigmoid": (1, lambda a: a.sigmoid()),
    "exp": (1, lambda a: a.exp()),
    "sum": (1, lambda a: a.sum(axis=0)),
}


def _op_closures(leaf, name: str, arrays: list[np.ndarray]):
    """(forward, forward_backward) closures of operation ``name`` on leaves ``leaf(array)``."""
    arity, op = OPERATIONS[name]
    xs = [leaf(a) for a in arrays[:arity]]

    def forward():
        return op(*xs)

    def forward_backward():
        op(*xs).sum().backward()
        for x in xs:
            x.grad = None

    return forward, forward_backward


def nnlab_op(name: str, arrays: list[np.ndarray]):
    return _op_closures(lambda a: Tensor(a, requires_grad=True), name, arrays)


def torch_op(torch, name: str, arrays: list[np.ndarray]):
    return _op_closures(lambda a: torch.tensor(a, requires_grad=True), name, arrays)


# --------------------------------------------------------------------------------------------
# The digits MLP step
# --------------------------------------------------------------------------------------------
def mlp_data(rng: np.random.Generator, dtype=np.float32):
    x = rng.standard_normal((100, 64)).astype(dtype)
    labels = rng.integers(0, 10, 100)
    weights = [
        (rng.standard_normal((64, 50)) / 8).astype(dtype),
        np.zeros(50, dtype),
        (rng.standard_normal((50, 10)) / 7).astype(dtype),
        np.zeros(10, dtype),
    ]
    return x, labels, weights


def nnlab_mlp_step(x, labels, weights, lr=0.1):
    w1, b1, w2, b2 = params = [Tensor(w.copy(), requires_grad=True) for w in weights]

    def step():
        loss = F.cross_entropy(ops.linear(ops.sigmoid(ops.linear(x, w1, b1)), w2, b2), labels)
        loss.backward()
        for p in params:
            p.data -= lr * p.grad
            p.grad = None

    return step


def torch_mlp_step(torch, x, labels, weights, lr=0.1):
    tf = torch.nn.functional
    w1, b1, w2, b2 = params = [torch.tensor(w.T.copy() if w.ndim == 2 else w, requires_grad=True) for w in weights]
    tx, tlabels = torch.tensor(x), torch.tensor(labels)

    def step():
        loss = tf.cross_entropy(tf.linear(torch.sigmoid(tf.linear(tx, w1, b1)), w2, b2), tlabels)
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
                p.grad = None

    return step


def numpy_mlp_step(x, labels, weights, lr=0.1):
    """The lecture's hand-derived backpropagation (delta^L = p - y), with a stable softmax."""
    w1, b1, w2, b2 = [w.copy() for w in weights]
    y = np.eye(10, dtype=x.dtype)[labels]
    n = x.shape[0]

    def step():
        nonlocal w1, b1, w2, b2
        a_h = 1.0 / (1.0 + np.exp(-(x @ w1 + b1)))
        z_o = a_h @ w2 + b2
        e = np.exp(z_o - z_o.max(axis=1, keepdims=True))
        error_output = (e / e.sum(axis=1, keepdims=True) - y) / n
        error_hidden = (error_output @ w2.T) * a_h * (1 - a_h)
        w2 -= lr * (a_h.T @ error_output)
        b2 -= lr * error_output.sum(axis=0)
        w1 -= lr * (x.T @ error_hidden)
        b1 -= lr * error_hidden.sum(axis=0)

    return step


# --------------------------------------------------------------------------------------------
def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer calls and repeats (a few seconds)")
    parser.add_argument("--wall", action="store_true", help="wall-clock instead of process CPU time")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    global CLOCK
    CLOCK = time.perf_counter if args.wall else time.process_time
    number, repeat = (300, 3) if args.quick else (3000, 7)

    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)  # one BLAS thread: the matrices are small, and the machine may be shared
    except ImportError:
        print("note: threadpoolctl is not installed; BLAS uses its default number of threads")
    try:
        import torch

        torch.set_num_threads(1)  # small tensors: threads only add overhead; fair on a shared machine
    except ImportError:
        torch = None
        print("note: PyTorch is not installed (pip install torch==2.13.0); reporting nnlab times only")

    rng = np.random.default_rng(args.seed)
    arrays = [rng.standard_normal((10, 10)).astype(np.float32) for _ in range(2)]
    print(f"nnlab {nnlab.__version__}, NumPy {np.__version__}" + (f", PyTorch {torch.__version__}" if torch else ""))
    print(f"{'operation (10x10 float32)':34s} {'nnlab us':>9s} {'torch us':>9s} {'ratio':>6s}")
    ratios = []
    for name in OPERATIONS:
        ours = nnlab_op(name, arrays)
        theirs = torch_op(torch, name, arrays) if torch else (None, None)
        for label, k in (("forward", 0), ("forward+backward", 1)):
            t_ours = best_time(ours[k], number, repeat)
            if torch:
                t_theirs = best_time(theirs[k], number, repeat)
                ratios.append(t_ours / t_theirs)
                print(f"{name + ' ' + label:34s} {t_ours:9.2f} {t_theirs:9.2f} {t_ours / t_theirs:6.2f}")
            else:
                print(f"{name + ' ' + label:34s} {t_ours:9.2f} {'-':>9s} {'-':>6s}")

    steps = max(number // 3, 100)
    for dtype in (np.float32, np.float64):
        x, labels, weights = mlp_data(rng, dtype)
        t_mlp = best_time(nnlab_mlp_step(x, labels, weights), steps, repeat)
        t_numpy = best_time(numpy_mlp_step(x, labels, weights), steps, repeat)
        print(f"\n{'MLP 64-50-10 step, ' + np.dtype(dtype).name:34s} {'us':>9s} {'nnlab/x':>9s}")
        print(f"{'nnlab':34s} {t_mlp:9.1f} {1.0:9.2f}")
        print(f"{'hand-written NumPy (lecture)':34s} {t_numpy:9.1f} {t_mlp / t_numpy:9.2f}")
        if torch:
            t_torch = best_time(torch_mlp_step(torch, x, labels, weights), steps, repeat)
            print(f"{'PyTorch eager':34s} {t_torch:9.1f} {t_mlp / t_torch:9.2f}")
    if ratios:
        print(f"\nper-operation overhead vs PyTorch: median ratio {np.median(ratios):.2f}, "
              f"worst {max(ratios):.2f} (target <= 2)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
