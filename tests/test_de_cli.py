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


def test_pde_burgers_prints_relative_and_max_error_and_slices(tmp_path, capsys):
    assert main(["pde", "burgers", "--iterations", "0", "--lbfgs-iterations", "30", "--points", "200", "--hidden",
                 "8,8", "--output-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("relative L2 error: ")
    assert 0 < float(re.search(r"^relative L2 error: (\S+)$", out, re.M).group(1)) < 1
    assert re.search(r"^max error: \S+$", out, re.M)
    for name in ("solution_2d.png", "burgers_slices.png", "loss_history.png"):
        assert (tmp_path / name).stat().st_size > 0


@pytest.mark.parametrize("argv, message", [
    (["ode", "decay", "--hidden", "16", "16"], "--hidden 16,16"),
    (["ode", "decay", "--hidden", "16,x"], "comma-separated"),
    (["ode", "decay", "--hidden", "0"], "--hidden sizes must be positive"),
    (["ode", "decay", "--points", "1"], "--points must be at least 2"),
    (["pde", "poisson", "--iterations", "-1"], "--iterations must be >= 0"),
    (["pde", "diffusion", "--adaptive"], "--adaptive needs a random collocation"),
])
def test_bad_options_give_one_error_line_and_status_2(argv, message, tmp_path, capsys):
    try:  # argparse's own errors leave through SystemExit, the commands' checks through the return value
        status = main([*argv, "--output-dir", str(tmp_path / "out")])
    except SystemExit as exc:
        status = exc.code
    assert status == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"nnlab {argv[0]}: error: ") and message in err[0]


def test_hidden_in_the_comma_form_reaches_the_network(tmp_path):
    from nnlab.cli import build_parser
    from nnlab.de.problems import get_problem
    from nnlab.experiments.equations import EquationConfig, settings_for

    hidden = build_parser().parse_args(["ode", "decay", "--hidden", "5,3"]).hidden
    assert tuple(hidden) == (5, 3)
    problem = get_problem("decay")
    solver = problem.solver(**settings_for(problem, EquationConfig("decay", tmp_path, hidden=tuple(hidden))))
    assert [layer.weight.shape for layer in solver.network.layers] == [(1, 5), (5, 3), (3, 1)]
