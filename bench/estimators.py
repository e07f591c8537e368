"""Benchmark: nnlab's MLPClassifier against scikit-learn's at the same settings on the digits.

    python bench/estimators.py [--quick] [--threads 1]

For each setting both estimators are fitted with the same parameters on the same standardised
80/20 split for several seeds; printed are the mean test accuracy of each, the difference (the
target: nnlab matches or beats scikit-learn) and the median fit time with the ratio nnlab /
scikit-learn. The two are timed alternately, seed by seed, so load on the machine hits both.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from nnlab.estimators import MLPClassifier  # noqa: E402

SETTINGS = {
    "adam (100,) relu": dict(),
    "sgd momentum .9 (100,) relu": dict(solver="sgd", learning_rate_init=0.05),
    "sgd eta .5 (50,) logistic": dict(hidden_layer_sizes=(50,), activation="logistic", solver="sgd",
                                      learning_rate_init=0.5, momentum=0.0),
    "lbfgs (50,) tanh": dict(hidden_layer_sizes=(50,), activation="tanh", solver="lbfgs"),
    "adam early stopping (100,)": dict(early_stopping=True),
}


def digits():
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def timed_fit(est, X, y):
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)
    return time.perf_counter() - start


def main() -> None:
    from sklearn.neural_network import MLPClassifier as SkMLPClassifier
    from threadpoolctl import threadpool_limits

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one seed, max_iter=50")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads (default 1)")
    args = parser.parse_args()
    seeds = range(1 if args.quick else args.seeds)
    extra = dict(max_iter=50) if args.quick else {}
    X_train, X_test, y_train, y_test = digits()
    print(f"digits {len(X_train)}/{len(X_test)} rows, standardised; {len(seeds)} seed(s); "
          f"{args.threads} BLAS thread(s)")
    print(f"{'setting':30s} {'nnlab acc':>9s} {'sklearn acc':>11s} {'diff':>7s} {'nnlab s':>8s} {'sklearn s':>9s} "
          f"{'ratio':>6s}")
    with threadpool_limits(limits=args.threads):
        for name, params in SETTINGS.items():
            ours_acc, ref_acc, ours_t, ref_t = [], [], [], []
            for seed in seeds:
                ours = MLPClassifier(random_state=seed, **params, **extra)
                ref = SkMLPClassifier(random_state=seed, **params, **extra)
                ours_t.append(timed_fit(ours, X_train, y_train))
                ref_t.append(timed_fit(ref, X_train, y_train))
                ours_acc.append(ours.score(X_test, y_test))
                ref_acc.append(ref.score(X_test, y_test))
            a, b = float(np.mean(ours_acc)), float(np.mean(ref_acc))
            t, u = statistics.median(ours_t), statistics.median(ref_t)
            print(f"{name:30s} {a:9.4f} {b:11.4f} {a - b:+7.4f} {t:8.2f} {u:9.2f} {t / u:6.2f}")


if __name__ == "__main__":
    main()
