"""scikit-learn's end-of-epoch rules for the stochastic solvers, as an :class:`nnlab.train.Callback`.

After every epoch scikit-learn's MLP (``_update_no_improvement_count`` and the optimiser's
``iteration_ends``/``trigger_stopping``):

- records the training loss (data loss + penalty) in ``loss_curve_``;
- with ``verbose`` prints ``Iteration n, loss = ...`` (and ``Validation score: ...``) when
  stdout is not a terminal (notebooks, logs); on a terminal the progress bar shows the same;
- without early stopping: counts an epoch as "no improvement" when
  loss > best_loss_ - tol; with early stopping: scores the held-out rows (weighted by their
  sample weights, as scikit-learn >= 1.7), counts an epoch as "no improvement" when
  validation score < best score + tol, and keeps the weights of the best validation score;
- 'invscaling': eta = learning_rate_init / (t + 1)^power_t, t = samples seen so far;
- once the count exceeds ``n_iter_no_change``: 'adaptive' divides eta by 5 (while eta > 1e-6)
  and starts counting again, otherwise training stops.
"""
from __future__ import annotations

import sys
from typing import Any, Callable

import numpy as np

from nnlab.tensor import no_grad
from nnlab.train import Callback

__all__ = ["SklearnRules", "verbose_lines"]


def verbose_lines(verbose: Any) -> bool:
    """Whether ``verbose`` asks for scikit-learn's printed lines: yes unless stdout is a terminal,
    where :class:`nnlab.train.progress.ProgressBar` shows the run instead."""
    return bool(verbose) and not bool(getattr(sys.stdout, "isatty", lambda: False)())


class SklearnRules(Callback):
    """Applies the rules above to the estimator ``est`` (which holds the curves and counters).

    Parameters
    ----------
    est : the estimator being fitted (its fitted attributes are updated in place).
    penalty : callable or None
        The weight penalty, whose value is added to the recorded training loss.
    n_train : int
        Training rows per epoch (the samples-seen counter t grows by this much).
    schedule : {'constant', 'invscaling', 'adaptive'} or None
        The learning-rate rule (None: the optimiser keeps its rate, as scikit-learn's Adam).
    validation : (X_val, y_val, w_val) or None
        Held-out rows (as the training model takes them), their labels or targets as the user
        gave them, and their sample weights (None: equal); given: early stopping.
    """

    def __init__(self, est: Any, penalty: Callable | None, n_train: int, schedule: str | None,
                 validation: tuple | None = None):
        self.est, self.penalty, self.n_train = est, penalty, int(n_train)
        self.schedule, self.validation = schedule, validation
        self.early_stopping = validation is not None
        self.stopped = False
        self.print_lines = verbose_lines(est.verbose)

    def _penalty_value(self) -> float:
        if self.penalty is None:
            return 0.0
        with no_grad():
            return float(np.asarray(self.penalty(self.state.model).data))

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        est, logs = self.est, logs or {}
        loss = float(logs["loss"]) + self._penalty_value()
        est.loss_ = loss
        est.loss_curve_.append(loss)
        est.n_iter_ += 1
        est.t_ += self.n_train
        if self.print_lines:
            print(f"Iteration {est.n_iter_}, loss = {loss:.8f}")
        if "val_loss" in logs:
            est.validation_loss_curve_.append(float(logs["val_loss"]))
        if self.early_stopping:
            X_val, y_val, w_val = self.validation
            score = est._validation_score(self.state.model, X_val, y_val, w_val)
            est.validation_scores_.append(score)
            if self.print_lines:
                print(f"Validation score: {score:f}")
            if score < est.best_validation_score_ + est.tol:
                est._no_improvement_count += 1
            else:
                est._no_improvement_count = 0
            if score > est.best_validation_score_:
                est.best_validation_score_ = score
                est._best_state = est.network_.state_dict()
        else:
            if loss > est.best_loss_ - est.tol:
                est._no_improvement_count += 1
            else:
                est._no_improvement_count = 0
            if loss < est.best_loss_:
                est.best_loss_ = loss
        optimizer = self.state.optimizer
        if self.schedule == "invscaling":
            optimizer.lr = est.learning_rate_init / (est.t_ + 1) ** est.power_t
        if est._no_improvement_count > est.n_iter_no_change:
            if self.schedule == "adaptive" and optimizer.lr > 1e-6:
                optimizer.lr = optimizer.lr / 5.0
                est._no_improvement_count = 0
            else:
                self.stopped = True
                self.state.stop_training = True
