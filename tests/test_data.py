"""nnlab.data: data sets, splitting, scaling, minibatches and the IDX (MNIST) reader."""
import gzip
import math
import os
import struct
from pathlib import Path

import numpy as np
import pytest

from nnlab import data

def _shared_data() -> Path:
    """The shared IDX files: ../shared/data beside the repository, else $NNLAB_DATA."""
    for root in (Path(__file__).resolve().parents[2] / "shared" / "data", os.environ.get("NNLAB_DATA")):
        if root and (Path(root) / "mnist").is_dir():
            return Path(root)
    return Path(__file__).resolve().parents[2] / "shared" / "data"


SHARED_DATA = _shared_data()
MNIST_DIR = SHARED_DATA / "mnist"
FASHION_DIR = SHARED_DATA / "fashion-mnist"


# ----------------------------------------------------------------------------------------------------------
# data sets
# ----------------------------------------------------------------------------------------------------------
def test_load_digits_shapes_dtypes_ranges():
    X, y = data.load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float32
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0 and X.max() == 16
    assert set(np.unique(y)) == set(range(10))
    images, y2 = data.load_digits(return_images=True, dtype=np.float64)
    assert images.shape == (1797, 1, 8, 8) and images.dtype == np.float64  # NCHW
    np.testing.assert_array_equal(images.reshape(1797, 64), X)
    np.testing.assert_array_equal(y, y2)


def test_load_breast_cancer():
    X, y = data.load_breast_cancer()
    assert X.shape == (569, 30) and X.dtype == np.float32
    assert y.shape == (569,) and set(np.unique(y)) == {0, 1}
    assert np.isfinite(X).all()


def test_franke_at_known_points():
    # (0, 0): each term of Franke's formula evaluated by hand
    expected = (0.75 * math.exp(-1 - 1) + 0.75 * math.exp(-1 / 49 - 0.1)
                + 0.5 * math.exp(-49 / 4 - 9 / 4) - 0.2 * math.exp(-16 - 49))
    assert data.franke_function(0.0, 0.0) == pytest.approx(expected, rel=1e-14)
    # (2/9, 2/9): the first exponential is exactly 1
    x = 2 / 9
    expected = (0.75 + 0.75 * math.exp(-9 / 49 - 0.3) + 0.5 * math.exp(-25 / 4 - 1 / 4)
                - 0.2 * math.exp(-4 - 25))
    assert data.franke_function(x, x) == pytest.approx(expected, rel=1e-14)
    # broadcasting over a meshgrid
    xx, yy = np.meshgrid(np.linspace(0, 1, 5), np.linspace(0, 1, 4))
    assert data.franke_function(xx, yy).shape == (4, 5)


def test_runge_at_known_points():
    np.testing.assert_allclose(data.runge_function([0.0, 0.2, -0.2, 1.0, -1.0]),
                               [1.0, 0.5, 0.5, 1 / 26, 1 / 26], rtol=1e-15)


@pytest.mark.parametrize("maker, fn, dim, low", [
    (data.make_franke, lambda X: data.franke_function(X[:, 0], X[:, 1]), 2, 0.0),
    (data.make_runge, lambda X: data.runge_function(X[:, 0]), 1, -1.0),
])
def test_regression_sets(maker, fn, dim, low):
    X, t = maker(500, seed=3)
    assert X.shape == (500, dim) and t.shape == (500,) and X.dtype == t.dtype == np.float32
    assert X.min() >= low and X.max() <= 1.0
    assert X.min() < low + 0.05 and X.max() > 0.95  # fills the domain
    np.testing.assert_allclose(t, fn(X.astype(np.float64)), rtol=1e-5, atol=1e-6)  # X rounded to float32
    X64, t64 = maker(500, seed=3, dtype=np.float64)
    np.testing.assert_array_equal(t64, fn(X64))
    np.testing.assert_array_equal(X64.astype(np.float32), X)
    X2, t2 = maker(500, seed=3)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(t, t2)
    assert not np.array_equal(X, maker(500, seed=4)[0])
    Xn, tn = maker(20_000, noise=0.1, seed=np.random.default_rng(5), dtype=np.float64)
    assert np.std(tn - fn(Xn)) == pytest.approx(0.1, rel=0.05)
    with pytest.raises(ValueError, match="noise"):
        maker(10, noise=-1.0)
    with pytest.raises(ValueError, match="n_samples"):
        maker(0)


# ----------------------------------------------------------------------------------------------------------
# splitting and encoding
# ----------------------------------------------------------------------------------------------------------
def test_train_test_split_sizes_and_partition():
    X, y = data.load_digits()
    X_train, X_test, y_train, y_test = data.train_test_split(X, y, seed=0)
    assert len(X_test) == math.ceil(0.2 * 1797) == 360 and len(X_train) == 1437
    assert len(y_train) == 1437 and len(y_test) == 360
    # rows stay paired with their labels, and train + test is a partition of the data
    rows = {tuple(r) + (int(t),) for r, t in zip(X, y)}
    split_rows = [tuple(r) + (int(t),) for r, t in zip(np.vstack([X_train, X_test]), np.concatenate([y_train, y_test]))]
    assert len(split_rows) == 1797 and set(split_rows) <= rows
    idx = np.arange(100)
    a_train, a_test = data.train_test_split(idx, test_size=25, seed=1)
    assert len(a_test) == 25 and sorted(np.concatenate([a_train, a_test]).tolist()) == list(range(100))


def test_train_test_split_reproducible_by_seed():
    idx = np.arange(200)
    first = data.train_test_split(idx, idx, seed=7)
    again = data.train_test_split(idx, idx, seed=7)
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(first[0], first[2])  # X and y shuffled together
    other = data.train_test_split(idx, idx, seed=8)
    assert not np.array_equal(first[1], other[1])
    gen = data.train_test_split(idx, seed=np.random.default_rng(7))
    np.testing.assert_array_equal(gen[1], first[1])  # a Generator works like its seed


def test_train_test_split_stratified():
    rng = np.random.default_rng(0)
    y = rng.choice(3, size=1000, p=[0.6, 0.3, 0.1])
    X = np.arange(1000)
    X_train, X_test, y_train, y_test = data.train_test_split(X, y, test_size=0.2, seed=2, stratify=True)
    assert len(X_test) == 200
    np.testing.assert_array_equal(y[X_test], y_test)
    expected = np.bincount(y) * 0.2
    assert np.all(np.abs(np.bincount(y_test, minlength=3) - expected) <= 1)
    assert len(np.intersect1d(X_train, X_test)) == 0


@pytest.mark.parametrize("test_size", [0.0, 1.0, 1.5, 0, 100, -3, True])
def test_train_test_split_rejects_bad_test_size(test_size):
    with pytest.raises(ValueError, match="test_size"):
        data.train_test_split(np.arange(100), test_size=test_size)


def test_train_test_split_rejects_mismatched_rows():
    with pytest.raises(ValueError, match="same number of rows"):
        data.train_test_split(np.zeros((10, 2)), np.zeros(9))


def test_one_hot():
    labels = np.array([2, 0, 1, 2])
    out = data.one_hot(labels)
    np.testing.assert_array_equal(out, np.eye(3)[labels])
    assert out.dtype == np.float32
    assert data.one_hot(labels, 5, dtype=np.float64).shape == (4, 5)
    np.testing.assert_array_equal(data.one_hot([1.0, 0.0]), [[0, 1], [1, 0]])
    with pytest.raises(ValueError, match="lie in"):
        data.one_hot(labels, 2)
    with pytest.raises(ValueError, match="integer"):
        data.one_hot([0.5, 1.0])
    with pytest.raises(ValueError, match="1-D"):
        data.one_hot(np.zeros((2, 2), dtype=int))


# ----------------------------------------------------------------------------------------------------------
# scaling
# ----------------------------------------------------------------------------------------------------------
def test_standard_scaler_matches_sklearn_and_fits_on_train_only():
    sk = pytest.importorskip("sklearn.preprocessing")
    X, y = data.load_digits(dtype=np.float64)  # has constant (all-zero) pixel columns
    X_train, X_test, _, _ = data.train_test_split(X, y, seed=0)
    ours = data.StandardScaler().fit(X_train)
    ref = sk.StandardScaler().fit(X_train)
    np.testing.assert_allclose(ours.mean_, ref.mean_, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ours.scale_, ref.scale_, rtol=1e-12)
    np.testing.assert_allclose(ours.transform(X_test), ref.transform(X_test), rtol=1e-10, atol=1e-12)
    Z = ours.transform(X_train)
    assert np.isfinite(Z).all()
    constant = X_train.std(axis=0) == 0
    assert constant.any() and np.all(Z[:, constant] == 0)
    np.testing.assert_allclose(Z[:, ~constant].mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(Z[:, ~constant].std(axis=0), 1, rtol=1e-12)
    np.testing.assert_allclose(ours.inverse_transform(ours.transform(X_test)), X_test, atol=1e-12)
    # float32 in, float32 out
    assert data.StandardScaler().fit_transform(X_train.astype(np.float32)).dtype == np.float32
    assert np.all(data.StandardScaler(with_mean=False).fit_transform(X_train)[:, ~constant] >= 0)


def test_min_max_scaler_matches_sklearn():
    sk = pytest.importorskip("sklearn.preprocessing")
    rng = np.random.default_rng(1)
    X_train = rng.normal(3.0, 2.0, size=(200, 4))
    X_train[:, 2] = 5.0  # zero range
    X_test = rng.normal(3.0, 2.0, size=(50, 4))
    for feature_range in [(0.0, 1.0), (-1.0, 1.0)]:
        ours = data.MinMaxScaler(feature_range).fit(X_train)
        ref = sk.MinMaxScaler(feature_range=feature_range).fit(X_train)
        np.testing.assert_allclose(ours.transform(X_test), ref.transform(X_test), rtol=1e-12, atol=1e-12)
        Z = ours.transform(X_train)
        assert np.isfinite(Z).all() and np.all(Z[:, 2] == feature_range[0])
        np.testing.assert_allclose(Z.min(axis=0)[[0, 1, 3]], feature_range[0], atol=1e-12)
        np.testing.assert_allclose(Z.max(axis=0)[[0, 1, 3]], feature_range[1], atol=1e-12)
        np.testing.assert_allclose(ours.inverse_transform(ours.transform(X_test))[:, [0, 1, 3]],
                                   X_test[:, [0, 1, 3]], atol=1e-12)


@pytest.mark.parametrize("Scaler", [data.StandardScaler, data.MinMaxScaler])
def test_scaler_errors(Scaler):
    with pytest.raises(ValueError, match="not fitted"):
        Scaler().transform(np.zeros((2, 2)))
    scaler = Scaler().fit(np.arange(6.0).reshape(3, 2))
    with pytest.raises(ValueError, match="3 features"):
        scaler.transform(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="NaN"):
        Scaler().fit(np.array([[0.0, np.nan], [1.0, 2.0]]))
    with pytest.raises(ValueError, match="reshape"):
        Scaler().fit(np.arange(5.0))


# ----------------------------------------------------------------------------------------------------------
# validation and minibatches
# ----------------------------------------------------------------------------------------------------------
def test_check_finite_and_check_X_y():
    data.check_finite(np.ones((3, 2)), "X")
    data.check_finite(np.array([1, 2]), "labels")
    with pytest.raises(ValueError, match=r"X_train contains NaN or inf: 1 NaN and 1 infinite.*\(1, 0\)"):
        data.check_finite(np.array([[1.0, 2.0], [np.nan, np.inf]]), "X_train")
    X, y = data.check_X_y([[1.0, 2.0], [3.0, 4.0]], [0, 1])
    assert X.shape == (2, 2) and y.shape == (2,)
    with pytest.raises(ValueError, match="same number of rows"):
        data.check_X_y(np.zeros((3, 2)), np.zeros(2))
    with pytest.raises(ValueError, match="dimension"):
        data.check_X_y(np.zeros(3), np.zeros(3))
    with pytest.raises(ValueError, match="y contains"):
        data.check_X_y(np.zeros((2, 1)), np.array([0.0, np.inf]))
    with pytest.raises(ValueError, match="numeric"):
        data.check_X_y(np.array([["a"], ["b"]]), np.zeros(2))


def test_check_integer_names_the_argument_and_the_bound():
    from nnlab.data.validation import check_integer

    assert check_integer(np.int64(3), "n") == 3 and type(check_integer(np.int64(3), "n")) is int
    assert check_integer(0, "seed", 0) == 0
    with pytest.raises(ValueError, match=r"^width must be a positive integer, got 0$"):
        check_integer(0, "width")
    with pytest.raises(ValueError, match=r"^seed must be an integer >= 0, got -1$"):
        check_integer(-1, "seed", 0)
    for bad in (2.0, True, "3", None):
        with pytest.raises(TypeError, match=rf"width must be a positive integer, got {bad!r} of type"):
            check_integer(bad, "width")


def test_iterate_minibatches_covers_every_row_once():
    X = np.arange(103 * 2, dtype=np.float32).reshape(103, 2)
    y = np.arange(103)
    batches = list(data.iterate_minibatches(X, y, 10, rng=0))
    assert [len(b[0]) for b in batches] == [10] * 10 + [3]
    seen = np.concatenate([yb for _, yb in batches])
    assert sorted(seen.tolist()) == list(range(103)) and not np.array_equal(seen, y)
    for Xb, yb in batches:
        np.testing.assert_array_equal(Xb, X[yb])  # rows stay paired
    again = np.concatenate([yb for _, yb in data.iterate_minibatches(X, y, 10, rng=0)])
    np.testing.assert_array_equal(seen, again)
    gen = np.random.default_rng(0)
    epoch1 = np.concatenate([yb for _, yb in data.iterate_minibatches(X, y, 10, rng=gen)])
    epoch2 = np.concatenate([yb for _, yb in data.iterate_minibatches(X, y, 10, rng=gen)])
    np.testing.assert_array_equal(epoch1, seen)
    assert not np.array_equal(epoch1, epoch2)  # a shared Generator gives a new order each epoch
    assert [len(b[0]) for b in data.iterate_minibatches(X, y, 10, rng=0, drop_last=True)] == [10] * 10
    assert data.n_batches(103, 10) == 11 and data.n_batches(103, 10, drop_last=True) == 10


def test_iterate_minibatches_without_shuffle_gives_views():
    X = np.arange(20.0).reshape(10, 2)
    batches = list(data.iterate_minibatches(X, None, 4, shuffle=False))
    assert [b[1] for b in batches] == [None] * 3
    assert all(np.shares_memory(Xb, X) for Xb, _ in batches)
    np.testing.assert_array_equal(np.vstack([Xb for Xb, _ in batches]), X)
    assert len(list(data.iterate_minibatches(X, None, 100))) == 1


@pytest.mark.parametrize("batch_size", [0, -1, 2.5, True])
def test_iterate_minibatches_rejects_bad_batch_size(batch_size):
    with pytest.raises(ValueError, match="batch_size"):
        next(data.iterate_minibatches(np.zeros((4, 1)), np.zeros(4), batch_size))


def test_iterate_minibatches_rejects_mismatched_rows():
    with pytest.raises(ValueError, match="same number of rows"):
        next(data.iterate_minibatches(np.zeros((4, 1)), np.zeros(3), 2))


# ----------------------------------------------------------------------------------------------------------
# IDX reader
# ----------------------------------------------------------------------------------------------------------
def _idx_bytes(array: np.ndarray, type_code: int, big_endian_dtype: str) -> bytes:
    """An IDX file built by hand from the format description (independent of nnlab.data.write_idx)."""
    header = struct.pack(">BBBB", 0, 0, type_code, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(big_endian_dtype).tobytes()


def _write_fake_mnist(directory: Path, n: int, compress: bool, rng, prefix: str = "train") -> tuple:
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=n, dtype=np.uint8)
    for stem, payload in [(f"{prefix}-images-idx3-ubyte", _idx_bytes(images, 0x08, "u1")),
                          (f"{prefix}-labels-idx1-ubyte", _idx_bytes(labels, 0x08, "u1"))]:
        if compress:
            (directory / (stem + ".gz")).write_bytes(gzip.compress(payload))
        else:
            (directory / stem).write_bytes(payload)
    return images, labels


@pytest.mark.parametrize("compress", [False, True])
def test_load_mnist_from_synthetic_idx(tmp_path, rng, compress):
    images, labels = _write_fake_mnist(tmp_path, 7, compress, rng)
    X, y = data.load_mnist(tmp_path)
    assert X.shape == (7, 1, 28, 28) and X.dtype == np.float32 and y.dtype == np.int64
    np.testing.assert_allclose(X[:, 0], images / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(y, labels)
    Xf, _ = data.load_mnist(tmp_path, flatten=True, normalize=False, dtype=np.uint8)
    np.testing.assert_array_equal(Xf, images.reshape(7, 784))
    Xfa, _ = data.load_fashion_mnist(tmp_path, dtype=np.float64)
    np.testing.assert_array_equal(Xfa[:, 0], images / 255.0)
    with pytest.raises(FileNotFoundError, match="t10k-images-idx3-ubyte"):
        data.load_mnist(tmp_path, kind="test")


@pytest.mark.parametrize("code, dtype", [(0x09, ">i1"), (0x0B, ">i2"), (0x0C, ">i4"), (0x0D, ">f4"), (0x0E, ">f8")])
def test_read_idx_types_and_write_idx(tmp_path, rng, code, dtype):
    a = (rng.standard_normal((3, 4, 5)) * 100).astype(dtype)
    (tmp_path / "a.idx").write_bytes(_idx_bytes(a, code, dtype))
    out = data.read_idx(tmp_path / "a.idx")
    np.testing.assert_array_equal(out, a)
    assert out.dtype.isnative and out.flags.writeable
    np.testing.assert_array_equal(data.read_idx(data.write_idx(tmp_path / "b.idx.gz", out)), a)
    assert (tmp_path / "b.idx.gz").read_bytes()[:2] == b"\x1f\x8b"


def test_read_idx_corrupt_files(tmp_path, rng):
    good = _idx_bytes(rng.integers(0, 256, size=(4, 28, 28)).astype(np.uint8), 0x08, "u1")
    cases = {
        "truncated.idx": (good[:-10], "truncated"),
        "header.idx": (good[:9], "truncated or corrupt IDX header"),
        "trailing.idx": (good + b"\x00", "trailing"),
        "magic.idx": (b"\x01\x02" + good[2:], "not an IDX file"),
        "type.idx": (good[:2] + b"\x07" + good[3:], "unknown IDX type"),
        "empty.idx": (b"", "not an IDX file"),
        "truncated.gz": (gzip.compress(good)[:-20], "corrupt gzip"),
        "garbage.gz": (b"\x1f\x8b" + bytes(50), "corrupt gzip"),
        "truncated_inside.gz": (gzip.compress(good[:-5]), "truncated"),
    }
    for name, (payload, message) in cases.items():
        path = tmp_path / name
        path.write_bytes(payload)
        with pytest.raises(ValueError, match=message) as info:
            data.read_idx(path)
        assert name in str(info.value)


def test_load_mnist_missing_and_mismatched(tmp_path, rng):
    with pytest.raises(FileNotFoundError) as info:
        data.load_mnist(tmp_path / "nowhere")
    message = str(info.value)
    assert "nowhere" in message and "does not exist" in message and "train-images-idx3-ubyte.gz" in message
    images = rng.integers(0, 256, size=(5, 28, 28)).astype(np.uint8)
    (tmp_path / "train-images-idx3-ubyte").write_bytes(_idx_bytes(images, 0x08, "u1"))
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(_idx_bytes(np.zeros(4, np.uint8), 0x08, "u1"))
    with pytest.raises(ValueError, match="5 images but .* 4 labels"):
        data.load_mnist(tmp_path)
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(_idx_bytes(np.full(5, 12, np.uint8), 0x08, "u1"))
    with pytest.raises(ValueError, match="0..9"):
        data.load_mnist(tmp_path)
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(_idx_bytes(images, 0x08, "u1"))  # 3-D "labels"
    with pytest.raises(ValueError, match="train-labels-idx1-ubyte.*1-D"):
        data.load_mnist(tmp_path)
    with pytest.raises(ValueError, match="kind"):
        data.load_mnist(tmp_path, kind="validation")


@pytest.mark.skipif(not (MNIST_DIR / "t10k-images-idx3-ubyte.gz").exists() and not (MNIST_DIR / "t10k-images-idx3-ubyte").exists(),
                    reason=f"MNIST IDX files not found in {MNIST_DIR}")
def test_real_mnist():
    X_test, y_test = data.load_mnist(MNIST_DIR, kind="test")
    assert X_test.shape == (10_000, 1, 28, 28) and X_test.dtype == np.float32
    assert y_test.shape == (10_000,) and y_test.min() == 0 and y_test.max() == 9
    assert X_test.min() == 0.0 and X_test.max() == 1.0
    counts = np.bincount(y_test, minlength=10)
    assert counts.min() > 800  # every digit is well represented
    X_train, y_train = data.load_mnist(MNIST_DIR, kind="train", flatten=True)
    assert X_train.shape == (60_000, 784) and y_train.shape == (60_000,)
    assert set(np.unique(y_train)) == set(range(10))


@pytest.mark.skipif(not (FASHION_DIR / "t10k-images-idx3-ubyte.gz").exists(),
                    reason=f"Fashion-MNIST IDX files not found in {FASHION_DIR} (set NNLAB_DATA to their parent)")
def test_real_fashion_mnist_through_the_registry(monkeypatch):
    monkeypatch.setenv("NNLAB_DATA", str(SHARED_DATA))
    fashion = data.get_image_dataset("fashion-mnist")
    assert len(fashion.class_names) == 10 and fashion.class_names[0] == "T-shirt/top"
    assert fashion.class_names[9] == "Ankle boot"
    X, y = data.load_image_dataset("fashion-mnist", "test")           # found through $NNLAB_DATA
    assert X.shape == (10_000, 1, 28, 28) and X.dtype == np.float32 and 0.0 <= X.min() < X.max() <= 1.0
    assert np.bincount(y, minlength=10).tolist() == [1000] * 10   # Fashion-MNIST's test set is balanced
    X_digits, _ = data.load_image_dataset("mnist", "test")
    assert not np.array_equal(X[:10], X_digits[:10])                 # a different data set, not MNIST again


# ----------------------------------------------------------------------------------------------------------
# where the IDX files are looked for
# ----------------------------------------------------------------------------------------------------------
def _clean_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("NNLAB_DATA", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(data.mnist.sys, "platform", "linux")


def test_nnlab_data_then_the_user_data_directory(monkeypatch, tmp_path, rng):
    _clean_environment(monkeypatch, tmp_path)
    assert data.data_home() == tmp_path / "xdg" / "nnlab"
    home = data.data_home() / "fashion-mnist"
    home.mkdir(parents=True)
    images, labels = _write_fake_mnist(home, 4, True, rng)
    X, y = data.load_fashion_mnist()                                  # the user data directory
    np.testing.assert_array_equal(y, labels)
    env = tmp_path / "env"
    (env / "fashion-mnist").mkdir(parents=True)
    _, labels_env = _write_fake_mnist(env / "fashion-mnist", 6, False, rng)
    monkeypatch.setenv("NNLAB_DATA", str(env))
    _, y = data.load_image_dataset("fashion-mnist")                   # $NNLAB_DATA comes first
    np.testing.assert_array_equal(y, labels_env)
    _, y = data.load_fashion_mnist(home)                              # an explicit directory first of all
    np.testing.assert_array_equal(y, labels)
    assert data.dataset_directory("fashion-mnist") == env / "fashion-mnist"
    # the test split is in neither place: the user data directory is where a missing split is reported
    with pytest.raises(FileNotFoundError) as info:
        data.load_fashion_mnist(kind="test")
    assert str(env / "fashion-mnist") in str(info.value) and str(home) in str(info.value)


def test_the_error_lists_the_places_searched_and_the_four_files(monkeypatch, tmp_path):
    _clean_environment(monkeypatch, tmp_path)
    monkeypatch.setenv("NNLAB_DATA", str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError) as info:
        data.load_mnist()
    message = str(info.value)
    for place in (tmp_path / "nowhere" / "mnist", tmp_path / "xdg" / "nnlab" / "mnist"):
        assert str(place) in message
    for name in data.IDX_FILES:
        assert name in message
    assert "NNLAB_DATA" in message and "does not exist" in message


@pytest.mark.parametrize("platform, variable, expected", [
    ("darwin", None, Path("Library") / "Application Support" / "nnlab"),
    ("win32", "LOCALAPPDATA", Path("nnlab")),
])
def test_data_home_on_other_platforms(monkeypatch, tmp_path, platform, variable, expected):
    monkeypatch.setattr(data.mnist.sys, "platform", platform)
    monkeypatch.setattr(data.mnist.Path, "home", classmethod(lambda cls: tmp_path))
    if variable:
        monkeypatch.setenv(variable, str(tmp_path))
    assert data.data_home() == tmp_path / expected


def test_unknown_image_data_set_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"'cifar'.*\['fashion-mnist', 'mnist'\]"):
        data.load_image_dataset("cifar")
    assert data.get_image_dataset("mnist").class_names == tuple("0123456789")
