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
# # 7. Digits classification and the grid search
#
# The lecture's running example: 8x8 digits, a 64-50-10 sigmoid network with $N(0, 1)$ weights,
# plain minibatch SGD on the summed cross-entropy with the L2 term $\lambda W$, then the
# $\eta \times \lambda$ grid with train and test accuracy as heatmaps.
# (Page: `docs/07-digits-and-grid-search.md`.)

# %% tags=["parameters"]
# Quick mode (NNLAB_QUICK=1, used by the test suite) trains for a few seconds; the default is the full lesson.
import os

QUICK = os.environ.get("NNLAB_QUICK", "0") == "1"

# %%
import matplotlib.pyplot as plt
import numpy as np

from nnlab.data import load_digits, train_test_split
from nnlab.experiments import grid_search
from nnlab.models import lecture_mlp
from nnlab.nn import L2, CrossEntropyLoss
from nnlab.train import confusion_matrix, fit, predict

# %%
epochs = 10 if QUICK else 100
X, y = load_digits(dtype=np.float64)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, seed=0)
model = lecture_mlp(rng=0)
history = fit(model, X_train, y_train, loss=CrossEntropyLoss(reduction="sum"), penalty=L2(1.0), optimizer="sgd",
              lr=0.002, epochs=epochs, batch_size=100, validation_data=(X_test, y_test), seed=0)
predicted = predict(model, X_test).argmax(axis=1)
test_accuracy = float(np.mean(predicted == y_test))
print(f"test accuracy after {epochs} epochs: {test_accuracy:.4f}")
print(confusion_matrix(y_test, predicted, n_classes=10))

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.5))
left.plot(history["loss"], label="train"), left.plot(history["val_loss"], label="test")
left.set(xlabel="epoch", ylabel="loss", yscale="log"), left.legend()
right.plot(history["accuracy"], label="train"), right.plot(history["val_accuracy"], label="test")
right.set(xlabel="epoch", ylabel="accuracy"), right.legend()
plt.show()

# %% [markdown]
# ## The grid search
#
# Every cell starts from the same weights and sees the same batches; a cell whose loss becomes NaN
# is recorded as diverged and drawn blank.

# %%
etas = np.logspace(-4, 0, 3) if QUICK else np.logspace(-5, 1, 7)
lambdas = np.logspace(-4, 0, 3) if QUICK else np.logspace(-5, 1, 7)
result = grid_search(etas, lambdas, epochs=3 if QUICK else 100, n_jobs=1, seed=0)
best = result.best()
print(f"best cell: eta={best.eta:g}, lambda={best.lam:g}, test accuracy {best.test_accuracy:.4f}")
matrix = result.matrix("test_accuracy")
fig, ax = plt.subplots(figsize=(5, 4))
image = ax.imshow(matrix, cmap="viridis", vmin=0, vmax=1)
ax.set(xticks=range(len(lambdas)), xticklabels=[f"{v:.0e}" for v in lambdas], xlabel="lambda",
       yticks=range(len(etas)), yticklabels=[f"{v:.0e}" for v in etas], ylabel="eta", title="test accuracy")
fig.colorbar(image)
plt.show()

# %%
assert test_accuracy > (0.6 if QUICK else 0.9), test_accuracy   # headline: the lecture network's test accuracy
assert best.test_accuracy >= np.nanmax(matrix) - 1e-12
