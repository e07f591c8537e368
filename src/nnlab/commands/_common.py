"""Helpers shared by the sub-commands: the ``--output-dir`` option and the output directory it names."""
from __future__ import annotations

import argparse
import time
from pathlib import Path


def add_output_dir(parser: argparse.ArgumentParser, command: str) -> None:
    """Add ``--output-dir`` (default: a fresh folder ``runs/<command>-<time>`` under the working directory)."""
    parser.add_argument("--output-dir", type=Path, default=None,
                        help=f"where plots, tables and models go (default: runs/{command}-<date-time>)")
    parser.set_defaults(_command_name=command)


def output_dir(args: argparse.Namespace) -> Path:
    """The output directory of this run, created if needed."""
    path = args.output_dir
    if path is None:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        path = Path("runs") / f"{args._command_name}-{stamp}"
        k = 1
        while path.exists():
            path = Path("runs") / f"{args._command_name}-{stamp}-{k}"
            k += 1
    if path.exists() and not path.is_dir():
        raise NotADirectoryError(f"--output-dir {path} is a file, not a directory; choose another path")
    path.mkdir(parents=True, exist_ok=True)
    return path
