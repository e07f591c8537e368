"""Recurrent layers over (batch, time, features) sequences: the Elman ``RNN`` and the ``LSTM``.

A recurrent layer applies the same cell at every time step and carries a hidden state from one
step to the next. The loop over time is unrolled on the engine's operations, so backpropagation
through time (BPTT) is nothing but the engine's reverse walk over the unrolled graph.

Each time step is a handful of primitives (in the engine's table, :data:`nnlab.ops.PRIMITIVES`)
whose derivatives are written with the engine's differentiable operations (so
``grad(..., create_graph=True)`` works through them):

* Elman (1990):  h_t = f(x_t W_ih + h_{t-1} W_hh + b),  f = tanh or relu;
* LSTM (Hochreiter & Schmidhuber 1997, with the forget gate of Gers et al. 2000):
  [i, f, g, o] = [sigma, sigma, tanh, sigma](x_t W_ih + h_{t-1} W_hh + b),
  c_t = f * c_{t-1} + i * g,  h_t = o * tanh(c_t).

Weight layout and PyTorch
-------------------------
Weights multiply from the right, as in :class:`nnlab.nn.Dense`: ``weight_ih`` has shape
(input_size, G * hidden_size), ``weight_hh`` (hidden_size, G * hidden_size) with G = 1 (RNN) or
4 (LSTM, gate blocks in PyTorch's order i, f, g, o), and there is ONE bias of shape (G * hidden,).
PyTorch's ``nn.RNN`` / ``nn.LSTM`` (one layer, ``batch_first=True``) store the transposes and two
biases, so::

    torch weight_ih_l0 = weight_ih.T      torch weight_hh_l0 = weight_hh.T
    torch bias_ih_l0 + bias_hh_l0 = bias  (we export bias_ih_l0 = bias, bias_hh_l0 = 0)

:meth:`RNN.torch_state_dict` and :meth:`RNN.load_torch_state_dict` do this conversion.

GRU and stacking
----------------
The ``GRU`` (Cho et al. 2014, PyTorch's form; see :func:`gru_cell`) keeps PyTorch's two biases, since
b_hn sits inside r * (...). Its layer runs :func:`gru_step` (one table primitive for the gates), tested against the
rule :func:`gru_cell`. ``num_layers`` stacks layers of one class (``layers_above``), PyTorch's
``num_layers`` with weights ``*_l1``, ``*_l2``, ...
"""
from __future__ import annotations

from typing import Any

import numpy as np

from nnlab import ops
from nnlab._backend import namespace
from nnlab.data.validation import check_integer
from nnlab.nn.module import Module, Parameter, as_generator
from nnlab.ops import _product, _raw
from nnlab.tensor import Tensor

__all__ = ["RNN", "LSTM", "GRU", "elman_cell", "lstm_gates", "lstm_cell_state", "lstm_hidden", "gru_cell", "gru_step"]

_NONLINEARITIES = ("tanh", "relu")


# --------------------------------------------------------------------------------------------
# The cells' primitives: forward and derivative side by side.
# --------------------------------------------------------------------------------------------
def _recurrent_affine_raw(x, h, w_ih, w_hh, b):
    z = _product(x, w_ih) + _product(h, w_hh)
    if type(z) is np.ndarray and type(b) is np.ndarray and b.dtype == z.dtype:
        z += b  # in place: the same sum (x W_ih + h W_hh) + b, one array less
        return z
    return z + b


#: z = x W_ih + h W_hh + b;  d/dx = g W_ih^T, d/dh = g W_hh^T, d/dW_ih = x^T g, d/dW_hh = h^T g, d/db = sum_n g
RECURRENT_AFFINE = ops.Primitive("recurrent_affine", _recurrent_affine_raw, [
    lambda g, out, x, h, w_ih, w_hh, b: g @ w_ih.mT,
    lambda g, out, x, h, w_ih, w_hh, b: g @ w_hh.mT,
    lambda g, out, x, h, w_ih, w_hh, b: x.mT @ g,
    lambda g, out, x, h, w_ih, w_hh, b: h.mT @ g,
    lambda g, out, x, h, w_ih, w_hh, b: ops.sum_to(g, tuple(b.shape)),
], kernels=[
    lambda g, out, x, h, w_ih, w_hh, b: g.dot(w_ih.T),
    lambda g, out, x, h, w_ih, w_hh, b: g.dot(w_hh.T),
    lambda g, out, x, h, w_ih, w_hh, b: x.T.dot(g),
    lambda g, out, x, h, w_ih, w_hh, b: h.T.dot(g),
    lambda g, out, x, h, w_ih, w_hh, b: ops._bias_kernel(g, out, x, w_ih, b),
])


def _gate_mask(hidden_size: int) -> np.ndarray:
    """True on the tanh block g of the gate order i, f, g, o."""
    mask = np.zeros(4 * hidden_size, dtype=bool)
    mask[2 * hidden_size:3 * hidden_size] = True
    return mask


def _block(a, k: int, hidden: int):
    return a[:, k * hidden:(k + 1) * hidden]


def _gate_activation_raw(z):
    hidden = z.shape[-1] // 4
    if type(z) is np.ndarray:  # sigma on all four blocks, then tanh on the g block (not both everywhere)
        out = ops.sigmoid(z)
        out[:, 2 * hidden:3 * hidden] = np.tanh(_block(z, 2, hidden))
        return out
    xp = namespace(z)
    return xp.where(_gate_mask(hidden), xp.tanh(z), ops.sigmoid(z))


def _gate_activation_kernel(g, out, z):
    """The rule in place on NumPy arrays: sigma (1 - sigma) everywhere, then 1 - tanh^2 on the g block."""
    hidden = out.shape[-1] // 4
    d = 1.0 - out
    d *= out
    tanh_block = _block(out, 2, hidden)
    _block(d, 2, hidden)[...] = 1.0 - tanh_block * tanh_block
    d *= g
    return d


#: [i, f, g, o] = [sigma, sigma, tanh, sigma](z);  d/dz = g sigma (1 - sigma), or g (1 - tanh^2) on the g block
LSTM_GATE_ACTIVATION = ops.Primitive("lstm_gate_activation", _gate_activation_raw, [
    lambda g, out, z: g * ops.where(_gate_mask(out.shape[-1] // 4), 1.0 - out * out, out * (1.0 - out)),
], kernels=[_gate_activation_kernel])


def _cell_state_raw(gates, c):
    hidden = c.shape[-1]
    return _block(gates, 1, hidden) * c + _block(gates, 0, hidden) * _block(gates, 2, hidden)


def _cell_state_gates_kernel(g, out, gates, c):
    """The four blocks [g' g, g' c, g' i, 0] written in place of a concatenation."""
    hidden = c.shape[-1]
    d = np.empty_like(gates)
    np.multiply(g, _block(gates, 2, hidden), out=_block(d, 0, hidden))
    np.multiply(g, c, out=_block(d, 1, hidden))
    np.multiply(g, _block(gates, 0, hidden), out=_block(d, 2, hidden))
    _block(d, 3, hidden)[...] = 0.0
    return d


#: c' = f * c + i * g from gates [i, f, g, o];  d/dgates = [g' g, g' c, g' i, 0], d/dc = g' f
LSTM_CELL_STATE = ops.Primitive("lstm_cell_state", _cell_state_raw, [
    lambda g, out, gates, c: ops.concatenate([g * _block(gates, 2, c.shape[-1]), g * c,
                                              g * _block(gates, 0, c.shape[-1]), g * 0.0], axis=1),
    lambda g, out, gates, c: g * _block(gates, 1, c.shape[-1]),
], kernels=[_cell_state_gates_kernel])


def _hidden_gates_kernel(g, out, gates, c):
    """Zeros with the o block g' tanh c written in place of a concatenation."""
    d = np.zeros_like(gates)
    np.multiply(g, np.tanh(c), out=_block(d, 3, c.shape[-1]))
    return d


def _hidden_cell_kernel(g, out, gates, c):
    d = np.tanh(c)
    d *= d
    np.subtract(1.0, d, out=d)
    d *= _block(gates, 3, c.shape[-1])
    d *= g
    return d


#: h = o * tanh(c) from gates [i, f, g, o];  d/dgates = [0, 0, 0, g' tanh c], d/dc = g' o (1 - tanh^2 c)
LSTM_HIDDEN = ops.Primitive("lstm_hidden", lambda gates, c: _block(gates, 3, c.shape[-1]) * namespace(c).tanh(c), [
    lambda g, out, gates, c: ops.concatenate([g * 0.0, g * 0.0, g * 0.0, g * ops.tanh(c)], axis=1),
    lambda g, out, gates, c: g * _block(gates, 3, c.shape[-1]) * (1.0 - ops.tanh(c) * ops.tanh(c)),
], kernels=[_hidden_gates_kernel, _hidden_cell_kernel])


def elman_cell(x: Any, h: Any, w_ih: Tensor, w_hh: Tensor, b: Tensor, nonlinearity: str = "tanh") -> Tensor:
    """Elman step h' = f(x W_ih + h W_hh + b), f = tanh or relu."""
    z = RECURRENT_AFFINE(x, h, w_ih, w_hh, b)
    return ops.tanh(z) if nonlinearity == "tanh" else ops.relu(z)


def lstm_gates(x: Any, h: Any, w_ih: Tensor, w_hh: Tensor, b: Tensor) -> Tensor:
    """LSTM gates [i, f, g, o] = [sigma, sigma, tanh, sigma](x W_ih + h W_hh + b)."""
    return LSTM_GATE_ACTIVATION(RECURRENT_AFFINE(x, h, w_ih, w_hh, b))


def lstm_cell_state(gates: Tensor, c: Any) -> Tensor:
    """c' = f * c + i * g from gates [i, f, g, o]."""
    return LSTM_CELL_STATE(gates, c)


def lstm_hidden(gates: Tensor, c: Any) -> Tensor:
    """h = o * tanh(c) from gates [i, f, g, o]."""
    return LSTM_HIDDEN(gates, c)


# --------------------------------------------------------------------------------------------
# Layers
# --------------------------------------------------------------------------------------------
def _to_array(value: Any) -> np.ndarray:
    """A NumPy array from an array or a torch tensor (without importing torch)."""
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    return np.asarray(value)


class _Recurrent(Module):
    """Shared machinery: weights, input checks, the time loop, the PyTorch weight mapping."""

    n_gates = 1

    def __init__(self, input_size: int, hidden_size: int, return_sequences: bool, dtype: Any,
                 rng: np.random.Generator | int | None, num_layers: int = 1):
        self.input_size = check_integer(input_size, f"{type(self).__name__} input_size")
        self.hidden_size = check_integer(hidden_size, f"{type(self).__name__} hidden_size")
        self.return_sequences = bool(return_sequences)
        self.dtype = np.dtype(dtype)
        rng = as_generator(rng)
        # PyTorch's initialisation: every weight and bias U(-k, k), k = 1 / sqrt(hidden_size).
        k = 1.0 / np.sqrt(self.hidden_size)
        width = self.n_gates * self.hidden_size
        self.weight_ih = Parameter(rng.uniform(-k, k, (self.input_size, width)).astype(self.dtype))
        self.weight_hh = Parameter(rng.uniform(-k, k, (self.hidden_size, width)).astype(self.dtype))
        self.bias = Parameter(rng.uniform(-k, k, width).astype(self.dtype))
        self._init_stack(num_layers, rng)

    # -- input handling ----------------------------------------------------------------------
    def _steps(self, x):
        """The inputs of each time step, x_t of shape (batch, features), t = 0 .. T-1."""
        shape = tuple(_raw(x).shape)
        if len(shape) != 3 or shape[2] != self.input_size:
            raise ValueError(
                f"{type(self).__name__} expects input of shape (batch, time, {self.input_size}) "
                f"(batch, time, features), got shape {shape}; reshape a single sequence with x[None] "
                "and a univariate series with x[..., None]"
            )
        if shape[1] < 1:
            raise ValueError(f"{type(self).__name__} got a sequence of length 0 (shape {shape})")
        if isinstance(x, Tensor) and x.requires_grad:
            if x.dtype != self.dtype:
                x = ops.astype(x, self.dtype)
            xs = ops.transpose(x, (1, 0, 2))  # time first, so each step is one contiguous slice
            return [xs[t] for t in range(shape[1])]
        data = _raw(x)
        if isinstance(data, np.ndarray):
            if data.dtype.kind not in "biuf":
                raise TypeError(f"{type(self).__name__} input must be a real numeric array, got dtype {data.dtype}; "
                                "convert it with np.asarray(x, dtype=np.float32)")
            if not np.all(np.isfinite(data)):
                raise ValueError(f"{type(self).__name__} input contains NaN or inf; clean the data first")
            data = np.ascontiguousarray(data.transpose(1, 0, 2), dtype=self.dtype)
            return list(data)
        xs = namespace(data).permute_dims(ops._cast(data, self.dtype), (1, 0, 2))
        return [xs[t] for t in range(shape[1])]

    def _zeros(self, batch: int, like):
        if isinstance(_raw(like), np.ndarray):
            return np.zeros((batch, self.hidden_size), dtype=self.dtype)
        return namespace(_raw(like)).zeros((batch, self.hidden_size), dtype=_raw(like).dtype)

    def _check_state(self, name: str, state, batch: int):
        if tuple(_raw(state).shape) != (batch, self.hidden_size):
            raise ValueError(f"{type(self).__name__} initial state {name} must have shape "
                             f"(batch, hidden_size) = {(batch, self.hidden_size)}, got {tuple(_raw(state).shape)}")
        return state

    def _output(self, hs):
        # the first layer of a stack hands its whole sequence to the next
        return ops.stack(hs, axis=1) if self.return_sequences or self.num_layers > 1 else hs[-1]

    def forward(self, x: Any, state: Any = None) -> Tensor:
        """Run over the sequence; returns (batch, time, hidden) or, without return_sequences, (batch, hidden)."""
        return self.forward_with_state(x, state)[0]

    # -- stacked layers (num_layers) ---------------------------------------------
    # Layer 0 is this module's own weights; layers 1 .. num_layers-1 are one-layer modules of the
    # same class in ``layers_above`` (hidden -> hidden), each fed the whole output sequence of the
    # layer below, as in PyTorch's ``num_layers``. Subclasses write one layer in ``_single_layer``.
    def _init_stack(self, num_layers: int, rng: np.random.Generator) -> None:
        self.num_layers = check_integer(num_layers, f"{type(self).__name__} num_layers")
        self.layers_above = [type(self)(self.hidden_size, self.hidden_size, return_sequences=True, dtype=self.dtype,
                                        rng=rng, **self._cell_config()) for _ in range(self.num_layers - 1)]

    def _cell_config(self) -> dict:
        """Constructor arguments of one layer besides sizes, return_sequences, dtype and rng."""
        return {}

    def forward_with_state(self, x: Any, state: Any = None) -> tuple:
        """(output, final state); with num_layers > 1 each part of the state has shape (num_layers, batch, hidden).

        The state in is None or of the same form as the state out (for one layer: h of shape (batch,
        hidden), for the LSTM the pair (h, c)).
        """
        if self.num_layers == 1:
            return self._single_layer(x, state)
        per_layer = self._split_state(state)
        seq, final = self._single_layer(x, per_layer[0])
        finals = [final]
        for layer, s in zip(self.layers_above, per_layer[1:]):
            seq, final = layer._single_layer(seq, s)
            finals.append(final)
        if isinstance(final, tuple):  # LSTM: (h, c) of each layer -> (h stacked, c stacked)
            joined = tuple(ops.stack([f[i] for f in finals], axis=0) for i in range(len(final)))
            top = final[0]
        else:
            joined, top = ops.stack(finals, axis=0), final
        return (seq if self.return_sequences else top), joined

    def _split_state(self, state: Any) -> list:
        """Per-layer initial states from (num_layers, batch, hidden) arrays (or a tuple of them); None -> Nones."""
        if state is None:
            return [None] * self.num_layers
        parts = state if isinstance(state, (tuple, list)) else (state,)
        for p in parts:
            if len(_raw(p).shape) != 3 or _raw(p).shape[0] != self.num_layers:
                raise ValueError(f"{type(self).__name__} with num_layers={self.num_layers} takes an initial state of "
                                 f"shape (num_layers, batch, hidden_size), got {tuple(_raw(p).shape)}")
        split = [tuple(p[k] for p in parts) for k in range(self.num_layers)]
        return split if isinstance(state, (tuple, list)) else [s[0] for s in split]

    # -- configuration and PyTorch weights ---------------------------------------------------
    def config(self) -> dict:
        """Constructor arguments as a JSON-able dict (weights are saved separately)."""
        stack = {"num_layers": self.num_layers} if self.num_layers > 1 else {}
        return {"input_size": self.input_size, "hidden_size": self.hidden_size,
                "return_sequences": self.return_sequences, "dtype": self.dtype.name, **stack}

    def _layer_torch_state(self, k: int) -> dict[str, np.ndarray]:
        """This one layer's weights under PyTorch's names for layer k."""
        return {
            f"weight_ih_l{k}": np.ascontiguousarray(self.weight_ih.numpy().T),
            f"weight_hh_l{k}": np.ascontiguousarray(self.weight_hh.numpy().T),
            f"bias_ih_l{k}": self.bias.numpy().copy(),
            f"bias_hh_l{k}": np.zeros_like(self.bias.numpy()),
        }

    def _load_layer_torch_state(self, state: dict, k: int) -> dict[str, np.ndarray]:
        """This one layer's state dict (our names) from PyTorch's layer k (the two biases summed)."""
        return {
            "weight_ih": _to_array(state[f"weight_ih_l{k}"]).T,
            "weight_hh": _to_array(state[f"weight_hh_l{k}"]).T,
            "bias": _to_array(state[f"bias_ih_l{k}"]) + _to_array(state[f"bias_hh_l{k}"]),
        }

    def torch_state_dict(self) -> dict[str, np.ndarray]:
        """Weights in PyTorch's layout (``nn.RNN``/``nn.LSTM``/``nn.GRU``, same ``num_layers``), as NumPy arrays.

        Load into torch with ``module.load_state_dict({k: torch.from_numpy(v) for k, v in d.items()})``.
        """
        state = self._layer_torch_state(0)
        for k, layer in enumerate(self.layers_above, start=1):
            state.update(layer._layer_torch_state(k))
        return state

    def load_torch_state_dict(self, state: dict) -> None:
        """Copy weights from PyTorch's layout (tensors or arrays); the two biases are summed (not for GRU)."""
        names = [f"{w}_l{k}" for k in range(self.num_layers) for w in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
        missing = [n for n in names if n not in state]
        if missing:
            raise KeyError(f"torch state dict lacks {missing}; pass the state_dict() of an "
                           f"nn.{type(self).__name__} with num_layers={self.num_layers} (bias=True)")
        ours = self._load_layer_torch_state(state, 0)
        for k, layer in enumerate(self.layers_above, start=1):
            ours.update({f"layers_above.{k - 1}.{n}": v for n, v in layer._load_layer_torch_state(state, k).items()})
        self.load_state_dict(ours)

    def extra_repr(self) -> str:
        layers = f", num_layers={self.num_layers}" if self.num_layers > 1 else ""
        return f"{self.input_size} -> {self.hidden_size}, return_sequences={self.return_sequences}{layers}"


class RNN(_Recurrent):
    """Elman recurrent layer: h_t = f(x_t W_ih + h_{t-1} W_hh + b), h_0 = 0 unless given.

    Parameters
    ----------
    input_size, hidden_size : int
        Features per time step, and size of the hidden state.
    nonlinearity : {'tanh', 'relu'}
        The activation f.
    return_sequences : bool
        Return every hidden state, shape (batch, time, hidden), or only the last, (batch, hidden).
    dtype : dtype
        float32 (default) or float64.
    rng : Generator, int or None
        Source of the initial weights, U(-k, k) with k = 1/sqrt(hidden_size) as in PyTorch.
    num_layers : int
        Stacked layers, each fed the output sequence of the one below (``layers_above``).

    Notes
    -----
    Input: (batch, time, input_size). ``forward(x, state)`` takes an optional h_0 of shape
    (batch, hidden); ``forward_with_state`` also returns the last hidden state.
    """

    def __init__(self, input_size: int, hidden_size: int, nonlinearity: str = "tanh",
                 return_sequences: bool = True, dtype: Any = np.float32,
                 rng: np.random.Generator | int | None = None, num_layers: int = 1):
        if nonlinearity not in _NONLINEARITIES:
            raise ValueError(f"unknown nonlinearity {nonlinearity!r}; choose one of {list(_NONLINEARITIES)}")
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, return_sequences, dtype, rng, num_layers)

    def _cell_config(self) -> dict:
        return {"nonlinearity": self.nonlinearity}

    def _single_layer(self, x: Any, state: Any = None) -> tuple:
        """(output, h_T): the layer's output and the last hidden state."""
        steps = self._steps(x)
        batch = _raw(x).shape[0]
        h = self._zeros(batch, steps[0]) if state is None else self._check_state("h0", state, batch)
        hs = []
        for x_t in steps:
            h = elman_cell(x_t, h, self.weight_ih, self.weight_hh, self.bias, self.nonlinearity)
            hs.append(h)
        return self._output(hs), h

    def config(self) -> dict:
        return {**super().config(), "nonlinearity": self.nonlinearity}

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, nonlinearity={self.nonlinearity}"


class LSTM(_Recurrent):
    """Long short-term memory layer (Hochreiter & Schmidhuber 1997; forget gate: Gers et al. 2000).

    [i, f, g, o] = [sigma, sigma, tanh, sigma](x_t W_ih + h_{t-1} W_hh + b),
    c_t = f * c_{t-1} + i * g,  h_t = o * tanh(c_t),  h_0 = c_0 = 0 unless given.

    Parameters
    ----------
    input_size, hidden_size : int
        Features per time step, and size of the hidden and cell states.
    return_sequences : bool
        Return every h_t, shape (batch, time, hidden), or only the last, (batch, hidden).
    dtype : dtype
        float32 (default) or float64.
    rng : Generator, int or None
        Source of the initial weights, U(-k, k) with k = 1/sqrt(hidden_size) as in PyTorch.
    num_layers : int
        Stacked layers, each fed the output sequence of the one below (``layers_above``).

    Notes
    -----
    ``weight_ih`` (input, 4 hidden), ``weight_hh`` (hidden, 4 hidden) and ``bias`` (4 hidden,) hold
    the gate blocks in PyTorch's order i, f, g, o. ``forward(x, state)`` takes an optional
    (h_0, c_0); ``forward_with_state`` also returns the last (h_T, c_T).
    """

    n_gates = 4

    def __init__(self, input_size: int, hidden_size: int, return_sequences: bool = True,
                 dtype: Any = np.float32, rng: np.random.Generator | int | None = None, num_layers: int = 1):
        super().__init__(input_size, hidden_size, return_sequences, dtype, rng, num_layers)

    def _single_layer(self, x: Any, state: Any = None) -> tuple:
        """(output, (h_T, c_T)): the layer's output and the last hidden and cell states."""
        steps = self._steps(x)
        batch = _raw(x).shape[0]
        if state is None:
            h = c = self._zeros(batch, steps[0])
        else:
            if not isinstance(state, (tuple, list)) or len(state) != 2:
                raise ValueError("LSTM state must be a pair (h0, c0), each of shape (batch, hidden_size)")
            h, c = (self._check_state(n, s, batch) for n, s in zip(("h0", "c0"), state))
        hs = []
        for x_t in steps:
            gates = lstm_gates(x_t, h, self.weight_ih, self.weight_hh, self.bias)
            c = lstm_cell_state(gates, c)
            h = lstm_hidden(gates, c)
            hs.append(h)
        return self._output(hs), (h, c)


# --------------------------------------------------------------------------------------------
# GRU
# --------------------------------------------------------------------------------------------
def gru_cell(x: Any, h: Any, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor, b_hh: Tensor) -> Tensor:
    """One GRU step (Cho et al. 2014, PyTorch's form), written with the engine's differentiable operations.

    [a_r, a_z, a_n] = x W_ih + b_ih,  [c_r, c_z, c_n] = h W_hh + b_hh,
    r = sigma(a_r + c_r),  z = sigma(a_z + c_z),  n = tanh(a_n + r * c_n),
    h' = (1 - z) * n + z * h = n + z * (h - n).
    """
    hidden = _raw(h).shape[-1]
    a = ops.linear(x, w_ih, b_ih)
    c = ops.linear(h, w_hh, b_hh)
    r = ops.sigmoid(a[:, :hidden] + c[:, :hidden])
    z = ops.sigmoid(a[:, hidden:2 * hidden] + c[:, hidden:2 * hidden])
    n = ops.tanh(a[:, 2 * hidden:] + r * c[:, 2 * hidden:])
    return n + z * (h - n)


def _gru_combine_raw(a, c, h):
    """h' from a = x W_ih + b_ih and c = h W_hh + b_hh on arrays; also hands r, z, n to the kernels."""
    hidden = h.shape[-1]
    rz = ops._sigmoid_raw(a[:, :2 * hidden] + c[:, :2 * hidden])
    r, z = rz[:, :hidden], rz[:, hidden:]
    n = namespace(c).tanh(a[:, 2 * hidden:] + r * c[:, 2 * hidden:])
    return n + z * (h - n), {"r": r, "z": z, "n": n}


def _gru_gates(a, c, h):
    """r, z, n of a GRU step in differentiable operations (what the rules differentiate again)."""
    hidden = h.shape[-1]
    rz = ops.sigmoid(a[:, :2 * hidden] + c[:, :2 * hidden])
    r, z = rz[:, :hidden], rz[:, hidden:]
    return r, z, ops.tanh(a[:, 2 * hidden:] + r * c[:, 2 * hidden:])


def _gru_errors(g, a, c, h, r, z, n):
    """(dL/da, dL/dc) of one GRU step from g = dL/dh' and its gates r, z, n:

    dn~ = g (1 - z)(1 - n^2),  dz~ = g (h - n) z (1 - z),  dr~ = dn~ c_n r (1 - r)  (pre-activations);
    dL/da = [dr~, dz~, dn~],  dL/dc = [dr~, dz~, r dn~].
    """
    hidden = h.shape[-1]
    dn = g * (1.0 - z) * (1.0 - n * n)
    dz = g * (h - n) * z * (1.0 - z)
    dr = dn * c[:, 2 * hidden:] * r * (1.0 - r)
    return ops.concatenate([dr, dz, dn], axis=1), ops.concatenate([dr, dz, dn * r], axis=1)


def _gru_errors_kernel(g, c, h, r, z, n):
    """:func:`_gru_errors` on NumPy arrays, written in place of the concatenations."""
    hidden = h.shape[-1]
    da = np.empty_like(c)
    dr, dz, dn = (_block(da, k, hidden) for k in range(3))
    np.multiply(g, 1.0 - z, out=dn)
    dn *= 1.0 - n * n
    np.multiply(g, h - n, out=dz)
    dz *= z * (1.0 - z)
    np.multiply(dn, _block(c, 2, hidden), out=dr)
    dr *= r * (1.0 - r)
    dc = da.copy()
    _block(dc, 2, hidden)[...] *= r
    return da, dc


#: h' = n + z (h - n) from a = x W_ih + b_ih, c = h W_hh + b_hh (see gru_cell); with _gru_errors:
#: d/da = dL/da,  d/dc = dL/dc,  d/dh = g z (the path through c goes back through c's own node)
GRU_COMBINE = ops.Primitive("gru_combine", _gru_combine_raw, [
    lambda g, out, a, c, h, **saved: _gru_errors(g, a, c, h, *_gru_gates(a, c, h))[0],
    lambda g, out, a, c, h, **saved: _gru_errors(g, a, c, h, *_gru_gates(a, c, h))[1],
    lambda g, out, a, c, h, **saved: g * _gru_gates(a, c, h)[1],
], kernels=[
    lambda g, out, a, c, h, r, z, n: _gru_errors_kernel(g, c, h, r, z, n)[0],
    lambda g, out, a, c, h, r, z, n: _gru_errors_kernel(g, c, h, r, z, n)[1],
    lambda g, out, a, c, h, r, z, n: g * z,
], saves=True)


def gru_step(a: Any, h: Any, w_hh: Tensor, b_hh: Tensor) -> Tensor:
    """One GRU step from the input projection a = x W_ih + b_ih: c = h W_hh + b_hh (``ops.linear``),
    then ``GRU_COMBINE`` (one node of the table for the gates and the new state).

    Gives the same h' as :func:`gru_cell` (the tests compare them); the rules are written in
    differentiable operations, so gradients of any order work, and the NumPy kernels reuse the
    forward's r, z, n.
    """
    return GRU_COMBINE(a, ops.linear(h, w_hh, b_hh), h)


class GRU(_Recurrent):
    """Gated recurrent unit layer (Cho et al. 2014), as PyTorch's ``nn.GRU``.

    r = sigma(x_t W_ir + b_ir + h_{t-1} W_hr + b_hr),  z = sigma(x_t W_iz + b_iz + h_{t-1} W_hz + b_hz),
    n = tanh(x_t W_in + b_in + r * (h_{t-1} W_hn + b_hn)),  h_t = (1 - z) * n + z * h_{t-1},  h_0 = 0 unless given.

    The parameters are those of :class:`LSTM` (there is no cell state: the state is h alone).

    Notes
    -----
    ``weight_ih`` (input, 3 hidden), ``weight_hh`` (hidden, 3 hidden) hold the blocks in PyTorch's
    order r, z, n. Unlike the RNN and LSTM the GRU keeps two biases, ``bias`` (the input side) and
    ``bias_hh``, because b_hn sits inside r * (...) and cannot be folded into the other.
    """

    n_gates = 3

    def __init__(self, input_size: int, hidden_size: int, return_sequences: bool = True,
                 dtype: Any = np.float32, rng: np.random.Generator | int | None = None, num_layers: int = 1):
        rng = as_generator(rng)
        super().__init__(input_size, hidden_size, return_sequences, dtype, rng, num_layers)
        k = 1.0 / np.sqrt(self.hidden_size)
        self.bias_hh = Parameter(rng.uniform(-k, k, 3 * self.hidden_size).astype(self.dtype))

    def _single_layer(self, x: Any, state: Any = None) -> tuple:
        """(output, h_T) of this one layer."""
        steps = self._steps(x)
        batch = _raw(x).shape[0]
        h = self._zeros(batch, steps[0]) if state is None else self._check_state("h0", state, batch)
        hs = []
        for x_t in steps:  # gru_step: the same values as gru_cell in fewer nodes (the tests compare them)
            h = gru_step(ops.linear(x_t, self.weight_ih, self.bias), h, self.weight_hh, self.bias_hh)
            hs.append(h)
        return self._output(hs), h

    def _layer_torch_state(self, k: int) -> dict[str, np.ndarray]:
        return {**super()._layer_torch_state(k), f"bias_hh_l{k}": self.bias_hh.numpy().copy()}

    def _load_layer_torch_state(self, state: dict, k: int) -> dict[str, np.ndarray]:
        return {"weight_ih": _to_array(state[f"weight_ih_l{k}"]).T, "weight_hh": _to_array(state[f"weight_hh_l{k}"]).T,
                "bias": _to_array(state[f"bias_ih_l{k}"]), "bias_hh": _to_array(state[f"bias_hh_l{k}"])}
