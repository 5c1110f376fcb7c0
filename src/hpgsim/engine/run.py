"""One man through one protocol: parameters -> baseline -> dosing -> trajectories.

:func:`run_man` is the low-level call on plain arrays (what batch code builds on);
:func:`hpgsim.simulate` wraps it with value objects and units.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..drugs import pk
from ..drugs.records import CHANNELS, EFFECT_KINDS, DrugRecord, get_drug
from ..errors import NumericalError
from ..physiology import model
from ..physiology.parameters import INDEX
from . import dopri
from .steady_state import steady_state

DEFAULT_RTOL = 1e-6
DEFAULT_ATOL_FACTOR = 1e-8
MAX_STEPS = 20_000_000


@dataclass(frozen=True)
class DoseEvents:
    """Doses as arrays: time (h), drug slot, amount entering the body (dose unit x F)."""

    drugs: tuple[DrugRecord, ...]
    t: np.ndarray
    drug: np.ndarray
    amount: np.ndarray
    central: np.ndarray

    @staticmethod
    def from_list(events: list[tuple]) -> "DoseEvents":
        """``events`` as (t_hours, drug name, dose in the drug's dose unit[, route]), any order.

        A mixture (clomiphene citrate) becomes doses of its parts; a drug given by a route other
        than its record's own (hCG IM rather than SC) becomes a row with that route's absorption.
        Each (drug, route) pair is one row of the PK table.
        """
        rows: dict[tuple[str, str | None], DrugRecord] = {}
        expanded = []
        for event in events:
            t, name, dose = event[0], event[1], event[2]
            route = event[3] if len(event) > 3 else None
            record = get_drug(name, internal_ok=True)
            parts = record.parts or ((record.name, 1.0),)
            for part_name, fraction in parts:
                part = get_drug(part_name, internal_ok=True) if record.parts else record
                key = (part.name, None if route in (None, part.route) else route)
                if key not in rows:
                    rows[key] = part.via(key[1])
                expanded.append((float(t), key, dose * fraction))
        keys = sorted(rows, key=lambda k: (k[0], k[1] or ""))
        drugs = tuple(rows[k] for k in keys)
        slot = {k: i for i, k in enumerate(keys)}
        ordered = sorted(expanded, key=lambda e: e[0])
        t = np.array([e[0] for e in ordered], dtype=float)
        drug = np.array([slot[e[1]] for e in ordered], dtype=np.int64)
        amount = np.array([e[2] * drugs[slot[e[1]]].bioavailability for e in ordered], dtype=float)
        central = np.array([1 if drugs[slot[e[1]]].route == "iv" else 0 for e in ordered], dtype=np.int64)
        return DoseEvents(drugs, t, drug, amount, central)

    def pk_static(self) -> np.ndarray:
        tab = np.zeros((len(self.drugs), pk.N_STATIC))
        for i, d in enumerate(self.drugs):
            tab[i, pk.KA] = d.ka_per_h
            tab[i, pk.KE] = d.ke_per_h
            tab[i, pk.VOL] = d.volume_l
            tab[i, pk.CHAN] = CHANNELS[d.channel]
            tab[i, pk.EMAX] = d.emax
            tab[i, pk.EC50] = d.ec50_ng_ml
            tab[i, pk.HILL] = d.hill
            tab[i, pk.KIND] = EFFECT_KINDS[d.effect]
            tab[i, pk.IA] = d.intrinsic_activity
            tab[i, pk.CNS] = d.cns_access
            tab[i, pk.CLF] = INDEX[d.clearance_factor] if d.clearance_factor else -1
            tab[i, pk.AR] = d.androgen_per_level
        return tab


@dataclass(frozen=True)
class RawRun:
    """Trajectories on plain arrays: times (h), states, algebraic outputs, concentrations."""

    t: np.ndarray
    y: np.ndarray
    alg: np.ndarray
    conc: np.ndarray
    drugs: tuple[DrugRecord, ...]
    params: np.ndarray
    steps: int


def output_grid(t_start: float, t_end: float, every_h: float) -> np.ndarray:
    """Output times every ``every_h`` hours, always including week 0 and the end."""
    after = np.arange(0.0, t_end + 1e-9, every_h)
    before = -np.arange(every_h, -t_start + 1e-9, every_h)[::-1] if t_start < 0 else np.zeros(0)
    grid = np.concatenate([before, after])
    if grid[-1] < t_end - 1e-9:
        grid = np.append(grid, t_end)
    return grid


def tolerances(p: np.ndarray, rtol: float | None = None, atol_factor: float | None = None) -> tuple[float, np.ndarray]:
    """Relative tolerance and per-state absolute tolerances scaled to each state's size."""
    rtol = DEFAULT_RTOL if rtol is None else rtol
    atol_factor = DEFAULT_ATOL_FACTOR if atol_factor is None else atol_factor
    return rtol, model.state_scale(p) * atol_factor


def run_man(p: np.ndarray, events: DoseEvents, t_end_h: float, every_h: float = 24.0,
            rtol: float | None = None, atol_factor: float | None = None, out_t: np.ndarray | None = None) -> RawRun:
    """Solve the man's baseline, then simulate from the first dose (or week 0) to ``t_end_h``."""
    y0, p = steady_state(p)
    t_start = min(0.0, float(events.t[0])) if events.t.size else 0.0
    if out_t is None:
        out_t = output_grid(t_start, t_end_h, every_h)
    rtol, atol = tolerances(p, rtol, atol_factor)
    y, alg, conc, status, steps = dopri.integrate(y0, p, events.pk_static(), t_start, events.t, events.drug,
                                                  events.amount, events.central, out_t, rtol, atol, MAX_STEPS)
    if status != dopri.OK:
        raise NumericalError(dopri.STATUS_TEXT[status])
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(alg))):
        raise NumericalError("non-finite values in the trajectory")
    return RawRun(out_t, y, alg, conc, events.drugs, p, steps)
