"""Hand nnlab models over to PyTorch and ONNX (and take PyTorch models back).

``to_torch(model)`` / ``from_torch(module)`` convert to and from ``torch.nn.Sequential``;
``save_torch(model, path)`` writes a ``torch.export`` program that loads without nnlab;
``to_onnx(model, path)`` writes an ONNX graph without needing PyTorch. Both targets are optional
extras (``pip install nnlab[torch]``, ``pip install nnlab[onnx]``), imported only when used.
"""
from nnlab.export._plan import SUPPORTED, UnsupportedLayerError
from nnlab.export.onnx import onnx_model, to_onnx
from nnlab.export.torch import from_torch, save_torch, to_torch

__all__ = ["to_torch", "from_torch", "save_torch", "to_onnx", "onnx_model", "UnsupportedLayerError", "SUPPORTED"]
