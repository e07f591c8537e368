"""The one way nnlab writes a file: atomically, into a directory that must already exist (bottom layer).

Behaviour, the same for model files, checkpoints and exported graphs: the library never creates
directories (a typo in a path should not grow a directory tree); a missing directory is a
``FileNotFoundError`` naming it. Commands create their ``--output-dir`` themselves. Readers see
the old file or the whole new one, never half of it: a failure at any point leaves an existing
file untouched and removes the temporary file.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Callable

__all__ = ["write_atomically"]


def write_atomically(path: str | os.PathLike, write: Callable[[str], None]) -> Path:
    """Call ``write(temporary_path)`` beside ``path``, flush it to disk, then rename it over ``path``.

    Raises ``IsADirectoryError`` when ``path`` is a directory, ``NotADirectoryError`` when its parent
    is a file, ``FileNotFoundError`` when its directory does not exist, and the ``OSError`` of the
    file system (e.g. ``PermissionError``) when no file can be created there; each names the path.
    """
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"cannot save to {path}: it is a directory; give a file name such as "
                                f"{path / ('model' + (path.suffix or '.npz'))}")
    if path.parent.exists() and not path.parent.is_dir():
        raise NotADirectoryError(f"cannot save to {path}: {path.parent} is a file, not a directory; "
                                 "choose a path inside a directory")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"cannot save to {path}: directory {path.parent} does not exist; create it first")
    # Hidden, and keeping the suffix: some writers (torch.export.save) check it.
    tmp = path.with_name(f".{path.stem}.tmp-{os.getpid()}-{secrets.token_hex(4)}{path.suffix}")
    try:
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))  # mode 0o666 & ~umask, as open()
    except OSError as exc:  # read-only file system, no permission, ...
        raise type(exc)(f"cannot save to {path}: cannot create a file in {path.parent} ({exc.strerror}); "
                        "choose a writable directory") from None
    try:
        write(str(tmp))
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
