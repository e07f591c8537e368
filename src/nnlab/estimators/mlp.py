"""Multilayer perceptrons as scikit-learn estimators: :class:`MLPClassifier` and :class:`MLPRegressor`.

Drop-in replacements for ``sklearn.neural_network.MLPClassifier``/``MLPRegressor`` (same
parameter names, defaults and fitted attributes) that train an :func:`nnlab.models.mlp` with
:func:`nnlab.train.fit`. See :mod:`nnlab.estimators.base` for the conventions.
"""
from __future__ import annotations

import numbers
from typing import Any, Sequence

import numpy as np
from sklearn.utils.metaestimators import available_if

from nnlab.estimators.base import BaseNetworkEstimator, NetworkClassifierMixin, NetworkRegressorMixin, generator_from
from nnlab.models.mlp import mlp
from nnlab.nn.activations import ACTIVATIONS
from nnlab.nn.init import INITIALIZERS

__all__ = ["MLPClassifier", "MLPRegressor", "LOSSES"]

#: MLPRegressor's losses, scikit-learn's names (>= 1.7).
LOSSES = ("squared_error", "poisson")


def hidden_sizes(hidden_layer_sizes: Any) -> list[int]:
    """``hidden_layer_sizes`` (an int or a sequence of ints >= 1, possibly empty) as a list."""
    sizes = [hidden_layer_sizes] if isinstance(hidden_layer_sizes, numbers.Integral) else hidden_layer_sizes
    try:
        sizes = list(sizes)
    except TypeError:
        raise ValueError(f"hidden_layer_sizes must be an int or a sequence of ints, got {hidden_layer_sizes!r}; "
                         "pass e.g. (100,) or (50, 10)") from None
    if any(isinstance(h, bool) or not isinstance(h, numbers.Integral) or h < 1 for h in sizes):
        raise ValueError(f"hidden_layer_sizes must be > 0, got {hidden_layer_sizes!r}")
    return [int(h) for h in sizes]


def sklearn_initial_weights(layer_units: Sequence[int], activation: str,
                            random_state: np.random.RandomState) -> list[tuple[np.ndarray, np.ndarray]]:
    """scikit-learn's MLP initialisation: for each layer with fan-in m and fan-out k, the weights
    and then the biases drawn from U(-b, b), b = sqrt(6 / (m + k)) (Glorot and Bengio 2010), or
    b = sqrt(2 / (m + k)) for logistic hidden units; the same draws as scikit-learn's."""
    factor = 2.0 if activation in ("logistic", "sigmoid") else 6.0
    weights = []
    for fan_in, fan_out in zip(layer_units[:-1], layer_units[1:]):
        bound = np.sqrt(factor / (fan_in + fan_out))
        W = random_state.uniform(-bound, bound, (fan_in, fan_out))
        b = random_state.uniform(-bound, bound, fan_out)
        weights.append((W, b))
    return weights


def _stochastic(est: "_MLPParams") -> bool:
    """partial_fit exists for the stochastic solvers only (as in scikit-learn), and without early
    stopping (whose validation split needs all the data at once; scikit-learn raises on the call)."""
    if est.solver == "lbfgs":
        raise AttributeError(f"partial_fit is only available for stochastic optimizers. {est.solver} is not "
                             "stochastic.")
    if est.early_stopping:
        raise AttributeError("partial_fit does not support early_stopping=True; set early_stopping=False or "
                             "call fit")
    return True


class _MLPParams(BaseNetworkEstimator):
    """The MLP part shared by classifier and regressor: network construction and its parameters."""

    _accept_sparse = ("csr", "csc")

    def _check_extra_params(self) -> None:
        hidden_sizes(self.hidden_layer_sizes)
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {self.activation!r}")
        if self.weight_init != "auto" and self.weight_init not in INITIALIZERS:
            raise ValueError(f"weight_init must be 'auto' or one of {sorted(INITIALIZERS)}, got {self.weight_init!r}")
        self._check_output_activation()

    def _output_layer_activation(self) -> str | None:
        return None  # classifiers: logits, the link is in the loss

    def _build_network(self, n_features: int, n_outputs: int, dtype: np.dtype,
                       random_state: np.random.RandomState):
        sizes = hidden_sizes(self.hidden_layer_sizes)
        sklearn_init = self.weight_init == "auto"
        # scikit-learn's draws first, in its order, so the same random_state gives the same start
        initial = sklearn_initial_weights([n_features, *sizes, n_outputs], self.activation, random_state) \
            if sklearn_init else None
        # a Generator only where one is needed (nnlab initialisers, dropout masks): with the
        # defaults random_state is then used exactly as scikit-learn uses it
        rng = generator_from(random_state) if (not sklearn_init or self.dropout) else None
        network = mlp(n_features, sizes, n_outputs, activation=self.activation,
                      output_activation=self._output_layer_activation(),
                      weight_init="zeros" if sklearn_init else self.weight_init, dropout=float(self.dropout),
                      dtype=dtype, rng=rng)
        if initial is not None:
            layers = [m for m in network.modules() if getattr(m, "weight", None) is not None]
            for layer, (W, b) in zip(layers, initial):
                layer.weight.data[...] = W
                layer.bias.data[...] = b
        return network

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> "_MLPParams":
        """Train the network on (X, y) from fresh weights (or the current ones with ``warm_start``).

        Parameters
        ----------
        X : {array, sparse matrix} of shape (n_samples, n_features)
            A SciPy sparse matrix (CSR, CSC) stays sparse: only each batch's product with the
            first layer's weights is dense.
        y : array of shape (n_samples,) or (n_samples, n_outputs)
            Labels (classifier: any values, or a multilabel indicator matrix) or targets.
        sample_weight : array of shape (n_samples,), optional
            Weights w_i: the batch loss becomes sum_i w_i l_i / sum_i w_i.

        Returns
        -------
        self

        Raises
        ------
        ValueError
            When the training loss becomes NaN or infinite ("Solver produced non-finite parameter
            weights", as scikit-learn; lower ``learning_rate_init``). With ``early_stopping`` and a
            finite best validation score, the fit instead stops there, records NaN in
            ``validation_scores_`` and ``loss_curve_``, keeps the best weights and warns.
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=False)


class MLPClassifier(NetworkClassifierMixin, _MLPParams):
    """Multilayer perceptron classifier trained with nnlab, scikit-learn compatible.

    Parameters
    ----------
    hidden_layer_sizes : int or sequence of int, default=(100,)
        Width of each hidden layer.
    activation : str, default='relu'
        Hidden activation: scikit-learn's 'identity', 'logistic', 'tanh', 'relu', or any name of
        :data:`nnlab.nn.ACTIVATIONS` ('sigmoid', 'elu', 'leaky_relu', ...).
    solver : str, default='adam'
        'sgd', 'adam', 'lbfgs' (full batch L-BFGS-B via SciPy) or any other optimiser of
        :data:`nnlab.optim.OPTIMIZERS` ('adagrad', 'rmsprop', 'adamw').
    alpha : float, default=1e-4
        L2 strength, scikit-learn's meaning: alpha / (2 n) ||W||^2 added to the mean batch loss.
    batch_size : int or 'auto', default='auto'
        Rows per step; 'auto' = min(200, n_samples).
    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        Learning-rate rule (not for 'adam'); see :mod:`nnlab.estimators.base`.
    learning_rate_init : float, default=1e-3
        Initial step size eta.
    power_t : float, default=0.5
        Exponent of 'invscaling': eta_t = learning_rate_init / (t + 1)^power_t, t = samples seen.
    max_iter : int, default=200
        Epochs (stochastic solvers) or iterations (L-BFGS).
    shuffle : bool, default=True
        Reshuffle the rows every epoch.
    random_state : int, RandomState or None, default=None
        Seeds the initial weights, the validation split and the shuffling.
    tol : float, default=1e-4
        Improvement below which an epoch counts as no improvement (L-BFGS: ``gtol``).
    verbose : int or bool, default=False
        Report each epoch: a progress bar on a terminal; elsewhere (notebooks, logs, pipes)
        scikit-learn's lines ``Iteration n, loss = ...`` (and ``Validation score: ...``) on stdout.
    warm_start : bool, default=False
        ``fit`` continues from the current weights.
    momentum : float, default=0.9
        SGD momentum.
    nesterovs_momentum : bool, default=True
        Nesterov momentum for SGD (when momentum > 0).
    early_stopping : bool, default=False
        Stop on the validation score (weighted by the sample and class weights) of a held-out
        ``validation_fraction``, stratified for binary targets (as scikit-learn).
    validation_fraction : float, default=0.1
    beta_1, beta_2, epsilon : float, defaults 0.9, 0.999, 1e-8
        Adam's parameters.
    n_iter_no_change : int, default=10
        Epochs without improvement (by ``tol``) before stopping.
    max_fun : int, default=15000
        L-BFGS: most evaluations of the cost.
    dtype : None, 'float32' or 'float64', default=None
        The network's precision; None follows the input (float32 stays float32, else float64).
    weight_init : str, default='auto'
        'auto': scikit-learn's initialisation (weights and biases U(-b, b), b = sqrt(6 / (fan_in +
        fan_out)), sqrt(2 / ...) for 'logistic'); or an initialiser name of
        :data:`nnlab.nn.init.INITIALIZERS` for the weights, with zero biases.
    dropout : float, default=0.0
        Dropout rate after each hidden layer (stochastic solvers).
    output_activation : {'auto', 'softmax', 'sigmoid'}, default='auto'
        Output layer: 'auto' is softmax for 3+ classes, sigmoid for two classes and multilabel.
    l1 : float, default=0.0
        L1 strength in alpha's units: l1 / n ||W||_1 added to the mean batch loss.
    class_weight : None, 'balanced' or dict, default=None
        Weights per class, multiplied into ``sample_weight``.

    Attributes
    ----------
    classes_ : array of shape (n_classes,)
    network_ : nnlab.nn.Sequential
        The trained network (outputs logits).
    coefs_, intercepts_ : list of arrays
        Views of the weights (n_in, n_out) and biases of each layer.
    loss_, best_loss_, loss_curve_, validation_scores_, best_validation_score_,
    validation_loss_curve_, n_iter_, t_, n_features_in_, feature_names_in_, n_layers_,
    n_outputs_, out_activation_ : as in scikit-learn (``validation_loss_curve_`` is ours).
    """

    def __init__(self, hidden_layer_sizes: int | Sequence[int] = (100,), activation: str = "relu", *,
                 solver: str = "adam", alpha: float = 0.0001, batch_size: int | str = "auto",
                 learning_rate: str = "constant", learning_rate_init: float = 0.001, power_t: float = 0.5,
                 max_iter: int = 200, shuffle: bool = True, random_state: Any = None, tol: float = 1e-4,
                 verbose: int = False, warm_start: bool = False, momentum: float = 0.9,
                 nesterovs_momentum: bool = True, early_stopping: bool = False, validation_fraction: float = 0.1,
                 beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-8, n_iter_no_change: int = 10,
                 max_fun: int = 15000, dtype: Any = None, weight_init: str = "auto", dropout: float = 0.0,
                 output_activation: str = "auto", l1: float = 0.0, class_weight: Any = None):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
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
        self.weight_init = weight_init
        self.dropout = dropout
        self.output_activation = output_activation
        self.l1 = l1
        self.class_weight = class_weight

    @available_if(_stochastic)
    def partial_fit(self, X: Any, y: Any, sample_weight: Any = None, classes: Any = None) -> "MLPClassifier":
        """One epoch over (X, y), continuing from the current weights and optimiser state.

        Parameters
        ----------
        X : array of shape (n_samples, n_features)
        y : array of shape (n_samples,)
        sample_weight : array of shape (n_samples,), optional
        classes : array, required on the first call
            Every label that will ever appear (y need not hold all of them).

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=True, classes=classes)


class MLPRegressor(NetworkRegressorMixin, _MLPParams):
    """Multilayer perceptron regressor trained with nnlab, scikit-learn compatible.

    Minimises scikit-learn's half squared error (1/n) sum_i sum_k (y_ik - t_ik)^2 / 2
    + alpha / (2 n) ||W||^2. Parameters and attributes as :class:`MLPClassifier` (no
    ``class_weight``), except:

    output_activation : str or None, default=None
        Activation of the output layer (None: identity, as scikit-learn), e.g. 'sigmoid' for
        targets in (0, 1).
    loss : {'squared_error', 'poisson'}, default='squared_error'
        'poisson' (targets >= 0, e.g. counts): the half Poisson deviance
        (1/n) sum_i [mu_i - t_i log mu_i + t_i log t_i - t_i] of mu = exp(z), the network's output
        z being log(mu) (scikit-learn's log link); ``predict`` returns mu = exp(z).
    """

    def __init__(self, hidden_layer_sizes: int | Sequence[int] = (100,), activation: str = "relu", *,
                 solver: str = "adam", alpha: float = 0.0001, batch_size: int | str = "auto",
                 learning_rate: str = "constant", learning_rate_init: float = 0.001, power_t: float = 0.5,
                 max_iter: int = 200, shuffle: bool = True, random_state: Any = None, tol: float = 1e-4,
                 verbose: int = False, warm_start: bool = False, momentum: float = 0.9,
                 nesterovs_momentum: bool = True, early_stopping: bool = False, validation_fraction: float = 0.1,
                 beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-8, n_iter_no_change: int = 10,
                 max_fun: int = 15000, dtype: Any = None, weight_init: str = "auto", dropout: float = 0.0,
                 output_activation: str | None = None, l1: float = 0.0, loss: str = "squared_error"):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
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
        self.weight_init = weight_init
        self.dropout = dropout
        self.output_activation = output_activation
        self.l1 = l1
        self.loss = loss

    def _check_output_activation(self) -> None:
        if self.loss not in LOSSES:
            raise ValueError(f"loss must be one of {list(LOSSES)}, got {self.loss!r}")
        if self.output_activation is not None and self.output_activation not in ACTIVATIONS:
            raise ValueError(f"output_activation must be None or one of {sorted(ACTIVATIONS)}, "
                             f"got {self.output_activation!r}")
        if self.loss == "poisson" and self.output_activation is not None:
            raise ValueError("loss='poisson' predicts exp(z) (its log link is the output activation); "
                             f"leave output_activation=None, got {self.output_activation!r}")

    def _output_layer_activation(self) -> str | None:
        return self.output_activation

    @available_if(_stochastic)
    def partial_fit(self, X: Any, y: Any, sample_weight: Any = None) -> "MLPRegressor":
        """One epoch over (X, y), continuing from the current weights and optimiser state.

        Parameters
        ----------
        X : array of shape (n_samples, n_features)
        y : array of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array of shape (n_samples,), optional

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)
