"""nnlab against scikit-learn, PyTorch and Keras on the lecture's two digits networks."""
from __future__ import annotations

from nnlab.report._core import Context, Figure, SectionResult, SectionSpec, Table

SETTINGS = {"full": {"networks": ("64-50-10", "64-100-50-10"), "epochs": 100},
            "quick": {"networks": ("64-50-10", "64-100-50-10"), "epochs": 15},
            "smoke": {"networks": ("64-50-10",), "epochs": 2}}


def run(ctx: Context) -> SectionResult:
    from nnlab.experiments.compare import compare_libraries
    from nnlab.plots.compare import plot_epoch_accuracy

    s = ctx.pick(SETTINGS)
    result = compare_libraries(networks=s["networks"], epochs=s["epochs"], seed=ctx.seed)
    result.to_csv(ctx.path("compare.csv"))
    ctx.path("compare.md").write_text(result.to_markdown())
    st = result.settings
    curves = plot_epoch_accuracy(result, ctx.path("accuracy_per_epoch.png"),
                                 title=f"SGD eta={st['eta']:g}, lambda={st['lam']:g}, batch {st['batch_size']}")
    rows = [[r.library, r.network, r.test_accuracy, r.wall_time] for r in result.rows]
    by_network = {}
    for r in result.rows:
        by_network.setdefault(r.network, {})[r.library] = r
    numbers = {}
    for network, libs in by_network.items():
        if "nnlab" in libs:
            for lib, r in libs.items():
                if lib != "nnlab" and r.wall_time > 0:
                    numbers[f"{network}: nnlab time / {lib} time"] = libs["nnlab"].wall_time / r.wall_time
    return SectionResult(
        figures=[Figure(curves, "Test accuracy after each epoch; each library starts from its own initialisation.")],
        tables=[Table(["library", "network", "test accuracy", "training time (s)"], rows,
                      f"{st['epochs']} epochs, same eta, lambda, batch size and seed in every library")],
        numbers=numbers, notes=list(result.notes),
    )


SPEC = SectionSpec(
    key="compare", title="nnlab, scikit-learn, PyTorch and Keras side by side",
    summary="The lecture's networks (64-50-10 and 64-100-50-10 sigmoid, softmax output) trained by plain minibatch "
            "SGD with the same eta, lambda (scikit-learn's alpha), epochs, batch size and seed in each library; "
            "Keras 3 runs on the PyTorch backend. Libraries that are not installed are skipped with a note.",
    command="nnlab compare --output-dir runs/compare", run=run,
    lecture="scikit-learn implementation; Building neural networks in Tensorflow and Keras",
    docs="docs/08-libraries-side-by-side.md")
