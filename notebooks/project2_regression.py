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
# # Project 2, part 1: your own network and optimiser, and regression on the Franke function
#
# The course's second project builds a feed-forward network with its own optimisers and fits the
# Franke function, scanning the learning rate $\eta$ and the L2 strength $\lambda$ and drawing the
# test MSE and $R^2$ as heatmaps, then compares with scikit-learn.
# Here: a network assembled from nnlab's `Dense` layers, an optimiser written as a subclass of
# `nnlab.optim.Optimizer` (only its update rule), the $\eta \times \lambda$ grid as a plain loop
# over `fit`, and scikit-learn's `MLPRegressor` on the same data.
# (Pages: `docs/05-optimisers.md`, `docs/datasets.md`, `docs/04-cost-functions-and-regularisation.md`.)

# %% tags=["parameters"]
# Quick mode (NNLAB_QUICK=1, used by the test suite) trains for a few seconds; the default is the full lesson.
import os

QUICK = os.environ.get("NNLAB_QUICK", "0") == "1"

# %%
import matplotlib.pyplot as plt
import numpy as np

from nnlab.data import StandardScaler, franke_function, make_franke, train_test_split
from nnlab.nn import L2, Dense, Sequential
from nnlab.optim import Adam, Optimizer
from nnlab.train import TrainingDivergedError, fit, predict, r2

# %% [markdown]
# ## The data: Franke's function plus noise

# %%
X, t = make_franke(400 if QUICK else 1000, noise=0.1, seed=0, dtype=np.float64)
X_train, X_test, t_train, t_test = train_test_split(X, t.reshape(-1, 1), test_size=0.2, seed=0)
xx, yy = np.meshgrid(np.linspace(0, 1, 60), np.linspace(0, 1, 60))
fig = plt.figure(figsize=(5, 4))
ax = fig.add_subplot(projection="3d")
ax.plot_surface(xx, yy, franke_function(xx, yy), cmap="viridis", alpha=0.8)
ax.scatter(X[:, 0], X[:, 1], t, s=2, color="k")
ax.set(xlabel="x", ylabel="y", title="Franke function and noisy samples")
plt.show()

# %% [markdown]
# ## Our own optimiser
#
# A subclass writes only `update(param, grad, state)`, the rule for one parameter array, in place.
# RMSprop: $s \leftarrow \rho s + (1 - \rho) g^2$, $\theta \leftarrow \theta - \eta g / (\sqrt{s} + \epsilon)$.

# %%
class MyRMSprop(Optimizer):
    def __init__(self, params, lr=1e-3, rho=0.9, eps=1e-8):
        super().__init__(params, lr)
        self.rho, self.eps = rho, eps

    def update(self, param, grad, state):
        s = state.setdefault("s", np.zeros_like(param))
        s *= self.rho
        s += (1 - self.rho) * grad * grad
        param -= self.lr * grad / (np.sqrt(s) + self.eps)


def network(seed=0):
    return Sequential(Dense(2, 50, activation="tanh", weight_init="glorot_normal", dtype=np.float64, rng=seed),
                      Dense(50, 50, activation="tanh", weight_init="glorot_normal", dtype=np.float64, rng=seed + 1),
                      Dense(50, 1, dtype=np.float64, rng=seed + 2))


epochs = 30 if QUICK else 300
curves = {}
plt.figure(figsize=(6, 3.5))
for name, make in {"my RMSprop": lambda p: MyRMSprop(p, lr=1e-2), "nnlab Adam": lambda p: Adam(p, lr=1e-2)}.items():
    model = network()
    history = fit(model, X_train, t_train, loss="mse", optimizer=make(model.parameters()), epochs=epochs,
                  batch_size=32, validation_data=(X_test, t_test), metrics=["r2"], seed=0)
    curves[name] = history
    plt.plot(history["val_loss"], label=name)
plt.yscale("log"), plt.xlabel("epoch"), plt.ylabel("test MSE"), plt.legend()
plt.show()
own_r2 = curves["my RMSprop"].last("val_r2")
print({name: round(h.last("val_r2"), 3) for name, h in curves.items()})

# %% [markdown]
# ## The $\eta \times \lambda$ grid
#
# Every cell starts from the same initial weights and sees the same batches. The same scan is on
# the command line as `nnlab grid --task regression --dataset franke` (heatmaps and a CSV).

# %%
etas = np.logspace(-3, -1, 3) if QUICK else np.logspace(-4, 0, 5)
lambdas = np.logspace(-5, -1, 3) if QUICK else np.logspace(-6, 0, 7)
grid_epochs = 20 if QUICK else 200
mse_grid = np.full((len(etas), len(lambdas)), np.nan)
r2_grid = np.full_like(mse_grid, np.nan)
for i, eta in enumerate(etas):
    for j, lam in enumerate(lambdas):
        model = network()
        try:
            fit(model, X_train, t_train, loss="mse", optimizer="adam", lr=eta, penalty=L2(lam), epochs=grid_epochs,
                batch_size=32, seed=0)
        except TrainingDivergedError as error:   # a diverged cell stays blank
            print(f"eta={eta:g}, lambda={lam:g}: {type(error).__name__}")
            continue
        prediction = predict(model, X_test)
        mse_grid[i, j] = float(np.mean((prediction - t_test) ** 2))
        r2_grid[i, j] = float(r2(t_test, prediction))

fig, axes = plt.subplots(1, 2, figsize=(11, 4))
for ax, values, title, cmap in ((axes[0], mse_grid, "test MSE", "viridis_r"), (axes[1], r2_grid, "test R2", "viridis")):
    image = ax.imshow(values, cmap=cmap)
    for (i, j), v in np.ndenumerate(values):
        ax.text(j, i, f"{v:.3f}", ha="center", va="center", color="w", fontsize=8)
    ax.set(xticks=range(len(lambdas)), xticklabels=[f"{v:.0e}" for v in lambdas], xlabel="lambda",
           yticks=range(len(etas)), yticklabels=[f"{v:.0e}" for v in etas], ylabel="eta", title=title)
    fig.colorbar(image, ax=ax)
plt.show()
best = np.unravel_index(np.nanargmax(r2_grid), r2_grid.shape)
best_r2 = float(r2_grid[best])
print(f"best cell: eta={etas[best[0]]:g}, lambda={lambdas[best[1]]:g}, test MSE {mse_grid[best]:.4f}, R2 {best_r2:.3f}")

# %% [markdown]
# ## scikit-learn on the same data
#
# scikit-learn's `alpha` is the summed-cost $\lambda$ (see `docs/regularization.md`).

# %%
from sklearn.neural_network import MLPRegressor  # noqa: E402

reference = MLPRegressor(hidden_layer_sizes=(50, 50), activation="tanh", solver="adam", learning_rate_init=1e-2, alpha=1e-4,
                         max_iter=300, random_state=0).fit(X_train, t_train.ravel())
sklearn_r2 = reference.score(X_test, t_test.ravel())
print(f"scikit-learn MLPRegressor test R2 {sklearn_r2:.3f}, nnlab best cell {best_r2:.3f}")

# %%
noise_limit = 1 - 0.1 ** 2 / np.var(t_test)      # the best R2 possible with noise of std 0.1
print(f"R2 of the noise-free function itself: {noise_limit:.3f}")
assert best_r2 > (0.5 if QUICK else 0.75), best_r2   # headline: best test R2 of the grid
assert own_r2 > (0.5 if QUICK else 0.7), own_r2
