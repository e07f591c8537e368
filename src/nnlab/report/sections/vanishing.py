"""The vanishing-gradient study: a deep network for every activation x initialisation."""
from __future__ import annotations

import math

from nnlab.report._core import Context, Figure, SectionResult, SectionSpec, Table

SETTINGS = {
    "full": {},
    "quick": {"epochs": 3, "probe_size": 256},
    "smoke": {"activations": ("sigmoid", "relu"), "inits": ("normal", "he_normal"), "depth": 6, "epochs": 1,
              "probe_size": 128, "n_jobs": 1},
}


def run(ctx: Context) -> SectionResult:
    from nnlab.experiments.vanishing import vanishing_study
    from nnlab.plots.vanishing import plot_activation_histograms, plot_gradient_norms, plot_learning_curves

    s = ctx.pick(SETTINGS)
    result = vanishing_study(seed=ctx.seed, **s)
    result.to_csv(ctx.path("vanishing.csv"))
    ctx.path("vanishing.md").write_text(result.to_markdown())
    figures = [
        Figure(plot_gradient_norms(result, ctx.path("gradient_norms.png")),
               "||dC/dW|| of each layer (1 = first hidden layer) after the first epoch (solid) and before training "
               "(dashed), one panel per activation."),
        Figure(plot_activation_histograms(result, "sigmoid", ctx.path("activations_sigmoid.png")),
               "Outputs of each sigmoid hidden layer before and after training, one row per initialisation: "
               "N(0, 1) weights pile them up at 0 and 1 (saturated)."),
        Figure(plot_learning_curves(result, ctx.path("learning_curves.png")),
               "Test accuracy and training loss per epoch."),
    ]
    inits = result.inits

    def cell(activation, init, what):
        try:
            c = result.case(activation, init)
        except KeyError:
            return ""
        if what == "accuracy":
            return "diverged" if c.status != "ok" else c.test_accuracy
        return c.ratio(0.0)

    tables = [Table(["activation", *inits], [[a, *[cell(a, i, what) for i in inits]] for a in result.activations],
                    caption)
              for what, caption in (("accuracy", f"Test accuracy after {result.settings['epochs']} epochs"),
                                    ("ratio", "First-to-last layer gradient-norm ratio before training"))]
    numbers = {}
    for a, i in (("sigmoid", "normal"), ("relu", "he_normal")):
        try:
            c = result.case(a, i)
        except KeyError:
            continue
        numbers[f"{a}/{i}: first-to-last gradient ratio"] = c.ratio(0.0)
        if not math.isnan(c.test_accuracy):
            numbers[f"{a}/{i}: test accuracy"] = c.test_accuracy
    numbers["hidden layers"] = result.settings["depth"]
    return SectionResult(figures=figures, tables=tables, numbers=numbers, notes=[result.headline()])


SPEC = SectionSpec(
    key="vanishing", title="Vanishing gradients: activations and initialisations",
    summary="The same deep network (10 hidden layers of 50 units, plain SGD, the same batches) on the standardised "
            "digits for every activation (sigmoid, tanh, ReLU, leaky ReLU, ELU) and initialisation (the lecture's "
            "N(0, 1), Glorot, He): with sigmoid units the first layers receive orders of magnitude less gradient "
            "than the last, while Glorot or He with tanh, ReLU or ELU keep it flowing.",
    command="nnlab vanishing --output-dir runs/vanishing", run=run,
    lecture="Which activation function should I use? (Glorot and Bengio)",
    docs="docs/06-initialisation-and-vanishing-gradients.md")
