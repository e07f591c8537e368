"""Writing an experiment's result rows (one dict per row, the same keys in each) as CSV."""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Any, Sequence


def write_rows(path: str | Path, rows: Sequence[dict[str, Any]]) -> Path:
    """Write ``rows`` to ``path`` as CSV, with the first row's keys as the header; returns the path."""
    path = Path(path)
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path
