"""Convolutional networks: the lecture's CNN on the digits as 1x8x8 images, its filters and feature maps.

Run:  python examples/cnn_digits.py [--quick] [--output-dir DIR]
"""
import argparse
from pathlib import Path

import numpy as np

from nnlab.data import load_digits, train_test_split
from nnlab.models.cnn import feature_maps, first_conv, lecture_cnn
from nnlab.nn import summary
from nnlab.optim import SGD
from nnlab.plots.cnn import plot_feature_maps, plot_filters
from nnlab.train import fit, predict


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few epochs")
    parser.add_argument("--output-dir", type=Path, default=Path("runs/examples"))
    args = parser.parse_args(argv)

    images, y = load_digits(return_images=True)          # (1797, 1, 8, 8): NCHW, as PyTorch
    X_train, X_test, y_train, y_test = train_test_split(images / 16.0, y, test_size=0.2, seed=0)

    # conv 10 filters 3x3 'same' + ReLU -> max-pool 2x2 -> dense 50 ReLU -> dense 10 (softmax in the loss)
    model = lecture_cnn(rng=0)
    print(summary(model, (1, 8, 8)))
    optimizer = SGD(model.parameters(), lr=0.1, momentum=0.9)
    history = fit(model, X_train, y_train, optimizer=optimizer, epochs=5 if args.quick else 30, batch_size=100,
                  validation_data=(X_test, y_test), seed=0)
    accuracy = np.mean(predict(model, X_test).argmax(axis=1) == y_test)
    print(f"test accuracy: {accuracy:.4f} after {len(history.history['loss'])} epochs")

    filters = plot_filters(first_conv(model).weight.numpy(), args.output_dir / "cnn_filters.png")
    maps = plot_feature_maps(X_test[0], feature_maps(model, X_test[0]), args.output_dir / "cnn_feature_maps.png",
                             title=f"feature maps of a test image (label {y_test[0]})")
    print(f"figures: {filters}, {maps}")


if __name__ == "__main__":
    main()
