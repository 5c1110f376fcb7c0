"""The command line: help that teaches, one-line errors with the right exit code, and every
shipped example run end to end.

Tests marked "end to end" run the real engine; the others replace ``hpgsim.simulate`` with a
stand-in that returns a known :class:`~hpgsim.results.Result`, so they check the CLI alone.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import hpgsim
from hpgsim.cli import app
from hpgsim.errors import NumericalError
from hpgsim.results import Result, read_trajectories

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
UNTREATED = ROOT / "examples" / "untreated_healthy_man.yaml"
runner = CliRunner()


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    return lines[0]


def fake_simulate(patient, protocol, weeks, *, output_every_hours=24.0, thresholds=(), file=None):
    t = np.arange(0.0, weeks * 168.0 + output_every_hours / 2, output_every_hours)
    w = t / 168.0
    values = {"total_testosterone": 15.0 + 0.1 * w, "estradiol": 90.0 - w, "lh": np.full(t.size, 5.0),
              "sperm_concentration": np.full(t.size, 50.0)}
    return Result(t, values, patient, protocol, protocol.dose_events(t[-1]), thresholds)


@pytest.fixture
def stand_in(monkeypatch):
    monkeypatch.setattr(hpgsim, "simulate", fake_simulate, raising=False)


# -- help -----------------------------------------------------------------------------------

def test_help_names_every_command_units_and_exit_codes():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for text in ("simulate", "demo", "Examples", "ng/dL", "nmol/L", "Exit codes", "not a medical device"):
        assert text in result.output


@pytest.mark.parametrize("command", ["simulate", "demo"])
def test_each_command_help_teaches(command):
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    for text in (f"hpgsim {command}", "Examples", "pg/mL", "Exit codes"):
        assert text in result.output


def test_entry_point_runs():
    # the console script when hpgsim is installed next to this interpreter (make test), else the module
    script = Path(sys.executable).with_name("hpgsim")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "hpgsim.cli"]
    done = subprocess.run([*command, "--help"], capture_output=True, text=True)
    assert done.returncode == 0 and "Usage: hpgsim" in done.stdout


# -- errors ---------------------------------------------------------------------------------

def test_missing_scenario_is_one_line_exit_2(tmp_path):
    missing = tmp_path / "no_such_scenario.yaml"
    result = runner.invoke(app, ["simulate", str(missing)])
    assert result.exit_code == 2
    line = one_line(result.stderr)
    assert line.startswith("hpgsim: error:") and "no_such_scenario.yaml" in line
    assert "Traceback" not in result.output


def test_invalid_scenario_is_one_line_naming_file_and_field(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("patient: {age: 38, bmi: 31}\nweeks: 26\ncolour: blue\n")
    result = runner.invoke(app, ["simulate", str(bad), "--out", str(tmp_path / "t.csv")])
    assert result.exit_code == 2
    line = one_line(result.stderr)
    assert "bad.yaml" in line and "colour" in line
    assert not (tmp_path / "t.csv").exists()


@pytest.mark.parametrize("args, text", [
    (["--out", "t.xlsx"], ".csv or .parquet"),
    (["--plot", "t.jpg"], ".png"),
    (["--every", "0"], "--every"),
])
def test_bad_options_are_one_line_exit_2(tmp_path, monkeypatch, stand_in, args, text):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["simulate", str(UNTREATED), *args])
    assert result.exit_code == 2
    assert text in one_line(result.stderr)
    assert list(tmp_path.iterdir()) == []


def test_unknown_units_is_a_usage_error():
    result = runner.invoke(app, ["simulate", str(UNTREATED), "--units", "metric"])
    assert result.exit_code == 2


def test_numerical_failure_is_one_line_exit_3(tmp_path, monkeypatch):
    def failing(*args, **kwargs):
        raise NumericalError("step size underflow", t_hours=48.0)

    monkeypatch.setattr(hpgsim, "simulate", failing, raising=False)
    result = runner.invoke(app, ["simulate", str(UNTREATED), "--out", str(tmp_path / "t.csv")])
    assert result.exit_code == 3
    assert "step size underflow" in one_line(result.stderr)
    assert not (tmp_path / "t.csv").exists()


def test_ctrl_c_is_one_line_exit_130_and_no_partial_file(tmp_path, monkeypatch, stand_in):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pd.DataFrame, "to_csv", interrupted)
    result = runner.invoke(app, ["simulate", str(UNTREATED), "--out", str(tmp_path / "t.csv")])
    assert result.exit_code == 130
    assert "interrupted" in one_line(result.stderr)
    assert list(tmp_path.iterdir()) == []


# -- the CLI alone, with a stand-in engine --------------------------------------------------

def test_simulate_prints_header_summary_and_writes_files(tmp_path, stand_in):
    out, plot = tmp_path / "t.parquet", tmp_path / "t.png"
    result = runner.invoke(app, ["simulate", str(UNTREATED), "--out", str(out), "--plot", str(plot),
                                 "--units", "si", "--every", "12"])
    assert result.exit_code == 0, result.output
    for text in ("Simulation, not a dosing recommendation.", "30-year-old man", "no treatment",
                 "Total testosterone", "nmol/L", "Total T below 264 ng/dL", str(out.name), str(plot.name)):
        assert text in result.stdout
    table = read_trajectories(out)
    assert set(table["unit"][table["measure"] == "total_testosterone"]) == {"nmol/L"}
    assert np.allclose(np.diff(table["time_h"][table["measure"] == "lh"]), 12.0)
    assert plot.read_bytes()[:4] == b"\x89PNG"


def test_scenario_thresholds_are_reported(tmp_path, stand_in):
    scenario = ROOT / "examples" / "older_man_low_t_anastrozole_daily.yaml"
    result = runner.invoke(app, ["simulate", str(scenario), "--out", str(tmp_path / "t.csv")])
    assert result.exit_code == 0, result.output
    # the stand-in's T rises from 15 nmol/L (433 ng/dL) by 0.1 nmol/L a week: never above 500 ng/dL
    assert "Total T above 500 ng/dL" in result.stdout and "not reached by week 12" in result.stdout


def test_default_output_is_named_after_the_scenario(tmp_path, monkeypatch, stand_in):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["simulate", str(UNTREATED)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "untreated_healthy_man-trajectories.csv").is_file()


# -- end to end, with the real engine -------------------------------------------------------

@pytest.mark.parametrize("scenario", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_runs_end_to_end(tmp_path, scenario):
    out, plot = tmp_path / "t.csv", tmp_path / "t.png"
    result = runner.invoke(app, ["simulate", str(scenario), "--out", str(out), "--plot", str(plot)])
    assert result.exit_code == 0, result.output + repr(result.exception)
    table = read_trajectories(out)
    assert len(table) > 0 and not table["value"].isna().any()
    assert np.isfinite(table["value"]).all()
    assert plot.read_bytes()[:4] == b"\x89PNG"


def test_examples_exist():
    assert len(EXAMPLES) >= 2


def test_demo_writes_its_two_files(tmp_path):
    result = runner.invoke(app, ["demo", "--out", str(tmp_path / "demo")])
    assert result.exit_code == 0, result.output + repr(result.exception)
    assert "Simulation, not a dosing recommendation." in result.stdout
    table = read_trajectories(tmp_path / "demo" / "demo-trajectories.csv")
    assert not table["value"].isna().any()
    assert (tmp_path / "demo" / "demo.png").read_bytes()[:4] == b"\x89PNG"
