"""Sweeps on a Dask cluster: ``grid_search(scheduler=...)``, ``nnlab grid --scheduler`` and
scikit-learn's ``GridSearchCV`` with nnlab estimators through joblib's dask backend give the
same results as the local runs. Skipped without ``dask[distributed]`` (the optional extra)."""
import csv

import numpy as np
import pytest

distributed = pytest.importorskip("dask.distributed")

from nnlab.cli import main  # noqa: E402
from nnlab.experiments.grid import grid_search, load_dataset  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::ResourceWarning",
                                        "ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def cluster():
    """Two workers in this process (threads): quick to start; the cells still travel through the scheduler."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as c:
        yield c


def _table(rows):
    return [{k: v for k, v in row.items() if k != "seconds"} for row in rows]


def test_grid_on_a_two_worker_cluster_gives_the_local_table(cluster):
    data = load_dataset("digits", seed=0)
    kw = dict(data=data, epochs=6)
    local = grid_search((1e-3, 1e-2, 10.0), (0.0, 10.0), n_jobs=1, **kw)
    remote = grid_search((1e-3, 1e-2, 10.0), (0.0, 10.0), scheduler=cluster.scheduler_address, **kw)
    assert remote.settings["scheduler"] == cluster.scheduler_address
    np.testing.assert_equal(_table(remote.rows()), _table(local.rows()))  # NaN == NaN for the diverged cell
    assert [c.status for c in remote.cells].count("diverged") == 1
    with distributed.Client(cluster.scheduler_address) as client:  # both workers were there to take cells
        assert len(client.scheduler_info()["workers"]) == 2


def test_grid_command_with_scheduler_writes_the_local_csv(cluster, tmp_path, capsys):
    common = ["grid", "--task", "regression", "--quick", "--etas", "1e-3,1e-2", "--lambdas", "0,0.1"]
    assert main([*common, "--jobs", "1", "--output-dir", str(tmp_path / "local")]) == 0
    assert main([*common, "--scheduler", cluster.scheduler_address, "--output-dir", str(tmp_path / "dask")]) == 0
    tables = []
    for name in ("local", "dask"):
        with open(tmp_path / name / "grid.csv") as f:
            tables.append(_table(csv.DictReader(f)))
    assert len(tables[0]) == 4 and tables[0] == tables[1]


def test_gridsearchcv_with_nnlab_estimators_on_dask(cluster):
    from joblib import parallel_config
    from sklearn.datasets import load_digits
    from sklearn.model_selection import GridSearchCV

    from nnlab.estimators import MLPClassifier

    X, y = load_digits(return_X_y=True)
    X, y = X[:300] / 16.0, y[:300]
    search = dict(estimator=MLPClassifier(hidden_layer_sizes=(16,), max_iter=15, random_state=0),
                  param_grid={"learning_rate_init": [1e-3, 1e-2]}, cv=2)
    local = GridSearchCV(**search, n_jobs=1).fit(X, y)
    with distributed.Client(cluster.scheduler_address), parallel_config(backend="dask"):
        remote = GridSearchCV(**search, n_jobs=-1).fit(X, y)
    np.testing.assert_array_equal(remote.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"])
    np.testing.assert_array_equal(remote.predict_proba(X), local.predict_proba(X))


def test_unreachable_scheduler_is_reported():
    from nnlab.experiments._dask import dask_backend

    with pytest.raises(OSError, match="cannot reach the Dask scheduler"):
        with dask_backend("tcp://127.0.0.1:9", connect_timeout=1):
            pass


def test_scheduler_local_starts_and_closes_its_own_cluster():
    import multiprocessing

    data = load_dataset("digits", seed=0)
    kw = dict(data=data, hidden=(10,), epochs=2)
    local = grid_search((1e-2,), (0.0, 0.1), n_jobs=1, **kw)
    remote = grid_search((1e-2,), (0.0, 0.1), n_jobs=2, scheduler="local", **kw)
    assert _table(remote.rows()) == _table(local.rows())
    assert not multiprocessing.active_children()  # the LocalCluster's worker processes are gone
    with pytest.raises(ValueError, match="[Nn]o .*client"):  # and no client is left connected
        distributed.get_client()
