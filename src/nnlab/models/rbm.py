"""Bernoulli restricted Boltzmann machine trained by contrastive divergence, in NumPy.

An RBM is an undirected two-layer network of binary visible units v (n_features) and hidden
units h (n_components) with energy and free energy

    E(v, h) = -b^T v - c^T h - h^T W v,
    F(v) = -log sum_h e^{-E(v, h)} = -b^T v - sum_j log(1 + e^{c_j + W_j v}),

and the factorised conditionals p(h_j = 1 | v) = sigma(c_j + W_j v), p(v_i = 1 | h) = sigma(b_i + W_i^T h).
The log-likelihood gradient is <v h^T>_data - <v h^T>_model. Contrastive divergence CD-k
(Hinton 2002, "Training products of experts by minimizing contrastive divergence") estimates
the model term with k steps of Gibbs sampling started at the data; persistent CD (PCD, also
called stochastic maximum likelihood; Tieleman 2008) keeps the Gibbs chains running across
updates instead. Everything is vectorised NumPy over a mini-batch; no autodiff is involved.

The estimator follows scikit-learn's conventions (and its ``BernoulliRBM``): ``__init__``
stores the arguments, ``fit`` returns ``self``, learned attributes end in ``_``, so it works in
a ``Pipeline`` and with ``clone``.
"""
from __future__ import annotations

import logging
from typing import Any

import numpy as np
from scipy.special import expit
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from nnlab.nn.module import as_generator

__all__ = ["RBM", "free_energy", "pseudo_likelihood"]

_log = logging.getLogger(__name__)


def free_energy(v: Any, components: np.ndarray, intercept_hidden: np.ndarray,
                intercept_visible: np.ndarray) -> np.ndarray:
    """F(v) = -v b - sum_j log(1 + exp(v W_j^T + c_j)) for rows v, shape (n_samples,)."""
    v = np.asarray(v, dtype=np.float64)
    return -(v @ intercept_visible) - np.logaddexp(0.0, v @ components.T + intercept_hidden).sum(axis=1)


def pseudo_likelihood(v: Any, flip: Any, components: np.ndarray, intercept_hidden: np.ndarray,
                      intercept_visible: np.ndarray) -> np.ndarray:
    """Pseudo-likelihood with bit ``flip[n]`` of row n flipped (giving v~), as scikit-learn defines it:

        PL(v) = n_features * log sigma(F(v~) - F(v)),

    i.e. n_features times log p(v_i | v_-i) for the flipped bit i. Works for any RBM's parameters
    (scikit-learn's ``BernoulliRBM`` has the same attributes), so two models can be scored with the
    same bits.
    """
    v = np.asarray(v, dtype=np.float64)
    rows = np.arange(len(v))
    flipped = v.copy()
    flipped[rows, flip] = 1.0 - flipped[rows, flip]
    params = (components, intercept_hidden, intercept_visible)
    return -v.shape[1] * np.logaddexp(0.0, -(free_energy(flipped, *params) - free_energy(v, *params)))


class RBM(TransformerMixin, BaseEstimator):
    """Bernoulli RBM trained with CD-k or persistent CD.

    Parameters
    ----------
    n_components : int
        Number of hidden units.
    learning_rate : float
        Step size of the gradient ascent on the log-likelihood (the batch-averaged CD estimate).
    batch_size : int
        Examples per mini-batch (and, for PCD, number of persistent chains).
    n_iter : int
        Passes over the training data (epochs), each in a fresh random order of the mini-batches
        (scikit-learn's ``BernoulliRBM`` takes them in the order of the data).
    k : int
        Gibbs steps per update (CD-k / PCD-k).
    persistent : bool
        False: CD-k, chains start at the data of each mini-batch (Hinton 2002).
        True: PCD, ``batch_size`` chains persist across updates (Tieleman 2008); this is what
        scikit-learn's ``BernoulliRBM`` does, with k = 1.
    random_state : int, Generator or None
        Seed of the initial weights, the mini-batch order and the Gibbs sampling.
    verbose : int
        If > 0, record the mean pseudo-likelihood after each iteration in ``scores_`` and log it
        (logger ``nnlab.models.rbm``, level INFO).

    Attributes
    ----------
    components_ : ndarray of shape (n_components, n_features)
        Weights W (initialised N(0, 0.01^2)).
    intercept_hidden_ : ndarray of shape (n_components,)
        Hidden biases c.
    intercept_visible_ : ndarray of shape (n_features,)
        Visible biases b.
    h_samples_ : ndarray of shape (batch_size, n_components)
        States of the persistent chains (PCD only).
    n_features_in_ : int
        Number of visible units seen in ``fit``.
    random_state_ : numpy.random.Generator
        The generator used for training and for :meth:`gibbs`.
    """

    def __init__(self, n_components: int = 256, *, learning_rate: float = 0.1, batch_size: int = 10,
                 n_iter: int = 10, k: int = 1, persistent: bool = False,
                 random_state: np.random.Generator | int | None = None, verbose: int = 0):
        self.n_components = n_components
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.n_iter = n_iter
        self.k = k
        self.persistent = persistent
        self.random_state = random_state
        self.verbose = verbose

    # -- validation --------------------------------------------------------------------------
    def _check_params(self) -> None:
        for name, low in (("n_components", 1), ("batch_size", 1), ("n_iter", 0), ("k", 1)):
            value = getattr(self, name)
            if int(value) != value or value < low:
                raise ValueError(f"RBM {name} must be an integer >= {low}, got {value!r}")
        if not np.isfinite(self.learning_rate) or self.learning_rate <= 0:
            raise ValueError(f"RBM learning_rate must be a positive number, got {self.learning_rate!r}")

    def _check_X(self, X: Any, reset: bool) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2:
            raise ValueError(f"RBM expects X of shape (n_samples, n_features), got shape {X.shape}; "
                             "flatten images first, e.g. X.reshape(len(X), -1)")
        if not np.all(np.isfinite(X)):
            raise ValueError("RBM input contains NaN or inf; clean the data first")
        if X.size and (X.min() < 0.0 or X.max() > 1.0):
            raise ValueError(f"a Bernoulli RBM needs values in [0, 1], got [{X.min():g}, {X.max():g}]; "
                             "scale the data first, e.g. with sklearn's MinMaxScaler or X / X.max()")
        if reset:
            self.n_features_in_ = X.shape[1]
        elif X.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {X.shape[1]} features, but the RBM was fitted with {self.n_features_in_}")
        return X

    # -- conditionals and free energy --------------------------------------------------------
    def _mean_hiddens(self, v: np.ndarray) -> np.ndarray:
        """p(h = 1 | v) = sigma(v W^T + c), shape (n, n_components)."""
        p = v @ self.components_.T
        p += self.intercept_hidden_
        return expit(p, out=p)

    def _mean_visibles(self, h: np.ndarray) -> np.ndarray:
        """p(v = 1 | h) = sigma(h W + b), shape (n, n_features)."""
        p = h @ self.components_
        p += self.intercept_visible_
        return expit(p, out=p)

    def _sample(self, p: np.ndarray) -> np.ndarray:
        """Bernoulli samples with probabilities p, as 0.0 / 1.0."""
        return (self.random_state_.random(p.shape) < p).astype(np.float64)

    def free_energy(self, v: Any) -> np.ndarray:
        """F(v) = -v b - sum_j log(1 + exp(v W_j^T + c_j)), shape (n_samples,)."""
        check_is_fitted(self, "components_")
        return free_energy(v, self.components_, self.intercept_hidden_, self.intercept_visible_)

    # -- training ----------------------------------------------------------------------------
    def _initialize(self, n_features: int) -> None:
        self.random_state_ = as_generator(self.random_state)
        self.components_ = self.random_state_.normal(0.0, 0.01, (self.n_components, n_features))
        self.intercept_hidden_ = np.zeros(self.n_components)
        self.intercept_visible_ = np.zeros(n_features)
        self.h_samples_ = np.zeros((self.batch_size, self.n_components))

    def _fit_batch(self, v_pos: np.ndarray) -> None:
        """One CD-k (or PCD-k) update on a mini-batch: W += lr (<v h>_data - <v h>_model)."""
        h_pos = self._mean_hiddens(v_pos)
        h = self.h_samples_ if self.persistent else self._sample(h_pos)
        for step in range(self.k):
            v_neg = self._sample(self._mean_visibles(h))
            h_neg = self._mean_hiddens(v_neg)
            if step < self.k - 1:
                h = self._sample(h_neg)
        n_pos, n_neg = len(v_pos), len(v_neg)
        lr = float(self.learning_rate)
        self.components_ += lr * ((h_pos.T @ v_pos) / n_pos - (h_neg.T @ v_neg) / n_neg)
        self.intercept_hidden_ += lr * (h_pos.mean(axis=0) - h_neg.mean(axis=0))
        self.intercept_visible_ += lr * (v_pos.mean(axis=0) - v_neg.mean(axis=0))
        if self.persistent:
            self.h_samples_ = self._sample(h_neg)

    def fit(self, X: Any, y: Any = None) -> "RBM":
        """Train on X of shape (n_samples, n_features), values in [0, 1]; returns self."""
        self._check_params()
        X = self._check_X(X, reset=True)
        self._initialize(X.shape[1])
        self.scores_ = []
        for iteration in range(1, int(self.n_iter) + 1):
            order = self.random_state_.permutation(len(X))
            for start in range(0, len(X), int(self.batch_size)):
                self._fit_batch(X[order[start:start + int(self.batch_size)]])
            if self.verbose:
                score = float(self.score_samples(X).mean())
                self.scores_.append(score)
                _log.info("[RBM] iteration %d, pseudo-likelihood = %.2f", iteration, score)
        return self

    def partial_fit(self, X: Any, y: Any = None) -> "RBM":
        """One update on the mini-batch X (initialising the model on the first call); returns self."""
        self._check_params()
        first = not hasattr(self, "components_")
        X = self._check_X(X, reset=first)
        if first:
            self._initialize(X.shape[1])
        self._fit_batch(X)
        return self

    # -- inference ---------------------------------------------------------------------------
    def transform(self, X: Any) -> np.ndarray:
        """Hidden probabilities p(h = 1 | v = X), shape (n_samples, n_components)."""
        check_is_fitted(self, "components_")
        return self._mean_hiddens(self._check_X(X, reset=False))

    def gibbs(self, v: Any) -> np.ndarray:
        """One Gibbs step v -> h ~ p(h|v) -> v' ~ p(v|h), sampled with ``random_state_``; v' as 0.0/1.0."""
        check_is_fitted(self, "components_")
        v = self._check_X(v, reset=False)
        return self._sample(self._mean_visibles(self._sample(self._mean_hiddens(v))))

    def pseudo_likelihood(self, v: Any, flip: Any) -> np.ndarray:
        """n_features * log sigma(F(v~) - F(v)) with bit ``flip[n]`` of row n flipped (see :func:`pseudo_likelihood`)."""
        check_is_fitted(self, "components_")
        return pseudo_likelihood(v, flip, self.components_, self.intercept_hidden_, self.intercept_visible_)

    def score_samples(self, X: Any) -> np.ndarray:
        """Pseudo-likelihood of each row, one random bit flipped per row (scikit-learn's definition).

        As in scikit-learn, the bits come from ``random_state`` afresh (a new generator for an
        integer seed, so the score is repeatable), not from ``random_state_``.
        """
        check_is_fitted(self, "components_")
        v = self._check_X(X, reset=False)
        return self.pseudo_likelihood(v, self.flipped_bits(len(v), v.shape[1]))

    def flipped_bits(self, n_samples: int, n_features: int) -> np.ndarray:
        """The bit :meth:`score_samples` flips in each of ``n_samples`` rows (drawn from ``random_state`` afresh)."""
        return as_generator(self.random_state).integers(0, n_features, n_samples)
