"""The Tensor and reverse-mode automatic differentiation.

A Tensor wraps an array. Every operation on Tensors (see :mod:`nnlab.ops`) returns a new
Tensor that remembers its parents and, for each parent, the vector-Jacobian product (VJP)
that carries the gradient of the final result back to that parent:

    dL/dparent = vjp(dL/dout, out, *parents)

Backpropagation is one reverse walk over the graph, newest node first, that *adds* the
contributions of every path (the multivariable chain rule); ``backward()`` and :func:`grad`
share it. The VJPs are written with the same differentiable operations as the forward pass, so
when ``create_graph=True`` the backward pass itself builds a graph and can be differentiated
again (gradients of any order). Without it, the VJPs (or the faster array kernels registered
beside them in :mod:`nnlab.ops`' table of primitives) run on plain arrays and build nothing.
"""
from __future__ import annotations

import contextlib
import itertools
import operator
import threading
from heapq import heappop, heappush
from typing import Any, Callable, Sequence

import numpy as np

from nnlab import _backend

__all__ = ["Tensor", "tensor", "grad", "no_grad", "enable_grad", "is_grad_enabled"]

VJP = Callable[..., Any]


class _GradMode(threading.local):
    enabled = True


_mode = _GradMode()
_new = object.__new__
#: creation numbers of graph nodes: a node is always numbered after its parents, so walking the
#: nodes from the highest number down visits every node after all of its consumers
_creation_counter = itertools.count(1)
_data_of = operator.attrgetter("data")
_NUMPY_ARRAYS = (np.ndarray, np.generic)
_NO_CTX: dict = {}  # the parameters of an operation that has none (shared, never written)


def is_grad_enabled() -> bool:
    """Whether operations currently record the graph."""
    return _mode.enabled


@contextlib.contextmanager
def _set_grad_enabled(enabled: bool):
    previous = _mode.enabled
    _mode.enabled = enabled
    try:
        yield
    finally:
        _mode.enabled = previous


def no_grad():
    """Context manager (and decorator) in which operations build no graph; restores the previous mode."""
    return _set_grad_enabled(False)


def enable_grad():
    """Context manager in which operations record the graph again."""
    return _set_grad_enabled(True)


class Tensor:
    """An array that records the operations applied to it, so gradients can flow back.

    Parameters
    ----------
    data : array_like
        The values. Arrays keep their dtype (float32 or float64 for gradients); Python floats
        become float64 and Python ints int64 (as in NumPy) unless ``dtype`` is given.
    requires_grad : bool
        Whether gradients with respect to this tensor are wanted.
    dtype : dtype, optional
        Convert the data to this dtype.

    Notes
    -----
    ``.grad`` holds a plain array (same shape and dtype as ``data``) after ``backward()``;
    treat it as read-only. Use :func:`nnlab.grad` for gradients as Tensors and for higher orders.
    """

    __slots__ = ("data", "requires_grad", "grad", "_parents", "_vjps", "_kernels", "_ctx", "_number", "name",
                 "__weakref__")
    __array_ufunc__ = None  # NumPy defers `ndarray * Tensor` to Tensor; nnlab.ops maps the ufuncs it has
    __hash__ = object.__hash__  # graph bookkeeping keys dicts and sets on the node's identity

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None):
        if isinstance(data, Tensor):
            data = data.data
        array = _backend.asarray(data, dtype=dtype)
        if requires_grad and not _backend.is_floating(array):
            raise TypeError(
                f"only floating-point tensors can require gradients, got dtype {array.dtype}; "
                "pass dtype=np.float64 (or float32)"
            )
        self.data = array
        self.requires_grad = bool(requires_grad)
        self.grad = None
        self._parents: tuple[Tensor, ...] = ()
        self._vjps: tuple[VJP, ...] = ()
        self._kernels: tuple[VJP, ...] = ()
        self._ctx = _NO_CTX
        self._number = 0
        self.name = None

    @classmethod
    def _from_op(cls, data, parents: tuple, vjps: tuple, kernels: tuple | None = None, ctx: dict = _NO_CTX) -> "Tensor":
        """A graph node: the result of an operation on ``parents``, with one VJP rule per parent.

        ``kernels`` are first-order array versions of the rules (the rules themselves when None);
        ``ctx`` holds the operation's parameters, passed to each rule as keyword arguments.
        """
        t = _new(cls)
        t.data, t.grad, t.name = data, None, None
        if _mode.enabled:
            for p in parents:
                if p.requires_grad:
                    t.requires_grad, t._parents, t._number = True, parents, next(_creation_counter)
                    t._vjps, t._kernels, t._ctx = vjps, vjps if kernels is None else kernels, ctx
                    return t
        t.requires_grad, t._parents, t._vjps, t._kernels, t._ctx, t._number = False, (), (), (), _NO_CTX, 0
        return t

    # -- array-like properties -------------------------------------------------------------
    @property
    def shape(self) -> tuple:
        return tuple(self.data.shape)

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return int(self.data.size)

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def is_leaf(self) -> bool:
        return not self._parents

    def __len__(self) -> int:
        return len(self.data)

    def numpy(self) -> np.ndarray:
        """The values as a NumPy array (a copy for non-NumPy backends)."""
        return _backend.to_numpy(self.data)

    def item(self) -> float:
        return self.numpy().item()

    def detach(self) -> "Tensor":
        """The same values, cut from the graph."""
        return Tensor(self.data)

    def requires_grad_(self, flag: bool = True) -> "Tensor":
        if flag and not _backend.is_floating(self.data):
            raise TypeError(f"only floating-point tensors can require gradients, got dtype {self.dtype}")
        self.requires_grad = flag
        return self

    def zero_grad(self) -> None:
        self.grad = None

    def __repr__(self) -> str:
        extra = ", requires_grad=True" if self.requires_grad else ""
        return f"Tensor({np.array2string(self.numpy(), precision=4, threshold=20)}, dtype={self.dtype}{extra})"

    def __bool__(self):
        return bool(self.data)

    def __float__(self):
        return float(self.item())

    # -- autodiff --------------------------------------------------------------------------
    def backward(self, grad_output: Any = None) -> None:
        """Accumulate d(self)/d(leaf) into ``leaf.grad`` for every leaf that requires grad.

        ``grad_output`` is dL/d(self); it may be left out only when self is a scalar.
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward() on a tensor that does not require grad: no input of the computation "
                "was created with requires_grad=True (or it ran inside no_grad())"
            )
        _, leaves = _backpropagate([self], [_seed_gradient(self, grad_output)], create_graph=False)
        handed_out: set[int] = set()
        for leaf, g in leaves.items():
            _add_to_leaf(leaf, g, handed_out)


# Arithmetic and array methods are attached in nnlab.ops, next to the operations they call.


def tensor(data: Any, requires_grad: bool = False, dtype: Any = None) -> Tensor:
    """Create a Tensor (shorthand for ``Tensor(data, requires_grad, dtype)``)."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def _seed_gradient(output: Tensor, grad_output: Any):
    if grad_output is None:
        data = output.data
        if isinstance(data, (np.ndarray, np.generic)) and data.ndim == 0:  # a scalar loss, the usual case
            return np.array(1, dtype=data.dtype)
        if output.size != 1:
            raise RuntimeError(
                f"gradient can be created implicitly only for a scalar output, but the output has "
                f"shape {output.shape}; pass grad_outputs (or backward(grad)) of that shape, or "
                "reduce the output first, e.g. with .sum()"
            )
        data = output.data
        if isinstance(data, (np.ndarray, np.generic)):
            return np.array(1, dtype=data.dtype) if data.ndim == 0 else np.ones(data.shape, dtype=data.dtype)
        return _backend.ones_like(data)
    if isinstance(grad_output, Tensor):
        g = grad_output
    elif _backend.is_numpy(output.data):
        g = _backend.asarray(grad_output, dtype=output.dtype)
    else:  # NumPy gradients for data from another array library move into that library
        g = _backend.astype(_backend.like(_backend.asarray(grad_output), output.data), output.dtype)
    if tuple(g.shape) != output.shape:
        raise ValueError(
            f"grad_output has shape {tuple(g.shape)} but the output has shape {output.shape}; "
            "pass one gradient of the output's shape"
        )
    return g


def _topological_order(roots: Sequence[Tensor]) -> list[Tensor]:
    """Nodes that require grad, parents before children; iterative, so deep graphs are fine."""
    order: list[Tensor] = []
    seen: set[Tensor] = set()
    for root in roots:
        if not root.requires_grad or root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(root._parents))]
        while stack:  # depth-first; a node is appended once all its parents are
            node, parents = stack[-1]
            for parent in parents:
                if parent.requires_grad and parent not in seen:
                    seen.add(parent)
                    stack.append((parent, iter(parent._parents)))
                    break
            else:
                stack.pop()
                order.append(node)
    return order


def _relevant(outputs: Sequence[Tensor], targets: Sequence[Tensor]) -> set:
    """The nodes from which a target can be reached: only they need a VJP call."""
    relevant = set(targets)
    for node in _topological_order(outputs):
        if node not in relevant and any(p in relevant for p in node._parents):
            relevant.add(node)
    return relevant


def _backpropagate(outputs, seeds, create_graph: bool, relevant: set | None = None) -> tuple[dict, dict]:
    """The reverse walk: the chain rule dL/dparent += vjp(dL/dnode) over every edge of the graph.

    A node is created after its parents, so once every node created after it has passed on its
    gradient, the node's own gradient is complete: pending nodes wait on a heap ordered by
    decreasing creation number. With ``create_graph`` the rules run on Tensors and record the
    backward pass; otherwise they (or, on NumPy arrays, their faster kernels, see
    :class:`nnlab.ops.Primitive`) run on plain arrays. Only parents in ``relevant`` (all when
    None) receive a VJP call.

    Returns ({node: gradient} of the non-leaf nodes visited (with ``relevant``), {leaf: gradient}).
    """
    grads: dict[Tensor, Any] = {}
    leaves: dict[Tensor, Any] = {}
    visited: dict[Tensor, Any] = {}
    heap: list = []
    for out, seed in zip(outputs, seeds):
        if create_graph:  # a Tensor seed stays in the graph (derivatives w.r.t. grad_outputs)
            seed = seed if isinstance(seed, Tensor) else Tensor(seed)
        elif isinstance(seed, Tensor):
            seed = seed.data
        outputs_seen = grads if out._parents else leaves
        if out in outputs_seen:  # the same output given twice: its seeds add up
            outputs_seen[out] = outputs_seen[out] + seed
            continue
        outputs_seen[out] = seed
        if out._parents:
            heappush(heap, (-out._number, out))
    previous_mode, _mode.enabled = _mode.enabled, create_graph
    try:
        while heap:
            node = heappop(heap)[1]
            g = grads.pop(node)
            if relevant is not None:  # grad() may ask for this node's gradient
                visited[node] = g
            parents, ctx = node._parents, node._ctx
            if create_graph:
                rules, out, inputs = node._vjps, node, parents
            else:  # kernels are written for NumPy arrays; other array libraries run the rules
                out, inputs = node.data, tuple(map(_data_of, parents))
                rules = node._kernels if isinstance(out, _NUMPY_ARRAYS) else node._vjps
            for parent, rule in zip(parents, rules):
                if not parent.requires_grad or (relevant is not None and parent not in relevant):
                    continue
                contribution = rule(g, out, *inputs, **ctx)
                if not parent._parents:  # a leaf
                    leaves[parent] = leaves[parent] + contribution if parent in leaves else contribution
                elif parent in grads:
                    grads[parent] = grads[parent] + contribution
                else:  # met for the first time: it waits on the heap
                    grads[parent] = contribution
                    heappush(heap, (-parent._number, parent))
    finally:
        _mode.enabled = previous_mode
    return visited, leaves


def _add_to_leaf(leaf: Tensor, g, handed_out: set) -> None:
    """leaf.grad += g, stored as a writable array of the leaf's dtype that no other leaf shares.

    VJPs may pass ``g`` on unchanged (``x + y`` gives both the same array) or as a read-only
    broadcast view; optimisers that update ``.grad`` in place need an array of their own.
    ``handed_out`` holds the ids of the arrays already stored during this backward pass.
    """
    if leaf.grad is not None:
        g = leaf.grad + g
    dtype = leaf.data.dtype
    if isinstance(g, np.ndarray):  # the usual case: a fresh array, kept as it is
        if g.dtype != dtype:
            g = g.astype(dtype)
        elif g.base is not None or id(g) in handed_out:  # a view (maybe read-only) or shared with a leaf
            g = g.copy()
    elif isinstance(g, np.generic):  # NumPy reductions return scalars; .grad is always an array
        g = np.asarray(g, dtype=dtype)
    elif g.dtype != dtype:
        g = _backend.astype(g, dtype)
    elif id(g) in handed_out:
        g = _backend.namespace(g).asarray(g, copy=True)
    handed_out.add(id(g))
    leaf.grad = g


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Any = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple:
    """Gradients of ``outputs`` with respect to ``inputs``, as in ``torch.autograd.grad``.

    Parameters
    ----------
    outputs : Tensor or sequence of Tensors
        What to differentiate. Scalar outputs need no ``grad_outputs``.
    inputs : Tensor or sequence of Tensors
        With respect to what; each must require grad.
    grad_outputs : array_like or sequence, optional
        The vector in the vector-Jacobian product, one per output (ones for scalars).
    create_graph : bool
        Build the graph of the backward pass, so the result can be differentiated again.
    allow_unused : bool
        Return None (instead of raising) for an input the outputs do not depend on.

    Returns
    -------
    tuple of Tensors (or None for unused inputs when ``allow_unused``), one per input.
    """
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    single = isinstance(inputs, Tensor)
    inputs = [inputs] if single else list(inputs)
    if grad_outputs is None or isinstance(grad_outputs, (Tensor, np.ndarray)) or not isinstance(grad_outputs, (list, tuple)):
        grad_outputs = [grad_outputs] * len(outputs) if grad_outputs is None else [grad_outputs]
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"got {len(grad_outputs)} grad_outputs for {len(outputs)} outputs")
    for i, x in enumerate(inputs):
        if not isinstance(x, Tensor):
            raise TypeError(f"inputs[{i}] is a {type(x).__name__}, not a Tensor")
        if not x.requires_grad:
            raise RuntimeError(
                f"inputs[{i}] (shape {x.shape}) does not require grad; create it with requires_grad=True"
            )
    for i, out in enumerate(outputs):
        if not out.requires_grad:
            raise RuntimeError(
                f"outputs[{i}] does not require grad: it does not depend on any input that requires "
                "grad (or it was computed inside no_grad())"
            )
    seeds = [_seed_gradient(o, g) for o, g in zip(outputs, grad_outputs)]
    visited, leaves = _backpropagate(outputs, seeds, create_graph, _relevant(outputs, inputs))
    found = {**visited, **leaves}
    result = []
    for i, x in enumerate(inputs):
        if x not in found:
            if not allow_unused:
                raise RuntimeError(
                    f"inputs[{i}] (shape {x.shape}) does not take part in the graph of the outputs; "
                    "pass allow_unused=True to get None for it"
                )
            result.append(None)
            continue
        g = found[x]
        result.append(g if isinstance(g, Tensor) else Tensor(g))
    return tuple(result)
