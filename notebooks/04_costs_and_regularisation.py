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
# # 4. Cost functions and regularisation
#
# Three questions of the lecture: why the cross-entropy rather than the squared error after a
# sigmoid, why summing or averaging the cost over a batch changes the learning rate, and what the
# L2 and L1 penalties do to the weights. (Page: `docs/04-cost-functions-and-regularisation.md`;
# lambda across libraries: `docs/regularization.md`.)

# %% tags=["parameters"]
# Quick mode (NNLAB_QUICK=1, used by the test suite) trains for a few seconds; the default is the full lesson.
import os

QUICK = os.environ.get("NNLAB_QUICK", "0") == "1"

# %%
import matplotlib.pyplot as plt
import numpy as np

import nnlab
from nnlab.data import StandardScaler, load_digits, train_test_split
from nnlab.models import mlp
from nnlab.nn import L1, L2, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss
from nnlab.train import evaluate, fit

# %% [markdown]
# ## The output error of one sigmoid unit with target 1
#
# The squared error keeps the factor $\sigma'(z)$, which vanishes when the unit is saturated and
# wrong; the cross-entropy's output error is simply $a - t$.

# %%
def output_error(loss, z):
    z = nnlab.Tensor(z, requires_grad=True)
    target = np.ones((len(z.data), 1))
    cost = loss(nnlab.sigmoid(z), target) if isinstance(loss, MSELoss) else loss(z, target)
    (dz,) = nnlab.grad(cost, z)
    return dz.numpy()[:, 0]


z = np.linspace(-8, 8, 161)[:, None]
squared = output_error(MSELoss(reduction="sum"), z)
entropy = output_error(BCEWithLogitsLoss(reduction="sum"), z)
plt.figure(figsize=(5, 3.5))
plt.plot(z[:, 0], squared, label="squared error")
plt.plot(z[:, 0], entropy, label="cross-entropy")
plt.xlabel("z (a = sigmoid(z))"), plt.ylabel("dC/dz"), plt.legend(), plt.title("target t = 1")
plt.show()
print(f"at z = -8 (saturated and wrong): squared error {squared[0]:.4f}, cross-entropy {entropy[0]:.4f}")

# %% [markdown]
# ## Summed or averaged cost

# %%
X, y = load_digits(dtype=np.float64)
X_train, X_test, y_train, y_test = train_test_split(X, y, seed=0)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
model = mlp(64, [50], 10, activation="sigmoid", dtype=np.float64, rng=0)
grads = {}
for reduction in ("sum", "mean"):
    model.zero_grad()
    CrossEntropyLoss(reduction=reduction)(model(nnlab.Tensor(X_train[:100])), y_train[:100]).backward()
    grads[reduction] = model.layers[0].weight.grad.copy()
ratio = np.linalg.norm(grads["sum"]) / np.linalg.norm(grads["mean"])
print(f"|summed gradient| / |averaged gradient| = {ratio:.1f}, the batch size")

# %% [markdown]
# ## L2 and L1 penalties

# %%
epochs = 5 if QUICK else 40
accuracies = {}
plt.figure(figsize=(6, 3.5))
for penalty, label in ((None, "no penalty"), (L2(1e-2), "L2, lambda=1e-2"), (L1(1e-3), "L1, lambda=1e-3")):
    model = mlp(64, [50], 10, activation="sigmoid", dtype=np.float64, rng=0)
    fit(model, X_train, y_train, loss=CrossEntropyLoss(), optimizer="sgd", lr=0.5, epochs=epochs, batch_size=32,
        penalty=penalty, seed=0)
    w = model.layers[0].weight.numpy().ravel()
    accuracies[label] = evaluate(model, X_test, y_test)["accuracy"]
    print(f"{label:<16} test accuracy {accuracies[label]:.3f}, mean |w| {np.mean(np.abs(w)):.3f}, "
          f"weights below 1e-3: {np.mean(np.abs(w) < 1e-3):.0%}")
    plt.hist(w, bins=np.linspace(-1, 1, 81), histtype="step", label=label)
plt.yscale("log"), plt.xlabel("first-layer weight"), plt.legend(), plt.title(f"after {epochs} epochs")
plt.show()

# %%
assert abs(ratio - 100) < 1e-9                   # the summed gradient is n = 100 times the mean
assert abs(squared[0]) < 1e-2 < abs(entropy[0])  # the squared error barely learns when saturated
assert min(accuracies.values()) > (0.85 if QUICK else 0.94), accuracies   # headline: test accuracy
