"""What every experiment returns: ``experiments.<name>.run(config) -> Result``.

The command line prints a Result (its headline first, then its other lines); the HTML report lays
out the same Result (numbers, tables, figures). Neither reads what the other printed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Table:
    """A small table: column names and rows of cells, with a caption."""

    columns: list[str]
    rows: list[list[Any]]
    caption: str = ""


@dataclass
class Result:
    """The outcome of one experiment run.

    Attributes
    ----------
    headline : str
        The one line a command prints first, e.g. ``"test accuracy: 0.9750"``.
    numbers : dict
        Named figures of the run (accuracies, errors, times), for the report and for tests.
    figures : dict
        Short name -> path of each PNG the run wrote (the report looks figures up by name and captions them).
    tables : list of Table
        Tables for the report; a command may also write them as CSV files.
    lines : list of str
        Further lines a command prints after the headline (files written, per-case figures).
    output_dir : Path or None
        Where the run wrote its files.
    notes : list of str
        Remarks the report shows beside the figures and a command does not print (a library that
        was skipped, the setting behind a number).
    """

    headline: str
    numbers: dict[str, Any] = field(default_factory=dict)
    figures: dict[str, Path] = field(default_factory=dict)
    tables: list[Table] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    output_dir: Path | None = None
    notes: list[str] = field(default_factory=list)

    def printed(self) -> str:
        """The text a command prints for this result: the headline, then the other lines."""
        return "\n".join([self.headline, *self.lines])
