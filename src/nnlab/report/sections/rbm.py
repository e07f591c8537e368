"""A Bernoulli restricted Boltzmann machine on the digits: components and Gibbs samples."""
from __future__ import annotations

from nnlab.report._core import Context, SectionResult, SectionSpec, section_from

SETTINGS = {"full": {}, "quick": {"n_iter": 5}, "smoke": {"n_iter": 2, "n_components": 32}}


def run(ctx: Context) -> SectionResult:
    from nnlab.experiments.rbm import RBMConfig, run as run_rbm

    result = run_rbm(RBMConfig(seed=ctx.seed, output_dir=ctx.directory, **ctx.pick(SETTINGS)))
    m = result.numbers
    return section_from(result, {
        "components": "Each hidden unit's weights to the 64 pixels, as an 8x8 image.",
        "gibbs samples": "Gibbs chains v -> h ~ p(h|v) -> v ~ p(v|h) started at test digits."},
        numbers={"pseudo-likelihood (test, nnlab)": m["pseudo_likelihood_test"],
                 "pseudo-likelihood (test, scikit-learn BernoulliRBM)": m["sklearn_pseudo_likelihood_test"],
                 "RBM features + logistic regression: test accuracy": m["test_accuracy"],
                 "hidden units": m["n_components"], "passes": m["n_iter"], "training time (s)": m["train_seconds"]})


SPEC = SectionSpec(
    key="rbm", title="Restricted Boltzmann machine: components and samples",
    summary="A Bernoulli RBM (binary visible and hidden units, energy E = -b.v - c.h - v.W.h) trained by contrastive "
            "divergence on the digits scaled to [0, 1], against scikit-learn's BernoulliRBM with the same settings; "
            "its hidden probabilities feed a logistic regression, and Gibbs sampling draws new images.",
    command="nnlab rbm --output-dir runs/rbm", run=run,
    lecture="Neural network types (unsupervised learning: Boltzmann machines)",
    docs="docs/10-rbf-recurrent-boltzmann.md")
