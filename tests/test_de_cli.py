"""`nnlab ode` and `nnlab pde` print the headline and write their figures."""
import re

import pytest

from nnlab.cli import COMMANDS, main


def test_commands_are_registered():
    assert COMMANDS["ode"] == "nnlab.commands.ode" and COMMANDS["pde"] == "nnlab.commands.pde"


def test_ode_decay_quick(tmp_path, capsys):
    assert main(["ode", "decay", "--quick", "--output-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    error = float(re.search(r"^max error: (\S+)$", out, re.M).group(1))
    assert error < 1e-2
    assert re.search(r"^iterations: \d+$", out, re.M) and "wall time:" in out
    for name in ("solution.png", "error.png", "loss_history.png"):
        assert (tmp_path / name).stat().st_size > 0


def test_pde_diffusion_quick_compares_with_finite_differences(tmp_path, capsys):
    assert main(["pde", "diffusion", "--quick", "--lbfgs-iterations", "150", "--output-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert float(re.search(r"^max error: (\S+)$", out, re.M).group(1)) < 1e-2
    fd10 = float(re.search(r"FTCS dx=1/10\): (\S+)", out).group(1))
    fd100 = float(re.search(r"FTCS dx=1/100\): (\S+)", out).group(1))
    assert fd100 < fd10 / 50  # second order in dx at dt = dx^2 / 2
    for name in ("solution_2d.png", "loss_history.png", "diffusion_fd_comparison.png"):
        assert (tmp_path / name).stat().st_size > 0


def test_unknown_problem_is_refused(capsys):
    with pytest.raises(SystemExit):
        main(["pde", "wave"])
    assert "invalid choice" in capsys.readouterr().err
