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
# # 1. Neurons and activation functions
#
# An artificial neuron sums its weighted inputs, adds a bias and applies an activation function,
# $y = f(z)$ with $z = w \cdot x + b$. This notebook evaluates the lecture's activation functions
# and their derivatives with nnlab's engine, and checks the derivatives against finite differences.
# (Page: `docs/01-neurons-and-activations.md`.)

# %% tags=["parameters"]
# Quick mode (NNLAB_QUICK=1, used by the test suite) trains for a few seconds; the default is the full lesson.
import os

QUICK = os.environ.get("NNLAB_QUICK", "0") == "1"

# %%
import matplotlib.pyplot as plt
import numpy as np

import nnlab
from nnlab.nn import get_activation

NAMES = ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus", "step"]

# %% [markdown]
# ## One neuron

# %%
x, w, b = np.array([1.0, -2.0, 0.5]), np.array([0.4, 0.3, -1.2]), 0.1
z = x @ w + b
for name in NAMES[:3]:
    print(f"z = {z:.3f}, {name}(z) = {float(np.asarray(get_activation(name)(z))):.4f}")

# %% [markdown]
# ## f and f' for every activation
#
# f acts elementwise, so the gradient of $\sum_i f(z_i)$ with respect to $z$ is $f'(z_i)$ at every
# point: one call of `nnlab.grad` gives the whole derivative curve.

# %%
def derivative(name, z):
    t = nnlab.Tensor(z, requires_grad=True)
    (dfdz,) = nnlab.grad(nnlab.sum(get_activation(name)(t)), t, allow_unused=True)
    return np.zeros_like(z) if dfdz is None else dfdz.numpy()   # the step function passes no gradient back


zs = np.linspace(-5, 5, 201 if QUICK else 1001)
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
worst = 0.0
for name in NAMES:
    f, df = np.asarray(get_activation(name)(zs)), derivative(name, zs)
    h = 1e-6
    numeric = (np.asarray(get_activation(name)(zs + h)) - np.asarray(get_activation(name)(zs - h))) / (2 * h)
    worst = max(worst, float(np.max(np.abs(df - numeric)[np.abs(zs) > 1e-3])))   # away from the kink at 0
    line, = left.plot(zs, f, label=name)
    right.plot(zs, df, color=line.get_color())
left.set(title="f(z)", xlabel="z", ylim=(-1.5, 3))
right.set(title="f'(z) from nnlab.grad", xlabel="z", ylim=(-0.1, 1.1))
left.legend(fontsize=8)
plt.show()
print(f"largest |f' - finite difference| = {worst:.1e}")

# %% [markdown]
# The sigmoid passes back at most a quarter of the error signal ($\sigma'(0) = 1/4$), and almost
# nothing once $|z|$ is large: the root of the vanishing gradients of notebook 6.

# %%
sigmoid_slope = derivative("sigmoid", np.zeros(1))[0]
print(f"sigmoid'(0) = {sigmoid_slope}")
assert worst < 1e-6, worst                      # headline: the engine's f' equals the finite differences
assert abs(sigmoid_slope - 0.25) < 1e-12
