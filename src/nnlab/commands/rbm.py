"""``nnlab rbm``: a Bernoulli restricted Boltzmann machine on the 8x8 digits scaled to [0, 1].

Trains :class:`nnlab.models.rbm.RBM` with contrastive divergence inside a scikit-learn
``Pipeline`` (RBM features -> logistic regression, as in scikit-learn's own example), and
scikit-learn's ``BernoulliRBM`` with the same settings for reference. Writes into --output-dir:
``components.png`` (each hidden unit's weights as an 8x8 image), ``gibbs_samples.png`` (Gibbs
chains started at test digits), ``metrics.json``; prints the mean pseudo-likelihood of the test
digits (ours and scikit-learn's) and ``test accuracy: ...`` of the pipeline.
"""
from __future__ import annotations

import argparse
import json
import time

from nnlab._threads import blas_threads
from nnlab.commands._common import add_output_dir, output_dir

HELP = "restricted Boltzmann machine on the digits: components, Gibbs samples, RBM features + logistic regression"

GIBBS_STEPS = (0, 1, 2, 5, 10, 50, 200, 1000)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--n-components", type=int, default=100, help="hidden units (default 100)")
    parser.add_argument("--learning-rate", type=float, default=0.06, help="CD learning rate (default 0.06)")
    parser.add_argument("--batch-size", type=int, default=10, help="minibatch size (default 10)")
    parser.add_argument("--n-iter", type=int, default=20, help="passes over the training digits (default 20)")
    parser.add_argument("--k", type=int, default=1, help="Gibbs steps per update, CD-k (default 1)")
    parser.add_argument("--persistent", action="store_true", help="persistent CD (PCD) instead of CD-k")
    parser.add_argument("--C", type=float, default=100.0, help="inverse regularisation of the logistic regression")
    parser.add_argument("--seed", type=int, default=0, help="seed of the split, the weights and the sampling")
    parser.add_argument("--quick", action="store_true", help="a short run: 5 passes")
    add_output_dir(parser, "rbm")


def run(args: argparse.Namespace) -> int:
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import BernoulliRBM
    from sklearn.pipeline import Pipeline

    from nnlab.data import load_digits, train_test_split
    from nnlab.models.rbm import RBM, pseudo_likelihood
    from nnlab.plots.families import plot_gibbs_chains, plot_rbm_components

    n_iter = 5 if args.quick else args.n_iter
    rbm = RBM(args.n_components, learning_rate=args.learning_rate, batch_size=args.batch_size, n_iter=n_iter,
              k=args.k, persistent=args.persistent, random_state=args.seed)
    rbm._check_params()
    if not args.C > 0:
        raise ValueError(f"--C must be positive, got {args.C}")
    X, y = load_digits(dtype=np.float64)
    X_train, X_test, y_train, y_test = train_test_split(X / 16.0, y, test_size=0.2, seed=args.seed)
    out = output_dir(args)

    pipeline = Pipeline([("rbm", rbm), ("logistic", LogisticRegression(C=args.C, max_iter=2000))])
    start = time.perf_counter()
    # Small matrices: BLAS/OpenMP threads add only synchronisation (and spin-waiting on a busy machine).
    with blas_threads(1):
        pipeline.fit(X_train, y_train)
        seconds = time.perf_counter() - start
        accuracy = float(pipeline.score(X_test, y_test))
        reference = BernoulliRBM(args.n_components, learning_rate=args.learning_rate, batch_size=args.batch_size,
                                 n_iter=n_iter, random_state=args.seed).fit(X_train)
    ours_pl = float(rbm.score_samples(X_test).mean())
    # scikit-learn's model scored with the same flipped bits, so the two numbers differ by the models only
    flip = rbm.flipped_bits(*X_test.shape)
    theirs_pl = float(pseudo_likelihood(X_test, flip, reference.components_, reference.intercept_hidden_,
                                        reference.intercept_visible_).mean())

    plot_rbm_components(rbm.components_, path=out / "components.png",
                        title=f"RBM: weights of the {args.n_components} hidden units")
    chains = X_test[:8]
    snapshots, state = [], chains.copy()
    for step in range(GIBBS_STEPS[-1] + 1):
        if step in GIBBS_STEPS:
            snapshots.append((step, state))
        state = rbm.gibbs(state)
    plot_gibbs_chains(snapshots, path=out / "gibbs_samples.png",
                      title="Gibbs sampling from the RBM, chains started at test digits")
    metrics = {"test_accuracy": accuracy, "pseudo_likelihood_test": ours_pl, "sklearn_pseudo_likelihood_test": theirs_pl,
               "train_seconds": seconds, "n_components": args.n_components, "learning_rate": args.learning_rate,
               "batch_size": args.batch_size, "n_iter": n_iter, "k": args.k, "persistent": args.persistent,
               "C": args.C, "seed": args.seed}
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    print(f"pseudo-likelihood: {ours_pl:.2f} (scikit-learn BernoulliRBM: {theirs_pl:.2f})")
    print(f"test accuracy: {accuracy:.4f}")
    return 0
