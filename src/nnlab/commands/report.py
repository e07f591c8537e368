"""``nnlab report``: run the lecture's experiments and write one self-contained HTML page.

Writes ``index.html`` (every figure embedded, no network needed to view it), ``report.json``
(the numbers of every section) and each section's figures under ``<output-dir>/<section>/``.
A section that fails is rendered with its error and the others still run; the exit status is
then 1 (0 when every section ran or was only unavailable, e.g. an optional library missing).
"""
from __future__ import annotations

import argparse
import sys

from nnlab.commands._common import add_output_dir, output_dir

HELP = "run the lecture's experiments and write one HTML report (index.html) with figures and numbers"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from nnlab.report import SECTION_NAMES

    speed = parser.add_mutually_exclusive_group()
    speed.add_argument("--quick", action="store_true", help="short runs: the whole report in under two minutes")
    speed.add_argument("--smoke", action="store_true", help="a few seconds per section (used by the tests)")
    parser.add_argument("--sections", nargs="+", choices=SECTION_NAMES, default=None, metavar="SECTION",
                        help=f"only these sections (default: all of {', '.join(SECTION_NAMES)})")
    parser.add_argument("--seed", type=int, default=0, help="seed of every experiment (default: 0)")
    add_output_dir(parser, "report")


def run(args: argparse.Namespace) -> int:
    from nnlab.report import build_report

    mode = "smoke" if args.smoke else "quick" if args.quick else "full"
    out = output_dir(args)

    def progress(key, result):
        status = "error" if result.error else "not available" if result.unavailable else "ok"
        print(f"  {key:<12} {status:<14} {result.seconds:6.1f} s", file=sys.stderr, flush=True)

    report = build_report(out, mode=mode, sections=args.sections, seed=args.seed, progress=progress)
    n = len(report.sections)
    ok = n - len(report.failed) - len(report.unavailable)
    print(f"report: {report.path} ({ok}/{n} sections ok, {len(report.failed)} failed, "
          f"{len(report.unavailable)} not available, {report.seconds:.0f} s)")
    if report.failed:
        print(f"nnlab report: sections failed: {', '.join(report.failed)} (their errors are in the page)",
              file=sys.stderr)
        return 1
    return 0
