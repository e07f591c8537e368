"""Convolution and pooling on NCHW images, each primitive with its VJPs beside it.

Images are (batch N, channels C, height H, width W); convolution weights are
(out channels O, in channels C, kh, kw), as in PyTorch. Like every deep-learning library,
"convolution" here is cross-correlation:

    y[n, o, i, j] = b[o] + sum_{c, p, q} w[o, c, p, q] * xpad[n, c, i*sh + p, j*sw + q].

It runs as im2col + matrix products: the (C*kh*kw, Ho*Wo) patch matrices of a block of images
are gathered through one strided view (no Python loop over pixels or samples; blocks are sized
to stay in cache), and ``y_n = W_mat @ cols_n`` with ``W_mat`` of shape (O, C*kh*kw).

The convolution is bilinear in (x, w), so its three VJPs form a closed family:

* ``conv2d(x, w)``                  y      (forward)
* ``conv2d_input_grad(g, w)``       dL/dx = "transposed convolution" of g, col2im(W_mat^T g)
* ``conv2d_weight_grad(x, g)``      dL/dw = sum_n g_n cols_n^T

and the VJPs of each one are written with the other two, so gradients of any order work.
Pooling follows the same pattern: ``max_pool2d`` selects one entry per window (the argmax),
its VJP scatters g back to that entry, and the VJP of the scatter is the selection again;
``avg_pool2d`` and its VJP (spreading g / (kh kw) over each window) are each other's adjoints.
"""
from __future__ import annotations

import functools
from typing import Any, Sequence

import numpy as np
from numpy.lib.stride_tricks import as_strided

from nnlab import ops
from nnlab._geometry import output_hw, pair
from nnlab.ops import _lift, _raw
from nnlab.tensor import Tensor

__all__ = [
    "conv2d", "conv2d_input_grad", "conv2d_weight_grad", "max_pool2d", "avg_pool2d", "nhwc_to_nchw",
    "nchw_to_nhwc", "conv_output_shape", "resolve_padding",
]

Pads = tuple  # (top, bottom, left, right)
_pair = functools.partial(pair, low=1)  # kernel sizes and strides: (v, v) or (v0, v1), positive


# --------------------------------------------------------------------------------------------
# Arguments: sizes, strides and paddings
# --------------------------------------------------------------------------------------------
def resolve_padding(padding: Any, input_hw: Sequence[int], kernel_hw: Sequence[int],
                    stride_hw: Sequence[int]) -> Pads:
    """Padding as (top, bottom, left, right).

    ``'valid'`` is no padding. ``'same'`` gives ``ceil(H / stride)`` outputs, padding
    ``max((out - 1) * stride + k - H, 0)`` in total, the smaller half on top/left (as TensorFlow,
    and PyTorch for stride 1). An int pads all sides, a pair (ph, pw) pads each axis
    symmetrically, and a 4-tuple is used as it is.
    """
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0, 0, 0)
        if padding == "same":
            pads = []
            for size, k, s in zip(input_hw, kernel_hw, stride_hw):
                out = -(-size // s)
                total = max((out - 1) * s + k - size, 0)
                pads += [total // 2, total - total // 2]
            return tuple(pads)
        raise ValueError(f"padding must be 'same', 'valid', an int or a pair of ints, got {padding!r}")
    if isinstance(padding, (tuple, list)) and len(padding) == 4:
        pads = tuple(int(p) for p in padding)
    elif isinstance(padding, (int, np.integer)) and not isinstance(padding, bool):
        pads = (int(padding),) * 4
    elif isinstance(padding, (tuple, list)) and len(padding) == 2:
        pads = (int(padding[0]), int(padding[0]), int(padding[1]), int(padding[1]))
    else:
        raise ValueError(f"padding must be 'same', 'valid', an int or a pair of ints, got {padding!r}")
    if min(pads) < 0:
        raise ValueError(f"padding must be non-negative, got {padding!r}")
    return pads


def conv_output_shape(input_hw: Sequence[int], kernel_size: Any, stride: Any = 1, padding: Any = 0) -> tuple[int, int]:
    """(Ho, Wo) = floor((H + pads - k) / s) + 1 per axis."""
    k, s = _pair(kernel_size, "kernel_size"), _pair(stride, "stride")
    return output_hw(input_hw, k, s, resolve_padding(padding, input_hw, k, s))


def _check_image(x, name: str = "x") -> None:
    if not isinstance(_raw(x), np.ndarray):
        raise TypeError(f"{name}: convolution and pooling run on NumPy arrays (they use NumPy stride tricks), "
                        f"got {type(_raw(x)).__name__}; convert the data with np.asarray (CuPy: .get())")
    shape = tuple(_raw(x).shape)
    if len(shape) != 4:
        hint = ""
        if len(shape) == 2:
            hint = ("; flat rows (n, features) must be reshaped to images first, e.g. "
                    "x.reshape(n, 1, 8, 8) for the digits or a Reshape((1, 8, 8)) layer")
        elif len(shape) == 3:
            hint = "; a single image needs a batch axis: x[None]"
        raise ValueError(f"{name} must be a batch of images of shape (N, C, H, W), got shape {shape}{hint}")


def _output_hw(hw, k, s, pads) -> tuple[int, int]:
    ho, wo = output_hw(hw, k, s, pads)
    if ho < 1 or wo < 1:
        raise ValueError(
            f"the window {k} does not fit the input of size {tuple(hw)} with padding {pads}: "
            "use a smaller kernel, more padding (e.g. padding='same') or a larger image"
        )
    return ho, wo


# --------------------------------------------------------------------------------------------
# im2col / col2im: the only places that know about strides in memory
# --------------------------------------------------------------------------------------------
def _pad(x: np.ndarray, pads: Pads, value: float = 0.0) -> np.ndarray:
    if not any(pads):
        return x
    pt, pb, pl, pr = pads
    n, c, h, w = x.shape
    out = np.full((n, c, h + pt + pb, w + pl + pr), value, dtype=x.dtype)
    out[:, :, pt:pt + h, pl:pl + w] = x
    return out


def _crop(xp: np.ndarray, pads: Pads, hw) -> np.ndarray:
    if not any(pads) and tuple(xp.shape[2:]) == tuple(hw):
        return xp
    return xp[:, :, pads[0]:pads[0] + hw[0], pads[2]:pads[2] + hw[1]]


def _patch_view(xp: np.ndarray, k, s, out_hw) -> np.ndarray:
    """A read-only strided view (N, C, kh, kw, Ho, Wo): entry [n, c, p, q, i, j] = xp[n, c, i*sh + p, j*sw + q]."""
    sn, sc, sh, sw = xp.strides
    shape = (*xp.shape[:2], k[0], k[1], out_hw[0], out_hw[1])
    return as_strided(xp, shape, (sn, sc, sh, sw, sh * s[0], sw * s[1]), writeable=False)


def _col2im(cols: np.ndarray, x_shape, k, s, pads) -> np.ndarray:
    """Adjoint of im2col: add every patch entry back to the pixel it came from (a loop over kh*kw only)."""
    n, c, h, w = x_shape
    out_hw = _output_hw((h, w), k, s, pads)
    cols = cols.reshape(n, c, k[0], k[1], out_hw[0], out_hw[1])
    xp = np.zeros((n, c, h + pads[0] + pads[1], w + pads[2] + pads[3]), dtype=cols.dtype)
    hi, wi = s[0] * (out_hw[0] - 1) + 1, s[1] * (out_hw[1] - 1) + 1
    for p in range(k[0]):
        for q in range(k[1]):
            xp[:, :, p:p + hi:s[0], q:q + wi:s[1]] += cols[:, :, p, q]
    return _crop(xp, pads, (h, w))


# --------------------------------------------------------------------------------------------
# Convolution: forward and the two VJPs, on arrays
# --------------------------------------------------------------------------------------------
_BLOCK_ENTRIES = 1 << 18  # patch-matrix entries per block of images (1 MiB in float32): the block stays in cache


def _blocks(n: int, entries_per_image: int) -> list[slice]:
    """Slices of at most max(1, _BLOCK_ENTRIES // entries_per_image) images that cover range(n)."""
    size = max(1, _BLOCK_ENTRIES // max(entries_per_image, 1))
    return [slice(i, min(i + size, n)) for i in range(0, n, size)]


def _conv_raw(x, w, bias, s, pads):
    """y_n = W_mat cols(x_n) + b: im2col and one matrix product per cache-sized block of images.

    Blocking keeps each patch matrix in cache (faster than one huge im2col) and bounds the
    memory of inference on large batches; no patches are kept for the backward pass.
    """
    n, o, k = x.shape[0], w.shape[0], w.shape[2:]
    out_hw = _output_hw(x.shape[2:], k, s, pads)
    xp = _pad(x, pads)
    w_mat = w.reshape(o, -1)
    y = np.empty((n, o, out_hw[0] * out_hw[1]), dtype=np.result_type(x, w))
    for b in _blocks(n, w_mat.shape[1] * out_hw[0] * out_hw[1]):
        cols = _patch_view(xp[b], k, s, out_hw).reshape(b.stop - b.start, w_mat.shape[1], -1)
        np.matmul(w_mat, cols, out=y[b])
        if bias is not None:
            y[b] += bias.reshape(-1, 1)  # while the block is still in cache
    return y.reshape(n, o, *out_hw)


def _input_grad_raw(g, w, input_hw, s, pads):
    """dL/dx = col2im(W_mat^T g_n), a block of images at a time."""
    n, o = g.shape[:2]
    c, (kh, kw) = w.shape[1], w.shape[2:]
    ho, wo = g.shape[2:]
    w_mat_t = w.reshape(o, -1).T
    dtype = np.result_type(g, w)
    if s != (1, 1):
        dx = np.empty((n, c, *input_hw), dtype=dtype)
        for b in _blocks(n, w_mat_t.shape[0] * ho * wo):
            cols = np.matmul(w_mat_t, g[b].reshape(b.stop - b.start, o, -1))
            dx[b] = _col2im(cols, (b.stop - b.start, c, *input_hw), (kh, kw), s, pads)
        return dx
    # Stride 1: give g the padded width Wp (zeros in the extra columns). Then the patch entries
    # of kernel position (p, q) for one image form ONE run of Ho*Wp consecutive pixels of the
    # padded image, starting at p*Wp + q, and col2im adds long runs instead of rows of Wo.
    hp, wp = input_hw[0] + pads[0] + pads[1], input_hw[1] + pads[2] + pads[3]
    g_wide = np.zeros((n, o, ho, wp), dtype=g.dtype)
    g_wide[..., :wo] = g
    plane = hp * wp
    flat = np.zeros(n * c * plane + kw, dtype=dtype)  # a run may overrun its image by < kw zeros
    item = flat.itemsize
    for b in _blocks(n, w_mat_t.shape[0] * ho * wp):
        m = b.stop - b.start
        cols = np.matmul(w_mat_t, g_wide[b].reshape(m, o, ho * wp)).reshape(m, c, kh, kw, ho * wp)
        # runs[p, q] is the run of kernel position (p, q) for every image and channel of the block
        runs = as_strided(flat[b.start * c * plane:], (kh, kw, m, c, ho * wp),
                          (wp * item, item, c * plane * item, plane * item, item))
        for p in range(kh):
            for q in range(kw):
                runs[p, q] += cols[:, :, p, q]
    return _crop(flat[:n * c * plane].reshape(n, c, hp, wp), pads, input_hw)


def _weight_grad_raw(x, g, k, s, pads):
    """dL/dW = sum_n g_n cols(x_n)^T, the patches rebuilt a cache-sized block of images at a time."""
    n, o = g.shape[:2]
    x = x.astype(g.dtype, copy=False)
    out_hw = tuple(g.shape[2:])
    ckk = x.shape[1] * k[0] * k[1]
    xp = _pad(x, pads)
    g = g.reshape(n, o, -1)
    dw = np.zeros((o, ckk), dtype=g.dtype)
    for b in _blocks(n, ckk * out_hw[0] * out_hw[1]):
        cols = _patch_view(xp[b], k, s, out_hw).reshape(b.stop - b.start, ckk, -1)
        dw += np.matmul(g[b], cols.transpose(0, 2, 1)).sum(axis=0)
    return dw.reshape(o, x.shape[1], *k)


def _check_floating(x, name):
    if not np.issubdtype(np.asarray(_raw(x)).dtype, np.floating):
        raise TypeError(f"{name} must hold floating-point numbers, got dtype {_raw(x).dtype}; "
                        "convert it, e.g. x.astype(np.float32)")


def conv2d(x, weight, bias=None, stride: Any = 1, padding: Any = 0):
    """2-D convolution (cross-correlation) of NCHW images, as one fused node.

    Parameters
    ----------
    x : Tensor or ndarray, shape (N, C, H, W)
    weight : Tensor or ndarray, shape (O, C, kh, kw)
    bias : Tensor or ndarray, shape (O,), optional
    stride : int or (sh, sw)
    padding : 'same', 'valid', int, (ph, pw) or (top, bottom, left, right)

    Returns
    -------
    shape (N, O, Ho, Wo) with Ho = floor((H + pad_h - kh) / sh) + 1.

    y = b + W * x;  dL/dx = conv2d_input_grad(g, W),  dL/dW = conv2d_weight_grad(x, g),
    dL/db = sum of g over (N, Ho, Wo).
    """
    _check_image(x, "conv2d input")
    xr, wr = _raw(x), _raw(weight)
    if wr.ndim != 4:
        raise ValueError(f"conv2d weight must have shape (out_channels, in_channels, kh, kw), got {tuple(wr.shape)}")
    if xr.shape[1] != wr.shape[1]:
        raise ValueError(
            f"conv2d: the input has {xr.shape[1]} channels (shape {tuple(xr.shape)}) but the weight expects "
            f"{wr.shape[1]} (shape {tuple(wr.shape)}); images must be NCHW (use nhwc_to_nchw for NHWC data)"
        )
    if bias is not None and tuple(_raw(bias).shape) != (wr.shape[0],):
        raise ValueError(f"conv2d bias must have shape ({wr.shape[0]},), got {tuple(_raw(bias).shape)}")
    _check_floating(x, "conv2d input")
    k, s = tuple(wr.shape[2:]), _pair(stride, "stride")
    pads = resolve_padding(padding, xr.shape[2:], k, s)
    xr = xr.astype(wr.dtype, copy=False) if xr.dtype != wr.dtype else xr
    y = _conv_raw(xr, wr, None if bias is None else _raw(bias), s, pads)
    if not (isinstance(x, Tensor) or isinstance(weight, Tensor) or isinstance(bias, Tensor)):
        return y
    parents = (_lift(x), _lift(weight)) + (() if bias is None else (_lift(bias),))
    return CONV2D.node(y, parents, {"stride": s, "pads": pads})


#: y = b + W * x;  d/dx = conv2d_input_grad(g, W),  d/dW = conv2d_weight_grad(x, g),  d/db = sum of g over (N, Ho, Wo)
CONV2D = ops.Primitive("conv2d", lambda x, w, b=None, *, stride, pads: _conv_raw(x, w, b, stride, pads), [
    lambda g, out, x, w, b=None, *, stride, pads: conv2d_input_grad(g, w, tuple(x.shape[2:]), stride, pads),
    lambda g, out, x, w, b=None, *, stride, pads: conv2d_weight_grad(x, g, tuple(w.shape[2:]), stride, pads),
    lambda g, out, x, w, b, *, stride, pads: ops.sum(g, axis=(0, 2, 3)),
])


def conv2d_input_grad(g, weight, input_size: Sequence[int], stride: Any = 1, padding: Any = 0):
    """dL/dx of ``conv2d``: the transposed convolution col2im(W_mat^T g), g of shape (N, O, Ho, Wo).

    ``input_size`` is (H, W) of x (with strides > 1 it is not determined by g). Linear in g and
    in W;  VJP w.r.t. g: conv2d(gg, W);  w.r.t. W: conv2d_weight_grad(gg, g).
    """
    k, s = tuple(_raw(weight).shape[2:]), _pair(stride, "stride")
    input_hw = (int(input_size[0]), int(input_size[1]))
    pads = resolve_padding(padding, input_hw, k, s)
    data = _input_grad_raw(_raw(g), _raw(weight), input_hw, s, pads)
    if not (isinstance(g, Tensor) or isinstance(weight, Tensor)):
        return data
    return CONV2D_INPUT_GRAD.node(data, (_lift(g), _lift(weight)), {"input_hw": input_hw, "stride": s, "pads": pads})


#: dx = conv2d_input_grad(g, W), linear in g and in W;  d/dg = conv2d(gg, W),  d/dW = conv2d_weight_grad(gg, g)
CONV2D_INPUT_GRAD = ops.Primitive(
    "conv2d_input_grad", lambda g, w, *, input_hw, stride, pads: _input_grad_raw(g, w, input_hw, stride, pads), [
        lambda gg, out, g, w, *, input_hw, stride, pads: conv2d(gg, w, None, stride, pads),
        lambda gg, out, g, w, *, input_hw, stride, pads: conv2d_weight_grad(gg, g, tuple(w.shape[2:]), stride, pads),
    ])


def conv2d_weight_grad(x, g, kernel_size: Any, stride: Any = 1, padding: Any = 0):
    """dL/dW of ``conv2d``: sum_n g_n cols(x_n)^T, of shape (O, C, kh, kw).

    Linear in x and in g;  VJP w.r.t. x: conv2d_input_grad(g, gw);  w.r.t. g: conv2d(x, gw).
    """
    k, s = _pair(kernel_size, "kernel_size"), _pair(stride, "stride")
    xr = _raw(x)
    pads = resolve_padding(padding, xr.shape[2:], k, s)
    data = _weight_grad_raw(xr, _raw(g), k, s, pads)
    if not (isinstance(x, Tensor) or isinstance(g, Tensor)):
        return data
    return CONV2D_WEIGHT_GRAD.node(data, (_lift(x), _lift(g)), {"kernel": k, "stride": s, "pads": pads})


#: dW = conv2d_weight_grad(x, g), linear in x and in g;  d/dx = conv2d_input_grad(g, gw),  d/dg = conv2d(x, gw)
CONV2D_WEIGHT_GRAD = ops.Primitive(
    "conv2d_weight_grad", lambda x, g, *, kernel, stride, pads: _weight_grad_raw(x, g, kernel, stride, pads), [
        lambda gw, out, x, g, *, kernel, stride, pads: conv2d_input_grad(g, gw, tuple(x.shape[2:]), stride, pads),
        lambda gw, out, x, g, *, kernel, stride, pads: conv2d(x, gw, None, stride, pads),
    ])


# --------------------------------------------------------------------------------------------
# Pooling
# --------------------------------------------------------------------------------------------
# Every kernel position (p, q) meets one pixel of every window, and those pixels form the strided
# slice xpad[:, :, p::sh, q::sw] of output shape. Pooling is a loop over the kh*kw positions with
# whole-array operations on these slices: no window copies, no loop over pixels or samples.
def _pool_args(x, kernel_size, stride, padding):
    _check_image(x, "pooling input")
    _check_floating(x, "pooling input")
    k = _pair(kernel_size, "kernel_size")
    s = k if stride is None else _pair(stride, "stride")
    if not isinstance(padding, (int, np.integer)) or isinstance(padding, bool) or padding < 0:
        raise ValueError(f"pooling padding must be a non-negative int, got {padding!r}")
    if 2 * padding > min(k):
        raise ValueError(f"pooling padding ({padding}) must be at most half the kernel size {k}")
    pads = (int(padding),) * 4
    out_hw = _output_hw(_raw(x).shape[2:], k, s, pads)
    return k, s, pads, out_hw


def _positions(k, s, out_hw) -> list:
    """(index p*kw + q, the slice of the padded image that kernel position (p, q) sees), row-major."""
    hi, wi = s[0] * (out_hw[0] - 1) + 1, s[1] * (out_hw[1] - 1) + 1
    return [(p * k[1] + q, (Ellipsis, slice(p, p + hi, s[0]), slice(q, q + wi, s[1])))
            for p in range(k[0]) for q in range(k[1])]


def _scatter_buffer(x_shape, k, s, pads, out_hw, dtype) -> tuple[np.ndarray, bool]:
    """Zeros of the padded input shape (empty when the windows tile it exactly), and whether windows overlap."""
    n, c, h, w = x_shape
    hp, wp = h + pads[0] + pads[1], w + pads[2] + pads[3]
    tiled = s == k and hp == out_hw[0] * k[0] and wp == out_hw[1] * k[1]
    buffer = np.empty((n, c, hp, wp), dtype) if tiled else np.zeros((n, c, hp, wp), dtype)
    return buffer, s[0] < k[0] or s[1] < k[1]


def _max_select(x, choice, k, s, pads):
    """y = the entry of each window that ``choice`` names (a linear map of x);  VJP: _max_scatter(g)."""
    xr = _raw(x)
    xp = _pad(xr, pads)
    data = np.zeros(choice.shape, dtype=xr.dtype)
    for i, window in _positions(k, s, choice.shape[2:]):
        np.copyto(data, xp[window], where=choice == i)
    if not isinstance(x, Tensor):
        return data
    return MAX_SELECT.node(data, (x,), {"choice": choice, "k": k, "s": s, "pads": pads})


def _max_scatter(g, choice, x_shape, k, s, pads):
    """dx = g put at the entry of each window that ``choice`` names, 0 elsewhere;  VJP: _max_select(gg)."""
    gr = _raw(g)
    out_hw = choice.shape[2:]
    dxp, overlap = _scatter_buffer(x_shape, k, s, pads, out_hw, gr.dtype)
    for i, window in _positions(k, s, out_hw):
        if overlap:
            dxp[window] += gr * (choice == i)
        else:
            np.multiply(gr, choice == i, out=dxp[window])
    data = _crop(dxp, pads, x_shape[2:])
    if not isinstance(g, Tensor):
        return data
    return MAX_SCATTER.node(data, (g,), {"choice": choice, "x_shape": x_shape, "k": k, "s": s, "pads": pads})


#: y = the entry of each window that ``choice`` names, a linear map;  d/dx = g put back at those entries
MAX_SELECT = ops.Primitive("max_select", _max_select, [
    lambda g, out, x, choice, k, s, pads: _max_scatter(g, choice, tuple(x.shape), k, s, pads),
])
#: dx = g put at the entry of each window that ``choice`` names;  d/dg = gg at those entries
MAX_SCATTER = ops.Primitive("max_scatter", _max_scatter, [
    lambda gg, out, g, choice, x_shape, k, s, pads: _max_select(gg, choice, k, s, pads),
])


def _max_and_argmax(items: list) -> tuple:
    """Elementwise maximum of the arrays in ``items`` = [(values, index), ...] and the index of the first
    maximal one, by a tournament that keeps the earlier entry on ties (fewer passes than a chain)."""
    while len(items) > 1:
        paired = []
        for (a, ia), (b, ib) in zip(items[0::2], items[1::2]):
            # ia + [b > a] (ib - ia): every index of the later group exceeds those of the earlier one, so
            # the unsigned difference is positive; this is many times faster than where() on random masks.
            later_wins = (b > a).view(np.uint8)
            paired.append((np.maximum(a, b), ia + later_wins * (ib - ia)))
        items = paired + items[len(paired) * 2:]
    return items[0]


def max_pool2d(x, kernel_size: Any, stride: Any = None, padding: int = 0):
    """Maximum over each kh x kw window (stride defaults to the kernel size; padding counts as -inf).

    y[n, c, i, j] = max_{p, q} x[n, c, i*sh + p, j*sw + q];  the gradient goes to the (first)
    maximal entry of each window, as in PyTorch.
    """
    k, s, pads, out_hw = _pool_args(x, kernel_size, stride, padding)
    xr = _raw(x)
    xp = _pad(xr, pads, -np.inf)
    positions = _positions(k, s, out_hw)
    if not isinstance(x, Tensor) or not x.requires_grad:
        data = xp[positions[0][1]].copy()
        for _, window in positions[1:]:
            np.maximum(data, xp[window], out=data)
        return Tensor(data) if isinstance(x, Tensor) else data
    index_type = np.uint8 if len(positions) < 256 else np.int32
    if len(positions) == 1:  # 1x1 windows: each entry is its own maximum
        data = xp[positions[0][1]].copy()
        choice = np.zeros(data.shape, dtype=index_type)
    else:
        data, choice = _max_and_argmax([(xp[window], index_type(i)) for i, window in positions])
    return MAX_SELECT.node(data, (x,), {"choice": choice, "k": k, "s": s, "pads": pads})


def _avg_spread(g, x_shape, k, s, pads):
    """dx of avg_pool2d: g / (kh kw) added to every entry of its window;  VJP: avg_pool2d(gg)."""
    gr = _raw(g)
    share = gr * gr.dtype.type(1.0 / (k[0] * k[1]))
    dxp, overlap = _scatter_buffer(x_shape, k, s, pads, share.shape[2:], gr.dtype)
    for _, window in _positions(k, s, share.shape[2:]):
        if overlap:
            dxp[window] += share
        else:
            dxp[window] = share
    data = _crop(dxp, pads, x_shape[2:])
    if not isinstance(g, Tensor):
        return data
    return AVG_SPREAD.node(data, (g,), {"x_shape": x_shape, "k": k, "s": s, "pads": pads})


#: dx = g / (kh kw) spread over each window, a linear map;  d/dg = avg_pool2d(gg)
AVG_SPREAD = ops.Primitive("avg_spread", _avg_spread, [
    lambda gg, out, g, x_shape, k, s, pads: avg_pool2d(gg, k, s, pads[0]),
])


def avg_pool2d(x, kernel_size: Any, stride: Any = None, padding: int = 0):
    """Mean over each kh x kw window (stride defaults to the kernel size; zero padding is counted).

    y[n, c, i, j] = (1 / (kh kw)) sum_{p, q} x[n, c, i*sh + p, j*sw + q];  VJP: spread g / (kh kw)
    back over each window.
    """
    k, s, pads, out_hw = _pool_args(x, kernel_size, stride, padding)
    xr = _raw(x)
    xp = _pad(xr, pads)
    positions = _positions(k, s, out_hw)
    data = xp[positions[0][1]].copy()
    for _, window in positions[1:]:
        data += xp[window]
    data *= data.dtype.type(1.0 / (k[0] * k[1]))
    if not isinstance(x, Tensor):
        return data
    return AVG_POOL.node(data, (x,), {"kernel_size": k, "stride": s, "padding": pads[0]})


#: y = the mean over each window;  d/dx = g / (kh kw) spread back over each window
AVG_POOL = ops.Primitive("avg_pool2d", avg_pool2d, [
    lambda g, out, x, kernel_size, stride, padding: _avg_spread(g, tuple(x.shape), kernel_size, stride, (padding,) * 4),
])


# --------------------------------------------------------------------------------------------
# Layout helpers
# --------------------------------------------------------------------------------------------
def nhwc_to_nchw(x):
    """(N, H, W, C) images, as TensorFlow/Keras and the lecture store them, to nnlab's (N, C, H, W)."""
    if len(_raw(x).shape) != 4:
        raise ValueError(f"nhwc_to_nchw expects (N, H, W, C) images, got shape {tuple(_raw(x).shape)}")
    return ops.transpose(x, (0, 3, 1, 2))


def nchw_to_nhwc(x):
    """(N, C, H, W) to (N, H, W, C)."""
    if len(_raw(x).shape) != 4:
        raise ValueError(f"nchw_to_nhwc expects (N, C, H, W) images, got shape {tuple(_raw(x).shape)}")
    return ops.transpose(x, (0, 2, 3, 1))
