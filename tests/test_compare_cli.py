"""`hpgsim protocols`, `hpgsim compare`, `hpgsim drugs` and `hpgsim simulate --protocol`, run
end to end on the real engine (short runs)."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import hpgsim.protocols.drug_table as drug_table_module
from hpgsim.cli import app
from hpgsim.drugs.records import all_drugs
from hpgsim.protocols import protocol_names

ROOT = Path(__file__).resolve().parents[1]
UNTREATED = ROOT / "examples" / "untreated_healthy_man.yaml"
runner = CliRunner()


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    return lines[0]


@pytest.mark.parametrize("command", ["protocols", "compare", "drugs"])
def test_each_command_help_teaches(command):
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    for text in (f"hpgsim {command}", "Examples", "Exit codes"):
        assert text in result.output


def test_protocols_lists_the_library_with_evidence_levels():
    result = runner.invoke(app, ["protocols"])
    assert result.exit_code == 0, result.output
    assert "not a dosing recommendation" in result.output
    for name in ("anastrozole-1mg-daily", "anastrozole-0.5mg-twice-weekly", "clinic practice (no trial)"):
        assert name in result.output
    assert len(protocol_names()) >= 29


def test_protocols_name_shows_segments_monitoring_sources_and_note():
    result = runner.invoke(app, ["protocols", "anastrozole-with-monitoring"])
    assert result.exit_code == 0, result.output
    for text in ("Evidence: clinic practice (no trial)", "anastrozole 1 mg daily", "Monitoring:",
                 "estradiol < 15 pg/mL", "Sources:", "Burnett-Bowie", "not a dosing recommendation"):
        assert text in result.output


def test_unknown_protocol_is_one_line_with_close_matches():
    result = runner.invoke(app, ["protocols", "anastrozole-1mg-dayly"])
    assert result.exit_code == 2
    assert "anastrozole-1mg-daily" in one_line(result.stderr)


def test_compare_two_anastrozole_protocols(tmp_path):
    out, plot = tmp_path / "cmp.csv", tmp_path / "cmp.png"
    result = runner.invoke(app, ["compare", str(UNTREATED), "--protocols",
                                 "anastrozole-1mg-daily,anastrozole-1mg-twice-weekly",
                                 "--weeks", "8", "--out", str(out), "--plot", str(plot)])
    assert result.exit_code == 0, result.output
    assert "Simulation" in result.output and "not a dosing recommendation" in result.output
    assert "anastrozole-1mg-twice-weekly" in result.output and "E2 < 15 pg/mL" in result.output
    assert out.read_text().startswith("# Simulation")
    table = pd.read_csv(out, comment="#")
    assert list(table.protocol) == ["anastrozole-1mg-daily", "anastrozole-1mg-twice-weekly"]
    assert (table.weeks == 8).all()
    # an aromatase inhibitor lowers E2 and raises T; daily dosing more than twice weekly
    assert (table.estradiol_change_pct < 0).all() and (table.total_testosterone_change_pct > 0).all()
    daily, twice = table.iloc[0], table.iloc[1]
    assert daily.estradiol_end < twice.estradiol_end
    assert {"e2_below_15_pgml", "tt_above_1000_ngdl", "dose_changes"} <= set(table.columns)
    assert plot.stat().st_size > 10_000


def test_compare_takes_a_regimen_written_as_text(tmp_path):
    # the library's daily arm and the same dosing written as text are the same simulation; the
    # text carries no evidence level of its own and a misspelt drug in it is refused in one line
    out = tmp_path / "cmp.csv"
    result = runner.invoke(app, ["compare", str(UNTREATED), "--protocols",
                                 "anastrozole-1mg-daily,anastrozole 1 mg daily", "--weeks", "4", "--out", str(out)])
    assert result.exit_code == 0, result.output
    library, text = pd.read_csv(out, comment="#").itertuples()
    assert text.protocol == "anastrozole 1 mg daily" and text.evidence.startswith("not rated")
    assert library.evidence == "trial"
    assert text.total_testosterone_end == pytest.approx(library.total_testosterone_end, rel=1e-9)
    result = runner.invoke(app, ["compare", str(UNTREATED), "--protocols", "anastrozol 1 mg daily"])
    assert result.exit_code == 2 and "anastrozol" in one_line(result.stderr)


def test_compare_refuses_unknown_protocols_and_bad_outputs(tmp_path):
    result = runner.invoke(app, ["compare", str(UNTREATED), "--protocols", "anastrozole-1mg-daily,nope"])
    assert result.exit_code == 2
    assert "nope" in one_line(result.stderr)
    result = runner.invoke(app, ["compare", str(UNTREATED), "--protocols", "anastrozole-1mg-daily",
                                 "--out", str(tmp_path / "t.xlsx")])
    assert result.exit_code == 2
    assert ".csv" in one_line(result.stderr)


def test_drugs_csv_lists_the_registered_drugs_with_simulated_changes(monkeypatch):
    present = {name: record for name, record in all_drugs().items()
               if name in ("anastrozole", "letrozole", "placebo")}
    monkeypatch.setattr(drug_table_module, "all_drugs", lambda: present)
    result = runner.invoke(app, ["drugs", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# Simulated change") and "not a dosing recommendation" in result.output
    table = pd.read_csv(io.StringIO(result.output), comment="#")
    expected = sorted(name for name, record in present.items() if record.usual_regimen)
    assert sorted(table.drug) == expected            # placebo has no usual regimen
    for row in table.itertuples():
        assert row.change_pct_estradiol < 0 < row.change_pct_total_testosterone   # aromatase inhibitors
        assert row.half_life_h > 24 and row.usual_regimen.startswith(row.drug)
        assert "anastrozole-1mg-daily" in row.protocols or row.drug != "anastrozole"
    # the spread of exposure virtual men are drawn with: Yuan's AUC CV for anastrozole; none
    # published for letrozole, so every man clears it alike
    cv = dict(zip(table.drug, table.exposure_cv))
    assert cv["anastrozole"] == pytest.approx(0.32) and pd.isna(cv["letrozole"])


def test_drugs_markdown_is_a_table_with_a_disclaimer(monkeypatch):
    present = {name: record for name, record in all_drugs().items() if name == "anastrozole"}
    monkeypatch.setattr(drug_table_module, "all_drugs", lambda: present)
    result = runner.invoke(app, ["drugs", "--format", "markdown"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("_Simulated change") and "not medical advice" in lines[0]
    assert lines[2].startswith("| Drug |") and lines[4].startswith("| anastrozole |")
    assert "| Exposure CV between men |" in lines[2] and "| 32% |" in lines[4]


def test_simulate_with_a_library_protocol_prints_its_lab_checks(tmp_path):
    result = runner.invoke(app, ["simulate", str(UNTREATED), "--protocol", "anastrozole-with-monitoring",
                                 "--out", str(tmp_path / "t.csv")])
    assert result.exit_code == 0, result.output
    assert "Lab checks" in result.output and "pmol/L" in result.output
    assert "anastrozole 1 mg daily" in result.output


def test_simulate_with_a_regimen_as_text(tmp_path):
    out = tmp_path / "t.csv"
    result = runner.invoke(app, ["simulate", str(UNTREATED), "--protocol", "clomiphene_citrate 25 mg daily for 8 weeks",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Protocol: clomiphene_citrate 25 mg daily, weeks 0-8" in result.output and "Lab checks" not in result.output
    table = pd.read_csv(out, comment="#")
    lh = table[table.measure == "lh"].set_index("week")["value"]
    assert lh.loc[8.0] > lh.loc[0.0]     # an ER antagonist lifts LH
