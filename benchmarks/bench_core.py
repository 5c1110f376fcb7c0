"""Measurements behind the engine choice and the single-man latency (docs/performance.md).

    .venv/bin/python benchmarks/bench_core.py

Prints: the stiffness of the system (Jacobian eigenvalues at the reference man's steady state),
accepted steps per simulated year, compile time, and wall time for one man's year of
anastrozole 1 mg daily with the compiled engine versus SciPy's LSODA and Radau on the same
right-hand side; and the CPU cost of one right-hand-side evaluation as the solver makes it
(through ``model.rhs_c``, through its two calls directly, and those on borrowed arrays: see
hpgsim.engine.borrowed). Timings are medians or minima of repeated runs; nothing is asserted.
"""

from __future__ import annotations

import platform
import statistics
import time

import numpy as np
from numba import njit

import hpgsim  # noqa: F401  (configures the compilation cache)
from hpgsim.drugs import pk
from hpgsim.engine import borrowed
from hpgsim.engine.reference import run_reference
from hpgsim.engine.run import DoseEvents, output_grid, run_man
from hpgsim.engine.steady_state import steady_state
from hpgsim.people.physiology_of_man import population_parameters
from hpgsim.physiology import model


@njit(cache=True)
def _loop_rhs_c(n, y, p, c, pk_static, pk_state, ch, a, dy):
    s = 0.0
    for i in range(n):
        model.rhs_c(1.0 + i * 1e-7, y, p, c, pk_static, pk_state, ch, a, dy)
        s += dy[model.LH]
    return s


@njit(cache=True)
def _loop_two_calls(n, y, p, c, pk_static, pk_state, ch, a, dy):
    s = 0.0
    for i in range(n):
        model.drug_channels(1.0 + i * 1e-7, pk_static, pk_state, ch)
        model.rhs_core_c(y, p, c, ch, a, dy)
        s += dy[model.LH]
    return s


@njit(cache=True)
def _loop_two_calls_borrowed(n, y_, p_, c_, pk_static_, pk_state_, ch_, a_, dy_):
    y, p, c, ch, a, dy = (borrowed.borrow1(y_), borrowed.borrow1(p_), borrowed.borrow1(c_), borrowed.borrow1(ch_),
                          borrowed.borrow1(a_), borrowed.borrow1(dy_))
    pk_static, pk_state = borrowed.borrow2(pk_static_), borrowed.borrow2(pk_state_)
    s = 0.0
    for i in range(n):
        model.drug_channels(1.0 + i * 1e-7, pk_static, pk_state, ch)
        model.rhs_core_c(y, p, c, ch, a, dy)
        s += dy[model.LH]
    return s


@njit(cache=True)
def _loop_channels(n, pk_static, pk_state, ch):
    s = 0.0
    for i in range(n):
        model.drug_channels(1.0 + i * 1e-7, pk_static, pk_state, ch)
        s += ch[0]
    return s


def evaluation_cost(p: np.ndarray, calls: int = 200_000, repeat: int = 9) -> dict[str, float]:
    """ns of CPU per right-hand-side evaluation (anastrozole on board, 1 h after a dose), min of repeats."""
    y, p = steady_state(p)
    events = DoseEvents.from_list([(0.0, "anastrozole", 1000.0)])
    pk_static = events.pk_static()
    pk_state = np.zeros((1, 3))
    pk.give_dose(pk_state, pk_static, 0, 0.0, 1000.0, False)
    c = np.empty(model.N_CONST)
    model.constants(p, c)
    ch, a, dy = np.zeros(model.N_CHANNELS), np.zeros(model.N_ALG), np.zeros(model.N_STATES)
    args = (y, p, c, pk_static, pk_state, ch, a, dy)
    loops = {"model.rhs_c": lambda n: _loop_rhs_c(n, *args),
             "drug_channels + rhs_core_c": lambda n: _loop_two_calls(n, *args),
             "the same on borrowed arrays (the engine)": lambda n: _loop_two_calls_borrowed(n, *args),
             "drug_channels alone (closed-form PK)": lambda n: _loop_channels(n, pk_static, pk_state, ch)}
    cost = {}
    for name, fn in loops.items():
        fn(10)
        times = []
        for _ in range(repeat):
            t0 = time.process_time()
            fn(calls)
            times.append(time.process_time() - t0)
        cost[name] = min(times) / calls * 1e9
    return cost


def jacobian_eigenvalues(p: np.ndarray) -> np.ndarray:
    y, p = steady_state(p)
    ch, a, f0, f1 = np.zeros(model.N_CHANNELS), np.zeros(model.N_ALG), np.zeros(model.N_STATES), np.zeros(model.N_STATES)
    model.rhs_core(y, p, ch, a, f0)
    jac = np.zeros((model.N_STATES, model.N_STATES))
    for j in range(model.N_STATES):
        h = 1e-7 * max(abs(y[j]), 1e-3)
        yj = y.copy()
        yj[j] += h
        model.rhs_core(yj, p, ch, a, f1)
        jac[:, j] = (f1 - f0) / h
    return np.linalg.eigvals(jac)


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    print(f"machine: {platform.processor() or platform.machine()}, {platform.system()} {platform.release()}, "
          f"python {platform.python_version()}, numpy {np.__version__}")
    p = population_parameters(38, 31)
    ev = eig = jacobian_eigenvalues(p)
    rates = np.sort(np.abs(ev.real))[::-1]
    print(f"Jacobian eigenvalues (1/h): fastest {rates[0]:.3g} (t1/2 {np.log(2) / rates[0] * 60:.0f} min), "
          f"slowest nonzero {rates[rates > 1e-12][-1]:.3g}; stiffness ratio {rates[0] / rates[rates > 1e-12][-1]:.3g}; "
          f"max |imag| {np.max(np.abs(eig.imag)):.3g}")
    events = DoseEvents.from_list([(24.0 * d, "anastrozole", 1000.0) for d in range(365)])
    t_end = 365 * 24.0
    t0 = time.perf_counter()
    run = run_man(p, events, t_end)
    print(f"first call (includes compile or cache load): {time.perf_counter() - t0:.2f} s")
    print(f"accepted+rejected steps for one year of daily dosing: {run.steps} ({run.steps / 365:.1f} per day)")
    y0, p0 = steady_state(p)
    from hpgsim.engine import dopri
    from hpgsim.engine.run import tolerances

    rtol, atol = tolerances(p0)
    out_t = output_grid(0.0, t_end, 24.0)
    pk_static = events.pk_static()
    integrate_only = timed(lambda: dopri.integrate(y0, p0, pk_static, 0.0, events.t, events.drug, events.amount,
                                                   events.central, out_t, rtol, atol, 10_000_000), 50)
    full = timed(lambda: run_man(p, events, t_end), 20)
    print(f"one man-year, compiled engine: integration {integrate_only * 1e3:.2f} ms; with steady state and setup {full * 1e3:.1f} ms")
    for name, ns in evaluation_cost(p).items():
        print(f"one right-hand-side evaluation, {name}: {ns:.0f} ns CPU (min of 9 x 200,000 calls)")
    for method in ("LSODA", "Radau"):
        t = timed(lambda: run_reference(p, events, out_t, method=method, rtol=1e-7, atol_factor=1e-9), 1)
        print(f"one man-year, SciPy {method} (same RHS, same tolerances): {t:.2f} s ({t / integrate_only:.0f}x the compiled engine)")


if __name__ == "__main__":
    main()
