"""Collocation samplers: ranges, counts, seeds, Chebyshev nodes, Latin-hypercube strata."""
import numpy as np
import pytest

from nnlab.de import Chebyshev, Grid, LatinHypercube, Uniform, get_sampler


def test_grid_1d_is_linspace_and_fixed():
    g = Grid(11, (-1.0, 3.0))
    np.testing.assert_allclose(g.sample()[:, 0], np.linspace(-1, 3, 11))
    assert not g.random
    np.testing.assert_array_equal(g.sample(), g.sample())


def test_grid_nd_counts_and_corners():
    pts = Grid((4, 3), [(0, 1), (2, 5)]).sample()
    assert pts.shape == (12, 2)
    assert {tuple(p) for p in pts} >= {(0.0, 2.0), (1.0, 5.0), (0.0, 5.0), (1.0, 2.0)}


def test_jittered_grid_stays_inside_and_moves():
    g = Grid(9, (0, 2), jitter=0.4, rng=1)
    a, b = g.sample(), g.sample()
    assert g.random and not np.allclose(a, b)
    assert a.min() >= 0 and a.max() <= 2
    assert np.max(np.abs(a[:, 0] - np.linspace(0, 2, 9))) <= 0.4 * 0.25 + 1e-12


@pytest.mark.parametrize("cls", [Uniform, LatinHypercube])
def test_random_samplers_range_count_seed_and_resampling(cls):
    box = [(-2.0, -1.0), (10.0, 20.0), (0.0, 0.5)]
    s1, s2 = cls(50, box, rng=7), cls(50, box, rng=7)
    a = s1.sample()
    assert a.shape == (50, 3)
    lo, hi = np.array(box).T
    assert np.all(a >= lo) and np.all(a <= hi)
    np.testing.assert_array_equal(a, s2.sample())          # same seed, same points
    assert not np.allclose(a, s1.sample())                 # a fresh sample each call
    assert not np.allclose(a, cls(50, box, rng=8).sample())


def test_latin_hypercube_has_one_point_per_stratum():
    n = 40
    pts = LatinHypercube(n, [(0, 1), (-3, 3), (5, 6)], rng=0).sample()
    lo = np.array([0, -3, 5.0])
    width = np.array([1, 6, 1.0])
    strata = np.floor((pts - lo) / width * n).astype(int)
    for k in range(3):
        assert sorted(strata[:, k]) == list(range(n))


def test_chebyshev_nodes():
    n = 8
    pts = Chebyshev(n, (0.0, 1.0)).sample()[:, 0]
    expected = np.sort((1 - np.cos(np.pi * (2 * np.arange(n) + 1) / (2 * n))) / 2)
    np.testing.assert_allclose(pts, expected)
    assert pts.min() > 0 and pts.max() < 1
    lob = Chebyshev(n, (-1.0, 1.0), endpoints=True).sample()[:, 0]
    np.testing.assert_allclose(lob, np.sort(np.cos(np.pi * np.arange(n) / (n - 1))), atol=1e-15)
    # clustered towards the ends: the end gaps are smaller than the middle ones
    gaps = np.diff(pts)
    assert gaps[0] < gaps[n // 2 - 1]
    assert Chebyshev((3, 4), [(0, 1), (0, 1)]).sample().shape == (12, 2)


def test_registry_and_errors():
    assert isinstance(get_sampler("latin", 10, (0, 1), rng=0), LatinHypercube)
    with pytest.raises(ValueError, match="chebyshev"):
        get_sampler("sobol", 10, (0, 1))
    with pytest.raises(ValueError, match="low < high"):
        Grid(5, (1.0, 0.0))
    with pytest.raises(ValueError, match="finite"):
        Uniform(5, (0.0, np.nan))
    with pytest.raises(ValueError, match="positive"):
        LatinHypercube(0, (0, 1))
