"""The Bernoulli RBM: exact results by enumeration on tiny machines, scikit-learn's definitions and
conventions, and learning on the digits compared with scikit-learn's BernoulliRBM."""
import itertools

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import BernoulliRBM
from sklearn.pipeline import Pipeline

from nnlab.models.rbm import RBM, pseudo_likelihood


def _all_binary(n):
    return np.array(list(itertools.product([0.0, 1.0], repeat=n)))


def _random_machine(n_visible, n_hidden, seed):
    r = np.random.default_rng(seed)
    rbm = RBM(n_hidden)
    rbm.components_ = r.normal(0, 1, (n_hidden, n_visible))
    rbm.intercept_hidden_ = r.normal(0, 1, n_hidden)
    rbm.intercept_visible_ = r.normal(0, 1, n_visible)
    rbm.n_features_in_ = n_visible
    return rbm


def _energy(rbm, v, h):
    """E(v, h) = -b v - c h - h W v for every pair of rows of v and h: shape (len(v), len(h))."""
    return -(v @ rbm.intercept_visible_)[:, None] - (h @ rbm.intercept_hidden_)[None, :] - v @ rbm.components_.T @ h.T


def _exact_log_likelihood(rbm, X):
    """Mean log p(x) with the partition function summed over all visible states."""
    states = _all_binary(rbm.components_.shape[1])
    log_z = np.logaddexp.reduce(-rbm.free_energy(states))
    return float(np.mean(-rbm.free_energy(X) - log_z))


@pytest.fixture(scope="module")
def digits01():
    X, y = load_digits(return_X_y=True)
    return X / 16.0, y


def test_free_energy_and_conditionals_by_enumeration():
    rbm = _random_machine(4, 3, seed=0)
    v, h = _all_binary(4), _all_binary(3)
    energy = _energy(rbm, v, h)
    np.testing.assert_allclose(rbm.free_energy(v), -np.logaddexp.reduce(-energy, axis=1), atol=1e-12)
    # p(h_j = 1 | v) from the joint distribution equals the factorised sigmoid.
    p_h_given_v = np.exp(-energy - np.logaddexp.reduce(-energy, axis=1, keepdims=True))
    np.testing.assert_allclose(rbm.transform(v), p_h_given_v @ h, atol=1e-12)


def test_pseudo_likelihood_is_sklearns(digits01):
    X, _ = digits01
    sk = BernoulliRBM(n_components=16, n_iter=2, random_state=3).fit(X[:300])
    ours = RBM(16)
    ours.components_, ours.intercept_hidden_, ours.intercept_visible_ = sk.components_, sk.intercept_hidden_, sk.intercept_visible_
    ours.n_features_in_ = 64
    flip = np.random.RandomState(3).randint(0, 64, 300)  # the bits sklearn flips with random_state=3
    np.testing.assert_allclose(ours.pseudo_likelihood(X[:300], flip), sk.score_samples(X[:300]), rtol=1e-12)
    np.testing.assert_allclose(ours.free_energy(X[:300]), sk._free_energy(X[:300]), rtol=1e-12)
    # and it is n_features * log p(v_i | v_-i) for the flipped bit i
    rbm = _random_machine(3, 2, seed=1)
    v = _all_binary(3)
    for i in range(3):
        flipped = v.copy()
        flipped[:, i] = 1 - flipped[:, i]
        p = np.exp(-rbm.free_energy(v)) / (np.exp(-rbm.free_energy(v)) + np.exp(-rbm.free_energy(flipped)))
        np.testing.assert_allclose(rbm.pseudo_likelihood(v, np.full(8, i)), 3 * np.log(p), atol=1e-12)


@pytest.mark.parametrize("persistent", [False, True])
def test_training_raises_the_exact_likelihood(persistent):
    """Six visible units, data from three patterns with noise: CD/PCD must raise log p(data)."""
    r = np.random.default_rng(0)
    patterns = np.array([[1, 1, 1, 0, 0, 0], [0, 0, 0, 1, 1, 1], [1, 0, 1, 0, 1, 0]], dtype=float)
    X = patterns[r.integers(0, 3, 300)]
    X = np.where(r.random(X.shape) < 0.05, 1 - X, X)
    rbm = RBM(4, learning_rate=0.1, batch_size=10, n_iter=30, k=2, persistent=persistent, random_state=0).fit(X)
    untrained = RBM(4, n_iter=0, random_state=0).fit(X)
    assert _exact_log_likelihood(untrained, X) == pytest.approx(-6 * np.log(2), abs=0.05)
    assert _exact_log_likelihood(rbm, X) > -6 * np.log(2) + 1.5  # uniform: -4.16; data entropy ~ -2.6


def _exhaustive_pseudo_likelihood(model, X):
    """Pseudo-likelihood averaged over every bit position (removes the noise of the random flip)."""
    params = (model.components_, model.intercept_hidden_, model.intercept_visible_)
    return np.mean([pseudo_likelihood(X, np.full(len(X), i), *params).mean() for i in range(X.shape[1])])


@pytest.mark.parametrize("persistent", [False, True])
def test_pseudo_likelihood_at_least_sklearns(digits01, persistent):
    X, _ = digits01
    settings = dict(n_components=64, learning_rate=0.1, batch_size=10, n_iter=10)
    seeds = (0, 1)
    ours = np.mean([_exhaustive_pseudo_likelihood(RBM(persistent=persistent, random_state=s, **settings).fit(X), X)
                    for s in seeds])
    theirs = np.mean([_exhaustive_pseudo_likelihood(BernoulliRBM(random_state=s, **settings).fit(X), X)
                      for s in seeds])
    assert ours >= theirs - 0.3, (ours, theirs)


def test_pipeline_with_logistic_regression(digits01):
    X, y = digits01
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)
    pipeline = Pipeline([("rbm", RBM(100, learning_rate=0.06, n_iter=15, random_state=0)),
                         ("logistic", LogisticRegression(C=100.0, max_iter=1000))])
    accuracy = pipeline.fit(X_train, y_train).score(X_test, y_test)
    assert accuracy >= 0.9


def test_sklearn_conventions(digits01):
    X, _ = digits01
    rbm = RBM(8, n_iter=1, random_state=0)
    assert rbm.get_params()["n_components"] == 8 and not hasattr(rbm, "components_")
    assert rbm.fit(X[:50]) is rbm
    assert rbm.components_.shape == (8, 64) and rbm.intercept_hidden_.shape == (8,)
    assert rbm.intercept_visible_.shape == (64,) and rbm.n_features_in_ == 64
    assert not hasattr(clone(rbm), "components_")
    again = RBM(8, n_iter=1, random_state=0).fit(X[:50])
    np.testing.assert_array_equal(again.components_, rbm.components_)  # seeded: repeatable
    np.testing.assert_array_equal(rbm.score_samples(X[:20]), rbm.score_samples(X[:20]))
    h = rbm.transform(X[:5])
    assert h.shape == (5, 8) and np.all((h > 0) & (h < 1))
    v = rbm.gibbs(X[:5])
    assert v.shape == (5, 64) and set(np.unique(v)) <= {0.0, 1.0}
    partial = RBM(8, random_state=0).partial_fit(X[:10]).partial_fit(X[10:20])
    assert partial.components_.shape == (8, 64)


def test_gibbs_uses_the_estimators_generator(digits01):
    X, _ = digits01
    a = RBM(16, n_iter=2, random_state=5).fit(X[:100])
    b = RBM(16, n_iter=2, random_state=5).fit(X[:100])
    np.testing.assert_array_equal(a.gibbs(X[:10]), b.gibbs(X[:10]))
    assert not np.array_equal(a.gibbs(X[:10]), a.gibbs(X[:10]))  # the generator moves on


def test_errors(digits01):
    X, _ = digits01
    with pytest.raises(NotFittedError):
        RBM().transform(X)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        RBM().fit(X * 16)
    with pytest.raises(ValueError, match="NaN"):
        RBM().fit(np.full((3, 4), np.nan))
    with pytest.raises(ValueError, match="n_components"):
        RBM(0).fit(X)
    with pytest.raises(ValueError, match="features"):
        RBM(4, n_iter=1).fit(X[:20]).transform(X[:5, :10])


def test_command_writes_plots_and_prints_accuracy(tmp_path, capsys):
    from nnlab.cli import main

    assert main(["rbm", "--quick", "--n-components", "32", "--output-dir", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("pseudo-likelihood: ") and lines[-1].startswith("test accuracy: ")
    assert float(lines[-1].split()[-1]) > 0.8
    assert (tmp_path / "components.png").exists() and (tmp_path / "gibbs_samples.png").exists()
