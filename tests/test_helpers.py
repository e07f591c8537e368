"""The bottom-layer helpers: nnlab._files (atomic writer), nnlab._validation, nnlab._geometry, nnlab._random."""
from __future__ import annotations

import os

import numpy as np
import pytest

from nnlab._files import write_atomically
from nnlab._geometry import output_hw, pair
from nnlab._validation import check_integer, check_number


def test_write_atomically_replaces_whole_files_and_keeps_the_old_one_on_failure(tmp_path):
    path = tmp_path / "f.bin"
    assert write_atomically(path, lambda tmp: open(tmp, "wb").write(b"new")) == path
    assert path.read_bytes() == b"new"

    def broken(tmp):
        with open(tmp, "wb") as f:
            f.write(b"half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        write_atomically(path, broken)
    assert path.read_bytes() == b"new" and sorted(p.name for p in tmp_path.iterdir()) == ["f.bin"]


def test_write_atomically_keeps_the_suffix_of_the_temporary_file(tmp_path):
    seen = []
    write_atomically(tmp_path / "model.pt2", lambda tmp: (seen.append(tmp), open(tmp, "wb").close()))
    assert seen[0].endswith(".pt2") and os.path.basename(seen[0]).startswith(".model.tmp-")


def test_write_atomically_never_creates_directories(tmp_path):
    with pytest.raises(FileNotFoundError, match="directory .*missing does not exist; create it first"):
        write_atomically(tmp_path / "missing" / "f.bin", lambda tmp: None)
    assert not (tmp_path / "missing").exists()
    (tmp_path / "a_file").write_text("x")
    with pytest.raises(NotADirectoryError, match="a_file is a file, not a directory"):
        write_atomically(tmp_path / "a_file" / "f.bin", lambda tmp: None)
    with pytest.raises(IsADirectoryError, match="it is a directory"):
        write_atomically(tmp_path, lambda tmp: None)


def test_model_files_and_exports_share_the_writer():
    import nnlab.export.onnx as onnx_export
    import nnlab.export.torch as torch_export
    import nnlab.io as io

    assert onnx_export.write_atomically is torch_export.write_atomically is io.write_atomically is write_atomically


def test_check_number_types_and_ranges():
    assert check_number("lr", 0.5, 0.0) == 0.5 and check_number("x", None, allow_none=True) is None
    with pytest.raises(TypeError, match="lr must be a number, got 'fast'"):
        check_number("lr", "fast")
    with pytest.raises(TypeError, match="must be a number"):
        check_number("lr", True)
    with pytest.raises(TypeError, match="lr must be a number, got '0.1' of type str"):
        check_number("lr", "0.1")  # float() would read it; a number given as text is a mistake
    with pytest.raises(ValueError, match=r"rho must lie in \[0.0, 1.0\), got 1"):
        check_number("rho", 1, 0.0, 1.0, high_open=True)
    with pytest.raises(ValueError, match="must lie in"):
        check_number("eps", float("nan"))
    with pytest.raises(ValueError, match=r"eps must lie in \(0.0, inf\]"):
        check_number("eps", 0.0, 0.0, low_open=True)
    assert check_integer(np.int64(3), "n") == 3
    with pytest.raises(TypeError, match="n must be a positive integer, got 2.0"):
        check_integer(2.0, "n")


def test_pair_and_output_size():
    assert pair(3) == (3, 3) and pair([2, 1]) == (2, 1) and pair(0) == (0, 0)
    with pytest.raises(ValueError, match="stride must be positive, got 0"):
        pair(0, "stride", low=1)
    with pytest.raises(TypeError, match="kernel_size must be an int or a pair of ints, got 2.5"):
        pair(2.5, "kernel_size")
    with pytest.raises(TypeError, match="an int or a pair"):
        pair(True)
    # floor((H + pads - k) / s) + 1, against the convolution itself
    from nnlab.conv_ops import conv2d, conv_output_shape

    x, w = np.zeros((1, 1, 9, 7)), np.zeros((2, 1, 3, 2))
    assert output_hw((9, 7), (3, 2), (2, 3), (1, 0, 2, 1)) == (4, 3)
    assert conv2d(x, w, stride=(2, 3), padding=(1, 0, 2, 1)).shape[2:] == (4, 3)
    assert conv_output_shape((9, 7), (3, 2), (2, 3), (1, 0, 2, 1)) == (4, 3)


def test_as_generator_lives_at_the_bottom_and_nn_re_exports_it():
    from nnlab._random import as_generator
    from nnlab.nn import as_generator as nn_as_generator

    assert nn_as_generator is as_generator
    assert as_generator(3).integers(100) == np.random.default_rng(3).integers(100)
