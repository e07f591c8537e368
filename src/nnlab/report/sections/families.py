"""The lecture's other network families: a radial basis function network and a recurrent network."""
from __future__ import annotations

from nnlab.report._core import Context, Figure, SectionResult, SectionSpec, Table

RNN_SETTINGS = {"full": {}, "quick": {"quick": True}, "smoke": {"quick": True, "epochs": 3}}


def run(ctx: Context) -> SectionResult:
    from nnlab.experiments.rbf import RBFConfig, run as run_rbf
    from nnlab.experiments.rnn import config_from, run as run_rnn

    rbf_result = run_rbf(RBFConfig(seed=ctx.seed, output_dir=ctx.directory / "rbf"))
    rnn_config = config_from("sine", seed=ctx.seed, **ctx.pick(RNN_SETTINGS))
    rnn_config.output_dir = ctx.directory / "rnn"
    rnn_result = run_rnn(rnn_config)
    rbf, rnn = rbf_result.numbers, rnn_result.numbers
    return SectionResult(
        figures=[Figure(rbf_result.figures["interpolation"],
                        f"RBF network ({rbf['n_centers']} Gaussian units, k-means centres) interpolating the Franke "
                        f"function from {rbf['n_train']} points: exact, network, error."),
                 Figure(rnn_result.figures["predictions"],
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
