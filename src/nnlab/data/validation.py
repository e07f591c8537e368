"""The array checks users call on their data; they live in :mod:`nnlab._validation` (the bottom layer)."""
from nnlab._validation import check_array, check_finite, check_integer, check_X_y

__all__ = ["check_finite", "check_X_y", "check_array", "check_integer"]
