"""The lecture's eta x lambda grid search on the digits, as train and test accuracy heatmaps."""
from __future__ import annotations

import numpy as np

from nnlab.report._core import Context, SectionResult, SectionSpec, section_from

SETTINGS = {
    "full": {"etas": np.logspace(-5, 1, 7), "lambdas": np.logspace(-5, 1, 7), "epochs": 100, "jobs": 2},
    "quick": {"etas": np.logspace(-5, 1, 7), "lambdas": np.logspace(-5, 1, 7), "epochs": 15, "jobs": 2},
    "smoke": {"etas": np.logspace(-4, 0, 3), "lambdas": np.logspace(-4, 0, 3), "epochs": 2, "jobs": 1},
}


def run(ctx: Context) -> SectionResult:
    from nnlab.experiments.grid import GridConfig
    from nnlab.experiments.grid import run as run_grid

    s = ctx.pick(SETTINGS)
    result = run_grid(GridConfig(etas=tuple(s["etas"]), lambdas=tuple(s["lambdas"]), epochs=s["epochs"],
                                 jobs=s["jobs"], seed=ctx.seed, output_dir=ctx.directory))
    labels = {"train_accuracy": "Training accuracy", "test_accuracy": "Test accuracy"}
    captions = {name: f"{label} after {s['epochs']} epochs for every (eta, lambda); blank cells diverged."
                for name, label in labels.items()}
    numbers = {k: v for k, v in result.numbers.items() if k != "best train accuracy"}
    return section_from(result, captions, numbers=numbers)


SPEC = SectionSpec(
    key="grid", title="Grid search over eta and lambda",
    summary="The lecture's search: the digits network trained for every learning rate eta in logspace(-5, 1, 7) and "
            "L2 strength lambda in logspace(-5, 1, 7), same initial weights and batches in every cell; cells that "
            "diverge are recorded and drawn blank instead of stopping the search.",
    command="nnlab grid --output-dir runs/grid", run=run,
    lecture="Improving performance; Adjust hyperparameters (the grid search)", docs="docs/07-digits-and-grid-search.md")
