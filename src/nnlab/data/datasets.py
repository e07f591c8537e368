"""Small data sets: scikit-learn's digits and breast cancer, and the Franke and Runge regression sets."""
from __future__ import annotations

from typing import Any

import numpy as np

from nnlab._random import as_generator

__all__ = ["load_digits", "load_breast_cancer", "franke_function", "make_franke", "runge_function", "make_runge"]


def load_digits(return_images: bool = False, dtype: Any = np.float32) -> tuple[np.ndarray, np.ndarray]:
    """The 1797 handwritten 8x8 digits shipped with scikit-learn (the lecture's data set).

    Pixel values are the raw intensities 0..16, as the lecture uses them.

    Returns
    -------
    X : ndarray of shape (1797, 64), or (1797, 1, 8, 8) (NCHW) when ``return_images``
    y : ndarray of shape (1797,), int64 labels 0..9
    """
    from sklearn.datasets import load_digits as _load

    bunch = _load()
    X = bunch.images[:, None, :, :] if return_images else bunch.data
    return np.ascontiguousarray(X, dtype=dtype), bunch.target.astype(np.int64)


def load_breast_cancer(dtype: Any = np.float32) -> tuple[np.ndarray, np.ndarray]:
    """The Wisconsin breast cancer set shipped with scikit-learn: 569 rows, 30 unscaled features.

    Returns
    -------
    X : ndarray of shape (569, 30)
    y : ndarray of shape (569,), int64, 0 = malignant, 1 = benign (scikit-learn's coding)
    """
    from sklearn.datasets import load_breast_cancer as _load

    bunch = _load()
    return np.ascontiguousarray(bunch.data, dtype=dtype), bunch.target.astype(np.int64)


def franke_function(x: Any, y: Any) -> np.ndarray:
    """Franke's bivariate test function on [0, 1]^2 (Franke 1979)::

        f(x, y) = 3/4 exp(-(9x - 2)^2 / 4 - (9y - 2)^2 / 4) + 3/4 exp(-(9x + 1)^2 / 49 - (9y + 1) / 10)
                + 1/2 exp(-(9x - 7)^2 / 4 - (9y - 3)^2 / 4) - 1/5 exp(-(9x - 4)^2 - (9y - 7)^2)

    ``x`` and ``y`` broadcast against each other (a meshgrid works).
    """
    x, y = np.asarray(x), np.asarray(y)
    term1 = 0.75 * np.exp(-0.25 * (9 * x - 2) ** 2 - 0.25 * (9 * y - 2) ** 2)
    term2 = 0.75 * np.exp(-((9 * x + 1) ** 2) / 49.0 - 0.1 * (9 * y + 1))
    term3 = 0.5 * np.exp(-0.25 * (9 * x - 7) ** 2 - 0.25 * (9 * y - 3) ** 2)
    term4 = -0.2 * np.exp(-((9 * x - 4) ** 2) - (9 * y - 7) ** 2)
    return term1 + term2 + term3 + term4


def runge_function(x: Any) -> np.ndarray:
    """Runge's function f(x) = 1 / (1 + 25 x^2), the classic case where polynomial interpolation fails."""
    x = np.asarray(x)
    return 1.0 / (1.0 + 25.0 * x * x)


def _check_n_noise(n_samples: int, noise: float) -> None:
    if int(n_samples) != n_samples or n_samples < 1:
        raise ValueError(f"n_samples must be a positive integer, got {n_samples!r}")
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise is the standard deviation of the added Gaussian noise and must be a finite "
                         f"number >= 0, got {noise!r}")


def make_franke(n_samples: int, noise: float = 0.0, seed: np.random.Generator | int | None = None,
                dtype: Any = np.float32) -> tuple[np.ndarray, np.ndarray]:
    """Points (x, y) uniform on [0, 1]^2 and targets Franke(x, y) + noise * N(0, 1).

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
    t : ndarray of shape (n_samples,); use ``t.reshape(-1, 1)`` for a network with one output
    """
    _check_n_noise(n_samples, noise)
    rng = as_generator(seed)
    X = rng.uniform(0.0, 1.0, size=(int(n_samples), 2))
    t = franke_function(X[:, 0], X[:, 1])
    if noise:
        t = t + noise * rng.standard_normal(t.shape)
    return X.astype(dtype), t.astype(dtype)


def make_runge(n_samples: int, noise: float = 0.0, seed: np.random.Generator | int | None = None,
               dtype: Any = np.float32) -> tuple[np.ndarray, np.ndarray]:
    """Points x uniform on [-1, 1] and targets 1 / (1 + 25 x^2) + noise * N(0, 1).

    Returns
    -------
    X : ndarray of shape (n_samples, 1)
    t : ndarray of shape (n_samples,)
    """
    _check_n_noise(n_samples, noise)
    rng = as_generator(seed)
    X = rng.uniform(-1.0, 1.0, size=(int(n_samples), 1))
    t = runge_function(X[:, 0])
    if noise:
        t = t + noise * rng.standard_normal(t.shape)
    return X.astype(dtype), t.astype(dtype)
