"""Monte Carlo of several cases on a Dask cluster: a LocalCluster of 2 worker processes on
loopback (:func:`eip_analysis.cluster.dask_client`) gives, to the last bit, the numbers of
:func:`eip_analysis.risk.monte_carlo` run in this process.

Slower than the rest (the cluster starts once for the module, a few seconds; the whole file
takes about 10 s), so marked ``slow`` (``pytest -m "not slow"`` leaves it out); it is part of
the normal suite.
"""

from __future__ import annotations

import numpy as np
import pytest

from eip_analysis import load_case
from eip_analysis.appraisal import run_of
from eip_analysis.cluster import dask_client
from eip_analysis.errors import InputError
from eip_analysis.risk import (
    BLOCK_DRAWS,
    MONTE_CARLO_METRICS,
    _evaluate_chunk,
    evaluate_metrics,
    monte_carlo,
    monte_carlo_many,
)

pytestmark = pytest.mark.slow

CASES = ("HK-01", "TN-05", "TN-06")
N_DRAWS = 2 * BLOCK_DRAWS + 500  # three blocks, the last one partial
SEED = 20240101


@pytest.fixture(scope="module")
def client():
    with dask_client(n_workers=2) as c:
        yield c


_LOCAL: dict[int, dict] = {}


def _local(n_draws: int) -> dict:
    """``monte_carlo`` of each case here, once per number of draws."""
    if n_draws not in _LOCAL:
        _LOCAL[n_draws] = {cid: monte_carlo(load_case(cid), n_draws=n_draws, seed=SEED)
                           for cid in CASES}
    return _LOCAL[n_draws]


def _assert_identical(got, expected) -> None:
    assert (got.case_id, got.n_draws, got.seed, got.drivers) == (
        expected.case_id, expected.n_draws, expected.seed, expected.drivers)
    assert got.base.keys() == expected.base.keys()
    assert np.array_equal(list(got.base.values()), list(expected.base.values()), equal_nan=True)
    assert got.inputs.keys() == expected.inputs.keys()
    for k, x in expected.inputs.items():
        assert np.array_equal(got.inputs[k], x), k
    assert list(got.outputs) == list(expected.outputs)
    for k, x in expected.outputs.items():
        assert got.outputs[k].shape == (expected.n_draws,)
        assert np.array_equal(got.outputs[k], x, equal_nan=True), (got.case_id, k)


@pytest.mark.parametrize(("n_draws", "chunk_draws"), [
    (N_DRAWS, 2 * BLOCK_DRAWS),  # chunks 4,000 + 500: the chunk does not divide n_draws
    (N_DRAWS, BLOCK_DRAWS),  # one block per task: 2,000 + 2,000 + 500
    (700, BLOCK_DRAWS),  # small cases packed together: one task holds two cases
], ids=["chunk-not-dividing-n_draws", "one-block-per-task", "cases-sharing-a-task"])
def test_cluster_equals_local_to_the_last_bit(client, n_draws, chunk_draws):
    cases = [load_case(cid) for cid in CASES]
    many = monte_carlo_many(cases, n_draws=n_draws, seed=SEED, client=client,
                            chunk_draws=chunk_draws)
    assert list(many) == list(CASES)
    for cid in CASES:
        _assert_identical(many[cid], _local(n_draws)[cid])


def test_a_bad_case_fails_in_one_line_before_any_task(client, write_case, mini_data):
    mini_data["benefits"][0]["unit_price"].update(low=80, high=50)
    path = write_case(mini_data)
    with pytest.raises(InputError) as info:
        monte_carlo_many(["HK-01", path], n_draws=10, client=client)
    msg = str(info.value)
    assert msg.startswith(str(path)) and "\n" not in msg
    assert "benefits[0].unit_price" in msg


def test_an_input_error_on_a_worker_comes_back_as_its_one_line(client):
    case, params, _ = run_of(load_case("HK-01"))
    bad = {"capex.nope.amount": np.ones(3)}
    with pytest.raises(InputError) as here:
        evaluate_metrics(case, params.values, bad, MONTE_CARLO_METRICS)
    run = (case, dict(params.values), MONTE_CARLO_METRICS)
    sent = client.submit(_evaluate_chunk, run, bad, 3, pure=False).result()
    again = sent.error()
    assert isinstance(again, InputError) and str(again) == str(here.value)
    assert "\n" not in str(again)
