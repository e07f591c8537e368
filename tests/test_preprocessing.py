"""nnlab.data.preprocessing: the one row splitter, one-hot rows, and scikit-learn's scalers."""
from __future__ import annotations

import numpy as np
import pytest

from nnlab import data
from nnlab.data import one_hot, train_test_split


def test_splits_any_number_of_arrays_by_the_same_rows():
    X = np.arange(20.0).reshape(10, 2)
    y, w = np.arange(10), np.linspace(0.0, 1.0, 10)
    X_tr, X_te, y_tr, y_te, w_tr, w_te = train_test_split(X, y, w, test_size=0.3, seed=3)
    assert len(X_te) == 3 and len(X_tr) == 7
    np.testing.assert_array_equal(X_tr[:, 0] / 2, y_tr)
    np.testing.assert_array_equal(w_te, np.linspace(0.0, 1.0, 10)[y_te])
    assert sorted(np.concatenate([y_tr, y_te]).tolist()) == list(range(10))


def test_none_stays_none_so_optional_weights_need_no_special_case():
    X, y = np.zeros((8, 1)), np.arange(8)
    X_tr, X_te, y_tr, y_te, w_tr, w_te = train_test_split(X, y, None, test_size=2, seed=0)
    assert w_tr is None and w_te is None and len(y_te) == 2


def test_keep_order_and_the_training_loops_split():
    """keep_order with a count and the loop's generator gives the loop's own validation split exactly."""
    n, fraction, seed = 50, 0.2, 7
    X, y = np.arange(n * 2.0).reshape(n, 2), np.arange(n)
    order = np.random.default_rng([seed, 0]).permutation(n)  # what train.loop._split_validation does
    n_val = int(round(n * fraction))
    val, train = np.sort(order[:n_val]), np.sort(order[n_val:])
    X_tr, X_val, y_tr, y_val = train_test_split(X, y, test_size=n_val, seed=np.random.default_rng([seed, 0]),
                                                keep_order=True)
    np.testing.assert_array_equal(y_tr, train)
    np.testing.assert_array_equal(y_val, val)
    assert np.all(np.diff(y_tr) > 0) and np.all(np.diff(y_val) > 0)


def test_stratify_by_given_labels_keeps_class_proportions():
    """Stratify by labels that are not the second array (one-hot targets, say)."""
    labels = np.repeat([0, 1, 2], [60, 30, 10])
    Y = np.eye(3)[labels]  # one-hot targets as the second array
    _, _, Y_tr, Y_te = train_test_split(np.zeros((100, 1)), Y, test_size=0.1, seed=0, stratify=labels)
    np.testing.assert_array_equal(Y_te.sum(axis=0), [6, 3, 1])
    np.testing.assert_array_equal(Y_tr.sum(axis=0), [54, 27, 9])
    with pytest.raises(ValueError, match="stratify=True needs 1-D class labels"):
        train_test_split(np.zeros((100, 1)), Y, stratify=True)
    with pytest.raises(ValueError, match=r"one label per row \(shape \(100,\)\), got an array of shape \(50,\)"):
        train_test_split(np.zeros((100, 1)), Y, stratify=labels[:50])
    with pytest.raises(ValueError, match=r"shape \(100, 3\); for one-hot rows pass stratify=y.argmax\(axis=1\)"):
        train_test_split(np.zeros((100, 1)), Y, stratify=Y)
    with pytest.raises(ValueError, match="no y was given"):
        train_test_split(np.zeros((100, 1)), stratify=True)


@pytest.mark.parametrize("as_labels", [np.asarray, list, lambda y: np.array(["ant", "bee", "cat"])[y]],
                         ids=["array", "list", "strings"])
def test_stratify_takes_the_label_array_as_scikit_learn_does(as_labels):
    """``train_test_split(X, y, stratify=y)``, scikit-learn's habit, is stratify=True by the same labels."""
    y = np.repeat([0, 1, 2], [50, 30, 20])
    X = np.arange(200.0).reshape(100, 2)
    by_array = train_test_split(X, y, test_size=0.2, seed=3, stratify=as_labels(y))
    by_true = train_test_split(X, y, test_size=0.2, seed=3, stratify=True)
    for a, b in zip(by_array, by_true):
        np.testing.assert_array_equal(a, b)
    X_tr, X_te, y_tr, y_te = by_array
    np.testing.assert_array_equal(np.bincount(y_te), [10, 6, 4])
    np.testing.assert_array_equal(np.sort(np.concatenate([X_tr[:, 0], X_te[:, 0]])), X[:, 0])
    np.testing.assert_array_equal(y_te, y[(X_te[:, 0] // 2).astype(int)])  # rows stay paired


def test_same_seed_same_split_and_scikit_learn_rounding():
    X = np.arange(11)
    a = train_test_split(X, test_size=0.25, seed=4)
    b = train_test_split(X, test_size=0.25, seed=np.random.default_rng(4))
    np.testing.assert_array_equal(a[1], b[1])
    assert len(a[1]) == 3  # ceil(0.25 * 11), as scikit-learn
    sk = pytest.importorskip("sklearn.model_selection")
    assert len(sk.train_test_split(X, test_size=0.25, random_state=0)[1]) == 3
    with pytest.raises(ValueError, match="at least one array"):
        train_test_split()
    with pytest.raises(ValueError, match="X and array 2 must have the same number of rows"):
        train_test_split(X, X, X[:3])


def test_one_hot_is_functional_one_hot_for_numpy_labels():
    from nnlab.functional import one_hot as rows

    labels = np.array([2, 0, 1, 2])
    np.testing.assert_array_equal(one_hot(labels), rows(labels, 3, dtype=np.float32))
    assert one_hot(labels).dtype == np.float32 and one_hot(labels, 5).shape == (4, 5)
    np.testing.assert_array_equal(one_hot([1.0, 0.0]), [[0, 1], [1, 0]])  # whole-number floats are labels
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 1\]"):
        one_hot([3, 0], 2)


def test_scalers_are_scikit_learns_and_refuse_nan():
    sk = pytest.importorskip("sklearn.preprocessing")
    from sklearn.base import clone

    assert issubclass(data.StandardScaler, sk.StandardScaler) and issubclass(data.MinMaxScaler, sk.MinMaxScaler)
    X = np.random.default_rng(0).normal(size=(30, 3))
    np.testing.assert_array_equal(data.StandardScaler().fit_transform(X), sk.StandardScaler().fit_transform(X))
    np.testing.assert_array_equal(clone(data.MinMaxScaler((-1, 1))).fit(X).transform(X),
                                  sk.MinMaxScaler((-1, 1)).fit(X).transform(X))
    bad = X.copy()
    bad[4, 1] = np.nan
    for Scaler in (data.StandardScaler, data.MinMaxScaler):
        assert np.isnan(getattr(sk, Scaler.__name__)().fit(bad).transform(bad)).any()  # scikit-learn lets it pass
        with pytest.raises(ValueError, match=r"X contains NaN or inf: 1 NaN .* first at index \(4, 1\)"):
            Scaler().fit(bad)
        with pytest.raises(ValueError, match="X contains NaN"):
            Scaler().fit(X).transform(bad)
