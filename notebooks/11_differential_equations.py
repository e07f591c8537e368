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
# # 11. ODEs and PDEs with trial solutions
#
# To solve $g' = -\gamma g$, $g(0) = g_0$, the lecture writes the trial solution
# $g_t(x) = g_0 + x N(x, P)$, which satisfies the initial condition for any network $N$, and trains
# $P$ to make the residual $g_t' + \gamma g_t$ small at collocation points. Training needs the
# derivative of $g_t'$ with respect to $P$: a second derivative, which nnlab's engine gives.
# (Page: `docs/11-differential-equations.md`; projects: `project3_diffusion`, `project3_eigenvalues`.)

# %% tags=["parameters"]
# Quick mode (NNLAB_QUICK=1, used by the test suite) trains for a few seconds; the default is the full lesson.
import os

QUICK = os.environ.get("NNLAB_QUICK", "0") == "1"

# %%
import matplotlib.pyplot as plt
import numpy as np

from nnlab.de import IVP, diff, solve
from nnlab.de.problems import get_problem

# %%
gamma, g0 = 2.0, 10.0
solution = solve(lambda x, g: diff(g, x) + gamma * g, IVP(0.0, g0), (0.0, 1.0), hidden=(32,), n_points=32,
                 iterations=0, lbfgs_iterations=100 if QUICK else 1000, seed=0)
x = np.linspace(0, 1, 1001)
g, exact = solution(x), g0 * np.exp(-gamma * x)
decay_error = float(np.max(np.abs(g - exact)))
print(f"max |g_t - g0 exp(-gamma x)| = {decay_error:.2e}; g_t(0) = {solution(np.zeros(1))[0]:.12f}")

# %% [markdown]
# ## A boundary-value problem: $-u'' = (3x + x^2) e^x$, $u(0) = u(1) = 0$

# %%
poisson = get_problem("poisson")
u = poisson.solve(lbfgs_iterations=100 if QUICK else 500)
poisson_error = poisson.max_error(u)
print(f"{poisson.description}: max error {poisson_error:.2e}")

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
left.plot(x, exact, "k-", lw=3, alpha=0.3, label="exact"), left.plot(x, g, "r--", label="network")
left.set(xlabel="x", ylabel="g(x)", title="g' = -2 g, g(0) = 10"), left.legend()
right.semilogy(x, np.abs(g - exact), label="decay"), right.semilogy(x, np.abs(u(x) - poisson.exact(x)), label="Poisson")
right.set(xlabel="x", ylabel="|network - exact|"), right.legend()
plt.show()

# %%
assert solution(np.zeros(1))[0] == g0                               # the trial solution holds g(0) exactly
assert decay_error < (1e-2 if QUICK else 1e-4), decay_error         # headline: max error of the decay ODE
assert poisson_error < (1e-2 if QUICK else 1e-4), poisson_error
