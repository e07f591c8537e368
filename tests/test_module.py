"""The Module base class: calling a module runs its forward, also for subclasses of subclasses."""
import numpy as np

from nnlab import Tensor
from nnlab.nn.layers import Dense
from nnlab.nn.module import Module


class Twice(Module):
    def forward(self, x):
        return x * 2.0


class TwiceThenOne(Twice):
    def forward(self, x):
        return super().forward(x) + 1.0


class Logged(Twice):
    """A subclass with its own __call__ keeps it."""

    def __init__(self):
        self.calls = 0

    def __call__(self, x):
        self.calls += 1
        return self.forward(x)


def test_calling_a_module_runs_its_own_forward():
    x = Tensor(np.array([1.0, 2.0]))
    np.testing.assert_array_equal(Twice()(x).data, [2.0, 4.0])
    np.testing.assert_array_equal(TwiceThenOne()(x).data, [3.0, 5.0])  # the subclass's forward, not the parent's
    layer = Dense(2, 3, rng=0)
    np.testing.assert_array_equal(layer(Tensor(np.ones((1, 2), np.float32))).data,
                                  layer.forward(Tensor(np.ones((1, 2), np.float32))).data)


def test_a_subclass_keeps_its_own_call():
    m = Logged()
    np.testing.assert_array_equal(m(Tensor(np.array([1.0]))).data, [2.0])
    assert m.calls == 1
