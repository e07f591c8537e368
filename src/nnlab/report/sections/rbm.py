"""A Bernoulli restricted Boltzmann machine on the digits: components and Gibbs samples."""
from __future__ import annotations

import numpy as np

from nnlab.report._core import Context, Figure, SectionResult, SectionSpec

SETTINGS = {"full": {"n_components": 100, "n_iter": 20, "gibbs_steps": 1000},
            "quick": {"n_components": 64, "n_iter": 10, "gibbs_steps": 300},
            "smoke": {"n_components": 32, "n_iter": 3, "gibbs_steps": 50}}


def run(ctx: Context) -> SectionResult:
    from nnlab.data import load_digits
    from nnlab.models.rbm import RBM
    from nnlab.plots.lecture import plot_image_grid

    s = ctx.pick(SETTINGS)
    X, y = load_digits()
    X = X / 16.0
    rbm = RBM(n_components=s["n_components"], learning_rate=0.06, batch_size=10, n_iter=s["n_iter"],
              persistent=True, random_state=ctx.seed).fit(X)
    components = plot_image_grid(rbm.components_[:40].reshape(-1, 8, 8), ctx.path("components.png"),
                                 title="RBM components (weights of 40 hidden units)", cmap="RdBu_r")
    # Gibbs chains started from one test image of each digit, run for gibbs_steps steps
    starts = np.stack([X[np.flatnonzero(y == d)[0]] for d in range(10)])
    chain = [starts]
    v = starts
    checkpoints = sorted({1, s["gibbs_steps"] // 10, s["gibbs_steps"] // 2, s["gibbs_steps"]})
    for step in range(1, s["gibbs_steps"] + 1):
        v = rbm.gibbs(v)
        if step in checkpoints:
            chain.append(v)
    images = np.concatenate(chain).reshape(-1, 8, 8)
    labels = [f"{'start' if k == 0 else f'step {checkpoints[k - 1]}'}" if d == 0 else "" for k in range(len(chain))
              for d in range(10)]
    samples = plot_image_grid(images, ctx.path("gibbs_samples.png"), labels=labels,
                              title="Gibbs chains from one image of each digit (rows: after 0, ... steps)")
    score = float(np.mean(rbm.score_samples(X)))
    return SectionResult(
        figures=[Figure(components, "Each hidden unit's weights to the 64 pixels (red positive, blue negative)."),
                 Figure(samples, "Samples v ~ p(v|h), h ~ p(h|v) along Gibbs chains.")],
        numbers={"mean pseudo-likelihood": score, "hidden units": s["n_components"], "epochs": s["n_iter"],
                 "Gibbs steps": s["gibbs_steps"]},
    )


SPEC = SectionSpec(
    key="rbm", title="Restricted Boltzmann machine: components and samples",
    summary="A Bernoulli RBM (binary visible and hidden units, energy E = -b.v - c.h - v W h) trained by persistent "
            "contrastive divergence on the digits scaled to [0, 1]; new images are drawn by Gibbs sampling.",
    command="nnlab rbm --output-dir runs/rbm", run=run,
    lecture="Neural network types (unsupervised learning: Boltzmann machines)",
    docs="docs/10-rbf-recurrent-boltzmann.md")
