"""From a man (age, BMI, measured labs) to his parameter vector.

Age and body size move the individual factors of the parameter table by the population
effects in it (Leydig decline and SHBG rise with age, adipose aromatase with fat mass, SHBG
and GnRH drive with BMI). Measured labs then personalise the factors
(:mod:`hpgsim.people.personalise`: the population as prior, with measurement error).
"""

from __future__ import annotations

import numpy as np

from ..physiology.parameters import INDEX, complete, default_vector

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
