"""nnlab models to ONNX graphs, built node by node with the ``onnx`` package (no PyTorch needed).

Each export step (see :mod:`nnlab.export._plan`) becomes one or a few ONNX operators:

=============  ===========================================================
nnlab          ONNX
=============  ===========================================================
Dense          Gemm(x, W, b) on 2-d inputs (W stays (in, out)); MatMul + Add otherwise
Conv2D         Conv (weights (out, in, kh, kw); explicit pads, or SAME_UPPER for strided 'same')
MaxPool2D      MaxPool;  AvgPool2D: AveragePool (count_include_pad=1, as nnlab counts the zeros)
Flatten        Flatten(axis=1);  Reshape: Reshape([0, *target]);  NHWCToNCHW: Transpose
Dropout        Dropout in inference mode (the identity)
activations    Sigmoid, Tanh, Relu, LeakyRelu, Elu, Softplus, Softmax(axis), Identity;
               Step (x >= 0) as Cast(Not(Less(x, 0)))
=============  ===========================================================

The batch axis is symbolic ('batch'), so the graph accepts any batch size. The ``onnx``
package is optional (``pip install nnlab[onnx]``) and imported only when these functions run.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from nnlab._files import write_atomically
from nnlab.export._plan import Act, Step, conv_pads, input_shape as infer_input_shape, model_dtype, pair, plan
from nnlab.nn.module import Module

if TYPE_CHECKING:  # pragma: no cover
    import onnx

__all__ = ["to_onnx", "onnx_model", "infer_input_shape", "import_onnx"]

DEFAULT_OPSET = 17
MIN_OPSET = 13  # Softmax over one axis and Dropout without a ratio attribute need opset 13


def import_onnx():
    """The ``onnx`` module, or an ImportError that says how to install it."""
    try:
        import onnx
    except ImportError as exc:
        raise ImportError("exporting to ONNX needs the 'onnx' package; install it with `pip install nnlab[onnx]`"
                          ) from exc
    return onnx


def onnx_model(model: Module, input_shape: Sequence[int | str] | None = None, opset: int = DEFAULT_OPSET,
               dtype: Any = np.float32) -> "onnx.ModelProto":
    """The ONNX model of an nnlab model, shape-inferred and checked with ``onnx.checker``.

    Arguments as for :func:`to_onnx` (``dtype=None``: the model's dtype); nothing is written.
    """
    onnx = import_onnx()
    from onnx import TensorProto, helper

    if int(opset) < MIN_OPSET:
        raise ValueError(f"opset must be at least {MIN_OPSET} (Softmax over one axis), got {opset}")
    steps = plan(model)
    if input_shape is None:
        input_shape = infer_input_shape(model)
        if input_shape is None:
            raise ValueError("cannot tell the input shape from the model's first layer; pass input_shape "
                             "without the batch axis, e.g. input_shape=(1, 28, 28)")
    dtype = model_dtype(model) if dtype is None else np.dtype(dtype)
    elem = {np.dtype(np.float32): TensorProto.FLOAT, np.dtype(np.float64): TensorProto.DOUBLE}.get(dtype)
    if elem is None:
        raise ValueError(f"to_onnx writes float32 or float64 graphs, got dtype {dtype}; pass dtype=np.float32")

    builder = _GraphBuilder(helper, dtype)
    builder.opset = int(opset)
    x, rank = "input", 1 + len(input_shape)
    for step in steps:
        x, rank = builder.add(step, x, rank)
    builder.nodes.append(helper.make_node("Identity", [x], ["output"], name="output"))

    graph = helper.make_graph(
        builder.nodes, "nnlab_model",
        inputs=[helper.make_tensor_value_info("input", elem, ["batch", *input_shape])],
        outputs=[helper.make_tensor_value_info("output", elem, None)],
        initializer=builder.initializers,
    )
    opset_imports = [helper.make_opsetid("", int(opset))]
    proto = helper.make_model(graph, opset_imports=opset_imports, producer_name="nnlab",
                              doc_string=repr(model))
    proto.ir_version = helper.find_min_ir_version_for(opset_imports)  # readable by older runtimes
    # Shape inference fills in the output's shape (and checks every node's types on the way).
    proto = onnx.shape_inference.infer_shapes(proto, check_type=True, strict_mode=True)
    onnx.checker.check_model(proto, full_check=True)
    return proto


def to_onnx(model: Module, path: str | os.PathLike, input_shape: Sequence[int | str] | None = None,
            opset: int = DEFAULT_OPSET, dtype: Any = np.float32) -> Path:
    """Write ``model`` as an ONNX file; predictions of onnxruntime match nnlab's.

    Parameters
    ----------
    model : Module
        A Sequential (or a single layer) of Dense, Conv2D, MaxPool2D, AvgPool2D, Flatten, Reshape,
        NHWCToNCHW, Dropout and activation layers. Dropout is written in inference mode.
    path : str or PathLike
        The file to write (replaced atomically: a temporary file, then ``os.replace``).
    input_shape : sequence of int or str, optional
        Input shape without the batch axis; strings are symbolic sizes. By default taken from the
        first layer: (in_features,) for a Dense, (channels, 'height', 'width') for a Conv2D.
    opset : int
        ONNX operator set version (>= 13).
    dtype : dtype or None
        Data type of the graph (weights, input, output); None: the model's. float32 by default,
        because runtimes implement every operator used here in float32, while onnxruntime has no
        float64 Conv, pooling, Elu or Softplus.

    Returns
    -------
    Path
        ``path``. The graph's input is 'input' of shape ('batch', *input_shape), its output 'output'.

    Raises
    ------
    UnsupportedLayerError
        If a layer has no ONNX equivalent; the message names it and lists the supported ones.
    """
    proto = onnx_model(model, input_shape, opset, dtype)
    import onnx

    return write_atomically(path, lambda tmp: onnx.save_model(proto, tmp))


class _GraphBuilder:
    """Collects nodes and initializers; ``add`` appends one export step and returns its output."""

    def __init__(self, helper, dtype: np.dtype):
        self.helper, self.dtype = helper, dtype
        self.nodes: list = []
        self.initializers: list = []
        self.opset = DEFAULT_OPSET
        self._names: set[str] = set()

    def _unique(self, name: str) -> str:
        base, k = name, 1
        while name in self._names:
            name, k = f"{base}_{k}", k + 1
        self._names.add(name)
        return name

    def constant(self, name: str, value) -> str:
        from onnx import numpy_helper

        name = self._unique(name)
        self.initializers.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def node(self, op: str, inputs: list[str], name: str, **attrs) -> str:
        out = self._unique(f"{name}/{op}")
        self.nodes.append(self.helper.make_node(op, inputs, [out], name=out, **attrs))
        return out

    def add(self, step: Step, x: str, rank: int) -> tuple[str, int]:
        name, layer = step.name or step.kind, step.layer
        if step.kind == "act":
            return self.activation(step.act, x, name), rank
        if step.kind == "dense":
            w = self.constant(f"{name}.weight", layer.weight.numpy().astype(self.dtype))
            b = None if layer.bias is None else self.constant(f"{name}.bias", layer.bias.numpy().astype(self.dtype))
            if rank == 2:
                return self.node("Gemm", [x, w] + ([b] if b else []), name), 2
            z = self.node("MatMul", [x, w], name)
            return (self.node("Add", [z, b], name) if b else z), rank
        if step.kind == "conv":
            w = self.constant(f"{name}.weight", layer.weight.numpy().astype(self.dtype))
            inputs = [x, w] + ([] if layer.bias is None else [
                self.constant(f"{name}.bias", layer.bias.numpy().astype(self.dtype))])
            pads = conv_pads(layer)
            # A strided 'same' convolution pads by an amount that depends on the image size: SAME_UPPER is
            # the same rule (ceil(H / stride) outputs, the extra row/column at the end).
            padding = dict(auto_pad="SAME_UPPER") if pads is None else dict(pads=[pads[0], pads[2], pads[1], pads[3]])
            return self.node("Conv", inputs, name, kernel_shape=list(layer.weight.shape[2:]),
                             strides=list(pair(layer.stride)), **padding), 4
        if step.kind in ("maxpool", "avgpool"):
            p = int(layer.padding)
            attrs = dict(kernel_shape=list(pair(layer.kernel_size)), strides=list(pair(layer.stride)), pads=[p] * 4)
            if step.kind == "maxpool":
                return self.node("MaxPool", [x], name, **attrs), 4
            return self.node("AveragePool", [x], name, count_include_pad=1, **attrs), 4  # as nnlab: zeros count
        if step.kind == "flatten":
            return self.node("Flatten", [x], name, axis=1), 2
        if step.kind == "reshape":  # 0 copies the batch size
            shape = self.constant(f"{name}.shape", np.array([0, *layer.target_shape], dtype=np.int64))
            return self.node("Reshape", [x, shape], name), 1 + len(layer.target_shape)
        if step.kind == "nhwc_to_nchw":
            return self.node("Transpose", [x], name, perm=[0, 3, 1, 2]), 4
        if step.kind == "dropout":
            return self.node("Dropout", [x], name), rank  # no training_mode input: inference, the identity
        if step.kind == "batchnorm":  # inference: the running statistics (as nnlab in evaluation mode)
            state = {k: np.asarray(v, dtype=self.dtype) for k, v in layer.torch_state_dict().items()}
            c = layer.num_features
            scale = state.get("weight", np.ones(c, dtype=self.dtype))
            shift = state.get("bias", np.zeros(c, dtype=self.dtype))
            inputs = [self.constant(f"{name}.{k}", v) for k, v in
                      (("gamma", scale), ("beta", shift), ("running_mean", state["running_mean"]),
                       ("running_var", state["running_var"]))]
            return self.node("BatchNormalization", [x, *inputs], name, epsilon=float(layer.eps)), rank
        if step.kind == "layernorm":
            if self.opset < 17:
                raise ValueError(f"LayerNorm {name!r} needs ONNX opset 17 or later (LayerNormalization), "
                                 f"got opset {self.opset}; pass opset=17")
            shape = layer.normalized_shape
            gamma = layer.gamma.numpy() if layer.elementwise_affine else np.ones(shape)
            beta = layer.beta.numpy() if layer.elementwise_affine else np.zeros(shape)
            inputs = [self.constant(f"{name}.gamma", gamma.astype(self.dtype)),
                      self.constant(f"{name}.beta", beta.astype(self.dtype))]
            return self.node("LayerNormalization", [x, *inputs], name, axis=-len(shape),
                             epsilon=float(layer.eps)), rank
        raise AssertionError(f"unknown export step {step.kind!r}")

    def activation(self, act: Act, x: str, name: str) -> str:
        simple = {"identity": "Identity", "sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "Relu", "softplus": "Softplus"}
        if act.name in simple:
            return self.node(simple[act.name], [x], name)
        if act.name == "leaky_relu":
            return self.node("LeakyRelu", [x], name, alpha=float(act.alpha))
        if act.name == "elu":
            return self.node("Elu", [x], name, alpha=float(act.alpha))
        if act.name == "softmax":
            return self.node("Softmax", [x], name, axis=int(act.axis))
        if act.name == "step":
            # nnlab's heaviside: 1 for x >= 0 (and NaN), 0 for x < 0  ->  Cast(Not(x < 0)).
            from onnx import helper

            zero = self.constant(f"{name}.zero", np.zeros((), dtype=self.dtype))
            negative = self.node("Less", [x, zero], name)
            return self.node("Cast", [self.node("Not", [negative], name)], name,
                             to=helper.np_dtype_to_tensor_dtype(self.dtype))
        raise AssertionError(f"unknown activation {act.name!r}")
