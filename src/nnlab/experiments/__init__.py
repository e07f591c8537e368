"""Experiments from the lecture, each ``nnlab.experiments.<name>.run(config) -> Result``.

One module per experiment: ``activations``, ``perceptron``, ``digits``, ``grid``, ``compare``, ``cnn``,
``vanishing``, ``rbf``, ``rnn``, ``rbm``; each has a config dataclass (exported here) and a ``run``
that writes its files into ``config.output_dir`` and returns a :class:`Result` (headline, numbers,
figure paths, tables, printed lines)::

    from nnlab import experiments
    result = experiments.grid.run(experiments.GridConfig(epochs=5, output_dir="runs/grid"))

The command line (:mod:`nnlab.commands`) and the HTML report (:mod:`nnlab.report`) both call
``run``; neither reads what the other printed. Importing this package is cheap: each module imports
its training code, plotting and the reference libraries (PyTorch, Keras) only when it runs.
"""
from nnlab.experiments import activations, cnn, compare, digits, grid, perceptron, rbf, rbm, rnn, vanishing
from nnlab.experiments.activations import ActivationsConfig
from nnlab.experiments.cnn import CNNConfig
from nnlab.experiments.compare import CompareConfig, CompareResult, CompareRow, compare_libraries, train_library
from nnlab.experiments.digits import DigitsConfig
from nnlab.experiments.grid import GridCell, GridConfig, GridResult, grid_search, load_dataset
from nnlab.experiments.perceptron import PerceptronConfig
from nnlab.experiments.rbf import RBFConfig
from nnlab.experiments.rbm import RBMConfig
from nnlab.experiments.result import Result, Table
from nnlab.experiments.rnn import RNNConfig
from nnlab.experiments.vanishing import VanishingConfig, VanishingResult, vanishing_study

__all__ = ["activations", "perceptron", "digits", "grid", "compare", "cnn", "vanishing", "rbf", "rnn", "rbm",
           "Result", "Table",
           "ActivationsConfig", "PerceptronConfig", "DigitsConfig", "GridConfig", "CompareConfig", "CNNConfig",
           "VanishingConfig", "RBFConfig", "RNNConfig", "RBMConfig",
           "grid_search", "GridResult", "GridCell", "load_dataset", "compare_libraries", "train_library",
           "CompareResult", "CompareRow", "vanishing_study", "VanishingResult"]
