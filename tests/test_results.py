"""Result tables, files and figures, checked on synthetic trajectories whose answers are known
by construction (piecewise-linear curves: nadir, peak and crossing weeks in closed form)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from hpgsim.errors import InputError, NumericalError
from hpgsim.plotting import plot_result
from hpgsim.reference_ranges import DEFAULT_THRESHOLDS, REFERENCE_RANGES
from hpgsim.results import ALREADY_AT_BASELINE, Result, read_trajectories

# Independent conversion factors (evidence/README.md): T 1 nmol/L = 28.84 ng/dL,
# E2 1 pg/mL = 3.671 pmol/L.
NG_DL_PER_NMOL_L = 28.84
PMOL_L_PER_PG_ML = 3.671

WEEK = 168.0


@dataclasses.dataclass(frozen=True)
class _Threshold:
    measure: str
    direction: str
    value: float
    label: str


def v_shaped(history_weeks: float = 0.0) -> Result:
    """Daily outputs over weeks [-history, 10]. Total T (nmol/L) falls 20 -> 8 at 3/week until
    week 4, then rises linearly to 22 at week 10. Before week 0 it sits at 5 (lower than the
    nadir after week 0, so nadir must ignore history). E2 is flat at 30 pmol/L (8.2 pg/mL)."""
    t = np.arange(-history_weeks * WEEK, 10 * WEEK + 1, 24.0)
    w = t / WEEK
    total_t = np.where(w < 0, 5.0, np.where(w <= 4, 20.0 - 3.0 * w, 8.0 + (22.0 - 8.0) / 6.0 * (w - 4)))
    values = {
        "total_testosterone": total_t,
        "estradiol": np.full_like(t, 30.0),
        "lh": 5.0 + 0.1 * np.maximum(w, 0),
        "concentration:anastrozole": np.maximum(w, 0),
    }
    doses = [(h, "anastrozole", 1.0) for h in np.arange(0, 10 * WEEK, 84.0)]
    return Result(t, values, None, None, doses)


# -- summary and crossings ------------------------------------------------------------------

def test_summary_of_v_shaped_curve():
    s = v_shaped().summary("si").loc["total_testosterone"]
    assert s["unit"] == "nmol/L"
    assert s["baseline"] == pytest.approx(20.0)
    assert (s["nadir"], s["nadir_week"]) == (pytest.approx(8.0), pytest.approx(4.0))
    assert (s["peak"], s["peak_week"]) == (pytest.approx(22.0), pytest.approx(10.0))
    assert s["end"] == pytest.approx(22.0)
    assert s["change_pct"] == pytest.approx(10.0)


def test_summary_in_conventional_units_uses_published_factor():
    s = v_shaped().summary("conventional").loc["total_testosterone"]
    assert s["unit"] == "ng/dL"
    assert s["baseline"] == pytest.approx(20.0 * NG_DL_PER_NMOL_L, rel=1e-3)
    assert s["nadir_week"] == pytest.approx(4.0)


def test_summary_ignores_history_before_week_0():
    s = v_shaped(history_weeks=3).summary("si").loc["total_testosterone"]
    assert s["baseline"] == pytest.approx(20.0)
    assert s["nadir"] == pytest.approx(8.0)       # not the 5 nmol/L before week 0


def test_baseline_interpolated_when_week_0_is_not_an_output_time():
    t = np.array([-30.0, -6.0, 18.0, 42.0])
    result = Result(t, {"lh": np.array([2.0, 2.0, 6.0, 6.0])})
    # linear between -6 h (2) and 18 h (6): 2 + 4 * 6 / 24 = 3
    assert result.summary("si").loc["lh", "baseline"] == pytest.approx(3.0)


def test_percent_change_is_missing_not_nan_when_baseline_is_zero():
    change = v_shaped().summary("si").loc["concentration:anastrozole", "change_pct"]
    assert change is pd.NA


def test_crossing_week_in_closed_form():
    crossings = v_shaped().threshold_crossings("si").set_index("threshold")
    low_t = next(th for th in DEFAULT_THRESHOLDS if th.measure == "total_testosterone" and th.direction == "below")
    # 20 - 3 w = threshold  ->  w = (20 - threshold) / 3
    assert crossings.loc[low_t.label, "first_week"] == pytest.approx((20.0 - low_t.value) / 3.0)
    assert crossings.loc["Total T above 916 ng/dL (upper reference limit)", "first_week"] is None


def test_crossing_already_at_baseline():
    crossings = v_shaped().threshold_crossings("conventional").set_index("measure")
    # 30 pmol/L = 8.2 pg/mL, below the 10 pg/mL bone threshold from the start
    assert crossings.loc["estradiol", "first_week"] == ALREADY_AT_BASELINE
    assert crossings.loc["estradiol", "value"] == pytest.approx(10.0)
    assert crossings.loc["estradiol", "baseline"] == pytest.approx(30.0 / PMOL_L_PER_PG_ML, rel=1e-3)


def test_passed_thresholds_follow_the_defaults():
    rising = _Threshold("total_testosterone", "above", 21.0, "T above 21 nmol/L")
    result = dataclasses.replace(v_shaped(), thresholds=(rising,))
    crossings = result.threshold_crossings("si")
    assert list(crossings["threshold"])[-1] == "T above 21 nmol/L"
    # baseline 20 is below 21; rising leg 8 + (14 / 6)(w - 4) = 21  ->  w = 4 + 13 * 6 / 14
    assert crossings.iloc[-1]["first_week"] == pytest.approx(4.0 + 13.0 * 6.0 / 14.0)
    assert crossings.iloc[-1]["source"] == "scenario"


def test_threshold_never_crossed_reads_not_reached_never_nan():
    """Total T falling 20 -> 0 nmol/L over 10 weeks crosses the lower limit (264 ng/dL) and never
    the upper one. A crossing week mixed with a never-crossed None once became NaN in the table,
    which the CLI printed as "week nan"."""
    t = np.arange(0.0, 10 * WEEK + 1, 24.0)
    falling = Result(t, {"total_testosterone": 20.0 - 2.0 * t / WEEK})   # 20 -> 0 nmol/L
    crossings = falling.threshold_crossings("si").set_index("threshold")
    low = next(th for th in DEFAULT_THRESHOLDS if th.measure == "total_testosterone" and th.direction == "below")
    high = next(th for th in DEFAULT_THRESHOLDS if th.measure == "total_testosterone" and th.direction == "above")
    # 20 - 2 w = threshold  ->  w = (20 - threshold) / 2
    assert crossings.loc[low.label, "first_week"] == pytest.approx((20.0 - low.value) / 2.0)
    assert crossings.loc[low.label, "first_crossed"] == f"week {(20.0 - low.value) / 2.0:.1f}"
    assert crossings.loc[high.label, "first_week"] is None
    assert crossings.loc[high.label, "first_crossed"] == "not reached by week 10"

    from rich.console import Console

    from hpgsim.cli import _crossings_table

    console = Console(width=200, record=True)
    console.print(_crossings_table(falling.threshold_crossings()))
    text = console.export_text()
    assert "not reached by week 10" in text and "nan" not in text.lower()


def test_default_thresholds_skip_measures_the_result_lacks():
    crossings = v_shaped().threshold_crossings()
    assert "sperm_concentration" not in set(crossings["measure"])


def test_threshold_on_unknown_measure_is_refused():
    with pytest.raises(InputError, match="thresholds"):
        dataclasses.replace(v_shaped(), thresholds=(_Threshold("fsh", "below", 1.0, "x"),))


# -- validation -----------------------------------------------------------------------------

@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_value_raises_numerical_error_naming_the_measure(bad):
    t = np.arange(0.0, 5 * 24.0, 24.0)
    lh = np.full(t.size, 5.0)
    lh[3] = bad
    with pytest.raises(NumericalError, match="lh") as info:
        Result(t, {"total_testosterone": np.full(t.size, 15.0), "lh": lh})
    assert info.value.t_hours == 72.0


def test_non_finite_time_raises_numerical_error():
    with pytest.raises(NumericalError):
        Result(np.array([0.0, math.nan]), {"lh": np.array([1.0, 1.0])})


@pytest.mark.parametrize("t, values, field", [
    (np.array([0.0, 24.0]), {"lh": np.array([1.0, 2.0, 3.0])}, "values.lh"),
    (np.array([0.0, 24.0, 24.0]), {"lh": np.ones(3)}, "t_hours"),
    (np.array([24.0, 48.0]), {"lh": np.ones(2)}, "t_hours"),
    (np.array([0.0, 24.0]), {}, "values"),
])
def test_malformed_result_is_refused(t, values, field):
    with pytest.raises(InputError) as info:
        Result(t, values)
    assert info.value.field == field


def test_result_is_read_only():
    result = v_shaped()
    with pytest.raises(ValueError):
        result.values["lh"][0] = 99.0
    with pytest.raises(TypeError):
        result.values["lh"] = np.zeros(3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.t_hours = np.zeros(3)


def test_result_copies_its_inputs():
    lh = np.full(3, 5.0)
    result = Result(np.array([0.0, 24.0, 48.0]), {"lh": lh})
    lh[0] = 99.0
    assert result.values["lh"][0] == 5.0


def test_unknown_unit_system_is_an_input_error():
    with pytest.raises(InputError, match="units"):
        v_shaped().to_frame("metric")


# -- tables ---------------------------------------------------------------------------------

def test_tidy_frame_has_one_row_per_time_and_measure():
    result = v_shaped()
    frame = result.to_frame("si")
    assert list(frame.columns) == ["time_h", "day", "week", "measure", "value", "unit"]
    assert len(frame) == result.t_hours.size * len(result.values)
    assert not frame.duplicated(["time_h", "measure"]).any()
    np.testing.assert_allclose(frame["week"], frame["time_h"] / 168.0)
    np.testing.assert_allclose(frame["day"], frame["time_h"] / 24.0)
    lh = frame[frame["measure"] == "lh"]
    np.testing.assert_allclose(lh["value"], result.values["lh"])
    assert set(lh["unit"]) == {"IU/L"}


def test_wide_frame_names_units_and_is_indexed_by_week():
    wide = v_shaped().wide("conventional")
    assert wide.index.name == "week"
    assert "total_testosterone (ng/dL)" in wide.columns
    assert wide.loc[4.0, "total_testosterone (ng/dL)"] == pytest.approx(8.0 * NG_DL_PER_NMOL_L, rel=1e-3)


def test_at_week_interpolates_and_refuses_out_of_range():
    at = v_shaped().at_week(2.5, "si")
    assert at.loc["total_testosterone", "value"] == pytest.approx(20.0 - 3.0 * 2.5)
    assert at.loc["total_testosterone", "unit"] == "nmol/L"
    with pytest.raises(InputError, match="week"):
        v_shaped().at_week(11)


# -- files ----------------------------------------------------------------------------------

@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
@pytest.mark.parametrize("units", ["conventional", "si"])
def test_write_round_trips(tmp_path, suffix, units):
    result = v_shaped(history_weeks=1)
    path = result.write(tmp_path / f"out{suffix}", units)
    back = read_trajectories(path)
    expected = result.to_frame(units)
    pd.testing.assert_frame_equal(back, expected, check_dtype=False, rtol=1e-12)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]   # no temporary file left behind


def test_csv_says_it_is_a_simulation(tmp_path):
    path = v_shaped().write(tmp_path / "out.csv")
    assert path.read_text(encoding="utf-8").splitlines()[0].startswith("# Simulation from hpgsim")


def test_parquet_says_it_is_a_simulation(tmp_path):
    import pyarrow.parquet as pq

    path = v_shaped().write(tmp_path / "out.parquet")
    assert b"Simulation from hpgsim" in pq.read_schema(path).metadata[b"hpgsim"]


@pytest.mark.parametrize("name", ["out.xlsx", "out", "out.csv.gz"])
def test_write_refuses_other_suffixes(tmp_path, name):
    with pytest.raises(InputError, match=".csv or .parquet"):
        v_shaped().write(tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_write_refuses_a_missing_folder(tmp_path):
    with pytest.raises(InputError, match="existing folder"):
        v_shaped().write(tmp_path / "missing" / "out.csv")


def test_interrupted_write_leaves_no_partial_file(tmp_path, monkeypatch):
    path = tmp_path / "out.csv"
    path.write_text("previous run\n")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pd.DataFrame, "to_csv", interrupted)
    with pytest.raises(KeyboardInterrupt):
        v_shaped().write(path)
    assert path.read_text() == "previous run\n"            # the old file is intact
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


# -- reference ranges -----------------------------------------------------------------------

def test_reference_bands_are_in_internal_units():
    total_t = REFERENCE_RANGES["total_testosterone"]
    assert total_t.low == pytest.approx(264 / NG_DL_PER_NMOL_L, rel=1e-3)
    assert total_t.high == pytest.approx(916 / NG_DL_PER_NMOL_L, rel=1e-3)
    assert REFERENCE_RANGES["estradiol"].low == pytest.approx(12.0)          # published in pmol/L
    assert REFERENCE_RANGES["free_testosterone"].derived                   # mean + 2 SD upper limit
    assert REFERENCE_RANGES["sperm_concentration"].high is None


def test_every_band_and_threshold_has_a_source():
    for item in [*REFERENCE_RANGES.values(), *DEFAULT_THRESHOLDS]:
        assert item.source and item.url.startswith("http") and item.short
    for band in REFERENCE_RANGES.values():
        assert band.low is None or band.high is None or band.low < band.high


# -- figure ---------------------------------------------------------------------------------

@pytest.mark.parametrize("units", ["conventional", "si"])
def test_plot_writes_an_image(tmp_path, units):
    path = plot_result(v_shaped(history_weeks=2), tmp_path / "fig.png", units, title="synthetic")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["fig.png"]


def test_plot_refuses_unknown_format(tmp_path):
    with pytest.raises(InputError, match=".png"):
        plot_result(v_shaped(), tmp_path / "fig.jpg")
