"""The plain SciPy reference path: same right-hand side, a different, trusted integrator.

Used to verify the compiled engine (tests and docs/model.md, "Numerics"), never in production
runs. It integrates segment by segment between doses with ``scipy.integrate.solve_ivp`` and
applies doses exactly as the engine does, so any disagreement is the integrator's.
"""

from __future__ import annotations

import numpy as np
from scipy.integrate import solve_ivp

from ..drugs import pk
from ..errors import NumericalError
from ..physiology import model
from .run import DoseEvents, tolerances
from .steady_state import steady_state


def run_reference(p: np.ndarray, events: DoseEvents, out_t: np.ndarray, method: str = "LSODA",
                  rtol: float = 1e-9, atol_factor: float = 1e-11) -> tuple[np.ndarray, np.ndarray]:
    """Return (states, algebraic outputs) at ``out_t`` (hours, sorted, starting at or after the
    first dose or 0), integrating with SciPy's ``method``."""
    y, p = steady_state(p)
    pk_static = pk.for_man(events.pk_static(), p)
    pk_state = np.zeros((len(events.drugs), 3))
    t = min(0.0, float(events.t[0])) if events.t.size else 0.0
    pk_state[:, pk.T0] = t
    _, atol = tolerances(p, rtol, atol_factor)
    ch, a, dy = np.zeros(model.N_CHANNELS), np.zeros(model.N_ALG), np.zeros(model.N_STATES)

    def f(tt: float, yy: np.ndarray) -> np.ndarray:
        model.rhs(tt, yy, p, pk_static, pk_state, ch, a, dy)
        return dy.copy()

    boundaries = np.unique(np.concatenate([events.t, out_t]))
    boundaries = boundaries[boundaries >= t]
    ys = np.zeros((out_t.size, model.N_STATES))
    algs = np.zeros((out_t.size, model.N_ALG))
    ie = 0
    for tb in boundaries:
        if tb > t:
            sol = solve_ivp(f, (t, tb), y, method=method, rtol=rtol, atol=atol)
            if not sol.success:
                raise NumericalError(f"reference solver: {sol.message}", t)
            y = sol.y[:, -1].copy()
            t = tb
        for j in np.nonzero(out_t == t)[0]:
            model.drug_channels(t, pk_static, pk_state, ch)
            model.algebra(y, p, ch, a)
            ys[j], algs[j] = y, a.copy()
        while ie < events.t.size and events.t[ie] <= t:
            pk.give_dose(pk_state, pk_static, int(events.drug[ie]), float(t), float(events.amount[ie]),
                         bool(events.central[ie]))
            ie += 1
    return ys, algs
