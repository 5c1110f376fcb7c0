"""Trials in chunks and on Dask: the numbers depend on the seed alone, never on the chunk size or
on where the chunks ran; an unreachable scheduler is one line; Ctrl-C leaves nothing behind.

The expected values here are never numbers copied from a run: every test compares two runs that
the design says must agree exactly (a man's values are a function of his parameter vector and
his arm, and results are put back in man order), so any float that differs is a bug.
"""

from __future__ import annotations

import json
import socket
import time

import numpy as np
import pytest
from typer.testing import CliRunner

from hpgsim.cli import app
from hpgsim.trials import chunks, distributed, parse_spec, run_trial
from hpgsim.trials.run import run_arm

# Two small arms that take both enrolment paths: one with eight weeks of history before week 0
# (candidates are simulated and screened on their week-0 values), one untreated arm screened
# on steady states; a few men each, so that chunks of 3 and 5 cut them in different places. The
# screen only has to let some men through and turn others away (550 ng/dL on week-0 values,
# eight weeks into anastrozole for the first arm).
SPEC = {
    "id": "chunking", "title": "Chunking does not change a trial", "citation": "none (test)",
    "population": {"age": {"min": 60, "max": 75},
                   "include": [{"measure": "total_testosterone", "lt": 550, "unit": "ng/dL"}]},
    "arms": [
        {"id": "history", "n": 10, "protocol": [{"drug": "anastrozole", "dose": "1 mg", "schedule": "daily",
                                                 "start_week": -8, "weeks": 12}]},
        {"id": "untreated", "n": 10, "protocol": []},
    ],
    "endpoints": [
        {"arm": "history", "measure": "total_testosterone", "unit": "ng/dL", "week": 4,
         "observed": {"baseline": {"mean": 400, "sd": 60}, "value": {"mean": 450, "sd": 90}}},
        {"arm": "history", "measure": "concentration:anastrozole", "unit": "ng/mL", "week": 4},
        {"arm": "untreated", "measure": "lh", "unit": "IU/L", "week": 4},
    ],
}
N_VIRTUAL = 7
SEED = 11

runner = CliRunner()


def spec():
    return parse_spec(json.loads(json.dumps(SPEC)))


def assert_same_trial(a, b):
    """Exactly the same report and exactly the same per-man values."""
    assert a.to_json_dict() == b.to_json_dict()
    assert list(a.arms) == list(b.arms)
    for arm in a.arms:
        x, y = a.arms[arm], b.arms[arm]
        assert (x.candidates, x.not_screened, x.failures) == (y.candidates, y.not_screened, y.failures)
        assert np.array_equal(x.weeks, y.weeks) and set(x.values) == set(y.values)
        for m in x.values:
            assert np.array_equal(x.values[m], y.values[m]), (arm, m)


@pytest.fixture(scope="module")
def one_chunk():
    """The reference: every arm's men in one chunk, in this process."""
    return run_trial(spec(), n_virtual=N_VIRTUAL, seed=SEED, chunk_size=100_000)


@pytest.fixture(scope="module")
def client():
    """A real cluster of two single-threaded worker processes (results cross a pickle and a
    socket), started as ``--dask local`` starts one (there with one worker per core)."""
    with distributed._local_cluster(n_workers=2) as client:
        yield client


def test_any_chunk_size_gives_the_numbers_of_one_chunk(one_chunk):
    result = one_chunk.to_json_dict()
    # the screen was applied and both enrolment paths ran
    assert [a["enrolled"] for a in result["arms"]] == [N_VIRTUAL, N_VIRTUAL]
    assert all(a["candidates_drawn"] >= N_VIRTUAL for a in result["arms"])
    for size in (1, None):   # every man his own chunk; the default sizing
        assert_same_trial(run_trial(spec(), n_virtual=N_VIRTUAL, seed=SEED, chunk_size=size), one_chunk)


def test_failed_men_are_left_out_the_same_way_whatever_the_chunking(monkeypatch):
    from hpgsim.engine import dopri
    from hpgsim.errors import NumericalError

    real = chunks.run_man

    def failing_run_man(p, *args, **kwargs):   # about one man in three fails, decided by his own parameters
        if int(abs(p).sum() * 1e6) % 3 == 0:
            raise NumericalError("step size underflow (test)")
        return real(p, *args, **kwargs)

    real_batch = chunks.run_batch

    def failing_run_batch(men, *args, **kwargs):   # the same men fail on the compiled batch path
        res = real_batch(men, *args, **kwargs)
        for row, p in enumerate(men):
            if int(abs(p).sum() * 1e6) % 3 == 0:
                res.status[row] = dopri.STEP_UNDERFLOW
        return res

    monkeypatch.setattr(chunks, "run_man", failing_run_man)
    monkeypatch.setattr(chunks, "run_batch", failing_run_batch)
    runs = [run_trial(spec(), n_virtual=N_VIRTUAL, seed=SEED, chunk_size=size) for size in (1, 3, 100_000)]
    untreated = runs[-1].arms["untreated"]
    assert untreated.failures and untreated.n_ok + len(untreated.failures) == N_VIRTUAL
    assert untreated.values["lh"].shape == (untreated.n_ok, untreated.weeks.size)
    assert not np.isnan(untreated.values["lh"]).any()
    assert runs[-1].arms["history"].not_screened > 0   # a failed candidate is not enrolled
    for other in runs[:-1]:
        assert_same_trial(other, runs[-1])


def test_dask_cluster_gives_the_numbers_of_a_local_run(one_chunk, client):
    assert len(client.scheduler_info()["workers"]) == 2
    assert_same_trial(run_trial(spec(), n_virtual=N_VIRTUAL, seed=SEED, dask=client, chunk_size=3), one_chunk)
    # by address, as on a real cluster, and cut elsewhere
    assert_same_trial(run_trial(spec(), n_virtual=N_VIRTUAL, seed=SEED, dask=client.scheduler.address,
                                chunk_size=5), one_chunk)


def test_progress_advances_per_chunk_under_dask(client):
    ticks = []
    run = run_arm(spec(), 1, N_VIRTUAL, SEED, ticks.append, executor=distributed.DaskChunks(client), chunk_size=3)
    assert run.n_ok == N_VIRTUAL
    assert sorted(ticks) == [1, 3, 3]   # one tick per finished chunk, by its men


def test_ctrl_c_under_dask_cancels_the_queued_work(client):
    def interrupt(k):
        raise KeyboardInterrupt

    men = np.repeat(spec_men(), 4, axis=0)
    context = chunks.ArmContext("x", np.array([0.0, 1.0]), ("lh",), ())
    with pytest.raises(KeyboardInterrupt) as caught:
        distributed.DaskChunks(client).map(chunks.simulate_chunk, chunks.split(men, 1), context, tick=interrupt)
    assert caught.value is not None   # the traceback (and the futures in it) is still alive here,
    deadline = time.monotonic() + 20  # so only cancelling can have cleared the scheduler
    while client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks)) == 0


def spec_men():
    from hpgsim.people.population import sample_men

    return sample_men(3, 4, age={"min": 30, "max": 40})


def test_command_line_on_a_cluster_gives_the_local_json(tmp_path, one_chunk, client):
    path = tmp_path / "chunking.yaml"
    path.write_text(json.dumps(SPEC), encoding="utf-8")   # JSON is YAML
    out = tmp_path / "out"
    result = runner.invoke(app, ["trial", str(path), "--n-virtual", str(N_VIRTUAL), "--seed", str(SEED),
                                 "--dask", client.scheduler.address, "--chunk-size", "4", "--format", "json", "--no-progress",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["endpoints"] == one_chunk.to_json_dict()["endpoints"]
    assert data["arms"] == one_chunk.to_json_dict()["arms"]
    assert json.loads((out / "results.json").read_text(encoding="utf-8")) == data
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []   # no staging folder left


def test_unreachable_scheduler_is_one_line_and_exit_2(tmp_path, monkeypatch):
    with socket.socket() as s:   # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setattr(distributed, "CONNECT_TIMEOUT_S", 1.0)
    path = tmp_path / "chunking.yaml"
    path.write_text(json.dumps(SPEC), encoding="utf-8")
    result = runner.invoke(app, ["trial", str(path), "--n-virtual", "3", "--dask", f"tcp://127.0.0.1:{port}",
                                 "--no-progress"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "dask" in lines[0] and f"tcp://127.0.0.1:{port}" in lines[0], lines
    bad = runner.invoke(app, ["trial", str(path), "--dask", "nowhere", "--no-progress"])
    assert bad.exit_code == 2 and len(bad.stderr.strip().splitlines()) == 1


def _interrupted_run(tmp_path, out):
    path = tmp_path / "chunking.yaml"
    path.write_text(json.dumps(SPEC), encoding="utf-8")
    return runner.invoke(app, ["trial", str(path), "--n-virtual", "5", "--no-progress", "--out", str(out)])


def test_ctrl_c_during_the_simulation_writes_nothing(tmp_path, monkeypatch):
    calls = []
    real = chunks.simulate_chunk

    def interrupted_chunk(men, context):
        calls.append(len(men))
        if len(calls) > 1:   # after some work is done, as a user would
            raise KeyboardInterrupt
        return real(men, context)

    monkeypatch.setattr(chunks, "simulate_chunk", interrupted_chunk)
    out = tmp_path / "out"
    result = _interrupted_run(tmp_path, out)
    assert result.exit_code == 130 and len(calls) == 2
    assert result.stderr.strip().splitlines() == ["hpgsim: interrupted; no partial files were written"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chunking.yaml"]   # no out, no staging folder


def test_ctrl_c_while_writing_leaves_the_output_folder_as_it_was(tmp_path, monkeypatch):
    import hpgsim.trials.figures as figures

    def interrupted_plot(*args, **kwargs):   # results.json and endpoints.csv already written
        raise KeyboardInterrupt

    monkeypatch.setattr(figures, "plot_measures", interrupted_plot)
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    result = _interrupted_run(tmp_path, out)
    assert result.exit_code == 130
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chunking.yaml", "out"]
