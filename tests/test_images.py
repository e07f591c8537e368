"""Short versions of the image benchmarks (bench/images.py): 500 training images, one epoch.

Each bound is one an untrained model fails (ten classes: about 0.1), so the test shows that the
run's model, augmentation and loop learn; the full runs and their targets are in bench/images.py.
"""
import importlib.util
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def images():
    spec = importlib.util.spec_from_file_location("bench_images", ROOT / "bench" / "images.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", ["digits", "mnist", "fashion-mlp", "fashion-cnn"])
def test_short_run_learns(name, images):
    dataset = images.RUNS[name][0]
    if dataset != "digits" and not (images.DEFAULT_DATA / dataset).is_dir():
        pytest.skip(f"no {dataset} IDX files in {images.DEFAULT_DATA / dataset}")
    untrained = images.RUNS[name][1](np.random.default_rng(0))
    X_train, _, X_test, y_test = images.load(dataset, images.DEFAULT_DATA, flat=name == "fashion-mlp")
    from nnlab.train import predict

    chance = float(np.mean(predict(untrained, X_test[:500]).argmax(axis=1) == y_test[:500]))
    result = images.run(name, n_train=500, n_test=500, epochs=1)
    assert chance < 0.25
    assert result["accuracy"] > 0.3, result
    if name == "fashion-cnn":
        assert result["parameters"] < 120_000
