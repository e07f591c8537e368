"""MNIST and Fashion-MNIST from their IDX files (gzip or raw), read by our own parser.

Where the files are looked for (the first place that holds them wins):

1. the ``directory`` argument, when given (then only there);
2. ``$NNLAB_DATA/<name>``, where ``<name>`` is ``mnist`` or ``fashion-mnist``;
3. the user data directory :func:`data_home` ``/<name>``: ``$XDG_DATA_HOME/nnlab`` or
   ``~/.local/share/nnlab`` on Linux, ``~/Library/Application Support/nnlab`` on macOS,
   ``%LOCALAPPDATA%\\nnlab`` on Windows.

Each directory holds the four files ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
``t10k-images-idx3-ubyte`` and ``t10k-labels-idx1-ubyte``, each raw or gzipped (``.gz``).

IDX format (LeCun et al.): a 4-byte magic number ``0x00 0x00 <type> <ndim>``, then ``ndim`` big-endian
uint32 sizes, then the data in C order, big-endian. Type codes: 0x08 uint8, 0x09 int8, 0x0B int16,
0x0C int32, 0x0D float32, 0x0E float64. MNIST images have magic 0x00000803 (uint8, 3-D), labels 0x00000801.
"""
from __future__ import annotations

import gzip
import os
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

__all__ = ["read_idx", "write_idx", "load_mnist", "load_fashion_mnist", "data_home", "dataset_directory",
           "IDX_FILES", "MNIST_CLASSES", "FASHION_MNIST_CLASSES", "ImageDataset", "IMAGE_DATASETS",
           "get_image_dataset", "load_image_dataset"]

#: The four files of an MNIST-like data set (each may also end in ``.gz``).
IDX_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
MNIST_CLASSES = tuple(str(d) for d in range(10))
#: Fashion-MNIST's labels 0..9 (Xiao, Rasul and Vollgraf 2017).
FASHION_MNIST_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                         "Ankle boot")

_IDX_TYPES = {0x08: np.dtype(">u1"), 0x09: np.dtype(">i1"), 0x0B: np.dtype(">i2"), 0x0C: np.dtype(">i4"),
              0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}
_GZIP_MAGIC = b"\x1f\x8b"


def _parse_idx(raw: bytes, path: Path) -> np.ndarray:
    if len(raw) < 4 or raw[:2] != b"\x00\x00":
        raise ValueError(f"{path} is not an IDX file: it must start with two zero bytes, found "
                         f"{raw[:4].hex() or 'an empty file'}")
    if raw[2] not in _IDX_TYPES:
        raise ValueError(f"{path}: unknown IDX type code 0x{raw[2]:02x} in magic number 0x{raw[:4].hex()}; "
                         f"valid codes are {', '.join(f'0x{c:02x}' for c in _IDX_TYPES)}")
    dtype, ndim = _IDX_TYPES[raw[2]], raw[3]
    header = 4 + 4 * ndim
    if ndim == 0 or len(raw) < header:
        raise ValueError(f"{path}: truncated or corrupt IDX header (magic 0x{raw[:4].hex()} announces {ndim} "
                         f"dimension(s), file has {len(raw)} bytes)")
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    found = len(raw) - header
    if found != expected:
        problem = "truncated" if found < expected else "corrupt (trailing bytes)"
        raise ValueError(f"{path} is {problem}: shape {shape} of {dtype.name} needs {expected} data bytes, "
                         f"found {found}; download the file again")
    data = np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)
    return data.astype(dtype.newbyteorder("="))  # native byte order, writable copy


def read_idx(path: str | Path) -> np.ndarray:
    """The array stored in an IDX file, gzip-compressed (detected from its content) or raw.

    Raises ``FileNotFoundError`` for a missing file and ``ValueError`` naming the file for a
    truncated or corrupt one (bad gzip stream, bad magic number, size not matching the header).
    """
    path = Path(path)
    if not path.is_file():
        what = "a directory" if path.is_dir() else "missing"
        raise FileNotFoundError(f"no IDX file at {path} ({what}); give the path of an IDX file such as "
                                "train-images-idx3-ubyte.gz")
    raw = path.read_bytes()
    if raw[:2] == _GZIP_MAGIC:
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise ValueError(f"{path} is a truncated or corrupt gzip file ({exc}); download it again") from None
    return _parse_idx(raw, path)


def write_idx(path: str | Path, array: Any) -> Path:
    """Write ``array`` as an IDX file (gzip-compressed when ``path`` ends in .gz); returns the path."""
    path = Path(path)
    a = np.asarray(array)
    codes = {dt.newbyteorder("="): code for code, dt in _IDX_TYPES.items()}
    code = codes.get(a.dtype.newbyteorder("="))
    if code is None or a.ndim == 0 or a.ndim > 255:
        raise ValueError(f"IDX stores 1..255-D arrays of {sorted(str(d) for d in codes)}, got {a.ndim}-D {a.dtype}")
    payload = (bytes([0, 0, code, a.ndim]) + np.asarray(a.shape, dtype=">u4").tobytes()
               + np.ascontiguousarray(a, dtype=_IDX_TYPES[code]).tobytes())
    path.write_bytes(gzip.compress(payload) if path.suffix == ".gz" else payload)
    return path


def data_home() -> Path:
    """The user data directory of nnlab (it need not exist): ``$XDG_DATA_HOME/nnlab`` or
    ``~/.local/share/nnlab`` on Linux, ``~/Library/Application Support/nnlab`` on macOS,
    ``%LOCALAPPDATA%\\nnlab`` on Windows."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = str(Path.home() / "Library" / "Application Support")
    else:
        base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "nnlab"


def _has_split(directory: Path, prefix: str) -> bool:
    return all(any((directory / (stem + ext)).is_file() for stem in stems for ext in (".gz", ""))
               for stems in _stems(prefix))


def _stems(prefix: str) -> list[list[str]]:
    return [[f"{prefix}-images-idx3-ubyte", f"{prefix}-images.idx3-ubyte"],
            [f"{prefix}-labels-idx1-ubyte", f"{prefix}-labels.idx1-ubyte"]]


def dataset_directory(name: str, directory: str | Path | None = None, kind: str = "train") -> Path:
    """The directory the IDX files of data set ``name`` ('mnist', 'fashion-mnist') are read from.

    ``directory`` when given; otherwise the first of ``$NNLAB_DATA/<name>`` and
    ``data_home()/<name>`` that holds the files of ``kind`` ('train' or 'test'). Raises
    FileNotFoundError listing the places searched and the four file names when none does.
    """
    if kind not in ("train", "test"):
        raise ValueError(f"kind must be 'train' or 'test', got {kind!r}")
    if directory is not None:
        return Path(directory)
    places = []
    if os.environ.get("NNLAB_DATA"):
        places.append(("$NNLAB_DATA", Path(os.environ["NNLAB_DATA"]) / name))
    places.append(("the user data directory", data_home() / name))
    prefix = "train" if kind == "train" else "t10k"
    for _, place in places:
        if _has_split(place, prefix):
            return place
    searched = "; ".join(f"{place} ({label}{'' if place.is_dir() else ', does not exist'})" for label, place in places)
    raise FileNotFoundError(
        f"{name}: the {kind} files were not found. Searched: {searched}. Put the four IDX files "
        f"{', '.join(IDX_FILES)} (each raw or .gz) into {places[-1][1]}, or set NNLAB_DATA to a directory holding "
        f"{name}/ with them, or pass the directory explicitly (directory=..., or --data-dir on the command line).")


def _find(directory: Path, stems: list[str], dataset: str) -> Path:
    """The first existing file among ``stems`` with or without .gz."""
    names = [s + ext for s in stems for ext in (".gz", "")]
    for name in names:
        if (directory / name).is_file():
            return directory / name
    where = (f"directory {directory}" if directory.is_dir() else
             f"{directory}, which is a file, not a directory," if directory.exists() else
             f"directory {directory} (which does not exist)")
    raise FileNotFoundError(f"{dataset}: no {stems[0]} file in {where}; expected one of {names}. "
                            f"Download the four IDX files {', '.join(IDX_FILES)} (gzip or raw) into that "
                            f"directory, or leave the directory out to use $NNLAB_DATA or {data_home()}.")


def _load_idx_pair(directory: str | Path | None, kind: str, normalize: bool, flatten: bool, dtype: Any,
                   dataset: str) -> tuple[np.ndarray, np.ndarray]:
    directory = dataset_directory(IMAGE_DATASET_NAMES[dataset], directory, kind)
    prefix = "train" if kind == "train" else "t10k"
    image_stems, label_stems = _stems(prefix)
    image_path = _find(directory, image_stems, dataset)
    label_path = _find(directory, label_stems, dataset)
    images, labels = read_idx(image_path), read_idx(label_path)
    if images.ndim != 3 or images.dtype != np.uint8:
        raise ValueError(f"{image_path}: expected 3-D uint8 images (magic 0x00000803), got {images.ndim}-D {images.dtype}")
    if labels.ndim != 1 or labels.dtype != np.uint8:
        raise ValueError(f"{label_path}: expected 1-D uint8 labels (magic 0x00000801), got {labels.ndim}-D {labels.dtype}")
    if images.shape[0] != labels.shape[0]:
        raise ValueError(f"{image_path} holds {images.shape[0]} images but {label_path} holds {labels.shape[0]} labels")
    if labels.size and labels.max() > 9:
        raise ValueError(f"{label_path}: labels must lie in 0..9, found {int(labels.max())}")
    dtype = np.dtype(dtype)
    if normalize and dtype.kind != "f":
        raise ValueError(f"normalize=True scales pixels to [0, 1] and needs a float dtype, got {dtype}; "
                         f"pass normalize=False for raw 0..255 values")
    n, h, w = images.shape
    X = images.reshape(n, h * w) if flatten else images.reshape(n, 1, h, w)
    X = X.astype(dtype)
    if normalize:
        X /= dtype.type(255)
    return X, labels.astype(np.int64)


def load_mnist(directory: str | Path | None = None, kind: str = "train", normalize: bool = True,
               flatten: bool = False, dtype: Any = np.float32) -> tuple[np.ndarray, np.ndarray]:
    """MNIST handwritten digits from its four IDX files.

    Expects ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte`` and
    ``t10k-labels-idx1-ubyte``, each raw or with ``.gz``.

    Parameters
    ----------
    directory : path, optional
        Where the files are; by default ``$NNLAB_DATA/mnist``, then ``data_home()/mnist``
        (see :func:`dataset_directory`; the error lists the places searched).
    kind : 'train' (60 000 images) or 'test' (10 000)
    normalize : bool
        Scale pixels from 0..255 to [0, 1].
    flatten : bool
        Return rows of 784 pixels instead of images.
    dtype : dtype
        Of the returned images (float32 by default).

    Returns
    -------
    X : ndarray of shape (n, 1, 28, 28) (NCHW), or (n, 784) when ``flatten``
    y : ndarray of shape (n,), int64 labels 0..9
    """
    return _load_idx_pair(directory, kind, normalize, flatten, dtype, "MNIST")


def load_fashion_mnist(directory: str | Path | None = None, kind: str = "train", normalize: bool = True,
                       flatten: bool = False, dtype: Any = np.float32) -> tuple[np.ndarray, np.ndarray]:
    """Fashion-MNIST (Zalando): same IDX files, names and shapes as :func:`load_mnist`; labels 0..9 name
    the clothing classes :data:`FASHION_MNIST_CLASSES`. By default from ``$NNLAB_DATA/fashion-mnist``,
    then ``data_home()/fashion-mnist``."""
    return _load_idx_pair(directory, kind, normalize, flatten, dtype, "Fashion-MNIST")


@dataclass(frozen=True)
class ImageDataset:
    """An MNIST-like image data set: its directory name, title, loader and class names."""

    name: str
    title: str
    loader: Callable[..., tuple[np.ndarray, np.ndarray]]
    class_names: tuple[str, ...]

    def load(self, kind: str = "train", directory: str | Path | None = None, **kwargs: Any
             ) -> tuple[np.ndarray, np.ndarray]:
        """``(X, y)`` of ``kind`` ('train' or 'test'); ``kwargs`` as :func:`load_mnist`."""
        return self.loader(directory, kind, **kwargs)


IMAGE_DATASETS: dict[str, ImageDataset] = {
    "mnist": ImageDataset("mnist", "MNIST", load_mnist, MNIST_CLASSES),
    "fashion-mnist": ImageDataset("fashion-mnist", "Fashion-MNIST", load_fashion_mnist, FASHION_MNIST_CLASSES),
}
IMAGE_DATASET_NAMES = {d.title: d.name for d in IMAGE_DATASETS.values()}


def get_image_dataset(name: str) -> ImageDataset:
    """The registered image data set ``name`` ('mnist' or 'fashion-mnist'); ValueError listing them otherwise."""
    try:
        return IMAGE_DATASETS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown image data set {name!r}; choose one of {sorted(IMAGE_DATASETS)}") from None


def load_image_dataset(name: str, kind: str = "train", directory: str | Path | None = None, **kwargs: Any
                       ) -> tuple[np.ndarray, np.ndarray]:
    """``(X, y)`` of the image data set ``name`` ('mnist', 'fashion-mnist') and ``kind`` ('train', 'test'):
    X of shape (n, 1, 28, 28) float32 in [0, 1] (``kwargs`` as :func:`load_mnist`), y int64 labels 0..9,
    read from ``directory`` or found as :func:`dataset_directory` says."""
    return get_image_dataset(name).load(kind, directory, **kwargs)
