"""``hpgsim patient``: the report end to end, target probabilities, and one-line errors (exit 2)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from hpgsim.cli import app
from hpgsim.people.personalise import fit_labs
from hpgsim.people.physiology_of_man import population_parameters
from hpgsim.people.target_probability import Target, TargetProbability, target_probabilities
from hpgsim.drugs.protocol import Protocol
from hpgsim.units import to_internal

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "obese_man_low_t_labs.yaml"
runner = CliRunner()


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    return lines[0]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "labs.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_help_teaches_with_examples():
    result = runner.invoke(app, ["patient", "--help"])
    assert result.exit_code == 0
    for text in ("LABS.yaml", "Examples", "--protocol", "--target-t", "Laplace", "Exit codes"):
        assert text in result.output


def test_report_of_the_example():
    result = runner.invoke(app, ["patient", str(EXAMPLE)])
    assert result.exit_code == 0, result.output + repr(result.exception)
    out = result.stdout
    for text in ("Personalised man", "MAP with Laplace approximation", "Pinned down by the labs", "fsh_factor",
                 "Fit: each lab measured and simulated", "T/E2 ratio", "ng/dL per pg/mL", "Research criteria",
                 "Naelitz", "Yang", "news", "not a dosing recommendation", "Set from the measured value",
                 "Read by the flags only (no model of it): tsh"):
        assert text in out, text
    assert "Simulated under" not in out       # no protocol, no probabilities


def test_si_units_change_the_ratio_unit():
    result = runner.invoke(app, ["patient", str(EXAMPLE), "--units", "si"])
    assert result.exit_code == 0
    assert "nmol/L per nmol/L" in result.stdout and "pmol/L" in result.stdout


def test_protocol_probabilities_are_reported_and_reproducible():
    args = ["patient", str(EXAMPLE), "--protocol", "anastrozole-1mg-daily", "--weeks", "8", "--draws", "6",
            "--target-t", "400 ng/dL", "--target-sperm", "15 M/mL", "--seed", "3"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output + repr(first.exception)
    for text in ("Simulated under anastrozole-1mg-daily for 8 weeks", "him (posterior draws)",
                 "men of his age, BMI and conditions", "total T at least 400 ng/dL", "Monte-Carlo"):
        assert text in first.stdout, text
    assert runner.invoke(app, args).stdout == first.stdout


def test_a_low_measured_count_puts_fewer_of_his_draws_in_range_than_men_like_him():
    # His measured sperm (12 M/mL, with inhibin B and FSH) must pull his posterior below the
    # population of men like him: fewer of his draws start at or above 15 M/mL than theirs do.
    labs = {"sperm_concentration": to_internal("sperm_concentration", "12 M/mL"),
            "total_testosterone": to_internal("total_testosterone", "280 ng/dL")}
    typical = population_parameters(34, 31)
    target = [Target.parse("sperm_concentration", "15 M/mL", field="t")]
    him, like = target_probabilities(fit_labs(typical, labs), typical, Protocol.coerce(None), 1.0, target, draws=40, seed=4)
    assert him.baseline_fraction < like.baseline_fraction - 0.2


def test_conflicting_labs_are_reported_not_an_error(tmp_path):
    path = write(tmp_path, "patient: {age: 30, bmi: 24, labs: {estradiol: 400 pg/mL}}\n")
    result = runner.invoke(app, ["patient", str(path)])
    assert result.exit_code == 0
    assert "CONFLICT estradiol: measured 400 pg/mL" in result.stdout


@pytest.mark.parametrize("text, args, field", [
    ("patient: {age: 30, bmi: 24, labs: {lh: 5 kg}}\n", [], "patient.labs.lh"),
    ("patient: {age: 30, bmi: 24, labs: {testosterone: 300 ng/dL}}\n", [], "patient.labs.testosterone"),
    ("patient: {age: 30, bmi: 24, conditions: [gout]}\n", [], "patient.conditions[0].name"),
    ("patient: {age: 30, bmi: 24, weight: 80}\n", [], "patient.weight"),
    ("age: 30\n", [], "age"),
    ("patient: {age: 30, bmi: 24}\n", ["--protocol", "no-such-protocol"], "--protocol"),
    ("patient: {age: 30, bmi: 24}\n", ["--weeks", "4"], "--protocol"),
    ("patient: {age: 30, bmi: 24}\n", ["--protocol", "anastrozole-1mg-daily", "--target-t", "400 kg"], "--target-t"),
    ("patient: {age: 30, bmi: 24}\n", ["--protocol", "anastrozole-1mg-daily", "--weeks", "0"], "--weeks"),
    ("patient: {age: 30, bmi: 24}\n", ["--protocol", "anastrozole-1mg-daily", "--draws", "1"], "draws"),
])
def test_bad_input_is_one_line_naming_the_field_with_exit_2(tmp_path, text, args, field):
    path = write(tmp_path, text)
    result = runner.invoke(app, ["patient", str(path), *args])
    assert result.exit_code == 2, result.output
    line = one_line(result.stderr)
    assert field in line and "Traceback" not in result.output


def test_missing_file_is_one_line_with_exit_2(tmp_path):
    result = runner.invoke(app, ["patient", str(tmp_path / "none.yaml")])
    assert result.exit_code == 2
    assert "an existing labs file" in one_line(result.stderr)


# -- the probability itself ---------------------------------------------------------------------

def test_target_parsing_in_any_unit():
    assert Target.parse("total_testosterone", "13.87 nmol/L", field="t").low == pytest.approx(
        to_internal("total_testosterone", "400 ng/dL"), rel=1e-3)
    band = Target.parse("total_testosterone", "400-900 ng/dL", field="t")
    assert band.contains(np.array([to_internal("total_testosterone", v, "ng/dL") for v in (399, 500, 901)])).tolist() \
        == [False, True, False]


def test_wilson_interval_and_standard_error():
    t = Target("total_testosterone", 10.0, None, "x")
    p = TargetProbability(t, "g", n=100, reached=50, at_baseline=0)
    assert p.standard_error == pytest.approx(0.05)
    low, high = p.interval
    assert low == pytest.approx(0.4038, abs=1e-3) and high == pytest.approx(0.5962, abs=1e-3)   # Wilson, by hand
    assert TargetProbability(t, "g", n=20, reached=20, at_baseline=0).interval[1] == 1.0


def test_a_target_every_man_meets_or_none_can_meet():
    # A target below every man's T is met by all; one above the top of the range by none: the
    # probabilities come from the simulated men, whatever the protocol.
    typical = population_parameters(35, 25)
    fit = fit_labs(typical, {"total_testosterone": to_internal("total_testosterone", "450 ng/dL")})
    targets = [Target.parse("total_testosterone", "10 ng/dL", field="t"),
               Target.parse("total_testosterone", "5000 ng/dL", field="t")]
    found = target_probabilities(fit, typical, Protocol.coerce(None), 2.0, targets, draws=5, seed=1)
    assert [p.fraction for p in found] == [1.0, 0.0, 1.0, 0.0]
    assert {p.group for p in found} == {"him (posterior draws)", "men of his age, BMI and conditions (population prior)"}


def test_an_aromatase_inhibitor_lifts_more_men_above_a_t_target_than_no_treatment():
    # The direction the physiology dictates: less E2 feedback, more LH, more T.
    typical = population_parameters(40, 31)
    fit = fit_labs(typical, {"total_testosterone": to_internal("total_testosterone", "330 ng/dL"),
                             "estradiol": to_internal("estradiol", "40 pg/mL")})
    target = [Target.parse("total_testosterone", "450 ng/dL", field="t")]
    none = target_probabilities(fit, typical, Protocol.coerce(None), 6.0, target, draws=20, seed=2)[0]
    inhibitor = target_probabilities(fit, typical, Protocol.coerce("anastrozole 1 mg daily"), 6.0, target, draws=20, seed=2)[0]
    assert none.fraction == pytest.approx(none.baseline_fraction)   # untreated: no change from week 0
    assert inhibitor.fraction > none.fraction


def test_scenarios_accept_conditions_and_the_patient_command_reads_a_scenario(tmp_path):
    from hpgsim.scenario import load_patient, load_scenario

    path = write(tmp_path, "patient: {age: 40, bmi: 28, conditions: [{name: secondary_hypogonadism, cause: functional}],\n"
                           "          labs: {total_testosterone: 250 ng/dL}}\nweeks: 4\n")
    scenario = load_scenario(path)
    assert [dict(c) for c in scenario.patient.conditions] == [{"name": "secondary_hypogonadism", "cause": "functional"}]
    assert load_patient(path) == scenario.patient
    result = runner.invoke(app, ["patient", str(path)])
    assert result.exit_code == 0 and "Conditions: secondary_hypogonadism (cause functional)" in result.stdout
