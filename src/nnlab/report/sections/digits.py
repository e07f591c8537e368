"""The lecture's digits network: learning curves and confusion matrix on the 20 % test split."""
from __future__ import annotations

import time

import numpy as np

from nnlab.report._core import Context, Figure, SectionResult, SectionSpec

# The lecture's network and training (64-50-10 sigmoid, N(0, 1) weights, biases 0.01, summed
# cross-entropy, plain SGD, batch 100) at a good (eta, lambda) of its grid.
SETTINGS = {"full": {"epochs": 100}, "quick": {"epochs": 40}, "smoke": {"epochs": 8}}
ETA, LAMBDA = 0.01, 0.01


def run(ctx: Context) -> SectionResult:
    from nnlab.data import load_digits, train_test_split
    from nnlab.models import lecture_mlp
    from nnlab.nn import L2, CrossEntropyLoss
    from nnlab.plots.training import plot_confusion_matrix, plot_learning_curves
    from nnlab.train import confusion_matrix, fit, predict

    s = ctx.pick(SETTINGS)
    X, y = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, seed=ctx.seed)
    model = lecture_mlp(rng=ctx.seed)
    start = time.perf_counter()
    history = fit(model, X_train, y_train, loss=CrossEntropyLoss(reduction="sum"), penalty=L2(LAMBDA),
                  optimizer="sgd", lr=ETA, epochs=s["epochs"], batch_size=100, validation_data=(X_test, y_test),
                  seed=ctx.seed)
    seconds = time.perf_counter() - start
    predicted = predict(model, X_test).argmax(axis=1)
    cm = confusion_matrix(y_test, predicted, n_classes=10)
    curves = plot_learning_curves(history, ctx.path("learning_curves.png"),
                                  title=f"64-50-10 sigmoid, SGD eta={ETA}, lambda={LAMBDA} (validation = test set)")
    matrix = plot_confusion_matrix(cm, ctx.path("confusion_matrix.png"), title="Confusion matrix, test set")
    worst = np.argsort(np.diag(cm) / cm.sum(axis=1))[:2]
    return SectionResult(
        figures=[Figure(curves, "Cross-entropy and accuracy per epoch, training (solid) and test (dashed)."),
                 Figure(matrix, "Rows: true digit, columns: predicted digit.")],
        numbers={"test accuracy": float(np.mean(predicted == y_test)),
                 "train accuracy": float(history.history["accuracy"][-1]), "epochs": s["epochs"],
                 "eta": ETA, "lambda": LAMBDA, "training time (s)": seconds},
        notes=[f"hardest digits here: {', '.join(str(int(d)) for d in worst)}"],
    )


SPEC = SectionSpec(
    key="digits", title="Digits: learning curves and confusion matrix",
    summary="The lecture's network on scikit-learn's 8x8 digits: 64 inputs, 50 sigmoid hidden units, softmax "
            "output, standard-normal weights, summed cross-entropy with L2, plain minibatch SGD (batch 100), "
            "80/20 split.",
    command=f"nnlab digits --activation sigmoid --eta {ETA} --lmbd {LAMBDA} --epochs 100 --batch-size 100 "
            "--output-dir runs/digits", run=run,
    lecture="Developing a code for doing neural networks with back propagation", docs="docs/07-digits-and-grid-search.md")
