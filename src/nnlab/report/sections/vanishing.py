"""The vanishing-gradient study: a deep network for every activation x initialisation."""
from __future__ import annotations

from nnlab.report._core import Context, SectionResult, SectionSpec, section_from

SETTINGS = {
    "full": {},
    "quick": {"epochs": 3, "probe_size": 256},
    "smoke": {"activations": ("sigmoid", "relu"), "inits": ("normal", "he_normal"), "depth": 6, "epochs": 1,
              "probe_size": 128, "jobs": 1},
}


def run(ctx: Context) -> SectionResult:
    from nnlab.experiments.vanishing import VanishingConfig, run as run_vanishing

    result = run_vanishing(VanishingConfig(seed=ctx.seed, output_dir=ctx.directory, **ctx.pick(SETTINGS)))
    return section_from(result, {
        "gradient_norms": "||dC/dW|| of each layer (1 = first hidden layer) after the first epoch (solid) and before "
                          "training (dashed), one panel per activation.",
        "activations_sigmoid": "Outputs of each sigmoid hidden layer before and after training, one row per "
                               "initialisation: N(0, 1) weights pile them up at 0 and 1 (saturated).",
        "learning_curves": "Test accuracy and training loss per epoch."}, notes=[result.headline])


SPEC = SectionSpec(
    key="vanishing", title="Vanishing gradients: activations and initialisations",
    summary="The same deep network (10 hidden layers of 50 units, plain SGD, the same batches) on the standardised "
            "digits for every activation (sigmoid, tanh, ReLU, leaky ReLU, ELU) and initialisation (the lecture's "
            "N(0, 1), Glorot, He): with sigmoid units the first layers receive orders of magnitude less gradient "
            "than the last, while Glorot or He with tanh, ReLU or ELU keep it flowing.",
    command="nnlab vanishing --output-dir runs/vanishing", run=run,
    lecture="Which activation function should I use? (Glorot and Bengio)",
    docs="docs/06-initialisation-and-vanishing-gradients.md")
