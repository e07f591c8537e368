"""One HTML page with the lecture's experiments: figures, numbers and the command behind each.

``build_report(output_dir, mode='quick')`` runs every section of :mod:`nnlab.report.sections`
(activation functions, the perceptron on XOR, digits, the eta x lambda grid, the comparison with
scikit-learn/PyTorch/Keras, CNN filters, vanishing gradients, RBM samples, ODE and PDE solvers),
writes each section's figures under ``output_dir/<section>/`` and one self-contained
``output_dir/index.html`` with the figures inlined, plus ``report.json`` with every number. A
section that fails is shown with its error; the others are unaffected.
"""
from __future__ import annotations

import json
import platform
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from nnlab.report._core import MODES, Context, Figure, SectionResult, SectionSpec, Table, Unavailable, run_section
from nnlab.report.sections import SECTION_NAMES, get_section

__all__ = ["build_report", "Report", "SECTION_NAMES", "MODES", "SectionSpec", "SectionResult", "Context",
           "Figure", "Table", "Unavailable", "run_section"]


@dataclass
class Report:
    """What :func:`build_report` wrote: the page, the per-section results and the total time."""

    path: Path
    sections: list[tuple[SectionSpec, SectionResult]]
    seconds: float

    @property
    def failed(self) -> list[str]:
        """Keys of the sections that raised an error."""
        return [spec.key for spec, result in self.sections if result.error]

    @property
    def unavailable(self) -> list[str]:
        """Keys of the sections that could not run here (missing module or optional library)."""
        return [spec.key for spec, result in self.sections if result.unavailable]


def _json_value(value):
    if isinstance(value, (str, bool, int, type(None))):
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


def _summary(report_sections, mode: str, seconds: float) -> dict:
    return {
        "mode": mode, "seconds": seconds,
        "sections": {
            spec.key: {"title": spec.title, "command": spec.command, "seconds": result.seconds,
                       "status": "error" if result.error else "unavailable" if result.unavailable else "ok",
                       "error": result.error, "unavailable": result.unavailable,
                       "numbers": {k: _json_value(v) for k, v in result.numbers.items()},
                       "tables": [{"caption": t.caption, "columns": t.columns,
                                   "rows": [[_json_value(c) for c in row] for row in t.rows]} for t in result.tables],
                       "figures": [str(f.path) for f in result.figures]}
            for spec, result in report_sections},
    }


def build_report(output_dir: str | Path, mode: str = "quick", sections: Sequence[str] | None = None,
                 seed: int = 0, progress=None) -> Report:
    """Run the report's sections and write ``index.html`` (self-contained) and ``report.json``.

    Parameters
    ----------
    output_dir : path
        Created if needed; each section writes its figures into ``output_dir/<key>/``.
    mode : {'full', 'quick', 'smoke'}
        'full' runs the lecture's settings (about three minutes on two cores), 'quick' short
        versions (under a minute), 'smoke' a few seconds per section (for tests).
    sections : sequence of str, optional
        Keys of the sections to run (default: all of ``SECTION_NAMES``, in that order).
    seed : int
        Seed of every experiment.
    progress : callable, optional
        Called as ``progress(key, result)`` after each section (the command prints a line).

    Returns
    -------
    Report
        ``.path`` of index.html, ``.sections`` [(spec, result)], ``.seconds``, ``.failed``.
    """
    from nnlab.report.html import render_page

    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    keys = list(SECTION_NAMES if sections is None else sections)
    specs = [get_section(k) for k in keys]  # unknown keys fail here, before anything runs
    root = Path(output_dir)
    root.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    done = []
    for spec in specs:
        result = run_section(spec, Context(root / spec.key, mode=mode, seed=seed))
        done.append((spec, result))
        if progress is not None:
            progress(spec.key, result)
    seconds = time.perf_counter() - start
    meta = (f"Generated {time.strftime('%Y-%m-%d %H:%M')} in {seconds:.0f} s, mode '{mode}', seed {seed}, "
            f"Python {platform.python_version()} on {platform.machine()}. Every figure is embedded in this file.")
    page = root / "index.html"
    page.write_text(render_page(done, "nnlab: the lecture's experiments", meta), encoding="utf-8")
    (root / "report.json").write_text(json.dumps(_summary(done, mode, seconds), indent=1) + "\n", encoding="utf-8")
    return Report(page, done, seconds)
