"""Weight initialisers, by name. Each returns an array of shape (fan_in, fan_out) (or any shape
whose fan-in and fan-out are given), drawn from ``rng``.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

__all__ = ["INITIALIZERS", "get_initializer", "initialize"]


def normal(shape: tuple, fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    """The lecture's choice: standard normal weights N(0, 1)."""
    return rng.standard_normal(shape)


def glorot_uniform(shape: tuple, fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    """Glorot & Bengio (2010): U(-a, a) with a = sqrt(6 / (fan_in + fan_out))."""
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, shape)


def glorot_normal(shape: tuple, fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    """Glorot & Bengio (2010): N(0, 2 / (fan_in + fan_out))."""
    return rng.standard_normal(shape) * np.sqrt(2.0 / (fan_in + fan_out))


def he_normal(shape: tuple, fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    """He et al. (2015), for ReLU: N(0, 2 / fan_in)."""
    return rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)


def he_uniform(shape: tuple, fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    """He et al. (2015), for ReLU: U(-a, a) with a = sqrt(6 / fan_in)."""
    limit = np.sqrt(6.0 / fan_in)
    return rng.uniform(-limit, limit, shape)


def lecun_normal(shape: tuple, fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    """LeCun (1998): N(0, 1 / fan_in)."""
    return rng.standard_normal(shape) * np.sqrt(1.0 / fan_in)


def zeros(shape: tuple, fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    """All zeros (for biases; zero weights keep every unit of a layer identical)."""
    return np.zeros(shape)


INITIALIZERS: dict[str, Callable] = {
    "normal": normal,
    "glorot_uniform": glorot_uniform,
    "xavier_uniform": glorot_uniform,
    "glorot_normal": glorot_normal,
    "xavier_normal": glorot_normal,
    "he_normal": he_normal,
    "he_uniform": he_uniform,
    "lecun_normal": lecun_normal,
    "zeros": zeros,
}


def get_initializer(name: str | Callable) -> Callable:
    """The initialiser called ``name`` (a callable is returned as it is)."""
    if callable(name):
        return name
    try:
        return INITIALIZERS[name]
    except KeyError:
        raise ValueError(f"unknown initialiser {name!r}; choose one of {sorted(INITIALIZERS)}") from None


def initialize(name: str | Callable, shape: tuple, fan_in: int, fan_out: int,
               rng: np.random.Generator, dtype: Any = np.float32) -> np.ndarray:
    """Draw an array of ``shape`` with the named initialiser, in ``dtype``."""
    return np.asarray(get_initializer(name)(shape, fan_in, fan_out, rng), dtype=dtype)
