"""Parameter sets and the joint calibration (hpgsim calibrate).

The fit is checked against synthetic observations: a small trial whose published changes are
the model's own output at known "true" values, so a working fit must recover those values
from a different starting point (an independent check: the truth is known by construction).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from hpgsim.calibration import ParameterSet
from hpgsim.calibration.adoption import LITERATURE_DRUG_VALUES, adopt, apply_adopted_drug_fields
from hpgsim.calibration.parameter_set import info
from hpgsim.calibration.fit import Evaluation, calibrate, default_free, evaluate_set
from hpgsim.calibration.report import markdown
from hpgsim.calibration.targets import Target, all_targets, load_specs, spec_targets
from hpgsim.cli import app
from hpgsim.drugs import records
from hpgsim.drugs.catalogue import serms
from hpgsim.engine.run import DoseEvents
from hpgsim.errors import InputError
from hpgsim.physiology.parameters import BY_NAME, INDEX, default_vector
from hpgsim.trials.spec import parse_spec

runner = CliRunner()
TRUTH = {"anastrozole.ec50_ng_ml": 6.0, "e2_hyp_k": 0.5}


def _toy(observed: dict[str, float] | None = None) -> dict:
    """Young men on anastrozole 1 mg daily for 8 weeks: E2, LH and total T change at week 8."""
    endpoints = []
    for measure in ("estradiol", "lh", "total_testosterone"):
        ep = {"arm": "ai", "measure": measure, "week": 8, "statistic": "mean"}
        if observed is not None:
            ep["observed"] = {"change_pct": observed[measure], "tolerance_pct_points": 5}
        endpoints.append(ep)
    return {"id": "toy_ai", "title": "synthetic", "citation": "synthetic observations (test)",
            "population": {"age": {"min": 25, "max": 35}, "bmi": {"min": 22, "max": 24}},
            "arms": [{"id": "ai", "n": 20, "protocol": [{"drug": "anastrozole", "dose": "1 mg", "schedule": "daily",
                                                         "start_week": 0, "weeks": 8}]}],
            "endpoints": endpoints}


@pytest.fixture(scope="module")
def synthetic_spec():
    """The toy trial with 'published' changes simulated at TRUTH."""
    bare = parse_spec(_toy({"estradiol": 0, "lh": 0, "total_testosterone": 0}), file="toy.yaml")
    with ParameterSet(TRUTH).applied():
        sims = {t.measure: t.simulated for t in spec_targets(bare)}
    return parse_spec(_toy(sims), file="toy.yaml")


# -- the parameter-set layer ------------------------------------------------------------------


def test_applied_sets_physiology_and_drug_values_and_restores_them():
    before_k = default_vector()[INDEX["e2_hyp_k"]]
    before_ec50 = records.get_drug("anastrozole").ec50_ng_ml
    with ParameterSet({"e2_hyp_k": 1.0, "anastrozole.ec50_ng_ml": 5.0}).applied():
        assert default_vector()[INDEX["e2_hyp_k"]] == 1.0
        assert records.get_drug("anastrozole").ec50_ng_ml == 5.0
    assert default_vector()[INDEX["e2_hyp_k"]] == before_k == BY_NAME["e2_hyp_k"].value
    assert records.get_drug("anastrozole").ec50_ng_ml == before_ec50


def test_values_are_restored_when_the_run_fails():
    with pytest.raises(RuntimeError):
        with ParameterSet({"t_hyp_k": 1.0, "hcg.emax": 5.0}).applied():
            raise RuntimeError("boom")
    assert default_vector()[INDEX["t_hyp_k"]] == BY_NAME["t_hyp_k"].value
    assert records.get_drug("hcg").emax != 5.0


def test_enclomiphene_potency_carries_its_derived_records():
    enc = 2.0
    with ParameterSet({"enclomiphene.ec50_ng_ml": enc}).applied():
        assert records.get_drug("zuclomiphene", internal_ok=True).ec50_ng_ml == pytest.approx(enc / serms.ZUCLOMIPHENE_POTENCY_RATIO)
        assert records.get_drug("tamoxifen").ec50_ng_ml == pytest.approx(enc / serms.TAMOXIFEN_POTENCY_RATIO)
        # a dose of the mixture becomes doses of its parts, which carry the new potencies
        events = DoseEvents.from_list([(0.0, "clomiphene_citrate", 25_000.0)])
        assert sorted(d.ec50_ng_ml for d in events.drugs) == pytest.approx(sorted([enc, enc / serms.ZUCLOMIPHENE_POTENCY_RATIO]))
    assert records.get_drug("zuclomiphene", internal_ok=True).ec50_ng_ml == pytest.approx(
        serms.ENCLOMIPHENE_EC50 / serms.ZUCLOMIPHENE_POTENCY_RATIO)


@pytest.mark.parametrize("values, field, expected", [
    ({"e2_hyp_k": 100.0}, "values.e2_hyp_k", "plausible range"),
    ({"anastrozole.ec50_ng_ml": 0.1}, "values.anastrozole.ec50_ng_ml", "plausible range"),
    ({"no_such_row": 1.0}, "values.no_such_row", "parameter-table row"),
    ({"zuclomiphene.ec50_ng_ml": 10.0}, "values.zuclomiphene.ec50_ng_ml", "set enclomiphene.ec50_ng_ml"),
    ({"anastrozole.name": 1.0}, "values.anastrozole.name", "numeric drug field"),
    ({"e2_hyp_k": "high"}, "values.e2_hyp_k", "finite number"),
    ({"leydig_capacity": 1.0}, "values.leydig_capacity", "population-level"),
])
def test_bad_values_name_the_file_and_field(values, field, expected):
    with pytest.raises(InputError) as caught:
        ParameterSet(values, file="set.yaml")
    assert caught.value.field == field and caught.value.file == "set.yaml"
    assert expected in str(caught.value)


def test_yaml_round_trip_and_bad_file(tmp_path):
    path = tmp_path / "set.yaml"
    ParameterSet({"e2_hyp_k": 0.5, "hcg.emax": 3.0}).save(path, "a header")
    assert ParameterSet.load(path).values == {"e2_hyp_k": 0.5, "hcg.emax": 3.0}
    path.write_text("values: {e2_hyp_k: 50}\n")
    with pytest.raises(InputError, match="plausible range") as caught:
        ParameterSet.load(path)
    assert caught.value.file == str(path)
    path.write_text("- 1\n")
    with pytest.raises(InputError, match="values"):
        ParameterSet.load(path)


def test_adopted_drug_fields_are_applied_from_the_packaged_file_format(tmp_path):
    path = tmp_path / "calibrated.yaml"
    adopt(ParameterSet({"enclomiphene.ec50_ng_ml": 3.0, "e2_hyp_k": 0.4}), "test", path=path)
    saved = dict(records._REGISTRY)
    try:
        apply_adopted_drug_fields(path)
        assert records.get_drug("enclomiphene").ec50_ng_ml == 3.0
        assert records.get_drug("tamoxifen").ec50_ng_ml == pytest.approx(3.0 / serms.TAMOXIFEN_POTENCY_RATIO)
        # fits still start from, and are pulled toward, the catalogue's value
        assert info("enclomiphene.ec50_ng_ml").default == serms.ENCLOMIPHENE_EC50
    finally:
        records._REGISTRY.clear()
        records._REGISTRY.update(saved)
        LITERATURE_DRUG_VALUES.clear()
    assert yaml.safe_load(path.read_text())["values"]["e2_hyp_k"] == 0.4


def test_default_free_parameters_are_the_fitted_rows_and_drug_potencies():
    free = default_free()
    assert {"e2_hyp_k", "sg_itt_k", "anastrozole.ec50_ng_ml", "hcg.emax"} <= set(free)
    assert "lh_half_life" not in free   # a measured half-life, not fitted
    ParameterSet({name: _default(name) for name in free})   # every default is within its range


def _default(name: str) -> float:
    return info(name).default


# -- the fit -----------------------------------------------------------------------------------


def test_calibration_recovers_the_values_that_generated_the_observations(synthetic_spec):
    start = evaluate_set({}, [synthetic_spec], 0, 1)
    assert start.passed < 3   # the literature values do not reproduce the synthetic trial
    result = calibrate([synthetic_spec], list(TRUTH), max_iterations=25, prior_weight=1e-3)
    for name, true in TRUTH.items():
        assert math.log(result.fitted[name] / true) == pytest.approx(0.0, abs=0.05), (name, result.fitted)
    assert result.after.passed == 3 and result.after.cost < 0.05


def test_a_robust_loss_is_steered_less_by_an_endpoint_the_model_cannot_meet(synthetic_spec):
    # the synthetic trial with its T change moved by 40 points (8 tolerances): no anastrozole
    # potency reproduces it together with E2 and LH. Least squares trades E2 and LH for it; a
    # robust loss counts the outlier less than its square and stays nearer the true potency.
    observed = {t.measure: t.observed for t in spec_targets(synthetic_spec)}
    observed["total_testosterone"] += 40.0
    outlier = parse_spec(_toy(observed), file="toy.yaml")
    with ParameterSet({"e2_hyp_k": TRUTH["e2_hyp_k"]}).applied():   # the other true value, held
        fits = {loss: calibrate([outlier], ["anastrozole.ec50_ng_ml"], max_iterations=15, prior_weight=1e-3,
                                start={"anastrozole.ec50_ng_ml": 10.0}, loss=loss).fitted["anastrozole.ec50_ng_ml"]
                for loss in ("linear", "soft_l1")}
    miss = {loss: abs(math.log(v / TRUTH["anastrozole.ec50_ng_ml"])) for loss, v in fits.items()}
    assert miss["soft_l1"] < 0.5 * miss["linear"], fits


def test_same_seed_same_fit_with_a_cohort(synthetic_spec):
    runs = [calibrate([synthetic_spec], ["anastrozole.ec50_ng_ml"], n_virtual=3, seed=4, max_iterations=2)
            for _ in range(2)]
    assert runs[0].fitted == runs[1].fitted
    assert [t.residual for t in runs[0].after.targets] == [t.residual for t in runs[1].after.targets]


def test_report_lists_targets_moves_and_what_the_data_cannot_identify(synthetic_spec):
    # semen volume only scales the ejaculate: it cannot move hormone changes (so cannot be identified)
    result = calibrate([synthetic_spec], ["anastrozole.ec50_ng_ml", "semen_volume"], max_iterations=3,
                       validation=[synthetic_spec])
    assert result.unidentified == ["semen_volume"]
    assert result.column_norms["anastrozole.ec50_ng_ml"] > 1.0
    text = markdown(result, adopted=False, command="hpgsim calibrate --test")
    for needle in ("## What the data cannot identify", "`semen_volume`", "`anastrozole.ec50_ng_ml`",
                   "| calibration | 3 |", "| validation | 3 |", "| toy_ai | ai | estradiol | 8 | mean |",
                   "hpgsim calibrate --test", "not dosing recommendations"):
        assert needle in text, needle
    assert "not identified" in text.split("`semen_volume`")[1].splitlines()[0]


def _spec_folder(synthetic_spec, tmp_path) -> Path:
    """A folder holding the synthetic trial as a spec file (what --specs and --validation take)."""
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "toy.yaml").write_text(yaml.safe_dump(_toy({t.measure: t.observed for t in
                                                         spec_targets(synthetic_spec)})))
    return specs


def test_calibrate_command_writes_the_set_and_report(synthetic_spec, tmp_path):
    specs = _spec_folder(synthetic_spec, tmp_path)
    out = tmp_path / "out"
    result = runner.invoke(app, ["calibrate", "--free", "anastrozole.ec50_ng_ml", "--specs", str(specs),
                                 "--validation", str(specs), "--max-iterations", "2", "--out", str(out),
                                 "--no-progress"])
    assert result.exit_code == 0, result.stderr
    fitted = ParameterSet.load(out / "parameters.yaml")
    assert set(fitted.values) == {"anastrozole.ec50_ng_ml"}
    assert "# Calibration report" in (out / "calibration.md").read_text()
    assert "Not adopted." in result.stdout   # no --adopt: the packaged defaults are never touched
    assert not list(out.glob(".*partial*"))


def test_calibrate_command_starts_from_a_given_set_and_keeps_its_fixed_values(synthetic_spec, tmp_path):
    specs = _spec_folder(synthetic_spec, tmp_path)
    start = tmp_path / "start.yaml"
    ParameterSet({"anastrozole.ec50_ng_ml": 20.0, "e2_hyp_n": 2.0}).save(start)
    out = tmp_path / "out"
    result = runner.invoke(app, ["calibrate", "--free", "anastrozole.ec50_ng_ml", "--specs", str(specs),
                                 "--validation", str(specs), "--max-iterations", "1", "--start", str(start),
                                 "--out", str(out), "--no-progress"])
    assert result.exit_code == 0, result.stderr
    fitted = ParameterSet.load(out / "parameters.yaml").values
    assert fitted["e2_hyp_n"] == 2.0                       # not fitted: kept at the start's value
    report = (out / "calibration.md").read_text()
    assert "--start" in report
    assert "| `anastrozole.ec50_ng_ml` | 20 |" in report    # the fit's starting point, not the table's
    missing = runner.invoke(app, ["calibrate", "--start", str(tmp_path / "nope.yaml"), "--no-progress"])
    assert missing.exit_code == 2 and "--start" in missing.stderr


def test_calibrate_command_bad_option_is_one_line_exit_2():
    result = runner.invoke(app, ["calibrate", "--free", "e2_hyp_k,nonsense", "--no-progress"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "--free" in lines[0] and "nonsense" in lines[0]


def test_calibrate_refuses_unknown_loss():
    result = runner.invoke(app, ["calibrate", "--loss", "absolute", "--no-progress"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "--loss" in lines[0] and "soft_l1" in lines[0]


def test_calibrate_refuses_experiments_with_own_specs(tmp_path):
    # the physiology experiments are part of the packaged set: with a folder of one's own specs
    # --experiments cannot be honoured, and is refused rather than dropped in silence
    result = runner.invoke(app, ["calibrate", "--specs", str(tmp_path), "--experiments", "--no-progress"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "--experiments" in lines[0] and "--specs" in lines[0]


def test_residual_is_distance_in_tolerances(synthetic_spec):
    t = spec_targets(synthetic_spec)[0]
    assert isinstance(t, Target) and t.half_width == 5.0
    assert t.residual == pytest.approx((t.simulated - t.observed) / 5.0)
    assert np.isfinite(t.residual)


def test_two_reports_of_one_trial_count_their_shared_observations_once():
    # Burnett-Bowie 2009's two papers report the same randomised men: total T at months 3 and 12
    # and E2 at month 3 appear in both. One observation published twice is one datum, so each
    # copy weighs 1/sqrt(2) (together, one squared residual); endpoints only one paper gives
    # (bioavailable T, T at month 6, spine BMD) and other trials keep weight 1.
    specs = load_specs("calibration", ("burnett_bowie2009_clinendo", "burnett_bowie2009_jcem", "leder2004"))
    targets = all_targets(specs)   # one typical man per arm: fast, and the weights do not depend on it
    weights = {(t.spec, t.measure, t.week): t.weight for t in targets}
    for spec in ("burnett_bowie2009_clinendo", "burnett_bowie2009_jcem"):
        for measure, week in (("total_testosterone", "12.99"), ("total_testosterone", "51.96"), ("estradiol", "12.99")):
            assert weights[(spec, measure, week)] == pytest.approx(1 / math.sqrt(2)), (spec, measure, week)
    assert weights[("burnett_bowie2009_clinendo", "bioavailable_testosterone", "12.99")] == 1.0
    assert weights[("burnett_bowie2009_clinendo", "total_testosterone", "25.98")] == 1.0
    assert all(t.weight == 1.0 for t in targets if t.spec == "leder2004")
    # the cost counts the weighted residuals: both copies together cost what one would
    shared = [t for t in targets if t.spec.startswith("burnett") and t.weight < 1.0]
    assert Evaluation(shared).cost == pytest.approx(0.5 * sum(t.residual ** 2 for t in shared) / 2)
