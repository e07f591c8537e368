"""nnlab.estimators: same updates as scikit-learn's MLP, accuracy against it, errors, sklearn tooling."""
import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_digits, make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.neural_network import MLPRegressor as SkMLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.class_weight import compute_sample_weight

from nnlab.estimators import CNNClassifier, MLPClassifier, MLPRegressor
from nnlab.estimators.mlp import sklearn_initial_weights
from nnlab.train import TrainingDivergedError

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
    scaler = StandardScaler().fit(Xtr)
    return scaler.transform(Xtr), scaler.transform(Xte), ytr, yte


@pytest.fixture(scope="module")
def small():
    X, y = make_classification(n_samples=120, n_features=6, n_informative=4, n_redundant=0, n_classes=3,
                               class_sep=2.0, random_state=0)
    return StandardScaler().fit_transform(X), y


# ---------------------------------------------------------------------------------------------
# Same update rule as scikit-learn: one epoch from the same weights gives the same weights
# ---------------------------------------------------------------------------------------------
def _one_epoch_from(est, X, y, weights, biases):
    """Fit once (to build), overwrite the weights, then one more epoch with warm_start."""
    est.set_params(max_iter=1, warm_start=True, shuffle=False, random_state=0)
    est.fit(X, y)
    for c, w in zip(est.coefs_, weights):
        c[...] = w
    for b, w in zip(est.intercepts_, biases):
        b[...] = w
    est.fit(X, y)
    return est


@pytest.mark.parametrize("kind, n_classes, extra", [
    ("clf", 3, dict(solver="sgd", momentum=0.0, learning_rate_init=0.2)),
    ("clf", 2, dict(solver="sgd", momentum=0.9, nesterovs_momentum=True, learning_rate_init=0.1)),
    ("clf", 3, dict(solver="sgd", momentum=0.9, nesterovs_momentum=False, learning_rate_init=0.1, alpha=0.5)),
    ("reg", 2, dict(solver="sgd", momentum=0.5, learning_rate_init=0.05, alpha=0.1)),
])
def test_one_epoch_matches_sklearn_exactly(kind, n_classes, extra):
    """Same loss scale, same alpha convention, same momentum: the weights agree to rounding."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 5))
    if kind == "clf":
        y = rng.integers(0, n_classes, size=100)
        ours, ref = MLPClassifier, SkMLPClassifier
    else:
        y = np.column_stack([np.sin(X[:, 0]), X[:, 1] * X[:, 2]])
        ours, ref = MLPRegressor, SkMLPRegressor
    params = dict(hidden_layer_sizes=(7, 4), activation="tanh", batch_size=20, **extra)
    a = ours(dtype="float64", **params)
    b = ref(**params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        b.set_params(max_iter=1, warm_start=True, shuffle=False, random_state=0).fit(X, y)
        w0 = [c.copy() for c in b.coefs_]
        b0 = [c.copy() for c in b.intercepts_]
        _one_epoch_from(a, X, y, w0, b0)
        for c, w in zip(b.coefs_, w0):
            c[...] = w
        for c, w in zip(b.intercepts_, b0):
            c[...] = w
        b.fit(X, y)
    for mine, theirs in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        np.testing.assert_allclose(mine, theirs, rtol=1e-9, atol=1e-12)
    if kind == "clf":  # (scikit-learn's reported squared error averages the outputs, its gradient sums them)
        assert a.loss_curve_[-1] == pytest.approx(b.loss_curve_[-1], rel=0.02)  # ours: end-of-epoch penalty


@pytest.mark.parametrize("target", ["multiclass", "binary", "regression"])
def test_lbfgs_reproduces_sklearn(digits, target):
    """Same random_state, same draws for the initial weights, same cost and gradient, same SciPy
    L-BFGS-B: the fitted networks agree with scikit-learn's to rounding."""
    Xtr, _, ytr, _ = digits
    params = dict(hidden_layer_sizes=(20,), activation="tanh", solver="lbfgs", max_iter=25, alpha=1e-3,
                  random_state=0)
    if target == "regression":
        y = Xtr[:, 20] * Xtr[:, 30] + np.sin(Xtr[:, 40])
        ours, ref = MLPRegressor(**params).fit(Xtr, y), SkMLPRegressor(**params).fit(Xtr, y)
        np.testing.assert_allclose(ours.predict(Xtr), ref.predict(Xtr), atol=1e-8)
    else:
        y = ytr if target == "multiclass" else ytr > 4
        ours, ref = MLPClassifier(**params).fit(Xtr, y), SkMLPClassifier(**params).fit(Xtr, y)
        np.testing.assert_allclose(ours.predict_proba(Xtr), ref.predict_proba(Xtr), atol=1e-8)
    assert ours.n_iter_ == ref.n_iter_ and ours.loss_ == pytest.approx(ref.loss_, rel=1e-8)


def test_sgd_without_shuffling_reproduces_sklearn(small):
    """With shuffle=False the batches come in order: fits of several epochs agree with scikit-learn's."""
    X, y = small
    params = dict(hidden_layer_sizes=(8,), solver="sgd", learning_rate_init=0.05, batch_size=40, shuffle=False,
                  max_iter=15, random_state=3)
    ours, ref = MLPClassifier(**params).fit(X, y), SkMLPClassifier(**params).fit(X, y)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-10)
    np.testing.assert_allclose(ours.loss_curve_, ref.loss_curve_, rtol=0.05)  # penalty at epoch end vs per batch


def test_adaptive_schedule_and_stopping_follow_sklearn(small):
    """tol so large that no epoch improves: eta is divided by 5 every n_iter_no_change + 1 epochs
    until it falls below 1e-6, then training stops, at the same epoch as scikit-learn."""
    X, y = small
    params = dict(hidden_layer_sizes=(5,), solver="sgd", learning_rate="adaptive", tol=1e9, n_iter_no_change=1,
                  max_iter=100, random_state=0)
    ours = MLPClassifier(**params).fit(X, y)
    ref = SkMLPClassifier(**params).fit(X, y)
    assert ours.n_iter_ == ref.n_iter_ == 13  # counts 0, 1, 2 > 1: divide at epochs 3, 5, ..., 11, stop at 13
    assert ours._optimizer.lr == pytest.approx(1e-3 / 5 ** 5)


def test_invscaling_learning_rate(small):
    X, y = small
    est = MLPClassifier(hidden_layer_sizes=(5,), solver="sgd", learning_rate="invscaling", power_t=0.25,
                        learning_rate_init=0.1, max_iter=3, tol=0, random_state=0).fit(X, y)
    assert est.t_ == 3 * len(X)
    assert est._optimizer.lr == pytest.approx(0.1 / (est.t_ + 1) ** 0.25)


# ---------------------------------------------------------------------------------------------
# Accuracy against scikit-learn on the digits
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("settings", [
    dict(hidden_layer_sizes=(50,), max_iter=60),
    dict(hidden_layer_sizes=(50,), activation="logistic", solver="sgd", learning_rate_init=0.5, momentum=0.0,
         max_iter=40),
])
def test_digits_accuracy_matches_or_beats_sklearn(digits, settings):
    """Same settings, three seeds each: our mean test accuracy is at least scikit-learn's (up to
    0.01, the spread between seeds)."""
    Xtr, Xte, ytr, yte = digits
    ours = [MLPClassifier(random_state=s, **settings).fit(Xtr, ytr).score(Xte, yte) for s in range(3)]
    ref = [SkMLPClassifier(random_state=s, **settings).fit(Xtr, ytr).score(Xte, yte) for s in range(3)]
    assert np.mean(ours) > 0.95
    assert np.mean(ours) >= np.mean(ref) - 0.01, (ours, ref)


def test_lbfgs_fits_digits(digits):
    Xtr, Xte, ytr, yte = digits
    est = MLPClassifier(hidden_layer_sizes=(30,), solver="lbfgs", max_iter=60, random_state=0).fit(Xtr, ytr)
    assert est.score(Xte, yte) > 0.93
    assert 1 <= est.n_iter_ <= 60
    assert len(est.loss_curve_) == est.n_iter_
    assert est.loss_curve_[-1] < est.loss_curve_[0]
    assert not hasattr(est, "partial_fit")


def test_other_optimisers_by_name(small):
    X, y = small
    for solver, lr in (("rmsprop", 0.01), ("adagrad", 0.1), ("adamw", 0.05)):
        assert MLPClassifier(hidden_layer_sizes=(10,), solver=solver, learning_rate_init=lr, max_iter=30,
                             random_state=0).fit(X, y).score(X, y) > 0.85


# ---------------------------------------------------------------------------------------------
# Fitted attributes, warm start, partial_fit, early stopping, weights
# ---------------------------------------------------------------------------------------------
def test_coefs_are_views_of_the_network(small):
    X, y = small
    est = MLPClassifier(hidden_layer_sizes=(8, 4), max_iter=5, random_state=0).fit(X, y)
    assert [c.shape for c in est.coefs_] == [(6, 8), (8, 4), (4, 3)]
    assert [b.shape for b in est.intercepts_] == [(8,), (4,), (3,)]
    assert est.n_layers_ == 4 and est.n_outputs_ == 3 and est.out_activation_ == "softmax"
    before = est.predict_proba(X)
    est.coefs_[-1][...] = 0.0
    est.intercepts_[-1][...] = 0.0
    np.testing.assert_allclose(est.predict_proba(X), 1 / 3)
    assert not np.allclose(before, 1 / 3)


def test_warm_start_continues_and_partial_fit(small):
    X, y = small
    est = MLPClassifier(hidden_layer_sizes=(10,), max_iter=5, tol=0, warm_start=True, random_state=0).fit(X, y)
    w = est.coefs_[0].copy()
    est.fit(X, y)
    assert len(est.loss_curve_) == 10 and est.n_iter_ == 5
    assert not np.allclose(w, est.coefs_[0])
    inc = MLPClassifier(hidden_layer_sizes=(10,), learning_rate_init=0.05, random_state=0)
    with pytest.raises(ValueError, match="classes must be passed"):
        inc.partial_fit(X, y)
    inc.partial_fit(X[y < 2], y[y < 2], classes=np.unique(y))  # first batch lacks class 2
    for _ in range(30):
        inc.partial_fit(X, y)
    assert len(inc.loss_curve_) == 31 and inc.t_ == (y < 2).sum() + 30 * len(y)
    assert inc.score(X, y) > 0.9
    with pytest.raises(ValueError, match="not the same"):
        inc.partial_fit(X, y, classes=[0, 1, 2, 3])
    with pytest.raises(AttributeError, match="partial_fit"):  # as for L-BFGS: not available
        MLPClassifier(early_stopping=True).partial_fit(X, y, classes=np.unique(y))


def test_early_stopping_records_and_restores_best(digits):
    Xtr, _, ytr, _ = digits
    est = MLPClassifier(hidden_layer_sizes=(30,), early_stopping=True, n_iter_no_change=3, max_iter=200,
                        random_state=0).fit(Xtr, ytr)
    assert est.n_iter_ < 200 and est.best_loss_ is None
    assert len(est.validation_scores_) == len(est.validation_loss_curve_) == len(est.loss_curve_) == est.n_iter_
    assert est.best_validation_score_ == max(est.validation_scores_) > 0.85
    # the restored network is the best epoch's: score it on the same validation split (drawn from
    # random_state after the initial weights, stratified for binary targets only, as scikit-learn does)
    rs = np.random.RandomState(0)
    sklearn_initial_weights([64, 30, 10], "relu", rs)
    _, X_val, _, y_val = train_test_split(Xtr, ytr, test_size=0.1, random_state=rs)
    assert est.score(X_val, y_val) == pytest.approx(est.best_validation_score_)


def test_class_weight_equals_sample_weight(small):
    X, y = small
    keep = np.r_[np.flatnonzero(y != 2), np.flatnonzero(y == 2)[:10]]  # imbalanced
    X, y = X[keep], y[keep]
    params = dict(hidden_layer_sizes=(6,), max_iter=20, random_state=0)
    a = MLPClassifier(class_weight="balanced", **params).fit(X, y)
    b = MLPClassifier(**params).fit(X, y, sample_weight=compute_sample_weight("balanced", y))
    c = MLPClassifier(**params).fit(X, y)
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), rtol=1e-10)
    assert not np.allclose(a.predict_proba(X), c.predict_proba(X))
    d = MLPClassifier(class_weight={0: 1.0, 1: 1.0, 2: 5.0}, **params).fit(X, y)
    assert d.predict_proba(X)[:, 2].mean() > c.predict_proba(X)[:, 2].mean()


def test_labels_strings_floats_and_multilabel(small):
    X, y = small
    names = np.array(["cat", "dog", "emu"])[y]
    est = MLPClassifier(hidden_layer_sizes=(10,), learning_rate_init=0.05, max_iter=30, random_state=0).fit(X, names)
    assert list(est.classes_) == ["cat", "dog", "emu"]
    assert set(est.predict(X)) <= set(names) and est.score(X, names) > 0.9
    floats = np.array([-1.0, 2.0])[(y > 0).astype(int)]
    binary = MLPClassifier(hidden_layer_sizes=(10,), learning_rate_init=0.05, max_iter=30, random_state=0)
    binary.fit(X, floats)
    assert binary.out_activation_ == "logistic" and binary.predict_proba(X).shape == (len(X), 2)
    assert set(binary.predict(X)) <= {-1.0, 2.0} and binary.score(X, floats) > 0.9
    Y = np.column_stack([y == 0, y == 1, X[:, 0] > 0]).astype(int)
    multi = MLPClassifier(hidden_layer_sizes=(10,), learning_rate_init=0.05, max_iter=50, random_state=0).fit(X, Y)
    assert multi.predict(X).shape == Y.shape and multi.predict_proba(X).shape == Y.shape
    assert multi.score(X, Y) > 0.8  # subset accuracy: every label of a row right
    ovr = MLPClassifier(hidden_layer_sizes=(10,), output_activation="sigmoid", max_iter=50, random_state=0).fit(X, y)
    np.testing.assert_allclose(ovr.predict_proba(X).sum(axis=1), 1.0)


def test_dtype_follows_input_or_parameter(small):
    X, y = small
    assert MLPClassifier(max_iter=2).fit(X.astype(np.float32), y).coefs_[0].dtype == np.float32
    assert MLPClassifier(max_iter=2).fit(X, y).coefs_[0].dtype == np.float64
    assert MLPClassifier(max_iter=2, dtype="float32").fit(X, y).coefs_[0].dtype == np.float32


def test_regressor_learns_and_handles_multioutput():
    X, y = make_regression(n_samples=200, n_features=4, n_targets=2, noise=1.0, random_state=0)
    y = y / y.std(axis=0)
    est = MLPRegressor(hidden_layer_sizes=(20,), learning_rate_init=0.01, max_iter=200, random_state=0).fit(X, y)
    assert est.predict(X).shape == (200, 2) and est.score(X, y) > 0.95
    one = MLPRegressor(hidden_layer_sizes=(20,), solver="lbfgs", max_iter=200, random_state=0).fit(X, y[:, 0])
    assert one.predict(X).shape == (200,) and one.score(X, y[:, 0]) > 0.95
    squashed = MLPRegressor(hidden_layer_sizes=(5,), output_activation="sigmoid", max_iter=5).fit(X, y[:, 0] > 0)
    assert np.all((squashed.predict(X) > 0) & (squashed.predict(X) < 1))


def test_pickle_round_trip(small):
    X, y = small
    est = MLPClassifier(hidden_layer_sizes=(5,), max_iter=5, random_state=0).fit(X, y)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(est)).predict_proba(X), est.predict_proba(X))


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------
def test_bad_input_errors(small):
    X, y = small
    est = MLPClassifier(hidden_layer_sizes=(5,), max_iter=3)
    with pytest.raises(NotFittedError):
        est.predict(X)
    Xn = X.copy()
    Xn[3, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        est.fit(Xn, y)
    Xn[3, 2] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        est.fit(Xn, y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        est.fit(X, y[:-1])
    with pytest.raises(ValueError, match="only one class"):
        est.fit(X, np.zeros(len(X)))
    with pytest.raises(ValueError, match="Unknown label type"):
        est.fit(X, np.linspace(0, 1, len(X)))
    est.fit(X, y)
    with pytest.raises(ValueError, match="X has 5 features, but MLPClassifier is expecting 6"):
        est.predict(X[:, :5])
    with pytest.raises(ValueError, match="solver must be one of"):
        MLPClassifier(solver="newton").fit(X, y)
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        MLPClassifier(hidden_layer_sizes=(10, 0)).fit(X, y)
    with pytest.raises(ValueError, match="activation must be one of"):
        MLPClassifier(activation="swish").fit(X, y)
    with pytest.raises(ValueError, match="learning_rate_init"):
        MLPClassifier(learning_rate_init=0).fit(X, y)
    with pytest.raises(ValueError, match="class_weight"):
        MLPClassifier(class_weight="auto").fit(X, y)
    with pytest.raises(ValueError, match="dtype"):
        MLPClassifier(dtype="int8").fit(X, y)


def test_divergence_is_reported(small):
    X, y = small
    with pytest.raises((TrainingDivergedError, ValueError)):
        MLPRegressor(hidden_layer_sizes=(20,), solver="sgd", momentum=0.0, learning_rate_init=1e6,
                     max_iter=50, random_state=0).fit(X * 100, y * 1e3)


# ---------------------------------------------------------------------------------------------
# scikit-learn tooling
# ---------------------------------------------------------------------------------------------
def test_pipeline_gridsearch_and_cross_val_score(small):
    X, y = small
    pipe = make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(10,), learning_rate_init=0.05,
                                                         max_iter=30, random_state=0))
    scores = cross_val_score(pipe, X, y, cv=3)
    assert scores.shape == (3,) and scores.mean() > 0.8
    search = GridSearchCV(pipe, {"mlpclassifier__alpha": [1e-4, 1e-1], "mlpclassifier__learning_rate_init":
                                 [1e-4, 5e-2]}, cv=2).fit(X, y)
    assert search.best_score_ > 0.8 and search.best_params_["mlpclassifier__learning_rate_init"] == 5e-2


# ---------------------------------------------------------------------------------------------
# CNNClassifier
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def digit_images():
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).reshape(-1, 1, 8, 8)
    return train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)


def test_cnn_classifier_learns_digits_images_and_flat_rows(digit_images):
    Xtr, Xte, ytr, yte = digit_images
    est = CNNClassifier(learning_rate_init=0.01, max_iter=12, random_state=0).fit(Xtr, ytr)
    assert est.image_shape_ == (1, 8, 8) and est.n_features_in_ == 64
    assert est.score(Xte, yte) > 0.93
    assert [c.shape for c in est.coefs_] == [(10, 1, 3, 3), (160, 50), (50, 10)]
    flat = CNNClassifier(image_shape=(1, 8, 8), learning_rate_init=0.01, max_iter=12, random_state=0)
    flat.fit(Xtr.reshape(len(Xtr), -1), ytr)
    np.testing.assert_allclose(flat.predict_proba(Xte.reshape(len(Xte), -1)), est.predict_proba(Xte), rtol=1e-5)
    np.testing.assert_allclose(est.predict_proba(Xte[:, 0]), est.predict_proba(Xte))  # (n, H, W) = one channel
    with pytest.raises(ValueError, match="fitted on"):
        est.predict(Xte.reshape(-1, 1, 4, 16))


def test_cnn_classifier_errors(digit_images):
    Xtr, _, ytr, _ = digit_images
    with pytest.raises(ValueError, match="image_shape"):
        CNNClassifier(image_shape=(2, 8, 8), max_iter=1).fit(Xtr.reshape(len(Xtr), -1), ytr)
    with pytest.raises(ValueError, match="not a square"):
        CNNClassifier(max_iter=1).fit(Xtr.reshape(len(Xtr), -1)[:, :60], ytr)
    with pytest.raises(ValueError, match="architecture"):
        CNNClassifier(architecture="resnet").fit(Xtr, ytr)
