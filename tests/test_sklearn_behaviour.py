"""nnlab's MLP estimators behave as scikit-learn's where a scikit-learn user would notice (issue 17).

One test per behaviour, each compared with scikit-learn's own MLP where it has the behaviour.
"""
import copy
import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.neural_network import MLPRegressor as SkMLPRegressor

from nnlab.estimators import MLPClassifier, MLPRegressor
from nnlab.estimators.mlp import sklearn_initial_weights

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def sparse_data():
    """A classification problem whose inputs are mostly zeros (as bag-of-words counts are)."""
    X, y = make_classification(n_samples=150, n_features=30, n_informative=6, random_state=0)
    X[np.abs(X) < 1.0] = 0.0
    return X, y


# 1 ---------------------------------------------------------------------------------------------
def test_lbfgs_regressor_fits_integer_targets():
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    params = dict(solver="lbfgs", hidden_layer_sizes=(5,), random_state=0)
    ints = MLPRegressor(**params).fit(X, [0, 1, 2, 3])
    floats = MLPRegressor(**params).fit(X, [0.0, 1.0, 2.0, 3.0])
    np.testing.assert_array_equal(ints.predict(X), floats.predict(X))
    np.testing.assert_allclose(ints.predict(X), SkMLPRegressor(**params).fit(X, [0, 1, 2, 3]).predict(X), atol=1e-8)


# 2 ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("params", [dict(), dict(solver="lbfgs"), dict(early_stopping=True),
                                    dict(solver="sgd", alpha=0.1, class_weight="balanced")])
def test_sparse_input_fits_like_dense_without_densifying(sparse_data, params, monkeypatch):
    X, y = sparse_data
    params = dict(hidden_layer_sizes=(8,), max_iter=15, random_state=0, **params)
    dense = MLPClassifier(**params).fit(X, y)

    def refuse(self, *args, **kwargs):
        if self.shape == X.shape:  # (scikit-learn's LabelBinarizer densifies its own sparse y)
            raise AssertionError("the sparse matrix X was densified")
        return original[type(self)](self, *args, **kwargs)

    original = {cls: cls.toarray for cls in (sp.csr_matrix, sp.csc_matrix, sp.csr_array, sp.csc_array)}

    for cls in (sp.csr_matrix, sp.csc_matrix, sp.csr_array, sp.csc_array):
        monkeypatch.setattr(cls, "toarray", refuse)
    for make in (sp.csr_matrix, sp.csc_matrix, sp.csr_array):
        est = MLPClassifier(**params).fit(make(X), y)
        np.testing.assert_allclose(est.predict_proba(make(X)), dense.predict_proba(X), atol=1e-12)
        np.testing.assert_allclose(est.loss_curve_, dense.loss_curve_, rtol=1e-10)
    reg = dict(hidden_layer_sizes=(8,), max_iter=15, random_state=0)
    target = X[:, 0] - X[:, 1]
    np.testing.assert_allclose(MLPRegressor(**reg).fit(sp.csr_matrix(X), target).predict(sp.csr_matrix(X)),
                               MLPRegressor(**reg).fit(X, target).predict(X), atol=1e-12)


def test_sparse_input_matches_sklearn_lbfgs(sparse_data):
    X, y = sparse_data
    params = dict(hidden_layer_sizes=(8,), solver="lbfgs", max_iter=30, random_state=0)
    ours = MLPClassifier(**params).fit(sp.csr_matrix(X), y)
    ref = SkMLPClassifier(**params).fit(sp.csr_matrix(X), y)
    np.testing.assert_allclose(ours.predict_proba(sp.csr_matrix(X)), ref.predict_proba(sp.csr_matrix(X)), atol=1e-8)


# 3 ---------------------------------------------------------------------------------------------
def test_regressor_takes_loss_parameter_and_every_sklearn_parameter():
    sk = SkMLPRegressor(hidden_layer_sizes=(6,), solver="lbfgs", alpha=1e-3, max_iter=40, random_state=0,
                        loss="poisson")
    ours = MLPRegressor(**sk.get_params())
    assert ours.get_params()["loss"] == "poisson"
    assert set(SkMLPRegressor().get_params()) <= set(MLPRegressor().get_params())
    assert set(SkMLPClassifier().get_params()) <= set(MLPClassifier().get_params())
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3))
    counts = rng.poisson(np.exp(0.5 * X[:, 0] - 0.3 * X[:, 1]))
    ours.fit(X, counts)
    sk.fit(X, counts)
    assert ours.out_activation_ == sk.out_activation_ == "exp"
    np.testing.assert_allclose(ours.predict(X), sk.predict(X), rtol=1e-6)
    assert ours.loss_ == pytest.approx(sk.loss_, rel=1e-6) and ours.n_iter_ == sk.n_iter_
    with pytest.raises(ValueError, match="y >= 0"):
        MLPRegressor(loss="poisson").fit(X, -counts - 1.0)
    with pytest.raises(ValueError, match="loss must be one of"):
        MLPRegressor(loss="huber").fit(X, counts)


# 4 ---------------------------------------------------------------------------------------------
def test_divergence_raises_value_error_and_early_stopping_keeps_best_weights():
    """Plain SGD on least squares with a step past 2 / lambda_max: the loss grows every step and
    overflows after a few epochs (scikit-learn records -inf, then NaN scores)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 3))
    y = X @ np.array([1.0, 2.0, 3.0])
    params = dict(hidden_layer_sizes=(), solver="sgd", momentum=0.0, batch_size=1, learning_rate_init=2.0,
                  max_iter=50, n_iter_no_change=100, random_state=0)
    with pytest.raises(ValueError, match="non-finite"):
        MLPRegressor(**params).fit(X, y)
    with pytest.warns(ConvergenceWarning, match="non-finite"):
        est = MLPRegressor(early_stopping=True, **params).fit(X, y)
    assert 1 < est.n_iter_ < 50 and np.isnan(est.validation_scores_[-1]) and np.isnan(est.loss_curve_[-1])
    assert np.isfinite(est.validation_scores_[:-1]).all()
    assert est.best_validation_score_ == max(est.validation_scores_[:-1])
    assert all(np.isfinite(c).all() for c in est.coefs_)
    rs = np.random.RandomState(0)  # the validation rows: drawn after the initial weights, as scikit-learn
    sklearn_initial_weights([3, 1], "relu", rs)
    _, X_val, _, y_val = train_test_split(X, y, test_size=0.1, random_state=rs)
    assert est.score(X_val, y_val) == pytest.approx(est.best_validation_score_)
    # scikit-learn also finishes and records NaN rather than raising
    ref = SkMLPRegressor(early_stopping=True, **params).fit(X, y)
    assert np.isnan(ref.validation_scores_[-1])


# 5 ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_verbose_prints_iterations_when_stdout_is_not_a_terminal(sparse_data, solver, capsys):
    X, y = sparse_data
    est = MLPClassifier(hidden_layer_sizes=(5,), solver=solver, max_iter=4, verbose=True, random_state=0).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(",")[0] for line in lines] == [f"Iteration {k}" for k in range(1, est.n_iter_ + 1)]
    assert float(lines[-1].split("= ")[1]) == pytest.approx(est.loss_curve_[-1], rel=1e-7)
    MLPClassifier(hidden_layer_sizes=(5,), max_iter=2, early_stopping=True, verbose=1, random_state=0).fit(X, y)
    assert capsys.readouterr().out.count("Validation score: ") == 2
    MLPClassifier(hidden_layer_sizes=(5,), max_iter=2, random_state=0).fit(X, y)
    assert capsys.readouterr().out == ""


# 6 ---------------------------------------------------------------------------------------------
def test_early_stopping_split_is_stratified_for_binary_targets_only():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 4))
    y = np.repeat([0, 1, 2], [7, 7, 6])
    params = dict(hidden_layer_sizes=(4,), early_stopping=True, max_iter=5, random_state=0)
    ours = MLPClassifier(**params).fit(X, y)  # 2 validation rows, 3 classes: not stratified
    ref = SkMLPClassifier(**params).fit(X, y)
    assert len(ours.validation_scores_) == ours.n_iter_ and len(ref.validation_scores_) == ref.n_iter_
    labels = np.array(["cat"] + ["dog"] * 19)
    with pytest.raises(ValueError, match="class 'cat' has only 1 row"):
        MLPClassifier(**params).fit(X, labels)


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_early_stopping_validation_rows_and_path_are_scikit_learns(solver):
    """Early stopping splits off scikit-learn's validation rows for the same random_state (its own
    splitter, drawn as scikit-learn draws it), so the training path is scikit-learn's too."""
    X, y = make_classification(n_samples=200, n_features=8, random_state=0)
    params = dict(hidden_layer_sizes=(6,), early_stopping=True, max_iter=15, random_state=0, solver=solver)
    ours, ref = MLPClassifier(**params).fit(X, y), SkMLPClassifier(**params).fit(X, y)
    np.testing.assert_allclose(ours.loss_curve_, ref.loss_curve_, rtol=1e-6)
    np.testing.assert_allclose(ours.validation_scores_, ref.validation_scores_)


# 7 ---------------------------------------------------------------------------------------------
def test_early_stopping_validation_score_is_weighted(sparse_data):
    X, y = sparse_data
    w = np.where(np.arange(len(y)) % 3 == 0, 5.0, 0.5)
    cw = compute_sample_weight("balanced", y)
    params = dict(hidden_layer_sizes=(3,), max_iter=1, early_stopping=True, validation_fraction=0.3, random_state=0)
    rs = np.random.RandomState(0)  # the validation rows: drawn after the initial weights, as scikit-learn
    sklearn_initial_weights([X.shape[1], 3, 1], "relu", rs)
    _, X_val, _, y_val, _, w_val, _, cw_val = train_test_split(X, y, w, cw, test_size=0.3, random_state=rs,
                                                               stratify=y)
    est = MLPClassifier(**params).fit(X, y, sample_weight=w)  # one epoch: the kept weights are that epoch's
    predicted = est.predict(X_val)
    assert est.validation_scores_[0] == pytest.approx(accuracy_score(y_val, predicted, sample_weight=w_val))
    assert accuracy_score(y_val, predicted, sample_weight=w_val) != pytest.approx(accuracy_score(y_val, predicted))
    balanced = MLPClassifier(class_weight="balanced", **params).fit(X, y, sample_weight=w)
    assert balanced.validation_scores_[0] == pytest.approx(
        accuracy_score(y_val, balanced.predict(X_val), sample_weight=w_val * cw_val))


# 8 ---------------------------------------------------------------------------------------------
def test_setting_coefs_and_intercepts_sets_the_weights(sparse_data):
    X, y = sparse_data
    est = MLPClassifier(hidden_layer_sizes=(4,), activation="tanh", max_iter=2, random_state=0).fit(X, y)
    rng = np.random.default_rng(1)
    W1, W2 = rng.normal(size=(X.shape[1], 4)), rng.normal(size=(4, 1))
    b1, b2 = rng.normal(size=4), rng.normal(size=1)
    est.coefs_[0] = W1
    est.coefs_[1] = W2
    est.intercepts_ = [b1, b2]
    by_hand = 1.0 / (1.0 + np.exp(-(np.tanh(X @ W1 + b1) @ W2 + b2)))  # the worked example
    np.testing.assert_allclose(est.predict_proba(X)[:, 1], by_hand[:, 0], rtol=1e-12)
    est.coefs_ = [2 * W1, W2]
    np.testing.assert_array_equal(est.coefs_[0], 2 * W1)
    ref = SkMLPClassifier(hidden_layer_sizes=(4,), activation="tanh", max_iter=2, random_state=0).fit(X, y)
    ref.coefs_, ref.intercepts_ = [2 * W1, W2], [b1, b2]
    np.testing.assert_allclose(est.predict_proba(X), ref.predict_proba(X), rtol=1e-12)
    with pytest.raises(ValueError, match=r"coefs_\[1\] has shape \(4, 1\)"):
        est.coefs_ = [W1, np.zeros((4, 2))]
    np.testing.assert_array_equal(est.coefs_[0], 2 * W1)  # a failed assignment changes nothing
    with pytest.raises(AttributeError, match="before fit"):
        MLPClassifier().coefs_ = [W1, W2]


# pickle / clone ----------------------------------------------------------------------------------
@pytest.mark.parametrize("make", [lambda X: X, sp.csr_matrix])
def test_pickle_and_clone_round_trips_keep_fitted_state(sparse_data, make):
    X, y = sparse_data
    est = MLPClassifier(hidden_layer_sizes=(6,), max_iter=5, early_stopping=True, random_state=0).fit(make(X), y)
    for copied in (pickle.loads(pickle.dumps(est)), copy.deepcopy(est)):
        np.testing.assert_array_equal(copied.predict_proba(make(X)), est.predict_proba(make(X)))
        assert copied.validation_scores_ == est.validation_scores_ and copied.n_iter_ == est.n_iter_
    fresh = clone(est)
    assert fresh.get_params() == est.get_params() and not hasattr(fresh, "network_")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        np.testing.assert_array_equal(fresh.fit(make(X), y).predict_proba(make(X)), est.predict_proba(make(X)))
    reg = MLPRegressor(hidden_layer_sizes=(6,), solver="lbfgs", loss="poisson", max_iter=20, random_state=0)
    reg.fit(X, np.abs(y))
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(reg)).predict(X), reg.predict(X))
