"""``hpgsim patient --format json``: parses, documented keys, the table's numbers, consistent unit
pairs, no NaN (every null explained), conditions, and a one-line error for a bad --format."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hpgsim.cli import app
from hpgsim.people.patient import Patient
from hpgsim.patient_report import patient_report, to_json
from hpgsim.people.target_probability import Target, TargetProbability

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "obese_man_low_t_labs.yaml"
PROTOCOL = ["--protocol", "anastrozole-1mg-daily", "--weeks", "8", "--draws", "6", "--target-t", "400 ng/dL",
            "--target-sperm", "15 M/mL", "--seed", "3"]
TOP_LEVEL = {"schema", "disclaimer", "file", "name", "patient", "personalisation", "steady_state", "fit", "conflicts",
             "markers", "flags", "target_probabilities", "null_values"}
# Molar masses (testosterone 288.42, estradiol 272.38 g/mol) give the clinical factors the brief
# of hpgsim.units cites: 1 nmol/L T = 28.84 ng/dL; 1 pg/mL E2 = 3.671 pmol/L; free T 1 pmol/L = 0.2884 pg/mL.
NGDL_PER_NMOLL_T = 28.84
PMOLL_PER_PGML_E2 = 3.671
PGML_PER_PMOLL_T = 0.2884
runner = CliRunner()


def invoke(*args: str):
    result = runner.invoke(app, ["patient", *args])
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result


def strict_json(text: str) -> dict:
    def refuse(name: str):
        raise AssertionError(f"{name} in the JSON")
    return json.loads(text, parse_constant=refuse)


@pytest.fixture(scope="module")
def table() -> str:
    return invoke(str(EXAMPLE), "--format", "table").stdout


@pytest.fixture(scope="module")
def doc() -> dict:
    return strict_json(invoke(str(EXAMPLE), "--format", "json").stdout)


@pytest.fixture(scope="module")
def protocol_outputs() -> tuple[str, dict]:
    return invoke(str(EXAMPLE), *PROTOCOL).stdout, strict_json(invoke(str(EXAMPLE), *PROTOCOL, "--format", "json").stdout)


def rows(table_text: str, first_cells: set[str]) -> dict[str, list[str]]:
    """The cells of the rich-table rows whose first cell is in ``first_cells`` (first line of each row)."""
    out = {}
    for line in table_text.splitlines():
        cells = [c.strip() for c in line.split("│")[1:-1]]
        if cells and cells[0] in first_cells and cells[0] not in out:
            out[cells[0]] = cells
    return out


def shown(cell: str) -> float:
    """A number as the table prints it: '1,234', '0.759', '+7 %', '17 % +/- 15'."""
    return float(cell.split("%")[0].replace(",", "").strip())


def walk(value, path=""):
    """(path, value) of every leaf."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from walk(v, f"{path}.{k}" if path else k)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from walk(v, f"{path}[{i}]")
    else:
        yield path, value


def objects(value):
    """Every JSON object in the document, depth first."""
    if isinstance(value, dict):
        yield value
        for v in value.values():
            yield from objects(v)
    elif isinstance(value, list):
        for v in value:
            yield from objects(v)


# -- the document ---------------------------------------------------------------------------------

def test_json_has_the_documented_keys_and_the_disclaimer(doc):
    assert set(doc) == TOP_LEVEL
    assert doc["schema"] == "hpgsim.patient/1"
    assert "research and teaching" in doc["disclaimer"] and "not medical advice" in doc["disclaimer"]
    help_text = runner.invoke(app, ["patient", "--help"]).output
    assert "--format json" in help_text
    block = help_text[help_text.index("Keys:"):help_text.index("Exit codes")]
    # every key of every object is documented as a word of the keys block, except the names of
    # labs, which key mappings ({lab: quantity})
    labs = set(doc["patient"]["labs"]) | set(doc["steady_state"])
    keys = {k for obj in objects(doc) for k in obj} - labs
    assert len(keys) > 50
    missing = sorted(k for k in keys if not re.search(rf"(?<![\w-]){re.escape(k)}(?![\w-])", block))
    assert not missing, missing


def test_no_nan_anywhere_and_every_null_is_explained(doc, protocol_outputs):
    for document in (doc, protocol_outputs[1]):
        nulls = set()
        for path, value in walk(document):
            assert not (isinstance(value, float) and not math.isfinite(value)), path
            if value is None:
                nulls.add(path)
        explained = {n["path"] for n in document["null_values"]}
        assert nulls == explained
        assert all(n["reason"] for n in document["null_values"])
    assert "target_probabilities" in {n["path"] for n in doc["null_values"]}   # no --protocol


def test_unit_pairs_are_consistent(doc):
    def check(q: dict, measure: str) -> None:
        conv, si = q["conventional"], q["si"]
        if measure in ("total_testosterone", "bioavailable_testosterone"):
            assert (conv["unit"], si["unit"]) == ("ng/dL", "nmol/L")
            assert conv["value"] == pytest.approx(NGDL_PER_NMOLL_T * si["value"], rel=2e-4)
        elif measure == "estradiol":
            assert (conv["unit"], si["unit"]) == ("pg/mL", "pmol/L")
            assert conv["value"] == pytest.approx(si["value"] / PMOLL_PER_PGML_E2, rel=2e-4)
        elif measure == "free_testosterone":
            assert (conv["unit"], si["unit"]) == ("pg/mL", "pmol/L")
            assert conv["value"] == pytest.approx(PGML_PER_PMOLL_T * si["value"], rel=2e-4)

    checked = 0
    for measure in ("total_testosterone", "bioavailable_testosterone", "estradiol", "free_testosterone"):
        for where in (doc["patient"]["labs"], doc["steady_state"]):
            if measure in where:
                check(where[measure], measure)
                checked += 1
    for lab in doc["fit"]:
        check(lab["measured"], lab["lab"])
        check(lab["simulated"], lab["lab"])
        checked += 2
    for m in doc["markers"]:
        if m["key"] == "calculated_free_testosterone":
            check(m, "free_testosterone")
            checked += 1
    assert checked >= 10
    # the measured values are the labs file's: 280 ng/dL and 42 pg/mL
    assert doc["patient"]["labs"]["total_testosterone"]["conventional"]["value"] == pytest.approx(280)
    assert doc["patient"]["labs"]["estradiol"]["si"]["value"] == pytest.approx(42 * PMOLL_PER_PGML_E2, rel=2e-4)


def test_steady_state_is_the_simulated_lab_of_the_fit(doc):
    # The fit compares each lab with his steady state at the estimate: the two sections must agree.
    for lab in doc["fit"]:
        assert doc["steady_state"][lab["lab"]]["si"]["value"] == pytest.approx(lab["simulated"]["si"]["value"], rel=1e-6)
    # prolactin and semen volume are his own parameters, set from the measured value
    for lab in ("prolactin", "semen_volume"):
        assert doc["steady_state"][lab] == doc["patient"]["labs"][lab]


# -- the same numbers as the table ----------------------------------------------------------------

def test_factor_estimates_match_the_table(table, doc):
    factors = {f["name"]: f for f in doc["personalisation"]["factors"]}
    found = rows(table, set(factors))
    assert set(found) == set(factors)
    for name, cells in found.items():
        typical, estimate, interval, ratio = cells[2], cells[3], cells[4], cells[5]
        f = factors[name]
        assert shown(typical) == pytest.approx(f["typical"], rel=5.1e-3)
        assert shown(estimate) == pytest.approx(f["estimate"], rel=5.1e-3)
        low, high = interval.split("-")
        assert (shown(low), shown(high)) == (pytest.approx(f["low95"], rel=5.1e-3), pytest.approx(f["high95"], rel=5.1e-3))
        assert shown(ratio) == pytest.approx(f["sd_ratio"], abs=0.0051)
        assert cells[6].startswith("yes" if f["identifiable"] else "no")
    assert f"the labs inform {doc['personalisation']['informed_directions']} of " \
           f"{doc['personalisation']['directions']} directions" in table


def test_lab_fit_and_markers_match_the_table(table, doc):
    fits = {lab["lab"]: lab for lab in doc["fit"]}
    found = rows(table, set(fits))
    assert set(found) == set(fits)
    for name, cells in found.items():
        unit, measured, simulated, status = cells[1], cells[2], cells[3], cells[7]
        lab = fits[name]
        assert unit == lab["measured"]["conventional"]["unit"]
        assert shown(measured) == pytest.approx(lab["measured"]["conventional"]["value"], rel=5.1e-3)
        assert shown(simulated) == pytest.approx(lab["simulated"]["conventional"]["value"], rel=5.1e-3)
        assert shown(cells[6]) == pytest.approx(lab["gap_sd"], abs=0.051)
        assert status.lower().startswith(lab["status"].split(":")[0])
    markers = {m["label"]: m for m in doc["markers"]}
    found = rows(table, set(markers))
    assert set(found) == set(markers) and len(markers) >= 3
    for label, cells in found.items():
        assert shown(cells[1]) == pytest.approx(markers[label]["conventional"]["value"], rel=5.1e-3)
        assert cells[2] == markers[label]["conventional"]["unit"]


def test_flags_carry_source_and_evidence_and_match_the_table(table, doc):
    assert doc["flags"]
    for f in doc["flags"]:
        assert f["sources"] and f["evidence"] and f["kind"] in ("guideline", "reference", "research", "claim")
    # a label may wrap inside its cell: its row is the one whose first line begins the label
    starts = [cells[0] for cells in ([c.strip() for c in line.split("│")[1:-1]] for line in table.splitlines())
              if cells and len(cells[0]) >= 12]

    def in_table(label: str) -> bool:
        return any(label.startswith(start) for start in starts)

    fired = [f for f in doc["flags"] if f["fired"] and f["kind"] in ("guideline", "reference")]
    assert fired and all(in_table(f["label"]) for f in fired)
    assert any(f["key"] == "total_t_below_300_ngdl" and f["fired"] for f in doc["flags"])   # 280 < 300 ng/dL
    research = [f for f in doc["flags"] if f["kind"] == "research" and f["contradicted_by"]]
    assert research and all(in_table(f["label"]) for f in research)


def test_target_probabilities_match_the_table(protocol_outputs):
    table, doc = protocol_outputs
    odds = doc["target_probabilities"]
    assert odds["protocol"] == "anastrozole-1mg-daily" and odds["weeks"] == 8 and odds["draws"] == 6
    results = odds["results"]
    assert len(results) == 4
    cells = [[c.strip() for c in line.split("│")[1:-1]] for line in table.splitlines() if "│" in line]
    for r in results:
        assert r["n"] + r["failed"] == 6
        low, high = r["interval95"]
        assert 0 <= low <= r["fraction"] <= high <= 1
        # the table row of this target and group (both cells may wrap: match the start of them)
        row = next(c for c in cells if len(c) == 7 and c[0] and r["target"]["description"].startswith(c[0])
                   and c[2] and r["group"].startswith(c[2]))
        assert shown(row[3]) == pytest.approx(100 * r["baseline_fraction"], abs=0.51)
        assert shown(row[4]) == pytest.approx(100 * r["fraction"], abs=0.51)
        table_low, table_high = row[5].rstrip(" %").split("-")
        assert (float(table_low), float(table_high)) == (pytest.approx(100 * low, abs=0.51), pytest.approx(100 * high, abs=0.51))
        assert row[6] == str(r["failed"])
        if r["measure"] == "total_testosterone":
            assert r["his_measured"]["conventional"]["value"] == pytest.approx(280)
            assert r["his_measured_in_range"] is False          # 280 is below 400 ng/dL
            assert r["target"]["high"] is None                   # "at least": explained in null_values
    assert odds["notes"] == [line for line in table.splitlines() if line.startswith("Note: ")]


# -- conditions, nulls, errors --------------------------------------------------------------------

def test_conditions_appear_in_table_and_json(tmp_path):
    path = tmp_path / "labs.yaml"
    path.write_text("patient: {age: 40, bmi: 28, conditions: [{name: secondary_hypogonadism, cause: functional}, "
                    "varicocele], labs: {total_testosterone: 250 ng/dL, lh: 2 IU/L}}\n", encoding="utf-8")
    table = invoke(str(path)).stdout
    doc = strict_json(invoke(str(path), "--format", "json").stdout)
    assert "Conditions: secondary_hypogonadism (cause functional), varicocele" in table
    conditions = doc["patient"]["conditions"]
    assert [c["name"] for c in conditions] == ["secondary_hypogonadism", "varicocele"]
    assert conditions[0]["severity"] == {"cause": "functional"} and conditions[1]["severity"] == {}
    assert "conditions: secondary_hypogonadism (cause functional), varicocele" in doc["patient"]["description"]


def test_a_group_whose_every_simulation_failed_is_null_with_the_reason():
    man = Patient.build(age=30, bmi=24, labs={"total_testosterone": "450 ng/dL"})
    from hpgsim.api import personalise_patient

    target = Target.parse("total_testosterone", "400 ng/dL", field="t")
    odds = [TargetProbability(target, "him (posterior draws)", n=0, reached=0, at_baseline=0, failed=5)]
    doc = patient_report(man, personalise_patient(man), file="x.yaml", protocol_name="p", weeks=4.0, draws=5, seed=1,
                         odds=odds)
    result = strict_json(to_json(doc))["target_probabilities"]["results"][0]
    assert result["fraction"] is None and result["interval95"] == [None, None]
    reasons = {n["path"]: n["reason"] for n in doc["null_values"]}
    assert "failed" in reasons["target_probabilities.results[0].fraction"]
    assert "failed" in reasons["target_probabilities.results[0].interval95[0]"]


def test_conflicting_labs_are_listed_in_the_json_as_in_the_table(tmp_path):
    path = tmp_path / "labs.yaml"
    path.write_text("patient: {age: 30, bmi: 24, labs: {estradiol: 400 pg/mL}}\n", encoding="utf-8")
    table = invoke(str(path)).stdout
    doc = strict_json(invoke(str(path), "--format", "json").stdout)
    assert [c["lab"] for c in doc["conflicts"]] == ["estradiol"]
    assert doc["fit"][0]["conflict"] is True and doc["fit"][0]["status"].startswith("conflict")
    assert f"CONFLICT {doc['conflicts'][0]['description']}" in " ".join(table.split())


@pytest.mark.parametrize("value", ["xml", "JSONL", ""])
def test_bad_format_is_one_line_naming_the_option_with_exit_2(value):
    result = runner.invoke(app, ["patient", str(EXAMPLE), "--format", value])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "--format" in lines[0] and "table or json" in lines[0], result.stderr
    assert result.stdout == ""
