"""Seeing inside training: per-layer activation and gradient statistics, saturated and dead units.

:func:`layer_statistics` measures a Sequential network once on a batch;
:class:`TrainingMonitor` (alias ``GradientStatistics``) does it during ``fit`` on a fixed
probe batch and keeps a :class:`DiagnosticsRecord` in ``history.diagnostics``. The study of
vanishing and exploding gradients built on them is :mod:`nnlab.experiments.vanishing`.
"""
from nnlab.diagnostics.monitor import DiagnosticsRecord, GradientStatistics, TrainingMonitor, first_to_last_ratio
from nnlab.diagnostics.statistics import (
    DYING, SATURATING, SATURATION_MARGIN, STATISTICS, layer_activation, layer_names, layer_outputs, layer_statistics,
    measure,
)

__all__ = [
    "layer_statistics", "layer_outputs", "layer_names", "layer_activation", "measure", "first_to_last_ratio",
    "TrainingMonitor", "GradientStatistics", "DiagnosticsRecord",
    "SATURATION_MARGIN", "SATURATING", "DYING", "STATISTICS",
]
