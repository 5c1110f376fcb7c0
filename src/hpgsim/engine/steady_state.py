"""A man's baseline: the steady state of his own parameters, found before any dosing.

Bone density and insulin sensitivity are left out of the root-finding: bone has a natural
age drift (no steady state) and both only measure change against the man's own baseline, so
their reference signals are written into the parameter vector once the rest is solved.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import root

from ..errors import NumericalError
from ..physiology import model
from ..physiology.parameters import INDEX
from . import dopri

_SOLVED = np.array([i for i in range(model.N_STATES) if i not in (model.BMD, model.ISI)])


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


def steady_state(p: np.ndarray, bmd0: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Return (baseline state, parameters with the baseline-derived slots filled).

    ``p`` is not modified. Raises :class:`NumericalError` if no steady state is found.
    """
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
    if bmd0 is not None:
        y[model.BMD] = bmd0
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
