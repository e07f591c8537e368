"""Experiments from the lecture, each ``nnlab.experiments.<name>.run(config) -> Result``.

One module per experiment: ``activations``, ``perceptron``, ``digits``, ``grid``, ``compare``, ``cnn``,
``vanishing``, ``rbf``, ``rnn``, ``rbm``; each has a config dataclass and a ``run`` that writes its
files into ``config.output_dir`` and returns a :class:`nnlab.experiments.result.Result` (headline,
numbers, figure paths, tables, printed lines). The command line (:mod:`nnlab.commands`) and the HTML
report (:mod:`nnlab.report`) both call ``run``; neither reads what the other printed.

Only the grid search and the library comparison are imported here; the other modules (and the
reference libraries PyTorch and Keras) are imported when used.
"""
from nnlab.experiments.compare import CompareResult, CompareRow, compare_libraries, train_library
from nnlab.experiments.grid import GridCell, GridResult, grid_search, load_dataset

__all__ = ["grid_search", "GridResult", "GridCell", "load_dataset", "compare_libraries", "train_library",
           "CompareResult", "CompareRow"]
