# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 8. scikit-learn, PyTorch and Keras side by side
#
# nnlab's `MLPClassifier` is a scikit-learn estimator (pipelines and grid searches just work), the
# same network trains in nnlab, scikit-learn, PyTorch and Keras with the same settings, and a
# trained nnlab network becomes a `torch.nn.Sequential`. Missing libraries are skipped.
# (Page: `docs/08-libraries-side-by-side.md`.)

# %% tags=["parameters"]
# Quick mode (NNLAB_QUICK=1, used by the test suite) trains for a few seconds; the default is the full lesson.
import os

QUICK = os.environ.get("NNLAB_QUICK", "0") == "1"

# %%
import importlib.util

import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from nnlab.data import load_digits, train_test_split
from nnlab.estimators import MLPClassifier
from nnlab.experiments import compare_libraries

epochs = 3 if QUICK else 100
X, y = load_digits(dtype=np.float64)
X_train, X_test, y_train, y_test = train_test_split(X, y, seed=0)

# %%
pipeline = make_pipeline(StandardScaler(), MLPClassifier((50,), activation="logistic", solver="sgd",
                                                         learning_rate_init=0.5, momentum=0.0, max_iter=epochs,
                                                         batch_size=100, random_state=0))
search = GridSearchCV(pipeline, {"mlpclassifier__alpha": [1e-4, 1e-1]}, cv=2).fit(X_train, y_train)
search_accuracy = search.score(X_test, y_test)
print(f"GridSearchCV: best {search.best_params_}, test accuracy {search_accuracy:.4f}")

# %%
libraries = ["nnlab", "sklearn"] + [name for name, module in (("torch", "torch"), ("keras", "keras"))
                                    if importlib.util.find_spec(module) and not QUICK]
result = compare_libraries(networks=["64-50-10"], libraries=libraries, epochs=epochs)
print(result.to_markdown())

# %%
fig, ax = plt.subplots(figsize=(6, 4))
for row in result.rows:
    ax.plot(np.arange(1, len(row.epoch_accuracy) + 1), row.epoch_accuracy, label=f"{row.library} {row.network}")
ax.set(xlabel="epoch", ylabel="test accuracy"), ax.legend()
plt.show()

# %%
accuracies = {row.library: row.test_accuracy for row in result.rows}
print(accuracies)
assert search_accuracy > (0.85 if QUICK else 0.95)
assert accuracies["nnlab"] > (0.8 if QUICK else 0.95), accuracies       # headline: nnlab's test accuracy
