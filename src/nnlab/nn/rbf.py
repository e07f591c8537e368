"""Radial basis function networks: a layer of Gaussian units and the three-layer RBF network.

The lecture's RBF network has an input layer, a hidden layer of radially symmetric units and a
linear output layer. Hidden unit j responds to the distance of the input from its centre c_j:

    phi_j(x) = exp(-||x - c_j||^2 / (2 s_j^2)),

and the output is linear in the phi_j, y = phi(x) W + b. Because the output is linear, once the
centres and widths are chosen (classically: centres by k-means, widths from the centre spacing;
Moody & Darken 1989) the output weights are a linear least-squares problem with a closed-form
solution (:meth:`RBFNetwork.fit_output`). Centres and widths can also be trained by gradient
descent on the engine, as any other parameters.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from nnlab import ops
from nnlab.data.validation import check_integer
from nnlab.nn.container import Sequential
from nnlab.nn.layers import Dense
from nnlab.nn.module import Module, as_generator
from nnlab.ops import _raw
from nnlab.tensor import Tensor

__all__ = ["RBF", "RBFNetwork", "kmeans", "center_widths", "CENTER_INITS", "WIDTH_RULES"]

CENTER_INITS = ("kmeans", "random")
WIDTH_RULES = ("nearest", "dmax")


def _squared_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """||a_i - b_j||^2 for all pairs, shape (len(a), len(b)), never negative."""
    d = (a * a).sum(1)[:, None] - 2.0 * a @ b.T + (b * b).sum(1)[None, :]
    return np.maximum(d, 0.0)


def kmeans(X: np.ndarray, n_clusters: int, rng: np.random.Generator | int | None = None,
           n_iter: int = 100, tol: float = 1e-8) -> np.ndarray:
    """Centres of k-means clusters of the rows of X (Lloyd's algorithm, k-means++ start).

    k-means++ (Arthur & Vassilvitskii 2007) draws each new centre with probability proportional
    to its squared distance from the centres chosen so far; Lloyd's iterations then alternate
    assigning points to the nearest centre and moving each centre to the mean of its points.
    An empty cluster is re-seeded with the point farthest from its centre.

    Returns
    -------
    ndarray of shape (n_clusters, n_features)
    """
    X = np.asarray(X, dtype=np.float64)
    if not 1 <= n_clusters <= len(X):
        raise ValueError(f"kmeans needs 1 <= n_clusters <= n_samples = {len(X)}, got n_clusters={n_clusters}")
    rng = as_generator(rng)
    centers = np.empty((n_clusters, X.shape[1]))
    centers[0] = X[rng.integers(len(X))]
    closest = _squared_distances(X, centers[:1])[:, 0]
    for k in range(1, n_clusters):
        total = closest.sum()
        index = rng.choice(len(X), p=closest / total) if total > 0 else rng.integers(len(X))
        centers[k] = X[index]
        closest = np.minimum(closest, _squared_distances(X, centers[k:k + 1])[:, 0])
    for _ in range(n_iter):
        d = _squared_distances(X, centers)
        label = d.argmin(axis=1)
        counts = np.bincount(label, minlength=n_clusters)
        sums = np.zeros_like(centers)
        np.add.at(sums, label, X)
        new = np.where(counts[:, None] > 0, sums / np.maximum(counts, 1)[:, None], centers)
        for k in np.flatnonzero(counts == 0):
            far = d[np.arange(len(X)), label].argmax()
            new[k] = X[far]
            d[far] = 0.0
        shift = float(np.max(np.abs(new - centers)))
        centers = new
        if shift <= tol:
            break
    return centers


def center_widths(centers: np.ndarray, rule: str | float = "nearest", p: int = 2, scale: float = 1.0) -> np.ndarray:
    """Widths s_j of the Gaussian units from the spacing of the centres.

    'nearest': s_j = scale * RMS distance from c_j to its ``p`` nearest other centres
    (Moody & Darken 1989). 'dmax': s = d_max / sqrt(2 K) for every unit, d_max the largest
    distance between centres (Haykin, *Neural Networks*, sec. 5). A number: that width for all.
    """
    centers = np.asarray(centers, dtype=np.float64)
    K = len(centers)
    if not isinstance(rule, str):
        if not np.isfinite(rule) or rule <= 0:
            raise ValueError(f"a fixed RBF width must be a positive number, got {rule!r}")
        return np.full(K, float(rule))
    if rule not in WIDTH_RULES:
        raise ValueError(f"unknown width rule {rule!r}; choose one of {list(WIDTH_RULES)} or give a number")
    if K == 1:
        return np.ones(1)
    d2 = _squared_distances(centers, centers)
    if rule == "dmax":
        return np.full(K, scale * np.sqrt(d2.max()) / np.sqrt(2.0 * K))
    np.fill_diagonal(d2, np.inf)
    p = min(p, K - 1)
    nearest = np.sort(d2, axis=1)[:, :p]
    widths = scale * np.sqrt(nearest.mean(axis=1))
    return np.where(widths > 0, widths, widths[widths > 0].min() if np.any(widths > 0) else 1.0)


class RBF(Module):
    """Layer of Gaussian radial units: phi_j(x) = exp(-||x - c_j||^2 / (2 s_j^2)).

    Parameters
    ----------
    in_features : int
        Input dimension d.
    n_centers : int
        Number of units K.
    centers : array of shape (K, d), optional
        Initial centres (default: standard normal draws from ``rng``; prefer :meth:`from_data`).
    widths : array of shape (K,) or float, optional
        Initial widths s_j (default 1).
    trainable_centers, trainable_widths : bool
        Whether gradient training moves the centres / widths (fixed ones are not parameters;
        they are then stored in :meth:`config` so a saved model keeps them).
    dtype : dtype
        float32 (default) or float64.
    rng : Generator, int or None
        Source of the default centres.

    Notes
    -----
    Input (n, d), output (n, K). The squared distance is expanded as
    ||x||^2 - 2 x.c + ||c||^2 so one matrix product serves all pairs.
    """

    def __init__(self, in_features: int, n_centers: int, centers: Any = None, widths: Any = None,
                 trainable_centers: bool = True, trainable_widths: bool = True, dtype: Any = np.float32,
                 rng: np.random.Generator | int | None = None):
        self.in_features = check_integer(in_features, "RBF in_features")
        self.n_centers = check_integer(n_centers, "RBF n_centers")
        self.dtype = np.dtype(dtype)
        shape = (self.n_centers, self.in_features)
        c = as_generator(rng).standard_normal(shape) if centers is None else np.asarray(centers, dtype=np.float64)
        if c.shape != shape:
            raise ValueError(f"RBF centers must have shape (n_centers, in_features) = {shape}, got {c.shape}")
        s = np.ones(self.n_centers) if widths is None else np.broadcast_to(np.asarray(widths, dtype=np.float64),
                                                                          (self.n_centers,)).copy()
        if not (np.all(np.isfinite(c)) and np.all(np.isfinite(s)) and np.all(s != 0)):
            raise ValueError("RBF centers and widths must be finite, and widths non-zero")
        self.trainable_centers, self.trainable_widths = bool(trainable_centers), bool(trainable_widths)
        self.centers = Tensor(c.astype(self.dtype), requires_grad=self.trainable_centers)
        self.widths = Tensor(s.astype(self.dtype), requires_grad=self.trainable_widths)

    @classmethod
    def from_data(cls, X: Any, n_centers: int, init: str = "kmeans", width: str | float = "nearest",
                  width_scale: float = 1.0, trainable_centers: bool = True, trainable_widths: bool = True,
                  dtype: Any = np.float32, rng: np.random.Generator | int | None = None) -> "RBF":
        """An RBF layer whose centres come from the data X of shape (n, d).

        ``init``: 'kmeans' (cluster centres, :func:`kmeans`) or 'random' (rows of X drawn
        without replacement). ``width``: a rule of :func:`center_widths` or a number;
        ``width_scale`` multiplies the rule's widths.
        """
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2:
            raise ValueError(f"RBF.from_data expects X of shape (n_samples, n_features), got {X.shape}")
        if not np.all(np.isfinite(X)):
            raise ValueError("RBF.from_data: X contains NaN or inf; clean the data first")
        if not 1 <= n_centers <= len(X):
            raise ValueError(f"n_centers must lie in [1, n_samples = {len(X)}], got {n_centers}")
        rng = as_generator(rng)
        if init == "kmeans":
            centers = kmeans(X, n_centers, rng)
        elif init == "random":
            centers = X[rng.choice(len(X), n_centers, replace=False)]
        else:
            raise ValueError(f"unknown centre initialisation {init!r}; choose one of {list(CENTER_INITS)}")
        widths = center_widths(centers, width, scale=width_scale)
        return cls(X.shape[1], n_centers, centers, widths, trainable_centers, trainable_widths, dtype)

    def forward(self, x):
        if _raw(x).ndim != 2 or _raw(x).shape[1] != self.in_features:
            raise ValueError(f"RBF expects input of shape (n, {self.in_features}), got {tuple(_raw(x).shape)}")
        c, s = self.centers, self.widths
        xx = ops.sum(x * x, axis=1, keepdims=True)
        d2 = xx - 2.0 * ops.matmul(x, c.T) + ops.sum(c * c, axis=1)
        return ops.exp(d2 * (-0.5 / (s * s)))

    def config(self) -> dict:
        """Constructor arguments as JSON-able values; fixed centres/widths are included as lists."""
        config = {"in_features": self.in_features, "n_centers": self.n_centers,
                  "trainable_centers": self.trainable_centers, "trainable_widths": self.trainable_widths,
                  "dtype": self.dtype.name}
        if not self.trainable_centers:
            config["centers"] = self.centers.numpy().astype(float).tolist()
        if not self.trainable_widths:
            config["widths"] = self.widths.numpy().astype(float).tolist()
        return config

    def extra_repr(self) -> str:
        return (f"{self.in_features} -> {self.n_centers}, trainable_centers={self.trainable_centers}, "
                f"trainable_widths={self.trainable_widths}")


class RBFNetwork(Sequential):
    """The three-layer RBF network: input, Gaussian RBF layer, linear output y = phi(x) W + b.

    Build it from data with :meth:`build`; fit the output weights in closed form with
    :meth:`fit_output` and/or train everything by gradient descent (``nnlab.train.fit``).
    """

    def __init__(self, rbf: RBF, output: Dense):
        if not isinstance(rbf, RBF) or not isinstance(output, Dense):
            raise TypeError(f"RBFNetwork needs an RBF layer and a Dense output layer, got "
                            f"{type(rbf).__name__} and {type(output).__name__}")
        if output.in_features != rbf.n_centers:
            raise ValueError(f"the output layer takes {output.in_features} inputs but the RBF layer has "
                             f"{rbf.n_centers} units")
        super().__init__(rbf, output)

    @property
    def rbf(self) -> RBF:
        return self.layers[0]

    @property
    def output(self) -> Dense:
        return self.layers[1]

    @classmethod
    def build(cls, X: Any, n_centers: int, n_outputs: int = 1, init: str = "kmeans",
              width: str | float = "nearest", width_scale: float = 1.0, trainable_centers: bool = True,
              trainable_widths: bool = True, dtype: Any = np.float32,
              rng: np.random.Generator | int | None = None) -> "RBFNetwork":
        """RBF layer from the data X (see :meth:`RBF.from_data`) and a zero-initialised linear output."""
        rng = as_generator(rng)
        rbf = RBF.from_data(X, n_centers, init, width, width_scale, trainable_centers, trainable_widths, dtype, rng)
        output = Dense(n_centers, n_outputs, weight_init="zeros", dtype=dtype, rng=rng)
        return cls(rbf, output)

    def fit_output(self, X: Any, y: Any, alpha: float = 0.0) -> "RBFNetwork":
        """Set the output weights to the least-squares solution for the current centres and widths.

        Minimises ||[Phi, 1] [W; b] - y||^2 + alpha ||W||^2 (ridge on W, not on b), with
        Phi = rbf(X); solved with ``numpy.linalg.lstsq`` (SVD) in float64. Returns self.
        """
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        if y.ndim == 1:
            y = y[:, None]
        if len(X) != len(y) or y.shape[1] != self.output.out_features:
            raise ValueError(f"fit_output: X has {len(X)} rows and y has shape {y.shape}; y needs shape "
                             f"({len(X)}, {self.output.out_features})")
        if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
            raise ValueError("fit_output: X or y contains NaN or inf")
        if alpha < 0:
            raise ValueError(f"alpha must be >= 0, got {alpha}")
        saved = self.rbf.dtype
        phi = self.rbf(Tensor(X.astype(saved))).numpy().astype(np.float64)
        design = np.hstack([phi, np.ones((len(X), 1))])
        target = y
        if alpha > 0:
            ridge = np.hstack([np.sqrt(alpha) * np.eye(phi.shape[1]), np.zeros((phi.shape[1], 1))])
            design = np.vstack([design, ridge])
            target = np.vstack([y, np.zeros((phi.shape[1], y.shape[1]))])
        solution = np.linalg.lstsq(design, target, rcond=None)[0]
        self.output.weight.data = solution[:-1].astype(self.output.weight.dtype)
        if self.output.bias is not None:
            self.output.bias.data = solution[-1].astype(self.output.bias.dtype)
        return self
