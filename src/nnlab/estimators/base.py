"""What every nnlab estimator shares: scikit-learn's contract on top of nnlab.models + nnlab.train.

An estimator here is an adapter (STYLE rule 9). ``fit`` validates the data the way
scikit-learn does (:func:`sklearn.utils.validation.validate_data`), turns the parameters into a
network (a builder of :mod:`nnlab.models`), an optimiser (:mod:`nnlab.optim`), a loss, an L2/L1
penalty (:mod:`nnlab.nn.regularization`) and scikit-learn's end-of-epoch rules (a callback), and
calls :func:`nnlab.train.fit`; ``solver='lbfgs'`` runs SciPy's L-BFGS-B on the same cost instead.

Conventions taken from scikit-learn's ``MLPClassifier``/``MLPRegressor``:

- the cost on a batch B of n rows is  L_B + alpha / (2 n) ||W||^2  (+ l1 / n ||W||_1, ours),
  L_B the mean loss over the batch (weighted: sum_i w_i l_i / sum_i w_i), W all weights (no
  biases); with sample weights n is the expected total weight of a batch;
- ``batch_size='auto'`` is min(200, n_samples); a larger size is clipped with a warning;
- ``learning_rate`` ('constant', 'invscaling', 'adaptive') drives every solver except 'adam'
  (scikit-learn: only 'sgd'; Adam keeps ``learning_rate_init``);
- stopping: after ``n_iter_no_change`` epochs whose training loss does not drop below
  best - tol (or, with ``early_stopping``, whose validation score, weighted by the sample and
  class weights, does not rise above best + tol on a held-out ``validation_fraction``,
  stratified for binary targets, with the best weights restored at the end); ``max_iter``
  epochs at most (L-BFGS: iterations);
- a training loss that becomes NaN or infinite raises scikit-learn's ValueError ("Solver
  produced non-finite parameter weights"); with early stopping and a finite best score the fit
  ends there, records NaN and keeps the best weights (scikit-learn runs on to ``max_iter``);
- ``verbose``: a progress bar on a terminal, scikit-learn's ``Iteration n, loss = ...`` lines
  on stdout elsewhere (notebooks, logs);
- sparse X (CSR, CSC): only the first layer's product touches it, batch by batch
  (:mod:`nnlab.estimators._sparse`);
- fitted attributes ``n_features_in_``, ``feature_names_in_``, ``n_iter_``, ``t_``, ``loss_``,
  ``loss_curve_``, ``best_loss_``, ``validation_scores_``, ``best_validation_score_``,
  ``n_layers_``, ``n_outputs_``, ``out_activation_``, and ``coefs_`` / ``intercepts_`` as
  *views* of the network's weight and bias arrays (assigning them sets the weights). Ours: ``network_`` (the trained
  :class:`nnlab.nn.Sequential`, savable with :func:`nnlab.io.save_model`) and
  ``validation_loss_curve_`` (the loss on the validation set per epoch, with early stopping).
"""
from __future__ import annotations

import math
import numbers
import warnings
from typing import Any, Callable

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import check_random_state, column_or_1d
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets, unique_labels
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from nnlab._validation import check_integer, check_number
from nnlab.estimators._lbfgs import minimize_lbfgs
from nnlab.estimators._losses import HalfPoissonDeviance, HalfSquaredError, SummedBCEWithLogits
from nnlab.estimators._rules import SklearnRules, verbose_lines
from nnlab.estimators._sparse import sparse_input_model
from nnlab.nn.losses import CrossEntropyLoss
from nnlab.nn.regularization import L1, L2, l2_from_sklearn_alpha
from nnlab.optim import OPTIMIZERS, SGD, Adam, get_optimizer
from nnlab.train import TrainingDivergedError
from nnlab.train import fit as train_fit
from nnlab.train import predict as train_predict

__all__ = ["BaseNetworkEstimator", "NetworkClassifierMixin", "NetworkRegressorMixin", "SOLVERS", "LEARNING_RATES",
           "generator_from"]

SOLVERS: tuple[str, ...] = ("lbfgs", *OPTIMIZERS)
LEARNING_RATES = ("constant", "invscaling", "adaptive")
_SEED_HIGH = np.iinfo(np.int32).max


# ----------------------------------------------------------------------------------------------
# Parameter checks (in fit, never in __init__, as scikit-learn requires): numbers through
# nnlab._validation (TypeError for the wrong kind, ValueError out of range), choices here
# ----------------------------------------------------------------------------------------------
def _check_choice(name: str, value: Any, choices: tuple) -> None:
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}, got {value!r}")


def generator_from(random_state: np.random.RandomState) -> np.random.Generator:
    """A NumPy Generator seeded by one draw from scikit-learn's RandomState."""
    return np.random.default_rng(random_state.randint(_SEED_HIGH))


def resolve_dtype(dtype: Any, input_dtype: Any) -> np.dtype:
    """The network's dtype: ``dtype`` itself, or (None) the input's when float32, else float64."""
    if dtype is None:
        return np.dtype(np.float32) if np.dtype(input_dtype) == np.float32 else np.dtype(np.float64)
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        resolved = None
    if resolved not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"dtype must be None (follow the input), 'float32' or 'float64', got {dtype!r}")
    return resolved


def _check_sample_weight(sample_weight: Any, n_samples: int, dtype: Any) -> np.ndarray | None:
    """scikit-learn's rules: None, a scalar (same weight for all) or (n_samples,) finite values >= 0."""
    if sample_weight is None:
        return None
    if isinstance(sample_weight, numbers.Number):
        return np.full(n_samples, float(sample_weight), dtype=dtype)
    sw = check_array(sample_weight, ensure_2d=False, dtype=[np.float64, np.float32], input_name="sample_weight")
    if sw.ndim != 1:
        raise ValueError(f"Sample weights must be 1D array or scalar, got an array of shape {sw.shape}")
    if sw.shape[0] != n_samples:
        raise ValueError(f"sample_weight.shape == {sw.shape}, expected {(n_samples,)}!")
    if (sw < 0).any():
        raise ValueError("Negative values in data passed to `sample_weight`; weights must be >= 0")
    return sw.astype(dtype, copy=True)


_NON_FINITE = ("Solver produced non-finite parameter weights. The input data may contain large values and need "
               "to be preprocessed (e.g. StandardScaler), or lower learning_rate_init.")


# ----------------------------------------------------------------------------------------------
# The shared estimator
# ----------------------------------------------------------------------------------------------
class BaseNetworkEstimator(BaseEstimator):
    """Base class of :class:`~nnlab.estimators.MLPClassifier`, :class:`~nnlab.estimators.MLPRegressor`
    and :class:`~nnlab.estimators.CNNClassifier`. Do not use directly.

    Subclasses store their parameters in ``__init__`` and provide ``_build_network``; the
    classifier/regressor mixins provide the target handling.
    """

    # -- hooks ---------------------------------------------------------------------------------
    def _build_network(self, n_features: int, n_outputs: int, dtype: np.dtype,
                       random_state: np.random.RandomState):
        """The untrained network; its random draws come from ``random_state`` (scikit-learn's)."""
        raise NotImplementedError(f"{type(self).__name__} must implement _build_network")

    def _prepare_input(self, X: Any, fitting: bool) -> Any:
        """Turn inputs into rows before validation (the CNN flattens images here)."""
        return X

    def _check_extra_params(self) -> None:
        """Checks of the parameters a subclass adds."""

    # -- parameters ----------------------------------------------------------------------------
    def _check_params(self) -> None:
        _check_choice("solver", self.solver, SOLVERS)
        check_number("alpha", self.alpha, 0)
        check_number("l1", getattr(self, "l1", 0.0), 0)
        if not (self.batch_size == "auto" or (isinstance(self.batch_size, numbers.Integral)
                                             and not isinstance(self.batch_size, bool) and self.batch_size >= 1)):
            raise ValueError(f"batch_size must be 'auto' or a positive integer, got {self.batch_size!r}")
        _check_choice("learning_rate", self.learning_rate, LEARNING_RATES)
        check_number("learning_rate_init", self.learning_rate_init, 0, low_open=True)
        check_number("power_t", self.power_t, 0)
        check_integer(self.max_iter, "max_iter")
        check_number("tol", self.tol, 0)
        check_number("momentum", self.momentum, 0, 1, high_open=True)
        check_number("validation_fraction", self.validation_fraction, 0, 1, high_open=True)
        if self.early_stopping and self.validation_fraction <= 0:
            raise ValueError("early_stopping=True needs a validation_fraction in (0, 1), got "
                             f"{self.validation_fraction!r}; pass e.g. validation_fraction=0.1")
        check_number("beta_1", self.beta_1, 0, 1, high_open=True)
        check_number("beta_2", self.beta_2, 0, 1, high_open=True)
        check_number("epsilon", self.epsilon, 0, low_open=True)
        if self.n_iter_no_change != math.inf:  # inf: never stop early, as scikit-learn allows
            check_integer(self.n_iter_no_change, "n_iter_no_change")
        check_integer(self.max_fun, "max_fun")
        check_number("dropout", getattr(self, "dropout", 0.0), 0, 1, high_open=True)
        if self.solver == "lbfgs" and getattr(self, "dropout", 0.0):
            raise ValueError("dropout needs a stochastic solver: L-BFGS minimises a fixed cost; "
                             "use solver='adam' or 'sgd', or dropout=0")
        resolve_dtype(self.dtype, np.float64)
        self._check_extra_params()

    # -- validation ----------------------------------------------------------------------------
    _y_numeric = False
    _accept_sparse: Any = False  # the MLPs: ("csr", "csc"), as scikit-learn's

    def _validate_fit_data(self, X: Any, y: Any, reset: bool) -> tuple[np.ndarray, np.ndarray]:
        X = self._prepare_input(X, fitting=True)
        X, y = validate_data(self, X, y, dtype=(np.float64, np.float32), multi_output=True,
                             y_numeric=self._y_numeric, reset=reset, accept_sparse=self._accept_sparse)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        return X, y

    def _validate_predict_data(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        X = self._prepare_input(X, fitting=False)
        return validate_data(self, X, dtype=(np.float64, np.float32), reset=False, accept_sparse=self._accept_sparse)

    def _network_input(self, X: Any) -> tuple[Any, np.ndarray]:
        """(model, rows) to train or predict on validated ``X``: ``network_`` and X as an array, or
        for a sparse X the network reading its rows by number (:mod:`nnlab.estimators._sparse`)."""
        if not sp.issparse(X):
            return self.network_, np.ascontiguousarray(X, dtype=self._dtype)
        if self._dtype == np.float32 and X.shape[0] > 2 ** 24:
            raise ValueError(f"sparse X has {X.shape[0]} rows, more than float32 numbers its rows exactly; "
                             "pass dtype='float64'")
        return sparse_input_model(self.network_, X, self._dtype)

    def _raw_output(self, X: Any) -> np.ndarray:
        """The network's output (logits for classifiers) on validated ``X``."""
        model, rows = self._network_input(self._validate_predict_data(X))
        return train_predict(model, rows)

    def _validation_score(self, model: Any, rows: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None) -> float:
        """The score (accuracy or R^2) of ``model`` on held-out ``rows`` with the user's ``y``,
        weighted by ``sample_weight``; NaN when the outputs are not finite (as scikit-learn)."""
        raw = train_predict(model, rows)
        if not np.isfinite(raw).all():
            return float("nan")
        return float(self._score_function()(y, self._predict_from_raw(raw), sample_weight=sample_weight))

    # -- fitting -------------------------------------------------------------------------------
    def _initialize(self, X: np.ndarray, n_outputs: int, random_state: np.random.RandomState) -> None:
        self._dtype = resolve_dtype(self.dtype, X.dtype)
        self.network_ = self._build_network(X.shape[1], n_outputs, self._dtype, random_state)
        self.n_outputs_ = int(n_outputs)
        self.n_layers_ = sum(1 for name, _ in self.network_.named_parameters() if name.endswith("weight")) + 1
        self.n_iter_ = 0
        self.t_ = 0
        self.loss_curve_: list[float] = []
        self._no_improvement_count = 0
        self._epochs_done = 0
        self._optimizer = None
        self._best_state = self.network_.state_dict()
        if self.early_stopping:
            self.validation_scores_: list[float] | None = []
            self.validation_loss_curve_: list[float] | None = []
            self.best_validation_score_: float | None = -np.inf
            self.best_loss_: float | None = None
        else:
            self.validation_scores_ = self.validation_loss_curve_ = self.best_validation_score_ = None
            self.best_loss_ = np.inf

    def _fit(self, X: Any, y: Any, sample_weight: Any = None, incremental: bool = False,
             classes: Any = None) -> "BaseNetworkEstimator":
        self._check_params()
        if incremental and self.early_stopping:
            raise ValueError("partial_fit does not support early_stopping=True; set early_stopping=False "
                             "or call fit")
        first_pass = not hasattr(self, "network_") or (not self.warm_start and not incremental)
        X, y = self._validate_fit_data(X, y, reset=first_pass)
        targets, n_outputs = self._encode_targets(y, first_pass, incremental, classes)
        weights = self._sample_weight(sample_weight, X, y)
        random_state = check_random_state(self.random_state)
        if first_pass:
            self._initialize(X, n_outputs, random_state)
        elif n_outputs != self.n_outputs_:
            raise ValueError(f"y has {n_outputs} outputs but the network was fitted with {self.n_outputs_}; "
                             "use warm_start=False (or fit) to start again")
        if self.early_stopping and self.validation_scores_ is None:  # switched on between warm starts
            self.validation_scores_, self.validation_loss_curve_, self.best_validation_score_ = [], [], -np.inf
        model, rows = self._network_input(X)
        if self.solver == "lbfgs":
            self._fit_lbfgs(model, rows, targets, weights)
        else:
            self._fit_stochastic(model, rows, y, targets, weights, incremental, random_state)
        if not all(np.isfinite(p.data).all() for p in self.network_.parameters()):
            raise ValueError(_NON_FINITE)
        return self

    def _sample_weight(self, sample_weight: Any, X: np.ndarray, y: np.ndarray) -> np.ndarray | None:
        sw = _check_sample_weight(sample_weight, X.shape[0], np.float64)
        class_sw = self._class_sample_weight(y)
        if class_sw is not None:
            sw = class_sw if sw is None else sw * class_sw
        if sw is None:
            return None
        total = float(sw.sum())
        if not total > 0:
            raise ValueError("Sample weights must contain at least one non-zero number: all weights are zero; "
                             "give at least one sample a positive weight")
        if np.all(sw == sw[0]):
            return None  # equal weights: sum_i w l_i / sum_i w is the plain mean, computed faster
        return sw

    def _class_sample_weight(self, y: np.ndarray) -> np.ndarray | None:
        return None

    def _batch_size(self, n_samples: int) -> int:
        if self.batch_size == "auto":
            return min(200, n_samples)
        if self.batch_size > n_samples:
            warnings.warn(f"Got `batch_size` larger than sample size ({self.batch_size} > {n_samples}). "
                          "It is going to be clipped", UserWarning, stacklevel=5)
        return int(np.clip(self.batch_size, 1, n_samples))

    def _penalty(self, batch_weight: float) -> Callable | None:
        """alpha / (2 n) ||W||^2 + l1 / n ||W||_1 with n the weight of a batch (:mod:`nnlab.nn.regularization`)."""
        parts = []
        if self.alpha > 0:
            parts.append(L2(l2_from_sklearn_alpha(self.alpha, batch_weight, reduction="mean")))
        l1 = getattr(self, "l1", 0.0)
        if l1 > 0:
            parts.append(L1(l1 / batch_weight))
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else parts[0] + parts[1]

    def _make_optimizer(self):
        lr = float(self.learning_rate_init)
        if self.solver == "sgd":
            return SGD(self.network_, lr=lr, momentum=float(self.momentum),
                       nesterov=bool(self.nesterovs_momentum) and self.momentum > 0)
        if self.solver == "adam":
            return Adam(self.network_, lr=lr, betas=(float(self.beta_1), float(self.beta_2)), eps=float(self.epsilon))
        return get_optimizer(self.solver, self.network_, lr=lr)

    def _fit_stochastic(self, model: Any, rows: np.ndarray, y: np.ndarray, targets: np.ndarray,
                        weights: np.ndarray | None, incremental: bool, random_state: np.random.RandomState) -> None:
        if not incremental or self._optimizer is None:
            self._optimizer = self._make_optimizer()
        validation_data, validation, w_train = None, None, weights
        if self.early_stopping:
            # scikit-learn's splitter, not nnlab.data.train_test_split (the lecture's teaching code): drawn
            # from random_state as scikit-learn draws it, the validation rows are scikit-learn's for the same
            # random_state, so the training path matches scikit-learn's MLP with early stopping too
            # (test_early_stopping_validation_rows_and_path_are_scikit_learns). It splits row numbers, so a
            # sparse X is never copied whole
            stratify = self._stratify_labels(y)
            n, n_classes = len(rows), 0 if stratify is None else len(np.unique(stratify))
            # scikit-learn's ceil(fraction n) rows, but at least 2 (and one per class when stratified)
            # where scikit-learn raises, so a tiny data set still fits
            n_val = max(math.ceil(self.validation_fraction * n), 2, n_classes)
            if n - n_val < max(n_classes, 1):
                raise ValueError(f"The validation set is too small: {n} rows leave none to train on after the "
                                 f"{n_val} validation rows early_stopping needs. Use more data or early_stopping=False")
            train, val = train_test_split(np.arange(n), random_state=random_state, test_size=n_val, stratify=stratify)
            validation_data = (rows[val], targets[val])
            validation = (rows[val], y[val], None if weights is None else weights[val])
            rows, targets = rows[train], targets[train]
            w_train = None if weights is None else weights[train]
        n_train = rows.shape[0]
        batch_size = self._batch_size(n_train)
        mean_weight = 1.0 if w_train is None else float(np.mean(w_train))
        penalty = self._penalty(batch_size * mean_weight)
        schedule = None if self.solver == "adam" else self.learning_rate
        rules = SklearnRules(self, penalty, n_train, schedule, validation)
        epochs = 1 if incremental else int(self.max_iter)
        seed = int(random_state.randint(_SEED_HIGH))
        start = self._epochs_done
        self.n_iter_ = 0
        try:
            with np.errstate(over="ignore", under="ignore"):
                train_fit(model, rows, targets, loss=self._make_loss(), optimizer=self._optimizer,
                          epochs=start + epochs, initial_epoch=start, batch_size=batch_size,
                          validation_data=validation_data, metrics=(), callbacks=[rules], penalty=penalty,
                          shuffle=bool(self.shuffle), seed=seed, verbose=int(self.verbose), sample_weight=w_train)
        except TrainingDivergedError as exc:
            self._diverged(exc)
            rules.stopped = True
        self._epochs_done += self.n_iter_
        if self.early_stopping:
            self.network_.load_state_dict(self._best_state)
        if not incremental and not rules.stopped and self.n_iter_ == self.max_iter:
            warnings.warn(f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached and the "
                          "optimization hasn't converged yet.", ConvergenceWarning, stacklevel=4)

    def _diverged(self, exc: TrainingDivergedError) -> None:
        """A non-finite training loss: scikit-learn's ValueError, or with early stopping and a finite
        best validation score, the epoch recorded as NaN and the best weights kept (as scikit-learn)."""
        if not (self.early_stopping and np.isfinite(self.best_validation_score_)):
            raise ValueError(f"{_NON_FINITE} ({exc})") from exc
        self.n_iter_ += 1
        self.loss_ = float("nan")
        self.loss_curve_.append(self.loss_)
        self.validation_scores_.append(float("nan"))
        self.validation_loss_curve_.append(float("nan"))
        warnings.warn(f"the training loss became non-finite in epoch {self.n_iter_} ({exc}); training stopped "
                      "and the weights of the best validation score are kept. Lower learning_rate_init.",
                      ConvergenceWarning, stacklevel=5)

    def _fit_lbfgs(self, model: Any, rows: np.ndarray, targets: np.ndarray, weights: np.ndarray | None) -> None:
        total_weight = rows.shape[0] if weights is None else float(weights.sum())
        penalty = self._penalty(total_weight)
        y = self._lbfgs_targets(targets)
        result = minimize_lbfgs(model, rows, y, self._make_loss(), sample_weight=weights, penalty=penalty,
                                max_iter=int(self.max_iter), max_fun=int(self.max_fun), tol=float(self.tol))
        self.n_iter_ = result.n_iter
        self.t_ += rows.shape[0]
        self.loss_ = result.loss
        self.loss_curve_.extend(result.losses)
        self.best_loss_ = min(result.losses) if result.losses else result.loss
        if verbose_lines(self.verbose):  # SciPy reports nothing per iteration; the losses it went through
            for k, value in enumerate(result.losses, 1):
                print(f"Iteration {k}, loss = {value:.8f}")
        if not result.converged:
            warnings.warn(f"lbfgs failed to converge after {result.n_iter} iteration(s) ({result.message}). "
                          "Increase the number of iterations (max_iter) or scale the data.",
                          ConvergenceWarning, stacklevel=4)

    def _lbfgs_targets(self, targets: np.ndarray) -> np.ndarray:
        """Targets as the loss takes them outside fit (which would otherwise do this)."""
        if targets.dtype.kind == "f":
            t = targets.astype(self._dtype, copy=False)
            return t.reshape(-1, 1) if t.ndim == 1 else t
        return targets

    # -- views of the weights ------------------------------------------------------------------
    def _named_arrays(self, kind: str) -> list:
        if "network_" not in vars(self):
            raise AttributeError(f"{type(self).__name__} has no layer arrays before fit; call fit first "
                                 "(fit with max_iter=1 builds the network whose weights you then set)")
        return [p for name, p in self.network_.named_parameters() if name.split(".")[-1] == kind]

    @property
    def coefs_(self) -> "LayerArrays":
        """The weight arrays W of the layers, in order (views: changing them changes the network).

        ``est.coefs_[i] = W`` and ``est.coefs_ = [W1, W2, ...]`` copy the new values into the
        network (same shapes; ValueError otherwise), as setting scikit-learn's attribute does.
        """
        return LayerArrays(self._named_arrays("weight"), "coefs_")

    @coefs_.setter
    def coefs_(self, arrays: Any) -> None:
        LayerArrays(self._named_arrays("weight"), "coefs_").assign(arrays)

    @property
    def intercepts_(self) -> "LayerArrays":
        """The bias vectors b of the layers, in order (views; settable as :attr:`coefs_`)."""
        return LayerArrays(self._named_arrays("bias"), "intercepts_")

    @intercepts_.setter
    def intercepts_(self, arrays: Any) -> None:
        LayerArrays(self._named_arrays("bias"), "intercepts_").assign(arrays)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = bool(self._accept_sparse)
        return tags


class LayerArrays(list):
    """The list ``coefs_`` / ``intercepts_`` returns: the network's arrays (views), in layer order.

    Assigning an item (``est.coefs_[0] = W``) copies W into that layer's array, so the network
    uses it; the shape must stay the same.
    """

    def __init__(self, params: list, name: str):
        super().__init__(p.data for p in params)
        self._params, self._name = params, name

    def _write(self, positions: Any, values: list) -> None:
        """Check every new array first, then copy them in (a bad one changes nothing)."""
        checked = []
        for i, value in zip(positions, values):
            target, value = self._params[i].data, np.asarray(value)
            if value.shape != target.shape:
                raise ValueError(f"{self._name}[{i}] has shape {target.shape}; got an array of shape {value.shape}. "
                                 "Keep the layer sizes (refit with other hidden_layer_sizes to change them)")
            if not np.isfinite(value).all():
                raise ValueError(f"{self._name}[{i}] must be finite; got NaN or infinite values")
            checked.append((target, value))
        for target, value in checked:
            target[...] = value

    def __setitem__(self, index: Any, value: Any) -> None:
        positions = range(len(self))[index]
        if isinstance(index, slice):
            values = list(value)
            if len(values) != len(positions):
                raise ValueError(f"{self._name}[{index}] needs {len(positions)} arrays, got {len(values)}")
            self._write(positions, values)
        else:
            self._write([positions], [value])

    def assign(self, arrays: Any) -> None:
        """Copy one array per layer into the network (``est.coefs_ = [...]``)."""
        arrays = list(arrays)
        if len(arrays) != len(self):
            raise ValueError(f"{self._name} needs one array per layer ({len(self)}), got {len(arrays)}")
        self._write(range(len(self)), arrays)


# ----------------------------------------------------------------------------------------------
# Classification
# ----------------------------------------------------------------------------------------------
class NetworkClassifierMixin(ClassifierMixin):
    """Labels through ``classes_`` (any hashable values), class weights, probabilities.

    The output layer: 'softmax' (one output per class, cross-entropy; the default for more
    than two classes) or 'sigmoid' (one output for two classes, one per label for multilabel
    indicator targets, or one-vs-rest for several classes, with the binary log-loss summed over
    outputs; the default for two classes and multilabel), as scikit-learn's MLPClassifier.
    """

    def _check_output_activation(self) -> None:
        _check_choice("output_activation", self.output_activation, ("auto", "softmax", "sigmoid", "logistic"))

    def _output_mode(self, y_type: str) -> str:
        requested = self.output_activation
        if y_type == "multilabel-indicator":
            if requested == "softmax":
                raise ValueError("output_activation='softmax' cannot fit multilabel targets (several labels per "
                                 "row); use 'auto' or 'sigmoid'")
            return "sigmoid"
        if requested == "auto":
            return "softmax" if y_type == "multiclass" else "sigmoid"
        return "sigmoid" if requested == "logistic" else requested

    def _encode_targets(self, y: np.ndarray, first_pass: bool, incremental: bool, classes: Any):
        check_classification_targets(y)
        if incremental:
            if classes is None and not hasattr(self, "classes_"):
                raise ValueError("classes must be passed on the first call to partial_fit.")
            if classes is not None and hasattr(self, "classes_") and not first_pass:
                if not np.array_equal(np.unique(classes), self.classes_):
                    raise ValueError(f"`classes={classes!r}` is not the same as on last call to partial_fit, "
                                     f"was: {self.classes_!r}")
        if first_pass:
            binarizer = LabelBinarizer()
            multilabel = y.ndim == 2
            binarizer.fit(classes if incremental and classes is not None and not multilabel else y)
            if not multilabel and len(binarizer.classes_) < 2:
                raise ValueError(f"The classifier needs samples of at least 2 classes in the data, but the data "
                                 f"contains only one class: {binarizer.classes_[0]!r}")
            self._label_binarizer = binarizer
            self.classes_ = binarizer.classes_
            self._mode = self._output_mode(binarizer.y_type_)
        else:
            present = unique_labels(y)
            if self.warm_start and not incremental:
                if set(present) != set(self.classes_):
                    raise ValueError("warm_start can only be used where `y` has the same classes as in the previous "
                                     f"call to fit. Previously got {self.classes_}, `y` has {present}")
            elif len(np.setdiff1d(present, self.classes_, assume_unique=True)):
                raise ValueError(f"`y` has classes not in `self.classes_`. `self.classes_` has {self.classes_}. "
                                 f"'y' has {present}.")
        if self._mode == "softmax":
            return np.searchsorted(self.classes_, y).astype(np.int64), len(self.classes_)
        indicator = self._label_binarizer.transform(y).astype(np.float64)
        return indicator, indicator.shape[1]

    @property
    def out_activation_(self) -> str:
        """'softmax' or 'logistic', as scikit-learn names them."""
        return "softmax" if self._mode == "softmax" else "logistic"

    def _make_loss(self):
        return CrossEntropyLoss() if self._mode == "softmax" else SummedBCEWithLogits()

    def _stratify_labels(self, y: np.ndarray) -> np.ndarray | None:
        """The labels that stratify early stopping's split: binary targets only, as scikit-learn
        (multiclass and multilabel splits are plain random ones, so small data sets still split)."""
        if self._label_binarizer.y_type_ != "binary":
            return None
        labels, counts = np.unique(y, return_counts=True)
        if counts.min() < 2:
            label = labels.tolist()[np.argmin(counts)]
            raise ValueError(f"early_stopping splits off a validation set stratified by class, but class {label!r} has "
                             f"only {counts.min()} row; give every class at least 2 rows or set early_stopping=False")
        return y

    def _score_function(self) -> Callable[..., float]:
        """The validation score: (sample-weighted) accuracy, subset accuracy for multilabel targets."""
        return accuracy_score

    def _class_sample_weight(self, y: np.ndarray) -> np.ndarray | None:
        class_weight = self.class_weight
        if class_weight is None:
            return None
        if y.ndim == 2:
            raise ValueError("class_weight is not supported for multilabel targets; pass sample_weight instead")
        if not (class_weight == "balanced" or isinstance(class_weight, dict)):
            raise ValueError(f"class_weight must be None, 'balanced' or a dict {{label: weight}}, got {class_weight!r}")
        present = np.unique(y)
        weights = compute_class_weight(class_weight, classes=present, y=y)
        return weights[np.searchsorted(present, y)]

    # -- prediction ----------------------------------------------------------------------------
    def _probabilities(self, raw: np.ndarray) -> np.ndarray:
        from scipy.special import expit, softmax

        raw = raw.astype(np.float64, copy=False)
        if self._mode == "softmax":
            return softmax(raw, axis=1)
        p = expit(raw)
        if p.shape[1] == 1:
            return np.hstack([1.0 - p, p])
        if self._label_binarizer.y_type_ == "multilabel-indicator":
            return p
        return p / np.maximum(p.sum(axis=1, keepdims=True), np.finfo(np.float64).tiny)

    def predict(self, X: Any) -> np.ndarray:
        """Predicted labels (values of ``classes_``), or an indicator matrix for multilabel targets.

        Parameters
        ----------
        X : {array, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y : array of shape (n_samples,) or (n_samples, n_labels)
        """
        return self._predict_from_raw(self._raw_output(X))

    def _predict_from_raw(self, raw: np.ndarray) -> np.ndarray:
        if self._mode == "sigmoid" and self._label_binarizer.y_type_ == "multilabel-indicator":
            return self._label_binarizer.inverse_transform(self._probabilities(raw))
        if raw.shape[1] == 1:
            return self.classes_[(raw[:, 0] > 0).astype(np.int64)]
        return self.classes_[np.argmax(raw, axis=1)]

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, columns in the order of ``classes_``.

        Parameters
        ----------
        X : array of shape (n_samples, n_features)

        Returns
        -------
        proba : array of shape (n_samples, n_classes)
            softmax(z) for the softmax output; [1 - sigma(z), sigma(z)] for two classes; sigma(z)
            per label for multilabel targets; normalised sigma(z) one-vs-rest otherwise.
        """
        return self._probabilities(self._raw_output(X))

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """log of :meth:`predict_proba`."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


# ----------------------------------------------------------------------------------------------
# Regression
# ----------------------------------------------------------------------------------------------
class NetworkRegressorMixin(RegressorMixin):
    """Real-valued targets, one or several outputs, half squared error as scikit-learn."""

    _y_numeric = True

    @property
    def _poisson(self) -> bool:
        """loss='poisson' (MLPRegressor's parameter): the network outputs log(mu)."""
        return getattr(self, "loss", "squared_error") == "poisson"

    def _encode_targets(self, y: np.ndarray, first_pass: bool, incremental: bool, classes: Any):
        n_outputs = 1 if y.ndim == 1 else y.shape[1]
        if self._poisson and (y < 0).any():
            raise ValueError("loss='poisson' needs targets y >= 0 (counts or rates); got negative values. Use "
                             "loss='squared_error' for signed targets")
        return y.astype(np.float64, copy=False), n_outputs  # integer targets are numbers too

    @property
    def out_activation_(self) -> str:
        """'exp' for loss='poisson' (its log link), else the output activation ('identity')."""
        return "exp" if self._poisson else self.output_activation or "identity"

    def _make_loss(self):
        return HalfPoissonDeviance() if self._poisson else HalfSquaredError()

    def _stratify_labels(self, y: np.ndarray) -> None:
        return None

    def _score_function(self) -> Callable[..., float]:
        """The validation score: (sample-weighted) R^2."""
        return r2_score

    def predict(self, X: Any) -> np.ndarray:
        """Predicted values.

        Parameters
        ----------
        X : array of shape (n_samples, n_features)

        Returns
        -------
        y : array of shape (n_samples,) for one output, else (n_samples, n_outputs)
        """
        return self._predict_from_raw(self._raw_output(X))

    def _predict_from_raw(self, raw: np.ndarray) -> np.ndarray:
        if self._poisson:  # the network outputs log(mu)
            raw = np.exp(raw)
        return raw[:, 0].copy() if raw.shape[1] == 1 else raw

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
