"""The training loop: minibatch gradient descent over epochs, with validation and callbacks.

One step on a minibatch B_k (the lecture's "iteration") is

    z = model(X_B),  C = loss(z, y_B) [+ penalty(model)],  backpropagate dC/dtheta,  theta <- update

and an epoch is one pass over a fresh permutation of the training rows. The permutation of
epoch e comes from a generator seeded with (seed, e), so a run resumed at epoch k from a
checkpoint draws exactly the batches the uninterrupted run would have drawn.
"""
from __future__ import annotations

import functools
import math
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from nnlab.data.preprocessing import train_test_split
from nnlab.data.validation import check_finite, check_integer
from nnlab.ops import node
from nnlab.tensor import Tensor, no_grad
from nnlab.train.callbacks import Callback, CallbackList, TrainingState
from nnlab.train.history import History
from nnlab.train.metrics import get_metric, metric_name
from nnlab.train.progress import ProgressBar
from nnlab.train.recovery import LastFiniteWeights

__all__ = ["fit", "predict", "evaluate", "TrainingDivergedError", "resolve_loss", "resolve_optimizer", "loss_task"]


class TrainingDivergedError(RuntimeError, ValueError):
    """The training loss became NaN or infinite. The model has been put back to the last weights
    that gave a finite loss.

    A RuntimeError (as it always was) and a ValueError (what scikit-learn-style code catches for
    a fit that cannot proceed with the given settings).

    Attributes
    ----------
    epoch, batch : int
        Where it happened (0-based).
    lr : float or None
        The learning rate at that point.
    loss : float
        The non-finite value.
    """

    def __init__(self, epoch: int, batch: int, lr: float | None, loss: float, restored: str | int | None = None):
        self.epoch, self.batch, self.lr, self.loss = epoch, batch, lr, loss
        lr_text = "unknown" if lr is None else f"{lr:g}"
        if restored is None:
            where = "the very first batch already gave it, so the weights are unchanged"
        elif restored == "step":
            where = "the model keeps its last finite weights (those before the previous update)"
        else:  # the replay from the epoch's snapshot did not reproduce the run (see nnlab.train.recovery)
            where = (f"the model keeps its weights from the start of epoch {restored} (replaying the steps "
                     "since then did not reproduce them, e.g. because a callback changed the training)")
        super().__init__(
            f"training diverged: the loss became {loss} at epoch {epoch}, batch {batch} "
            f"(learning rate {lr_text}); {where}. Lower the learning rate"
            + ("" if lr is None else f" (e.g. {lr / 10:g})")
            + ", scale the inputs or use reduction='mean' instead of 'sum'"
        )


# ----------------------------------------------------------------------------------------------
# Resolving names
# ----------------------------------------------------------------------------------------------
def resolve_loss(loss: str | Callable) -> Callable:
    """A loss object from a name ('cross_entropy', 'mse', 'bce_with_logits', ...) or as given."""
    if isinstance(loss, str):
        from nnlab.nn.losses import get_loss

        return get_loss(loss)
    if not callable(loss):
        raise TypeError(f"loss must be a name or a callable loss(prediction, target), got {type(loss).__name__}")
    return loss


def resolve_optimizer(optimizer, model, lr: float | None = None):
    """An optimizer object from a name ('sgd', 'adam', ...) over ``model``'s parameters, or as given."""
    if isinstance(optimizer, str):
        from nnlab.optim import get_optimizer

        kwargs = {} if lr is None else {"lr": lr}
        return get_optimizer(optimizer, model.parameters(), **kwargs)
    if not hasattr(optimizer, "step") or not hasattr(optimizer, "zero_grad"):
        raise TypeError(f"optimizer must be a name or an object with step() and zero_grad(), got {type(optimizer).__name__}")
    if lr is not None:
        optimizer.lr = lr
    return optimizer


def loss_task(loss, task: str | None = None) -> str:
    """The task ``loss`` trains for: ``task`` when given, else the loss's declared ``task``.

    A :class:`~nnlab.nn.losses.Loss` declares it ('multiclass', 'binary' or 'regression'); a
    plain callable needs ``task``. The name of a loss is never consulted.
    """
    from nnlab.nn.losses import TASKS

    declared = task if task is not None else getattr(getattr(loss, "func", loss), "task", None)
    if declared is None:
        raise ValueError(f"fit cannot tell what the loss {getattr(loss, '__name__', type(loss).__name__)!r} is for: "
                         f"pass task= one of {list(TASKS)}, or use a nnlab.nn.losses.Loss (which declares its task)")
    if declared not in TASKS:
        raise ValueError(f"task must be one of {list(TASKS)}, got {declared!r}")
    return declared


def _reduction(loss) -> str:
    reduction = getattr(loss, "reduction", None)
    if reduction is None and isinstance(loss, functools.partial):
        reduction = loss.keywords.get("reduction")
    return reduction or "mean"


def _per_sample_loss(loss) -> Callable:
    """The same loss with reduction='none' (for sample weights)."""
    if hasattr(loss, "per_sample"):
        return loss.per_sample()
    return functools.partial(loss, reduction="none")


def _sigmoid_outputs(loss) -> bool:
    """Whether the model's outputs become probabilities through a sigmoid (binary losses on logits)."""
    return getattr(loss, "from_logits", True)


# ----------------------------------------------------------------------------------------------
# Input checks
# ----------------------------------------------------------------------------------------------
def _as_array(name: str, a: Any) -> np.ndarray:
    a = a.numpy() if isinstance(a, Tensor) else np.asarray(a)
    if a.dtype.kind not in "biuf":
        got = "an object array" if a.dtype == object else f"an array of dtype {a.dtype}"
        fix = ("map class names to integers 0..C-1 with np.unique(y, return_inverse=True)[1]" if name.startswith("y")
               and a.dtype.kind in "OUS" else f"convert it with np.asarray({name}, dtype=float)")
        raise TypeError(f"{name} must be a real numeric array, got {got}; {fix}")
    return a


def _check_model(model: Any) -> None:
    from nnlab.nn.module import Module

    if not isinstance(model, Module):
        raise TypeError(f"model must be an nnlab Module (e.g. nnlab.models.mlp(...)), got {type(model).__name__}")


def _first_dense(model):
    """The first parametrised module if it is a Dense layer (its input size fixes the features)."""
    from nnlab.nn.layers import Dense

    for module in model.modules():
        if any(isinstance(v, Tensor) and v.requires_grad for v in vars(module).values()):
            return module if isinstance(module, Dense) else None
    return None


def _param_dtype(model):
    params = model.parameters()
    return params[0].dtype if params else np.dtype(np.float32)


def _prepare_inputs(model, X, name: str = "X", allow_empty: bool = False) -> np.ndarray:
    X = _as_array(name, X)
    if X.ndim < 2:
        raise ValueError(f"{name} must have shape (n_samples, n_features), got shape {X.shape}; "
                         f"use {name}.reshape(-1, 1) for a single feature")
    if not allow_empty and X.shape[0] == 0:
        raise ValueError(f"{name} has no samples (shape {X.shape}); pass at least one row")
    check_finite(X, name)
    dense = _first_dense(model)
    if dense is not None and X.ndim == 2 and X.shape[1] != dense.in_features:
        raise ValueError(
            f"{name} has {X.shape[1]} features (shape {X.shape}) but the model's first Dense layer "
            f"expects {dense.in_features}; build the model with n_inputs={X.shape[1]} or fix the data"
        )
    return np.ascontiguousarray(X, dtype=_param_dtype(model))


def _probe_output_shape(model, X: np.ndarray) -> tuple:
    """The shape of the model output on two rows (eval mode, so no random generator is used)."""
    was_training = model.training
    model.eval()
    try:
        with no_grad(), np.errstate(all="ignore"):
            out = model(Tensor(X[:2]))
    except (ValueError, TypeError) as exc:
        raise ValueError(f"the model cannot take inputs of shape {(None, *X.shape[1:])}: {exc}") from exc
    finally:
        model.train(was_training)
    return tuple(out.shape)


def _prepare_targets(y, n: int, task: str, out_shape: tuple, dtype, name: str = "y") -> np.ndarray:
    y = _as_array(name, y)
    if y.ndim == 0:
        raise ValueError(f"{name} must have one entry per sample, got a scalar")
    if len(y) != n:
        raise ValueError(f"X has {n} samples but {name} has {len(y)} (shape {y.shape}); they must match")
    check_finite(y, name)
    if task == "binary" and len(y) and (y.min() < 0 or y.max() > 1):
        fix = " (for -1/1 labels pass (y + 1) / 2)" if y.min() == -1 and y.max() == 1 else ""
        raise ValueError(f"{name} holds values from {y.min():g} to {y.max():g}, but a binary loss needs targets in "
                         f"[0, 1] (0/1 labels or probabilities); map them to 0/1{fix}")
    if task == "multiclass":
        n_classes = out_shape[1] if len(out_shape) > 1 else 1
        if y.ndim == 1:
            if np.issubdtype(y.dtype, np.floating):
                if not np.all(y == np.round(y)):
                    raise ValueError(f"{name} must hold integer class labels for cross-entropy, got non-integer values")
            y = y.astype(np.int64)
            if len(y) and (y.min() < 0 or y.max() >= n_classes):
                raise ValueError(f"{name} has labels from {y.min()} to {y.max()} but the model outputs "
                                 f"{n_classes} classes; labels must lie in [0, {n_classes - 1}]")
            return y
        if y.shape[1:] != tuple(out_shape[1:]):
            raise ValueError(f"{name} of shape {y.shape} does not fit model outputs of shape {(None, *out_shape[1:])}; "
                             "pass integer labels (n,) or one-hot rows (n, classes)")
        return np.ascontiguousarray(y, dtype=dtype)
    y = np.ascontiguousarray(y, dtype=dtype)
    if y.ndim == 1 and len(out_shape) == 2 and out_shape[1] == 1:
        y = y.reshape(-1, 1)
    if y.shape[1:] != tuple(out_shape[1:]):
        raise ValueError(f"{name} of shape {y.shape} does not fit model outputs of shape {(None, *out_shape[1:])}")
    return y


def _prepare_sample_weight(w, n: int) -> np.ndarray | None:
    if w is None:
        return None
    w = _as_array("sample_weight", w).astype(np.float64).reshape(-1)
    if len(w) != n:
        raise ValueError(f"sample_weight has {len(w)} entries but X has {n} samples")
    check_finite(w, "sample_weight")
    if (w < 0).any():
        raise ValueError("sample_weight must be non-negative")
    return w


def _split_validation(X, y, w, fraction: float, seed: int):
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"validation_split must lie in (0, 1), got {fraction}")
    n = len(X)
    n_val = int(round(n * fraction))
    if n_val < 1 or n_val >= n:
        raise ValueError(f"validation_split={fraction} of {n} samples leaves no training or no validation data")
    X_train, X_val, y_train, y_val, w_train, _ = train_test_split(
        X, y, w, test_size=n_val, seed=np.random.default_rng([seed, 0]), keep_order=True)
    return X_train, y_train, w_train, (X_val, y_val)


def epoch_generator(seed: int, epoch: int) -> np.random.Generator:
    """The generator that shuffles epoch ``epoch`` of a run with ``seed``."""
    return np.random.default_rng([seed, 1, epoch])


# ----------------------------------------------------------------------------------------------
# Inference
# ----------------------------------------------------------------------------------------------
def predict(model, X, batch_size: int | None = None) -> np.ndarray:
    """The model's outputs on ``X`` (inference mode: dropout off, no graph), as an array.

    ``batch_size`` rows at a time (None: up to 8192 at once). Classification models built with
    :mod:`nnlab.models` output logits; take ``argmax(axis=1)`` for labels. ``X`` is checked as
    in :func:`fit` (numeric, finite, the model's number of features); zero rows give an empty result.
    """
    _check_model(model)
    X = _prepare_inputs(model, X, allow_empty=True)
    return _predict(model, X, None if batch_size is None else check_integer(batch_size, "batch_size"))


def _predict(model, X: np.ndarray, batch_size: int | None) -> np.ndarray:
    """:func:`predict` on inputs already checked and cast."""
    step = batch_size or 8192
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            parts = [model(Tensor(X[i:i + step])).numpy() for i in range(0, max(len(X), 1), step)]
    finally:
        model.train(was_training)
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def _metric_input(outputs: np.ndarray, task: str, from_logits: bool) -> np.ndarray:
    """What the metrics score: probabilities for a binary loss on logits, the outputs otherwise."""
    if task == "binary" and from_logits:
        with np.errstate(over="ignore"):
            return 1.0 / (1.0 + np.exp(-outputs.astype(np.float64)))
    return outputs


def _loss_value(loss, outputs: np.ndarray, y: np.ndarray, per_sample: bool) -> float:
    with no_grad(), np.errstate(all="ignore"):
        value = float(np.asarray(loss(Tensor(outputs), y).data))
    return value / len(y) if per_sample else value


def evaluate(model, X, y, loss="cross_entropy", metrics: Sequence = ("accuracy",),
             batch_size: int | None = None, task: str | None = None) -> dict[str, float]:
    """Loss (mean per sample) and metrics of ``model`` on (X, y), in inference mode.

    ``task`` is needed only for a plain callable loss (see :func:`fit`).
    """
    _check_model(model)
    loss = resolve_loss(loss)
    task = loss_task(loss, task)
    X = _prepare_inputs(model, X)
    outputs = _predict(model, X, None if batch_size is None else check_integer(batch_size, "batch_size"))
    y = _prepare_targets(y, len(X), task, outputs.shape, outputs.dtype)
    result = {"loss": _loss_value(loss, outputs, y, _reduction(loss) == "sum")}
    scored = _metric_input(outputs, task, _sigmoid_outputs(loss))
    for m in metrics:
        result[metric_name(m)] = float(get_metric(m)(y, scored))
    return result


# ----------------------------------------------------------------------------------------------
# Training
# ----------------------------------------------------------------------------------------------
def _default_metrics(task: str) -> tuple[str, ...]:
    return ("mse", "r2") if task == "regression" else ("accuracy",)


def augmentation_generator(seed: int, epoch: int) -> np.random.Generator:
    """The generator that ``fit``'s ``transform`` receives in epoch ``epoch`` of a run with ``seed``."""
    return np.random.default_rng([seed, 2, epoch])


def fit(model, X, y, loss: str | Callable = "cross_entropy", optimizer: Any = "sgd", epochs: int = 10,
        batch_size: int | None = 32, validation_data: tuple | None = None, validation_split: float = 0.0,
        metrics: Sequence[str | Callable] | None = None, callbacks: Iterable[Callback] = (),
        penalty: Callable | None = None, schedule: Any = None, shuffle: bool = True, seed: int | None = None,
        verbose: int = 0, sample_weight: Any = None, initial_epoch: int = 0, lr: float | None = None,
        task: str | None = None, transform: Callable | None = None) -> History:
    """Train ``model`` on (X, y) by minibatch gradient descent.

    Parameters
    ----------
    model : Module
        Maps a batch of inputs (n, ...) to outputs (n, ...); classifiers output logits.
    X : array (n_samples, n_features) or (n_samples, ...)
        Inputs; cast once to the dtype of the model's parameters.
    y : array (n_samples,) or (n_samples, k)
        Integer labels or one-hot rows for cross-entropy; 0/1 (or probabilities in [0, 1]) for
        binary losses; values for regression (a 1-D y is made a column when the model has one
        output).
    loss : str or callable
        A loss object ``loss(prediction, target) -> Tensor`` or its name in
        :func:`nnlab.nn.losses.get_loss`. Its ``reduction`` ('mean' or the lecture's 'sum')
        decides whether the gradient is averaged or summed over the batch.
    optimizer : str or Optimizer
        An optimizer over ``model.parameters()`` or a name for :func:`nnlab.optim.get_optimizer`
        (then ``lr`` sets its learning rate).
    epochs : int >= 1
        Train until this epoch number (so ``epochs - initial_epoch`` epochs run).
    batch_size : int or None
        Rows per step; None or a size >= n gives full-batch gradient descent.
    validation_data : (X_val, y_val), optional
        Scored after every epoch ('val_loss' and 'val_<metric>' in the history).
    validation_split : float
        Instead, hold out this fraction of (X, y), chosen at random with ``seed``.
    metrics : sequence of names or callables, optional
        Recorded per epoch for the training rows (computed on the outputs of the epoch's steps,
        as Keras does) and for the validation data. Default: ('accuracy',) for classification,
        ('mse', 'r2') for regression; pass () to record only the loss (fastest).
    callbacks : sequence of Callback
        E.g. :class:`EarlyStopping`, :class:`ModelCheckpoint`.
    penalty : callable, optional
        ``penalty(model) -> Tensor`` added to the loss of every step (L1/L2 on the weights).
        nnlab's penalties (:mod:`nnlab.nn.regularization`) skip the graph: their gradient
        dP/dW is added to ``W.grad`` after backpropagating the data loss, which is the same sum.
    schedule : learning-rate schedule or its name, optional
        After epoch e, ``schedule.step(e + 1, metric=...)`` sets the rate of the next epoch
        (the metric is 'val_loss' when there is validation data, else 'loss').
    shuffle : bool
        Draw a new permutation of the rows every epoch.
    seed : int, optional
        Seeds the shuffling and the validation split (a fresh seed is drawn and recorded in
        ``history.params['seed']`` when None).
    verbose : int
        1 shows a progress bar (only on a terminal).
    sample_weight : array (n_samples,), optional
        Per-sample weights: each batch loss is sum_i w_i l_i / sum_i w_i (or sum_i w_i l_i for
        reduction='sum').
    initial_epoch : int
        Epoch to start from (resuming from a checkpoint).
    lr : float, optional
        Learning rate, when ``optimizer`` is given by name (or to override it).
    task : {'multiclass', 'binary', 'regression'}, optional
        What a plain callable loss is for (a :class:`~nnlab.nn.losses.Loss` declares its own
        ``task``, which this overrides): how the targets are checked and the default metrics.
    transform : callable, optional
        ``transform(X_batch, rng) -> X_batch`` applied to the inputs of every training batch (not
        to validation data), e.g. random image augmentation. ``X_batch`` is a fresh array (the
        transform may change it in place) and ``rng`` a Generator drawn from ``seed`` and the
        epoch, so runs are reproducible; it must return an array of the batch's shape.

    Returns
    -------
    History
        Per-epoch 'loss' (mean per sample over the epoch), 'val_loss', metrics and 'lr'.

    Raises
    ------
    TrainingDivergedError
        When the loss becomes NaN or infinite; the model is put back to its last finite weights.
    """
    _check_model(model)
    epochs, initial_epoch = check_integer(epochs, "epochs"), check_integer(initial_epoch, "initial_epoch", 0)
    if epochs < initial_epoch:
        raise ValueError(f"epochs={epochs} is the number of the last epoch, not a count, and must be >= "
                         f"initial_epoch={initial_epoch}; pass epochs={initial_epoch + epochs} to train {epochs} more")
    if batch_size is not None:
        batch_size = check_integer(batch_size, "batch_size")
    if transform is not None and not callable(transform):
        raise TypeError(f"transform must be a callable transform(X_batch, rng) -> X_batch, got {type(transform).__name__}")
    loss = resolve_loss(loss)
    task = loss_task(loss, task)
    optimizer = resolve_optimizer(optimizer, model, lr)
    if isinstance(schedule, str):
        from nnlab.optim import get_schedule

        schedule = get_schedule(schedule, optimizer)
    if seed is None:
        seed = int(np.random.default_rng().integers(2**63 - 1))
    seed = check_integer(seed, "seed", 0)

    X = _prepare_inputs(model, X)
    out_shape = _probe_output_shape(model, X)
    dtype = _param_dtype(model)
    y = _prepare_targets(y, len(X), task, out_shape, dtype)
    weights = _prepare_sample_weight(sample_weight, len(X))
    if validation_data is not None and validation_split:
        raise ValueError("pass either validation_data or validation_split, not both")
    if validation_split:
        X, y, weights, validation_data = _split_validation(X, y, weights, float(validation_split), seed)
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise ValueError("validation_data must be a pair (X_val, y_val)")
        X_val = _prepare_inputs(model, validation_data[0], "X_val")
        y_val = _prepare_targets(validation_data[1], len(X_val), task, out_shape, dtype, "y_val")
    metrics = _default_metrics(task) if metrics is None else tuple(metrics)
    metric_fns = [(metric_name(m), get_metric(m)) for m in metrics]
    scored = functools.partial(_metric_input, task=task, from_logits=_sigmoid_outputs(loss))

    n = len(X)
    bs = n if batch_size is None else min(int(batch_size), n)
    reduction = _reduction(loss)
    step = _Step(model, X, y, weights, loss, reduction, _bind_penalty(penalty, model), optimizer, bs,
                 transform, seed)
    # what a step changes: the parameters, and buffers such as batch norm's running statistics
    recovery = LastFiniteWeights(model, [t for _, t in model.named_state()], optimizer)
    history = History({"epochs": epochs, "initial_epoch": initial_epoch, "batch_size": bs, "samples": n,
                       "steps_per_epoch": step.n_batches, "seed": seed, "reduction": reduction})
    state = TrainingState(model=model, optimizer=optimizer, history=history, seed=seed, epochs=epochs,
                          schedule=schedule, epoch=initial_epoch, params=history.params)
    cbs = CallbackList(callbacks, state)
    train_outputs = np.empty((n, *out_shape[1:]), dtype=dtype) if metric_fns else None

    cbs.on_train_begin({})
    bar = ProgressBar(epochs, initial=initial_epoch, verbose=verbose)
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for epoch in range(initial_epoch, epochs):
                state.epoch = epoch
                cbs.on_epoch_begin(epoch, {})
                model.train()
                lr_now = getattr(optimizer, "lr", None)
                order = epoch_generator(seed, epoch).permutation(n) if shuffle else np.arange(n)
                recovery.start_epoch(epoch, order, step.n_batches)
                step.start_epoch(epoch)
                total = 0.0  # the summed per-sample loss of the epoch
                for b, rows in enumerate(step.batches(order)):
                    cost, out, value, checked = step.loss(rows)
                    if not math.isfinite(checked):
                        restored = recovery.restore(b, total, functools.partial(step.replay, epoch))
                        raise TrainingDivergedError(epoch, b, getattr(optimizer, "lr", None), checked, restored)
                    step.update(cost)
                    total += step.summed(value, rows)
                    if train_outputs is not None:
                        train_outputs[rows] = out.data
                    if cbs.batch_callbacks:
                        cbs.on_batch_end(b, {"loss": step.summed(value, rows) / len(rows)})
                recovery.end_epoch(total)
                logs = {"loss": total / n}
                if train_outputs is not None:
                    logs.update(_score(metric_fns, y, scored(train_outputs)))
                if validation_data is not None:
                    val_out = _predict(model, X_val, max(bs, 1024))
                    logs["val_loss"] = _loss_value(loss, val_out, y_val, reduction == "sum")
                    logs.update(_score(metric_fns, y_val, scored(val_out), prefix="val_"))
                if lr_now is not None:
                    logs["lr"] = float(lr_now)
                history.append(epoch, logs)
                cbs.on_epoch_end(epoch, logs)
                if schedule is not None:
                    schedule.step(epoch + 1, metric=logs.get("val_loss", logs["loss"]))
                bar.update(logs)
                if state.stop_training:
                    break
        cbs.on_train_end({})
    finally:
        bar.close()
        model.train()
    return history


class _Step:
    """The training step of a run on minibatch B (the lecture's "iteration"):

        z = model(X_B),  C = loss(z, y_B) [+ penalty(model)],  backpropagate dC/dtheta,  theta <- update
    """

    def __init__(self, model, X, y, weights, loss, reduction: str, penalty: "_BoundPenalty | None", optimizer,
                 batch_size: int, transform: Callable | None, seed: int):
        self.model, self.X, self.y, self.weights = model, X, y, weights
        self.cost = loss if weights is None else _weighted_loss(loss, reduction)
        self.sum_over_samples = reduction == "sum"
        self.penalty, self.optimizer, self.batch_size = penalty, optimizer, batch_size
        self.n_batches = -(-len(X) // batch_size)
        self.transform, self.seed, self.rng = transform, seed, None

    def start_epoch(self, epoch: int) -> None:
        """A fresh generator for the epoch's transforms (a replay of the epoch draws the same)."""
        if self.transform is not None:
            self.rng = augmentation_generator(self.seed, epoch)

    def batches(self, order: np.ndarray):
        """The rows of each minibatch, in ``order``."""
        for b in range(self.n_batches):
            yield order[b * self.batch_size:(b + 1) * self.batch_size]

    def inputs(self, rows: np.ndarray) -> np.ndarray:
        X_b = self.X.take(rows, axis=0)  # a fresh array of the parameters' dtype
        if self.transform is None:
            return X_b
        out = self.transform(X_b, self.rng)
        if tuple(np.shape(out)) != X_b.shape:
            raise ValueError(f"transform returned shape {tuple(np.shape(out))} for a batch of shape {X_b.shape}; "
                             "it must return an array of the batch's shape")
        return np.asarray(out, dtype=X_b.dtype)

    def loss(self, rows: np.ndarray) -> tuple:
        """The forward pass on the batch ``rows``: (what to backpropagate, z, the data loss C, C + penalty)."""
        out = self.model(node(self.inputs(rows), (), ()))  # a constant leaf
        y_b = self.y[rows]
        cost = self.cost(out, y_b) if self.weights is None else self.cost(out, y_b, self.weights[rows])
        value, penalty = float(cost.data), self.penalty
        if penalty is None:
            return cost, out, value, value
        if penalty.direct:  # its gradient is added after backward() (see _BoundPenalty)
            return cost, out, value, value + float(penalty.value())
        cost = cost + penalty.tensor()
        return cost, out, value, float(cost.data)

    def update(self, cost) -> None:
        """Backpropagate C and take the optimiser's step."""
        self.optimizer.zero_grad()
        cost.backward()
        if self.penalty is not None and self.penalty.direct:
            self.penalty.add_gradients()
        self.optimizer.step()

    def summed(self, value: float, rows: np.ndarray) -> float:
        """A batch's loss as a sum over its samples."""
        return value if self.sum_over_samples else value * len(rows)

    def replay(self, epoch: int, order: np.ndarray, stop: int) -> float | None:
        """Re-run steps 0..``stop`` of ``order`` (the update of ``stop`` left out) and return their summed
        loss, or None when one of them diverged (see :mod:`nnlab.train.recovery`)."""
        self.start_epoch(epoch)
        total = 0.0
        try:
            for b, rows in enumerate(self.batches(order)):
                cost, _, value, checked = self.loss(rows)
                if not math.isfinite(checked):
                    return None
                total += self.summed(value, rows)
                if b == stop:
                    return total
                self.update(cost)
        except Exception:  # noqa: BLE001 - any failure means the replay is not the original run
            return None
        return None


class _BoundPenalty:
    """The penalty of a run, bound to the model once.

    nnlab's penalties (:class:`~nnlab.nn.regularization.Penalty`: L1, L2, their sums) need no
    graph: P depends on the weights alone, so d(C + P)/dW = dC/dW + dP/dW, and the step
    backpropagates the data loss C and then adds dP/dW (lam W for L2) to each ``W.grad``
    (``direct``). Their value sum_W P(W) still joins the loss for the divergence check. Any
    other callable ``penalty(model) -> Tensor`` is added to the loss and backpropagated.
    """

    def __init__(self, penalty, model):
        from nnlab.nn.regularization import L2, Penalty, weight_parameters

        self.penalty, self.model = penalty, model
        self.direct = isinstance(penalty, Penalty)
        self.weights = [w for _, w in weight_parameters(model)] if self.direct else []
        # L2 on NumPy weights, the lecture's case: lam W is added in place into the gradient
        # backward() just handed out (an array of its own)
        self.l2 = type(penalty) is L2 and all(type(w.data) is np.ndarray for w in self.weights)

    def value(self):
        """sum_W P(W) on the weight arrays (direct penalties)."""
        if self.l2:  # (lam / 2) sum_W <W, W>: one BLAS dot product per weight
            total = 0.0
            for w in self.weights:
                flat = w.data.reshape(-1)
                total += flat.dot(flat)  # the method skips np.vdot's __array_function__ dispatch
            return 0.5 * self.penalty.lam * total
        return self.penalty.total(self.weights)

    def add_gradients(self) -> None:
        """W.grad += dP/dW for every weight (direct penalties), after ``backward()``."""
        if not self.l2:
            self.penalty.add_gradients(self.weights)
            return
        lam = self.penalty.lam
        for w in self.weights:
            g, data = w.grad, w.data
            if type(g) is np.ndarray and g.dtype == data.dtype and g.shape == data.shape:
                g += data if lam == 1.0 else data * lam  # = W.grad + W * lam, the same rounding (W * 1 is W)
            else:
                self.penalty.add_gradients([w])

    def tensor(self):
        """penalty(model) as a Tensor to add to the loss (other callables)."""
        return self.penalty(self.model)


def _bind_penalty(penalty, model) -> _BoundPenalty | None:
    """``penalty`` bound to ``model``; None when there is nothing to add (no penalty, lambda 0, no weights)."""
    if penalty is None:
        return None
    if not callable(penalty):
        raise TypeError(f"penalty must be a callable penalty(model) -> Tensor such as nnlab.nn.regularization.L2(lam), "
                        f"got {type(penalty).__name__}")
    bound = _BoundPenalty(penalty, model)
    if bound.direct and not (bound.weights and penalty.active()):
        return None
    return bound


def _score(metric_fns, y, scored, prefix: str = "") -> dict[str, float]:
    return {prefix + name: float(fn(y, scored)) for name, fn in metric_fns}


def _weighted_loss(loss, reduction: str) -> Callable:
    """loss(out, y, w) = sum_i w_i l_i / sum_i w_i ('mean') or sum_i w_i l_i ('sum')."""
    unreduced = _per_sample_loss(loss)

    def weighted(out, target, w):
        per = unreduced(out, target)
        if per.ndim > 1:
            from nnlab import ops

            per = ops.mean(per, axis=tuple(range(1, per.ndim)))
        w = w.astype(per.dtype)
        total = (per * w).sum()
        if reduction == "sum":
            return total
        s = float(w.sum())
        return total * (1.0 / s) if s > 0 else total * 0.0

    return weighted
