"""Sub-commands of the ``nnlab`` command line (see :mod:`nnlab.cli`)."""
