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
# # 5. Optimisers
#
# The same network, the same initial weights and the same minibatches, trained by plain SGD,
# momentum, Nesterov, Adagrad, RMSprop and Adam: the lines below differ only by the update rule.
# Then a learning-rate schedule, and a trainable parameter of our own. (Page: `docs/05-optimisers.md`.)

# %% tags=["parameters"]
# Quick mode (NNLAB_QUICK=1, used by the test suite) trains for a few seconds; the default is the full lesson.
import os

QUICK = os.environ.get("NNLAB_QUICK", "0") == "1"

# %%
import matplotlib.pyplot as plt
import numpy as np

from nnlab.data import StandardScaler, load_digits, train_test_split
from nnlab.models import mlp
from nnlab.nn import Module, Parameter
from nnlab.optim import SGD, Adagrad, Adam, ExponentialLR, RMSprop
from nnlab.train import fit

OPTIMIZERS = {
    "SGD eta=0.1": lambda p: SGD(p, lr=0.1),
    "momentum 0.9": lambda p: SGD(p, lr=0.1, momentum=0.9),
    "Nesterov 0.9": lambda p: SGD(p, lr=0.1, momentum=0.9, nesterov=True),
    "Adagrad": lambda p: Adagrad(p, lr=0.05),
    "RMSprop": lambda p: RMSprop(p, lr=1e-3),
    "Adam": lambda p: Adam(p, lr=1e-3),
}

# %%
epochs = 4 if QUICK else 50
X, y = load_digits()
X_train, X_test, y_train, y_test = train_test_split(X, y, seed=0)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
final = {}
plt.figure(figsize=(6, 4))
for name, make in OPTIMIZERS.items():
    model = mlp(64, [50], 10, activation="sigmoid", rng=0)
    history = fit(model, X_train, y_train, optimizer=make(model.parameters()), epochs=epochs, batch_size=32,
                  validation_data=(X_test, y_test), seed=0)
    final[name] = history.last("val_accuracy")
    plt.plot(np.arange(1, epochs + 1), history["loss"], marker=".", label=name)
plt.yscale("log"), plt.xlabel("epoch"), plt.ylabel("training loss"), plt.legend(fontsize=8)
plt.show()
for name, accuracy in final.items():
    print(f"{name:<13} test accuracy {accuracy:.3f}")

# %% [markdown]
# ## A schedule: $\eta_e = 0.1 \cdot 0.8^e$

# %%
model = mlp(64, [50], 10, activation="sigmoid", rng=0)
optimizer = SGD(model.parameters(), lr=0.1, momentum=0.9)
history = fit(model, X_train, y_train, optimizer=optimizer, schedule=ExponentialLR(optimizer, gamma=0.8),
              epochs=epochs, batch_size=32, seed=0)
print("learning rate per epoch:", [round(r, 4) for r in history["lr"]])

# %% [markdown]
# ## A trainable parameter of our own
#
# Any `Parameter` attribute of a `Module` is trained with the rest: here a temperature $T$ that
# divides the logits.

# %%
class Tempered(Module):
    def __init__(self, net):
        self.net = net
        self.temperature = Parameter(np.ones(1, dtype=np.float32))

    def forward(self, x):
        return self.net(x) / self.temperature


tempered = Tempered(mlp(64, [50], 10, activation="sigmoid", rng=0))
fit(tempered, X_train, y_train, optimizer="adam", lr=1e-2, epochs=epochs, batch_size=32, seed=0)
print("learned temperature:", float(tempered.temperature.numpy()[0]))

# %%
assert history["lr"][1] == history["lr"][0] * 0.8
assert float(tempered.temperature.numpy()[0]) != 1.0          # the optimiser moved our parameter
assert max(final.values()) > (0.9 if QUICK else 0.96), final  # headline: best test accuracy
