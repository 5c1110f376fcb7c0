"""Virtual trials: the spec contract, its errors, reproducibility, the verdict rules worked by
hand, the command line, and the spread of the virtual population against published ranges."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from hpgsim.calibration.targets import evidence_dir
from hpgsim.cli import app
from hpgsim.engine.steady_state import steady_state
from hpgsim.errors import InputError
from hpgsim.people.population import DEFAULT_BMI, as_generator, sample_men
from hpgsim.physiology import model
from hpgsim.trials import parse_spec, run_trial
from hpgsim.trials.endpoints import DEFAULT_TOLERANCE_PCT_POINTS, evaluate, weeks_to
from hpgsim.trials.run import ArmRun
from hpgsim.units import from_internal

# The example of TRIAL_SPEC.md, verbatim (comments included): it must run unchanged.
LEDER2004 = """\
id: leder2004                       # unique, [a-z0-9_-]
title: Anastrozole in elderly men with low or borderline-low testosterone
citation: Leder BZ et al. J Clin Endocrinol Metab 2004;89:1174-80
url: https://...                    # optional
population:                         # applies to every arm unless the arm overrides it
  age: {min: 62, max: 74}           # or {mean: 68, sd: 4}; years
  bmi: {mean: 27, sd: 3}            # optional; kg/m2; same two forms
  conditions: []                    # e.g. [obesity, type2_diabetes, {name: hyperprolactinemia, prolactin: 80 ng/mL}]
  include:                          # enrolment screen on each virtual man's week-0 values
    - {measure: total_testosterone, lt: 350, unit: ng/dL}   # operators: lt, le, gt, ge
arms:
  - id: daily
    n: 12                           # men in the real arm (used for the published value's confidence interval)
    population: {}                  # optional; merged over the trial-level population
    protocol:                       # empty list = no treatment (placebo or natural course)
      - {drug: anastrozole, dose: 1 mg, schedule: daily, start_week: 0, weeks: 12}
      # history before the study starts at a negative week, e.g. testosterone for two years:
      # - {drug: testosterone_cypionate, dose: 150 mg, schedule: weekly, start_week: -104, weeks: 104}
endpoints:
  - arm: daily
    measure: total_testosterone
    unit: ng/dL
    week: 12
    statistic: mean                 # default; see the list below
    observed:                       # optional: the published result
      baseline: {mean: 343, sd: 61}
      value: {mean: 572, sd: 139}
"""

runner = CliRunner()


@pytest.fixture
def leder(tmp_path):
    path = tmp_path / "leder2004.yaml"
    path.write_text(LEDER2004, encoding="utf-8")
    return path


def spec_data() -> dict:
    return yaml.safe_load(LEDER2004)


# -- the contract -------------------------------------------------------------------------------


def test_example_spec_runs_unchanged_with_the_json_schema(leder):
    out = run_trial(leder, n_virtual=30, seed=1).to_json_dict()
    json.dumps(out, allow_nan=False)   # valid JSON, nothing NaN
    assert list(out)[:4] == ["id", "n_virtual_per_arm", "seed", "endpoints"]
    assert (out["id"], out["n_virtual_per_arm"], out["seed"]) == ("leder2004", 30, 1)
    (ep,) = out["endpoints"]
    assert list(ep) == ["arm", "measure", "unit", "week", "statistic", "simulated", "observed", "verdict"]
    assert (ep["arm"], ep["measure"], ep["unit"], ep["week"], ep["statistic"]) == (
        "daily", "total_testosterone", "ng/dL", 12, "mean")
    assert list(ep["simulated"]) == ["baseline", "value", "change_pct"]
    assert list(ep["simulated"]["baseline"]) == list(ep["simulated"]["value"]) == ["mean", "sd", "median"]
    assert ep["observed"] == {"baseline": {"mean": 343, "sd": 61}, "value": {"mean": 572, "sd": 139}}
    assert set(ep["verdict"]) == {"observed_change_pct", "interval_pct", "pass"}
    assert ep["verdict"]["observed_change_pct"] == 66.8
    assert ep["verdict"]["interval_pct"] == [43.9, 89.7]
    sim = ep["simulated"]
    assert sim["baseline"]["mean"] < 350   # the screen was applied
    assert sim["change_pct"] == pytest.approx(100 * (sim["value"]["mean"] / sim["baseline"]["mean"] - 1), abs=0.2)
    assert out["summary"]["total"] == 1 and "Simulation" in out["disclaimer"]
    assert out["arms"][0]["enrolled"] == 30 and out["arms"][0]["failed"] == 0


def test_same_seed_same_numbers_other_seed_other_numbers(leder):
    first = run_trial(leder, n_virtual=20, seed=3).to_json_dict()
    again = run_trial(leder, n_virtual=20, seed=3).to_json_dict()
    other = run_trial(leder, n_virtual=20, seed=4).to_json_dict()
    assert first == again
    assert first["endpoints"][0]["simulated"] != other["endpoints"][0]["simulated"]


def test_an_arm_draws_the_same_men_wherever_it_stands():
    data = spec_data()
    placebo = {"id": "placebo", "n": 12, "protocol": []}
    data["arms"].insert(0, placebo)
    data["endpoints"].append({"arm": "placebo", "measure": "lh", "week": 12})
    shuffled = copy.deepcopy(data)
    shuffled["arms"].reverse()
    a, b = (run_trial(parse_spec(d), n_virtual=15, seed=2).to_json_dict() for d in (data, shuffled))
    assert a["endpoints"] == b["endpoints"]


def test_history_before_week_0_runs_and_is_screened_at_week_0():
    data = spec_data()
    data["arms"][0]["protocol"] = [{"drug": "anastrozole", "dose": "1 mg", "schedule": "daily",
                                    "start_week": -8, "weeks": 20}]
    data["population"]["include"] = [{"measure": "total_testosterone", "gt": 300, "unit": "ng/dL"}]
    data["endpoints"][0]["week"] = 4
    data["population"]["age"] = {"min": 65, "max": 75}
    with_history = run_trial(parse_spec(data), n_virtual=10, seed=1)
    run = with_history.arms["daily"]
    week0 = run.values["total_testosterone"][:, run.column(0.0)]
    tt, _ = from_internal("total_testosterone", week0)
    assert np.all(tt > 300)
    # at week 0 these men have had 8 weeks of anastrozole: their total T is already up, so it
    # barely moves by week 4, unlike men starting at week 0
    data["arms"][0]["protocol"][0]["start_week"] = 0
    without = run_trial(parse_spec(data), n_virtual=10, seed=1)
    change = [r.endpoints[0].simulated["change_pct"] for r in (with_history, without)]
    assert abs(change[0]) < 5 < change[1]


# -- errors name the file and the field ------------------------------------------------------------


def _break(change):
    data = spec_data()
    change(data)
    return data


@pytest.mark.parametrize("change, field, words", [
    (lambda d: d["arms"][0]["protocol"][0].update(drug="anastrozol"), "arms[0].protocol[0].drug", "anastrozol"),
    (lambda d: d["arms"].append({"id": "b", "protocol": [{"drug": "x", "dose": "1 mg", "schedule": "daily"}]}),
     "arms[1].protocol[0].drug", "known drugs"),
    (lambda d: d.update(sponsor="x"), "sponsor", "unknown key"),
    (lambda d: d["arms"][0].update(dose="1 mg"), "arms[0].dose", "unknown key"),
    (lambda d: d["population"]["include"][0].update(lt=350, gt=100), "population.include[0]", "exactly one"),
    (lambda d: d["population"]["include"][0].update(unit="mg"), "population.include[0].lt", "ng/dL"),
    (lambda d: d["population"].update(age={"mean": 68}), "population.age", "{min, max} or {mean, sd}"),
    (lambda d: d["population"].update(conditions=["gout"]), "population.conditions[0].name", "gout"),
    (lambda d: d["endpoints"][0].update(arm="weekly"), "endpoints[0].arm", "daily"),
    (lambda d: d["endpoints"][0].update(measure="testosterone"), "endpoints[0].measure", "known measures"),
    (lambda d: d["endpoints"][0].update(statistic="fraction_below"), "endpoints[0].threshold", "fraction_below"),
    (lambda d: d["endpoints"][0]["observed"]["value"].update(weeks=3), "endpoints[0].observed.value.weeks", "mean"),
    (lambda d: d.update(id="Leder 2004"), "id", "lower-case"),
])
def test_malformed_specs_name_the_file_and_field(change, field, words):
    with pytest.raises(InputError) as caught:
        parse_spec(_break(change), file="spec.yaml")
    message = str(caught.value)
    assert caught.value.field == field and message.startswith(f"spec.yaml: {field}: "), message
    assert words in message and "\n" not in message


def test_an_impossible_screen_says_how_many_candidates_met_it():
    data = _break(lambda d: d["population"].update(
        age={"min": 20, "max": 30}, include=[{"measure": "total_testosterone", "lt": 10, "unit": "ng/dL"}]))
    with pytest.raises(InputError) as caught:
        run_trial(parse_spec(data, file="spec.yaml"), n_virtual=10, seed=1)
    message = str(caught.value)
    assert caught.value.field == "population.include"
    # at least cohort.MIN_CANDIDATES are drawn before a screen is called impossible
    assert "only 0 of 5000 candidates meeting total_testosterone < 10 ng/dL at week 0" in message


def test_a_rare_screen_fills_a_small_cohort():
    # about one young man in thirty has total T under 300 ng/dL (the population's 2.5th centile is
    # 264 ng/dL, Travison 2017): twenty candidates per man (200) would yield about seven, not ten,
    # so the arm needs more than that (the budget is 200 per man and at least cohort.MIN_CANDIDATES)
    data = _break(lambda d: d["population"].update(
        age={"min": 20, "max": 30}, include=[{"measure": "total_testosterone", "lt": 300, "unit": "ng/dL"}]))
    result = run_trial(parse_spec(data, file="spec.yaml"), n_virtual=10, seed=1)
    for arm in result.arms.values():
        assert arm.enrolled == 10 and arm.candidates > 200


def test_bad_spec_on_the_command_line_is_one_line_and_exit_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(LEDER2004.replace("drug: anastrozole", "drug: anastrozol"), encoding="utf-8")
    result = runner.invoke(app, ["trial", str(bad), "--no-progress"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "arms[0].protocol[0].drug" in lines[0] and str(bad) in lines[0]


def test_command_line_json_on_stdout_and_output_folder(leder, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["trial", str(leder), "--n-virtual", "10", "--format", "json", "--out", str(out),
                                 "--no-progress"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["endpoints"][0]["verdict"]["interval_pct"] == [43.9, 89.7]
    assert json.loads((out / "results.json").read_text(encoding="utf-8")) == data
    csv = (out / "endpoints.csv").read_text(encoding="utf-8")
    assert csv.startswith("# Simulation") and "total_testosterone" in csv
    assert (out / "total_testosterone.png").stat().st_size > 1000


# -- verdicts worked by hand ---------------------------------------------------------------------


def _endpoint(statistic="mean", observed=None, n=12, **keys):
    data = spec_data()
    data["arms"][0]["n"] = n
    ep = {"arm": "daily", "measure": "total_testosterone", "unit": "nmol/L", "statistic": statistic, **keys}
    if observed is not None:
        ep["observed"] = observed
    data["endpoints"] = [ep]
    spec = parse_spec(data)
    return spec.endpoints[0], spec.arms[0]


def _run(weeks, rows):
    """An arm whose men have the given total T trajectories (nmol/L) at ``weeks``."""
    rows = np.asarray(rows, dtype=float)
    return ArmRun("daily", np.asarray(weeks, dtype=float), {"total_testosterone": rows}, len(rows), len(rows))


LEDER_OBSERVED = {"baseline": {"mean": 343, "sd": 61}, "value": {"mean": 572, "sd": 139}}


@pytest.mark.parametrize("end, passed", [(16.0, True), (14.4, True), (14.3, False), (18.9, True), (19.0, False)])
def test_leder_interval_by_hand(end, passed):
    # Δ = 100 (572 - 343)/343 = 66.8; h = 196 * 139 / (√12 * 343) = 22.9; interval [43.9, 89.7]
    ep, arm = _endpoint(week=12, observed=LEDER_OBSERVED)
    result = evaluate(ep, arm, _run([0, 12], [[10.0, end], [10.0, end]]))
    assert result.verdict["observed_change_pct"] == 66.8
    assert result.verdict["interval_pct"] == [43.9, 89.7]
    assert result.simulated["change_pct"] == pytest.approx(100 * (end / 10 - 1))
    assert result.verdict["pass"] is passed


def test_half_width_is_at_least_5_points_and_tolerance_replaces_it():
    # n = 400: 196 * 10 / (20 * 100) = 0.98 points, raised to 5
    observed = {"baseline": {"mean": 100, "sd": 10}, "value": {"mean": 120, "sd": 10}}
    ep, arm = _endpoint(week=12, observed=observed, n=400)
    assert evaluate(ep, arm, _run([0, 12], [[10, 12]])).verdict["interval_pct"] == [15.0, 25.0]
    ep, arm = _endpoint(week=12, observed={**observed, "tolerance_pct_points": 2}, n=400)
    verdict = evaluate(ep, arm, _run([0, 12], [[10, 12.3]])).verdict
    assert verdict["interval_pct"] == [18.0, 22.0] and verdict["pass"] is False


def test_change_pct_alone_uses_the_default_tolerance_and_says_so():
    ep, arm = _endpoint(week=12, observed={"change_pct": 50})
    verdict = evaluate(ep, arm, _run([0, 12], [[10, 15.9]])).verdict
    assert verdict["interval_pct"] == [50 - DEFAULT_TOLERANCE_PCT_POINTS, 50 + DEFAULT_TOLERANCE_PCT_POINTS]
    assert verdict["pass"] is True and "default tolerance of ±10 percentage points" in verdict["note"]
    ep, arm = _endpoint(week=12, observed={"change_pct": 50, "tolerance_pct_points": 5})
    assert evaluate(ep, arm, _run([0, 12], [[10, 15.9]])).verdict["pass"] is False


def test_median_statistic_uses_medians():
    ep, arm = _endpoint("median", week=4, observed={"change_pct": 100})
    result = evaluate(ep, arm, _run([0, 4], [[10, 20], [10, 20], [10, 100]]))
    assert result.simulated["value"]["median"] == 20 and result.simulated["value"]["mean"] == pytest.approx(46.67)
    assert result.simulated["change_pct"] == 100.0 and result.verdict["pass"] is True


@pytest.mark.parametrize("n, passed", [(20, True), (100, False)])
def test_fraction_rule(n, passed):
    # p = 0.5: n = 20 gives 1.96 √(0.25/20) = 0.219; n = 100 gives 0.098, raised to 0.10
    ep, arm = _endpoint("fraction_below", week=4, threshold=10, n=n, observed={"value": {"fraction": 0.5}})
    rows = [[12, 5]] * 7 + [[12, 15]] * 3       # 70 % below 10 nmol/L at week 4
    result = evaluate(ep, arm, _run([0, 4], rows))
    assert result.simulated == {"fraction": 0.7}
    assert result.verdict["pass"] is passed


def test_weeks_to_threshold_by_hand():
    ep, arm = _endpoint("median_weeks_to_below", threshold=5, from_week=2, observed={"value": {"weeks": 5}})
    weeks = np.arange(0, 11)
    # men falling by 1 nmol/L a week from 12 at week 2: below 5 just after week 9, 7 weeks from from_week
    falling = [np.where(weeks < 2, 12.0, 12.0 - (weeks - 2)) for _ in range(3)]
    flat = [np.full(weeks.shape, 12.0)] * 2
    run = _run(weeks, falling + flat)
    assert weeks_to(ep, run.values["total_testosterone"], run.weeks) == pytest.approx(7.0)
    result = evaluate(ep, arm, run)
    assert result.simulated == {"weeks": 7.0}
    assert result.verdict["interval_weeks"] == [3.75, 6.25] or result.verdict["interval_weeks"] == [3.8, 6.2]
    assert result.verdict["pass"] is False
    ep, arm = _endpoint("median_weeks_to_below", threshold=5, from_week=2, until_week=10,
                        observed={"value": {"weeks": 6}, "tolerance_weeks": 1})
    assert evaluate(ep, arm, run).verdict["pass"] is True
    half_never = _run(weeks, falling[:2] + flat)   # 2 of 4 never: null
    result = evaluate(ep, arm, half_never)
    assert result.simulated == {"weeks": None} and result.verdict["pass"] is False and "reason" in result.verdict


def test_an_endpoint_the_model_cannot_compute_fails_with_a_reason():
    ep, arm = _endpoint(week=4, observed={"change_pct": 0})
    failed = ArmRun("daily", np.array([0.0, 4.0]), {}, 2, 2, failures=("numerical failure: step size",) * 2)
    result = evaluate(ep, arm, failed)
    assert result.simulated is None and result.verdict["pass"] is False and "numerical failure" in result.verdict["reason"]


# -- the virtual population -----------------------------------------------------------------------


def test_young_healthy_men_reproduce_the_travison_total_t_range():
    # Travison TG et al. JCEM 2017;102:1161: 2.5th and 97.5th percentiles 264 and 916 ng/dL at 19-39 y
    men = sample_men(np.random.default_rng(0), 2000, age={"min": 19, "max": 39}, bmi=DEFAULT_BMI)
    a = np.zeros(model.N_ALG)
    tt = []
    for p in men:
        y, q = steady_state(p)
        model.algebra(y, q, np.zeros(model.N_CHANNELS), a)
        tt.append(a[model.A_TT])
    low, median, high = from_internal("total_testosterone", np.percentile(tt, [2.5, 50, 97.5]))[0]
    assert 264 * 0.8 <= low <= 264 * 1.2
    assert 916 * 0.8 <= high <= 916 * 1.2
    assert 531 * 0.9 <= median <= 531 * 1.1


def test_population_draws_respect_distributions_and_seeds():
    a = sample_men(5, 50, age={"mean": 30, "sd": 100}, bmi={"min": 20, "max": 22})
    b = sample_men(as_generator(5), 50, age={"mean": 30, "sd": 100}, bmi={"min": 20, "max": 22})
    assert np.array_equal(a, b)
    from hpgsim.physiology.parameters import BY_NAME, INDEX

    ages = a[:, INDEX["age"]]
    assert ages.min() >= 18 and ages.max() <= 100   # truncated to adults
    leydig = a[:, INDEX["leydig_capacity"]]
    assert leydig.min() >= BY_NAME["leydig_capacity"].low and leydig.max() <= BY_NAME["leydig_capacity"].high
    with pytest.raises(InputError):
        as_generator(-1)


def test_a_screen_on_two_measures_from_different_mechanisms_fills():
    # Raman & Schlegel 2002 enrolled subfertile men with T/E2 < 10 and oligospermia. In the model a
    # low ratio comes from aromatase and a low count from sperm yield, so few men have both (about
    # one in eighty): for the report's 100 men that is more than the old budget (50 candidates per
    # man, at least 5000), and within the present one.
    result = run_trial(evidence_dir("validation") / "raman_schlegel2002_anastrozole.yaml", n_virtual=100, seed=1)
    arm = result.arms["anastrozole_oligospermic"]
    assert arm.enrolled == 100 and arm.candidates > 5000
    assert all(e.simulated is not None for e in result.endpoints)
