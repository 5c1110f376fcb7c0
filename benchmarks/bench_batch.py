"""Throughput, latency, memory and accuracy of the batch engine (docs/performance.md).

    .venv/bin/python benchmarks/bench_batch.py                      # N = 1, 100, 10000
    .venv/bin/python benchmarks/bench_batch.py --sizes 1 100 10000 100000 --repeat 3
    .venv/bin/python benchmarks/bench_batch.py --accuracy           # error against rtol 1e-10
    .venv/bin/python benchmarks/bench_batch.py --latency            # one man's year, warm
    .venv/bin/python benchmarks/bench_batch.py --sizes 100000 --weeks 4   # memory at scale, short horizon

Workload: one year of anastrozole 1 mg daily for varied men (``people.population.sample_men``,
20-70 years, BMI 28 +/- 5), weekly outputs of five measures, the engine's default tolerances
unless ``--rtol`` says otherwise. Each size runs in its own subprocess, so its peak memory
(``ru_maxrss``) is its own; inside it the engine is warmed up on two men first (compilation or
loading from the disk cache is reported separately), then timed ``--repeat`` times (median).

Engines (:data:`ENGINES`): ``hpgsim`` (the batch engine on all cores), ``hpgsim_1thread`` (the
same with ``NUMBA_NUM_THREADS=1``) and ``roadrunner`` (libRoadRunner's CVODE on the exported SBML
of the same men, same rtol and per-variable absolute tolerances, one model loaded per protocol and
re-used for every man, one core). libRoadRunner takes about 0.8 s per man-year here, so

    .venv/bin/python benchmarks/bench_batch.py --sizes 1 100 --rr-max 100 --rr-repeat 1
    .venv/bin/python benchmarks/bench_batch.py --sizes 10000 --repeat 1 --rr-max 300

time it on the first N men of each cohort (``--rr-max``; its rate is per man-year, and the
output says on how many men each engine was timed). The ratios hpgsim / libRoadRunner are printed
for both hpgsim rows. ``tests/test_bench_roadrunner.py`` checks the two engines give the same
trajectories.

Adding an engine: write one function ``engine(men, events, out_t, rtol, atol_factor) -> dict``
that simulates the same men and returns at least ``{"ok": number of men simulated}``, and add it to
:data:`ENGINES`; every size is then run for each engine and the throughput ratios are printed.
Nothing here is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time

import numpy as np

HOURS_PER_YEAR = 8766.0
WEEKS = 52                     # whole weeks: weekly outputs fall on dose times (troughs)
OUTPUTS = ("total_testosterone", "estradiol", "lh", "fsh", "sperm_concentration")


def workload(n: int, seed: int = 2026, weeks: int = WEEKS):
    """The men, the shared protocol and the output times every engine gets."""
    from hpgsim.engine.run import DoseEvents
    from hpgsim.people.population import sample_men

    men = sample_men(np.random.default_rng(seed), n, age={"min": 20, "max": 70}, bmi={"mean": 28, "sd": 5})
    events = DoseEvents.from_list([(24.0 * d, "anastrozole", 1000.0) for d in range(7 * weeks)])
    out_t = np.arange(0.0, weeks + 1.0) * 168.0
    return men, events, out_t


def engine_hpgsim(men, events, out_t, rtol, atol_factor, values: bool = False) -> dict:
    from hpgsim.engine.batch import run_batch

    res = run_batch(men, events, out_t, OUTPUTS, rtol=rtol, atol_factor=atol_factor)
    info = {"ok": int(res.ok.sum()), "steps_per_day": float(res.steps.mean() / (out_t[-1] / 24.0)),
            "output_mb": res.nbytes / 1e6}
    if values:           # the trajectories, for tests/test_bench_roadrunner.py (never timed)
        info["values"] = {k: res.values[k] for k in OUTPUTS}
    return info


class _LoadedSbml:
    """One protocol's exported SBML, parsed and compiled by libRoadRunner once, then re-used
    for every man: his parameter values and steady state are set on the loaded model."""

    def __init__(self, man) -> None:
        import libsbml
        import roadrunner

        from hpgsim.physiology import model
        from hpgsim.physiology.parameters import DERIVED, INDEX, PARAMETERS
        from hpgsim.sbml import build_document

        t0 = time.perf_counter()
        text = libsbml.writeSBMLToString(build_document(man))
        self.build_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        self.rr = roadrunner.RoadRunner(text)
        self.load_s = time.perf_counter() - t0
        # every slot of the man's parameter vector is a constant of the same name in the file
        self.param_ids = [p.name for p in PARAMETERS] + list(DERIVED)
        self.param_index = np.array([INDEX[name] for name in self.param_ids])
        self.state_ids = list(model.STATE_NAMES)
        self.t_start = man.t_start

    def set_man(self, man, rtol: float, atol_factor: float) -> None:
        """Make the loaded model ``man``: reset (time 0, drug amounts back to 0, dose events
        re-armed), then his parameters, his steady state as the states' values at time 0, his
        tolerances. The states are set directly rather than through ``init(x)``: in
        libRoadRunner 2.10 setting ``init(x)`` of a rate-rule variable regenerates the model from
        the SBML (1.4 s each here, 25 s a man), which also drops the parameter values just set."""
        from hpgsim.sbml import absolute_tolerances

        rr = self.rr
        rr.reset()
        for name, value in zip(self.param_ids, man.params[self.param_index]):
            rr.setValue(name, float(value))
        for name, value in zip(self.state_ids, man.y0):
            rr.setValue(name, float(value))
        integrator = rr.getIntegrator()
        integrator.setValue("relative_tolerance", rtol)
        for sid, atol in absolute_tolerances(man, atol_factor).items():
            integrator.setIndividualTolerance(sid, atol)


_SBML_MODELS: dict[tuple, _LoadedSbml] = {}    # protocol -> its loaded model (one per process)


def rr_model_for(men, events, t_end: float) -> _LoadedSbml:
    """The loaded model of this protocol (built from the first man; load once, reuse)."""
    from hpgsim.sbml import man_model_from_arrays

    key = (events.t.tobytes(), events.drug.tobytes(), events.amount.tobytes(), events.central.tobytes(),
           tuple(d.name for d in events.drugs), float(t_end))
    if key not in _SBML_MODELS:
        _SBML_MODELS[key] = _LoadedSbml(man_model_from_arrays(men[0], events, t_end))
    return _SBML_MODELS[key]


def engine_roadrunner(men, events, out_t, rtol, atol_factor, values: bool = False) -> dict:
    """libRoadRunner (CVODE) on the exported SBML of the same men, one core, one man at a time.

    The protocol's model is loaded and compiled once (timed apart, ``rr_load_s``); per man his
    steady state is solved by hpgsim's compiled Newton step (as the batch engine does, about
    35 us, counted here), then set with his parameters on the loaded model. Tolerances: the
    same rtol and per-variable absolute tolerances as hpgsim (``sbml.absolute_tolerances``);
    no maximum step (CVODE's own error control, as hpgsim's); CVODE's default BDF method
    (``--rr-adams`` for Adams-Moulton). libRoadRunner reports a value at a dose instant after
    the dose, hpgsim before it; the five outputs are continuous there (oral doses enter the
    depot), so the weekly outputs compare like with like.
    """
    from hpgsim.engine.run import DEFAULT_ATOL_FACTOR, DEFAULT_RTOL
    from hpgsim.sbml import man_model_from_arrays

    rtol = DEFAULT_RTOL if rtol is None else float(rtol)
    atol_factor = DEFAULT_ATOL_FACTOR if atol_factor is None else float(atol_factor)
    loaded = rr_model_for(men, events, float(out_t[-1]))
    rr = loaded.rr
    rr.getIntegrator().setValue("stiff", not os.environ.get("HPGSIM_RR_ADAMS"))
    selections = list(OUTPUTS)
    times = np.asarray(out_t, dtype=float) - loaded.t_start
    out = np.full((len(men), len(times), len(OUTPUTS)), np.nan)
    ok = 0
    for i, p in enumerate(men):
        try:
            loaded.set_man(man_model_from_arrays(p, events, float(out_t[-1])), rtol, atol_factor)
            out[i] = np.asarray(rr.simulate(times=times, selections=selections))
            ok += 1
        except RuntimeError:       # CVODE gave up on this man: counted as not simulated
            pass
    info = {"ok": ok, "rr_load_s": loaded.load_s, "sbml_build_s": loaded.build_s,
            "rr_method": "adams" if os.environ.get("HPGSIM_RR_ADAMS") else "bdf"}
    if values:
        info["values"] = {k: out[:, :, j] for j, k in enumerate(OUTPUTS)}
    return info


# name -> function(men, events, out_t, rtol, atol_factor) -> {"ok": ...}; see the module docstring.
# "hpgsim_1thread" is the same engine with NUMBA_NUM_THREADS=1 in its subprocess (ENGINE_ENV), so its
# throughput compares core for core with libRoadRunner, which runs one man at a time on one core.
ENGINES = {"hpgsim": engine_hpgsim, "hpgsim_1thread": engine_hpgsim, "roadrunner": engine_roadrunner}
ENGINE_ENV = {"hpgsim_1thread": {"NUMBA_NUM_THREADS": "1"}}


def machine() -> dict:
    import numba

    model = platform.processor() or platform.machine()
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    ram_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {"cpu": model, "cores": os.cpu_count(), "ram_gib": round(ram_gib, 1),
            "os": f"{platform.system()} {platform.release()}", "python": platform.python_version(),
            "numpy": np.__version__, "numba": numba.__version__, "numba_threads": numba.get_num_threads(),
            "load_average_1min": os.getloadavg()[0]}


def one_size(engine: str, n: int, repeat: int, rtol: float | None, atol_factor: float | None,
             weeks: int = WEEKS, take: int | None = None) -> dict:
    """Run in a fresh subprocess: warm up, time, report throughput and peak memory.

    ``take`` times only the first ``take`` men of the ``n``-man cohort (the same men, since the
    cohort is drawn whole first): for an engine too slow to run all of them."""
    import hpgsim  # noqa: F401  (configures the compilation cache)

    fn = ENGINES[engine]
    t0 = time.perf_counter()
    men, events, out_t = workload(max(n, 2), weeks=weeks)
    setup_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    fn(men[:2], events, out_t, rtol, atol_factor)
    warmup_s = time.perf_counter() - t0
    cohort = n
    n = n if take is None else min(n, take)
    men = men[:n]
    times, cpu, info = [], [], {}
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        info = fn(men, events, out_t, rtol, atol_factor)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    wall = statistics.median(times)
    years = n * out_t[-1] / HOURS_PER_YEAR
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0   # kB on Linux
    return {"engine": engine, "n": n, "cohort": cohort, "repeat": repeat, "median_s": wall, "min_s": min(times),
            "patient_years_per_s": years / wall, "ms_per_man_year": wall / years * 1e3,
            "best_patient_years_per_s": years / min(times),
            "cpu_ms_per_man_year": statistics.median(cpu) / years * 1e3, "warmup_s": warmup_s, "cohort_setup_s": setup_s, "peak_rss_mb": peak_mb,
            "weeks": weeks, "load_average_1min": os.getloadavg()[0], **info}


def latency(repeat: int) -> dict:
    """One man's year through run_man (the single-man path), warm: the interactive case."""
    import hpgsim  # noqa: F401
    from hpgsim.engine.run import run_man

    men, events, out_t = workload(2)
    t0 = time.perf_counter()
    year_h = out_t[-1]
    run_man(men[0], events, year_h, every_h=24.0)
    first = time.perf_counter() - t0
    times, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.thread_time()
        raw = run_man(men[0], events, year_h, every_h=24.0)
        times.append(time.perf_counter() - t0)
        cpu.append(time.thread_time() - c0)
    return {"first_call_s": first, "median_ms": statistics.median(times) * 1e3, "min_ms": min(times) * 1e3,
            "cpu_median_ms": statistics.median(cpu) * 1e3, "cpu_min_ms": min(cpu) * 1e3,
            "steps_per_day": raw.steps / (year_h / 24.0), "repeat": repeat}


def accuracy(n: int, rtols: list[float]) -> list[dict]:
    """Max relative error over the year of every output against rtol 1e-10, and the cost."""
    import hpgsim  # noqa: F401
    from hpgsim.engine.batch import run_batch

    men, events, out_t = workload(n, seed=7)
    ref = run_batch(men, events, out_t, OUTPUTS, rtol=1e-10, atol_factor=1e-12, parallel=False)
    rows = []
    for rtol in rtols:
        run_batch(men[:1], events, out_t, OUTPUTS, rtol=rtol, parallel=False)
        t0 = time.thread_time()
        res = run_batch(men, events, out_t, OUTPUTS, rtol=rtol, parallel=False)
        wall = time.thread_time() - t0
        err = max(float(np.max(np.abs(res.values[k] / ref.values[k] - 1.0))) for k in OUTPUTS)
        rows.append({"rtol": rtol, "steps_per_day": float(res.steps.mean() / (out_t[-1] / 24.0)),
                     "cpu_ms_per_man_year": wall / (n * out_t[-1] / HOURS_PER_YEAR) * 1e3, "max_rel_error": err})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1, 100, 10_000])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--weeks", type=int, default=WEEKS, help="simulated weeks per man (52 = the one-year workload)")
    ap.add_argument("--rtol", type=float, default=None)
    ap.add_argument("--atol-factor", type=float, default=None)
    ap.add_argument("--engines", nargs="+", default=list(ENGINES), choices=list(ENGINES))
    ap.add_argument("--rr-max", type=int, default=None, metavar="N",
                    help="time libRoadRunner on the first N men of each cohort only (its rate is per man-year)")
    ap.add_argument("--rr-repeat", type=int, default=None, help="repeats for libRoadRunner (default --repeat)")
    ap.add_argument("--rr-adams", action="store_true", help="CVODE's Adams-Moulton method instead of BDF")
    ap.add_argument("--latency", action="store_true", help="single-man latency only")
    ap.add_argument("--accuracy", action="store_true", help="error against a tight reference only")
    ap.add_argument("--json", action="store_true", help="print JSON lines only")
    ap.add_argument("--_one", nargs=2, help=argparse.SUPPRESS)   # engine and size, in the child
    ap.add_argument("--_take", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args._one:
        print(json.dumps(one_size(args._one[0], int(args._one[1]), args.repeat, args.rtol, args.atol_factor, args.weeks,
                                  args._take)))
        return
    print(json.dumps({"machine": machine()}))
    if args.latency:
        print(json.dumps({"latency": latency(max(args.repeat, 20))}))
        return
    if args.accuracy:
        for row in accuracy(20, [1e-4, 1e-5, 1e-6, 1e-7]):
            print(json.dumps({"accuracy": row}))
        return
    results: dict[tuple[str, int], dict] = {}
    for n in args.sizes:
        for engine in args.engines:
            repeat = args.repeat if n < 100_000 else 1
            cmd = [sys.executable, __file__, "--_one", engine, str(n), "--weeks", str(args.weeks)]
            env = {**os.environ, **ENGINE_ENV.get(engine, {})}
            if engine == "roadrunner":
                repeat = args.rr_repeat or repeat
                if args.rr_max is not None:
                    cmd += ["--_take", str(args.rr_max)]
                if args.rr_adams:
                    env["HPGSIM_RR_ADAMS"] = "1"
            cmd += ["--repeat", str(repeat)]
            if args.rtol is not None:
                cmd += ["--rtol", str(args.rtol)]
            if args.atol_factor is not None:
                cmd += ["--atol-factor", str(args.atol_factor)]
            out = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env).stdout.strip().splitlines()[-1]
            row = json.loads(out)
            results[(engine, n)] = row
            timed = f" (timed on the first {row['n']} of these {n} men)" if row["n"] != n else ""
            print(json.dumps(row) if args.json else
                  f"{engine:>14} N={n:>6}{timed}: {row['patient_years_per_s']:9.2f} patient-years/s "
                  f"(best {row['best_patient_years_per_s']:.1f}; {row['ms_per_man_year']:.2f} ms wall and "
                  f"{row['cpu_ms_per_man_year']:.2f} ms CPU per man-year, median of {row['repeat']}), "
                  f"peak RSS {row['peak_rss_mb']:.0f} MB, warm-up {row['warmup_s']:.1f} s, load {row['load_average_1min']:.1f}",
                  flush=True)
            if "rr_load_s" in row and not args.json:
                print(f"{'':>14} libRoadRunner model load and compile {row['rr_load_s']:.2f} s and SBML build "
                      f"{row['sbml_build_s']:.2f} s, once per protocol (in the warm-up, not in the throughput); "
                      f"CVODE {row['rr_method'].upper()}", flush=True)
        for ours in ("hpgsim", "hpgsim_1thread"):
            for engine in args.engines:
                if not engine.startswith("hpgsim") and (ours, n) in results and (engine, n) in results:
                    ratio = results[(ours, n)]["patient_years_per_s"] / results[(engine, n)]["patient_years_per_s"]
                    print(f"N={n}: {ours} / {engine} throughput = {ratio:.1f}x "
                          f"({results[(ours, n)]['n']} and {results[(engine, n)]['n']} men timed)", flush=True)


if __name__ == "__main__":
    main()
