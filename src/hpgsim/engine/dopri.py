"""The compiled solver: Dormand-Prince 5(4) with adaptive steps, restarted at every dose.

Doses only move drug amounts, whose evolution is closed-form (:mod:`hpgsim.drugs.pk`), so the
physiological state is continuous across a dose but its derivative is not. The solver
therefore integrates from dose to dose, keeping the step size it had learned, and never steps
across a dose. Output times between doses do not stop it: they are read off the method's
fourth-order continuous extension (dense output) inside the step that spans them; outputs at a
dose time are the exact end of the segment before it, i.e. taken *before* a dose given at the
same instant (at trough, as a clinic draws blood).

Status codes are returned, never raised, so one failing man cannot sink a batch (diffrax's
``RESULTS`` idea); the Python layer turns them into :class:`hpgsim.errors.NumericalError`.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..drugs import pk
from ..physiology import model
from . import borrowed

OK, MAX_STEPS, NON_FINITE, STEP_UNDERFLOW = 0, 1, 2, 3
STATUS_TEXT = {
    OK: "ok",
    MAX_STEPS: "the step budget ran out (the dynamics are faster or stiffer than expected)",
    NON_FINITE: "a state became non-finite",
    STEP_UNDERFLOW: "the step size underflowed",
}

# Dormand-Prince 5(4) tableau (Dormand & Prince 1980; Hairer, Norsett & Wanner, Table II.5.2)
C2, C3, C4, C5 = 1 / 5, 3 / 10, 4 / 5, 8 / 9
A21 = 1 / 5
A31, A32 = 3 / 40, 9 / 40
A41, A42, A43 = 44 / 45, -56 / 15, 32 / 9
A51, A52, A53, A54 = 19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729
A61, A62, A63, A64, A65 = 9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656
B1, B3, B4, B5, B6 = 35 / 384, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84
E1, E3, E4, E5, E6, E7 = 71 / 57600, -71 / 16695, 71 / 1920, -17253 / 339200, 22 / 525, -1 / 40
# continuous extension (dense output) of order 4 (Hairer, Norsett & Wanner, Section II.6; the
# coefficients of their code DOPRI5, subroutine CONTD5)
D1, D3, D4 = -12715105075 / 11282082432, 87487479700 / 32700410799, -10690763975 / 1880347072
D5, D6, D7 = 701980252875 / 199316789632, -1453857185 / 822651844, 69997945 / 29380423


@njit(cache=True)
def _advance(t0, t1, y_, p_, c_, pk_static_, pk_state_, h, rtol, atol, ch_, a_, k1_, k2_, k3_, k4_, k5_, k6_, k7_,
             ytmp_, ynew_, max_steps, out_t, io, sel, slot_out, out):
    """Integrate ``y`` in place from t0 to t1, recording outputs ``out_t[io:]`` that fall strictly
    before t1 by dense output (the solver does not stop at them). Returns (status, last accepted
    h, steps used, first accepted step if it was not cut short by t1 else -1, next output index)."""
    # Everything the right-hand side touches, borrowed (same memory, no reference counting at
    # each call: a quarter of an evaluation's cost). Safe: these are our arguments, which the
    # caller holds until we return (hpgsim.engine.borrowed).
    y, p, c, ch, a = borrowed.borrow1(y_), borrowed.borrow1(p_), borrowed.borrow1(c_), borrowed.borrow1(ch_), borrowed.borrow1(a_)
    pk_static, pk_state = borrowed.borrow2(pk_static_), borrowed.borrow2(pk_state_)
    k1, k2, k3, k4 = borrowed.borrow1(k1_), borrowed.borrow1(k2_), borrowed.borrow1(k3_), borrowed.borrow1(k4_)
    k5, k6, k7 = borrowed.borrow1(k5_), borrowed.borrow1(k6_), borrowed.borrow1(k7_)
    ytmp, ynew = borrowed.borrow1(ytmp_), borrowed.borrow1(ynew_)
    n = y.shape[0]
    t = t0
    steps = 0
    h_first = -1.0
    # Each evaluation is model.rhs_c's two calls made here directly: the extra call layer cost
    # 10 % of an evaluation even with borrowed arrays (tests check the two give the same numbers).
    model.drug_channels(t, pk_static, pk_state, ch)
    model.rhs_core_c(y, p, c, ch, a, k1)
    while t < t1:
        if steps >= max_steps:
            return MAX_STEPS, h, steps, h_first, io
        last = False
        if t + h >= t1:
            h_try = t1 - t
            last = True
        else:
            h_try = h
        if h_try < 1e-10:
            if t1 - t < 1e-9:
                return OK, h, steps, h_first, io
            return STEP_UNDERFLOW, h, steps, h_first, io
        for i in range(n):
            ytmp[i] = y[i] + h_try * A21 * k1[i]
        model.drug_channels(t + C2 * h_try, pk_static, pk_state, ch)
        model.rhs_core_c(ytmp, p, c, ch, a, k2)
        for i in range(n):
            ytmp[i] = y[i] + h_try * (A31 * k1[i] + A32 * k2[i])
        model.drug_channels(t + C3 * h_try, pk_static, pk_state, ch)
        model.rhs_core_c(ytmp, p, c, ch, a, k3)
        for i in range(n):
            ytmp[i] = y[i] + h_try * (A41 * k1[i] + A42 * k2[i] + A43 * k3[i])
        model.drug_channels(t + C4 * h_try, pk_static, pk_state, ch)
        model.rhs_core_c(ytmp, p, c, ch, a, k4)
        for i in range(n):
            ytmp[i] = y[i] + h_try * (A51 * k1[i] + A52 * k2[i] + A53 * k3[i] + A54 * k4[i])
        model.drug_channels(t + C5 * h_try, pk_static, pk_state, ch)
        model.rhs_core_c(ytmp, p, c, ch, a, k5)
        for i in range(n):
            ytmp[i] = y[i] + h_try * (A61 * k1[i] + A62 * k2[i] + A63 * k3[i] + A64 * k4[i] + A65 * k5[i])
        model.drug_channels(t + h_try, pk_static, pk_state, ch)
        model.rhs_core_c(ytmp, p, c, ch, a, k6)
        for i in range(n):
            ynew[i] = y[i] + h_try * (B1 * k1[i] + B3 * k3[i] + B4 * k4[i] + B5 * k5[i] + B6 * k6[i])
        model.drug_channels(t + h_try, pk_static, pk_state, ch)
        model.rhs_core_c(ynew, p, c, ch, a, k7)
        err = 0.0
        for i in range(n):
            e = h_try * (E1 * k1[i] + E3 * k3[i] + E4 * k4[i] + E5 * k5[i] + E6 * k6[i] + E7 * k7[i])
            sc = atol[i] + rtol * max(abs(y[i]), abs(ynew[i]))
            err += (e / sc) ** 2
        err = np.sqrt(err / n)
        steps += 1
        if not np.isfinite(err):
            h = h_try * 0.1
            continue
        if err <= 1.0:
            if t == t0:  # the first accepted step of this segment
                h_first = -2.0 if last else h_try
            t_new = t1 if last else t + h_try
            # outputs inside this step (not at t1: the caller records those exactly)
            while io < out_t.shape[0] and out_t[io] < t1 and out_t[io] <= t_new:
                th = (out_t[io] - t) / h_try
                th1 = 1.0 - th
                for i in range(n):
                    r2 = ynew[i] - y[i]
                    r3 = h_try * k1[i] - r2
                    r4 = r2 - h_try * k7[i] - r3
                    r5 = h_try * (D1 * k1[i] + D3 * k3[i] + D4 * k4[i] + D5 * k5[i] + D6 * k6[i] + D7 * k7[i])
                    ytmp[i] = y[i] + th * (r2 + th1 * (r3 + th * (r4 + th1 * r5)))
                _record(ytmp, p, c, pk_static, pk_state, out_t[io], ch, a, sel, slot_out, out, io)
                io += 1
            t = t_new
            for i in range(n):
                y[i] = ynew[i]
                k1[i] = k7[i]  # first-same-as-last
            factor = 5.0 if err == 0.0 else min(5.0, max(0.2, 0.9 * err ** -0.2))
            if not last or factor < 1.0:
                h = h_try * factor
        else:
            h = h_try * max(0.2, 0.9 * err ** -0.2)
    for i in range(n):
        if not np.isfinite(y[i]):
            return NON_FINITE, h, steps, h_first, io
    return OK, h, steps, h_first, io


# Output selection codes (see :func:`march`): a code below N_STATES is that state, a code in
# [N_STATES, N_STATES + N_ALG) is that algebraic output, and -1 is "no state or algebraic output"
# (the row is zero unless a drug slot adds its concentration to it through ``slot_out``).
ALG_CODE0 = model.N_STATES


@njit(cache=True)
def _record(y, p, c, pk_static, pk_state, t, ch, a, sel, slot_out, out, j):
    """Write the selected outputs at time ``t`` into column ``j`` of ``out`` (shape (K, T))."""
    model.drug_channels(t, pk_static, pk_state, ch)
    model.algebra_c(y, p, c, ch, a)
    for k in range(sel.shape[0]):
        c = sel[k]
        if c < 0:
            out[k, j] = 0.0
        elif c < ALG_CODE0:
            out[k, j] = y[c]
        else:
            out[k, j] = a[c - ALG_CODE0]
    for d in range(pk_static.shape[0]):
        k = slot_out[d]
        if k >= 0:
            _, cen = pk.chain_amounts(pk_state[d, pk.DEP0], pk_state[d, pk.CEN0], pk_static[d, pk.KA],
                                      pk_static[d, pk.KE], t - pk_state[d, pk.T0])
            out[k, j] += cen / pk_static[d, pk.VOL]


@njit(cache=True)
def march(y, p, pk_static, t_start, ev_t, ev_drug, ev_amount, ev_central, out_t, sel, slot_out, rtol, atol,
          max_steps, out):
    """Simulate one man from ``t_start`` (state ``y``, advanced in place) through doses ``ev_*``
    (sorted by time), writing only the selected outputs at ``out_t`` into ``out`` (K, T).

    This is the one outer loop every path uses (:func:`integrate` for one man's full
    trajectories, :mod:`hpgsim.engine.batch` for many men's selected outputs). ``sel[k]`` is an
    output code (state, algebraic output or -1) and ``slot_out[d]`` the row drug slot ``d``'s
    plasma concentration is added to (-1: none). ``ev_amount`` is the amount entering the depot
    (or the central compartment when ``ev_central`` is 1). Returns (status, steps).
    """
    n_drug = pk_static.shape[0]
    n_out = out_t.shape[0]
    n = y.shape[0]
    for i in range(n):
        if not np.isfinite(y[i]):
            return NON_FINITE, 0
    pk_static = pk.for_man(pk_static, p)
    pk_state = np.zeros((n_drug, 3))
    for d in range(n_drug):
        pk_state[d, pk.T0] = t_start
    ch = np.zeros(model.N_CHANNELS)
    a = np.zeros(model.N_ALG)
    c = np.empty(model.N_CONST)
    model.constants(p, c)
    k1, k2, k3, k4 = np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n)
    k5, k6, k7 = np.zeros(n), np.zeros(n), np.zeros(n)
    ytmp, ynew = np.zeros(n), np.zeros(n)
    t = t_start
    h = 1.0
    # A dose makes the derivative jump, and the step the solver had grown to before it is
    # usually far too long for the absorption phase after it (two or three rejections). The
    # first step accepted after the previous dose is a good start instead: regimens repeat.
    h_after_dose = -1.0
    dosed = False
    ie = 0
    io = 0
    total_steps = 0
    n_ev = ev_t.shape[0]
    while True:
        # outputs first (trough), then the doses given at this instant
        while io < n_out and out_t[io] <= t:
            _record(y, p, c, pk_static, pk_state, t, ch, a, sel, slot_out, out, io)
            io += 1
        while ie < n_ev and ev_t[ie] <= t:
            pk.give_dose(pk_state, pk_static, ev_drug[ie], t, ev_amount[ie], ev_central[ie] == 1)
            dosed = True
            ie += 1
        if io >= n_out:
            break
        # integrate to the next dose (or the last output); outputs on the way come from dense output
        t_next = out_t[n_out - 1]
        if ie < n_ev and ev_t[ie] < t_next:
            t_next = ev_t[ie]
        if dosed and h_after_dose > 0.0:
            h = min(h, h_after_dose)
        status, h, steps, h_first, io = _advance(t, t_next, y, p, c, pk_static, pk_state, h, rtol, atol, ch, a,
                                                 k1, k2, k3, k4, k5, k6, k7, ytmp, ynew, max_steps - total_steps,
                                                 out_t, io, sel, slot_out, out)
        total_steps += steps
        if status != OK:
            return status, total_steps
        if dosed and h_first > 0.0:
            h_after_dose = h_first
        dosed = False
        t = t_next
    return OK, total_steps


@njit(cache=True)
def integrate(y0, p, pk_static, t_start, ev_t, ev_drug, ev_amount, ev_central, out_t, rtol, atol, max_steps):
    """Simulate one man from ``t_start`` (state ``y0``) through doses ``ev_*`` (sorted by time),
    recording states, algebraic outputs and drug concentrations at ``out_t`` (sorted, >= t_start).

    ``ev_amount`` is the amount entering the depot (or the central compartment when
    ``ev_central`` is 1) in the drug's amount unit. Returns (Y, A, C, status, steps).
    """
    n = y0.shape[0]
    n_drug = pk_static.shape[0]
    n_sel = n + model.N_ALG
    sel = np.empty(n_sel + n_drug, dtype=np.int64)
    for k in range(n_sel):
        sel[k] = k
    slot_out = np.empty(n_drug, dtype=np.int64)
    for d in range(n_drug):
        sel[n_sel + d] = -1
        slot_out[d] = n_sel + d
    out = np.zeros((n_sel + n_drug, out_t.shape[0]))
    y = y0.copy()
    status, steps = march(y, p, pk_static, t_start, ev_t, ev_drug, ev_amount, ev_central, out_t, sel, slot_out,
                          rtol, atol, max_steps, out)
    return (out[:n].T.copy(), out[n:n_sel].T.copy(), out[n_sel:].T.copy(), status, steps)
