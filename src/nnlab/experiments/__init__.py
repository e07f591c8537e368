"""Experiments from the lecture: the eta x lambda grid search and the comparison with other libraries.

Reference libraries (PyTorch, Keras) are imported only when a comparison uses them.
"""
from nnlab.experiments.compare import CompareResult, CompareRow, compare_libraries, train_library
from nnlab.experiments.grid import GridCell, GridResult, grid_search, load_dataset

__all__ = ["grid_search", "GridResult", "GridCell", "load_dataset", "compare_libraries", "train_library",
           "CompareResult", "CompareRow"]
