"""The vanishing-gradient figures: panels in a grid, one legend outside the data, quick runs say so."""
import struct

import pytest

from nnlab.experiments.vanishing import vanishing_study
from nnlab.plots import save
from nnlab.plots import vanishing as plots


@pytest.fixture(scope="module")
def study():
    return vanishing_study(["sigmoid", "tanh", "relu", "leaky_relu", "elu"], ["normal", "he_normal"], depth=3,
                           width=8, epochs=1, probe_size=32, n_jobs=1)


def _png_size(path):
    return struct.unpack(">II", path.read_bytes()[16:24])


def test_gradient_norms_are_a_grid_with_one_legend_beside_the_data(study, tmp_path, monkeypatch):
    figures = []

    def keep(fig, path):  # the figure is closed when saved; keep it to look at its layout
        figures.append(fig)
        return save(fig, path)

    monkeypatch.setattr(plots, "save", keep)
    path = plots.plot_gradient_norms(study, tmp_path / "g.png")
    width, height = _png_size(path)
    assert width / height < 2.2 and height > 500                     # not a 1881 x 352 strip
    fig = figures[0]
    panels = [ax for ax in fig.axes if ax.get_visible() and ax.lines]
    assert len(panels) == 5
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
    assert len(legends) == 1                                        # one legend for all panels
    legend_ax = legends[0].axes
    assert not legend_ax.lines                                      # ... in a cell of its own
    box = legend_ax.get_position()
    assert all(not box.overlaps(ax.get_position()) for ax in panels)
    assert "quick run" in fig._suptitle.get_text()


def test_a_full_length_run_is_not_called_quick(study):
    from nnlab.experiments.vanishing import is_quick

    assert not is_quick(epochs=20, probe_size=512) and is_quick(epochs=2, probe_size=512)
    assert is_quick(epochs=20, probe_size=64) and study.settings["quick"]
    full = type(study)(dict(study.settings, epochs=20, probe_size=512, quick=False), study.cases)
    assert "quick" not in plots._study_note(full) and "quick run" in plots._study_note(study)
