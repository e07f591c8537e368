"""Data sets, splitting, scaling, minibatches and the MNIST IDX reader."""
from nnlab.data.batching import iterate_minibatches, n_batches
from nnlab.data.datasets import (
    franke_function, load_breast_cancer, load_digits, make_franke, make_runge, runge_function,
)
from nnlab.data.mnist import (
    FASHION_MNIST_CLASSES, IDX_FILES, IMAGE_DATASETS, MNIST_CLASSES, ImageDataset, data_home, dataset_directory,
    get_image_dataset, load_fashion_mnist, load_image_dataset, load_mnist, read_idx, write_idx,
)
from nnlab.data.preprocessing import one_hot, train_test_split
from nnlab.data.validation import check_array, check_finite, check_X_y

__all__ = [
    "iterate_minibatches", "n_batches",
    "load_digits", "load_breast_cancer", "franke_function", "make_franke", "runge_function", "make_runge",
    "load_mnist", "load_fashion_mnist", "read_idx", "write_idx", "data_home", "dataset_directory", "IDX_FILES",
    "MNIST_CLASSES", "FASHION_MNIST_CLASSES", "ImageDataset", "IMAGE_DATASETS", "get_image_dataset",
    "load_image_dataset",
    "train_test_split", "one_hot", "StandardScaler", "MinMaxScaler",
    "check_finite", "check_array", "check_X_y",
]


def __getattr__(name: str):
    """``StandardScaler`` and ``MinMaxScaler``: scikit-learn's, imported on first use."""
    if name in ("StandardScaler", "MinMaxScaler"):
        from nnlab.data import preprocessing

        return getattr(preprocessing, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
