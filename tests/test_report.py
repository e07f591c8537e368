"""The HTML report: every section renders (figures, numbers, command), failures are contained,
and the page displays in headless Chromium with every image loaded."""
from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from nnlab.report import SECTION_NAMES, Figure, build_report
from nnlab.report._core import Context, SectionResult, SectionSpec, Unavailable, run_section
from nnlab.report.html import format_value, render_page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# Appended to a copy of the page: after load, it records which images decoded (naturalWidth > 0)
# and what each section holds, in an element that --dump-dom prints.
CHECK_SCRIPT = """
<script>
window.addEventListener("load", function () {
  var images = Array.prototype.slice.call(document.images);
  var broken = images.filter(function (img) { return !(img.complete && img.naturalWidth > 0); });
  var sections = Array.prototype.slice.call(document.querySelectorAll("section")).map(function (s) {
    return s.id + ":" + s.getAttribute("data-status") + ":" + s.querySelectorAll("img").length + ":" +
           s.querySelectorAll("table").length + ":" + (s.querySelector("pre.command") ? 1 : 0);
  });
  var out = document.createElement("div");
  out.id = "image-check";
  out.textContent = "images=" + images.length + ";broken=" + broken.length + ";sections=" + sections.join(",");
  document.body.appendChild(out);
});
</script>
"""


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """The whole report, built once in smoke mode (a few seconds per section)."""
    return build_report(tmp_path_factory.mktemp("report"), mode="smoke", seed=0)


def _chromium() -> Path:
    """Chromium, installed with apt-get when missing and possible; else the test is skipped."""
    if CHROMIUM.exists():
        return CHROMIUM
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("apt-get") is None:
        pytest.skip("/usr/bin/chromium is missing and cannot be installed here (needs root and apt-get: "
                    "apt-get install -y chromium)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "install", "-y", "chromium"], ["apt-get", "update"],
                    ["apt-get", "install", "-y", "chromium"]):
        try:
            subprocess.run(command, env=env, capture_output=True, timeout=600)
        except (OSError, subprocess.TimeoutExpired):
            break
        if CHROMIUM.exists():
            return CHROMIUM
    pytest.skip("apt-get install -y chromium did not provide /usr/bin/chromium (no network or no package)")


def test_every_section_ran_without_error(report):
    assert [spec.key for spec, _ in report.sections] == list(SECTION_NAMES)
    errors = {spec.key: result.error for spec, result in report.sections if result.error}
    assert not errors, errors
    for spec, result in report.sections:
        if result.unavailable:
            continue
        assert result.figures, f"section {spec.key} produced no figure"
        assert result.numbers or result.tables, f"section {spec.key} produced no numbers"
        assert spec.command.startswith(("nnlab ", "python ")), spec.command
        for figure in result.figures:
            assert figure.path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", figure.path


def test_page_is_self_contained_and_json_matches(report):
    page = report.path.read_text(encoding="utf-8")
    # no external resource: every image is inline, no stylesheet or script is fetched
    sources = re.findall(r'<img[^>]* src="([^"]+)"', page)
    assert sources and all(s.startswith("data:image/png;base64,") for s in sources)
    assert not re.search(r'(src|href)="(https?:)?//', page)
    summary = json.loads((report.path.parent / "report.json").read_text())
    assert summary["mode"] == "smoke"
    assert set(summary["sections"]) == set(SECTION_NAMES)
    n_figures = sum(len(s["figures"]) for s in summary["sections"].values())
    assert len(sources) == n_figures
    for key, section in summary["sections"].items():
        assert f'<section id="{key}"' in page
        assert html.escape(section["command"]) in page


def test_page_renders_in_headless_chromium(report, tmp_path):
    chromium = _chromium()
    page = report.path.read_text(encoding="utf-8")
    checked = tmp_path / "checked.html"
    checked.write_text(page.replace("</body>", CHECK_SCRIPT + "</body>"), encoding="utf-8")
    result = subprocess.run(
        [str(chromium), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=10000",
         "--dump-dom", checked.as_uri()],
        capture_output=True, text=True, timeout=120)
    match = re.search(r'<div id="image-check">images=(\d+);broken=(\d+);sections=([^<]*)</div>', result.stdout)
    assert match, f"the check script did not run; chromium said: {result.stderr[-2000:]}"
    images, broken, sections = int(match[1]), int(match[2]), match[3].split(",")
    assert images > 0 and broken == 0, f"{broken} of {images} images did not load"
    assert len(sections) == len(SECTION_NAMES)
    for entry in sections:
        key, status, n_images, n_tables, has_command = entry.split(":")
        assert status in ("ok", "unavailable"), entry
        assert has_command == "1", entry
        if status == "ok":
            assert int(n_images) > 0 and int(n_tables) > 0, f"section {key} is empty in the browser: {entry}"


def test_a_failing_section_is_rendered_not_fatal(tmp_path):
    def boom(ctx):
        raise RuntimeError("the experiment broke <here>")

    def missing(ctx):
        raise Unavailable("torch is not installed")

    failing = SectionSpec("broken", "Broken", "raises", "nnlab broken", boom)
    absent = SectionSpec("absent", "Absent", "needs torch", "nnlab absent", missing)
    results = [(spec, run_section(spec, Context(tmp_path / spec.key, "smoke"))) for spec in (failing, absent)]
    assert "RuntimeError: the experiment broke <here>" in results[0][1].error
    assert results[1][1].unavailable == "torch is not installed" and results[1][1].error is None
    page = render_page(results, "t", "m")
    assert "the experiment broke &lt;here&gt;" in page  # escaped, shown in the page
    assert 'data-status="error"' in page and 'data-status="unavailable"' in page


def test_section_must_return_its_figures(tmp_path):
    ghost = SectionSpec("ghost", "Ghost", "", "nnlab ghost",
                        lambda ctx: SectionResult(figures=[Figure(tmp_path / "never-written.png")]))
    result = run_section(ghost, Context(tmp_path, "smoke"))
    assert result.error and "never-written.png" in result.error


def test_unknown_section_and_mode_are_rejected(tmp_path):
    with pytest.raises(ValueError, match="unknown report section 'nope'"):
        build_report(tmp_path, mode="smoke", sections=["nope"])
    with pytest.raises(ValueError, match="mode must be one of"):
        build_report(tmp_path, mode="fast")


def test_format_value():
    assert format_value(0.97222) == "0.9722"
    assert format_value(1.2e-6) == "1.200e-06"
    assert format_value(12) == "12" and format_value(float("nan")) == "nan" and format_value("sgd") == "sgd"


def test_report_command(tmp_path):
    from nnlab.cli import COMMANDS, main

    assert COMMANDS["report"] == "nnlab.commands.report"
    assert main(["report", "--smoke", "--sections", "activations", "--output-dir", str(tmp_path)]) == 0
    summary = json.loads((tmp_path / "report.json").read_text())
    assert {k: s["status"] for k, s in summary["sections"].items()} == {"activations": "ok"}
    assert (tmp_path / "index.html").is_file() and (tmp_path / "activations").is_dir()


def test_report_command_with_a_failing_section(tmp_path, monkeypatch):
    """A section that raises is shown with its error, the next section still runs, and the exit status is 1."""
    import nnlab.report as report_module
    from nnlab.cli import main

    real = report_module.get_section

    def broken(ctx):
        raise ImportError("No module named 'missing_dependency'")

    def get_section(key):
        spec = real(key)
        return SectionSpec(spec.key, spec.title, spec.summary, spec.command, broken) if key == "activations" else spec

    monkeypatch.setattr(report_module, "get_section", get_section)
    code = main(["report", "--smoke", "--sections", "activations", "perceptron", "--output-dir", str(tmp_path)])
    assert code == 1
    summary = json.loads((tmp_path / "report.json").read_text())
    assert {k: s["status"] for k, s in summary["sections"].items()} == {"activations": "error", "perceptron": "ok"}
    page = (tmp_path / "index.html").read_text()
    assert "No module named &#x27;missing_dependency&#x27;" in page
    assert re.search(r'<section id="perceptron" data-status="ok">.*?<img', page, flags=re.S)


def test_sections_lay_out_what_the_experiments_return(report):
    """The report calls experiments.<name>.run: its figures are the Result's files, its numbers the Result's."""
    sections = {spec.key: result for spec, result in report.sections}
    cnn = json.loads((report.path.parent / "cnn" / "metrics.json").read_text())
    assert sections["cnn"].numbers["test accuracy"] == cnn["test_accuracy"]
    assert {f.path.name for f in sections["cnn"].figures} == {"filters.png", "feature_maps.png", "learning_curves.png"}
    digits = json.loads((report.path.parent / "digits" / "lecture" / "run.json").read_text())
    assert sections["digits"].numbers["lecture: test accuracy"] == digits["test_accuracy"]
    rbm = json.loads((report.path.parent / "rbm" / "metrics.json").read_text())
    assert sections["rbm"].numbers["hidden units"] == rbm["n_components"] == 32


def test_no_section_reads_what_a_command_printed():
    """The sections import experiments, never commands or the command line, and capture no output."""
    import ast
    import inspect

    import nnlab.report._core as core
    from nnlab.report import get_section

    assert not hasattr(core, "run_command")
    for key in SECTION_NAMES:
        source = inspect.getsource(inspect.getmodule(get_section(key).run))
        imported = [n.module for n in ast.walk(ast.parse(source)) if isinstance(n, ast.ImportFrom)]
        assert not any(m.startswith(("nnlab.commands", "nnlab.cli")) for m in imported), (key, imported)
        assert "redirect_stdout" not in source and "run_command" not in source, key
