"""The input checks of nnlab, in one place (bottom layer: NumPy only, importable from every layer).

Every check names the argument, what was expected and what it received. Error types, the same
in every check: ``TypeError`` when the value is of the wrong kind (a float where an integer is
needed, a string where a number is), ``ValueError`` when it is of the right kind but out of range
or holds NaN/inf. ``nnlab.data`` re-exports the array checks for users.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["check_finite", "check_X_y", "check_array", "check_integer", "check_number"]


def check_integer(value: Any, name: str, low: int = 1) -> int:
    """``value`` as an int, checked to be an integer >= ``low`` (sizes, epochs, seeds).

    Raises ``TypeError`` for a non-integer (bools and floats included) and ``ValueError`` below
    ``low``; the message names ``name``.
    """
    expected = "a positive integer" if low == 1 else f"an integer >= {low}"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be {expected}, got {value!r} of type {type(value).__name__}; pass an int")
    if value < low:
        raise ValueError(f"{name} must be {expected}, got {value}")
    return int(value)


def check_number(name: str, value: Any, low: float = -math.inf, high: float = math.inf, *,
                 low_open: bool = False, high_open: bool = False, allow_none: bool = False) -> float | None:
    """``value`` as a Python float after checking ``low <= value <= high`` (open ends where asked).

    Raises ``TypeError`` for something that is not a real number (bools included) and
    ``ValueError`` for NaN or a value outside the interval; ``None`` passes when ``allow_none``.
    """
    if value is None and allow_none:
        return None
    if isinstance(value, (bool, np.bool_, str, bytes)):  # float("0.1") would pass a string
        raise TypeError(f"{name} must be a number, got {value!r} of type {type(value).__name__}")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number, got {value!r} of type {type(value).__name__}") from None
    too_low = v <= low if low_open else v < low
    too_high = v >= high if high_open else v > high
    if math.isnan(v) or too_low or too_high:
        interval = f"{'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
        raise ValueError(f"{name} must lie in {interval}, got {value!r}")
    return v


def check_finite(X: Any, name: str = "X") -> None:
    """Raise ``ValueError`` if the floating array ``X`` holds NaN or infinity.

    The message names the argument, how many bad values there are and where the first one is.
    Integer, boolean and non-numeric arrays cannot hold NaN and pass unchecked.
    """
    a = np.asarray(X)
    if a.dtype.kind not in "fc":
        return
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(a.sum()):  # fast path: one pass, no mask; NaN and inf propagate into the sum
            return
    bad = ~np.isfinite(a)  # the sum may also have overflowed on large finite values: look closely
    if not bad.any():
        return
    first = tuple(int(i) for i in np.argwhere(bad)[0])
    n_nan, n_inf = int(np.isnan(a).sum()), int(np.isinf(a).sum())
    raise ValueError(
        f"{name} contains NaN or inf: {n_nan} NaN and {n_inf} infinite value(s), first at index {first}; "
        f"remove or impute them (e.g. np.nan_to_num) before using {name}"
    )


def check_array(X: Any, name: str = "X", ndim: int | tuple[int, ...] | None = 2,
                dtype: Any = None, finite: bool = True) -> np.ndarray:
    """``X`` as a NumPy array, checked for dimension, numeric dtype and finiteness.

    Parameters
    ----------
    X : array_like
    name : str
        Used in error messages.
    ndim : int, tuple of int or None
        Allowed number of dimensions (None: any).
    dtype : dtype, optional
        Convert to this dtype (no copy when it already has it).
    finite : bool
        Reject NaN and infinity.
    """
    try:
        a = np.asarray(X, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} could not be converted to a numeric array: {exc}") from None
    if a.dtype.kind not in "biufc":
        raise ValueError(f"{name} must be numeric, got an array of dtype {a.dtype}; convert it with np.asarray(..., float)")
    if a.dtype.kind == "c":
        raise ValueError(f"{name} must be real, got an array of dtype {a.dtype}; pass {name}.real or np.abs({name})")
    allowed = (ndim,) if isinstance(ndim, int) else ndim
    if allowed is not None and a.ndim not in allowed:
        hint = " (use X.reshape(-1, 1) for a single feature)" if a.ndim == 1 and 2 in allowed else ""
        raise ValueError(f"{name} must have {' or '.join(map(str, allowed))} dimension(s), "
                         f"got shape {a.shape}{hint}")
    if finite:
        check_finite(a, name)
    return a


def check_X_y(X: Any, y: Any, X_ndim: int | tuple[int, ...] | None = 2, dtype: Any = None,
              finite: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """``(X, y)`` as arrays with the same number of rows, X of ``X_ndim`` dimensions, both finite.

    ``y`` may be 1-D (labels or a single target) or 2-D (one-hot rows or several targets).
    """
    X = check_array(X, "X", ndim=X_ndim, dtype=dtype, finite=finite)
    y = check_array(y, "y", ndim=(1, 2), finite=finite)
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"X and y must have the same number of rows, got X with {X.shape[0]} and y with "
                         f"{y.shape[0]}")
    return X, y
