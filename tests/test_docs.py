"""Every ```python block of README.md and docs/*.md runs as pasted.

A page is read top to bottom, so each page's blocks run in order in one namespace (a block may
use what an earlier block of the same page defined, never what another page did), in a fresh
working directory. A block that imports an optional library (PyTorch, Keras, ONNX, ...) that is
not installed skips the rest of its page, with the reason. Other blocks are fences without a
language (shell commands, output), which are not run. Keep every block fast (a second or two):
short trainings, small data.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
OPTIONAL = {"torch", "keras", "onnx", "onnxruntime", "dask", "distributed", "deepxde", "neurodiffeq", "autograd",
            "jupytext", "nbclient", "array_api_strict", "array_api_compat", "tensorflow"}
_BLOCK = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


def python_blocks(text: str) -> list[tuple[int, str]]:
    """(line number, code) of each ```python block of a Markdown text."""
    return [(text.count("\n", 0, m.start()) + 2, m.group(1)) for m in _BLOCK.finditer(text)]


def test_the_block_finder_sees_fenced_python_only():
    text = "x\n```python\na = 1\n```\n\n```\nnot python\n```\n```python\nb = 2\n```\n"
    assert python_blocks(text) == [(3, "a = 1\n"), (10, "b = 2\n")]


# Pages whose blocks fail today and are being fixed by the page's owner on another branch; the mark
# does not hide a fix (non-strict), and is removed once the fix is merged.
KNOWN_FAILING: dict[str, str] = {}  # page -> reason, for a page whose blocks are known not to run yet


def _pages():
    for page in PAGES:
        if not python_blocks(page.read_text()):
            continue
        name = str(page.relative_to(ROOT))
        marks = [pytest.mark.xfail(reason=KNOWN_FAILING[name], strict=False)] if name in KNOWN_FAILING else []
        yield pytest.param(page, marks=marks, id=name)


@pytest.mark.parametrize("page", list(_pages()))
def test_page_code_blocks_run(page, tmp_path, monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": f"docs_{page.stem.replace('-', '_')}"}
    for line, code in python_blocks(page.read_text()):
        try:
            exec(compile(code, f"{page.relative_to(ROOT)}:{line}", "exec"), namespace)
        except ModuleNotFoundError as exc:
            if (exc.name or "").split(".")[0] in OPTIONAL:
                pytest.skip(f"{page.name}, block at line {line} needs the optional package {exc.name}")
            raise
