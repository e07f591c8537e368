"""The nnlab command line: one grammar for lists (--hidden 100,50), one line per error, status 2."""
from __future__ import annotations

import argparse

import pytest

from nnlab.cli import COMMANDS, Parser, build_parser, main
from nnlab.commands._common import add_hidden, hidden_sizes


def _parser() -> argparse.ArgumentParser:
    parser = Parser(prog="nnlab test")
    add_hidden(parser, (50,))
    return parser


def test_hidden_is_one_comma_separated_option():
    assert hidden_sizes("100,50") == (100, 50) and hidden_sizes(" 16 ") == (16,)
    assert _parser().parse_args(["--hidden", "100,50"]).hidden == (100, 50)
    assert _parser().parse_args([]).hidden == (50,)


@pytest.mark.parametrize("argv, right", [(["--hidden", "100", "--hidden", "50"], "write --hidden 100,50"),
                                         (["--hidden", "16", "16"], "write --hidden 16,16"),
                                         (["--hidden", "100,50", "10"], "write --hidden 100,50,10")])
def test_other_spellings_are_refused_naming_the_right_form(argv, right, capsys):
    with pytest.raises(SystemExit) as info:
        _parser().parse_args(argv)
    err = capsys.readouterr().err.strip()
    assert info.value.code == 2 and "\n" not in err
    assert err.startswith("nnlab test: error: --hidden") and right in err, err


def test_hidden_needs_integers(capsys):
    with pytest.raises(SystemExit):
        _parser().parse_args(["--hidden", "a,b"])
    assert "expected comma-separated layer widths like 50 or 100,50, got 'a,b'" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["digits", "--hidden", "100", "--hidden", "50"], ["digits", "--hidden", "16", "16"],
                                  ["digits", "--epochs", "many"], ["vanishing", "--activations", ""],
                                  ["compare", "--libraries", "nnlab,matlab"], ["rnn"], ["nosuchcommand"]])
def test_argument_errors_are_one_line_with_status_2(argv, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    err = capsys.readouterr().err.strip()
    assert info.value.code == 2 and len(err.splitlines()) == 1, err
    assert err.startswith(f"nnlab {argv[0]}: error: " if argv[0] in COMMANDS else "nnlab: error: "), err


@pytest.mark.parametrize("argv, message", [
    (["vanishing", "--depth", "0"], "nnlab vanishing: error: --depth must be a positive integer, got 0"),
    (["vanishing", "--jobs", "0"], "nnlab vanishing: error: --jobs must be a positive integer, got 0"),
    (["compare", "--epochs", "0"], "nnlab compare: error: --epochs must be a positive integer, got 0"),
    (["compare", "--eta", "0"], "nnlab compare: error: --eta must be > 0"),
    (["activations", "--zmin", "1", "--zmax", "0"], "nnlab activations: error: need --zmin < --zmax"),
    (["digits", "--hidden", "0,3"], "nnlab digits: error: --hidden widths must be positive integers, got 0,3"),
    (["rbf", "--lr", "0"], "nnlab rbf: error: --epochs must be >= 0, --lr and --width-scale positive"),
    (["rbm", "--n-components", "0"], "nnlab rbm: error:"),
    (["cnn", "--lr-decay", "2"], "nnlab cnn: error: --lr-decay must lie in (0, 1], got 2.0"),
])
def test_bad_values_are_one_line_with_status_2_and_write_nothing(argv, message, tmp_path, capsys):
    assert main([*argv, "--output-dir", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(message) and "\n" not in err, err
    assert not (tmp_path / "out").exists()


def test_every_command_help_shows_hidden_with_one_value(capsys):
    parser = build_parser()
    for name in ("digits",):
        with pytest.raises(SystemExit):
            parser.parse_args([name, "--help"])
        out = capsys.readouterr().out
        assert "[--hidden N[,N...]]" in out and "N[,N...] [" not in out
