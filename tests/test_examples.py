"""Every script in examples/ runs in quick mode, prints its results and writes its figure (so none rots),
and every page of the guide points at files that exist."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*.py") if not p.name.startswith("_"))
DOCS = ROOT / "docs"


def test_there_is_an_example_per_page():
    pages = sorted(DOCS.glob("[0-9][0-9]-*.md"))
    assert len(pages) >= 11 and len(EXAMPLES) >= 11
    for page in pages:
        scripts = set(re.findall(r"examples/(\w+\.py)", page.read_text()))
        assert scripts, f"{page.name} names no example script"
        for script in scripts:
            assert (ROOT / "examples" / script).is_file(), f"{page.name} names missing examples/{script}"


def test_guide_links_and_figures_exist():
    for page in [DOCS / "index.md", *DOCS.glob("[0-9][0-9]-*.md")]:
        text = page.read_text()
        for target in re.findall(r"\]\(([^)#\s]+)\)", text):
            if "://" in target:
                continue
            assert (page.parent / target).exists(), f"{page.name} links to missing {target}"
        for image in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text):
            data = (page.parent / image).read_bytes()
            assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{page.name}: {image} is not a PNG"
    assert (DOCS / "regularization.md").is_file()
    total = sum(p.stat().st_size for p in (DOCS / "figures").glob("*.png"))
    assert total < 400_000, f"docs/figures holds {total} bytes of PNG; keep the guide's figures small"


def test_guide_points_at_code_that_exists():
    """The backpropagation page names functions in nnlab's source: they must still be there."""
    text = (DOCS / "03-backpropagation.md").read_text()
    src = ROOT / "src" / "nnlab"
    for path, name in [("functional.py", "def cross_entropy"), ("functional.py", "def output_error"),
                       ("ops.py", "def linear"), ("ops.py", "def linear_input_vjp"), ("ops.py", "def linear_bias_vjp"),
                       ("ops.py", "def linear_weight_vjp"), ("ops.py", "sigmoid = Primitive("), ("ops.py", "PRIMITIVES"),
                       ("tensor.py", "def _backpropagate"), ("tensor.py", "def _topological_order"),
                       ("optim/sgd.py", "def update"), ("train/loop.py", "class _Step")]:
        assert f"nnlab/{path}" in text
        assert name in (src / path).read_text(), f"{name} is no longer in nnlab/{path}; update the guide"


# What some examples must print (checked on the quick run): the lecture's claims, not just "it ran".
def _small(limit):
    return lambda values: all(float(v) < limit for v in values)


EXPECT = {
    "activations": (r"finite difference\| = ([0-9.e+-]+)", _small(1e-6)),
    "backpropagation": (r"hand vs engine: ([0-9.e+-]+)", _small(1e-10)),
    "perceptron_xor": (r"on XOR: accuracy ([0-9.]+)", lambda v: v == ["0.50", "1.00"]),
    "differential_equations": (r"max (?:\|[^|]*\| = |error )([0-9.e+-]+)", _small(1e-3)),
    "cost_functions": (r"averaged gradient\| = ([0-9.]+)", lambda v: v == ["100.0"]),
}


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs_in_quick_mode(script, tmp_path):
    env = {**os.environ, "MPLBACKEND": "Agg", "KERAS_BACKEND": os.environ.get("KERAS_BACKEND", "torch")}
    result = subprocess.run([sys.executable, str(script), "--quick", "--output-dir", str(tmp_path)],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{script.name} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
    figures = list(tmp_path.glob("*.png"))
    assert figures, f"{script.name} wrote no figure"
    assert all(f.stat().st_size > 1000 for f in figures)
    assert "figure" in result.stdout
    if script.stem in EXPECT:
        pattern, check = EXPECT[script.stem]
        values = re.findall(pattern, result.stdout)
        assert values and check(values), f"{script.name} printed {values} for {pattern!r}:\n{result.stdout}"


def _documented_commands() -> list[tuple[str, str]]:
    """(source, command line) for every `nnlab ...` in the guide, the README and the report's sections."""
    from nnlab.report import SECTION_NAMES
    from nnlab.report.sections import get_section

    found = []
    for page in [ROOT / "README.md", *DOCS.glob("*.md")]:
        text = page.read_text()
        for block in re.findall(r"```[^\n]*\n(.*?)```", text, flags=re.S):
            for line in block.splitlines():
                line = line.split("#")[0].strip()
                if line.startswith(("nnlab ", ".venv/bin/nnlab ")) and "--help" not in line:
                    found.append((page.name, line.split("nnlab ", 1)[1]))
        for span in re.findall(r"`nnlab ([^`]+)`", re.sub(r"```.*?```", "", text, flags=re.S)):
            if not re.search(r"[|\[\]]|COMMAND|\.\.\.", span):  # skip templates like rnn sine|digits
                found.append((page.name, span))
    for key in SECTION_NAMES:
        for part in get_section(key).command.split("&&"):
            if part.strip().startswith("nnlab "):
                found.append((f"report section {key}", part.strip().split("nnlab ", 1)[1]))
    return found


def test_documented_command_lines_parse():
    """Every `nnlab ...` line shown in the guide is accepted by that command's parser (nothing runs)."""
    import argparse
    import importlib
    import shlex

    from nnlab.cli import COMMANDS

    lines = _documented_commands()
    assert len(lines) >= 15
    for page, line in lines:
        name, *argv = shlex.split(line)
        assert name in COMMANDS, f"{page}: 'nnlab {line}' names an unknown command"
        if not argv:
            continue  # a bare command name in prose
        parser = argparse.ArgumentParser(prog=f"nnlab {name}", exit_on_error=False)
        importlib.import_module(COMMANDS[name]).add_arguments(parser)
        try:
            parser.parse_args(argv)
        except (argparse.ArgumentError, SystemExit) as exc:
            pytest.fail(f"{page}: 'nnlab {line}' is rejected by its parser: {exc}")
