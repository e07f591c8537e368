"""The lecture's other network families: a radial basis function network and a recurrent network."""
from __future__ import annotations

import json

from nnlab.report._core import Context, Figure, SectionResult, SectionSpec, Table, run_command

RNN_ARGUMENTS = {"full": "", "quick": "--quick", "smoke": "--quick --epochs 3"}


def run(ctx: Context) -> SectionResult:
    rbf_dir, rnn_dir = ctx.directory / "rbf", ctx.directory / "rnn"
    run_command("rbf", "", rbf_dir)
    run_command("rnn", f"sine {RNN_ARGUMENTS[ctx.mode]}", rnn_dir)
    rbf = json.loads((rbf_dir / "metrics.json").read_text())
    rnn = json.loads((rnn_dir / "metrics.json").read_text())
    return SectionResult(
        figures=[Figure(rbf_dir / "interpolation.png",
                        f"RBF network ({rbf['n_centers']} Gaussian units, k-means centres) interpolating the Franke "
                        f"function from {rbf['n_train']} points: exact, network, error."),
                 Figure(rnn_dir / "predictions.png",
                        f"{rnn['cell'].upper()} ({rnn['hidden_size']} units) predicting the next value of a noisy "
                        f"sine wave from the previous {rnn['length']}.")],
        tables=[Table(["model", "test score", "reference", "reference score"], [
            ["RBF network, Franke function (R2)", rbf["test_r2"], "SciPy RBFInterpolator",
             rbf["scipy_rbfinterpolator_test_r2"]],
            [f"{rnn['cell'].upper()}, noisy sine (MSE)", rnn["test_mse"], "persistence (repeat the last value)",
             rnn["persistence_mse"]]], "Test scores")],
        numbers={"RBF test R2": rbf["test_r2"], "RNN MSE / persistence MSE": rnn["test_mse"] / rnn["persistence_mse"],
                 "RNN epochs": rnn["epochs"]})


SPEC = SectionSpec(
    key="families", title="Radial basis function and recurrent networks",
    summary="An RBF network (input, Gaussian hidden layer, linear output) interpolates the Franke function; an LSTM "
            "trained by backpropagation through time (gradient norm clipped) predicts a noisy sine wave.",
    command="nnlab rbf --output-dir runs/rbf && nnlab rnn sine --output-dir runs/rnn", run=run,
    lecture="Other types of networks; Recurrent neural networks", docs="docs/10-rbf-recurrent-boltzmann.md")
