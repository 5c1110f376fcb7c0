"""Specs written elsewhere must run unchanged (TRIAL_SPEC.md): random specs drawn from the whole
vocabulary of the format (every drug, schedule, condition, measure, statistic and observed form,
history in negative weeks, arm populations, enrolment screens) run end to end. A spec may be
refused, with a one-line input error naming the field; it must never crash, and every endpoint
must come back either computed or with the reason it could not be."""

from __future__ import annotations

import random

import pytest

from hpgsim.errors import HpgsimError
from hpgsim.trials import parse_spec, run_trial

DOSES = {"anastrozole": ["0.5 mg", "1 mg"], "letrozole": ["2.5 mg"], "exemestane": ["25 mg"],
         "tamoxifen": ["20 mg"], "clomiphene_citrate": ["25 mg", "50 mg"], "enclomiphene": ["12.5 mg"],
         "hcg": ["1500 IU", "3000 IU"], "fsh": ["75 IU", "150 IU"], "gonadorelin": ["10 ug", "100 mcg"],
         "testosterone_cypionate": ["200 mg"], "testosterone_enanthate": ["250 mg"],
         "testosterone_undecanoate": ["1000 mg"], "testosterone_gel": ["5 g", "50 mg"], "placebo": ["1 mg"]}
SCHEDULES = ["once", "daily", "twice daily", "every other day", "twice weekly", "three times weekly", "weekly",
             "every 3 days", "every 2 weeks", "every 10 weeks", "monthly"]
CONDITIONS = ["obesity", "insulin_resistance", "type2_diabetes", "hypothyroidism", "hyperprolactinemia",
              "primary_hypogonadism", "secondary_hypogonadism", "klinefelter", "varicocele",
              {"name": "hyperprolactinemia", "prolactin": "80 ng/mL"}, {"name": "hypothyroidism", "tsh": "12 mIU/L"}]
MEASURES = {"total_testosterone": ["ng/dL", "nmol/L"], "free_testosterone": ["pg/mL", "pmol/L"],
            "bioavailable_testosterone": ["ng/dL"], "estradiol": ["pg/mL", "pmol/L"], "lh": ["IU/L", "mIU/mL"],
            "fsh": ["IU/L"], "shbg": ["nmol/L"], "inhibin_b": ["pg/mL", "ng/L"], "prolactin": ["ng/mL", "mIU/L"],
            "intratesticular_testosterone": ["ng/mL"], "sperm_concentration": ["M/mL", "million/mL"],
            "total_motile_count": ["M"], "progressive_motility": ["%"], "bmd_spine": ["g/cm2", "%"],
            "insulin_sensitivity": ["1"], "t_e2_ratio": ["1"], "t_lh_ratio": ["1"],
            "concentration:letrozole": ["ng/mL", "nmol/L"], "concentration:zuclomiphene": ["ng/mL"],
            "concentration:hcg": ["IU/L"]}
STATISTICS = ["mean", "median", "fraction_below", "fraction_at_least", "median_weeks_to_at_least",
              "median_weeks_to_below"]


def _age(r: random.Random) -> dict:
    if r.random() < 0.5:
        low = r.randint(18, 60)
        return {"min": low, "max": low + r.randint(5, 20)}
    return {"mean": r.randint(25, 65), "sd": r.randint(2, 8)}


def _observed(r: random.Random, statistic: str) -> dict:
    if statistic.startswith("median_weeks"):
        return {"value": {"weeks": 8.0}, **({"tolerance_weeks": 3} if r.random() < 0.3 else {})}
    if statistic.startswith("fraction"):
        return {"value": {"fraction": 0.5}}
    return r.choice([{"baseline": {"mean": 10, "sd": 2}, "value": {"mean": 12, "sd": 3}},
                     {"change_pct": 20, "tolerance_pct_points": 10},
                     {"baseline": {"median": 10, "iqr": [8, 12]}, "value": {"median": 12, "iqr": [9, 15]}}])


def random_spec(seed: int) -> dict:
    r = random.Random(seed)
    population = {"age": _age(r), "conditions": r.sample(CONDITIONS, r.randint(0, 1))}
    if r.random() < 0.5:
        population["bmi"] = {"mean": r.randint(22, 38), "sd": 3}
    if r.random() < 0.4:
        population["include"] = [{"measure": "total_testosterone", r.choice(["lt", "le", "gt", "ge"]): 400, "unit": "ng/dL"}]
    arms = []
    for a in range(r.randint(1, 2)):
        protocol = []
        for _ in range(r.randint(0, 2)):
            drug = r.choice(list(DOSES))
            protocol.append({"drug": drug, "dose": r.choice(DOSES[drug]), "schedule": r.choice(SCHEDULES),
                             "start_week": r.choice([0, -26, 2]), "weeks": r.choice([1, 4, 12])})
        if r.random() < 0.2:
            protocol.append({"drug": "gonadorelin", "dose": "10 ug", "schedule": "every 90 min", "weeks": 1})
        arm = {"id": f"arm{a}", "n": r.randint(5, 60), "protocol": protocol}
        if r.random() < 0.2:
            arm["population"] = {"age": _age(r)}
        arms.append(arm)
    endpoints = []
    for _ in range(r.randint(1, 3)):
        measure = r.choice(list(MEASURES))
        statistic = r.choice(STATISTICS)
        ep = {"arm": r.choice(arms)["id"], "measure": measure, "unit": r.choice(MEASURES[measure]),
              "statistic": statistic, "observed": _observed(r, statistic)}
        if statistic.startswith("median_weeks"):
            ep.update(threshold=5, from_week=r.choice([0, 2]))
        else:
            ep["week"] = r.choice([0, 1, 4, 12, 2.5])
            if statistic.startswith("fraction"):
                ep["threshold"] = 10
        endpoints.append(ep)
    return {"id": f"vocabulary{seed}", "title": "random spec", "citation": "none", "population": population,
            "arms": arms, "endpoints": endpoints}


@pytest.mark.parametrize("seed", range(40))
def test_a_random_spec_from_the_whole_vocabulary_runs_or_is_refused_in_one_line(seed):
    spec = random_spec(seed)
    try:
        trial = run_trial(parse_spec(spec, file=f"vocabulary{seed}.yaml"), n_virtual=4, seed=1)
    except HpgsimError as err:   # refused: one line, naming the file
        text = str(err)
        assert "\n" not in text and f"vocabulary{seed}.yaml" in text, text
        return
    assert len(trial.endpoints) == len(spec["endpoints"])
    for result in trial.endpoints:
        assert result.simulated is not None or result.verdict.get("reason"), result
