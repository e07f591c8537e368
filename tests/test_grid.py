"""nnlab.experiments.grid, nnlab.plots.grid and ``nnlab grid``: the lecture's eta x lambda search."""
import csv
import math

import numpy as np
import pytest

from nnlab.cli import main
from nnlab.experiments.grid import GridResult, grid_search, load_dataset, run_cell
from nnlab.experiments.lecture_reference import lecture_forward, lecture_sgd, lecture_weights
from nnlab.models import lecture_mlp
from nnlab.plots.grid import format_value, heatmap, save_grid_heatmaps


@pytest.fixture(scope="module")
def digits():
    return load_dataset("digits", seed=0)


def _lecture_numpy(data, eta, lam, epochs, seed):
    """The lecture's NumPy network (summed gradient, dW += lmbd W), full batch, same initial weights."""
    X, X_test, y, y_test = data
    model = lecture_mlp(64, (50,), 10, rng=np.random.default_rng(seed))
    weights = lecture_sgd(lecture_weights(model), X, np.eye(10)[y], eta, lam, [slice(None)] * epochs)

    def accuracy(A, labels):
        return np.mean(np.argmax(lecture_forward(weights, A)[1], axis=1) == labels)

    return accuracy(X, y), accuracy(X_test, y_test)


@pytest.mark.parametrize("eta, lam", [(1e-3, 0.0), (1e-3, 3.0)])
def test_cell_reproduces_the_lecture_numpy_code(digits, eta, lam):
    n = len(digits[0])
    cell = run_cell(eta, lam, digits, (50,), "sigmoid", "normal", "sum", epochs=8, batch_size=n, seed=3,
                    dtype=np.float64)
    train_acc, test_acc = _lecture_numpy(digits, eta, lam, 8, seed=3)
    assert cell.status == "ok" and cell.epochs_run == 8
    assert cell.train_accuracy == pytest.approx(train_acc) and cell.test_accuracy == pytest.approx(test_acc)
    assert cell.train_accuracy > 0.3  # it learned something: checks the comparison is not vacuous


def test_grid_records_diverged_cells_and_finds_the_best(digits, tmp_path):
    etas, lambdas = (1e-5, 1e-2, 10.0), (0.0, 10.0)
    result = grid_search(etas, lambdas, data=digits, epochs=6, n_jobs=1)
    assert isinstance(result, GridResult) and len(result.cells) == 6
    assert [(c.eta, c.lam) for c in result.cells] == [(e, lam) for e in etas for lam in lambdas]
    diverged = [c for c in result.cells if not c.ok]
    assert [(c.eta, c.lam) for c in diverged] == [(10.0, 10.0)] and diverged[0].status == "diverged"
    test = result.matrix("test_accuracy")
    assert test.shape == (3, 2) and math.isnan(test[2, 1]) and np.isfinite(np.delete(test.ravel(), 5)).all()
    best = result.best()
    assert best.test_accuracy == np.nanmax(test) and (best.eta, best.lam) == (1e-2, 0.0)
    assert result.matrix("train_accuracy")[1, 0] > result.matrix("train_accuracy")[0, 0] + 0.3  # eta matters
    with open(result.to_csv(tmp_path / "grid.csv")) as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 6 and rows[-1]["status"] == "diverged" and rows[-1]["test_accuracy"] == "nan"
    assert "diverged" in rows[-1]["message"]


def test_parallel_grid_gives_the_same_cells(digits):
    kw = dict(data=digits, epochs=2, hidden=(10,))
    serial = grid_search((1e-3, 1e-2), (0.0, 0.1), n_jobs=1, **kw)
    parallel = grid_search((1e-3, 1e-2), (0.0, 0.1), n_jobs=2, **kw)
    assert [c.test_accuracy for c in serial.cells] == [c.test_accuracy for c in parallel.cells]


def test_heatmap_labels_axes_and_marks_missing_cells(tmp_path):
    values = np.array([[0.5, np.nan], [0.9, 0.1]])
    fig, ax = heatmap(values, [1e-5, 0.1], [0.0, 10.0], title="Test accuracy")
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["0.500", "diverged", "0.900", "0.100"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["1e-5", "0.1"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "10"]
    assert "eta" in ax.get_ylabel() and "lambda" in ax.get_xlabel()
    assert format_value(1e-5) == "1e-5" and format_value(0.001) == "0.001"
    with pytest.raises(ValueError, match="shape"):
        heatmap(values, [1.0], [1.0, 2.0])


def test_grid_command_writes_heatmaps_csv_and_best_pair(tmp_path, capsys):
    assert main(["grid", "--quick", "--etas", "0.01,10", "--lambdas", "0,10", "--jobs", "1",
                 "--output-dir", str(tmp_path)]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith("best eta=0.01 lambda=") and "test accuracy: 0." in line and "1 diverged" in line
    for name in ("grid.csv", "train_accuracy.png", "test_accuracy.png"):
        assert (tmp_path / name).stat().st_size > 0


def test_bad_arguments(digits):
    with pytest.raises(ValueError, match="data set"):
        load_dataset("cifar")
    with pytest.raises(ValueError, match="etas"):
        grid_search([-1.0], [0.0], data=digits)
    with pytest.raises(ValueError, match="reduction"):
        grid_search([0.1], [0.0], data=digits, reduction="max")
    with pytest.raises(SystemExit):
        main(["grid", "--etas", "a,b"])
    assert len(save_grid_heatmaps.__doc__) > 0
