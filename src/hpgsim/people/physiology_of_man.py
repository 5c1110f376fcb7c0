"""From a man (age, BMI, measured labs) to his parameter vector.

Age and body size move the individual factors of the parameter table by the population
effects in it (Leydig decline and SHBG rise with age, adipose aromatase with fat mass, SHBG
and GnRH drive with BMI). Measured labs then personalise the factors they identify, so that
the man's simulated steady state reproduces them. A fuller, prior-weighted personalisation
with uncertainty belongs to the population layer; this one is an exact fit of one factor per lab.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import least_squares

from ..errors import InputError
from ..physiology import model
from ..physiology.parameters import BY_NAME, INDEX, complete, default_vector

REF_AGE = 30.0
REF_BMI = 23.0
REF_HEIGHT_M = 1.76


def fat_fraction(bmi: float, age: float) -> float:
    """Body-fat fraction of a man (Deurenberg P et al. Br J Nutr 1991;65:105)."""
    return max((1.2 * bmi + 0.23 * age - 10.8 - 5.4) / 100.0, 0.03)


def population_parameters(age: float, bmi: float, height_m: float = REF_HEIGHT_M) -> np.ndarray:
    """The typical man of this age and BMI (no labs)."""
    p = default_vector()
    g = lambda name: p[INDEX[name]]  # noqa: E731
    years = max(age - REF_AGE, 0.0)
    p[INDEX["age"]] = age
    p[INDEX["bmi"]] = bmi
    p[INDEX["leydig_capacity"]] = np.exp(-g("leydig_age_decline") * years)
    shbg_bmi = max(1.0 + g("shbg_bmi_slope") * (bmi - REF_BMI), 0.3)
    p[INDEX["shbg_factor"]] = np.exp(g("shbg_age_rise") * years) * shbg_bmi
    fat_kg = fat_fraction(bmi, age) * bmi * height_m**2
    ref_fat_kg = g("ref_fat_fraction") * REF_BMI * REF_HEIGHT_M**2
    p[INDEX["aromatase_factor"]] = (fat_kg / ref_fat_kg) ** g("aromatase_fat_exponent")
    p[INDEX["gnrh_factor"]] = max(1.0 - g("gnrh_bmi_suppression") * max(bmi - 25.0, 0.0), 0.3)
    return complete(p)


# Which individual factor each lab pins down, and the algebraic output or state it is compared with.
_LAB_TARGETS = {
    "total_testosterone": ("leydig_capacity", "alg", model.A_TT),
    "estradiol": ("aromatase_factor", "alg", model.A_E2),
    "shbg": ("shbg_factor", "state", model.SHBG),
    "lh": ("gnrh_factor", "state", model.LH),
    "fsh": ("fsh_factor", "state", model.FSH),
    "inhibin_b": ("sertoli_factor", "alg", model.A_INHB),
    "sperm_concentration": ("germ_cell_factor", "alg", model.A_SPERM),
}
_LAB_EXTRA = {"free_testosterone": ("alg", model.A_FT), "bioavailable_testosterone": ("alg", model.A_BIOT)}


def personalise(p: np.ndarray, labs: dict[str, float], *, field: str = "patient.labs", file: str | None = None) -> np.ndarray:
    """Adjust this man's individual factors so his steady state reproduces ``labs`` (internal units).

    Labs without a factor of their own (free and bioavailable T) are fitted too, through the
    factors the other labs free up; if a lab cannot be reached within the factors' plausible
    ranges, an :class:`InputError` says which.
    """
    from ..engine.steady_state import steady_state

    p = p.copy()
    if "prolactin" in labs:
        p[INDEX["prolactin"]] = labs["prolactin"]
    factors, targets = [], []
    for lab, value in labs.items():
        if lab in _LAB_TARGETS:
            factors.append(_LAB_TARGETS[lab][0])
            targets.append((lab, _LAB_TARGETS[lab][1], _LAB_TARGETS[lab][2], value))
        elif lab in _LAB_EXTRA:
            targets.append((lab, *_LAB_EXTRA[lab], value))
    if "free_testosterone" in labs or "bioavailable_testosterone" in labs:
        factors += [f for f in ("shbg_factor", "leydig_capacity") if f not in factors]
    if not targets:
        return p
    idx = [INDEX[f] for f in factors]
    # log-space fit: a factor whose range reaches 0 (a missing function) is searched from 1e-3
    lo = np.log([max(BY_NAME[f].low, 1e-3) for f in factors])
    hi = np.log([BY_NAME[f].high for f in factors])
    x0 = np.clip(np.log(p[idx]), lo + 1e-9, hi - 1e-9)

    def residual(x: np.ndarray) -> np.ndarray:
        q = p.copy()
        q[idx] = np.exp(x)
        y, q = steady_state(q)
        a = np.zeros(model.N_ALG)
        model.algebra(y, q, np.zeros(model.N_CHANNELS), a)
        out = []
        for _lab, kind, slot, value in targets:
            sim = a[slot] if kind == "alg" else y[slot]
            out.append(np.log(max(sim, 1e-12) / value))
        return np.array(out)

    fit = least_squares(residual, x0, bounds=(lo, hi), xtol=1e-10, ftol=1e-10)
    worst = np.argmax(np.abs(fit.fun))
    if abs(fit.fun[worst]) > 0.02:
        lab = targets[worst][0]
        raise InputError(f"{field}.{lab}", "labs a man's physiology can produce together (this one is "
                         f"{100 * (np.exp(abs(fit.fun[worst])) - 1):.0f} % away from the closest fit; check the value and unit)",
                         None, file)
    p[idx] = np.exp(fit.x)
    return p
