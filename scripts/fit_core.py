"""Fit the core model's ``fitted`` parameters to the calibration set (never the validation set).

Targets are the anastrozole calibration studies (Leder 2004 daily arm, Burnett-Bowie 2009 Clin
Endocrinol and JCEM, Gibb 2016) as percent changes in a typical man like each study's men, plus
the population anchors the same parameters shape (MMAS age trends, EMAS BMI differences).
Each residual is (simulated - observed) / half-width, the half-width from the TRIAL_SPEC rule
(196 sd / (sqrt(n) baseline), at least 5 points); a prior term pulls each parameter toward its
literature value, scaled by its plausible range. Deterministic: same inputs, same fit.

    .venv/bin/python scripts/fit_core.py            # fit, print, write docs/calibration-core.md
    .venv/bin/python scripts/fit_core.py --report   # evaluate the current table and rewrite the report
"""

from __future__ import annotations

import dataclasses
import math
import sys
from pathlib import Path

import numpy as np
from scipy.optimize import least_squares

from hpgsim.drugs import records
from hpgsim.drugs.records import get_drug
from hpgsim.engine.run import DoseEvents, run_man
from hpgsim.engine.steady_state import steady_state
from hpgsim.people import physiology_of_man as pm
from hpgsim.people.personalise import GROUP_MEAN_ERROR_SCALE, personalise
from hpgsim.physiology import model, parameters
from hpgsim.physiology.parameters import BY_NAME, INDEX

FITTED = ["e2_hyp_k", "e2_hyp_n", "e2_pit_k", "t_hyp_k", "leydig_ec50", "leydig_e2_brake", "leydig_adapt_gain", "leydig_adapt_tau",
          "shbg_e2_exponent", "shbg_t_exponent", "leydig_age_decline", "gnrh_bmi_suppression", "shbg_bmi_slope"]
DRUG_EC50 = ("anastrozole_ec50", 13.0, 0.9, 60.0)   # name, start, low, high (ng/mL); see catalogue.py
LETRO_EC50 = ("letrozole_ec50", 4.9, 0.1, 50.0)
T = 28.84


def half_width(sd: float, n: int, baseline: float) -> float:
    return max(196.0 * sd / (math.sqrt(n) * baseline), 5.0)


# (label, man, weeks of 1 mg daily, measure, week, observed % change, half-width, source)
# man: (age, bmi, labs in internal units). Arm sizes of Burnett-Bowie were not reported per arm:
# 69 completers in two arms, so n = 34 is assumed.
LEDER = (68.0, 27.0, {"total_testosterone": 343 / T, "lh": 5.1})
BB = (68.0, 28.0, {"total_testosterone": 11.2})
GIBB = (28.0, 24.0, {"total_testosterone": 21.4, "estradiol": 102.0})
TSJOEN = (25.0, 23.0, {})
# T'Sjoen 2005 published no SDs in the excerpt: tolerance 25 % of the observed change (a choice)
TRIALS = [
    ("Leder 2004 TT", LEDER, 12, "tt", 12, 100 * (572 / 343 - 1), half_width(139, 12, 343), "leder2004_anastrozole_1mg_daily"),
    ("Leder 2004 E2", LEDER, 12, "e2", 12, 100 * (17 / 26 - 1), half_width(6, 12, 26), "leder2004_anastrozole_1mg_daily"),
    ("Leder 2004 LH", LEDER, 12, "lh", 12, 100 * (7.9 / 5.1 - 1), half_width(4.8, 12, 5.1), "leder2004 (follow-up SD missing: baseline SD used)"),
    ("Leder 2004 bioT", LEDER, 12, "biot", 12, 100 * (207 / 99 - 1), half_width(65, 12, 99), "leder2004_anastrozole_1mg_daily"),
    ("BB 2009 TT m3", BB, 52, "tt", 13, 100 * (18.2 / 11.2 - 1), half_width(4.8, 34, 11.2), "burnett_bowie2009_clinendo_anastrozole"),
    ("BB 2009 TT m6", BB, 52, "tt", 26, 100 * (17.6 / 11.2 - 1), half_width(5.0, 34, 11.2), "burnett_bowie2009_clinendo_anastrozole"),
    ("BB 2009 TT m12", BB, 52, "tt", 52, 100 * (16.5 / 11.2 - 1), half_width(5.1, 34, 11.2), "burnett_bowie2009_clinendo_anastrozole"),
    ("BB 2009 E2 m3", BB, 52, "e2", 13, 100 * (42.2 / 55.8 - 1), half_width(13.6, 34, 55.8), "burnett_bowie2009_clinendo_anastrozole"),
    ("BB 2009 bioT m3", BB, 52, "biot", 13, 100 * (5.4 / 2.7 - 1), half_width(1.7, 34, 2.7), "burnett_bowie2009_clinendo_anastrozole"),
    ("BB 2009 bioT m12", BB, 52, "biot", 52, 100 * (4.9 / 2.7 - 1), half_width(2.2, 34, 2.7), "burnett_bowie2009_clinendo_anastrozole"),
    ("T'Sjoen 2005 E2 (letrozole)", TSJOEN, 4, "e2", 4, -46.0, 11.5, "tsjoen2005_letrozole_young"),
    ("T'Sjoen 2005 LH (letrozole)", TSJOEN, 4, "lh", 4, 339.0, 85.0, "tsjoen2005_letrozole_young"),
    ("T'Sjoen 2005 TT (letrozole)", TSJOEN, 4, "tt", 4, 146.0, 36.5, "tsjoen2005_letrozole_young"),
    ("Gibb 2016 TT", GIBB, 6, "tt", 6, 100 * (25.8 / 21.4 - 1), half_width(1.2 * math.sqrt(17), 17, 21.4), "gibb2016_anastrozole_insulin_sensitivity"),
    ("Gibb 2016 E2", GIBB, 6, "e2", 6, 100 * (59.9 / 102.0 - 1), half_width(3.6 * math.sqrt(17), 17, 102.0), "gibb2016_anastrozole_insulin_sensitivity"),
]
# population anchors: (label, (age, bmi), (age, bmi), measure, observed, tolerance, kind, source)
POPULATION = [
    ("TT 70 y / 30 y", (70, 23), (30, 23), "tt", 0.75, 0.10, "ratio", "MMAS -0.8 %/yr cross-sectional (Feldman 2002); Kelsey 2014 flat after 40"),
    ("free T 70 y / 30 y", (70, 23), (30, 23), "ft", 0.55, 0.10, "ratio", "MMAS -2 %/yr (Feldman 2002); EMAS -3.1 pmol/L/yr (Wu 2008)"),
    ("TT BMI 32 - BMI 23 at 60 y (nmol/L)", (60, 32), (60, 23), "tt", -5.09, 1.5, "diff", "EMAS (Wu 2008) BMI >= 30 vs < 25"),
    ("TT BMI 27.5 - BMI 23 at 60 y (nmol/L)", (60, 27.5), (60, 23), "tt", -2.32, 1.0, "diff", "EMAS (Wu 2008) BMI 25-30 vs < 25"),
    ("free T BMI 32 - BMI 23 at 60 y (pmol/L)", (60, 32), (60, 23), "ft_pmol", -53.7, 20.0, "diff", "EMAS (Wu 2008)"),
]


def _measure(run, i, name):
    if name == "lh":
        return run.y[i, model.LH]
    return run.alg[i, {"tt": model.A_TT, "e2": model.A_E2, "biot": model.A_BIOT}[name]]


def evaluate(x: np.ndarray):
    """Residuals (scaled) and a readable table for parameter values ``x``."""
    values = dict(zip(FITTED, x[:-2]))
    orig_default = parameters.default_vector

    def patched():
        v = orig_default()
        for k, val in values.items():
            v[INDEX[k]] = val
        return parameters.complete(v)

    pm.default_vector = patched
    records.register(dataclasses.replace(get_drug("anastrozole"), ec50_ng_ml=float(x[-2])))
    records.register(dataclasses.replace(get_drug("letrozole"), ec50_ng_ml=float(x[-1])))
    rows, res = [], []
    try:
        cache = {}
        for label, man, weeks, meas, week, obs, hw, src in TRIALS:
            key = (man[0], man[1], tuple(sorted(man[2].items())), weeks)
            if key not in cache:
                p = personalise(pm.population_parameters(man[0], man[1]), man[2],
                                error_scale=GROUP_MEAN_ERROR_SCALE)
                drug, dose = ("letrozole", 2500.0) if man is TSJOEN else ("anastrozole", 1000.0)
                ev = DoseEvents.from_list([(24.0 * d, drug, dose) for d in range(weeks * 7)])
                cache[key] = run_man(p, ev, weeks * 168.0)
            run = cache[key]
            i = int(round(week * 7))
            sim = 100 * (_measure(run, i, meas) / _measure(run, 0, meas) - 1)
            res.append((sim - obs) / hw)
            rows.append((label, obs, hw, sim, abs(sim - obs) <= hw, src))
        for label, a_man, b_man, meas, obs, tol, kind, src in POPULATION:
            vals = []
            for age, bmi in (a_man, b_man):
                y, q = steady_state(pm.population_parameters(age, bmi))
                a = np.zeros(model.N_ALG)
                model.algebra(y, q, np.zeros(model.N_CHANNELS), a)
                vals.append({"tt": a[model.A_TT], "ft": a[model.A_FT], "ft_pmol": a[model.A_FT] * 1000}[meas])
            sim = vals[0] / vals[1] if kind == "ratio" else vals[0] - vals[1]
            res.append((sim - obs) / tol)
            rows.append((label, obs, tol, sim, abs(sim - obs) <= tol, src))
    finally:
        pm.default_vector = orig_default
    # prior: stay near the literature value, in units of the log plausible range
    starts, lows, highs = bounds()
    for xi, s, lo, hi in zip(x, starts, lows, highs):
        span = math.log(hi / lo) if lo > 0 else (hi - lo)
        dev = math.log(xi / s) if lo > 0 else (xi - s)
        res.append(0.3 * dev / span)
    return np.array(res), rows


def slow_output_rows():
    """Bone and insulin sensitivity: linear in their rates, so set in closed form, checked here."""
    import hpgsim

    man = hpgsim.Patient.build(age=68, bmi=28, labs={"total_testosterone": "11.2 nmol/L"})
    placebo = hpgsim.simulate(man, None, weeks=52).values["bmd_spine"]
    active = hpgsim.simulate(man, "anastrozole 1 mg daily", weeks=52).values["bmd_spine"]
    rows = [("BB 2009 spine BMD, placebo, 1 yr (%)", 0.8, 0.5, 100 * (placebo[-1] / placebo[0] - 1), "burnett_bowie2009_jcem_bmd_placebo"),
            ("BB 2009 spine BMD, anastrozole, 1 yr (%)", -1.7, 0.5, 100 * (active[-1] / active[0] - 1), "burnett_bowie2009_jcem_bmd_anastrozole")]
    gibb = hpgsim.Patient.build(age=28, bmi=24, labs={"total_testosterone": "21.4 nmol/L", "estradiol": "102 pmol/L"})
    isi = hpgsim.simulate(gibb, "anastrozole 1 mg daily", weeks=6).values["insulin_sensitivity"][-1]
    rows.append(("Gibb 2016 insulin sensitivity, 6 wk (%)", -14.1, 5.0, 100 * (isi - 1), "gibb2016 (clamp glucose infusion rate)"))
    return [(label, obs, tol, sim, abs(sim - obs) <= tol, src) for label, obs, tol, sim, src in rows]


def bounds():
    starts = [BY_NAME[k].value for k in FITTED] + [DRUG_EC50[1], LETRO_EC50[1]]
    lows = [BY_NAME[k].low for k in FITTED] + [DRUG_EC50[2], LETRO_EC50[2]]
    highs = [BY_NAME[k].high for k in FITTED] + [DRUG_EC50[3], LETRO_EC50[3]]
    # parameters whose range includes 0 or negatives are fitted on a linear scale
    return starts, lows, highs


def report(x: np.ndarray, rows) -> str:
    names = FITTED + [DRUG_EC50[0], LETRO_EC50[0]]
    lines = ["| target | observed | half-width | simulated | within | source |", "|---|---|---|---|---|---|"]
    lines += [f"| {r[0]} | {r[1]:.3g} | {r[2]:.3g} | {r[3]:.3g} | {'yes' if r[4] else 'no'} | {r[5]} |" for r in rows]
    lines += ["", "| parameter | literature start | fitted |", "|---|---|---|"]
    starts, _, _ = bounds()
    lines += [f"| {n} | {s:.4g} | {v:.4g} |" for n, s, v in zip(names, starts, x)]
    return "\n".join(lines)


def main() -> None:
    starts, lows, highs = bounds()
    x0 = np.clip(np.array(starts, dtype=float), np.array(lows) + 1e-9, np.array(highs) - 1e-9)
    if "--report" in sys.argv:
        x = x0
    else:
        x = least_squares(lambda v: evaluate(v)[0], x0, bounds=(lows, highs), diff_step=1e-3, max_nfev=400, verbose=1).x
    _, rows = evaluate(x)
    text = report(x, rows + slow_output_rows())
    print(text)
    out = Path(__file__).resolve().parents[1] / "docs" / "calibration-core.md"
    out.write_text("# Core calibration (anastrozole calibration set and population anchors)\n\n"
                   "Written by `scripts/fit_core.py`; the fitted values are copied into the parameter table "
                   "(`fitted` rows). Only calibration-set studies are used.\n\n" + text + "\n")


if __name__ == "__main__":
    main()
