"""A progress bar over epochs that stays quiet unless asked for and shown on a terminal."""
from __future__ import annotations

import sys
from typing import Any, TextIO

__all__ = ["ProgressBar"]


class ProgressBar:
    """A tqdm bar over the epochs of a run, showing the latest loss and metrics.

    It is silent (creates nothing, costs nothing) when ``verbose == 0`` or when ``stream`` (stdout
    by default) is not a terminal, e.g. in tests, CI logs and pipes; ``force=True`` shows it anyway.
    """

    def __init__(self, total: int, initial: int = 0, verbose: int = 0, stream: TextIO | None = None,
                 force: bool = False, desc: str = "epochs"):
        stream = sys.stdout if stream is None else stream
        is_tty = bool(getattr(stream, "isatty", lambda: False)())
        self.enabled = bool(verbose) and (is_tty or force)
        self._bar = None
        if self.enabled:
            from tqdm import tqdm

            self._bar = tqdm(total=total, initial=initial, desc=desc, file=stream, leave=True, dynamic_ncols=True)

    def update(self, logs: dict[str, Any]) -> None:
        """Advance one epoch and show ``logs``."""
        if self._bar is not None:
            self._bar.set_postfix({k: f"{v:.4g}" for k, v in logs.items() if isinstance(v, float)}, refresh=False)
            self._bar.update(1)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> "ProgressBar":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
