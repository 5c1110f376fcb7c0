"""Re-run of Leder 2004 (calibration set): anastrozole 1 mg daily (and, last test, 1 mg twice
weekly) for 12 weeks in men 62-74 years old with total T below 350 ng/dL.

Published (leder2004_anastrozole_1mg_daily, n = 12): total T 343 +/- 61 -> 572 +/- 139 ng/dL,
E2 26 +/- 8 -> 17 +/- 6 pg/mL, LH 5.1 +/- 4.8 -> 7.9 IU/L (follow-up SD not in the excerpt).
Pass rule (evidence/TRIAL_SPEC.md): the simulated percent change lies within
delta +/- 196 sd / (sqrt(n) baseline). For LH the baseline SD stands in for the missing one.
"""

from __future__ import annotations

import math

import hpgsim

N = 12


def interval(base, value, sd):
    delta = 100 * (value - base) / base
    h = max(196 * sd / (math.sqrt(N) * base), 5.0)
    return delta - h, delta + h


def test_leder2004_daily_arm_percent_changes():
    man = hpgsim.Patient.build(age=68, bmi=27, labs={"total_testosterone": "343 ng/dL", "lh": "5.1 IU/L"})
    r = hpgsim.simulate(man, "anastrozole 1 mg daily", weeks=12)
    change = {m: 100 * (r.values[m][-1] / r.values[m][0] - 1) for m in ("total_testosterone", "estradiol", "lh")}
    lo, hi = interval(343, 572, 139)
    assert change["total_testosterone"] > 0 and lo <= change["total_testosterone"] <= hi
    lo, hi = interval(26, 17, 6)
    assert change["estradiol"] < 0 and lo <= change["estradiol"] <= hi
    lo, hi = interval(5.1, 7.9, 4.8)
    assert change["lh"] > 0 and lo <= change["lh"] <= hi


def test_twice_weekly_lowers_e2_nearly_as_much_as_daily_but_raises_t_less():
    # Leder 2004's two active arms: 1 mg twice weekly lowered E2 as much as 1 mg daily (-37 % and
    # -35 %) from a quarter of the exposure, while T rose less (+31 % against +67 %). 'Nearly as
    # much' is read as at least 60 % of the daily arm's fall; the T ordering is the paper's.
    man = hpgsim.Patient.build(age=68, bmi=27, labs={"total_testosterone": "343 ng/dL"})
    change = {}
    for regimen in ("anastrozole 1 mg daily", "anastrozole 1 mg twice weekly"):
        r = hpgsim.simulate(man, regimen, weeks=12)
        change[regimen] = {m: r.values[m][-1] / r.values[m][0] - 1 for m in ("total_testosterone", "estradiol")}
    daily, twice = change["anastrozole 1 mg daily"], change["anastrozole 1 mg twice weekly"]
    assert twice["estradiol"] < 0 and twice["estradiol"] <= 0.6 * daily["estradiol"]
    assert 0 < twice["total_testosterone"] < daily["total_testosterone"]
