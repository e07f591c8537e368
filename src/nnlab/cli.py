"""The ``nnlab`` command: one sub-command per experiment, each in ``nnlab.commands.<name>``.

A command module provides ``HELP`` (one line), ``add_arguments(parser)`` and ``run(args) -> int``.
Modules are imported only when their command runs, so ``nnlab --help`` stays fast.

Bad input ends a command with one line ``nnlab <command>: error: <message>`` on stderr and exit
status 2, whether argparse finds it (an unknown option, a malformed list) or the experiment does (a
ValueError, TypeError or OSError); a diverged training run exits with status 1 the same way. Set
``NNLAB_TRACEBACK=1`` to see the traceback instead.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import Sequence

# name -> module path. Add a line here for each new experiment.
COMMANDS: dict[str, str] = {
    "rnn": "nnlab.commands.rnn",
    "rbm": "nnlab.commands.rbm",
    "rbf": "nnlab.commands.rbf",
    "digits": "nnlab.commands.digits",
    "activations": "nnlab.commands.activations",
    "ode": "nnlab.commands.ode",
    "pde": "nnlab.commands.pde",
    "export": "nnlab.commands.export",
    "grid": "nnlab.commands.grid",
    "compare": "nnlab.commands.compare",
    "cnn": "nnlab.commands.cnn",
    "report": "nnlab.commands.report",
    "vanishing": "nnlab.commands.vanishing",
}


class _Formatter(argparse.HelpFormatter):
    """Shows a one-list option (``--hidden N[,N...]``) with its one value, as it must be written."""

    def _format_args(self, action, default_metavar):
        if getattr(action, "one_comma_list", False):
            return self._metavar_formatter(action, default_metavar)(1)[0]
        return super()._format_args(action, default_metavar)


class Parser(argparse.ArgumentParser):
    """argparse, with an error as one line ``nnlab <command>: error: ...`` (no usage block) and status 2."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {' '.join(message.split())} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The ``nnlab`` parser with one sub-command per entry of :data:`COMMANDS` (imports every command)."""
    parser = Parser(prog="nnlab", description="Neural-network experiments from the lecture.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name, module_path in COMMANDS.items():
        module = importlib.import_module(module_path)
        p = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def _run(run, args: argparse.Namespace) -> int:
    """``run(args)``, with user errors reported on one line of stderr instead of a traceback."""
    try:
        return int(run(args) or 0)
    except Exception as exc:
        from nnlab.train.loop import TrainingDivergedError

        diverged = isinstance(exc, (ArithmeticError, TrainingDivergedError))
        if not (diverged or isinstance(exc, (ValueError, TypeError, OSError))) or os.environ.get("NNLAB_TRACEBACK"):
            raise
        message = " ".join(str(exc).split()) or type(exc).__name__
        print(f"nnlab {args.command}: error: {message}", file=sys.stderr)
        return 1 if diverged else 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``nnlab COMMAND ...`` (``argv`` without the program name; default ``sys.argv[1:]``); the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in COMMANDS and not any(a in ("-h", "--help") for a in argv[:1]):
        # Build only the parser of the command that runs.
        module = importlib.import_module(COMMANDS[argv[0]])
        parser = Parser(prog=f"nnlab {argv[0]}", description=module.HELP)
        module.add_arguments(parser)
        args = parser.parse_args(argv[1:])
        args.command = argv[0]
        return _run(module.run, args)
    args = build_parser().parse_args(argv)
    return _run(args._run, args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
