"""Training: the fit loop, callbacks, history, metrics and checkpoints."""
from nnlab.train.callbacks import Callback, CallbackList, EarlyStopping, LambdaCallback, ModelCheckpoint, TrainingState
from nnlab.train.checkpoint import CheckpointInfo, load_training_checkpoint, save_training_checkpoint
from nnlab.train.history import History
from nnlab.train.loop import TrainingDivergedError, evaluate, fit, predict
from nnlab.train.metrics import METRICS, accuracy, confusion_matrix, get_metric, mae, mse, r2, rmse
from nnlab.train.progress import ProgressBar

__all__ = [
    "fit", "predict", "evaluate", "TrainingDivergedError", "History",
    "Callback", "CallbackList", "TrainingState", "EarlyStopping", "ModelCheckpoint", "LambdaCallback",
    "save_training_checkpoint", "load_training_checkpoint", "CheckpointInfo",
    "METRICS", "get_metric", "accuracy", "mse", "mae", "rmse", "r2", "confusion_matrix", "ProgressBar",
]
