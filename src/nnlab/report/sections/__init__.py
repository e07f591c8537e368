"""The report's sections, in the order of the lecture. Each module's run() imports what it needs lazily."""
from __future__ import annotations

import importlib

from nnlab.report._core import SectionSpec

# key -> (module, attribute holding its SectionSpec)
_SPECS = {
    "activations": ("activations", "SPEC"),
    "perceptron": ("perceptron", "SPEC"),
    "digits": ("digits", "SPEC"),
    "grid": ("grid", "SPEC"),
    "compare": ("compare", "SPEC"),
    "cnn": ("cnn", "SPEC"),
    "vanishing": ("vanishing", "SPEC"),
    "families": ("families", "SPEC"),
    "rbm": ("rbm", "SPEC"),
    "ode": ("equations", "ODE"),
    "pde": ("equations", "PDE"),
}

SECTION_NAMES: tuple[str, ...] = tuple(_SPECS)


def get_section(key: str) -> SectionSpec:
    """The SectionSpec called ``key`` (see SECTION_NAMES)."""
    try:
        module, attribute = _SPECS[key]
    except KeyError:
        raise ValueError(f"unknown report section {key!r}; choose from {list(SECTION_NAMES)}") from None
    return getattr(importlib.import_module(f"nnlab.report.sections.{module}"), attribute)
