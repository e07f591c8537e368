"""`nnlab cnn --dataset mnist|fashion-mnist`: where the IDX files are found, LeNet, class-named confusion matrix."""
import argparse
import json
import os
from pathlib import Path

import numpy as np
import pytest

from nnlab.cli import main
from nnlab.data import FASHION_MNIST_CLASSES, MNIST_CLASSES, data_home
from nnlab.io import load_model


def _shared_data() -> Path | None:
    """The directory holding mnist/ and fashion-mnist/: ../shared/data beside the repository, else $NNLAB_DATA."""
    for root in (Path(__file__).resolve().parents[2] / "shared" / "data", os.environ.get("NNLAB_DATA")):
        if root and (Path(root) / "fashion-mnist").is_dir() and (Path(root) / "mnist").is_dir():
            return Path(root)
    return None


SHARED = _shared_data()
needs_data = pytest.mark.skipif(SHARED is None, reason="no mnist/ and fashion-mnist/ IDX files in ../shared/data "
                                                       "beside the repository or in $NNLAB_DATA")
QUICK = ["--epochs", "1", "--train-size", "200", "--test-size", "100", "--batch-size", "50"]


@needs_data
@pytest.mark.parametrize("dataset, classes", [("fashion-mnist", FASHION_MNIST_CLASSES), ("mnist", MNIST_CLASSES)])
def test_cnn_finds_the_data_set_through_nnlab_data(dataset, classes, tmp_path, monkeypatch, capsys):
    """Without --data-dir the files come from $NNLAB_DATA/<dataset>; LeNet; the confusion matrix counts the test set."""
    monkeypatch.setenv("NNLAB_DATA", str(SHARED))
    assert main(["cnn", "--dataset", dataset, *QUICK, "--output-dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out.startswith("test accuracy: ")
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["dataset"] == dataset and metrics["n_train"] == 200 and metrics["n_test"] == 100
    assert metrics["class_names"] == list(classes)
    cm = np.array(metrics["confusion_matrix"])
    assert cm.shape == (10, 10) and cm.sum() == 100
    assert np.trace(cm) / 100 == pytest.approx(metrics["test_accuracy"])
    assert load_model(tmp_path / "model.npz").n_parameters() == 61706  # LeNet-5
    assert (tmp_path / "confusion_matrix.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@needs_data
def test_cnn_data_dir_overrides_nnlab_data(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NNLAB_DATA", str(tmp_path / "empty"))
    args = ["cnn", "--dataset", "fashion-mnist", "--data-dir", str(SHARED / "fashion-mnist"), *QUICK,
            "--output-dir", str(tmp_path / "out")]
    assert main(args) == 0
    assert json.loads((tmp_path / "out" / "metrics.json").read_text())["class_names"] == list(FASHION_MNIST_CLASSES)


def test_cnn_missing_data_set_is_one_line_listing_the_places(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NNLAB_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "xdg"))
    code = main(["cnn", "--dataset", "fashion-mnist", *QUICK, "--output-dir", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and err.startswith("nnlab cnn: error: fashion-mnist: "), err
    assert str(tmp_path / "data" / "fashion-mnist") in err and str(data_home() / "fashion-mnist") in err
    assert "train-images-idx3-ubyte" in err


def test_cnn_dataset_choices_and_data_dir_default():
    from nnlab.commands import cnn
    from nnlab.experiments.cnn import config_from

    parser = argparse.ArgumentParser()
    cnn.add_arguments(parser)
    args = parser.parse_args(["--dataset", "fashion-mnist"])
    assert args.data_dir is None
    config = config_from("fashion-mnist", quick=True)
    assert config.data_dir is None and config.optimizer == "adam" and config.epochs == 1
    with pytest.raises(SystemExit):
        parser.parse_args(["--dataset", "cifar10"])
    with pytest.raises(ValueError, match="--dataset must be one of"):
        config_from("cifar10")
