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
# # Project 2, part 2: classification of breast-cancer data and MNIST, against scikit-learn
#
# The same network code as for regression, now with a cross-entropy cost: logistic regression and
# a small network on the Wisconsin breast-cancer data, compared with scikit-learn's
# `LogisticRegression` and `MLPClassifier`; then handwritten digits from MNIST (when its files are
# on this machine, see `docs/datasets.md`; otherwise the 8x8 digits).
# (Pages: `docs/04-cost-functions-and-regularisation.md`, `docs/datasets.md`, `docs/08-libraries-side-by-side.md`.)

# %% tags=["parameters"]
# Quick mode (NNLAB_QUICK=1, used by the test suite) trains for a few seconds; the default is the full lesson.
import os

QUICK = os.environ.get("NNLAB_QUICK", "0") == "1"

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier

from nnlab.data import StandardScaler, load_breast_cancer, load_digits, load_mnist, train_test_split
from nnlab.models import logistic_regression, mlp
from nnlab.nn import L2
from nnlab.train import confusion_matrix, fit, predict

# %% [markdown]
# ## Breast cancer: 569 tumours, 30 features, malignant (0) or benign (1)
#
# Features are standardised with the training rows' mean and spread only.

# %%
X, y = load_breast_cancer(dtype=np.float64)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, seed=0, stratify=True)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
epochs = 20 if QUICK else 100

logistic = logistic_regression(30)
fit(logistic, X_train, y_train, loss="binary_crossentropy", optimizer="sgd", lr=0.1, epochs=epochs, batch_size=32,
    penalty=L2(1e-3), seed=0)
network = mlp(30, [20], 1, activation="relu", dtype=np.float64, rng=0)
history = fit(network, X_train, y_train, loss="binary_crossentropy", optimizer="adam", lr=1e-3, epochs=epochs,
              batch_size=32, penalty=L2(1e-3), validation_data=(X_test, y_test), metrics=["accuracy"], seed=0)


def accuracy(model):
    return float(np.mean((predict(model, X_test)[:, 0] > 0) == y_test))   # logit > 0 <=> p > 1/2


scores = {
    "nnlab logistic regression": accuracy(logistic),
    "nnlab 30-20-1 network": accuracy(network),
    "scikit-learn LogisticRegression": LogisticRegression(max_iter=1000).fit(X_train, y_train).score(X_test, y_test),
    "scikit-learn MLPClassifier": MLPClassifier(hidden_layer_sizes=(20,), max_iter=epochs * 5, random_state=0)
    .fit(X_train, y_train).score(X_test, y_test),
}
for name, score in scores.items():
    print(f"{name:<32} test accuracy {score:.3f}")
plt.figure(figsize=(6, 3.5))
plt.plot(history["accuracy"], label="train"), plt.plot(history["val_accuracy"], label="test")
plt.xlabel("epoch"), plt.ylabel("accuracy"), plt.legend(), plt.title("30-20-1 network")
plt.show()
print(confusion_matrix(y_test, (predict(network, X_test)[:, 0] > 0).astype(int), n_classes=2))

# %% [markdown]
# ## Handwritten digits: MNIST
#
# `load_mnist()` finds the files in `$NNLAB_DATA/mnist` or the user data directory; without them
# this part uses the lecture's 8x8 digits.

# %%
try:
    X_digits, y_digits = load_mnist(kind="train", flatten=True)
    X_digits_test, y_digits_test = load_mnist(kind="test", flatten=True)
    n_train, n_test = (3000, 1000) if QUICK else (60000, 10000)
    X_digits, y_digits = X_digits[:n_train], y_digits[:n_train]
    X_digits_test, y_digits_test = X_digits_test[:n_test], y_digits_test[:n_test]
    source = "MNIST"
except FileNotFoundError as error:
    print(error)
    X8, y8 = load_digits()
    X_digits, X_digits_test, y_digits, y_digits_test = train_test_split(X8 / 16, y8, test_size=0.2, seed=0)
    source = "8x8 digits"
n_features = X_digits.shape[1]
digits_net = mlp(n_features, [100], 10, activation="relu", rng=0)
fit(digits_net, X_digits, y_digits, optimizer="adam", lr=1e-3, epochs=3 if QUICK else 20, batch_size=64, seed=0)
digits_accuracy = float(np.mean(predict(digits_net, X_digits_test).argmax(axis=1) == y_digits_test))
print(f"{source}: {n_features}-100-10 ReLU network, test accuracy {digits_accuracy:.4f}")

# %%
assert scores["nnlab logistic regression"] > 0.93, scores      # headline: breast-cancer test accuracy
assert abs(scores["nnlab logistic regression"] - scores["scikit-learn LogisticRegression"]) < 0.05
assert digits_accuracy > (0.8 if QUICK else 0.95), digits_accuracy
