"""A man's baseline: the steady state of his own parameters, found before any dosing.

Bone density and insulin sensitivity are left out of the root-finding: bone has a natural
age drift (no steady state) and both only measure change against the man's own baseline, so
their reference signals are written into the parameter vector once the rest is solved.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from scipy.optimize import root

from ..drugs import pk
from ..errors import NumericalError
from ..physiology import model
from ..physiology.parameters import INDEX
from . import dopri

_SOLVED = np.array([i for i in range(model.N_STATES) if i not in (model.BMD, model.ISI)])
_N_SOLVED = _SOLVED.size
# parameter slots the baseline fills in, as compile-time constants
_P_AGE, _P_DRIFT_YOUNG, _P_DRIFT_OLD = INDEX["age"], INDEX["bmd_drift_young"], INDEX["bmd_drift_old"]
_P_BASE_E2, _P_BASE_BE, _P_BASE_BT, _P_BMD_DRIFT = (INDEX["baseline_e2"], INDEX["baseline_bone_e2_signal"],
                                                    INDEX["baseline_bone_t_signal"], INDEX["bmd_drift"])
_P_REF_BMD = INDEX["ref_bmd_spine"]
# compiled Newton: residual the first try must reach (the SciPy path accepts the same), after the
# ten-year relaxation, and iteration budget
NEWTON_TOL, NEWTON_TOL_RELAXED, NEWTON_MAX_ITER = 1e-9, 1e-8, 60
RELAX_YEARS = 10.0


def _residual(p: np.ndarray):
    ch = np.zeros(model.N_CHANNELS)
    a = np.zeros(model.N_ALG)
    dy = np.zeros(model.N_STATES)
    y = model.reference_state(p)
    # scale each equation by its state's size so the root tolerance means the same everywhere
    scale = model.state_scale(p)[_SOLVED]

    def f(x: np.ndarray) -> np.ndarray:
        y[_SOLVED] = x
        model.rhs_core(y, p, ch, a, dy)
        return dy[_SOLVED] / scale

    return f


def bmd_drift(p: np.ndarray) -> float:
    """Natural spine-BMD drift (1/yr) at this man's age: linear from 30 to 70 years (Khosla 2001)."""
    age = p[INDEX["age"]]
    w = min(max((age - 30.0) / 40.0, 0.0), 1.0)
    return (1.0 - w) * p[INDEX["bmd_drift_young"]] + w * p[INDEX["bmd_drift_old"]]


def steady_state(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (baseline state, parameters with the baseline-derived slots filled).

    The compiled Newton solver (:func:`baseline`, the same one the batch engine runs) is tried
    first; if it fails, SciPy's hybrid Powell method (``root``) from the reference man, then from
    a ten-year relaxation. ``p`` is not modified. Raises :class:`NumericalError` if no steady
    state is found.
    """
    y = np.zeros(model.N_STATES)
    q = np.asarray(p, dtype=float).copy()
    if np.all(np.isfinite(q)) and baseline(np.asarray(p, dtype=float), y, q):
        return y, q
    return _steady_state_scipy(p)


def _steady_state_scipy(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    p = p.copy()
    f = _residual(p)
    x0 = model.reference_state(p)[_SOLVED]
    sol = root(f, x0, method="hybr", options={"xtol": 1e-12})
    if not sol.success or np.max(np.abs(f(sol.x))) > 1e-9:
        # far from the reference man the Newton start can fail: relax for ten years first
        x0 = _relax(p, years=10.0)[_SOLVED]
        sol = root(f, x0, method="hybr", options={"xtol": 1e-12})
        if not sol.success or np.max(np.abs(f(sol.x))) > 1e-8:
            raise NumericalError(f"no steady state found for this man's parameters ({sol.message})")
    y = model.reference_state(p)
    y[_SOLVED] = sol.x
    a = np.zeros(model.N_ALG)
    model.algebra(y, p, np.zeros(model.N_CHANNELS), a)
    p[INDEX["baseline_e2"]] = a[model.A_E2]
    p[INDEX["baseline_bone_e2_signal"]] = a[model.A_BONE_E]
    p[INDEX["baseline_bone_t_signal"]] = a[model.A_BONE_T]
    p[INDEX["bmd_drift"]] = bmd_drift(p)
    return y, p


def _relax(p: np.ndarray, years: float) -> np.ndarray:
    y0 = model.reference_state(p)
    out = np.array([years * model.HOURS_PER_YEAR])
    empty_f, empty_i = np.zeros(0), np.zeros(0, dtype=np.int64)
    ys, _, _, status, _ = dopri.integrate(y0, p, np.zeros((0, 8)), 0.0, empty_f, empty_i, empty_f, empty_i, out,
                                          1e-6, model.state_scale(p) * 1e-8, 10_000_000)
    if status != dopri.OK:
        raise NumericalError(f"no steady state found: {dopri.STATUS_TEXT[status]}")
    return ys[0]


# ------------------------------------------------------------------ compiled Newton
@njit(cache=True)
def reference_state_into(p, y):
    """:func:`hpgsim.physiology.model.reference_state`, compiled, written into ``y``
    (tests check the two agree)."""
    for i in range(y.shape[0]):
        y[i] = 0.0
    y[model.LH_POOL] = 1.0
    y[model.LH] = p[model.P_REF_LH]
    y[model.FSH_POOL] = 1.0
    y[model.FSH] = p[model.P_REF_FSH]
    y[model.LEYDIG_ADAPT] = 1.0
    y[model.SHBG] = p[model.P_REF_SHBG]
    for i in range(model.N_GERM):
        y[model.GERM0 + i] = 1.0
    y[model.EPIDIDYMIS] = 1.0
    y[model.BMD] = p[_P_REF_BMD]
    y[model.ISI] = 1.0
    y[model.AROM_ACTIVE] = 1.0
    y[model.SERT_MATURE] = 1.0
    y[model.SLOW_SUPP] = model.reference_slow_suppression(p)
    y[model.SG_POOL] = 1.0


@njit(cache=True)
def state_scale_into(p, s):
    """:func:`hpgsim.physiology.model.state_scale`, compiled, written into ``s``."""
    reference_state_into(p, s)
    for i in range(s.shape[0]):
        s[i] = abs(s[i])
    s[model.GNRHR_DESENS] = 1.0
    s[model.GNRHR_SIGNAL] = 1.0
    s[model.SLOW_SUPP] = 1.0
    for i in range(s.shape[0]):
        s[i] = max(s[i], 1e-3)


@njit(cache=True)
def _residual_into(x, y, p, c, solved, scale, ch, a, dy, f):
    for k in range(solved.shape[0]):
        y[solved[k]] = x[k]
    model.rhs_core_c(y, p, c, ch, a, dy)
    r = 0.0
    for k in range(solved.shape[0]):
        f[k] = dy[solved[k]] / scale[solved[k]]
        r = max(r, abs(f[k]))
    return r


@njit(cache=True)
def _lu_solve(m, b):
    """Solve ``m x = b`` in place (``b`` becomes x) by Gaussian elimination with partial
    pivoting; ``m`` is overwritten. Returns False if ``m`` is singular."""
    n = b.shape[0]
    for c in range(n):
        piv = c
        for r in range(c + 1, n):
            if abs(m[r, c]) > abs(m[piv, c]):
                piv = r
        if m[piv, c] == 0.0 or not np.isfinite(m[piv, c]):
            return False
        if piv != c:
            for k in range(n):
                m[c, k], m[piv, k] = m[piv, k], m[c, k]
            b[c], b[piv] = b[piv], b[c]
        for r in range(c + 1, n):
            f = m[r, c] / m[c, c]
            if f != 0.0:
                for k in range(c, n):
                    m[r, k] -= f * m[c, k]
                b[r] -= f * b[c]
    for c in range(n - 1, -1, -1):
        acc = b[c]
        for k in range(c + 1, n):
            acc -= m[c, k] * b[k]
        b[c] = acc / m[c, c]
    return True


@njit(cache=True)
def _newton(x, y, p, solved, scale, tol):
    """Damped Newton on the scaled residual with a forward-difference Jacobian; ``x`` is
    refined in place. Returns the final max-norm residual (inf when it failed)."""
    n = x.shape[0]
    ch = np.zeros(model.N_CHANNELS)
    a = np.zeros(model.N_ALG)
    dy = np.zeros(y.shape[0])
    f = np.zeros(n)
    f1 = np.zeros(n)
    step = np.zeros(n)
    xt = np.zeros(n)
    jac = np.zeros((n, n))
    c = np.empty(model.N_CONST)
    model.constants(p, c)
    r = _residual_into(x, y, p, c, solved, scale, ch, a, dy, f)
    for _ in range(NEWTON_MAX_ITER):
        if not np.isfinite(r):
            return np.inf
        if r < 1e-13:
            break
        for j in range(n):
            hj = 1e-7 * max(abs(x[j]), scale[solved[j]])
            old = x[j]
            x[j] = old + hj
            _residual_into(x, y, p, c, solved, scale, ch, a, dy, f1)
            x[j] = old
            for i in range(n):
                jac[i, j] = (f1[i] - f[i]) / hj
        for i in range(n):
            step[i] = -f[i]
        if not _lu_solve(jac, step):
            return np.inf
        # backtracking: accept the first fraction of the step that lowers the residual
        lam = 1.0
        accepted = False
        for _ in range(30):
            for i in range(n):
                xt[i] = x[i] + lam * step[i]
            rt = _residual_into(xt, y, p, c, solved, scale, ch, a, dy, f1)
            if np.isfinite(rt) and rt < r:
                accepted = True
                break
            lam *= 0.5
        if not accepted:
            break
        small = True
        for i in range(n):
            if abs(xt[i] - x[i]) > 1e-15 * max(abs(x[i]), scale[solved[i]]):
                small = False
            x[i] = xt[i]
            f[i] = f1[i]
        r = rt
        if small:
            break
    # leave y at the solution
    return _residual_into(x, y, p, c, solved, scale, ch, a, dy, f)


@njit(cache=True)
def baseline(p, y, q):
    """The compiled baseline: steady state of ``p`` into ``y`` and the parameters with the
    baseline-derived slots filled into ``q`` (a copy of ``p`` on entry). Newton from the
    reference man, else from a ten-year drug-free relaxation. Returns True on success."""
    n = y.shape[0]
    solved = _SOLVED
    scale = np.zeros(n)
    state_scale_into(q, scale)
    reference_state_into(q, y)
    x = np.zeros(solved.shape[0])
    for k in range(solved.shape[0]):
        x[k] = y[solved[k]]
    r = _newton(x, y, q, solved, scale, NEWTON_TOL)
    if not r <= NEWTON_TOL:
        reference_state_into(q, y)
        atol = np.zeros(n)
        for i in range(n):
            atol[i] = scale[i] * 1e-8
        empty_f, empty_i = np.zeros(0), np.zeros(0, dtype=np.int64)
        out_t = np.array([RELAX_YEARS * model.HOURS_PER_YEAR])
        sel = np.zeros(0, dtype=np.int64)
        out = np.zeros((0, 1))
        status, _ = dopri.march(y, q, np.zeros((0, pk.N_STATIC)), 0.0, empty_f, empty_i, empty_f, empty_i, out_t, sel,
                                empty_i, 1e-6, atol, 10_000_000, out)
        if status != dopri.OK:
            return False
        for k in range(solved.shape[0]):
            x[k] = y[solved[k]]
        r = _newton(x, y, q, solved, scale, NEWTON_TOL_RELAXED)
        if not r <= NEWTON_TOL_RELAXED:
            return False
        reference_state_into(q, y)
        for k in range(solved.shape[0]):
            y[solved[k]] = x[k]
    else:
        reference_state_into(q, y)
        for k in range(solved.shape[0]):
            y[solved[k]] = x[k]
    ch = np.zeros(model.N_CHANNELS)
    a = np.zeros(model.N_ALG)
    model.algebra(y, q, ch, a)
    q[_P_BASE_E2] = a[model.A_E2]
    q[_P_BASE_BE] = a[model.A_BONE_E]
    q[_P_BASE_BT] = a[model.A_BONE_T]
    w = min(max((q[_P_AGE] - 30.0) / 40.0, 0.0), 1.0)
    q[_P_BMD_DRIFT] = (1.0 - w) * q[_P_DRIFT_YOUNG] + w * q[_P_DRIFT_OLD]
    return True
