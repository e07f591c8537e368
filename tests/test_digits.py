"""The lecture's digits network end to end: it matches the lecture's own NumPy code update for
update, reaches the accuracy targets of issue 3, and shows the lecture's observations."""
import numpy as np
import pytest

from nnlab.data import load_digits, train_test_split
from nnlab.experiments.lecture_reference import lecture_sgd, lecture_weights
from nnlab.models import lecture_mlp
from nnlab.nn.losses import CrossEntropyLoss
from nnlab.nn.regularization import L2
from nnlab.optim import SGD
from nnlab.train import accuracy, fit, predict
from nnlab.train.loop import epoch_generator


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(dtype=np.float64)
    return train_test_split(X, y, test_size=0.2, seed=0)


def lecture_train(model, X, y, eta, lmbd, epochs, batch_size, seed):
    """The lecture's NeuralNetwork.feed_forward/backpropagation in NumPy, on the batches fit draws."""
    batches = (order[start:start + batch_size]
               for epoch in range(epochs)
               for order in [epoch_generator(seed, epoch).permutation(len(X))]
               for start in range(0, len(X), batch_size))
    return lecture_sgd(lecture_weights(model), X, np.eye(10)[y], eta, lmbd, batches)


def test_lecture_network_is_the_lecture_code(digits):
    """Summed cross-entropy + L2(lambda) + SGD reproduce the lecture's update rule exactly."""
    X_train, _, y_train, _ = digits
    model = lecture_mlp(rng=0)
    expected = lecture_train(model, X_train, y_train, eta=0.002, lmbd=1.0, epochs=3, batch_size=100, seed=4)
    fit(model, X_train, y_train, loss=CrossEntropyLoss("sum"), optimizer=SGD(model.parameters(), lr=0.002),
        epochs=3, batch_size=100, penalty=L2(1.0), seed=4, metrics=())
    got = (model.layers[0].weight.data, model.layers[0].bias.data, model.layers[1].weight.data,
           model.layers[1].bias.data)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-9, atol=1e-10)


def test_lecture_initialisation():
    model = lecture_mlp(rng=0)
    w = model.layers[0].weight.data
    assert w.shape == (64, 50) and model.layers[1].weight.shape == (50, 10)
    assert abs(w.mean()) < 0.05 and abs(w.std() - 1.0) < 0.05      # N(0, 1), as np.random.randn
    assert np.all(model.layers[0].bias.data == 0.01) and np.all(model.layers[1].bias.data == 0.01)


def test_lecture_network_reaches_97_percent(digits):
    X_train, X_test, y_train, y_test = digits
    model = lecture_mlp(rng=0)
    fit(model, X_train, y_train, loss=CrossEntropyLoss("sum"), optimizer=SGD(model.parameters(), lr=0.002),
        epochs=100, batch_size=100, penalty=L2(1.0), seed=0, metrics=())
    assert accuracy(y_test, predict(model, X_test)) >= 0.97


def test_better_configuration_reaches_98_percent(digits):
    """Inputs / 16, 256 ReLU units with dropout, Adam on the mean loss (``nnlab digits --best``)."""
    from nnlab.experiments.digits import BEST, build

    X_train, X_test, y_train, y_test = digits
    model, loss, optimizer, penalty = build(BEST, 64, 10, seed=0)
    fit(model, X_train / 16, y_train, loss=loss, optimizer=optimizer, epochs=BEST["epochs"],
        batch_size=BEST["batch_size"], penalty=penalty, seed=0, metrics=())
    assert accuracy(y_test, predict(model, X_test / 16)) >= 0.98


def _full_batch(digits, eta, steps):
    X_train, _, y_train, _ = digits
    model = lecture_mlp(rng=0)
    fit(model, X_train, y_train, loss=CrossEntropyLoss("sum"), optimizer=SGD(model.parameters(), lr=eta),
        epochs=steps, batch_size=None, penalty=L2(0.01), seed=0, metrics=())
    return accuracy(y_train, predict(model, X_train))


def test_lecture_observation_short(digits):
    """The lecture's first attempt (full batch, eta = 0.01, lambda = 0.01) only guesses; eta = 1e-3 learns.
    (200 of the lecture's 1000 steps here; the full run is in the slow test below.)"""
    assert _full_batch(digits, 0.01, 200) < 0.2
    assert _full_batch(digits, 1e-3, 200) > 0.9


@pytest.mark.slow
def test_lecture_observation_1000_steps(digits):
    assert _full_batch(digits, 0.01, 1000) < 0.2
    assert _full_batch(digits, 1e-3, 1000) > 0.95


@pytest.mark.slow
def test_lecture_network_over_splits():
    """Over ten random 80/20 splits (and initial weights): mean >= 97 %, none below 95 %
    (measured: 0.958 to 0.986, mean 0.973)."""
    X, y = load_digits(dtype=np.float64)
    scores = []
    for seed in range(10):
        X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, seed=seed)
        model = lecture_mlp(rng=seed)
        fit(model, X_train, y_train, loss=CrossEntropyLoss("sum"), optimizer=SGD(model.parameters(), lr=0.002),
            epochs=100, batch_size=100, penalty=L2(1.0), seed=seed, metrics=())
        scores.append(accuracy(y_test, predict(model, X_test)))
    assert np.mean(scores) >= 0.97 and min(scores) >= 0.95
