"""scikit-learn's scalers, refusing NaN and infinity (scikit-learn passes NaN through as a missing value).

Only the check is nnlab's; the statistics, ``transform``, ``inverse_transform``, ``get_params`` and
everything else are scikit-learn's own.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from sklearn import preprocessing

from nnlab._validation import check_finite

__all__ = ["StandardScaler", "MinMaxScaler"]


class _Finite:
    """Refuse NaN/inf where scikit-learn would let it through silently (fit and transform)."""

    def partial_fit(self, X: Any, *args, **kwargs):
        check_finite(np.asarray(X), "X")
        return super().partial_fit(X, *args, **kwargs)

    def transform(self, X: Any, *args, **kwargs):
        check_finite(np.asarray(X), "X")
        return super().transform(X, *args, **kwargs)


class StandardScaler(_Finite, preprocessing.StandardScaler):
    """scikit-learn's ``StandardScaler`` (z = (x - mean) / std, fitted on the training set), refusing NaN/inf."""


class MinMaxScaler(_Finite, preprocessing.MinMaxScaler):
    """scikit-learn's ``MinMaxScaler`` (x' = lo + (x - min)(hi - lo)/(max - min)), refusing NaN/inf."""
