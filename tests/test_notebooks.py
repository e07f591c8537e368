"""Every notebook of notebooks/ runs top to bottom in quick mode, and its last cell's assertions hold.

The notebooks are percent-format scripts (jupytext's ``# %%`` cells; ``make notebooks`` pairs them
with .ipynb files), so each one runs here as the plain Python script it is, without Jupyter, with
NNLAB_QUICK=1 (a few seconds each) in a fresh working directory and matplotlib's Agg backend.
One more test converts a notebook with jupytext and runs it through a Jupyter kernel with nbclient
(skipped when they are not installed), so the cells also run as a notebook.
"""
from __future__ import annotations

import runpy
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.py"))


def test_there_is_a_notebook_per_docs_page_and_per_project():
    names = {p.stem for p in NOTEBOOKS}
    pages = {p.stem.split("-")[0] for p in (ROOT / "docs").glob("[0-9][0-9]-*.md")}
    assert pages <= {name.split("_")[0] for name in names}, "a docs page without its notebook"
    assert {"project2_regression", "project2_classification", "project3_diffusion", "project3_eigenvalues"} <= names


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_in_quick_mode(notebook, tmp_path, monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    text = notebook.read_text()
    assert text.startswith("# ---\n# jupyter:") and '# %% tags=["parameters"]' in text
    assert "\nassert " in text.rsplit("# %%", 1)[1], "the last cell must assert the notebook's headline number"
    monkeypatch.setenv("NNLAB_QUICK", "1")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(plt, "show", lambda *args, **kwargs: plt.close("all"))  # as Jupyter's inline backend
    try:
        runpy.run_path(str(notebook), run_name="__main__")
    finally:
        plt.close("all")


def test_a_notebook_runs_through_a_jupyter_kernel(tmp_path, monkeypatch):
    jupytext = pytest.importorskip("jupytext")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    import os

    notebook = jupytext.read(ROOT / "notebooks" / "01_activations.py")
    monkeypatch.setenv("NNLAB_QUICK", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])))
    client = nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert any("largest |f' - finite difference|" in o.get("text", "") for o in outputs)
    assert not [o for o in outputs if o.get("output_type") == "error"]
