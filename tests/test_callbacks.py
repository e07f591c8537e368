"""Callbacks: hooks, early stopping with restored weights, checkpoints and exact resumption."""
import numpy as np
import pytest

from nnlab.models import mlp
from nnlab.optim import SGD, Adam, StepLR
from nnlab.train import (
    Callback, EarlyStopping, LambdaCallback, ModelCheckpoint, TrainingState, History, fit, load_training_checkpoint,
    save_training_checkpoint,
)


def blobs(rng, n=120, d=4, k=3, noise=1.0):
    centres = rng.normal(scale=2.0, size=(k, d))
    y = rng.integers(0, k, size=n)
    return centres[y] + noise * rng.normal(size=(n, d)), y


class Recorder(Callback):
    def __init__(self):
        self.calls = []

    def on_train_begin(self, logs=None):
        self.calls.append("train_begin")

    def on_epoch_begin(self, epoch, logs=None):
        self.calls.append(f"epoch_begin {epoch}")

    def on_batch_end(self, batch, logs=None):
        assert np.isfinite(logs["loss"])
        self.calls.append("batch")

    def on_epoch_end(self, epoch, logs=None):
        assert "loss" in logs and "val_loss" in logs
        self.calls.append(f"epoch_end {epoch}")

    def on_train_end(self, logs=None):
        self.calls.append("train_end")


def test_hooks_run_in_order(rng):
    X, y = blobs(rng, n=50)
    rec = Recorder()
    model = mlp(4, (6,), 3, rng=0)
    fit(model, X, y, optimizer=SGD(model.parameters(), lr=0.1), epochs=2, batch_size=20, seed=0,
        validation_split=0.2, callbacks=[rec])
    assert rec.calls == ["train_begin", "epoch_begin 0", "batch", "batch", "epoch_end 0",
                         "epoch_begin 1", "batch", "batch", "epoch_end 1", "train_end"]
    assert isinstance(rec.state, TrainingState) and rec.state.model is model


def _fake_state(model):
    return TrainingState(model=model, optimizer=None, history=History(), seed=0, epochs=10)


def test_early_stopping_logic_and_restore():
    model = mlp(2, (), 1, rng=0)
    es = EarlyStopping(monitor="val_loss", patience=2, min_delta=0.01)
    es.set_state(_fake_state(model))
    es.on_train_begin()
    values = [1.0, 0.5, 0.495, 0.6, 0.7, 0.1]
    weights = {}
    for epoch, v in enumerate(values):
        model.layers[0].weight.data[...] = epoch   # mark the weights with the epoch number
        weights[epoch] = model.state_dict()
        es.on_epoch_end(epoch, {"val_loss": v})
        if es.state.stop_training:
            break
    # 0.495 is not better than 0.5 by min_delta; 0.495, 0.6 -> two bad epochs after epoch 1 -> stop at 3
    assert es.stopped_epoch == 3 and es.best_epoch == 1 and es.best == 0.5
    es.on_train_end()
    np.testing.assert_array_equal(model.layers[0].weight.data, weights[1]["layers.0.weight"])


def test_early_stopping_in_fit_restores_best_epoch(rng):
    """Noisy labels and a large step overfit: training stops and the best epoch's weights return."""
    X, y = blobs(rng, n=80, noise=3.0)
    model = mlp(4, (64,), 3, activation="relu", rng=0)
    snapshots = {}
    keep = LambdaCallback(on_epoch_end=lambda epoch, logs: snapshots.__setitem__(epoch, model.state_dict()))
    es = EarlyStopping(patience=3)
    h = fit(model, X[:40], y[:40], optimizer=Adam(model.parameters(), lr=0.05), epochs=200, batch_size=8,
            seed=0, validation_data=(X[40:], y[40:]), callbacks=[keep, es])
    assert es.stopped_epoch is not None and len(h) < 200
    best = int(np.argmin(h.history["val_loss"]))
    assert es.best_epoch == h.epoch[best]
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v, snapshots[es.best_epoch][k])


def test_early_stopping_needs_the_monitored_value(rng):
    X, y = blobs(rng, n=30)
    model = mlp(4, (6,), 3, rng=0)
    with pytest.raises(ValueError, match="monitors 'val_loss'.*validation_data"):
        fit(model, X, y, optimizer=SGD(model.parameters(), lr=0.1), epochs=3, callbacks=[EarlyStopping()])


def test_checkpoint_every_n_epochs(rng, tmp_path):
    X, y = blobs(rng, n=40)
    model = mlp(4, (6,), 3, rng=0)
    ck = ModelCheckpoint(tmp_path / "ck-{epoch}.npz", every=2)
    fit(model, X, y, optimizer=SGD(model.parameters(), lr=0.1), epochs=5, batch_size=10, seed=0, callbacks=[ck])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ck-2.npz", "ck-4.npz", "ck-5.npz"]  # + the last one
    info = load_training_checkpoint(tmp_path / "ck-5.npz")            # architecture rebuilt from the file
    assert info.epoch == 5 and info.seed == 0 and len(info.history) == 5
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(info.model.state_dict()[k], v)


@pytest.mark.parametrize("dropout", [0.0, 0.3])
def test_resume_gives_exactly_the_uninterrupted_run(rng, tmp_path, dropout):
    """Adam state, a step schedule, dropout generators and the per-epoch shuffling all resume."""
    X, y = blobs(rng, n=90)

    def make():
        model = mlp(4, (16,), 3, activation="relu", dropout=dropout, rng=3)
        opt = Adam(model.parameters(), lr=0.01)
        return model, opt, StepLR(opt, step_size=2, gamma=0.5)

    model, opt, schedule = make()
    full = fit(model, X, y, optimizer=opt, epochs=6, batch_size=16, seed=11, schedule=schedule,
               validation_split=0.2, callbacks=[ModelCheckpoint(tmp_path / "ck-{epoch}.npz", every=3, save_last=False)])
    resumed, opt2, schedule2 = make()
    info = load_training_checkpoint(tmp_path / "ck-3.npz", resumed, opt2, schedule2)
    assert info.epoch == 6 - 3 and opt2.lr == pytest.approx(0.005)
    rest = fit(resumed, X, y, optimizer=opt2, epochs=6, batch_size=16, seed=info.seed, schedule=schedule2,
               validation_split=0.2, initial_epoch=info.epoch)
    assert rest.epoch == [3, 4, 5]
    assert rest.history["loss"] == full.history["loss"][3:]
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(resumed.state_dict()[k], v)


def test_damaged_or_mismatched_checkpoint_leaves_the_model_alone(rng, tmp_path):
    model = mlp(4, (6,), 3, rng=0)
    path = save_training_checkpoint(tmp_path / "ck.npz", model, SGD(model.parameters(), lr=0.1), epoch=1, seed=0)
    other = mlp(4, (7,), 3, rng=1)
    before = other.state_dict()
    with pytest.raises(ValueError, match="does not fit this model"):
        load_training_checkpoint(path, other)
    damaged = tmp_path / "bad.npz"
    damaged.write_bytes(path.read_bytes()[:200])
    with pytest.raises(ValueError):
        load_training_checkpoint(damaged, other)
    for k, v in other.state_dict().items():
        np.testing.assert_array_equal(before[k], v)


def test_callbacks_must_be_callbacks(rng):
    X, y = blobs(rng, n=20)
    model = mlp(4, (6,), 3, rng=0)
    with pytest.raises(TypeError, match="not an nnlab.train.Callback"):
        fit(model, X, y, optimizer=SGD(model.parameters(), lr=0.1), epochs=1, callbacks=[print])
    with pytest.raises(ValueError, match="unknown hooks"):
        LambdaCallback(on_step=print)


def _three_then_two(tmp_path, X, y, resume_callback):
    """3 epochs with checkpoints, then a resumed run of 2 more writing checkpoints again."""
    model = mlp(4, (6,), 3, rng=0)
    opt = SGD(model.parameters(), lr=0.1)
    first = fit(model, X, y, optimizer=opt, epochs=3, batch_size=10, seed=4, validation_split=0.2,
                callbacks=[ModelCheckpoint(tmp_path / "ck.npz")])
    again = mlp(4, (6,), 3, rng=1)
    opt2 = SGD(again.parameters(), lr=0.1)
    info = load_training_checkpoint(tmp_path / "ck.npz", again, opt2)
    rest = fit(again, X, y, optimizer=opt2, epochs=5, batch_size=10, seed=info.seed, validation_split=0.2,
               initial_epoch=info.epoch, callbacks=[resume_callback(info)])
    return first, info, rest


@pytest.mark.parametrize("resume_callback", [
    lambda info: ModelCheckpoint(info.path),                               # finds its own checkpoint of epoch 3
    lambda info: ModelCheckpoint(info.path.with_name("ck-{epoch}.npz"), history=info.history),
], ids=["same-file", "explicit-history"])
def test_a_resumed_run_keeps_the_history_before_the_resume(rng, tmp_path, resume_callback):
    X, y = blobs(rng, n=50)
    first, info, rest = _three_then_two(tmp_path, X, y, resume_callback)
    assert rest.epoch == [3, 4]                                       # fit returns the epochs it ran
    last = tmp_path / "ck-5.npz"
    saved = load_training_checkpoint(last if last.exists() else tmp_path / "ck.npz")
    assert saved.epoch == 5
    assert saved.history.epoch == [0, 1, 2, 3, 4]
    for key in ("loss", "val_loss", "lr"):
        assert saved.history[key] == first.history[key] + rest.history[key]
    from nnlab.train.checkpoint import join_histories
    assert join_histories(info.history, rest).to_dict()["history"] == saved.history.to_dict()["history"]


def test_a_resumed_run_without_its_earlier_checkpoint_warns(rng, tmp_path):
    X, y = blobs(rng, n=50)
    with pytest.warns(UserWarning, match="only the history of this run"):
        _, _, rest = _three_then_two(tmp_path, X, y, lambda info: ModelCheckpoint(tmp_path / "other-{epoch}.npz"))
    assert load_training_checkpoint(tmp_path / "other-5.npz").history.epoch == [3, 4]


def test_join_histories_pads_quantities_missing_on_one_side():
    from nnlab.train.checkpoint import join_histories
    before, after = History(), History({"initial_epoch": 2})
    before.append(0, {"loss": 3.0}); before.append(1, {"loss": 2.0}); before.append(2, {"loss": 9.0})
    after.append(2, {"loss": 1.5, "val_loss": 1.0})
    joined = join_histories(before, after)
    assert joined.epoch == [0, 1, 2] and joined["loss"] == [3.0, 2.0, 1.5]
    assert np.isnan(joined["val_loss"][:2]).all() and joined["val_loss"][2] == 1.0
    assert joined.params == {"initial_epoch": 2}
