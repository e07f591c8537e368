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
# # 2. The perceptron and XOR
#
# Rosenblatt's perceptron, $y = \mathrm{step}(w \cdot x + b)$, changes its weights only when it is
# wrong: $w \leftarrow w + \eta (t - y) x$. It learns AND (a line separates the classes) but never
# XOR. One hidden layer fixes that. (Page: `docs/02-perceptron-and-xor.md`.)

# %% tags=["parameters"]
# Quick mode (NNLAB_QUICK=1, used by the test suite) trains for a few seconds; the default is the full lesson.
import os

QUICK = os.environ.get("NNLAB_QUICK", "0") == "1"

# %%
import matplotlib.pyplot as plt
import numpy as np

from nnlab.models import Perceptron, mlp
from nnlab.nn import BCEWithLogitsLoss
from nnlab.train import fit, predict

X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
AND, XOR = np.array([0, 0, 0, 1]), np.array([0, 1, 1, 0])

# %%
on_and = Perceptron(2, rng=0).fit(X, AND, epochs=100)
print(f"perceptron on AND: accuracy {on_and.score(X, AND):.2f}, mistakes per epoch {on_and.errors_}")
on_xor = Perceptron(2, rng=0).fit(X, XOR, epochs=100)
print(f"perceptron on XOR: accuracy {on_xor.score(X, XOR):.2f}, converged: {on_xor.converged_}")

# %% [markdown]
# ## A hidden layer of four tanh units
#
# Trained by full-batch Adam on the binary cross-entropy (the loss takes the logits).

# %%
net = mlp(2, [4], 1, activation="tanh", dtype=np.float64, rng=0)
history = fit(net, X, XOR.astype(float), loss=BCEWithLogitsLoss(), optimizer="adam", lr=0.05,
              epochs=500 if QUICK else 2000, batch_size=None, metrics=(), seed=0)


def mlp_predict(points):
    return (predict(net, points)[:, 0] > 0).astype(int)


mlp_accuracy = float(np.mean(mlp_predict(X) == XOR))
print(f"MLP 2-4-1 on XOR: accuracy {mlp_accuracy:.2f}, final loss {history.last('loss'):.4f}")

# %% [markdown]
# ## Decision regions

# %%
grid = np.stack(np.meshgrid(np.linspace(-0.5, 1.5, 101), np.linspace(-0.5, 1.5, 101)), axis=-1).reshape(-1, 2)
fig, axes = plt.subplots(1, 3, figsize=(11, 3.4))
for ax, (title, rule, labels) in zip(axes, [("perceptron on AND", on_and.predict, AND),
                                             ("perceptron on XOR", on_xor.predict, XOR),
                                             ("MLP 2-4-1 on XOR", mlp_predict, XOR)]):
    ax.contourf(grid[:, 0].reshape(101, 101), grid[:, 1].reshape(101, 101), rule(grid).reshape(101, 101),
                levels=[-0.5, 0.5, 1.5], cmap="coolwarm", alpha=0.4)
    ax.scatter(X[:, 0], X[:, 1], c=labels, cmap="coolwarm", edgecolor="k", s=80)
    ax.set(title=title, xticks=[0, 1], yticks=[0, 1])
plt.show()

# %%
assert on_and.score(X, AND) == 1.0 and not on_xor.converged_
assert mlp_accuracy == 1.0                      # headline: the hidden layer learns XOR
