"""Where array functions come from: NumPy for NumPy arrays, the array API namespace otherwise.

The engine asks :func:`namespace` for the module of the arrays it holds, so the same
operations run on NumPy, on ``array-api-strict`` (in the tests) and on CuPy (on a GPU).
"""
from __future__ import annotations

from typing import Any

import numpy as np

_NUMPY_TYPES = (np.ndarray, np.generic, float, int, bool)


def namespace(*arrays: Any):
    """The array namespace of ``arrays``: ``numpy`` itself on the fast path."""
    for a in arrays:
        if not isinstance(a, _NUMPY_TYPES):
            import array_api_compat

            return array_api_compat.array_namespace(*[x for x in arrays if not isinstance(x, _NUMPY_TYPES)])
    return np


def is_numpy(data: Any) -> bool:
    """Whether ``data`` is a NumPy array or scalar (or a Python number): the fast path."""
    return isinstance(data, _NUMPY_TYPES)


def dtype_in(xp, dtype: Any):
    """``dtype`` as a dtype of namespace ``xp`` (``np.float32`` becomes ``xp.float32``)."""
    if xp is np or dtype is None or not isinstance(dtype, (type, np.dtype, str)):
        return dtype
    return getattr(xp, np.dtype(dtype).name)


def asarray(data: Any, dtype: Any = None):
    """An array from ``data``: NumPy unless ``data`` already belongs to another array library."""
    if isinstance(data, _NUMPY_TYPES) or isinstance(data, (list, tuple)):
        return np.asarray(data, dtype=dtype)
    xp = namespace(data)
    return xp.asarray(data, dtype=dtype_in(xp, dtype)) if dtype is not None else data


def like(array: Any, reference: Any):
    """``array`` moved into the array library (and onto the device) of ``reference``.

    NumPy constants (labels, masks, indices) thus meet CuPy or array-api-strict data; arrays
    that already belong to another library, and NumPy references, are returned unchanged.
    """
    if isinstance(reference, _NUMPY_TYPES) or not isinstance(array, (np.ndarray, np.generic)):
        return array
    import array_api_compat

    return namespace(reference).asarray(array, device=array_api_compat.device(reference))


def astype(array: Any, dtype: Any):
    """``array`` converted to ``dtype`` in its own library."""
    if isinstance(array, np.ndarray):
        return array.astype(dtype)
    return namespace(array).astype(array, dtype)


def is_floating(array: Any) -> bool:
    """Whether ``array`` holds real floating-point numbers."""
    if isinstance(array, np.ndarray):
        return np.issubdtype(array.dtype, np.floating)
    xp = namespace(array)
    return xp.isdtype(array.dtype, "real floating")


def ones_like(array: Any) -> Any:
    """Ones of ``array``'s shape and dtype, in its library."""
    return namespace(array).ones_like(array)


def zeros_like(array: Any) -> Any:
    """Zeros of ``array``'s shape and dtype, in its library."""
    return namespace(array).zeros_like(array)


def to_numpy(array: Any) -> np.ndarray:
    """A NumPy copy of any array (CuPy via ``.get()``, others via DLPack or ``np.asarray``)."""
    if isinstance(array, np.ndarray):
        return array
    if hasattr(array, "get"):
        return array.get()
    try:
        return np.from_dlpack(array)
    except Exception:  # noqa: BLE001 - fall back for libraries without DLPack export
        return np.asarray(array)
