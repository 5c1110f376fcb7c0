"""pytest-benchmark timings of the engine (not part of ``make test``; nothing is asserted on time).

    .venv/bin/python -m pytest benchmarks/test_bench_engine.py --benchmark-only

The throughput per cohort size, peak memory and the accuracy study are in bench_batch.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from hpgsim.engine.batch import run_batch
from hpgsim.engine.run import DoseEvents, run_man
from hpgsim.people.population import sample_men

YEAR_H = 364 * 24.0
OUTPUTS = ("total_testosterone", "estradiol", "lh", "fsh", "sperm_concentration")


@pytest.fixture(scope="module")
def workload():
    men = sample_men(np.random.default_rng(2026), 100, age={"min": 20, "max": 70}, bmi={"mean": 28, "sd": 5})
    events = DoseEvents.from_list([(24.0 * d, "anastrozole", 1000.0) for d in range(364)])
    out_t = np.arange(0.0, 53.0) * 168.0
    run_batch(men[:2], events, out_t, OUTPUTS)            # compile or load the cache outside the timing
    run_man(men[0], events, YEAR_H)
    return men, events, out_t


def test_one_man_year_single_man_path(benchmark, workload):
    men, events, _ = workload
    raw = benchmark(run_man, men[0], events, YEAR_H)
    assert raw.y.shape[0] == 365          # a real year was simulated (daily outputs, both ends)


@pytest.mark.parametrize("parallel", [True, False], ids=["parallel", "serial"])
def test_hundred_man_years_batch(benchmark, workload, parallel):
    men, events, out_t = workload
    res = benchmark.pedantic(run_batch, args=(men, events, out_t, OUTPUTS), kwargs={"parallel": parallel},
                             rounds=3, iterations=1)
    assert res.ok.all()
