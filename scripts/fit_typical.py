"""Joint calibration of physiology and drug potencies to every calibration-set trial spec.

Fits on a *typical man per arm*: the arm's mid age and BMI, its conditions, and (when the spec
publishes them) its baseline total T, LH and E2 as his labs, so each residual is one fast
simulation. Endpoints that need a population (fractions of men) are left to the cohort run of
``hpgsim trial``; everything else enters as (simulated - observed) / tolerance, with the
tolerance from the TRIAL_SPEC pass rule. A prior term pulls each parameter toward its
literature value, scaled by its plausible range. Only specs under
``src/hpgsim/evidence/trials/calibration`` are read: the validation set is never fitted.

    .venv/bin/python scripts/fit_typical.py             # evaluate the current values
    .venv/bin/python scripts/fit_typical.py --fit       # fit, print the new values
"""

from __future__ import annotations

import dataclasses
import math
import sys
from pathlib import Path

import numpy as np
import yaml
from scipy.optimize import least_squares

from hpgsim.api import measures_of
from hpgsim.drugs import records
from hpgsim.drugs.protocol import Protocol
from hpgsim.engine.run import DoseEvents, run_man
from hpgsim.errors import HpgsimError
from hpgsim.people.conditions import apply_conditions
from hpgsim.people.personalise import GROUP_MEAN_ERROR_SCALE, personalise
from hpgsim.people.physiology_of_man import population_parameters
from hpgsim.physiology.parameters import BY_NAME, INDEX
from hpgsim.units import to_internal

CAL_DIR = Path(__file__).resolve().parents[1] / "src/hpgsim/evidence/trials/calibration"

# (name, kind, low, high): kind "phys" = parameter table row, "drug:<name>:<field>" = record field
FREE = [
    ("e2_hyp_k", "phys"), ("e2_hyp_n", "phys"), ("e2_pit_k", "phys"), ("t_hyp_k", "phys"), ("t_hyp_n", "phys"),
    ("leydig_ec50", "phys"), ("fsh_gnrh_exponent", "phys"), ("itt_serum_uptake", "phys"),
    ("sg_itt_k", "phys"), ("spermiation_itt_k", "phys"), ("aromatase_resynthesis_half_life", "phys"),
    ("sg_fsh_basal", "phys"), ("sg_fsh_k", "phys"), ("sg_itt_n", "phys"), ("leydig_adapt_gain", "phys"),
    ("leydig_e2_brake", "phys"), ("shbg_e2_exponent", "phys"),
    ("anastrozole.ec50_ng_ml", "drug", 0.9, 60.0), ("letrozole.ec50_ng_ml", "drug", 0.1, 50.0),
    ("exemestane.emax", "drug", 0.01, 5.0), ("enclomiphene.ec50_ng_ml", "drug", 0.1, 20.0),
    ("hcg.emax", "drug", 0.02, 2.0),
]


def _bounds(entry):
    name, kind = entry[0], entry[1]
    if kind == "phys":   # log-space fit: a range reaching 0 is searched from 1e-3
        return max(BY_NAME[name].low, 1e-3), BY_NAME[name].high, BY_NAME[name].value
    drug, fld = name.split(".")
    return entry[2], entry[3], getattr(records.get_drug(drug, internal_ok=True), fld)


def apply(values: dict[str, float]) -> dict[str, float]:
    """Set drug-record fields; return the physiology overrides."""
    phys = {}
    for name, v in values.items():
        if "." in name:
            drug, fld = name.split(".")
            rec = records.get_drug(drug, internal_ok=True)
            records._REGISTRY[drug] = dataclasses.replace(rec, **{fld: v})
            if drug == "enclomiphene":   # zuclomiphene's potency is a fixed ratio of enclomiphene's
                from hpgsim.drugs.catalogue import serms
                z = records.get_drug("zuclomiphene", internal_ok=True)
                records._REGISTRY["zuclomiphene"] = dataclasses.replace(z, ec50_ng_ml=v / serms.ZUCLOMIPHENE_POTENCY_RATIO)
        else:
            phys[name] = v
    return phys


def _mid(d, default):
    if not d:
        return default
    return d["mean"] if "mean" in d else 0.5 * (d["min"] + d["max"])


def _num(x):
    return float(str(x).split()[0])


def arms_of(spec: dict):
    """Typical man and endpoints per arm."""
    pop = spec.get("population", {}) or {}
    for arm in spec["arms"]:
        apop = {**pop, **(arm.get("population") or {})}
        eps = [e for e in spec["endpoints"] if e["arm"] == arm["id"]]
        labs = {}
        for e in eps:
            obs = e.get("observed") or {}
            base = obs.get("baseline") or {}
            b = base.get("mean", base.get("median"))
            if b is not None and e["measure"] in ("total_testosterone", "lh", "estradiol"):
                labs[e["measure"]] = to_internal(e["measure"], b, e.get("unit"))
        yield arm, apop, eps, labs


def simulate_arm(arm, apop, eps, labs, phys):
    age, bmi = _mid(apop.get("age"), 35.0), _mid(apop.get("bmi"), 25.0)
    p = population_parameters(age, bmi)
    for k, v in phys.items():
        p[INDEX[k]] = v
    p = apply_conditions(p, apop.get("conditions") or [])
    if labs:
        try:
            p = personalise(p, labs, error_scale=GROUP_MEAN_ERROR_SCALE)
        except HpgsimError:
            pass   # labs out of this man's reach: the unpersonalised typical man
    prot = Protocol.coerce(arm["protocol"])
    last = max(e.get("until_week", e["from_week"] + 104) if "from_week" in e else e["week"] for e in eps)
    t_end = last * 168.0
    weeks = sorted({0.0, *[float(e["week"]) for e in eps if "week" in e], *np.arange(math.floor(prot.earliest_week), last + 1e-9, 1.0)})
    out_t = np.array([w * 168.0 for w in weeks if w * 168.0 >= prot.earliest_hours])
    raw = run_man(p, DoseEvents.from_list(prot.dose_events(t_end)), t_end, out_t=out_t)
    return raw.t / 168.0, measures_of(raw)


def residuals_of(spec, phys, rows=None):
    res = []
    for arm, apop, eps, labs in arms_of(spec):
        try:
            wk, m = simulate_arm(arm, apop, eps, labs, phys)
        except HpgsimError as exc:
            for e in eps:
                res.append(10.0)
                if rows is not None:
                    rows.append((spec["id"], e["arm"], e["measure"], e.get("week"), "error", str(exc)[:60], False))
            continue
        for e in eps:
            obs = e.get("observed") or {}
            meas = e["measure"]
            if meas not in m:
                continue
            series = m[meas]
            i0 = int(np.argmin(abs(wk - 0.0)))
            stat = e.get("statistic", "mean")
            if stat.startswith("fraction"):
                continue
            if stat.startswith("median_weeks_to"):
                thr = to_internal(meas, e["threshold"], e.get("unit")) if meas != "sperm_concentration" else _num(e["threshold"])
                f0 = e.get("from_week", 0)
                sel = wk >= f0
                hit = series[sel] >= thr if "at_least" in stat else series[sel] < thr
                ob = obs["value"]["weeks"]
                tol = obs.get("tolerance_weeks", 0.25 * ob)
                if hit.any():
                    sim = float(wk[sel][np.argmax(hit)] - f0)
                    r = (sim - ob) / tol
                else:
                    # never reached: a smooth penalty on how far the closest value stays from
                    # the threshold, so the fit sees which way to move
                    sim = float("nan")
                    closest = series[sel].max() if "at_least" in stat else series[sel].min()
                    r = (float(wk[sel][-1] - f0) - ob) / tol + 5.0 * abs(math.log(max(closest, 1e-6) / thr))
                res.append(r)
                if rows is not None:
                    rows.append((spec["id"], e["arm"], meas, f"to {e['threshold']}", f"{ob:g} wk", f"{sim:.1f} wk", abs(r) <= 1))
                continue
            i1 = int(np.argmin(abs(wk - float(e["week"]))))
            sim = 100.0 * (series[i1] - series[i0]) / max(series[i0], 1e-12)
            if "change_pct" in obs:
                ob, tol = obs["change_pct"], obs.get("tolerance_pct_points", 10.0)
            elif obs.get("baseline") and obs.get("value"):
                key = "mean" if "mean" in obs["baseline"] else "median"
                b, v = obs["baseline"][key], obs["value"][key]
                ob = 100.0 * (v - b) / b
                sd = obs["value"].get("sd")
                n = arm.get("n") or 10
                tol = obs.get("tolerance_pct_points", max(196.0 * sd / (math.sqrt(n) * b), 5.0) if sd else 5.0)
            else:
                continue
            r = (sim - ob) / tol
            res.append(r)
            if rows is not None:
                rows.append((spec["id"], e["arm"], meas, e["week"], f"{ob:+.0f} %", f"{sim:+.0f} %", abs(r) <= 1))
    return res


def load_specs(only: tuple[str, ...] = ()):
    specs = [yaml.safe_load(p.read_text()) for p in sorted(CAL_DIR.glob("*.yaml"))]
    return [s for s in specs if not only or s["id"] in only]


def _option(name: str) -> tuple[str, ...]:
    return tuple(sys.argv[sys.argv.index(name) + 1].split(",")) if name in sys.argv else ()


def objective(x, specs):
    values = {}
    prior = []
    for xi, entry in zip(x, FREE):
        lo, hi, v0 = _bounds_cache[entry[0]]
        values[entry[0]] = math.exp(xi)
        prior.append((xi - math.log(v0)) / (0.5 * (math.log(hi) - math.log(lo))))
    phys = apply(values)
    res = []
    for s in specs:
        res += residuals_of(s, phys)
    return np.array(res + [0.3 * p for p in prior])


_bounds_cache = {}


def main() -> None:
    """Options: --fit N (function evaluations), --only spec,spec (a subset of the calibration
    specs), --free name,name (fit only these of FREE; the rest stay at their current values)."""
    global FREE
    specs = load_specs(_option("--only"))
    if _option("--free"):
        FREE = [e for e in FREE if e[0] in _option("--free")]
    for entry in FREE:
        _bounds_cache[entry[0]] = _bounds(entry)
    x0 = np.array([math.log(_bounds_cache[e[0]][2]) for e in FREE])
    if "--fit" in sys.argv:
        lo = np.array([math.log(_bounds_cache[e[0]][0]) for e in FREE])
        hi = np.array([math.log(_bounds_cache[e[0]][1]) for e in FREE])
        fit = least_squares(objective, np.clip(x0, lo + 1e-6, hi - 1e-6), bounds=(lo, hi), args=(specs,),
                            diff_step=0.02, max_nfev=int(sys.argv[sys.argv.index("--fit") + 1]), verbose=1)
        x0 = fit.x
        for e, xi in zip(FREE, x0):
            lo_, hi_, v0 = _bounds_cache[e[0]]
            flag = " (at bound)" if min(abs(xi - math.log(lo_)), abs(xi - math.log(hi_))) < 1e-3 else ""
            print(f"{e[0]:40s} {v0:10.4g} -> {math.exp(xi):10.4g}{flag}")
    phys = apply({e[0]: math.exp(xi) for e, xi in zip(FREE, x0)})
    rows = []
    for s in specs:
        residuals_of(s, phys, rows)
    ok = sum(1 for r in rows if bool(r[-1]))
    for r in rows:
        print(" | ".join(str(c) for c in r))
    print(f"typical-man pass {ok}/{len(rows)}")


if __name__ == "__main__":
    main()
