"""Rosenblatt's perceptron: a step unit trained by the perceptron learning rule.

    y = f(z),  z = w . x + b,  f(z) = 1 if z > 0 else 0      (the lecture's Heaviside unit)
    w <- w + eta (t - y) x,    b <- b + eta (t - y)            (one sample at a time)

It changes the weights only on mistakes, and it stops after an epoch without one, which
happens in finitely many steps exactly when the classes are linearly separable (Novikoff,
1962). Several classes are handled one-against-all: one unit per class, trained on "this class
or not", and the class with the largest z wins.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from nnlab import ops
from nnlab.data.validation import check_array, check_finite
from nnlab.nn.module import Module, Parameter, as_generator

__all__ = ["Perceptron"]


class Perceptron(Module):
    """The single-layer perceptron (binary, or one-against-all for several classes).

    Parameters
    ----------
    n_features : int
        Inputs per sample.
    n_classes : int
        2 for one step unit; K > 2 for K units, one against all.
    eta : float
        Learning rate of the rule w <- w + eta (t - y) x.
    dtype : dtype
        Of the weights (float64 by default: the rule is exact arithmetic on small data).
    rng : Generator, int or None
        Shuffles the order of the samples in every epoch.
    classes : sequence, optional
        The labels ``predict`` returns, sorted (default 0 .. n_classes - 1); ``fit`` sets them
        from the training labels.

    Attributes
    ----------
    weight : Tensor (n_features, n_units), bias : Tensor (n_units,)
        n_units = 1 for two classes, else n_classes. They start at zero, as Rosenblatt's did.
    classes_ : array
        The labels seen by ``fit`` (``predict`` returns these).
    errors_ : list[int]
        Number of mistakes (updates) in each epoch of the last ``fit``.
    converged_ : bool
        Whether an epoch passed without a mistake.
    """

    def __init__(self, n_features: int, n_classes: int = 2, eta: float = 1.0, dtype: Any = np.float64,
                 rng: np.random.Generator | int | None = None, classes: Any = None):
        if n_features < 1 or n_classes < 2:
            raise ValueError(f"need n_features >= 1 and n_classes >= 2, got {n_features} and {n_classes}")
        if not eta > 0:
            raise ValueError(f"eta must be positive, got {eta}")
        self.n_features, self.n_classes, self.eta = int(n_features), int(n_classes), float(eta)
        units = 1 if n_classes == 2 else n_classes
        self.weight = Parameter(np.zeros((n_features, units), dtype=dtype))
        self.bias = Parameter(np.zeros(units, dtype=dtype))
        self.rng = as_generator(rng)
        self.classes_ = np.arange(n_classes) if classes is None else np.asarray(classes)
        if self.classes_.shape != (n_classes,):
            raise ValueError(f"classes must list n_classes={n_classes} labels, got {self.classes_.tolist()!r:.200}")
        self.errors_: list[int] = []
        self.converged_ = False

    def decision_function(self, X) -> np.ndarray:
        """z = X w + b: shape (n,) for two classes, (n, K) otherwise."""
        X = self._check_X(X)
        z = X @ self.weight.data + self.bias.data
        return z[:, 0] if z.shape[1] == 1 else z

    def forward(self, x):
        """The step outputs f(x W + b) in {0, 1}, shape (n, units) (no gradient flows through)."""
        return ops.heaviside(ops.linear(x, self.weight, self.bias), value_at_zero=0.0)

    def predict(self, X) -> np.ndarray:
        """Class labels: f(z) for two classes, argmax_k z_k for several."""
        z = self.decision_function(X)
        index = (z > 0).astype(np.int64) if z.ndim == 1 else np.argmax(z, axis=1)
        return self.classes_[index]

    def score(self, X, y) -> float:
        """Accuracy on (X, y)."""
        return float(np.mean(self.predict(X) == np.asarray(y)))

    def _check_X(self, X) -> np.ndarray:
        X = check_array(X, "X", ndim=None, finite=False)
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise ValueError(f"X must have shape (n_samples, {self.n_features}), got {X.shape}")
        if not np.isfinite(X).all():
            raise ValueError("X contains NaN or inf; remove or impute them first")
        return X.astype(self.weight.dtype, copy=False)

    def fit(self, X, y, epochs: int = 100) -> "Perceptron":
        """Apply the perceptron rule sample by sample for up to ``epochs`` epochs.

        Stops early after an epoch with no mistake (``converged_`` becomes True).
        """
        X = self._check_X(X)
        y = np.asarray(y)
        if y.ndim != 1 or len(y) != len(X):
            raise ValueError(f"y must have shape ({len(X)},), got {y.shape}")
        if len(X) == 0:
            raise ValueError(f"X has no samples (shape {X.shape}); pass at least one row")
        check_finite(y, "y")
        if isinstance(epochs, (bool, np.bool_)) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
            raise ValueError(f"epochs must be a positive integer, got {epochs!r}")
        classes = np.unique(y)
        if len(classes) != self.n_classes:
            if np.issubdtype(y.dtype, np.integer) and classes.min() >= 0 and classes.max() < self.n_classes:
                classes = np.arange(self.n_classes)  # labels 0..K-1, some absent from this sample
            else:
                raise ValueError(f"y has {len(classes)} classes {classes.tolist()[:10]} but the perceptron "
                                 f"was built for n_classes={self.n_classes}")
        self.classes_ = classes
        index = np.searchsorted(classes, y)
        units = self.weight.shape[1]
        targets = (index == 1).astype(X.dtype)[:, None] if units == 1 else \
            (index[:, None] == np.arange(units)[None, :]).astype(X.dtype)
        w, b, eta = self.weight.data, self.bias.data, self.eta
        self.errors_, self.converged_ = [], False
        for _ in range(int(epochs)):
            mistakes = 0
            for i in self.rng.permutation(len(X)):
                x, t = X[i], targets[i]
                out = (x @ w + b > 0).astype(X.dtype)   # y = f(z)
                delta = t - out                          # (t - y): zero unless the unit is wrong
                if delta.any():
                    w += eta * np.outer(x, delta)        # w <- w + eta (t - y) x
                    b += eta * delta                     # b <- b + eta (t - y)
                    mistakes += 1
            self.errors_.append(mistakes)
            if mistakes == 0:
                self.converged_ = True
                break
        return self

    def extra_repr(self) -> str:
        return f"{self.n_features} -> {self.n_classes} classes, eta={self.eta}"

    def config(self) -> dict:
        """Constructor arguments as JSON-able values (rng not stored), for ``nnlab.io.save_model``;
        the learnt weights go into the weight file and ``classes`` keeps the labels."""
        return {"n_features": self.n_features, "n_classes": self.n_classes, "eta": self.eta,
                "dtype": self.weight.dtype.name, "classes": self.classes_.tolist()}
