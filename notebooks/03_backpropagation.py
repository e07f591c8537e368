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
# # 3. The multilayer perceptron and the four backpropagation equations
#
# For the lecture's 64-50-10 sigmoid network with softmax and the summed cross-entropy, the four
# equations are, with $\delta^l = \partial C / \partial z^l$:
#
# - BP1: $\delta^L = \mathrm{softmax}(z^L) - t$
# - BP2: $\delta^l = (\delta^{l+1} (W^{l+1})^T) \circ f'(z^l)$
# - BP3: $\partial C / \partial b^l = \sum_\text{samples} \delta^l$
# - BP4: $\partial C / \partial W^l = (a^{l-1})^T \delta^l$
#
# We write them in NumPy and compare every gradient with nnlab's `loss.backward()`.
# (Page: `docs/03-backpropagation.md`.)

# %% tags=["parameters"]
# Quick mode (NNLAB_QUICK=1, used by the test suite) trains for a few seconds; the default is the full lesson.
import os

QUICK = os.environ.get("NNLAB_QUICK", "0") == "1"

# %%
import matplotlib.pyplot as plt
import numpy as np

from nnlab import Tensor
from nnlab.data import load_digits, one_hot
from nnlab.models import lecture_mlp
from nnlab.nn import CrossEntropyLoss
from nnlab.optim import SGD


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def by_hand(x, t, W1, b1, W2, b2):
    a1 = sigmoid(x @ W1 + b1)                     # feed forward
    p = softmax(a1 @ W2 + b2)
    delta2 = p - t                                # BP1
    delta1 = (delta2 @ W2.T) * a1 * (1 - a1)      # BP2, sigma' = sigma (1 - sigma)
    return {"layers.0.weight": x.T @ delta1,      # BP4
            "layers.0.bias": delta1.sum(axis=0),  # BP3
            "layers.1.weight": a1.T @ delta2,
            "layers.1.bias": delta2.sum(axis=0)}

# %%
X, y = load_digits(dtype=np.float64)
n = 20 if QUICK else 100
x, labels = X[:n] / 16.0, y[:n]
model = lecture_mlp(rng=0)                        # weights N(0, 1), biases 0.01, as the lecture
dense1, dense2 = model.layers
loss = CrossEntropyLoss(reduction="sum")(model(Tensor(x)), labels)
loss.backward()
engine = {name: p.grad for name, p in model.named_parameters()}
hand = by_hand(x, one_hot(labels, 10), dense1.weight.data, dense1.bias.data, dense2.weight.data, dense2.bias.data)
errors = {}
for name in hand:
    errors[name] = float(np.max(np.abs(hand[name] - engine[name])) / np.max(np.abs(hand[name])))
    print(f"{name:<16} relative difference hand vs engine: {errors[name]:.1e}")

# %%
fig, ax = plt.subplots(figsize=(4.5, 4))
for name in hand:
    ax.scatter(hand[name].ravel(), engine[name].ravel(), s=6, label=name)
ax.set(xlabel="the four equations (NumPy)", ylabel="nnlab backward()", title="every gradient")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# ## One step of gradient descent
#
# $W \leftarrow W - \eta\, \partial C/\partial W$ is `SGD.step()`; the cost falls.

# %%
before = CrossEntropyLoss(reduction="sum")(model(Tensor(x)), labels).item()
SGD(model.parameters(), lr=0.01).step()
after = CrossEntropyLoss(reduction="sum")(model(Tensor(x)), labels).item()
print(f"cost {before:.2f} -> {after:.2f}")

# %%
assert max(errors.values()) < 1e-12, errors       # headline: the equations and the engine agree
assert after < before
