"""The one way nnlab turns a seed into a random-number generator (bottom layer: NumPy only)."""
from __future__ import annotations

import numpy as np

__all__ = ["as_generator"]


def as_generator(rng: "np.random.Generator | int | None") -> np.random.Generator:
    """A NumPy Generator from a seed, a Generator (returned as is) or None (fresh entropy)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        if rng < 0:
            raise ValueError(f"an int seed must be >= 0, got {rng}; pass a non-negative seed such as 0")
        return np.random.default_rng(rng)
    if rng is None:
        return np.random.default_rng()
    raise TypeError(f"rng must be a numpy.random.Generator, an int seed or None, got {type(rng).__name__}")
