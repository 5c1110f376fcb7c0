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

Adding an engine (libRoadRunner on the exported SBML, once that export exists): write one
function ``engine(men, events, out_t, rtol, atol_factor) -> dict`` that simulates the same men
and returns at least ``{"ok": number of men simulated}``, and add it to :data:`ENGINES`; every
size is then run for each engine and the throughput ratio is printed. Nothing here is asserted.
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


def engine_hpgsim(men, events, out_t, rtol, atol_factor) -> dict:
    from hpgsim.engine.batch import run_batch

    res = run_batch(men, events, out_t, OUTPUTS, rtol=rtol, atol_factor=atol_factor)
    return {"ok": int(res.ok.sum()), "steps_per_day": float(res.steps.mean() / (out_t[-1] / 24.0)),
            "output_mb": res.nbytes / 1e6}


# name -> function(men, events, out_t, rtol, atol_factor) -> {"ok": ...}; see the module docstring
ENGINES = {"hpgsim": engine_hpgsim}


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
             weeks: int = WEEKS) -> dict:
    """Run in a fresh subprocess: warm up, time, report throughput and peak memory."""
    import hpgsim  # noqa: F401  (configures the compilation cache)

    fn = ENGINES[engine]
    t0 = time.perf_counter()
    men, events, out_t = workload(max(n, 2), weeks=weeks)
    setup_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    fn(men[:2], events, out_t, rtol, atol_factor)
    warmup_s = time.perf_counter() - t0
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
    return {"engine": engine, "n": n, "repeat": repeat, "median_s": wall, "min_s": min(times),
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
    ap.add_argument("--engines", nargs="+", default=list(ENGINES))
    ap.add_argument("--latency", action="store_true", help="single-man latency only")
    ap.add_argument("--accuracy", action="store_true", help="error against a tight reference only")
    ap.add_argument("--json", action="store_true", help="print JSON lines only")
    ap.add_argument("--_one", nargs=2, help=argparse.SUPPRESS)   # engine and size, in the child
    args = ap.parse_args()
    if args._one:
        print(json.dumps(one_size(args._one[0], int(args._one[1]), args.repeat, args.rtol, args.atol_factor, args.weeks)))
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
            cmd = [sys.executable, __file__, "--_one", engine, str(n), "--repeat", str(args.repeat if n < 100_000 else 1),
                   "--weeks", str(args.weeks)]
            if args.rtol is not None:
                cmd += ["--rtol", str(args.rtol)]
            if args.atol_factor is not None:
                cmd += ["--atol-factor", str(args.atol_factor)]
            out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
            row = json.loads(out)
            results[(engine, n)] = row
            print(json.dumps(row) if args.json else
                  f"{engine:>10} N={n:>6}: {row['patient_years_per_s']:9.1f} patient-years/s "
                  f"(best {row['best_patient_years_per_s']:.1f}; {row['ms_per_man_year']:.2f} ms wall and "
                  f"{row['cpu_ms_per_man_year']:.2f} ms CPU per man-year, median of {row['repeat']}), "
                  f"peak RSS {row['peak_rss_mb']:.0f} MB, warm-up {row['warmup_s']:.1f} s, load {row['load_average_1min']:.1f}",
                  flush=True)
        if "hpgsim" in args.engines:
            for engine in args.engines:
                if engine != "hpgsim" and (engine, n) in results:
                    ratio = results[("hpgsim", n)]["patient_years_per_s"] / results[(engine, n)]["patient_years_per_s"]
                    print(f"N={n}: hpgsim / {engine} throughput = {ratio:.1f}x")


if __name__ == "__main__":
    main()
