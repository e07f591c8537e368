"""Rosenblatt's perceptron: its learning rule by hand, separable data, XOR (and an MLP that solves it)."""
import numpy as np
import pytest

from nnlab.models import Perceptron, mlp
from nnlab.nn.losses import CrossEntropyLoss
from nnlab.optim import Adam
from nnlab.train import fit, predict

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([0, 1, 1, 0])


def separable(rng, n=200, d=2, margin=0.2):
    """Points on both sides of a random hyperplane, at least ``margin`` away from it."""
    w = rng.normal(size=d)
    w /= np.linalg.norm(w)
    X = rng.uniform(-1, 1, size=(4 * n, d))
    s = X @ w + 0.1
    keep = np.abs(s) > margin
    X, s = X[keep][:n], s[keep][:n]
    return X, (s > 0).astype(int)


def test_rule_by_hand():
    """One mistake on x = (1, 2) with target 1 from zero weights: w = eta x, b = eta."""
    p = Perceptron(2, eta=0.5, rng=0)
    p.fit(np.array([[1.0, 2.0]]), np.array([1]), epochs=1)
    # the classes are {1} only, which is the declared label set {0, 1} restricted: target t = 1
    np.testing.assert_allclose(p.weight.data[:, 0], [0.5, 1.0])
    np.testing.assert_allclose(p.bias.data, [0.5])
    assert p.errors_ == [1]


def test_rule_matches_reference_loop(rng):
    """The class follows w <- w + eta (t - y) x exactly, sample by sample, in its shuffled order."""
    X, y = separable(rng, n=40)
    p = Perceptron(2, eta=0.1, rng=5).fit(X, y, epochs=3)
    order_rng = np.random.default_rng(5)
    w, b = np.zeros(2), 0.0
    for _ in range(len(p.errors_)):
        for i in order_rng.permutation(len(X)):
            out = float(X[i] @ w + b > 0)
            w, b = w + 0.1 * (y[i] - out) * X[i], b + 0.1 * (y[i] - out)
    np.testing.assert_allclose(p.weight.data[:, 0], w)
    np.testing.assert_allclose(p.bias.data, [b])


def test_separates_linearly_separable_data(rng):
    X, y = separable(rng)
    p = Perceptron(2, rng=1).fit(X, y, epochs=1000)
    assert p.converged_
    assert p.errors_[-1] == 0
    assert p.score(X, y) == 1.0


def test_fails_on_xor():
    p = Perceptron(2, rng=0).fit(XOR_X, XOR_Y, epochs=500)
    assert not p.converged_
    assert min(p.errors_) > 0          # never an epoch without a mistake
    assert p.score(XOR_X, XOR_Y) <= 0.75  # no line separates XOR: at most 3 of 4 right


def test_one_hidden_layer_mlp_solves_xor():
    model = mlp(2, (4,), 2, activation="tanh", dtype=np.float64, rng=0)
    fit(model, XOR_X, XOR_Y, loss=CrossEntropyLoss(), optimizer=Adam(model.parameters(), lr=0.05),
        epochs=300, batch_size=4, seed=0, metrics=())
    assert np.array_equal(predict(model, XOR_X).argmax(axis=1), XOR_Y)


def test_one_vs_all_multiclass(rng):
    """Three well-separated blobs: one unit per class, argmax of z wins."""
    centres = np.array([[0.0, 3.0], [3.0, -2.0], [-3.0, -2.0]])
    y = rng.integers(0, 3, size=150)
    X = centres[y] + 0.4 * rng.normal(size=(150, 2))
    p = Perceptron(2, n_classes=3, rng=0).fit(X, y, epochs=200)
    assert p.weight.shape == (2, 3)
    assert p.score(X, y) == 1.0
    labels = np.array(["a", "b", "c"])[y]
    assert set(Perceptron(2, n_classes=3, rng=0).fit(X, labels, epochs=50).predict(X)) <= {"a", "b", "c"}


def test_forward_is_the_step_unit():
    p = Perceptron(2)
    p.weight.data[:] = [[1.0], [-1.0]]
    out = p(np.array([[2.0, 1.0], [1.0, 2.0], [1.0, 1.0]]))
    np.testing.assert_array_equal(np.asarray(getattr(out, "data", out)).ravel(), [1.0, 0.0, 0.0])


def test_bad_input():
    p = Perceptron(3)
    with pytest.raises(ValueError, match=r"shape \(n_samples, 3\)"):
        p.fit(np.zeros((4, 2)), np.zeros(4, dtype=int))
    with pytest.raises(ValueError, match="NaN"):
        p.fit(np.full((2, 3), np.nan), np.array([0, 1]))
    with pytest.raises(ValueError, match="classes"):
        p.fit(np.zeros((3, 3)), np.array([0, 1, 2]))


def test_perceptron_saves_and_loads_with_its_labels(tmp_path):
    """save_model/load_model round trip: same weights, same predictions, the training labels kept."""
    from nnlab.io import load_model, save_model

    rng = np.random.default_rng(3)
    X = rng.normal(size=(60, 2)) + np.repeat([[0.0, 4.0], [4.0, 0.0], [-4.0, -4.0]], 20, axis=0)
    y = np.repeat([-5, 7, 11], 20)
    p = Perceptron(2, n_classes=3, eta=0.5, rng=0).fit(X, y, epochs=50)
    save_model(p, tmp_path / "perceptron.npz")
    q = load_model(tmp_path / "perceptron.npz")
    assert isinstance(q, Perceptron) and q.classes_.tolist() == [-5, 7, 11]
    np.testing.assert_array_equal(q.weight.data, p.weight.data)
    np.testing.assert_array_equal(q.predict(X), p.predict(X))
    assert p.score(X, y) > 0.9


def test_perceptron_classes_must_match_n_classes():
    with pytest.raises(ValueError, match="classes must list n_classes=2"):
        Perceptron(2, classes=[0, 1, 2])
