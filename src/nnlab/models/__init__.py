"""Ready-made models: the perceptron, multilayer perceptrons, logistic regression."""
from nnlab.models.mlp import default_init, lecture_mlp, logistic_regression, mlp
from nnlab.models.perceptron import Perceptron

__all__ = ["Perceptron", "mlp", "lecture_mlp", "logistic_regression", "default_init"]
