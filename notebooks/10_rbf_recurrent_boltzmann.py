# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 10. Radial basis function, recurrent and Boltzmann networks
#
# Three more families of the lecture on the same engine: an RBF network interpolating the Franke
# function (output weights by least squares), an LSTM predicting the next value of a noisy sine
# (backpropagation through time, gradient clipping), and a restricted Boltzmann machine on the digits
# (contrastive divergence, Gibbs sampling). (Page: `docs/10-rbf-recurrent-boltzmann.md`.)

# %% tags=["parameters"]
# Quick mode (NNLAB_QUICK=1, used by the test suite) trains for a few seconds; the default is the full lesson.
import os

QUICK = os.environ.get("NNLAB_QUICK", "0") == "1"

# %%
import matplotlib.pyplot as plt
import numpy as np

from nnlab.data import load_digits, make_franke
from nnlab.models.rbm import RBM
from nnlab.models.sequence import make_sine_sequences, persistence_forecast, sine_predictor
from nnlab.nn.rbf import RBFNetwork
from nnlab.optim import Adam
from nnlab.train import fit, predict

# %% [markdown]
# ## RBF network on the Franke function

# %%
X, y = make_franke(400, seed=0, dtype=np.float64)
X_test, y_test = make_franke(2000, seed=1, dtype=np.float64)
net = RBFNetwork.build(X, n_centers=100, width_scale=1.5, dtype=np.float64, rng=0).fit_output(X, y, alpha=1e-8)
prediction = predict(net, X_test)[:, 0]
r2 = 1 - np.sum((prediction - y_test) ** 2) / np.sum((y_test - y_test.mean()) ** 2)
plt.figure(figsize=(4, 4))
plt.scatter(y_test, prediction, s=3), plt.xlabel("Franke function"), plt.ylabel("RBF network")
plt.title(f"test R2 = {r2:.4f}")
plt.show()
print(f"RBF network from 400 points: test R2 = {r2:.5f}")

# %% [markdown]
# ## LSTM: the next value of a noisy sine

# %%
X_seq, y_seq = make_sine_sequences(400 if QUICK else 2000, length=20, noise=0.03, seed=0)
X_seq_test, y_seq_test = make_sine_sequences(300, length=20, noise=0.03, seed=1)
lstm = sine_predictor("lstm", hidden_size=32, rng=0)
fit(lstm, X_seq, y_seq, loss="mse", optimizer=Adam(lstm.parameters(), lr=1e-2, clip_norm=1.0),
    epochs=3 if QUICK else 30, batch_size=32, metrics=(), seed=0)
lstm_mse = float(np.mean((predict(lstm, X_seq_test) - y_seq_test) ** 2))
baseline = float(np.mean((persistence_forecast(X_seq_test) - y_seq_test) ** 2))
print(f"LSTM MSE {lstm_mse:.2e}, persistence forecast {baseline:.2e}")
plt.figure(figsize=(6, 3.5))
plt.plot(range(20), X_seq_test[0, :, 0], ".-", label="window")
plt.plot([20], y_seq_test[0], "ko", label="next value"), plt.plot([20], predict(lstm, X_seq_test[:1])[0], "r*",
                                                                  ms=12, label="LSTM")
plt.legend()
plt.show()

# %% [markdown]
# ## A restricted Boltzmann machine on the digits

# %%
digits, _ = load_digits(dtype=np.float64)
rbm = RBM(64, learning_rate=0.06, n_iter=2 if QUICK else 20, persistent=True, random_state=0).fit(digits / 16)
v = digits[:1] / 16
for _ in range(50 if QUICK else 200):
    v = rbm.gibbs(v)
plt.figure(figsize=(2.5, 2.5))
plt.imshow(v.reshape(8, 8), cmap="gray_r"), plt.title("a Gibbs sample"), plt.xticks([]), plt.yticks([])
plt.show()
print(f"RBM mean pseudo-likelihood {rbm.score_samples(digits / 16).mean():.2f}")

# %%
assert r2 > 0.99, r2                               # headline: the RBF network's test R2 on Franke
assert lstm_mse < baseline, (lstm_mse, baseline)   # the LSTM beats the persistence forecast
