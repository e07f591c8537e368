"""``nnlab export MODEL --to onnx|torch``: hand a model saved by nnlab to ONNX or PyTorch.

ONNX: an .onnx graph for onnxruntime and friends (needs ``pip install nnlab[onnx]``).
PyTorch: a ``torch.export`` program (.pt2) that loads without nnlab,
``torch.export.load(path).module()`` (needs ``pip install nnlab[torch]``).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "export a model saved by nnlab (save_model .npz) to ONNX (.onnx) or PyTorch (torch.export .pt2)"

SUFFIX = {"onnx": ".onnx", "torch": ".pt2"}


def _shape(text: str) -> tuple[int, ...]:
    try:
        shape = tuple(int(v) for v in text.replace("x", ",").split(",") if v.strip())
    except ValueError:
        shape = ()
    if not shape or min(shape) < 1:
        raise argparse.ArgumentTypeError(f"--input-shape must be positive integers like 1,28,28, got {text!r}")
    return shape


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", type=Path, help="model file written by nnlab.io.save_model (.npz)")
    parser.add_argument("--to", choices=sorted(SUFFIX), required=True, help="target format")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--output", type=Path, default=None,
                       help="file to write (default: beside MODEL, with suffix .onnx or .pt2)")
    where.add_argument("--output-dir", type=Path, default=None,
                       help="directory to write <model name>.onnx / .pt2 into")
    parser.add_argument("--input-shape", type=_shape, default=None,
                        help="input shape without the batch axis, e.g. 1,28,28 (default: read from the model; "
                             "ONNX keeps image sizes symbolic)")
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float32",
                        help="ONNX only: data type of the graph (default float32; onnxruntime lacks float64 Conv, "
                             "pooling, Elu and Softplus)")
    parser.add_argument("--opset", type=int, default=17, help="ONNX only: operator set version (default 17)")


def output_path(args: argparse.Namespace) -> Path:
    """Where the export goes: --output, else --output-dir/<name><suffix>, else beside the model.

    The command creates the directory it is given (the library's writers never create directories).
    """
    if args.output is not None:
        path = args.output
    elif args.output_dir is not None:
        path = args.output_dir / args.model.with_suffix(SUFFIX[args.to]).name
    else:
        return args.model.with_suffix(SUFFIX[args.to])
    if path.parent.exists() and not path.parent.is_dir():
        raise NotADirectoryError(f"{path.parent} is a file, not a directory; choose another path")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def run(args: argparse.Namespace) -> int:
    from nnlab.io import load_model

    try:
        model = load_model(args.model)
        model.eval()  # exported graphs are for inference: Dropout is the identity
        path = output_path(args)
        if args.to == "onnx":
            from nnlab.export.onnx import to_onnx

            path = to_onnx(model, path, input_shape=args.input_shape, opset=args.opset, dtype=args.dtype)
        else:
            from nnlab.export.torch import save_torch

            path = save_torch(model, path, input_shape=args.input_shape)
    except (ValueError, TypeError, OSError, ImportError) as exc:  # bad file, unsupported layer, missing extra
        print(f"nnlab export: error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.to} model: {path}")
    return 0
