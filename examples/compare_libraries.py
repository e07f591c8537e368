"""scikit-learn, PyTorch and Keras side by side: nnlab's estimator inside scikit-learn's tools, the
lecture's networks trained by every library at the same settings, and a model handed to PyTorch.

Run:  python examples/compare_libraries.py [--quick] [--output-dir DIR]
"""
import argparse
from pathlib import Path

import numpy as np
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from nnlab.data import load_digits, train_test_split
from nnlab.estimators import MLPClassifier
from nnlab.experiments import compare_libraries
from nnlab.plots.compare import plot_epoch_accuracy


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few epochs")
    parser.add_argument("--output-dir", type=Path, default=Path("runs/examples"))
    args = parser.parse_args(argv)
    epochs = 3 if args.quick else 100

    # 1. nnlab's MLPClassifier is a scikit-learn estimator: pipelines and grid searches just work.
    X, y = load_digits(dtype=np.float64)
    X_train, X_test, y_train, y_test = train_test_split(X, y, seed=0)
    pipeline = make_pipeline(StandardScaler(), MLPClassifier((50,), activation="logistic", solver="sgd",
                                                             learning_rate_init=0.5, momentum=0.0,
                                                             max_iter=epochs, batch_size=100, random_state=0))
    search = GridSearchCV(pipeline, {"mlpclassifier__alpha": [1e-4, 1e-1]}, cv=2).fit(X_train, y_train)
    print(f"GridSearchCV over alpha: best {search.best_params_}, test accuracy {search.score(X_test, y_test):.4f}")

    # 2. The lecture's two networks in nnlab, scikit-learn, PyTorch and Keras (missing libraries are skipped).
    result = compare_libraries(networks=["64-50-10"] if args.quick else ["64-50-10", "64-100-50-10"], epochs=epochs)
    print(result.to_markdown())
    path = plot_epoch_accuracy(result, args.output_dir / "compare_libraries.png")

    # 3. A trained nnlab network becomes a torch.nn.Sequential with the same weights (if PyTorch is installed).
    try:
        import torch

        from nnlab.export import to_torch
    except ImportError:
        print("PyTorch is not installed: skipping the export")
    else:
        from nnlab.models import mlp
        from nnlab.train import fit, predict

        model = mlp(64, [50], 10, activation="sigmoid", dtype=np.float64, rng=0)
        fit(model, X_train / 16, y_train, optimizer="sgd", lr=0.5, epochs=epochs, seed=0)
        module = to_torch(model)
        with torch.no_grad():
            theirs = module(torch.from_numpy(X_test / 16)).numpy()
        print(f"to_torch: largest difference of the logits {np.max(np.abs(theirs - predict(model, X_test / 16))):.1e}")
    print(f"figure: {path}")


if __name__ == "__main__":
    main()
