"""Initialisation and vanishing gradients: per-layer gradient norms of a deep network on the digits
for each activation and initialisation, then a few epochs of training.

Run:  python examples/vanishing_gradients.py [--quick] [--output-dir DIR]
"""
import argparse
from pathlib import Path

import numpy as np

from nnlab.data import StandardScaler, load_digits, train_test_split
from nnlab.diagnostics import first_to_last_ratio, layer_statistics
from nnlab.models import mlp
from nnlab.plots import new_figure, save
from nnlab.train import fit

CASES = [("sigmoid", "normal"), ("sigmoid", "glorot_uniform"), ("tanh", "glorot_uniform"), ("relu", "he_normal"),
         ("elu", "he_normal")]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer layers and epochs")
    parser.add_argument("--output-dir", type=Path, default=Path("runs/examples"))
    args = parser.parse_args(argv)
    depth, epochs = (6, 2) if args.quick else (10, 20)

    X, y = load_digits(dtype=np.float64)
    X_train, X_test, y_train, y_test = train_test_split(X, y, seed=0)
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

    fig, ax = new_figure(figsize=(6, 4))
    for activation, init in CASES:
        model = mlp(64, [50] * depth, 10, activation=activation, weight_init=init, dtype=np.float64, rng=0)
        # ||dC/dW^l|| per Dense layer at initialisation, on one batch of 200 digits
        stats = layer_statistics(model, X_train[:200], y_train[:200])
        norms = [s["grad_norm"] for s in stats.values() if not np.isnan(s["grad_norm"])]
        history = fit(model, X_train, y_train, optimizer="sgd", lr=0.05, epochs=epochs, batch_size=32,
                      validation_data=(X_test, y_test), seed=0)
        label = f"{activation}, {init}"
        print(f"{label:<24} first/last layer gradient norm {first_to_last_ratio(stats):.1e}, "
              f"test accuracy after {epochs} epochs {history.history['val_accuracy'][-1]:.3f}")
        ax.semilogy(np.arange(1, len(norms) + 1), norms, marker="o", label=label)
    ax.set(xlabel="layer (1 = next to the input)", ylabel="||dC/dW|| at initialisation",
           title=f"{depth} hidden layers of 50 units")
    ax.legend(fontsize=8)
    path = save(fig, args.output_dir / "vanishing_gradients.png")
    print(f"figure: {path}")


if __name__ == "__main__":
    main()
