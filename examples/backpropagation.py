"""The four backpropagation equations by hand, checked against nnlab's reverse-mode engine.

For the lecture's network a^0 = x -> z^1 = a^0 W^1 + b^1, a^1 = sigma(z^1) -> z^2 = a^1 W^2 + b^2,
p = softmax(z^2), with the summed cross-entropy C = -sum t log p:

    (BP1) delta^2 = dC/dz^2 = p - t                      nnlab/functional.py, cross_entropy's VJP
    (BP2) delta^1 = (delta^2 W^2^T) * sigma'(z^1)        nnlab/ops.py, linear's x-VJP and sigmoid's VJP
    (BP3) dC/db^l = sum over samples of delta^l           nnlab/ops.py, linear's b-VJP (sum_to)
    (BP4) dC/dW^l = a^{l-1}^T delta^l                     nnlab/ops.py, linear's W-VJP

Run:  python examples/backpropagation.py [--quick] [--output-dir DIR]
"""
import argparse
from pathlib import Path

import numpy as np

from nnlab import Tensor
from nnlab.data import load_digits, one_hot
from nnlab.models import lecture_mlp
from nnlab.nn import CrossEntropyLoss
from nnlab.optim import SGD
from nnlab.plots import new_figure, save


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def by_hand(x, t, W1, b1, W2, b2):
    """Forward pass, then the four equations, in plain NumPy."""
    a1 = sigmoid(x @ W1 + b1)                    # feed forward
    p = softmax(a1 @ W2 + b2)
    delta2 = p - t                               # BP1: output error of softmax + cross-entropy
    delta1 = (delta2 @ W2.T) * a1 * (1 - a1)     # BP2: sigma'(z) = sigma (1 - sigma)
    return {"layers.0.weight": x.T @ delta1,     # BP4
            "layers.0.bias": delta1.sum(axis=0),  # BP3
            "layers.1.weight": a1.T @ delta2,
            "layers.1.bias": delta2.sum(axis=0)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller batch")
    parser.add_argument("--output-dir", type=Path, default=Path("runs/examples"))
    args = parser.parse_args(argv)

    X, y = load_digits(dtype=np.float64)
    x, labels = X[: 20 if args.quick else 100] / 16.0, y[: 20 if args.quick else 100]
    model = lecture_mlp(rng=0)                    # 64 -> 50 sigmoid -> 10, weights N(0, 1), biases 0.01
    dense1, dense2 = model.layers

    loss = CrossEntropyLoss(reduction="sum")(model(Tensor(x)), labels)
    loss.backward()                               # nnlab: one reverse walk over the recorded graph
    engine = {name: p.grad for name, p in model.named_parameters()}
    hand = by_hand(x, one_hot(labels, 10), dense1.weight.data, dense1.bias.data, dense2.weight.data,
                   dense2.bias.data)
    for name in hand:
        error = np.max(np.abs(hand[name] - engine[name])) / np.max(np.abs(hand[name]))
        print(f"{name:<16} shape {str(hand[name].shape):<9} relative difference hand vs engine: {error:.1e}")

    # The update rule W <- W - eta dC/dW, b <- b - eta dC/db (SGD.step does it in place)
    before = CrossEntropyLoss(reduction="sum")(model(Tensor(x)), labels).item()
    SGD(model.parameters(), lr=0.01).step()
    after = CrossEntropyLoss(reduction="sum")(model(Tensor(x)), labels).item()
    print(f"one SGD step with eta = 0.01: cost {before:.2f} -> {after:.2f}")

    fig, ax = new_figure(figsize=(4.4, 4))
    for name in hand:
        ax.scatter(hand[name].ravel(), engine[name].ravel(), s=6, label=name)
    ax.set(xlabel="gradient by the four equations (NumPy)", ylabel="gradient by nnlab backward()",
           title="Every weight and bias gradient")
    ax.legend(fontsize=7)
    path = save(fig, args.output_dir / "backpropagation.png")
    print(f"figure: {path}")


if __name__ == "__main__":
    main()
