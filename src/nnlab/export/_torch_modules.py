"""PyTorch modules for the nnlab operations ``torch.nn`` lacks (imported only together with torch).

Exported files do not need these classes: ``torch.export`` traces them into plain torch operations.
"""
from __future__ import annotations

import torch

__all__ = ["Heaviside", "SamePad2d", "NHWCToNCHW"]


class Heaviside(torch.nn.Module):
    """The step function of nnlab's Step layer: 1 for x >= 0, 0 for x < 0 (``ops.heaviside``)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # ~(x < 0) rather than x >= 0 so that NaN maps to 1 exactly as in nnlab.
        return (~(x < 0)).to(x.dtype)


class SamePad2d(torch.nn.Module):
    """Zero padding of a strided 'same' convolution: ceil(H / stride) outputs, the smaller half on top/left.

    The amount depends on the image size, so it is computed in ``forward`` (nnlab's
    ``resolve_padding``; TensorFlow's and ONNX's SAME_UPPER rule). Used before a Conv2d with padding=0.
    """

    def __init__(self, kernel_size: tuple[int, int], stride: tuple[int, int]):
        super().__init__()
        self.kernel_size, self.stride = tuple(kernel_size), tuple(stride)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pads = []
        for axis in (-1, -2):  # F.pad takes the last axis first: (left, right, top, bottom)
            size, k, s = x.shape[axis], self.kernel_size[axis], self.stride[axis]
            total = torch.sym_max((size + s - 1) // s * s - s + k - size, 0)
            pads += [total // 2, total - total // 2]
        return torch.nn.functional.pad(x, pads)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}"


class NHWCToNCHW(torch.nn.Module):
    """Channels-last images (N, H, W, C) to channels-first (N, C, H, W)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.permute(0, 3, 1, 2)
