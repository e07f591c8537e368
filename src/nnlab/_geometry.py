"""Window geometry shared by the convolution primitives, the layers and the exporters (bottom layer).

One definition each of "an int or a pair of ints" and of the output size of a sliding window,
H_out = floor((H + pad_top + pad_bottom - k) / s) + 1 per axis.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

__all__ = ["pair", "output_hw"]


def pair(value: Any, name: str = "value", low: int = 0) -> tuple[int, int]:
    """(v, v) for an int, the pair itself for a pair of ints; each checked to be >= ``low`` (0: paddings; pass 1 for kernel sizes and strides).

    Raises ``TypeError`` naming ``name`` for anything else (bools, floats, other lengths) and
    ``ValueError`` for a value below ``low``, as every check of :mod:`nnlab._validation`.
    """
    def is_int(v: Any) -> bool:
        return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))

    if is_int(value):
        result = (int(value), int(value))
    elif isinstance(value, (tuple, list)) and len(value) == 2 and all(is_int(v) for v in value):
        result = (int(value[0]), int(value[1]))
    else:
        raise TypeError(f"{name} must be an int or a pair of ints, got {value!r}")
    if min(result) < low:
        raise ValueError(f"{name} must be {'positive' if low == 1 else f'>= {low}'}, got {value!r}")
    return result


def output_hw(input_hw: Sequence[int], kernel_hw: Sequence[int], stride_hw: Sequence[int],
              pads: Sequence[int]) -> tuple[int, int]:
    """(H_out, W_out) = floor((H + top + bottom - kh) / sh) + 1, likewise for W; pads = (top, bottom, left, right).

    Pure arithmetic: a result below 1 means the window does not fit, and the caller says so.
    """
    return ((input_hw[0] + pads[0] + pads[1] - kernel_hw[0]) // stride_hw[0] + 1,
            (input_hw[1] + pads[2] + pads[3] - kernel_hw[1]) // stride_hw[1] + 1)
