"""The fit loop: a hand-worked SGD step, reductions, history, validation, divergence, bad input,
sample weights, metrics, and the small regression/classification targets of issue 3."""
import numpy as np
import pytest

from nnlab import nn
from nnlab.data import StandardScaler, load_breast_cancer, make_franke, train_test_split
from nnlab.models import logistic_regression, mlp
from nnlab.nn.losses import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss
from nnlab.nn.regularization import L2
from nnlab.optim import SGD, Adam, StepLR
from nnlab.train import (
    History, TrainingDivergedError, accuracy, confusion_matrix, evaluate, fit, get_metric, mse, predict, r2,
)


def linear_model(n_in=3, n_out=1, seed=0):
    return nn.Dense(n_in, n_out, weight_init="glorot_normal", dtype=np.float64, rng=seed)


def blobs(rng, n=120, d=4, k=3):
    centres = rng.normal(scale=3.0, size=(k, d))
    y = rng.integers(0, k, size=n)
    return centres[y] + rng.normal(size=(n, d)), y


# ---------------------------------------------------------------------------------------------
# the update itself
# ---------------------------------------------------------------------------------------------
def test_one_full_batch_sgd_step_by_hand(rng):
    """theta <- theta - eta dC/dtheta with C = (1/n) sum (x w + b - t)^2."""
    X, t = rng.normal(size=(10, 3)), rng.normal(size=(10, 1))
    model = linear_model()
    W, b = model.weight.data.copy(), model.bias.data.copy()
    fit(model, X, t, loss=MSELoss(), optimizer=SGD(model.parameters(), lr=0.1), epochs=1, batch_size=None,
        shuffle=False, metrics=())
    residual = X @ W + b - t
    np.testing.assert_allclose(model.weight.data, W - 0.1 * 2 / 10 * X.T @ residual, rtol=1e-12)
    np.testing.assert_allclose(model.bias.data, b - 0.1 * 2 / 10 * residual.sum(axis=0), rtol=1e-12)


def test_sum_reduction_is_mean_times_batch_size(rng):
    """The lecture's summed gradient with eta/n equals the averaged gradient with eta."""
    X, y = blobs(rng)
    a, b = mlp(4, (8,), 3, dtype=np.float64, rng=1), mlp(4, (8,), 3, dtype=np.float64, rng=1)
    fit(a, X, y, loss=CrossEntropyLoss("mean"), optimizer=SGD(a.parameters(), lr=0.5), epochs=3,
        batch_size=None, seed=0, metrics=())
    fit(b, X, y, loss=CrossEntropyLoss("sum"), optimizer=SGD(b.parameters(), lr=0.5 / len(X)), epochs=3,
        batch_size=None, seed=0, metrics=())
    for pa, pb in zip(a.parameters(), b.parameters()):
        np.testing.assert_allclose(pa.data, pb.data, rtol=1e-10, atol=1e-12)


def test_penalty_adds_lambda_w_to_the_gradient(rng):
    """With L2(lam) one step is W - eta (dC/dW + lam W), biases unpenalised."""
    X, t = rng.normal(size=(8, 3)), rng.normal(size=(8, 1))
    model = linear_model()
    W, b = model.weight.data.copy(), model.bias.data.copy()
    fit(model, X, t, loss=MSELoss("sum"), optimizer=SGD(model.parameters(), lr=0.01), epochs=1,
        batch_size=None, shuffle=False, penalty=L2(0.3), metrics=())
    residual = X @ W + b - t
    np.testing.assert_allclose(model.weight.data, W - 0.01 * (2 * X.T @ residual + 0.3 * W), rtol=1e-12)
    np.testing.assert_allclose(model.bias.data, b - 0.01 * 2 * residual.sum(axis=0), rtol=1e-12)


def test_nnlab_penalty_on_the_gradient_equals_the_penalty_in_the_graph(rng):
    """fit adds dP/dW of nnlab penalties straight to W.grad; a penalty fit cannot recognise (a plain
    function) goes through the graph as C + P. Both give the same weights, to the last bit."""
    X, y = blobs(rng, n=60)
    a, b = mlp(4, (8,), 3, dtype=np.float64, rng=0), mlp(4, (8,), 3, dtype=np.float64, rng=0)
    penalty = L2(0.3)
    for model, pen in [(a, penalty), (b, lambda m: penalty(m))]:
        fit(model, X, y, loss=CrossEntropyLoss("sum"), optimizer=SGD(model.parameters(), lr=0.01), epochs=3,
            batch_size=16, seed=0, penalty=pen, metrics=())
    for pa, pb in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(pa.data, pb.data)


def test_an_infinite_penalty_counts_as_divergence(rng):
    """Weights that overflow ||W||^2 stop training even while the data loss is finite."""
    X, t = rng.normal(size=(8, 3)), rng.normal(size=(8, 1))
    model = linear_model()
    model.weight.data[...] = 1e200 * np.array([[1.0], [0.0], [0.0]])
    X[:, 0] = 0.0  # the huge weight never touches the outputs
    with pytest.raises(TrainingDivergedError, match="the loss became inf at epoch 0, batch 0"):
        fit(model, X, t, loss=MSELoss(), optimizer=SGD(model.parameters(), lr=0.01), epochs=1, batch_size=None,
            penalty=L2(1.0), metrics=())


def test_sample_weight_equals_repeating_rows(rng):
    """Weight 2 on a row = that row twice, for the weighted mean of the per-sample losses."""
    X, t = rng.normal(size=(6, 3)), rng.normal(size=(6, 1))
    w = np.array([1.0, 2.0, 1.0, 1.0, 2.0, 1.0])
    rows = np.repeat(np.arange(6), w.astype(int))
    a, b = linear_model(), linear_model()
    fit(a, X, t, loss=MSELoss(), optimizer=SGD(a.parameters(), lr=0.1), epochs=2, batch_size=None,
        shuffle=False, sample_weight=w, metrics=())
    fit(b, X[rows], t[rows], loss=MSELoss(), optimizer=SGD(b.parameters(), lr=0.1), epochs=2,
        batch_size=None, shuffle=False, metrics=())
    np.testing.assert_allclose(a.weight.data, b.weight.data, rtol=1e-12)


def test_same_seed_same_run_other_seed_other_run(rng):
    X, y = blobs(rng)

    def run(seed):
        m = mlp(4, (8,), 3, rng=1)
        fit(m, X, y, optimizer=SGD(m.parameters(), lr=0.1), epochs=3, batch_size=16, seed=seed, metrics=())
        return m.state_dict()

    a, b, c = run(0), run(0), run(1)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not all(np.array_equal(a[k], c[k]) for k in a)


# ---------------------------------------------------------------------------------------------
# history, validation, metrics
# ---------------------------------------------------------------------------------------------
def test_history_records_training_and_validation(rng):
    X, y = blobs(rng)
    model = mlp(4, (8,), 3, rng=0)
    opt = SGD(model.parameters(), lr=0.1)
    h = fit(model, X[:100], y[:100], optimizer=opt, epochs=4, batch_size=25, seed=0,
            validation_data=(X[100:], y[100:]), schedule=StepLR(opt, step_size=2, gamma=0.5))
    assert isinstance(h, History)
    assert h.epoch == [0, 1, 2, 3]
    assert set(h.history) == {"loss", "accuracy", "val_loss", "val_accuracy", "lr"}
    assert all(len(v) == 4 for v in h.history.values())
    assert h.history["lr"] == [0.1, 0.1, 0.05, 0.05]
    assert h.history["loss"][-1] < h.history["loss"][0]
    # validation values are those of evaluate() on the final model
    final = evaluate(model, X[100:], y[100:], loss="cross_entropy")
    assert final["loss"] == pytest.approx(h.history["val_loss"][-1], rel=1e-6)
    assert final["accuracy"] == pytest.approx(h.history["val_accuracy"][-1])


def test_training_loss_and_metrics_are_per_sample_means(rng):
    """With lr = 0 the epoch's running loss and accuracy equal evaluate() on the training rows."""
    X, y = blobs(rng, n=100)
    for reduction in ("mean", "sum"):
        model = mlp(4, (8,), 3, rng=0)
        h = fit(model, X, y, loss=CrossEntropyLoss(reduction), optimizer=SGD(model.parameters(), lr=0.0),
                epochs=1, batch_size=30, seed=0)
        ref = evaluate(model, X, y, loss=CrossEntropyLoss("mean"))
        assert h.history["loss"][0] == pytest.approx(ref["loss"], rel=1e-5)
        assert h.history["accuracy"][0] == pytest.approx(ref["accuracy"])


def test_validation_split_is_seeded_and_sized(rng):
    X, y = blobs(rng, n=100)
    seen = []
    for _ in range(2):
        m = mlp(4, (8,), 3, rng=0)
        h = fit(m, X, y, optimizer=SGD(m.parameters(), lr=0.1), epochs=2, batch_size=20, seed=3,
                validation_split=0.25)
        assert h.params["samples"] == 75
        seen.append(h.history["val_loss"])
    assert seen[0] == seen[1]


def test_regression_defaults_and_names(rng):
    """Loss and optimizer by name; regression records mse and r2; a 1-D target becomes a column."""
    X = rng.normal(size=(64, 2))
    t = X @ np.array([1.0, -2.0]) + 0.5
    model = linear_model(2, 1)
    h = fit(model, X, t, loss="mse", optimizer="sgd", lr=0.05, epochs=30, batch_size=16, seed=0)
    assert {"mse", "r2"} <= set(h.history)
    assert h.history["r2"][-1] > 0.99


def test_metrics():
    y = np.array([0, 2, 1, 2])
    logits = np.array([[3.0, 0, 0], [0, 0, 1.0], [0, 2.0, 0], [5.0, 0, 0]])
    assert accuracy(y, logits) == 0.75
    assert accuracy(y, np.exp(logits) / np.exp(logits).sum(1, keepdims=True)) == 0.75
    assert accuracy(np.eye(3)[y], logits) == 0.75
    assert accuracy(y, np.array([0, 2, 1, 0])) == 0.75
    assert accuracy(np.array([1, 0, 1]), np.array([[0.7], [0.2], [0.4]])) == pytest.approx(2 / 3)
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    np.testing.assert_array_equal(confusion_matrix(y, logits), sklearn_metrics.confusion_matrix(y, logits.argmax(1)))
    t, p = np.array([1.0, 2.0, 4.0, 3.0]), np.array([1.1, 1.8, 3.5, 3.3])
    assert r2(t, p) == pytest.approx(sklearn_metrics.r2_score(t, p))
    assert mse(t, p) == pytest.approx(sklearn_metrics.mean_squared_error(t, p))
    with pytest.raises(ValueError, match="unknown metric 'f1'.*accuracy"):
        get_metric("f1")


# ---------------------------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------------------------
def test_divergence_raises_and_keeps_finite_weights(rng):
    X = rng.normal(scale=10.0, size=(64, 3))
    t = rng.normal(scale=10.0, size=(64, 1))
    model = linear_model()
    with pytest.raises(TrainingDivergedError) as info:
        fit(model, X, t, loss=MSELoss("sum"), optimizer=SGD(model.parameters(), lr=1.0), epochs=50,
            batch_size=8, seed=0, metrics=())
    err = info.value
    assert f"epoch {err.epoch}, batch {err.batch}" in str(err) and "learning rate 1" in str(err)
    assert err.lr == 1.0
    assert all(np.isfinite(p.data).all() for p in model.parameters())
    assert np.isfinite(evaluate(model, X[:8], t[:8], loss="mse", metrics=())["loss"])


def _diverging_fit(rng, model, optimizer, batch_size=8, callbacks=()):
    """Train ``model`` at a learning rate that diverges; returns the error and the states the model
    had at the start (after_step[0]), after every step, and at the start of every epoch."""
    from nnlab.train import LambdaCallback

    X = rng.normal(scale=10.0, size=(64, 3))
    t = rng.normal(scale=10.0, size=(64, 1))
    after_step, epoch_start = [model.state_dict()], {}
    record = LambdaCallback(on_batch_end=lambda b, logs: after_step.append(model.state_dict()),
                            on_epoch_begin=lambda e, logs: epoch_start.__setitem__(e, model.state_dict()))
    with pytest.raises(TrainingDivergedError) as info:
        fit(model, X, t, loss=MSELoss("sum"), optimizer=optimizer, epochs=200, batch_size=batch_size, seed=0,
            metrics=(), callbacks=[record, *callbacks])
    return info.value, after_step, epoch_start


def _assert_state(model, expected):
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v, expected[k])


@pytest.mark.parametrize("batch_size", [8, None])
def test_divergence_restores_the_weights_before_the_last_update(rng, batch_size):
    """The last finite weights are those before the previous update, recovered by replaying the epoch
    from its start; with one step per epoch (batch_size None) that update was the previous epoch's."""
    model = linear_model()
    err, after_step, _ = _diverging_fit(rng, model, SGD(model.parameters(), lr=1.0), batch_size)
    assert len(after_step) > 2 and (batch_size is not None or err.batch == 0 and err.epoch > 0)
    _assert_state(model, after_step[-2])
    assert "before the previous update" in str(err) and err.lr == 1.0


def test_divergence_recovery_works_with_an_optimizer_without_state_dict(rng):
    """fit accepts any object with step() and zero_grad(); a stateless one replays exactly."""

    class PlainSGD:
        def __init__(self, params, lr):
            self.params, self.lr = params, lr

        def zero_grad(self):
            for p in self.params:
                p.grad = None

        def step(self):
            for p in self.params:
                p.data -= self.lr * p.grad

    model = linear_model()
    err, after_step, _ = _diverging_fit(rng, model, PlainSGD(model.parameters(), lr=0.5))
    assert err.batch >= 2
    _assert_state(model, after_step[-2])


def test_divergence_replay_restores_dropout_and_momentum_state(rng):
    """The replay starts from the epoch's random-generator and optimiser states, so a Dropout network
    trained with momentum gets back exactly the weights before the previous update."""
    model = nn.Sequential(nn.Dense(3, 16, "relu", dtype=np.float64, rng=1), nn.Dropout(0.3, rng=2),
                          nn.Dense(16, 1, dtype=np.float64, rng=3))
    err, after_step, _ = _diverging_fit(rng, model, SGD(model.parameters(), lr=0.05, momentum=0.9))
    assert err.batch >= 2  # the replay runs at least one update
    _assert_state(model, after_step[-2])


def test_divergence_keeps_the_epoch_start_when_the_replay_differs(rng):
    """A callback that changes the learning rate after every batch is not replayed, so the replay does
    not reproduce the run; the model then keeps the weights saved at the start of the epoch."""
    from nnlab.train import LambdaCallback

    model = linear_model()
    optimizer = SGD(model.parameters(), lr=0.5)
    warmup = LambdaCallback(on_batch_end=lambda b, logs: setattr(optimizer, "lr", optimizer.lr * 1.05))
    err, _, epoch_start = _diverging_fit(rng, model, optimizer, callbacks=[warmup])
    assert err.batch >= 2, "the scenario must need a replayed update"
    _assert_state(model, epoch_start[err.epoch])
    assert f"weights from the start of epoch {err.epoch}" in str(err)


def test_divergence_at_the_first_step_leaves_the_weights(rng):
    model = linear_model()
    model.weight.data[...] = 1e200  # (W x)^2 overflows at once
    before = model.state_dict()
    with pytest.raises(TrainingDivergedError, match="very first batch already gave it, so the weights are unchanged"):
        fit(model, rng.normal(size=(16, 3)), rng.normal(size=(16, 1)), loss=MSELoss(),
            optimizer=SGD(model.parameters()), epochs=2, batch_size=None, seed=0, metrics=())
    _assert_state(model, before)


@pytest.mark.parametrize("X, y, match", [
    (np.full((4, 3), np.nan), np.zeros(4, dtype=int), r"X contains NaN or inf"),
    (np.zeros((4, 3)), np.zeros(5, dtype=int), r"X has 4 samples but y has 5"),
    (np.zeros((4, 7)), np.zeros(4, dtype=int), r"X has 7 features \(shape \(4, 7\)\) but the model's first Dense layer expects 3"),
    (np.zeros(4), np.zeros(4, dtype=int), r"shape \(n_samples, n_features\)"),
    (np.zeros((4, 3)), np.array([0, 1, 2, 5]), r"labels from 0 to 5 .* 3 classes"),
    (np.zeros((4, 3)), np.array([0, 1, np.inf, 0]), r"y contains NaN or inf"),
])
def test_bad_input_is_named(X, y, match):
    model = mlp(3, (4,), 3, rng=0)
    with pytest.raises(ValueError, match=match):
        fit(model, X, y, optimizer=SGD(model.parameters(), lr=0.1), epochs=1)


def test_predict_is_inference_mode(rng):
    model = mlp(4, (32,), 3, dropout=0.5, rng=0)
    X = rng.normal(size=(10, 4))
    np.testing.assert_allclose(predict(model, X), predict(model, X, batch_size=3), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(predict(model, X), predict(model, X))
    assert model.training
    with pytest.raises(ValueError, match="expects 4"):
        predict(model, X[:, :2])


def test_progress_bar_is_quiet_off_a_terminal(rng, capsys):
    X, y = blobs(rng, n=40)
    model = mlp(4, (8,), 3, rng=0)
    fit(model, X, y, optimizer=SGD(model.parameters(), lr=0.1), epochs=2, batch_size=10, verbose=1, seed=0)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


# ---------------------------------------------------------------------------------------------
# issue 3 targets that are quick to reach
# ---------------------------------------------------------------------------------------------
def test_breast_cancer_sigmoid_output_bce():
    X, y = load_breast_cancer(dtype=np.float64)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, seed=0)
    scaler = StandardScaler().fit(Xtr)
    Xtr, Xte = scaler.transform(Xtr), scaler.transform(Xte)
    model = mlp(30, (16,), 1, activation="relu", dtype=np.float64, rng=0)
    fit(model, Xtr, ytr, loss=BCEWithLogitsLoss(), optimizer=Adam(model.parameters(), lr=1e-3), epochs=40,
        batch_size=32, seed=0, penalty=L2(1e-3))
    assert accuracy(yte, 1 / (1 + np.exp(-predict(model, Xte)))) >= 0.96


def test_logistic_regression_matches_sklearn():
    linear_model_mod = pytest.importorskip("sklearn.linear_model")
    X, y = load_breast_cancer(dtype=np.float64)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, seed=0)
    scaler = StandardScaler().fit(Xtr)
    Xtr, Xte = scaler.transform(Xtr), scaler.transform(Xte)
    reference = linear_model_mod.LogisticRegression(C=1.0).fit(Xtr, ytr).score(Xte, yte)
    model = logistic_regression(30, 2)
    # scikit-learn minimises sum_i l_i + ||w||^2 / (2C): with the mean loss that is L2(1 / (C n))
    fit(model, Xtr, ytr, loss=BCEWithLogitsLoss(), optimizer=Adam(model.parameters(), lr=0.05), epochs=150,
        batch_size=None, seed=0, penalty=L2(1.0 / len(Xtr)), metrics=())
    ours = accuracy(yte, predict(model, Xte), threshold=0.0)
    assert abs(ours - reference) <= 0.01


def test_franke_regression_r2():
    X, t = make_franke(1000, noise=0.0, seed=0, dtype=np.float64)
    Xtr, Xte, ttr, tte = train_test_split(X, t, test_size=0.2, seed=0)
    model = mlp(2, (64, 64), 1, activation="tanh", dtype=np.float64, rng=0)
    fit(model, Xtr, ttr, loss=MSELoss(), optimizer=Adam(model.parameters(), lr=3e-3), epochs=150,
        batch_size=32, seed=0, metrics=())
    assert r2(tte, predict(model, Xte)) >= 0.95


def test_progress_bar_shows_when_forced():
    import io

    from nnlab.train import ProgressBar

    stream = io.StringIO()
    with ProgressBar(3, verbose=1, stream=stream, force=True) as bar:
        for _ in range(3):
            bar.update({"loss": 0.5})
    assert "3/3" in stream.getvalue() and "loss=0.5" in stream.getvalue()
    assert not ProgressBar(3, verbose=0, stream=io.StringIO(), force=True).enabled


# ---------------------------------------------------------------------------------------------
# the task is declared, never guessed from a name
# ---------------------------------------------------------------------------------------------
class CrossEntropyLookalike(nn.losses.Loss):
    """Named like a classifier's loss, declared a regression loss: fit must believe the declaration."""

    task = "regression"

    def forward(self, prediction, target):
        return nn.losses.MSELoss(self.reduction)(prediction, target)


def test_a_loss_named_like_a_classifier_but_declared_regression_trains_as_regression(rng):
    X = rng.normal(size=(64, 3))
    t = X @ np.array([[1.0], [-2.0], [0.5]])
    model = linear_model()
    history = fit(model, X, t[:, 0], loss=CrossEntropyLookalike(), optimizer=SGD(model.parameters(), lr=0.1),
                  epochs=30, batch_size=16, seed=0)
    assert "r2" in history.history and "accuracy" not in history.history
    assert history.history["r2"][-1] > 0.99


def test_a_plain_callable_loss_takes_its_task_from_fit(rng):
    from nnlab import functional as F

    X, y = blobs(rng)
    model = mlp(4, [8], 3, rng=0, dtype=np.float64)
    with pytest.raises(ValueError, match=r"pass task= one of \['multiclass', 'binary', 'regression'\]"):
        fit(model, X, y, loss=F.cross_entropy, epochs=1)
    history = fit(model, X, y, loss=F.cross_entropy, task="multiclass", optimizer="adam", lr=0.05, epochs=20, seed=0)
    assert history.history["accuracy"][-1] > 0.9
    with pytest.raises(ValueError, match="task must be one of"):
        fit(model, X, y, loss=F.cross_entropy, task="classification", epochs=1)


def test_task_overrides_the_loss_declaration(rng):
    X = rng.normal(size=(32, 3))
    y = (X[:, 0] > 0).astype(float)
    history = fit(linear_model(), X, y, loss=MSELoss(), task="binary", optimizer="sgd", lr=0.1, epochs=2, seed=0)
    assert "accuracy" in history.history


@pytest.mark.parametrize("targets, fix", [("pm1", r"\(y \+ 1\) / 2"), ("0/2", "map them to 0/1")])
def test_binary_targets_outside_0_1_are_refused(rng, targets, fix):
    X = rng.normal(size=(40, 4))
    y = (X[:, 0] > 0).astype(float)
    y = 2 * y - 1 if targets == "pm1" else 2 * y
    model = mlp(4, [8], 1, rng=0, dtype=np.float64)
    before = [p.data.copy() for p in model.parameters()]
    with pytest.raises(ValueError, match=fix):
        fit(model, X, y, loss=BCEWithLogitsLoss(), epochs=1)
    assert all(np.array_equal(a, p.data) for a, p in zip(before, model.parameters()))
    with pytest.raises(ValueError, match=r"targets must lie in \[0, 1\]"):
        BCEWithLogitsLoss()(nn.Dense(4, 1, rng=0, dtype=np.float64)(X), y.reshape(-1, 1))


def test_training_diverged_error_is_a_runtime_error_and_a_value_error():
    assert issubclass(TrainingDivergedError, RuntimeError) and issubclass(TrainingDivergedError, ValueError)
    error = TrainingDivergedError(0, 3, 0.1, float("nan"))
    with pytest.raises(ValueError, match="training diverged"):
        raise error


# ---------------------------------------------------------------------------------------------
# the transform hook (data augmentation)
# ---------------------------------------------------------------------------------------------
class RecordingTransform:
    """Adds noise from the generator it is given and records every call."""

    def __init__(self):
        self.calls = []

    def __call__(self, X_b, rng):
        self.calls.append((X_b.copy(), rng))
        return X_b + rng.normal(scale=0.1, size=X_b.shape)


def test_transform_is_applied_to_every_training_batch_only(rng):
    X, y = blobs(rng, n=50)
    transform = RecordingTransform()
    model = mlp(4, [6], 3, rng=0, dtype=np.float64)
    fit(model, X, y, epochs=3, batch_size=16, seed=0, transform=transform, validation_data=(X[:10] + 100.0, y[:10]))
    assert len(transform.calls) == 3 * 4  # ceil(50 / 16) batches in each of three epochs
    seen = np.concatenate([batch for batch, _ in transform.calls[:4]])
    assert seen.shape == X.shape and np.allclose(np.sort(seen, axis=0), np.sort(X, axis=0))  # training rows, no validation rows
    assert all(isinstance(r, np.random.Generator) for _, r in transform.calls)


def test_transform_runs_are_reproducible_and_the_transform_matters(rng):
    X, y = blobs(rng, n=48)

    def run(transform):
        model = mlp(4, [6], 3, rng=0, dtype=np.float64)
        fit(model, X, y, epochs=3, batch_size=16, seed=5, transform=transform)
        return [p.data for p in model.parameters()]

    first, second, plain = run(RecordingTransform()), run(RecordingTransform()), run(None)
    assert all(np.array_equal(a, b) for a, b in zip(first, second))
    assert not all(np.array_equal(a, b) for a, b in zip(first, plain))


def test_transform_with_the_wrong_shape_is_named(rng):
    X, y = blobs(rng, n=20)
    with pytest.raises(ValueError, match=r"transform returned shape \(8, 3\) for a batch of shape \(8, 4\)"):
        fit(mlp(4, [6], 3, rng=0), X, y, epochs=1, batch_size=8, seed=0, transform=lambda X_b, rng: X_b[:, :3])
    with pytest.raises(TypeError, match="transform must be a callable"):
        fit(mlp(4, [6], 3, rng=0), X, y, epochs=1, transform="flip")
