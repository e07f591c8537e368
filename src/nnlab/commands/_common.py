"""Helpers shared by the sub-commands: the one grammar of their options and the output directory.

Lists are one option with commas: ``--hidden 100,50`` (two hidden layers), ``--activations
sigmoid,relu``. Other spellings (``--hidden 100 --hidden 50``, ``--hidden 100 50``) are refused
with an error that names the right form.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Sequence


def hidden_sizes(text: str) -> tuple[int, ...]:
    """``'100,50'`` -> (100, 50): hidden layer widths, comma-separated integers (argparse type).

    Widths below 1 pass here and are refused by the experiment's check, which names the option.
    """
    try:
        sizes = tuple(int(v) for v in text.split(",") if v.strip())
    except ValueError:
        sizes = ()
    if not sizes:
        raise argparse.ArgumentTypeError(f"expected comma-separated layer widths like 50 or 100,50, got {text!r}")
    return sizes


class _OneCommaList(argparse.Action):
    """Stores one comma-separated list; refuses the option given twice or followed by several values."""

    one_comma_list = True  # nnlab.cli's help shows the option with one value

    def __call__(self, parser, namespace, values, option_string=None):
        raw = [",".join(map(str, v)) for v in values]
        if len(values) > 1:
            parser.error(f"{option_string} takes one comma-separated list: write {option_string} {','.join(raw)}, "
                         f"not {option_string} {' '.join(raw)}")
        if getattr(namespace, f"_{self.dest}_given", None) is not None:
            before = getattr(namespace, f"_{self.dest}_given")
            parser.error(f"{option_string} is given once, with commas: write {option_string} {before},{raw[0]}, "
                         f"not {option_string} {before} {option_string} {raw[0]}")
        setattr(namespace, f"_{self.dest}_given", raw[0])
        setattr(namespace, self.dest, values[0])


def add_hidden(parser: argparse.ArgumentParser, default: Sequence[int] | None) -> None:
    """Add ``--hidden 100,50``: the hidden layer widths as one comma-separated option."""
    shown = ",".join(map(str, default)) if default else "the problem's own"
    parser.add_argument("--hidden", type=hidden_sizes, nargs="+", action=_OneCommaList, default=default,
                        metavar="N[,N...]", help=f"hidden layer widths, comma-separated, e.g. 100,50 (default: {shown})")


def comma_names(choices: Sequence[str] | None = None, example: str = "sigmoid,relu"):
    """An argparse type for a comma-separated list of names (from ``choices`` when given)."""
    def parse(text: str) -> list[str]:
        names = [v.strip() for v in text.split(",") if v.strip()]
        bad = [n for n in names if choices is not None and n not in choices]
        if not names or bad:
            allowed = f"from {', '.join(choices)} " if choices is not None else f"like {example} "
            raise argparse.ArgumentTypeError(f"expected comma-separated names {allowed}, got {text!r}")
        return names
    return parse


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


def print_result(result) -> int:
    """Print an experiment's Result (its headline, then its other lines); the exit status 0."""
    print(result.printed())
    return 0
