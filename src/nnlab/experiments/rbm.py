"""A Bernoulli restricted Boltzmann machine on the 8x8 digits scaled to [0, 1]: ``run(RBMConfig) -> Result``.

Trains :class:`nnlab.models.rbm.RBM` with contrastive divergence inside a scikit-learn ``Pipeline``
(RBM features -> logistic regression, as in scikit-learn's own example), and scikit-learn's
``BernoulliRBM`` with the same settings for reference. Writes ``components.png`` (each hidden
unit's weights as an 8x8 image), ``gibbs_samples.png`` (Gibbs chains started at test digits) and
``metrics.json``; the Result holds the mean pseudo-likelihood of the test digits (ours and
scikit-learn's) and the pipeline's test accuracy.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from nnlab._threads import blas_threads
from nnlab.experiments.result import Result

__all__ = ["GIBBS_STEPS", "RBMConfig", "run"]

GIBBS_STEPS = (0, 1, 2, 5, 10, 50, 200, 1000)


@dataclass
class RBMConfig:
    """The RBM's size and contrastive-divergence settings, and the logistic regression's C."""

    n_components: int = 100
    learning_rate: float = 0.06
    batch_size: int = 10
    n_iter: int = 20
    k: int = 1
    persistent: bool = False
    C: float = 100.0
    seed: int = 0
    output_dir: Path = Path("runs/rbm")

    def model(self):
        """The untrained RBM, its settings checked (ValueError naming the setting)."""
        from nnlab.models.rbm import RBM

        rbm = RBM(self.n_components, learning_rate=self.learning_rate, batch_size=self.batch_size, n_iter=self.n_iter,
                  k=self.k, persistent=self.persistent, random_state=self.seed)
        rbm._check_params()
        if not self.C > 0:
            raise ValueError(f"--C must be positive, got {self.C}")
        return rbm

    def check(self) -> None:
        """ValueError naming the setting that cannot give a run."""
        self.model()


def run(config: RBMConfig) -> Result:
    """Train the pipeline and the reference, score both, plot components and Gibbs chains."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import BernoulliRBM
    from sklearn.pipeline import Pipeline

    from nnlab.data import load_digits, train_test_split
    from nnlab.models.rbm import pseudo_likelihood
    from nnlab.plots.families import plot_gibbs_chains, plot_rbm_components

    rbm = config.model()
    X, y = load_digits(dtype=np.float64)
    X_train, X_test, y_train, y_test = train_test_split(X / 16.0, y, test_size=0.2, seed=config.seed)
    out = Path(config.output_dir)
    out.mkdir(parents=True, exist_ok=True)

    pipeline = Pipeline([("rbm", rbm), ("logistic", LogisticRegression(C=config.C, max_iter=2000))])
    start = time.perf_counter()
    # Small matrices: BLAS/OpenMP threads add only synchronisation (and spin-waiting on a busy machine).
    with blas_threads(1):
        pipeline.fit(X_train, y_train)
        seconds = time.perf_counter() - start
        accuracy = float(pipeline.score(X_test, y_test))
        reference = BernoulliRBM(config.n_components, learning_rate=config.learning_rate,
                                 batch_size=config.batch_size, n_iter=config.n_iter,
                                 random_state=config.seed).fit(X_train)
    ours_pl = float(rbm.score_samples(X_test).mean())
    # scikit-learn's model scored with the same flipped bits, so the two numbers differ by the models only
    flip = rbm.flipped_bits(*X_test.shape)
    theirs_pl = float(pseudo_likelihood(X_test, flip, reference.components_, reference.intercept_hidden_,
                                        reference.intercept_visible_).mean())

    components = plot_rbm_components(rbm.components_, path=out / "components.png",
                                     title=f"RBM: weights of the {config.n_components} hidden units")
    snapshots, state = [], X_test[:8].copy()
    for step in range(GIBBS_STEPS[-1] + 1):
        if step in GIBBS_STEPS:
            snapshots.append((step, state))
        state = rbm.gibbs(state)
    samples = plot_gibbs_chains(snapshots, path=out / "gibbs_samples.png",
                                title="Gibbs sampling from the RBM, chains started at test digits")
    metrics = {"test_accuracy": accuracy, "pseudo_likelihood_test": ours_pl, "sklearn_pseudo_likelihood_test": theirs_pl,
               "train_seconds": seconds, "n_components": config.n_components, "learning_rate": config.learning_rate,
               "batch_size": config.batch_size, "n_iter": config.n_iter, "k": config.k,
               "persistent": config.persistent, "C": config.C, "seed": config.seed}
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    return Result(headline=f"pseudo-likelihood: {ours_pl:.2f} (scikit-learn BernoulliRBM: {theirs_pl:.2f})",
                  numbers=metrics, figures={"components": Path(components), "gibbs samples": Path(samples)},
                  lines=[f"test accuracy: {accuracy:.4f}"], output_dir=out)
