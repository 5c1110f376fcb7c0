"""Other explicit Runge-Kutta pairs and step-size controllers on hpgsim's model (docs/performance.md).

    .venv/bin/python benchmarks/bench_methods.py                        # the anastrozole workload
    .venv/bin/python benchmarks/bench_methods.py --rtols 1e-6 3e-6 --controllers I PI predictive
    .venv/bin/python benchmarks/bench_methods.py --pump                 # gonadorelin pump men
    .venv/bin/python benchmarks/bench_methods.py --methods dp5 --restarts first proposed

A measurement, not the engine: one generic compiled kernel takes any FSAL Butcher tableau (the
last stage is the new solution, as in Dormand-Prince 5(4)), integrates from dose to dose with the
same restart rule as :func:`hpgsim.engine.dopri.march`, and counts accepted steps, rejected steps
and right-hand-side evaluations per simulated day. Accuracy is the max relative error of total T,
E2, LH, FSH and sperm concentration at weekly troughs against the engine at rtol 1e-10, as in
``bench_batch.py --accuracy``. The generic kernel loops over its tableau, so its CPU time is
higher than the engine's unrolled code: compare evaluations, not milliseconds, across methods.

Pairs (coefficients from the papers, checked against the order conditions at start-up):

- ``dp5``: Dormand & Prince (1980), the engine's own pair (7 stages, 6 evaluations a step);
- ``tsit5``: Tsitouras (2011), "Runge-Kutta pairs of order 5(4) satisfying only the first column
  simplifying assumption", Comput. Math. Appl. 62:770-775 (7 stages, 6 evaluations);
- ``vern6``: Verner's "efficient" 6(5) pair (9 stages, 8 evaluations), coefficients as published
  on his web page (J. H. Verner, "Numerically optimal Runge-Kutta pairs with interpolants",
  Numer. Algorithms 53 (2010) 383-396).

Controllers: ``I`` (the engine's: h * 0.9 err^(-1/(q+1)), factor in [0.2, 5]), ``PI`` (Gustafsson's
PI with beta 0.04, as Hairer's DOPRI5 code), ``predictive`` (Gustafsson's predictive controller,
which uses the trend of the error between steps). Restart after a dose (``--restarts``):
``first`` (the engine's rule: the first step accepted after the previous dose) or ``proposed``
(the step the controller proposed after that first step, so the restart can grow when the
first step was smaller than needed). Nothing here is asserted.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from numba import njit

from hpgsim.drugs import pk
from hpgsim.physiology import model

I_CONTROL, PI_CONTROL, PREDICTIVE = 0, 1, 2
CONTROLLERS = {"I": I_CONTROL, "PI": PI_CONTROL, "predictive": PREDICTIVE}
# the first step after a dose: the first step accepted after the previous dose (the engine's rule
# before November 2026), or the step the controller proposed after that one
RESTART_FIRST, RESTART_PROPOSED = 0, 1
RESTARTS = {"first": RESTART_FIRST, "proposed": RESTART_PROPOSED}


def dp5():
    a = np.zeros((7, 7))
    a[1, 0] = 1 / 5
    a[2, :2] = [3 / 40, 9 / 40]
    a[3, :3] = [44 / 45, -56 / 15, 32 / 9]
    a[4, :4] = [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729]
    a[5, :5] = [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656]
    a[6, :6] = [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84]
    err = np.array([71 / 57600, 0, -71 / 16695, 71 / 1920, -17253 / 339200, 22 / 525, -1 / 40])
    return a, err, 5, 4


def tsit5():
    a = np.zeros((7, 7))
    a[1, 0] = 0.161
    a[2, :2] = [-0.008480655492356989, 0.335480655492357]
    a[3, :3] = [2.8971530571054935, -6.359448489975075, 4.3622954328695815]
    a[4, :4] = [5.325864828439257, -11.748883564062828, 7.4955393428898365, -0.09249506636175525]
    a[5, :5] = [5.86145544294642, -12.92096931784711, 8.159367898576159, -0.071584973281401, -0.028269050394068383]
    a[6, :6] = [0.09646076681806523, 0.01, 0.4798896504144996, 1.379008574103742, -3.290069515436081,
                2.324710524099774]
    err = np.array([-0.00178001105222577714, -0.0008164344596567469, 0.007880878010261995, -0.1447110071732629,
                    0.5823571654525552, -0.45808210592918697, 1 / 66])
    return a, err, 5, 4


def vern6():
    a = np.zeros((9, 9))
    a[1, 0] = 3 / 50
    a[2, :2] = [519479 / 27000000, 2070721 / 27000000]
    a[3, [0, 2]] = [1439 / 40000, 4317 / 40000]
    a[4, [0, 2, 3]] = [109225017611 / 82828840000, -417627820623 / 82828840000, 43699198143 / 10353605000]
    a[5, [0, 2, 3, 4]] = [-41.87259166432751, 159.43256216313748, -122.11921356501004, 5.531743066200053]
    a[6, [0, 2, 3, 4, 5]] = [-54.430156935316504, 207.06725136501848, -158.61081378459, 6.991816585950242,
                             -0.01859723106220323]
    a[7, [0, 2, 3, 4, 5, 6]] = [-54.66374178728198, 207.95280625538936, -159.2889574744995, 7.018743740796944,
                                -0.018338785905045722, -0.0005119484997882099]
    a[8, [0, 3, 4, 5, 6, 7]] = [0.03438957868357036, 0.25826245556335037, 0.4209371189673537, 4.40539646966931,
                                -176.48311902429865, 172.36413340141507]
    err = np.zeros(9)
    err[[0, 3, 4, 5, 6, 7, 8]] = [0.008623404282200854, -0.019434029953152708, 0.028450072588037983,
                                  -2.1097110610652914, 103.45854289996397, -101.39980461914912, 1 / 30]
    return a, err, 6, 5


METHODS = {"dp5": dp5, "tsit5": tsit5, "vern6": vern6}


def order_residual(a: np.ndarray, order: int) -> float:
    """Largest violation of the quadrature and tree order conditions up to ``order`` (5 checked
    here: the 17 trees of order <= 5) by the propagated weights b = last row of ``a``."""
    b = a[-1]
    c = a.sum(axis=1)
    ac, ac2, ac3 = a @ c, a @ c**2, a @ c**3
    conds = [(b.sum(), 1), (b @ c, 1 / 2), (b @ c**2, 1 / 3), (b @ ac, 1 / 6), (b @ c**3, 1 / 4),
             (b @ (c * ac), 1 / 8), (b @ ac2, 1 / 12), (b @ (a @ ac), 1 / 24)]
    if order >= 5:
        conds += [(b @ c**4, 1 / 5), (b @ (c**2 * ac), 1 / 10), (b @ (c * ac2), 1 / 15), (b @ (c * (a @ ac)), 1 / 30),
                  (b @ ac**2, 1 / 20), (b @ ac3, 1 / 20), (b @ (a @ (c * ac)), 1 / 40), (b @ (a @ ac2), 1 / 60),
                  (b @ (a @ (a @ ac)), 1 / 120)]
    return max(abs(x - want) for x, want in conds)


@njit(cache=True)
def _advance(t0, t1, y, p, c, pk_static, pk_state, h, rtol, atol, ch, a_out, tab, cc, err_w, expo, controller,
             restart, k, ytmp, ynew, stats, memory):
    """One dose-free segment with the tableau ``tab``; ``memory`` = (previous error, previous h)."""
    n = y.shape[0]
    s = tab.shape[0]
    t = t0
    h_first = -1.0
    model.rhs_c(t, y, p, c, pk_static, pk_state, ch, a_out, k[0])
    stats[2] += 1
    while t < t1:
        last = t + h >= t1
        h_try = t1 - t if last else h
        if h_try < 1e-10:
            return h, h_first
        for st in range(1, s):
            for i in range(n):
                acc = 0.0
                for j in range(st):
                    acc += tab[st, j] * k[j, i]
                ytmp[i] = y[i] + h_try * acc
            model.rhs_c(t + cc[st] * h_try, ytmp, p, c, pk_static, pk_state, ch, a_out, k[st])
            stats[2] += 1
        err = 0.0
        for i in range(n):
            ynew[i] = ytmp[i]
            e = 0.0
            for j in range(s):
                e += err_w[j] * k[j, i]
            sc = atol[i] + rtol * max(abs(y[i]), abs(ynew[i]))
            err += (h_try * e / sc) ** 2
        err = np.sqrt(err / n)
        if err <= 1.0:
            stats[0] += 1
            if t == t0:
                h_first = -2.0 if last else h_try
                if restart == RESTART_PROPOSED and not last:   # what the controller proposes after it
                    h_first = h_try * (5.0 if err == 0.0 else min(5.0, max(0.2, 0.9 * err ** -expo)))
            t = t1 if last else t + h_try
            for i in range(n):
                y[i] = ynew[i]
                k[0, i] = k[s - 1, i]
            if err == 0.0:
                factor = 5.0
            elif controller == PI_CONTROL:     # Gustafsson's PI, beta 0.04 (Hairer's DOPRI5)
                factor = 0.9 * err ** (-expo + 0.75 * 0.04) * memory[0] ** 0.04
            else:
                factor = 0.9 * err ** -expo
                if controller == PREDICTIVE and memory[1] > 0.0:
                    factor *= (h_try / memory[1]) * (memory[0] / max(err, 1e-4)) ** expo
            factor = min(5.0, max(0.2, factor))
            memory[0] = max(err, 1e-4)
            memory[1] = h_try
            if not last or factor < 1.0:
                h = h_try * factor
        else:
            stats[1] += 1
            h = h_try * max(0.2, 0.9 * err ** -expo)
    return h, h_first


@njit(cache=True)
def march(y, p, pk_static, ev_t, ev_drug, ev_amount, ev_central, out_t, rtol, atol, tab, err_w, expo, controller,
          restart, out, stats):
    """One man: the engine's outer loop (outputs at dose times only: this workload's weekly troughs)."""
    n = y.shape[0]
    pk_state = np.zeros((pk_static.shape[0], 3))
    ch = np.zeros(model.N_CHANNELS)
    a_out = np.zeros(model.N_ALG)
    c = np.empty(model.N_CONST)
    model.constants(p, c)
    cc = np.zeros(tab.shape[0])
    for st in range(tab.shape[0]):
        cc[st] = tab[st].sum()
    k = np.zeros((tab.shape[0], n))
    ytmp, ynew = np.zeros(n), np.zeros(n)
    memory = np.array([1e-4, -1.0])
    t, h, h_after_dose, dosed, ie, io = 0.0, 1.0, -1.0, False, 0, 0
    while True:
        while io < out_t.shape[0] and out_t[io] <= t:
            model.drug_channels(t, pk_static, pk_state, ch)
            model.algebra_c(y, p, c, ch, a_out)
            out[0, io], out[1, io], out[2, io] = a_out[model.A_TT], a_out[model.A_E2], y[model.LH]
            out[3, io], out[4, io] = y[model.FSH], a_out[model.A_SPERM]
            io += 1
        while ie < ev_t.shape[0] and ev_t[ie] <= t:
            pk.give_dose(pk_state, pk_static, ev_drug[ie], t, ev_amount[ie], ev_central[ie] == 1)
            dosed = True
            ie += 1
        if io >= out_t.shape[0]:
            return
        t_next = out_t[io]
        if ie < ev_t.shape[0] and ev_t[ie] < t_next:
            t_next = ev_t[ie]
        if dosed and h_after_dose > 0.0:
            h = min(h, h_after_dose)
        h, h_first = _advance(t, t_next, y, p, c, pk_static, pk_state, h, rtol, atol, ch, a_out, tab, cc, err_w, expo,
                              controller, restart, k, ytmp, ynew, stats, memory)
        if dosed and h_first > 0.0:
            h_after_dose = h_first
        dosed = False
        t = t_next


def workload(pump: bool, n: int, weeks: int):
    from hpgsim.engine.run import DoseEvents
    from hpgsim.people.population import sample_men
    from hpgsim.protocols.library import load_protocol

    men = sample_men(np.random.default_rng(7), n, age={"min": 20, "max": 70}, bmi={"mean": 28, "sd": 5})
    if pump:
        events = DoseEvents.from_list(load_protocol("gonadorelin-pulsatile-pump").protocol.dose_events(weeks * 168.0))
    else:
        events = DoseEvents.from_list([(24.0 * d, "anastrozole", 1000.0) for d in range(7 * weeks)])
    return men, events, np.arange(0.0, weeks + 1.0) * 168.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--methods", nargs="+", default=list(METHODS), choices=list(METHODS))
    ap.add_argument("--rtols", type=float, nargs="+", default=[1e-6])
    ap.add_argument("--controllers", nargs="+", default=["I"], choices=list(CONTROLLERS))
    ap.add_argument("--men", type=int, default=20)
    ap.add_argument("--weeks", type=int, default=52)
    ap.add_argument("--restarts", nargs="+", default=["first"], choices=list(RESTARTS))
    ap.add_argument("--pump", action="store_true", help="gonadorelin pulsatile pump instead of daily anastrozole")
    args = ap.parse_args()
    import hpgsim  # noqa: F401  (compilation cache)
    from hpgsim.engine.batch import run_batch
    from hpgsim.engine.run import tolerances
    from hpgsim.engine.steady_state import steady_state

    men, events, out_t = workload(args.pump, args.men, args.weeks)
    names = ("total_testosterone", "estradiol", "lh", "fsh", "sperm_concentration")
    ref = run_batch(men, events, out_t, names, rtol=1e-10, atol_factor=1e-12, parallel=False)
    ref_v = np.stack([ref.values[k] for k in names], axis=1)
    baselines = [steady_state(m) for m in men]
    days = out_t[-1] / 24.0
    pk_static = events.pk_static()
    for name in args.methods:
        tab, err_w, order, q = METHODS[name]()
        print(f"{name}: order {order}({q}), order-condition residual {order_residual(tab, 5):.1e}", flush=True)
        y0, p = baselines[0]                 # compile (or load) outside the timing
        march(y0.copy(), p, pk_static, events.t, events.drug, events.amount, events.central, out_t[:2], 1e-4,
              tolerances(p, 1e-4)[1], tab, err_w, 1.0 / (q + 1), 0, 0, np.zeros((5, 2)), np.zeros(3, dtype=np.int64))
        for rtol in args.rtols:
            for ctl, restart in [(c, r) for c in args.controllers for r in args.restarts]:
                stats = np.zeros(3, dtype=np.int64)
                worst = 0.0
                c0 = time.process_time()
                for i, (y0, p) in enumerate(baselines):
                    _, atol = tolerances(p, rtol)
                    out = np.zeros((5, out_t.size))
                    march(y0.copy(), p, pk_static, events.t, events.drug, events.amount, events.central, out_t, rtol,
                          atol, tab, err_w, 1.0 / (q + 1), CONTROLLERS[ctl], RESTARTS[restart], out, stats)
                    worst = max(worst, float(np.max(np.abs(out / ref_v[i] - 1.0))))
                cpu = time.process_time() - c0
                per = len(men) * days
                print(f"  rtol {rtol:.0e} {ctl:>10}, restart {restart:>8}: accepted {stats[0] / per:6.2f}, rejected {stats[1] / per:5.2f}, "
                      f"evaluations {stats[2] / per:6.1f} per day; max rel error {worst:.2e}; "
                      f"{cpu / len(men) / (out_t[-1] / 8766.0) * 1e3:.1f} ms CPU per man-year (generic kernel)",
                      flush=True)


if __name__ == "__main__":
    main()
