"""Shared fixtures: a seeded random generator (tests never use global random state)."""
import numpy as np
import pytest


@pytest.fixture
def rng() -> np.random.Generator:
    """A fresh generator with a fixed seed, so every test sees the same numbers."""
    return np.random.default_rng(12345)
