"""Sparse input for the MLP estimators: the first layer's product X W with X a SciPy sparse matrix.

Sparse input meets the network in its first layer only: z^1 = X W^1 + b^1 is a sparse-dense
product whose result is dense, and the backpropagation equation of that layer,
dC/dW^1 = X^T delta^1, is a sparse^T-dense product. The engine's ``ops.linear`` already computes
both for a constant input whose data is a sparse matrix (``x @ W`` and ``x.T.dot(g)``; no
gradient with respect to X is asked for), so the matrix is never densified as a whole: each
batch selects its rows of the CSR matrix and only the batch's (rows, hidden) product is dense.

:func:`nnlab.train.fit` and :func:`nnlab.train.predict` take dense arrays, so the estimators
hand them the *row numbers* as a one-column array and put :class:`SparseRowsInput` in front of
the rest of the network: it looks the rows up and applies the network's own first layer (the
same weight and bias Tensors, so training the adapter trains ``network_``).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from nnlab.nn.container import Sequential
from nnlab.nn.module import Module
from nnlab.ops import node

__all__ = ["SparseRowsInput", "sparse_input_model"]


class SparseRowsInput(Module):
    """The first Dense layer applied to rows of a sparse matrix chosen by their row numbers.

    forward(i) = f(X[i] W + b) for the (batch, 1) column i of row numbers, with W, b and f those
    of ``dense``. The layer's parameters are its only parameters here (``dense`` itself is not
    a child, so W and b are counted once).
    """

    def __init__(self, matrix: Any, dense: Module):
        self.matrix = matrix.tocsr()  # CSR: selecting rows is cheap
        self.weight, self.bias = dense.weight, dense.bias
        self._first_layer = dense.forward  # a bound method, not a child module

    def forward(self, rows):
        index = np.asarray(rows.data)[:, 0].astype(np.intp)
        return self._first_layer(node(self.matrix[index], (), ()))


def sparse_input_model(network: Sequential, matrix: Any, dtype: np.dtype) -> tuple[Sequential, np.ndarray]:
    """(model, row numbers): ``network`` with its first layer reading rows of ``matrix``, and the
    (n_samples, 1) column 0, 1, ..., n - 1 that selects every row (split it to select fewer)."""
    matrix = matrix.astype(dtype, copy=False)
    model = Sequential(SparseRowsInput(matrix, network[0]), *network.layers[1:])
    return model, np.arange(matrix.shape[0], dtype=np.float64).reshape(-1, 1)
