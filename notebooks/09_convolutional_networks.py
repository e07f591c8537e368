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
# # 9. Convolutional networks
#
# A convolution layer slides small filters over the image, so a filter that detects an edge detects
# it anywhere; pooling keeps the strongest response of each 2x2 block. The lecture's CNN on the 8x8
# digits, its learned filters and feature maps, then LeNet-5 on MNIST or Fashion-MNIST when their
# files are on this machine (see `docs/datasets.md`). (Page: `docs/09-convolutional-networks.md`.)

# %% tags=["parameters"]
# Quick mode (NNLAB_QUICK=1, used by the test suite) trains for a few seconds; the default is the full lesson.
import os

QUICK = os.environ.get("NNLAB_QUICK", "0") == "1"

# %%
import matplotlib.pyplot as plt
import numpy as np

from nnlab.data import get_image_dataset, load_digits, train_test_split
from nnlab.models.cnn import feature_maps, first_conv, lecture_cnn, lenet
from nnlab.nn import summary
from nnlab.optim import SGD, Adam
from nnlab.train import fit, predict

# %%
images, y = load_digits(return_images=True)          # (1797, 1, 8, 8): NCHW, as PyTorch
X_train, X_test, y_train, y_test = train_test_split(images / 16.0, y, test_size=0.2, seed=0)
model = lecture_cnn(rng=0)                           # conv 10@3x3 + ReLU, max-pool 2x2, dense 50 ReLU, dense 10
print(summary(model, (1, 8, 8)))
history = fit(model, X_train, y_train, optimizer=SGD(model.parameters(), lr=0.1, momentum=0.9),
              epochs=3 if QUICK else 30, batch_size=100, validation_data=(X_test, y_test), seed=0)
cnn_accuracy = float(np.mean(predict(model, X_test).argmax(axis=1) == y_test))
print(f"test accuracy: {cnn_accuracy:.4f}")

# %% [markdown]
# ## The learned filters and the feature maps of one test digit

# %%
filters = first_conv(model).weight.numpy()
fig, axes = plt.subplots(1, len(filters), figsize=(1.2 * len(filters), 1.4))
for ax, f in zip(axes, filters):
    ax.imshow(f[0], cmap="gray"), ax.set(xticks=[], yticks=[])
plt.show()
maps = feature_maps(model, X_test[0])
name, first_maps = maps[0]
fig, axes = plt.subplots(1, len(first_maps) + 1, figsize=(1.2 * (len(first_maps) + 1), 1.4))
axes[0].imshow(X_test[0, 0], cmap="gray_r"), axes[0].set(title=f"label {y_test[0]}", xticks=[], yticks=[])
for ax, m in zip(axes[1:], first_maps):
    ax.imshow(m, cmap="viridis"), ax.set(xticks=[], yticks=[])
plt.show()

# %% [markdown]
# ## LeNet-5 on MNIST or Fashion-MNIST
#
# `load_image_dataset` finds the IDX files in `$NNLAB_DATA/<name>` or the user data directory; when
# they are not there, this part says where to put them and is skipped.

# %%
mnist_accuracy = None
for name in ("mnist", "fashion-mnist"):
    dataset = get_image_dataset(name)
    try:
        X_big, y_big = dataset.load("train")
        X_big_test, y_big_test = dataset.load("test")
    except FileNotFoundError as error:
        print(error)
        continue
    n_train, n_test = (1000, 300) if QUICK else (60000, 10000)
    net = lenet(rng=0)
    fit(net, X_big[:n_train], y_big[:n_train], optimizer=Adam(net.parameters(), lr=1e-3), epochs=1 if QUICK else 5,
        batch_size=64, seed=0)
    accuracy = float(np.mean(predict(net, X_big_test[:n_test]).argmax(axis=1) == y_big_test[:n_test]))
    print(f"LeNet-5 on {dataset.title}: test accuracy {accuracy:.4f} (classes: {', '.join(dataset.class_names)})")
    if name == "mnist":
        mnist_accuracy = accuracy

# %%
assert cnn_accuracy > (0.6 if QUICK else 0.95), cnn_accuracy          # headline: the CNN's test accuracy on digits
assert mnist_accuracy is None or mnist_accuracy > (0.5 if QUICK else 0.97), mnist_accuracy
