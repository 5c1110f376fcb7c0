"""hpgsim sensitivity: Sobol' ranking of the parameters that drive one endpoint."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from hpgsim.calibration.sensitivity import endpoint_label, pick_endpoint, sensitivity
from hpgsim.cli import app
from hpgsim.errors import InputError
from hpgsim.trials.spec import parse_spec

runner = CliRunner()

TOY = """\
id: toy_ai
title: Anastrozole in young men (toy)
citation: none (test)
population:
  age: {min: 25, max: 35}
  bmi: {min: 22, max: 24}
arms:
  - id: ai
    n: 20
    protocol:
      - {drug: anastrozole, dose: 1 mg, schedule: daily, start_week: 0, weeks: 8}
endpoints:
  - {arm: ai, measure: estradiol, week: 8, statistic: mean}
  - {arm: ai, measure: total_testosterone, week: 8, statistic: mean}
  - {arm: ai, measure: total_testosterone, week: 8, statistic: median}
"""


@pytest.fixture
def toy(tmp_path):
    path = tmp_path / "toy.yaml"
    path.write_text(TOY, encoding="utf-8")
    return path


def test_anastrozole_potency_drives_its_e2_change_and_semen_volume_does_not():
    # Physiology: anastrozole's EC50 sets how much aromatase it blocks, hence the E2 fall;
    # semen volume only scales the ejaculate and cannot move serum E2.
    spec = parse_spec(__import__("yaml").safe_load(TOY), file="toy.yaml")
    result = sensitivity(spec, 0, ["semen_volume", "anastrozole.ec50_ng_ml"], n=8, seed=2)
    assert [i.name for i in result.indices] == ["anastrozole.ec50_ng_ml", "semen_volume"]
    top, other = result.indices
    assert top.st > 0.5 and abs(other.st) < 0.05 and abs(other.s1) < 0.05
    assert result.evaluations == 8 * (2 + 2) and result.not_computed == 0
    assert result.quantity == "change from week 0 (%)" and result.mean < 0   # E2 falls


def test_endpoint_by_index_label_and_statistic():
    spec = parse_spec(__import__("yaml").safe_load(TOY), file="toy.yaml")
    assert pick_endpoint(spec, "0") == 0
    assert pick_endpoint(spec, "ai:estradiol:8") == 0
    assert pick_endpoint(spec, "ai:estradiol") == 0
    assert pick_endpoint(spec, "ai:total_testosterone:8:median") == 2
    assert endpoint_label(spec.endpoints[1]) == "ai:total_testosterone:8"
    with pytest.raises(InputError, match="several endpoints") as caught:
        pick_endpoint(spec, "ai:total_testosterone:8")
    assert "1 = ai:total_testosterone:8 (mean)" in str(caught.value) and caught.value.file == "toy.yaml"


def test_bad_endpoint_is_one_line_listing_the_choices_and_exit_2(toy):
    result = runner.invoke(app, ["sensitivity", str(toy), "--endpoint", "ai:fsh:8", "--no-progress"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "--endpoint" in lines[0] and str(toy) in lines[0]
    assert "0 = ai:estradiol:8" in lines[0]


@pytest.mark.parametrize("args, field", [(["--n", "10"], "--n"), (["--params", "e2_hyp_k"], "--params"),
                                         (["--params", "e2_hyp_k,bogus"], "--params")])
def test_bad_options_exit_2(toy, args, field):
    result = runner.invoke(app, ["sensitivity", str(toy), "--endpoint", "0", "--no-progress", *args])
    assert result.exit_code == 2 and field in result.stderr


def test_command_prints_the_ranking_and_draws_the_chart(toy, tmp_path):
    png = tmp_path / "s.png"
    result = runner.invoke(app, ["sensitivity", str(toy), "--endpoint", "ai:estradiol:8", "--params",
                                 "anastrozole.ec50_ng_ml,semen_volume", "--n", "4", "--plot", str(png),
                                 "--no-progress"])
    assert result.exit_code == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if "anastrozole.ec50_ng_ml" in line or "semen_volume" in line]
    assert "anastrozole.ec50_ng_ml" in rows[0]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
