"""Monitoring inside a protocol: lab checks read the simulated man, rules change future dosing.

The reference values come from separate, unmonitored simulations of the same man, so each
test checks the replay against the plain engine rather than against itself.
"""

from __future__ import annotations

import numpy as np
import pytest

import hpgsim
from hpgsim.errors import InputError
from hpgsim.protocols.library import load_protocol
from hpgsim.protocols.monitoring import Monitoring, apply_monitoring
from hpgsim.units import from_internal, to_internal

MAN = hpgsim.Patient.build(age=35, bmi=25)


def e2_pg_ml(result, week: float) -> float:
    """E2 (pg/mL) at an output time of ``result``."""
    i = int(np.argmin(np.abs(result.weeks - week)))
    assert abs(result.weeks[i] - week) < 1e-9
    return from_internal("estradiol", float(result.values["estradiol"][i]), "conventional")[0]


@pytest.fixture(scope="module")
def unmonitored():
    return hpgsim.simulate(MAN, "anastrozole 1 mg daily", 8)


def estradiol_rule(threshold_pg_ml: float) -> dict:
    return {"checks": [{"weeks": [4, 8], "measures": ["estradiol"], "timing": "trough"}],
            "rules": [{"when": {"measure": "estradiol", "lt": threshold_pg_ml, "unit": "pg/mL"},
                       "then": {"drug": "anastrozole", "set_dose": "0.5 mg"}}]}


def test_rule_fires_when_e2_falls_below_a_threshold_between_baseline_and_on_treatment(unmonitored):
    baseline, on_treatment = e2_pg_ml(unmonitored, 0.0), e2_pg_ml(unmonitored, 4.0)
    assert on_treatment < baseline          # an aromatase inhibitor lowers E2
    threshold = (baseline + on_treatment) / 2
    result = hpgsim.simulate(MAN, "anastrozole 1 mg daily", 8, monitoring=estradiol_rule(threshold))

    labs = result.lab_checks
    week4 = labs[(labs.week == 4) & (labs.measure == "estradiol")].iloc[0]
    assert week4.value == pytest.approx(on_treatment, rel=1e-3)
    assert week4.unit == "pg/mL" and week4.unit_si == "pmol/L"
    assert week4.value_si == pytest.approx(on_treatment * 3.671, rel=2e-3)

    changes = result.adjustments
    assert len(changes) == 1                # week 8: already at 0.5 mg, so nothing more to change
    change = changes.iloc[0]
    assert (change.week, change.starts_week, change.drug) == (4.0, 4.0, "anastrozole")
    assert change["from"] == "1 mg daily" and change["to"] == "0.5 mg daily"
    assert "estradiol < " in change.rule

    doses = [(t, dose) for t, drug, dose in result.dose_events if drug == "anastrozole"]
    assert all(dose == pytest.approx(1000.0) for t, dose in doses if t < 4 * 168)
    assert all(dose == pytest.approx(500.0) for t, dose in doses if t >= 4 * 168)
    # the dosing before the change is untouched, so the trajectory up to week 4 is the same
    assert e2_pg_ml(result, 4.0) == pytest.approx(on_treatment, rel=1e-3)
    assert e2_pg_ml(result, 8.0) > e2_pg_ml(unmonitored, 8.0)   # less drug, less suppression


def test_rule_does_not_fire_when_the_condition_does_not_hold(unmonitored):
    on_treatment = e2_pg_ml(unmonitored, 4.0)
    result = hpgsim.simulate(MAN, "anastrozole 1 mg daily", 8, monitoring=estradiol_rule(0.9 * on_treatment))
    assert len(result.adjustments) == 0
    assert list(result.lab_checks.week) == [4.0, 8.0]
    assert result.protocol.describe() == ["anastrozole 1 mg daily, from week 0"]
    np.testing.assert_allclose(result.values["estradiol"], unmonitored.values["estradiol"], rtol=1e-6)


def test_titration_scales_up_to_max_dose_and_stops_there():
    monitoring = {"checks": [{"every_weeks": 1, "from_week": 1, "measures": ["total_testosterone"]}],
                  "rules": [{"when": {"measure": "total_testosterone", "lt": 300, "unit": "nmol/L"},   # always true
                             "then": {"drug": "letrozole", "scale_dose": 2, "max_dose": "10 mg"}}]}
    protocol, labs, changes = apply_monitoring(MAN, "letrozole 2.5 mg weekly", monitoring, 6)
    assert list(changes["to"]) == ["5 mg weekly", "10 mg weekly"]
    assert list(changes.week) == [1.0, 2.0]
    assert sorted(set(labs.week)) == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]   # checks go on after the cap
    assert protocol.segments[-1].dose == pytest.approx(10_000.0)       # ug


def test_add_dose_lowers_to_min_dose_and_stop_ends_the_drug():
    lower = {"checks": [{"weeks": [2, 3, 4], "measures": ["estradiol"]}],
             "rules": [{"when": {"measure": "estradiol", "gt": 0.1, "unit": "pg/mL"},
                        "then": {"drug": "anastrozole", "add_dose": "-0.4 mg", "min_dose": "0.25 mg"}}]}
    _, _, changes = apply_monitoring(MAN, "anastrozole 1 mg daily", lower, 4)
    assert list(changes["to"]) == ["0.6 mg daily", "0.25 mg daily"]

    stop = {"checks": [{"weeks": [2], "measures": ["estradiol"]}],
            "rules": [{"when": {"measure": "estradiol", "gt": 0.1, "unit": "pg/mL"},
                       "then": {"drug": "anastrozole", "stop": True}}]}
    result = hpgsim.simulate(MAN, "anastrozole 1 mg daily", 4, monitoring=stop)
    assert result.adjustments.iloc[0]["to"] == "stopped"
    assert max(t for t, drug, _ in result.dose_events if drug == "anastrozole") < 2 * 168


def test_set_schedule_starts_at_the_next_dose_due():
    monitoring = {"checks": [{"weeks": [3], "measures": ["estradiol"]}],
                  "rules": [{"when": {"measure": "estradiol", "ge": 0, "unit": "pg/mL"},
                             "then": {"drug": "anastrozole", "set_schedule": "twice weekly"}}]}
    protocol, _, changes = apply_monitoring(MAN, "anastrozole 1 mg daily", monitoring, 6)
    assert changes.iloc[0]["to"] == "1 mg twice weekly"
    assert protocol.describe() == ["anastrozole 1 mg daily, weeks 0-3", "anastrozole 1 mg twice weekly, from week 3"]


def test_draw_hours_after_the_last_dose_and_semen_analysis():
    monitoring = {"checks": [
        {"weeks": [3], "measures": ["total_testosterone"],
         "timing": {"hours_after_dose": 24, "drug": "testosterone_cypionate"}},
        {"weeks": [3], "measures": ["semen_analysis"]}]}
    result = hpgsim.simulate(MAN, "testosterone_cypionate 100 mg weekly", 3, monitoring=monitoring)
    labs = result.lab_checks
    t_row = labs[labs.measure == "total_testosterone"].iloc[0]
    assert t_row.drawn_week == pytest.approx(2 + 1 / 7)      # 24 h after the week-2 injection
    assert t_row.timing == "24 h after testosterone_cypionate"
    assert set(labs.measure) == {"total_testosterone", "sperm_concentration", "progressive_motility",
                                 "total_motile_count"}
    assert set(labs[labs.measure != "total_testosterone"].drawn_week) == {3.0}


def test_conditions_convert_units_and_compare_as_written():
    mon = Monitoring.coerce({"checks": [{"weeks": [4], "measures": ["estradiol"]}],
                             "rules": [{"when": {"measure": "estradiol", "le": "55 pmol/L"},
                                        "then": {"drug": "anastrozole", "set_dose": "0.5 mg"}}]})
    condition = mon.rules[0].when[0]
    assert condition.value == pytest.approx(55.0)
    assert condition.holds(55.0) and not condition.holds(55.1)
    pg = Monitoring.coerce({"checks": [{"weeks": [4], "measures": ["estradiol"]}],
                            "rules": [{"when": {"measure": "estradiol", "gt": 15, "unit": "pg/mL"},
                                       "then": {"drug": "anastrozole", "stop": True}}]})
    assert pg.rules[0].when[0].value == pytest.approx(to_internal("estradiol", "15 pg/mL"))


def test_every_weeks_visits_stay_within_the_run():
    mon = Monitoring.coerce({"checks": [{"every_weeks": 4, "from_week": 4, "until_week": 26,
                                         "measures": ["estradiol"]},
                                        {"weeks": [8, 30], "measures": ["lh"]}]})
    visits = mon.visits(12)
    assert [w for w, _ in visits] == [4.0, 8.0, 12.0]
    assert len(visits[1][1]) == 2          # week 8: both checks at one visit


@pytest.mark.parametrize("monitoring, field", [
    ({"checks": [{"weeks": [4], "measures": ["estradiol"], "colour": "red"}]}, "monitoring.checks[0].colour"),
    ({"checks": [{"weeks": [4], "every_weeks": 4, "measures": ["estradiol"]}]}, "monitoring.checks[0]"),
    ({"checks": [{"weeks": [4], "measures": ["oestrogen"]}]}, "monitoring.checks[0].measures[0]"),
    ({"checks": [{"weeks": [4], "measures": ["estradiol"], "timing": "peak"}]}, "monitoring.checks[0].timing"),
    ({"checks": [{"weeks": [4], "measures": ["estradiol"]}],
      "rules": [{"when": {"measure": "lh", "lt": 2, "unit": "IU/L"},
                 "then": {"drug": "anastrozole", "stop": True}}]}, "monitoring.rules[0].when"),
    ({"checks": [{"weeks": [4], "measures": ["estradiol"]}],
      "rules": [{"when": {"measure": "estradiol", "lt": 15, "gt": 5, "unit": "pg/mL"},
                 "then": {"drug": "anastrozole", "stop": True}}]}, "monitoring.rules[0].when"),
    ({"checks": [{"weeks": [4], "measures": ["estradiol"]}],
      "rules": [{"when": {"measure": "estradiol", "lt": 15, "unit": "IU/L"},
                 "then": {"drug": "anastrozole", "stop": True}}]}, "monitoring.rules[0].when.lt"),
    ({"checks": [{"weeks": [4], "measures": ["estradiol"]}],
      "rules": [{"when": {"measure": "estradiol", "lt": 15, "unit": "pg/mL"},
                 "then": {"drug": "anastrozole"}}]}, "monitoring.rules[0].then"),
    ({"checks": [{"weeks": [4], "measures": ["estradiol"]}],
      "rules": [{"when": {"measure": "estradiol", "lt": 15, "unit": "pg/mL"},
                 "then": {"drug": "anastrozole", "set_dose": "0.5 mg", "scale": 2}}]}, "monitoring.rules[0].then.scale"),
    ({"checks": [{"weeks": [4], "measures": ["estradiol"]}],
      "rules": [{"when": {"measure": "estradiol", "lt": 15, "unit": "pg/mL"},
                 "then": {"drug": "anastrozole", "set_dose": "0.5 IU"}}]}, "monitoring.rules[0].then.set_dose"),
    ({"checks": [{"weeks": [4], "measures": ["estradiol"]}], "cadence": 2}, "monitoring.cadence"),
])
def test_bad_monitoring_names_the_field_and_file(monitoring, field):
    with pytest.raises(InputError) as err:
        Monitoring.coerce(monitoring, file="x.yaml")
    assert err.value.field == field
    assert str(err.value).startswith(f"x.yaml: {field}: expected")


def test_a_rule_about_a_drug_not_given_is_refused():
    monitoring = {"checks": [{"weeks": [4], "measures": ["estradiol"]}],
                  "rules": [{"when": {"measure": "estradiol", "lt": 15, "unit": "pg/mL"},
                             "then": {"drug": "letrozole", "stop": True}}]}
    with pytest.raises(InputError, match=r"monitoring.rules\[0\].then.drug: expected a drug of the protocol"):
        hpgsim.simulate(MAN, "anastrozole 1 mg daily", 8, monitoring=monitoring)


def test_a_rule_that_would_exceed_the_largest_dose_asks_for_max_dose():
    monitoring = {"checks": [{"every_weeks": 1, "measures": ["estradiol"]}],
                  "rules": [{"when": {"measure": "estradiol", "ge": 0, "unit": "pg/mL"},
                             "then": {"drug": "anastrozole", "scale_dose": 10}}]}
    with pytest.raises(InputError, match="add max_dose"):
        hpgsim.simulate(MAN, "anastrozole 1 mg daily", 4, monitoring=monitoring)


def test_results_without_monitoring_have_empty_tables():
    result = hpgsim.simulate(MAN, None, 1)
    assert result.lab_checks.empty and result.adjustments.empty
    assert list(result.adjustments.columns) == ["week", "starts_week", "drug", "from", "to", "rule"]


def test_the_loves_titration_design_ends_where_loves_saw_it():
    # Loves S et al. Eur J Endocrinol 2013;169:705 (39 men, BMI > 35, T < 10 nmol/L): letrozole from
    # 2.5 mg a week, raised monthly until total T reached 20 nmol/L (less if E2 fell below 40 pmol/L);
    # at 6 months T 8.6 -> 21.5 nmol/L, E2 119 -> 59 pmol/L, LH 3.3 -> 8.8 U/L. A typical man of that
    # cohort, run through the library's version of the design, should end in that region: T at the
    # last trough check 15-30 nmol/L, E2 down by at least 30 %, LH at least 1.5-fold.
    man = hpgsim.Patient.build(age=45, bmi=41, labs={"total_testosterone": "8.6 nmol/L"})
    result = load_protocol("letrozole-titrate-to-t20").simulate(man, weeks=26)
    checks = result.lab_checks
    t_checks = checks[checks.measure == "total_testosterone"].sort_values("week")
    assert set(t_checks.unit_si) == {"nmol/L"}
    assert 15.0 <= t_checks.value_si.iloc[-1] <= 30.0
    v = result.values
    assert v["estradiol"][-1] <= 0.7 * v["estradiol"][0]
    assert v["lh"][-1] >= 1.5 * v["lh"][0]
