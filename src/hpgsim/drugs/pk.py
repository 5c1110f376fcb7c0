"""Closed-form linear pharmacokinetics: a depot feeding a central compartment.

``depot -(ka)-> central -(ke)-> eliminated``. Between two doses the amounts evolve exactly as

    depot(t)   = D0 exp(-ka t)
    central(t) = C0 exp(-ke t) + D0 ka / (ka - ke) (exp(-ke t) - exp(-ka t))     (Bateman)

so the solver never integrates PK: at each dose the engine adds ``F * dose`` to the depot (or
to the central compartment for an IV bolus) and the right-hand side evaluates these formulas.
Because the PK is linear, a whole regimen is also the superposition of single doses, which is
the independent truth the tests check the engine against.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

# columns of the per-drug static table the engine builds from DrugRecords; CLF is the index in
# the man's parameter vector of his clearance factor for the drug (-1: the drug has none); AR the
# androgen-receptor signal of an androgenic metabolite per unit of plasma level
KA, KE, VOL, CHAN, EMAX, EC50, HILL, KIND, IA, CNS, CLF, AR = range(12)
N_STATIC = 12
# values of the KIND column (records.EFFECT_KINDS)
KIND_EMAX, KIND_LINEAR, KIND_ABSORPTION = 0, 1, 2
# columns of the per-drug state at the start of the current segment
DEP0, CEN0, T0 = range(3)


@njit(cache=True)
def chain_amounts(depot0: float, central0: float, ka: float, ke: float, dt: float):
    """Depot and central amounts ``dt`` hours after they were ``depot0`` and ``central0``."""
    eka = math.exp(-ka * dt)
    eke = math.exp(-ke * dt)
    if abs(ka - ke) > 1e-9 * ka:
        central = central0 * eke + depot0 * ka / (ka - ke) * (eke - eka)
    else:  # the limit ka -> ke of the Bateman function
        central = central0 * eke + depot0 * ka * dt * eke
    return depot0 * eka, central


@njit(cache=True)
def for_man(pk_static: np.ndarray, p: np.ndarray) -> np.ndarray:
    """The PK table for one man: each drug's elimination rate times his clearance factor.

    Men differ in how fast they clear a drug (enzyme activity, body size), so one dose gives
    them different exposures; at a fixed volume, clearance ``CL = ke V`` scales with ``ke`` and
    the exposure (AUC) with ``1 / CL``. The factors are individual parameters (1 in the
    reference man), spread in a population by :mod:`hpgsim.people.population`.
    """
    tab = pk_static.copy()
    for d in range(tab.shape[0]):
        i = int(tab[d, CLF])
        if i >= 0:
            tab[d, KE] *= p[i]
    return tab


@njit(cache=True)
def give_dose(pk_state: np.ndarray, pk_static: np.ndarray, d: int, t: float, amount: float, to_central: bool) -> None:
    """Advance drug ``d``'s amounts to time ``t`` (closed form), add ``amount`` to its depot
    (or its central compartment for an IV bolus) and restart its clock at ``t``."""
    dep, cen = chain_amounts(pk_state[d, DEP0], pk_state[d, CEN0], pk_static[d, KA], pk_static[d, KE], t - pk_state[d, T0])
    if to_central:
        cen += amount
    else:
        dep += amount
    pk_state[d, DEP0] = dep
    pk_state[d, CEN0] = cen
    pk_state[d, T0] = t


def single_dose_concentration(t_h: np.ndarray, dose: float, f: float, ka: float, ke: float, volume: float) -> np.ndarray:
    """Plasma concentration after one oral dose at t = 0 (dose in ug gives ng/mL): the textbook
    Bateman function ``F D ka / (V (ka - ke)) (exp(-ke t) - exp(-ka t))``, written independently
    of :func:`chain_amounts` so tests can check one against the other."""
    t = np.clip(np.asarray(t_h, dtype=float), 0.0, None)   # before the dose: nothing yet
    c = f * dose * ka / (volume * (ka - ke)) * (np.exp(-ke * t) - np.exp(-ka * t))
    return np.where(np.asarray(t_h) >= 0.0, c, 0.0)
