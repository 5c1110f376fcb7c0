"""Patients and scenario files: values land in internal units, and bad input names file and field."""

from __future__ import annotations

import textwrap

import pytest

from hpgsim.drugs import records
from hpgsim.drugs.records import DrugRecord
from hpgsim.errors import InputError, UnitError
from hpgsim.people.patient import Patient, parse_height
from hpgsim.scenario import Threshold, load_scenario, scenario_from_dict

T_NGDL_PER_NMOLL = 28.84   # Vermeulen 1999 / ISSAM calculator


@pytest.fixture
def test_drug():
    """A made-up aromatase inhibitor, so the tests do not depend on the catalogue's numbers."""
    record = records.register(DrugRecord(
        name="zz_test_ai", drug_class="aromatase inhibitor", route="oral", dose_unit="mg", max_single_dose=10.0,
        bioavailability=1.0, ka_per_h=1.0, ke_per_h=0.01, volume_l=100.0, channel="aromatase_inhibition",
        emax=1.0, ec50_ng_ml=1.0))
    yield record
    records._REGISTRY.pop(record.name, None)


def write(tmp_path, text: str, name: str = "scenario.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# --- Patient -------------------------------------------------------------------------------

@pytest.mark.parametrize("lab", ["340 ng/dL", {"value": 340, "unit": "ng/dL"}, [340, "ng/dL"], "11.789 nmol/L"])
def test_lab_forms_agree(lab):
    patient = Patient.build(40, 27, labs={"total_testosterone": lab})
    assert patient.labs["total_testosterone"] == pytest.approx(340 / T_NGDL_PER_NMOLL, rel=1e-3)


def test_patient_defaults_weight_and_read_only_labs():
    patient = Patient.build(40, 25)
    assert patient.height_m == 1.76 and patient.weight_kg == pytest.approx(25 * 1.76 ** 2)
    with pytest.raises(TypeError):
        patient.labs["lh"] = 3.0


@pytest.mark.parametrize("height, metres", [("176 cm", 1.76), ("1.76 m", 1.76), ("69 in", 1.7526),
                                            (176, 1.76), (1.76, 1.76), (None, 1.76)])
def test_height_forms(height, metres):
    assert parse_height(height) == pytest.approx(metres)


@pytest.mark.parametrize("kwargs, field, exc", [
    (dict(labs={"total_testosterone": 340}), "patient.labs.total_testosterone", UnitError),
    (dict(labs={"testosterone": "340 ng/dL"}), "patient.labs.testosterone", InputError),
    (dict(labs={"total_testosterone": "34000 ng/dL"}), "patient.labs.total_testosterone", InputError),
    (dict(labs={"lh": {"value": 5}}), "patient.labs.lh", UnitError),
    (dict(age=12), "patient.age", InputError),
    (dict(bmi=90), "patient.bmi", InputError),
    (dict(height="3 kg"), "patient.height", UnitError),
    (dict(height=300), "patient.height", InputError),
])
def test_patient_rejects(kwargs, field, exc):
    args = dict(age=40, bmi=27) | kwargs
    with pytest.raises(exc) as err:
        Patient.build(**args, file="p.yaml")
    assert str(err.value).startswith(f"p.yaml: {field}: expected")


def test_direct_construction_validates_too():
    with pytest.raises(InputError, match="patient.age"):
        Patient(age=10, bmi=25)
    with pytest.raises(InputError, match="between 1.442 and 8653 ng/dL"):
        Patient(age=40, bmi=25, labs={"total_testosterone": 1000.0})


# --- Scenario files ------------------------------------------------------------------------

SCENARIO = """\
    name: Obese man on an aromatase inhibitor
    patient: {age: 38, bmi: 31, height: 176 cm, labs: {total_testosterone: 290 ng/dL, estradiol: 38 pg/mL}}
    protocol:
      - {drug: zz_test_ai, dose: 1 mg, schedule: twice weekly, start_week: 0, weeks: 26}
    weeks: 26
    thresholds:
      - {measure: total_testosterone, above: 500 ng/dL, label: "T above 500 ng/dL"}
      - {measure: estradiol, below: 20 pg/mL}
"""


def test_load_full_scenario(tmp_path, test_drug):
    path = write(tmp_path, SCENARIO)
    scenario = load_scenario(path)
    assert scenario.name == "Obese man on an aromatase inhibitor" and scenario.weeks == 26.0
    assert scenario.source_file == str(path)
    assert scenario.patient.height_m == pytest.approx(1.76)
    assert scenario.patient.labs["total_testosterone"] == pytest.approx(290 / T_NGDL_PER_NMOLL, rel=1e-3)
    assert scenario.patient.labs["estradiol"] == pytest.approx(38 * 3.671, rel=1e-3)
    assert scenario.protocol.describe() == ["zz_test_ai 1 mg twice weekly, weeks 0-26"]
    assert scenario.thresholds[0] == Threshold("total_testosterone", "above",
                                               pytest.approx(500 / T_NGDL_PER_NMOLL, rel=1e-3), "T above 500 ng/dL")
    assert scenario.thresholds[1].direction == "below" and scenario.thresholds[1].label == "estradiol below 20 pg/mL"


def test_brief_example_with_catalogue_anastrozole(tmp_path):
    scenario = load_scenario(write(tmp_path, SCENARIO.replace("zz_test_ai", "anastrozole")))
    assert scenario.protocol.segments[0].drug == "anastrozole"
    assert len(scenario.protocol.dose_events(until_hours=26 * 168)) == 52


def test_untreated_scenario_and_default_name(tmp_path):
    scenario = load_scenario(write(tmp_path, "patient: {age: 60, bmi: 24}\nweeks: 52\n", name="natural.yaml"))
    assert scenario.name == "natural" and scenario.protocol.segments == () and scenario.thresholds == ()
    from_dict = scenario_from_dict({"patient": {"age": 60, "bmi": 24, "height": 69 * 2.54}, "weeks": 1, "protocol": []})
    assert from_dict.patient.height_m == pytest.approx(1.7526) and from_dict.source_file is None



def test_protocol_as_regimen_text_or_library_name(tmp_path, test_drug):
    # one regimen written as text parses as the API's simulate() parses it ...
    text = "patient: {age: 40, bmi: 27}\nweeks: 26\nprotocol: zz_test_ai 1 mg twice weekly for 26 weeks\n"
    scenario = load_scenario(write(tmp_path, text))
    assert scenario.protocol_name is None and scenario.protocol.segments[0].drug == "zz_test_ai"
    assert len(scenario.protocol.dose_events(until_hours=26 * 168)) == 52
    # ... a misspelt drug in it is the regimen's error, a single word stays a library name
    with pytest.raises(InputError, match="protocol.drug: expected one of the known drugs"):
        load_scenario(write(tmp_path, text.replace("zz_test_ai 1 mg", "zz_test 1 mg")))
    with pytest.raises(InputError, match="protocol: expected a library protocol name"):
        load_scenario(write(tmp_path, text.replace("zz_test_ai 1 mg twice weekly for 26 weeks", "anastrozole-1mg-dialy")))
    assert load_scenario(write(tmp_path, text.replace("zz_test_ai 1 mg twice weekly for 26 weeks",
                                                      "anastrozole-1mg-daily"))).protocol_name == "anastrozole-1mg-daily"

@pytest.mark.parametrize("text, field, fragment", [
    ("patient: {age: 60, bmi: 24}\nweeks: 26\ncolour: red\n", "colour", "one of the keys name, patient"),
    ("patient: {age: 60, bmi: 24, weight: 80}\nweeks: 26\n", "patient.weight", "one of the keys age, bmi"),
    ("patient: {age: 60, bmi: 24}\nweeks: 0\n", "weeks", "above 0 and at most 520"),
    ("patient: {age: 60, bmi: 24}\nweeks: 600\n", "weeks", "above 0 and at most 520"),
    ("patient: {age: 60, bmi: 24}\n", "weeks", "required key 'weeks'"),
    ("patient: {age: 60, bmi: 24, labs: {lh: 5}}\nweeks: 26\n", "patient.labs.lh", "a number with a unit"),
    ("patient: {age: 60, bmi: 24}\nweeks: 26\nthresholds: [{measure: lh, above: 5 IU/L, colour: red}]\n",
     "thresholds[0].colour", "one of the keys measure, above, below, label"),
    ("patient: {age: 60, bmi: 24}\nweeks: 26\nthresholds: [{measure: lh, above: 5 IU/L, below: 9 IU/L}]\n",
     "thresholds[0]", "exactly one of the keys above or below"),
    ("patient: {age: 60, bmi: 24}\nweeks: 26\nthresholds: [{measure: lh, above: 5 ng/dL}]\n",
     "thresholds[0].above", "a concentration in IU/L"),
    ("patient: {age: 60, bmi: 24}\nweeks: 26\nprotocol: {drug: x}\n", "protocol", "a list of dosing segments"),
    ("- just\n- a list\n", "scenario", "a mapping with the keys"),
])
def test_scenario_errors_name_file_and_field(tmp_path, text, field, fragment):
    path = write(tmp_path, text)
    with pytest.raises(InputError) as err:
        load_scenario(path)
    assert str(err.value).startswith(f"{path}: {field}: expected")
    assert fragment in str(err.value)


def test_protocol_errors_carry_the_dotted_path(tmp_path, test_drug):
    path = write(tmp_path, SCENARIO.replace("dose: 1 mg", "dose: 1"))
    with pytest.raises(UnitError) as err:
        load_scenario(path)
    assert str(err.value).startswith(f"{path}: protocol[0].dose: expected")
    path = write(tmp_path, SCENARIO.replace("schedule: twice weekly", "schedule: biweekly"))
    with pytest.raises(InputError, match="protocol\\[0\\].schedule: expected an unambiguous schedule"):
        load_scenario(path)


def test_malformed_yaml_reports_the_line(tmp_path):
    path = write(tmp_path, "patient: {age: 60, bmi: 24}\nweeks: 26\nprotocol: [\n  {drug: a: b}\n")
    with pytest.raises(InputError) as err:
        load_scenario(path)
    assert str(err.value).startswith(f"{path}: line 4") and "valid YAML" in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="an existing scenario file"):
        load_scenario(tmp_path / "nope.yaml")
