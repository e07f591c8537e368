"""scikit-learn compatible estimators: thin adapters over :mod:`nnlab.models` and :func:`nnlab.train.fit`.

``MLPClassifier`` and ``MLPRegressor`` take scikit-learn's parameter names and defaults (plus
``dtype``, ``weight_init``, ``dropout``, ``output_activation``, ``l1``); ``CNNClassifier`` the
same conventions for images (n, C, H, W) or flat rows. They work in ``Pipeline``,
``GridSearchCV`` and ``cross_val_score`` and pass scikit-learn's estimator checks.
"""
from nnlab.estimators.base import BaseNetworkEstimator, NetworkClassifierMixin, NetworkRegressorMixin
from nnlab.estimators.cnn import CNNClassifier
from nnlab.estimators.mlp import MLPClassifier, MLPRegressor

__all__ = ["MLPClassifier", "MLPRegressor", "CNNClassifier", "BaseNetworkEstimator", "NetworkClassifierMixin",
           "NetworkRegressorMixin"]
