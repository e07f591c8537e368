"""What a report section is, and how one is run so that its failure never stops the report.

A section is a function ``run(ctx) -> SectionResult`` in :mod:`nnlab.report.sections`; it calls an
experiment's ``run(config) -> Result`` (the same function its command calls) with its output in
``ctx.directory`` and lays out the Result (:func:`section_from`): figures with captions, numbers,
tables. It never reads what a command printed. :func:`run_section` times it and turns any
exception (a missing optional library, a module not installed, a bug) into a rendered error.
"""
from __future__ import annotations

import importlib
import time
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from nnlab.experiments.result import Result, Table  # the report's tables are the experiments' tables

__all__ = ["MODES", "Context", "Figure", "Table", "SectionResult", "SectionSpec", "Unavailable", "require",
           "run_section", "section_from"]

#: How long the experiments run: 'full' as the lecture, 'quick' (the report's --quick, < 2 minutes
#: on 2 cores in all), 'smoke' (a few seconds a section: the test of the page).
MODES = ("full", "quick", "smoke")


class Unavailable(RuntimeError):
    """A section cannot run here (a module or optional library is missing); rendered as a note, not a bug."""


def require(module: str, what: str = ""):
    """Import ``module`` or raise :class:`Unavailable` naming it (and what it is needed for)."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        need = f" (needed for {what})" if what else ""
        raise Unavailable(f"{module} is not available{need}: {exc}") from exc


@dataclass
class Context:
    """What a section receives: where to write, how long to run, which seed."""

    directory: Path
    mode: str = "quick"
    seed: int = 0

    def pick(self, settings: dict[str, dict]) -> dict:
        """The entry of ``settings`` ({'full': {...}, 'quick': {...}, 'smoke': {...}}) for this mode."""
        return dict(settings[self.mode])

    def path(self, name: str) -> Path:
        """A file in this section's directory (created on first use)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        return self.directory / name


@dataclass
class Figure:
    """A PNG written by a section, with its caption."""

    path: Path
    caption: str = ""


@dataclass
class SectionResult:
    """The figures, numbers and tables a section produced (or the error that stopped it)."""

    figures: list[Figure] = field(default_factory=list)
    numbers: dict[str, Any] = field(default_factory=dict)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    unavailable: str | None = None
    seconds: float = 0.0


@dataclass
class SectionSpec:
    """A section of the report: its key, title, what it shows, its command and its function."""

    key: str
    title: str
    summary: str
    command: str
    run: Callable[[Context], SectionResult]
    lecture: str = ""
    docs: str = ""


def run_section(spec: SectionSpec, ctx: Context) -> SectionResult:
    """Run one section, timing it; an exception becomes ``result.error`` (its last lines of traceback).

    :class:`Unavailable` becomes ``result.unavailable``; the first few distinct warnings raised
    while the section ran are kept as notes.
    """
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = spec.run(ctx)
            if not isinstance(result, SectionResult):
                raise TypeError(f"section {spec.key!r} returned {type(result).__name__}, expected SectionResult")
            missing = [str(f.path) for f in result.figures if not Path(f.path).is_file()]
            if missing:
                raise FileNotFoundError(f"section {spec.key!r} lists figures that were not written: {missing}")
        except Unavailable as exc:
            result = SectionResult(unavailable=str(exc))
        except Exception as exc:  # noqa: BLE001 - a failing section is reported, never fatal
            lines = traceback.format_exception(type(exc), exc, exc.__traceback__)
            result = SectionResult(error=f"{type(exc).__name__}: {exc}\n\n" + "".join(lines[-6:]).rstrip())
    seen = []
    for w in caught:
        text = f"{w.category.__name__}: {w.message}"
        if text not in seen and not issubclass(w.category, (DeprecationWarning, PendingDeprecationWarning)):
            seen.append(text)
    result.notes.extend(f"warning: {t}" for t in seen[:3])
    result.seconds = time.perf_counter() - start
    return result


def section_from(result: Result, captions: dict[str, str], numbers: dict[str, Any] | None = None,
                 notes: Sequence[str] = ()) -> SectionResult:
    """Lay out an experiment's Result: the figures named in ``captions`` (in that order, with those
    captions), its tables, ``numbers`` (default: the Result's own) and ``notes`` before its notes."""
    return SectionResult(figures=[Figure(Path(result.figures[name]), caption) for name, caption in captions.items()],
                         numbers=dict(result.numbers if numbers is None else numbers), tables=list(result.tables),
                         notes=[*notes, *result.notes])
