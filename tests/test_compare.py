"""nnlab.experiments.compare and ``nnlab compare``: four libraries, the same networks, the same updates."""
import csv

import numpy as np
import pytest

from nnlab.cli import main
from nnlab.experiments import compare as cmp
from nnlab.experiments.compare import compare_libraries, digits_data, train_library
from nnlab.plots.compare import plot_epoch_accuracy

# Keras 3's torch backend converts tensors with np.array(x), which NumPy 2 flags; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation doesn't accept a copy:DeprecationWarning")


@pytest.fixture(scope="module")
def small_data():
    X_train, X_test, y_train, y_test = digits_data(seed=0)
    return X_train[:300], X_test, y_train[:300], y_test


@pytest.fixture(scope="module")
def initial_weights():
    rng = np.random.default_rng(1)
    return [(rng.normal(0, 0.3, (64, 16)).astype(np.float32), rng.normal(0, 0.1, 16).astype(np.float32)),
            (rng.normal(0, 0.3, (16, 10)).astype(np.float32), rng.normal(0, 0.1, 10).astype(np.float32))]


def _available(library):
    if library == "torch":
        pytest.importorskip("torch")
    if library == "keras":
        pytest.importorskip("torch")
        try:
            cmp._import_keras()
        except ImportError as exc:
            pytest.skip(f"keras on the torch backend is not available: {exc}")


@pytest.mark.parametrize("library", ["sklearn", "torch", "keras"])
def test_same_start_same_batches_give_the_same_weights(library, small_data, initial_weights):
    """With the same initial weights and batches in order, every library performs the same SGD
    updates on the same cost (mean cross-entropy + alpha/(2n)||W||^2): eta and lambda mean the same."""
    _available(library)
    kw = dict(eta=0.5, lam=2.0, epochs=2, batch_size=50, shuffle=False, initial_weights=initial_weights)
    ours = train_library("nnlab", (16,), small_data, **kw)
    theirs = train_library(library, (16,), small_data, **kw)
    for (W, b), (W2, b2) in zip(ours.weights, theirs.weights):
        np.testing.assert_allclose(W, W2, atol=2e-6)
        np.testing.assert_allclose(b, b2, atol=2e-6)
    assert ours.epoch_accuracy == theirs.epoch_accuracy
    moved = max(np.abs(W - W0).max() for (W, _), (W0, _) in zip(ours.weights, initial_weights))
    assert moved > 1e-2  # the runs trained (the comparison is not vacuous)
    lam0 = train_library("nnlab", (16,), small_data, **{**kw, "lam": 0.0})
    assert not np.allclose(lam0.weights[0][0], ours.weights[0][0], atol=1e-4)  # lambda acts


def test_compare_rows_table_and_plot(small_data, tmp_path):
    result = compare_libraries(["nnlab", "sklearn"], ["64-50-10", (20, 10)], epochs=3, batch_size=20, data=small_data)
    assert [(r.library, r.network) for r in result.rows] == [
        ("nnlab", "64-50-10"), ("nnlab", "64-20-10-10"), ("sklearn", "64-50-10"), ("sklearn", "64-20-10-10")]
    for r in result.rows:
        assert len(r.epoch_accuracy) == 3 and r.test_accuracy == r.epoch_accuracy[-1]
        assert 0.0 <= r.test_accuracy <= 1.0 and r.wall_time > 0
    assert min(r.test_accuracy for r in result.rows if r.network == "64-50-10") > 0.5
    table = result.to_markdown()
    assert "| library | network | test accuracy | wall time (s) |" in table and table.count("| nnlab |") == 2
    with open(result.to_csv(tmp_path / "c.csv")) as f:
        rows = list(csv.reader(f))
    assert rows[0][:4] == ["library", "network", "test_accuracy", "wall_time_s"] and len(rows[0]) == 7
    assert plot_epoch_accuracy(result, tmp_path / "c.png").stat().st_size > 0


def test_missing_library_is_skipped_with_a_note(small_data, monkeypatch):
    def missing(*args, **kwargs):
        raise ImportError("No module named 'torch'")

    monkeypatch.setitem(cmp._RUNNERS, "torch", missing)
    result = compare_libraries(["nnlab", "torch"], ["64-50-10"], epochs=1, data=small_data)
    assert [r.library for r in result.rows] == ["nnlab"]
    assert len(result.notes) == 1 and result.notes[0].startswith("torch skipped") and "pip install" in result.notes[0]
    assert "torch skipped" in result.to_markdown()
    with pytest.raises(ValueError, match="unknown libraries"):
        compare_libraries(["jax"], data=small_data)
    with pytest.raises(ValueError, match="unknown network"):
        compare_libraries(["nnlab"], ["64-7-10"], data=small_data)


def test_compare_command(tmp_path, capsys):
    assert main(["compare", "--quick", "--libraries", "nnlab,sklearn", "--networks", "64-50-10",
                 "--output-dir", str(tmp_path)]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith("test accuracy: nnlab 64-50-10 0.") and "sklearn 64-50-10" in line
    for name in ("compare.md", "compare.csv", "compare_accuracy.png"):
        assert (tmp_path / name).stat().st_size > 0
