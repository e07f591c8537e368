"""nnlab.gradcheck itself: it passes correct derivatives and catches wrong ones of each order."""
from __future__ import annotations

import numpy as np
import pytest

import nnlab
from nnlab import Tensor, ops
from nnlab.ops import _raw, node


def sin_with_wrong_gradient(x):
    return node(np.sin(x.data), (x,), (lambda g, out, x: g * 1.01 * ops.cos(x),))


def sin_first_order_only(x):
    """Correct first derivative, but written on raw arrays: its second derivative is lost."""
    return node(np.sin(x.data), (x,), (lambda g, out, x: g * np.cos(_raw(x)),))


def test_correct_derivatives_pass(rng):
    report = nnlab.gradcheck(lambda a, b: ops.tanh(a @ b) * ops.sum(a), [rng.standard_normal((2, 3)), rng.standard_normal((3, 2))])
    assert report.ok and set(report.errors) == {1, 2}
    assert report.max_error < 1e-8
    assert "passed" in str(report) and bool(report)


def test_wrong_first_derivative_fails(rng):
    report = nnlab.gradcheck(sin_with_wrong_gradient, [rng.standard_normal(4)])
    assert not report.ok and report.errors[1] > 1e-3
    with pytest.raises(AssertionError, match="FAILED"):
        nnlab.gradcheck(sin_with_wrong_gradient, [rng.standard_normal(4)], raise_on_failure=True)


def test_first_order_only_rule_fails_at_order_two(rng):
    x = rng.standard_normal(4)
    assert nnlab.gradcheck(sin_first_order_only, [x], order=1).ok
    report = nnlab.gradcheck(sin_first_order_only, [x], order=2)
    assert report.errors[1] < 1e-8 and report.errors[2] > 1e-2 and not report.ok


def test_accepts_tensors_and_lists_and_unused_inputs(rng):
    report = nnlab.gradcheck(lambda a, b: a * 2.0, [Tensor(rng.standard_normal(3)), [1.0, 2.0]])
    assert report.ok


def test_float32_inputs_are_checked_in_float64(rng):
    x = rng.standard_normal(3).astype(np.float32)
    assert nnlab.gradcheck(ops.exp, [x]).ok


def test_order_must_be_one_or_two():
    with pytest.raises(ValueError, match="order must be 1 or 2"):
        nnlab.gradcheck(ops.exp, [np.ones(2)], order=3)
