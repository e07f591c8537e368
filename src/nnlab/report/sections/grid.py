"""The lecture's eta x lambda grid search on the digits, as train and test accuracy heatmaps."""
from __future__ import annotations

import numpy as np

from nnlab.report._core import Context, Figure, SectionResult, SectionSpec, Table

SETTINGS = {
    "full": {"etas": np.logspace(-5, 1, 7), "lambdas": np.logspace(-5, 1, 7), "epochs": 100, "n_jobs": 2},
    "quick": {"etas": np.logspace(-5, 1, 7), "lambdas": np.logspace(-5, 1, 7), "epochs": 15, "n_jobs": 2},
    "smoke": {"etas": np.logspace(-4, 0, 3), "lambdas": np.logspace(-4, 0, 3), "epochs": 2, "n_jobs": 1},
}


def run(ctx: Context) -> SectionResult:
    from nnlab.experiments.grid import grid_search
    from nnlab.plots.grid import save_grid_heatmaps

    s = ctx.pick(SETTINGS)
    result = grid_search(s["etas"], s["lambdas"], epochs=s["epochs"], n_jobs=s["n_jobs"], seed=ctx.seed)
    result.to_csv(ctx.path("grid.csv"))
    figures = [Figure(path, f"{label} after {s['epochs']} epochs for every (eta, lambda); blank cells diverged.")
               for path, label in zip(save_grid_heatmaps(result, ctx.directory),
                                      ("Training accuracy", "Test accuracy"))]
    best = result.best()
    diverged = [c for c in result.cells if not c.ok]
    top = sorted((c for c in result.cells if c.ok), key=lambda c: -c.test_accuracy)[:5]
    return SectionResult(
        figures=figures,
        numbers={"best eta": best.eta, "best lambda": best.lam, "best test accuracy": best.test_accuracy,
                 "cells": len(result.cells), "diverged cells": len(diverged), "epochs per cell": s["epochs"],
                 "search time (s)": result.seconds},
        tables=[Table(["eta", "lambda", "train accuracy", "test accuracy"],
                      [[c.eta, c.lam, c.train_accuracy, c.test_accuracy] for c in top], "The five best cells")],
    )


SPEC = SectionSpec(
    key="grid", title="Grid search over eta and lambda",
    summary="The lecture's search: the digits network trained for every learning rate eta in logspace(-5, 1, 7) and "
            "L2 strength lambda in logspace(-5, 1, 7), same initial weights and batches in every cell; cells that "
            "diverge are recorded and drawn blank instead of stopping the search.",
    command="nnlab grid --output-dir runs/grid", run=run,
    lecture="Improving performance; Adjust hyperparameters (the grid search)", docs="docs/07-digits-and-grid-search.md")
