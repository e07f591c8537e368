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
# # Project 3, part 1: the diffusion equation, explicit scheme against a neural network
#
# $u_t = u_{xx}$ on $x \in [0, 1]$, $u(x, 0) = \sin(\pi x)$, $u(0, t) = u(1, t) = 0$, whose exact
# solution is $u = e^{-\pi^2 t} \sin(\pi x)$. First the explicit forward-time centred-space scheme
# (FTCS) with $\Delta x = 1/10$ and $1/100$ at the stability limit $\Delta t = \Delta x^2 / 2$, then a
# network trial solution $u_t(x, t) = (1 - t) \sin(\pi x) + x (1 - x) t N(x, t)$ trained on the
# residual $u_t - u_{xx}$. (Page: `docs/11-differential-equations.md`.)

# %% tags=["parameters"]
# Quick mode (NNLAB_QUICK=1, used by the test suite) trains for a few seconds; the default is the full lesson.
import os

QUICK = os.environ.get("NNLAB_QUICK", "0") == "1"

# %%
import matplotlib.pyplot as plt
import numpy as np

from nnlab.de.finite_difference import diffusion_ftcs, stable_dt
from nnlab.de.problems import get_problem


def exact(x, t):
    return np.exp(-np.pi ** 2 * t) * np.sin(np.pi * x)


times = [0.02, 0.2]       # a curved profile, and one close to its final decay

# %% [markdown]
# ## The explicit scheme
#
# $u_i^{n+1} = u_i^n + \frac{\Delta t}{\Delta x^2} (u_{i+1}^n - 2 u_i^n + u_{i-1}^n)$; stable for
# $\Delta t \le \Delta x^2 / 2$ (nnlab refuses a larger step).

# %%
ftcs_errors = {}
fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
for dx in (0.1, 0.01):
    dt = stable_dt(dx)
    steps = [round(t / dt) for t in times]
    x, u = diffusion_ftcs(lambda x: np.sin(np.pi * x), dx, [s * dt for s in steps], dt=dt)
    for k, (t, profile) in enumerate(zip(times, u)):
        t_exact = steps[k] * dt
        ftcs_errors[dx, t] = float(np.max(np.abs(profile - exact(x, t_exact))))
        axes[0].plot(x, profile, "o" if dx == 0.1 else "-", ms=4, label=f"FTCS dx={dx}, t={t}")
        inside = slice(1, -1)                    # the boundary values are exact: leave them off the log axis
        axes[1].semilogy(x[inside], np.abs(profile - exact(x, t_exact))[inside], label=f"dx={dx}, t={t}")
fine = np.linspace(0, 1, 201)
for t in times:
    axes[0].plot(fine, exact(fine, t), "k--", lw=1)
axes[0].set(xlabel="x", ylabel="u", title="FTCS (dashed: exact)"), axes[0].legend(fontsize=8)
axes[1].set(xlabel="x", ylabel="|FTCS - exact|", title="error of the explicit scheme"), axes[1].legend(fontsize=8)
plt.show()
for (dx, t), error in ftcs_errors.items():
    print(f"FTCS dx={dx:<5} t={t}: max error {error:.2e}")

# %% [markdown]
# ## The network
#
# `get_problem("diffusion")` holds the equation, the trial solution (`InitialBoundary1D`), the domain
# $[0, 1] \times [0, 1]$ and good settings (two hidden layers of 16, Chebyshev collocation points,
# L-BFGS). Its cost is the mean squared residual at the collocation points.

# %%
problem = get_problem("diffusion")
solution = problem.solve(lbfgs_iterations=100 if QUICK else 2000, seed=0)
network_errors = {t: float(np.max(np.abs(solution(fine, np.full_like(fine, t)) - exact(fine, t)))) for t in times}
plt.figure(figsize=(6, 3.5))
plt.semilogy(solution.history["loss"])
plt.xlabel("L-BFGS iteration"), plt.ylabel("mean squared residual")
plt.show()
fig, ax = plt.subplots(figsize=(6, 3.8))
for t in times:
    ax.plot(fine, solution(fine, np.full_like(fine, t)), label=f"network, t={t}")
    ax.plot(fine, exact(fine, t), "k--", lw=1)
ax.set(xlabel="x", ylabel="u"), ax.legend()
plt.show()
for t in times:
    print(f"t={t}: network max error {network_errors[t]:.2e}, FTCS dx=0.1 {ftcs_errors[0.1, t]:.2e}, "
          f"dx=0.01 {ftcs_errors[0.01, t]:.2e}")

# %%
assert ftcs_errors[0.01, 0.2] < ftcs_errors[0.1, 0.2] / 50       # FTCS converges like dx^2 (dt ~ dx^2)
assert max(network_errors.values()) < (2e-2 if QUICK else 1e-3), network_errors   # headline: network max error
