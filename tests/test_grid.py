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


# ---------------------------------------------------------------------------------------------
# Regression on the Franke function, the experiment API, the command's errors
# ---------------------------------------------------------------------------------------------
def test_regression_grid_on_franke_scores_mse_and_r2():
    """Each cell's MSE and R^2 are scikit-learn's on the same network trained by hand."""
    from sklearn.metrics import mean_squared_error, r2_score

    from nnlab.nn.losses import MSELoss
    from nnlab.nn.regularization import L2
    from nnlab.optim import SGD
    from nnlab.train import fit, predict

    data = load_dataset("franke", seed=1)
    X_train, X_test, y_train, y_test = data
    assert X_train.shape == (800, 2) and y_train.dtype == np.float64 and 0 <= X_train.min() and X_train.max() <= 1
    result = grid_search((1e-4, 1e-3, 10.0), (0.0, 0.1), task="regression", data=data, epochs=5, n_jobs=1, seed=1)
    assert result.metrics == ("train_mse", "test_mse", "train_r2", "test_r2")
    cell = result.cells[3]  # eta 1e-3, lambda 0.1
    model = lecture_mlp(2, (50,), 1, rng=np.random.default_rng(1))
    fit(model, X_train, y_train, loss=MSELoss(reduction="sum"), optimizer=SGD(model, lr=1e-3), epochs=5,
        batch_size=100, penalty=L2(0.1), metrics=(), seed=1)
    out = predict(model, X_test)[:, 0]
    assert cell.test_mse == pytest.approx(mean_squared_error(y_test, out), rel=1e-12)
    assert cell.test_r2 == pytest.approx(r2_score(y_test, out), rel=1e-12)
    assert result.matrix("test_r2")[1, 1] == cell.test_r2 and cell.train_mse > 0
    assert [c.status for c in result.cells[4:]] == ["diverged", "diverged"]
    best = result.best()
    assert best.test_mse == np.nanmin(result.matrix("test_mse"))
    with pytest.raises(ValueError, match="integer class labels"):
        grid_search((1e-3,), (0.0,), data=data, epochs=1, n_jobs=1)  # the task is declared, not guessed
    with pytest.raises(ValueError, match="'franke' is for regression"):
        grid_search((1e-3,), (0.0,), dataset="franke", epochs=1, n_jobs=1)
    with pytest.raises(ValueError, match="which must be one of"):
        result.matrix("test_accuracy")


def test_grid_command_regression_on_franke(tmp_path, capsys):
    argv = ["grid", "--task", "regression", "--dataset", "franke", "--quick", "--etas", "1e-3,10", "--lambdas",
            "0,0.1", "--jobs", "1", "--output-dir", str(tmp_path)]
    assert main(argv) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("best eta=0.001 lambda=") and "test MSE: " in first and "2 diverged" in first
    with open(tmp_path / "grid.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 4 and {"train_mse", "test_mse", "train_r2", "test_r2"} <= set(rows[0])
    for name in ("train_mse", "test_mse", "train_r2", "test_r2"):
        assert (tmp_path / f"{name}.png").stat().st_size > 0


def test_grid_run_returns_a_result(digits, tmp_path):
    from nnlab.experiments.grid import GridConfig, run
    from nnlab.experiments.result import Result

    result = run(GridConfig(etas=(1e-2, 10.0), lambdas=(0.0, 10.0), epochs=6, jobs=1, output_dir=tmp_path))
    assert isinstance(result, Result) and result.output_dir == tmp_path
    assert set(result.figures) == {"train_accuracy", "test_accuracy"}
    assert all(p.is_file() for p in result.figures.values())
    assert result.numbers["cells"] == 4 and result.numbers["diverged cells"] == 1
    assert result.numbers["best eta"] == 1e-2 and 0.3 < result.numbers["best test accuracy"] <= 1
    assert result.tables[0].rows[0][:2] == [1e-2, 0.0] and result.printed().startswith(result.headline)


@pytest.mark.parametrize("argv, option", [
    (["--jobs", "0"], "--jobs"), (["--epochs", "0"], "--epochs"), (["--batch-size", "-1"], "--batch-size"),
    (["--dataset", "franke"], "--dataset"), (["--task", "regression", "--dataset", "digits"], "--dataset"),
    (["--hidden", "0"], "--hidden"), (["--hidden", "100,0"], "--hidden"),
])
def test_grid_command_bad_input_is_one_line_with_status_2(argv, option, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["grid", *argv, "--output-dir", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("nnlab grid: error: ") and option in err[0], err
    assert not out.exists()  # checked before anything is written


def test_grid_command_says_how_to_install_dask(tmp_path, capsys, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "dask.distributed", None)  # as if dask[distributed] were not installed
    assert main(["grid", "--scheduler", "local", "--output-dir", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--scheduler" in err[0] and "pip install -e '.[dask]'" in err[0], err


@pytest.mark.parametrize("argv, right", [(["--hidden", "100", "50"], "--hidden 100,50"),
                                         (["--hidden", "100", "--hidden", "50"], "--hidden 100,50"),
                                         (["--hidden", "a"], "like 50 or 100,50")])
def test_grid_command_hidden_has_the_one_comma_grammar(argv, right, capsys):
    """`--hidden` is the shared option of every command: one comma-separated list, other spellings refused."""
    with pytest.raises(SystemExit) as exit_info:
        main(["grid", *argv])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("nnlab grid: error: ") and right in err[0], err


def test_grid_command_malformed_list_names_the_option(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["grid", "--etas", "a,b"])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith("nnlab grid: error: argument --etas")


def test_experiments_package_exports_every_config_and_module():
    """`nnlab.experiments` exports each experiment's config beside GridConfig, and each module's run."""
    import dataclasses

    from nnlab import experiments

    names = ["activations", "perceptron", "digits", "grid", "compare", "cnn", "vanishing", "rbf", "rnn", "rbm"]
    configs = [experiments.ActivationsConfig, experiments.PerceptronConfig, experiments.DigitsConfig,
               experiments.GridConfig, experiments.CompareConfig, experiments.CNNConfig, experiments.VanishingConfig,
               experiments.RBFConfig, experiments.RNNConfig, experiments.RBMConfig]
    for name, config in zip(names, configs):
        module = getattr(experiments, name)
        assert name in experiments.__all__ and config.__name__ in experiments.__all__
        assert dataclasses.is_dataclass(config) and config.__module__ == module.__name__
        assert callable(module.run) and "Result" in str(module.run.__annotations__["return"])
    from nnlab.experiments.grid import GridConfig
    from nnlab.experiments.result import Result

    assert experiments.GridConfig is GridConfig and experiments.Result is Result
