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
# # 6. Initialisation and vanishing gradients
#
# By BP2 the error of layer $l$ is that of layer $l+1$ times $(W^{l+1})^T$ and $f'(z^l)$. Through
# many layers these factors multiply. With sigmoid units and $N(0, 1)$ weights the gradient reaching
# the first layer is far smaller than at the last one; tanh with Glorot's scaling, ReLU or ELU with
# He's keep it within a small factor. (Page: `docs/06-initialisation-and-vanishing-gradients.md`.)

# %% tags=["parameters"]
# Quick mode (NNLAB_QUICK=1, used by the test suite) trains for a few seconds; the default is the full lesson.
import os

QUICK = os.environ.get("NNLAB_QUICK", "0") == "1"

# %%
import matplotlib.pyplot as plt
import numpy as np

from nnlab.data import StandardScaler, load_digits, train_test_split
from nnlab.diagnostics import first_to_last_ratio, layer_statistics
from nnlab.models import mlp
from nnlab.train import fit

CASES = [("sigmoid", "normal"), ("sigmoid", "glorot_uniform"), ("tanh", "glorot_uniform"), ("relu", "he_normal"),
         ("elu", "he_normal")]
depth, epochs = (6, 2) if QUICK else (10, 20)

# %%
X, y = load_digits(dtype=np.float64)
X_train, X_test, y_train, y_test = train_test_split(X, y, seed=0)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
ratios, accuracies = {}, {}
plt.figure(figsize=(6, 4))
for activation, init in CASES:
    model = mlp(64, [50] * depth, 10, activation=activation, weight_init=init, dtype=np.float64, rng=0)
    stats = layer_statistics(model, X_train[:200], y_train[:200])     # at initialisation
    norms = [s["grad_norm"] for s in stats.values() if not np.isnan(s["grad_norm"])]
    ratios[activation, init] = first_to_last_ratio(stats)
    history = fit(model, X_train, y_train, optimizer="sgd", lr=0.05, epochs=epochs, batch_size=32,
                  validation_data=(X_test, y_test), seed=0)
    accuracies[activation, init] = history.last("val_accuracy")
    plt.semilogy(np.arange(1, len(norms) + 1), norms, marker="o", label=f"{activation}, {init}")
plt.xlabel("layer (1 = next to the input)"), plt.ylabel("||dC/dW|| at initialisation")
plt.title(f"{depth} hidden layers of 50 units"), plt.legend(fontsize=8, loc="center left", bbox_to_anchor=(1, 0.5))
plt.show()
for case in CASES:
    print(f"{', '.join(case):<24} first/last gradient norm {ratios[case]:.1e}, "
          f"test accuracy after {epochs} epochs {accuracies[case]:.3f}")

# %% [markdown]
# `nnlab vanishing` runs every activation x initialisation with more diagnostics (saturation, dead
# units, histograms of every layer).

# %%
assert ratios["sigmoid", "normal"] < 0.2                        # headline: the sigmoid network's gradient vanishes
assert 0.3 < ratios["relu", "he_normal"] < 3 and 0.3 < ratios["tanh", "glorot_uniform"] < 3
