"""A convolutional classifier as a scikit-learn estimator: :class:`CNNClassifier`.

The network is :func:`nnlab.models.lecture_cnn` (conv 3x3 'same' + ReLU, 2x2 max-pool,
dense ReLU, output) or :func:`nnlab.models.cnn.lenet`; training, stopping rules and fitted
attributes are those of :class:`nnlab.estimators.MLPClassifier` (see :mod:`nnlab.estimators.base`).
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.utils.metaestimators import available_if

from nnlab._validation import check_integer
from nnlab.estimators.base import (
    BaseNetworkEstimator, NetworkClassifierMixin, _check_choice, generator_from,
)
from nnlab.estimators.mlp import _stochastic

__all__ = ["CNNClassifier", "ARCHITECTURES"]

ARCHITECTURES = ("lecture", "lenet")


def _image_shape(shape: Any) -> tuple[int, int, int]:
    try:
        shape = tuple(int(s) for s in shape)
    except TypeError:
        shape = ()
    if len(shape) == 2:
        shape = (1, *shape)
    if len(shape) != 3 or min(shape) < 1:
        raise ValueError(f"image_shape must be (channels, height, width) or (height, width), got {shape!r}")
    return shape


class CNNClassifier(NetworkClassifierMixin, BaseNetworkEstimator):
    """Convolutional network classifier for images, scikit-learn compatible.

    ``X`` is either images (n, C, H, W) (NCHW, as PyTorch; (n, H, W) means one channel) or
    flat rows (n, C*H*W) with ``image_shape`` (C, H, W); with neither, square one-channel
    images are assumed (the digits' 64 features are 1x8x8). Predict with the same layout.

    Parameters
    ----------
    image_shape : (C, H, W), (H, W) or None, default=None
        The shape of one image when ``X`` comes as flat rows.
    architecture : {'lecture', 'lenet'}, default='lecture'
        'lecture': conv(n_filters, kernel_size, 'same') + ReLU, 2x2 max-pool, dense n_hidden ReLU,
        output (the lecture's CNN); 'lenet': LeNet-5 with ReLU (for 28x28 images).
    n_filters, kernel_size, n_hidden : int, defaults 10, 3, 50
        Sizes of the 'lecture' network.
    dtype : 'float32' or 'float64' or None, default='float32'
        The network's precision (None follows the input).
    solver, alpha, batch_size, learning_rate, learning_rate_init, power_t, max_iter, shuffle,
    random_state, tol, verbose, warm_start, momentum, nesterovs_momentum, early_stopping,
    validation_fraction, beta_1, beta_2, epsilon, n_iter_no_change, max_fun, output_activation,
    l1, class_weight :
        As :class:`nnlab.estimators.MLPClassifier`.

    Attributes
    ----------
    image_shape_ : (C, H, W)
        The image shape the network takes.
    classes_, network_, coefs_ (convolution filters (out, in, kh, kw) and dense weights),
    intercepts_, loss_curve_, ... : as :class:`nnlab.estimators.MLPClassifier`.
    """

    def __init__(self, image_shape: Sequence[int] | None = None, architecture: str = "lecture", n_filters: int = 10,
                 kernel_size: int = 3, n_hidden: int = 50, *, solver: str = "adam", alpha: float = 0.0001,
                 batch_size: int | str = "auto", learning_rate: str = "constant", learning_rate_init: float = 0.001,
                 power_t: float = 0.5, max_iter: int = 200, shuffle: bool = True, random_state: Any = None,
                 tol: float = 1e-4, verbose: int = False, warm_start: bool = False, momentum: float = 0.9,
                 nesterovs_momentum: bool = True, early_stopping: bool = False, validation_fraction: float = 0.1,
                 beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-8, n_iter_no_change: int = 10,
                 max_fun: int = 15000, dtype: Any = "float32", output_activation: str = "auto", l1: float = 0.0,
                 class_weight: Any = None):
        self.image_shape = image_shape
        self.architecture = architecture
        self.n_filters = n_filters
        self.kernel_size = kernel_size
        self.n_hidden = n_hidden
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.dtype = dtype
        self.output_activation = output_activation
        self.l1 = l1
        self.class_weight = class_weight

    def _check_extra_params(self) -> None:
        _check_choice("architecture", self.architecture, ARCHITECTURES)
        check_integer(self.n_filters, "n_filters")
        check_integer(self.kernel_size, "kernel_size")
        check_integer(self.n_hidden, "n_hidden")
        if self.image_shape is not None:
            _image_shape(self.image_shape)
        self._check_output_activation()

    def _prepare_input(self, X: Any, fitting: bool) -> Any:
        """Images (n, C, H, W) or (n, H, W) become rows (n, C*H*W); their shape is remembered."""
        if fitting:
            self._input_image_shape = None
        if X is None or sp.issparse(X) or hasattr(X, "columns"):
            return X
        arr = np.asarray(X)
        if arr.ndim not in (3, 4) or arr.dtype == object:
            return X
        shape = (1, *arr.shape[1:]) if arr.ndim == 3 else tuple(arr.shape[1:])
        if fitting:
            self._input_image_shape = shape
        elif hasattr(self, "image_shape_") and shape != self.image_shape_:
            raise ValueError(f"X holds images of shape {shape} but the network was fitted on {self.image_shape_}; "
                             "pass images of the fitted shape")
        return arr.reshape(arr.shape[0], -1)

    def _resolve_image_shape(self, n_features: int) -> tuple[int, int, int]:
        seen = getattr(self, "_input_image_shape", None)
        if self.image_shape is not None:
            shape = _image_shape(self.image_shape)
        elif seen is not None:
            shape = seen
        else:
            side = math.isqrt(n_features)
            if side * side != n_features:
                raise ValueError(f"X has {n_features} features, which is not a square image; pass images "
                                 "(n, C, H, W) or set image_shape=(C, H, W)")
            shape = (1, side, side)
        if shape[0] * shape[1] * shape[2] != n_features:
            raise ValueError(f"image_shape {shape} holds {shape[0] * shape[1] * shape[2]} values but X has "
                             f"{n_features} features per sample; fix image_shape")
        return shape

    def _build_network(self, n_features: int, n_outputs: int, dtype: np.dtype,
                       random_state: np.random.RandomState):
        from nnlab.models.cnn import lecture_cnn, lenet

        self.image_shape_ = self._resolve_image_shape(n_features)
        rng = generator_from(random_state)
        if self.architecture == "lenet":
            return lenet(self.image_shape_, n_classes=n_outputs, flat_input=True, dtype=dtype, rng=rng)
        if min(self.image_shape_[1:]) < 2:
            raise ValueError(f"images of shape {self.image_shape_} are too small for 2x2 pooling; they need "
                             "height and width >= 2")
        return lecture_cnn(self.image_shape_, n_filters=int(self.n_filters), kernel_size=int(self.kernel_size),
                           n_hidden=int(self.n_hidden), n_classes=n_outputs, flat_input=True, dtype=dtype, rng=rng)

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> "CNNClassifier":
        """Train on images (n, C, H, W) or flat rows (n, C*H*W) and their labels.

        Parameters
        ----------
        X : array of shape (n_samples, C, H, W), (n_samples, H, W) or (n_samples, C*H*W)
        y : array of shape (n_samples,)
        sample_weight : array of shape (n_samples,), optional

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=False)

    @available_if(_stochastic)
    def partial_fit(self, X: Any, y: Any, sample_weight: Any = None, classes: Any = None) -> "CNNClassifier":
        """One epoch over (X, y), continuing from the current weights; ``classes`` on the first call."""
        return self._fit(X, y, sample_weight=sample_weight, incremental=True, classes=classes)
