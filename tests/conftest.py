"""Shared fixtures: a seeded random generator (tests never use global random state).

BLAS is limited to one thread per test process: the suite runs in two processes on two cores
(pytest -n 2), and the small matrices of these networks get slower, not faster, when OpenBLAS
threads compete for the same cores.
"""
import numpy as np
import pytest


@pytest.fixture(scope="session", autouse=True)
def _one_blas_thread_per_process():
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        yield


@pytest.fixture
def rng() -> np.random.Generator:
    """A fresh generator with a fixed seed, so every test sees the same numbers."""
    return np.random.default_rng(12345)
