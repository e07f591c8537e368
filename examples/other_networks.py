"""Radial basis function, recurrent and Boltzmann networks: an RBF network interpolating the Franke
function, an LSTM predicting a noisy sine wave, a restricted Boltzmann machine dreaming digits.

Run:  python examples/other_networks.py [--quick] [--output-dir DIR]
"""
import argparse
from pathlib import Path

import numpy as np

from nnlab.data import load_digits, make_franke
from nnlab.models.rbm import RBM
from nnlab.models.sequence import make_sine_sequences, persistence_forecast, sine_predictor
from nnlab.nn.rbf import RBFNetwork
from nnlab.optim import Adam
from nnlab.plots import new_figure, save
from nnlab.train import fit, predict


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few epochs")
    parser.add_argument("--output-dir", type=Path, default=Path("runs/examples"))
    args = parser.parse_args(argv)
    fig, (ax_rbf, ax_rnn, ax_rbm) = new_figure(1, 3, figsize=(12, 3.6))

    # 1. RBF network: Gaussian units at k-means centres, then linear least squares for the output layer.
    X, y = make_franke(400, seed=0, dtype=np.float64)
    X_test, y_test = make_franke(2000, seed=1, dtype=np.float64)
    net = RBFNetwork.build(X, n_centers=100, width_scale=1.5, dtype=np.float64, rng=0).fit_output(X, y, alpha=1e-8)
    prediction = predict(net, X_test)[:, 0]
    r2 = 1 - np.sum((prediction - y_test) ** 2) / np.sum((y_test - y_test.mean()) ** 2)
    print(f"RBF network, Franke function from 400 points: test R2 = {r2:.5f}")
    ax_rbf.scatter(y_test, prediction, s=3)
    ax_rbf.set(title=f"RBF network: R2 = {r2:.4f}", xlabel="Franke function", ylabel="network")

    # 2. LSTM trained by backpropagation through time, gradient norm clipped at 1.
    X_seq, y_seq = make_sine_sequences(600 if args.quick else 2000, length=20, noise=0.03, seed=0)
    X_seq_test, y_seq_test = make_sine_sequences(300, length=20, noise=0.03, seed=1)
    model = sine_predictor("lstm", hidden_size=32, rng=0)
    fit(model, X_seq, y_seq, loss="mse", optimizer=Adam(model.parameters(), lr=1e-2, clip_norm=1.0),
        epochs=4 if args.quick else 30, batch_size=32, metrics=(), seed=0)
    mse = np.mean((predict(model, X_seq_test) - y_seq_test) ** 2)
    baseline = np.mean((persistence_forecast(X_seq_test) - y_seq_test) ** 2)
    print(f"LSTM next-value MSE {mse:.2e} against the persistence forecast's {baseline:.2e}")
    ax_rnn.plot(range(20), X_seq_test[0, :, 0], ".-", label="window")
    ax_rnn.plot([20], y_seq_test[0], "ko", label="next value")
    ax_rnn.plot([20], predict(model, X_seq_test[:1])[0], "r*", ms=12, label="LSTM")
    ax_rnn.set(title=f"LSTM: MSE {mse:.1e} (persistence {baseline:.1e})", xlabel="t")
    ax_rnn.legend(fontsize=7)

    # 3. Bernoulli RBM by persistent contrastive divergence; Gibbs sampling draws a digit.
    digits, _ = load_digits(dtype=np.float64)
    rbm = RBM(64, learning_rate=0.06, n_iter=3 if args.quick else 20, persistent=True, random_state=0).fit(digits / 16)
    v = digits[:1] / 16
    for _ in range(200):
        v = rbm.gibbs(v)
    print(f"RBM pseudo-likelihood {rbm.score_samples(digits / 16).mean():.2f}")
    ax_rbm.imshow(v.reshape(8, 8), cmap="gray_r")
    ax_rbm.set(title="RBM: a sample after 200 Gibbs steps", xticks=[], yticks=[])
    path = save(fig, args.output_dir / "other_networks.png")
    print(f"figure: {path}")


if __name__ == "__main__":
    main()
