"""Optimisers: the same network, the same start and the same batches, trained by SGD, momentum,
Nesterov, Adagrad, RMSprop and Adam; and a learning-rate schedule.

Run:  python examples/optimizers.py [--quick] [--output-dir DIR]
"""
import argparse
from pathlib import Path

import numpy as np

from nnlab.data import StandardScaler, load_digits, train_test_split
from nnlab.models import mlp
from nnlab.optim import SGD, Adagrad, Adam, ExponentialLR, RMSprop
from nnlab.plots import new_figure, save
from nnlab.train import fit

OPTIMIZERS = {
    "SGD eta=0.1": lambda p: SGD(p, lr=0.1),
    "momentum 0.9": lambda p: SGD(p, lr=0.1, momentum=0.9),
    "Nesterov 0.9": lambda p: SGD(p, lr=0.1, momentum=0.9, nesterov=True),
    "Adagrad": lambda p: Adagrad(p, lr=0.05),
    "RMSprop": lambda p: RMSprop(p, lr=1e-3),
    "Adam": lambda p: Adam(p, lr=1e-3),
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few epochs")
    parser.add_argument("--output-dir", type=Path, default=Path("runs/examples"))
    args = parser.parse_args(argv)
    epochs = 8 if args.quick else 50

    X, y = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(X, y, seed=0)
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

    fig, ax = new_figure(figsize=(6, 4))
    for name, make in OPTIMIZERS.items():
        model = mlp(64, [50], 10, activation="sigmoid", rng=0)   # same initial weights for every optimiser
        history = fit(model, X_train, y_train, optimizer=make(model.parameters()), epochs=epochs, batch_size=32,
                      validation_data=(X_test, y_test), seed=0)   # same batches too
        h = history.history
        print(f"{name:<13} final training loss {h['loss'][-1]:.4f}, test accuracy {h['val_accuracy'][-1]:.3f}")
        ax.plot(np.arange(1, epochs + 1), h["loss"], marker=".", label=name)

    # A schedule changes optimizer.lr between epochs: here eta_e = 0.1 * 0.8^e.
    model = mlp(64, [50], 10, activation="sigmoid", rng=0)
    optimizer = SGD(model.parameters(), lr=0.1, momentum=0.9)
    history = fit(model, X_train, y_train, optimizer=optimizer, schedule=ExponentialLR(optimizer, gamma=0.8),
                  epochs=epochs, batch_size=32, seed=0)
    print(f"momentum + exponential decay: learning rates {[round(r, 4) for r in history.history['lr'][:4]]} ..., "
          f"final training loss {history.history['loss'][-1]:.4f}")
    ax.set(xlabel="epoch", ylabel="training loss (mean cross-entropy)", yscale="log",
           title="64-50-10 sigmoid on the digits, batch 32")
    ax.legend(fontsize=8)
    path = save(fig, args.output_dir / "optimizers.png")
    print(f"figure: {path}")


if __name__ == "__main__":
    main()
