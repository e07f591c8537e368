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
# # Project 3, part 2: eigenvalues of a symmetric matrix from an ODE (Yi et al. 2004)
#
# Yi, Fu and Tang's flow $\dot x = -x + f(x)$, $f(x) = [x^T x A + (1 - x^T A x) I] x$, keeps $|x|$
# constant and turns $x(t)$ towards the eigenvector of the largest eigenvalue of the symmetric
# matrix $A$; the Rayleigh quotient $x^T A x / x^T x$ then gives that eigenvalue, and the smallest
# is minus the largest of $-A$. nnlab solves the flow with networks, window by window.
# (Page: `docs/11-differential-equations.md`.)

# %% tags=["parameters"]
# Quick mode (NNLAB_QUICK=1, used by the test suite) trains for a few seconds; the default is the full lesson.
import os

QUICK = os.environ.get("NNLAB_QUICK", "0") == "1"

# %%
import matplotlib.pyplot as plt
import numpy as np
from scipy.integrate import solve_ivp

from nnlab.de.eigen import eigen_ode, random_symmetric

A = random_symmetric(6, rng=0)
reference = np.linalg.eigvalsh(A)
print("numpy.linalg.eigvalsh:", np.round(reference, 6))

# %% [markdown]
# ## The flow itself, with SciPy's Runge-Kutta
#
# Before any network: does the flow go where the paper says? The component along eigenvalue
# $\lambda_i$ grows like $e^{\lambda_i t}$ (for $|x| = 1$), so the approach is as slow as the gap
# between the two largest eigenvalues.

# %%
def flow(t, x):
    return -x + (x @ x * A + (1 - x @ A @ x) * np.eye(len(x))) @ x


x0 = np.random.default_rng(1).standard_normal(6)
x0 /= np.linalg.norm(x0)
path = solve_ivp(flow, (0, 60), x0, rtol=1e-10, atol=1e-12, dense_output=True)
ts = np.linspace(0, 60, 300)
xs = path.sol(ts)
rayleigh = np.einsum("it,ij,jt->t", xs, A, xs) / np.einsum("it,it->t", xs, xs)
plt.figure(figsize=(6, 3.5))
plt.plot(ts, rayleigh, label="Rayleigh quotient along the flow")
plt.axhline(reference[-1], color="k", ls="--", label="largest eigenvalue")
plt.xlabel("t"), plt.legend()
plt.show()

# %% [markdown]
# ## The network solver
#
# `eigen_ode` solves one window of the flow with a network trial solution per coordinate, restarts
# from the network's end point, and stops when the Rayleigh quotient settles.

# %%
settings = dict(max_windows=6, lbfgs_iterations=30) if QUICK else dict(max_windows=40, lbfgs_iterations=100)
largest = eigen_ode(A, "largest", rng=0, **settings)
smallest = eigen_ode(A, "smallest", rng=0, **settings)
errors = {"largest": abs(largest.value - reference[-1]), "smallest": abs(smallest.value - reference[0])}
plt.figure(figsize=(6, 3.5))
plt.plot(largest.history, "o-", label="largest"), plt.plot(smallest.history, "o-", label="smallest")
plt.axhline(reference[-1], color="k", ls="--"), plt.axhline(reference[0], color="k", ls="--")
plt.xlabel("window"), plt.ylabel("Rayleigh quotient"), plt.legend()
plt.show()
for which, result in (("largest", largest), ("smallest", smallest)):
    vector_error = min(np.linalg.norm(result.vector - s * np.linalg.eigh(A)[1][:, -1 if which == "largest" else 0])
                       for s in (1, -1))
    print(f"{which}: {result.value:.8f} after {result.windows} windows, error {errors[which]:.1e}, "
          f"eigenvector error {vector_error:.1e}")

# %%
assert abs(rayleigh[-1] - reference[-1]) < 1e-6              # the flow converges to the largest eigenvalue
assert max(errors.values()) < (5e-2 if QUICK else 1e-5), errors   # headline: eigenvalue error of the network solver
