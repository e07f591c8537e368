"""The same problems in DeepXDE (PyTorch backend, float64, one thread), for bench/de.py.

Each function builds DeepXDE's model with the same network, the same hard (output-transform)
conditions, points and optimiser budget as nnlab's run it is compared with, trains it, and returns
(error, (wall seconds, CPU seconds, iterations) of training). DeepXDE is optional (``pip install nnlab[bench]``).
"""
from __future__ import annotations

import os
import time

import numpy as np


def _setup():
    os.environ.setdefault("DDE_BACKEND", "pytorch")
    import deepxde as dde
    import torch

    torch.set_num_threads(1)
    dde.config.set_default_float("float64")
    dde.config.set_random_seed(0)
    return dde, torch


def _train(dde, model, adam: int, lbfgs: int, lr: float = 1e-3, variables=None):
    """Adam then L-BFGS; returns (wall seconds, CPU seconds, iterations done)."""
    start, cpu = time.perf_counter(), time.process_time()
    if adam:
        model.compile("adam", lr=lr, external_trainable_variables=variables, verbose=0)
        model.train(iterations=adam, display_every=10 ** 9, verbose=0)
    if lbfgs:
        dde.optimizers.set_LBFGS_options(maxiter=lbfgs, ftol=0, gtol=0, maxcor=50)
        # one PyTorch L-BFGS step of at most ``lbfgs`` iterations (DeepXDE 1.15 otherwise runs 1 000 per step)
        dde.optimizers.LBFGS_options.update(iter_per_step=lbfgs, fun_per_step=int(1.25 * lbfgs))
        model.compile("L-BFGS", external_trainable_variables=variables, verbose=0)
        model.train(display_every=10 ** 9, verbose=0)
    return time.perf_counter() - start, time.process_time() - cpu, int(model.train_state.step)


def poisson1d(lbfgs: int = 500, n_points: int = 32, hidden=(16, 16)):
    """-u'' = (3x + x^2) e^x on [0, 1], u = x (1 - x) N (hard Dirichlet); max error on 1001 points."""
    dde, torch = _setup()
    geom = dde.geometry.Interval(0.0, 1.0)

    def pde(x, u):
        return dde.grad.hessian(u, x) + (3 * x + x ** 2) * torch.exp(x)

    data = dde.data.PDE(geom, pde, [], num_domain=n_points, num_boundary=0, train_distribution="uniform")
    net = dde.nn.FNN([1, *hidden, 1], "tanh", "Glorot uniform")
    net.apply_output_transform(lambda x, n: x * (1 - x) * n)
    model = dde.Model(data, net)
    timing = _train(dde, model, 0, lbfgs)
    x = np.linspace(0, 1, 1001)[:, None]
    return float(np.max(np.abs(model.predict(x) - x * (1 - x) * np.exp(x)))), timing


def diffusion1d(lbfgs: int = 2000, n_points: int = 144, hidden=(16, 16)):
    """u_t = u_xx, u(x, 0) = sin(pi x), u(0, t) = u(1, t) = 0: u = sin(pi x) + x (1 - x) t N; max error."""
    dde, torch = _setup()
    geom = dde.geometry.GeometryXTime(dde.geometry.Interval(0.0, 1.0), dde.geometry.TimeDomain(0.0, 1.0))

    def pde(xt, u):
        return dde.grad.jacobian(u, xt, j=1) - dde.grad.hessian(u, xt, i=0, j=0)

    data = dde.data.TimePDE(geom, pde, [], num_domain=n_points, num_boundary=0, num_initial=0,
                            train_distribution="Hammersley")
    net = dde.nn.FNN([2, *hidden, 1], "tanh", "Glorot uniform")
    net.apply_output_transform(lambda xt, n: torch.sin(np.pi * xt[:, 0:1]) + xt[:, 0:1] * (1 - xt[:, 0:1]) * xt[:, 1:2] * n)
    model = dde.Model(data, net)
    timing = _train(dde, model, 0, lbfgs)
    X, T = np.meshgrid(np.linspace(0, 1, 101), np.linspace(0, 1, 101), indexing="ij")
    pred = model.predict(np.stack([X.ravel(), T.ravel()], 1)).reshape(X.shape)
    return float(np.max(np.abs(pred - np.exp(-np.pi ** 2 * T) * np.sin(np.pi * X)))), timing


def burgers(adam: int = 3000, lbfgs: int = 5000, n_points: int = 2540, hidden=(20, 20, 20)):
    """Burgers with u = -sin(pi x) + (1 - x^2) t N (hard conditions); relative L2 against Cole-Hopf."""
    from nnlab.de.burgers import NU, burgers_reference, relative_l2

    dde, torch = _setup()
    geom = dde.geometry.GeometryXTime(dde.geometry.Interval(-1.0, 1.0), dde.geometry.TimeDomain(0.0, 1.0))

    def pde(xt, u):
        u_x = dde.grad.jacobian(u, xt, i=0, j=0)
        u_t = dde.grad.jacobian(u, xt, i=0, j=1)
        return u_t + u * u_x - NU * dde.grad.hessian(u, xt, i=0, j=0)

    data = dde.data.TimePDE(geom, pde, [], num_domain=n_points, num_boundary=0, num_initial=0,
                            train_distribution="LHS")
    net = dde.nn.FNN([2, *hidden, 1], "tanh", "Glorot normal")
    net.apply_output_transform(lambda xt, n: -torch.sin(np.pi * xt[:, 0:1]) + (1 - xt[:, 0:1] ** 2) * xt[:, 1:2] * n)
    model = dde.Model(data, net)
    timing = _train(dde, model, adam, lbfgs)
    X, T = np.meshgrid(np.linspace(-1, 1, 256), np.linspace(0, 1, 101), indexing="ij")
    pred = model.predict(np.stack([X.ravel(), T.ravel()], 1)).reshape(X.shape)
    return relative_l2(pred, burgers_reference(X, T)), timing


def diffusion_inverse(observations, lbfgs: int = 1000, n_points: int = 144, hidden=(16, 16)):
    """u_t = C u_xx - e^-t (sin(pi x) - pi^2 sin(pi x)) on [-1, 1] x [0, 1], C unknown (start 2), hard
    initial/boundary values and ten observations; returns (|C - 1|, timing, C)."""
    dde, torch = _setup()
    geom = dde.geometry.GeometryXTime(dde.geometry.Interval(-1.0, 1.0), dde.geometry.TimeDomain(0.0, 1.0))
    C = dde.Variable(2.0)

    def pde(xt, u):
        x, t = xt[:, 0:1], xt[:, 1:2]
        source = torch.exp(-t) * (torch.sin(np.pi * x) - np.pi ** 2 * torch.sin(np.pi * x))
        return dde.grad.jacobian(u, xt, j=1) - C * dde.grad.hessian(u, xt, i=0, j=0) + source

    points, values = observations
    observe = dde.icbc.PointSetBC(points, values.reshape(-1, 1))
    data = dde.data.TimePDE(geom, pde, [observe], num_domain=n_points, num_boundary=0, num_initial=0,
                            anchors=points, train_distribution="Hammersley")
    net = dde.nn.FNN([2, *hidden, 1], "tanh", "Glorot uniform")
    net.apply_output_transform(lambda xt, n: torch.sin(np.pi * xt[:, 0:1]) + (1 - xt[:, 0:1] ** 2) * xt[:, 1:2] * n)
    model = dde.Model(data, net)
    timing = _train(dde, model, 0, lbfgs, variables=[C])
    value = float(C.detach().cpu().numpy())
    return abs(value - 1.0), timing, value
