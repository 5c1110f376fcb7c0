"""The result of one simulated man: trajectories in internal units, tables in the units you ask for.

The engine builds a :class:`Result`; everything downstream (the CLI, plots, reports) reads it.
A result checks itself when built, so nothing non-finite ever reaches a table or a file: a NaN
or an infinity raises :class:`~hpgsim.errors.NumericalError` naming the measure.

Time is in hours (``t_hours``); week 0 is the start of the protocol and the *baseline* is the
value at t = 0. A protocol with history (negative weeks) gives negative times before that.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from .errors import InputError, NumericalError

HOURS_PER_DAY = 24.0
HOURS_PER_WEEK = 168.0
UNIT_SYSTEMS = ("conventional", "si")
WRITE_SUFFIXES = (".csv", ".parquet")
DISCLAIMER = "Simulation from hpgsim — research and teaching tool, not medical advice"
ALREADY_AT_BASELINE = "already at baseline"
# columns of Result.lab_checks and Result.adjustments (filled by hpgsim.protocols.monitoring)
LAB_CHECK_COLUMNS = ("week", "drawn_week", "measure", "value", "unit", "value_si", "unit_si", "timing")
ADJUSTMENT_COLUMNS = ("week", "starts_week", "drug", "from", "to", "rule")
_NUMERIC_COLUMNS = ("week", "drawn_week", "starts_week", "value", "value_si")


@dataclass(frozen=True, eq=False)
class Result:
    """Trajectories of one simulated man.

    Parameters
    ----------
    t_hours:
        Output times in hours, strictly increasing, shape ``(n,)``; must span t = 0.
    values:
        Measure name (``total_testosterone``, ``lh``, ``concentration:anastrozole``...) to an
        array of shape ``(n,)`` in the measure's *internal* unit (see :mod:`hpgsim.units`).
    patient, protocol:
        The man and the dosing that produced these trajectories (kept for titles and reports).
    dose_events:
        ``(t_hours, drug, dose)`` for every dose given, dose in the drug's dose unit.
    thresholds:
        Extra named thresholds (objects with ``measure``, ``direction`` ``"above"`` or
        ``"below"``, ``value`` in internal units and ``label``), reported by
        :meth:`threshold_crossings` after the default ones of :mod:`hpgsim.reference_ranges`.
    lab_checks, adjustments:
        Tables of the labs drawn and the dose changes made by protocol monitoring (see
        :func:`hpgsim.protocols.monitoring.apply_monitoring`); empty when there was none.

    Arrays are copied and made read-only; the mapping cannot be changed.
    """

    t_hours: np.ndarray
    values: Mapping[str, np.ndarray]
    patient: Any = None
    protocol: Any = None
    dose_events: tuple[tuple[float, str, float], ...] = ()
    thresholds: tuple = ()
    lab_checks: Any = None      # labs drawn by protocol monitoring (hpgsim.protocols.monitoring)
    adjustments: Any = None     # dose changes made by its rules

    def __post_init__(self) -> None:
        t = _read_only(self.t_hours)
        if t.ndim != 1 or t.size == 0:
            raise InputError("t_hours", "a non-empty one-dimensional array", f"shape {t.shape}")
        if not np.all(np.isfinite(t)):
            raise NumericalError("t_hours is not finite (NaN or infinite)")
        if t.size > 1 and not np.all(np.diff(t) > 0):
            raise InputError("t_hours", "strictly increasing times")
        if not t[0] <= 0.0 <= t[-1]:
            raise InputError("t_hours", "times spanning t = 0 (the baseline)", f"{t[0]:g} to {t[-1]:g} h")
        if not self.values:
            raise InputError("values", "at least one measure")
        values = {}
        for measure, array in self.values.items():
            array = _read_only(array)
            if array.shape != t.shape:
                raise InputError(f"values.{measure}", f"an array of shape {t.shape}", f"shape {array.shape}")
            bad = ~np.isfinite(array)
            if bad.any():
                first = int(np.argmax(bad))
                raise NumericalError(f"{measure} is not finite ({array[first]})", t_hours=float(t[first]))
            values[str(measure)] = array
        for i, threshold in enumerate(self.thresholds):
            if getattr(threshold, "direction", None) not in ("above", "below"):
                raise InputError(f"thresholds[{i}].direction", "above or below", getattr(threshold, "direction", None))
            if threshold.measure not in values:
                raise InputError(f"thresholds[{i}].measure", "a measure this result has", threshold.measure)
        object.__setattr__(self, "t_hours", t)
        object.__setattr__(self, "values", MappingProxyType(values))
        object.__setattr__(self, "dose_events", tuple((float(h), str(d), float(a)) for h, d, a in self.dose_events))
        object.__setattr__(self, "thresholds", tuple(self.thresholds))
        object.__setattr__(self, "lab_checks", empty_lab_checks() if self.lab_checks is None else self.lab_checks)
        object.__setattr__(self, "adjustments", empty_adjustments() if self.adjustments is None else self.adjustments)

    def __repr__(self) -> str:
        weeks = self.weeks
        return f"Result({len(self.values)} measures, {weeks.size} times, weeks {weeks[0]:g} to {weeks[-1]:g})"

    @property
    def weeks(self) -> np.ndarray:
        return self.t_hours / HOURS_PER_WEEK

    # -- tables -------------------------------------------------------------------------------

    def to_frame(self, units: str = "conventional") -> pd.DataFrame:
        """Tidy table, one row per time and measure: ``time_h, day, week, measure, value, unit``."""
        converted = self._converted(units)
        n, k = self.t_hours.size, len(converted)
        return pd.DataFrame({
            "time_h": np.tile(self.t_hours, k),
            "day": np.tile(self.t_hours / HOURS_PER_DAY, k),
            "week": np.tile(self.weeks, k),
            "measure": np.repeat(list(converted), n),
            "value": np.concatenate([v for v, _ in converted.values()]),
            "unit": np.repeat([u for _, u in converted.values()], n),
        })

    def wide(self, units: str = "conventional") -> pd.DataFrame:
        """One column per measure, named ``"measure (unit)"``, indexed by week."""
        converted = self._converted(units)
        index = pd.Index(self.weeks, name="week")
        return pd.DataFrame({f"{m} ({u})": v for m, (v, u) in converted.items()}, index=index)

    def at_week(self, week: float, units: str = "conventional") -> pd.DataFrame:
        """Every measure at ``week`` (linear interpolation between outputs): columns value, unit."""
        weeks = self.weeks
        if not weeks[0] <= week <= weeks[-1]:
            raise InputError("week", f"a week between {weeks[0]:g} and {weeks[-1]:g}", week)
        converted = self._converted(units)
        return pd.DataFrame(
            {"value": [float(np.interp(week, weeks, v)) for v, _ in converted.values()],
             "unit": [u for _, u in converted.values()]},
            index=pd.Index(list(converted), name="measure"),
        )

    def summary(self, units: str = "conventional") -> pd.DataFrame:
        """One row per measure, from week 0 on: baseline (t = 0), nadir and peak with their weeks,
        value at the end, and percent change end vs baseline (missing when the baseline is 0)."""
        from .units import measure_info

        rows = []
        for measure, (v, unit) in self._converted(units).items():
            t, v = self._from_week0(v)
            low, high = int(np.argmin(v)), int(np.argmax(v))
            baseline, end = float(v[0]), float(v[-1])
            rows.append({
                "measure": measure,
                "label": measure_info(measure).label,
                "unit": unit,
                "baseline": baseline,
                "nadir": float(v[low]),
                "nadir_week": t[low] / HOURS_PER_WEEK,
                "peak": float(v[high]),
                "peak_week": t[high] / HOURS_PER_WEEK,
                "end": end,
                "change_pct": 100.0 * (end - baseline) / baseline if baseline != 0 else None,
            })
        frame = pd.DataFrame(rows).set_index("measure")
        frame["change_pct"] = frame["change_pct"].astype("Float64")  # <NA>, not NaN, when undefined
        return frame

    def threshold_crossings(self, units: str = "conventional") -> pd.DataFrame:
        """For each named threshold (the defaults of :mod:`hpgsim.reference_ranges` whose measure
        this result has, then ``thresholds``), the first week after week 0 at which the measure
        crosses it, by linear interpolation between outputs.

        ``first_week`` is a float, ``None`` if the measure never crosses, or the string
        ``"already at baseline"`` if the baseline is already past the threshold; ``first_crossed``
        says the same in words for tables (``"week 5.4"``, ``"not reached by week 12"``,
        ``"already at baseline"``).
        """
        from .reference_ranges import DEFAULT_THRESHOLDS
        from .units import from_internal

        system = _check_units(units)
        chosen = [th for th in DEFAULT_THRESHOLDS if th.measure in self.values] + list(self.thresholds)
        rows = []
        for th in chosen:
            t, v = self._from_week0(self.values[th.measure])
            (value, baseline), unit = from_internal(th.measure, np.array([th.value, v[0]]), system)
            rows.append({
                "threshold": th.label,
                "measure": th.measure,
                "direction": th.direction,
                "value": float(value),
                "unit": unit,
                "baseline": float(baseline),
                "first_week": (first := _first_crossing(t, v, th.value, th.direction)),
                "first_crossed": crossing_text(first, float(t[-1] / HOURS_PER_WEEK)),
                "source": getattr(th, "short", "scenario"),
            })
        columns = ["threshold", "measure", "direction", "value", "unit", "baseline", "first_week", "first_crossed",
                   "source"]
        frame = pd.DataFrame(rows, columns=columns)
        # Built from mixed floats and None, pandas would make first_week a float column with NaN
        # for "never crossed" (and tables would print "week nan"); keep None as documented.
        frame["first_week"] = pd.Series([row["first_week"] for row in rows], index=frame.index, dtype=object)
        return frame

    # -- files --------------------------------------------------------------------------------

    def write(self, path: str | os.PathLike, units: str = "conventional") -> Path:
        """Write the tidy table (:meth:`to_frame`) to ``.csv`` or ``.parquet``, atomically.

        The CSV starts with one ``#`` comment line saying it is a simulation (read it back with
        :func:`read_trajectories` or ``pandas.read_csv(path, comment="#")``); the Parquet file
        carries the same note in its schema metadata under ``hpgsim``.
        """
        path = check_table_path(path)
        frame = self.to_frame(units)
        note = f"{DISCLAIMER}. Units: {units}."
        with atomic_path(path) as tmp:
            if path.suffix.lower() == ".csv":
                with open(tmp, "w", encoding="utf-8", newline="") as handle:
                    handle.write(f"# {note}\n")
                    frame.to_csv(handle, index=False)
            else:
                import pyarrow as pa
                import pyarrow.parquet as pq

                table = pa.Table.from_pandas(frame, preserve_index=False)
                metadata = {**(table.schema.metadata or {}), b"hpgsim": note.encode()}
                pq.write_table(table.replace_schema_metadata(metadata), tmp)
        return path

    # -- helpers ------------------------------------------------------------------------------

    def _converted(self, units: str) -> dict[str, tuple[np.ndarray, str]]:
        from .units import from_internal

        system = _check_units(units)
        out = {}
        for measure, v in self.values.items():
            converted, unit = from_internal(measure, v, system)
            out[measure] = (np.asarray(converted, dtype=float), unit)
        return out

    def _from_week0(self, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Times and values from t = 0 on, starting with the baseline (interpolated if 0 is not
        an output time)."""
        t = self.t_hours
        later = t > 0.0
        baseline = np.interp(0.0, t, v)
        return np.concatenate(([0.0], t[later])), np.concatenate(([baseline], v[later]))


def describe_patient(patient: Any) -> str:
    """``"38-year-old man, BMI 31; labs: Total testosterone 340 ng/dL"`` (conventional units)."""
    if patient is None:
        return "unspecified man"
    if not hasattr(patient, "age"):
        return str(patient)
    from .units import from_internal, measure_info

    text = f"{patient.age:g}-year-old man, BMI {patient.bmi:g}"
    if getattr(patient, "name", ""):
        text = f"{patient.name}: {text}"
    labs = []
    for measure, value in getattr(patient, "labs", {}).items():
        shown, unit = from_internal(measure, value, "conventional")
        labs.append(f"{measure_info(measure).label} {shown:.4g} {unit}")
    return f"{text}; labs: {', '.join(labs)}" if labs else text


def describe_protocol(protocol: Any) -> str:
    """``"anastrozole 1 mg twice weekly, weeks 0-26"``; segments joined by ``"; "``."""
    if protocol is None:
        return "no treatment"
    lines = protocol.describe() if hasattr(protocol, "describe") else [str(protocol)]
    return "; ".join([lines] if isinstance(lines, str) else lines)


def empty_lab_checks() -> pd.DataFrame:
    """A :attr:`Result.lab_checks` table with no rows."""
    return _empty(LAB_CHECK_COLUMNS)


def empty_adjustments() -> pd.DataFrame:
    """A :attr:`Result.adjustments` table with no rows."""
    return _empty(ADJUSTMENT_COLUMNS)


def _empty(columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=float if c in _NUMERIC_COLUMNS else object) for c in columns})


def _read_only(array: Any) -> np.ndarray:
    out = np.array(array, dtype=float, copy=True)
    out.flags.writeable = False
    return out


def _check_units(units: str) -> str:
    if units not in UNIT_SYSTEMS:
        raise InputError("units", " or ".join(UNIT_SYSTEMS), units)
    return units


def _first_crossing(t: np.ndarray, v: np.ndarray, value: float, direction: str) -> float | str | None:
    """First week at which ``v`` goes past ``value`` (t[0] = 0 is the baseline)."""
    past = v < value if direction == "below" else v > value
    if past[0]:
        return ALREADY_AT_BASELINE
    if not past.any():
        return None
    i = int(np.argmax(past))
    # v[i - 1] is not past the threshold and v[i] is, so they differ and the division is safe.
    t_cross = t[i - 1] + (value - v[i - 1]) * (t[i] - t[i - 1]) / (v[i] - v[i - 1])
    return float(t_cross / HOURS_PER_WEEK)


def crossing_text(first_week: float | str | None, last_week: float) -> str:
    """A threshold crossing in words: ``"week 5.4"``, ``"not reached by week 12"`` or ``"already at baseline"``."""
    if first_week is None or (isinstance(first_week, float) and first_week != first_week):   # None or NaN
        return f"not reached by week {last_week:g}"
    if isinstance(first_week, str):
        return first_week
    return f"week {first_week:.1f}"


def check_output_path(path: str | os.PathLike, suffixes: tuple[str, ...]) -> Path:
    """``path`` as a :class:`~pathlib.Path`, if it ends in one of ``suffixes`` and its folder
    exists (checked before a long run, not after it)."""
    path = Path(path)
    if path.suffix.lower() not in suffixes:
        raise InputError("output file", f"a name ending in {' or '.join(suffixes)}", path.name)
    if not path.parent.is_dir():
        raise InputError("output file", "a path in an existing folder", str(path))
    return path


def check_table_path(path: str | os.PathLike) -> Path:
    """``path`` if :meth:`Result.write` can write it (.csv or .parquet in an existing folder)."""
    return check_output_path(path, WRITE_SUFFIXES)


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path in the same folder as ``path``; move it onto ``path`` only when the
    block finishes, so an error or Ctrl-C never leaves a partial file behind."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def read_trajectories(path: str | os.PathLike) -> pd.DataFrame:
    """Read back a table written by :meth:`Result.write` (``.csv`` or ``.parquet``)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in WRITE_SUFFIXES:
        raise InputError("file", "a name ending in .csv or .parquet", path.name)
    return pd.read_csv(path, comment="#") if suffix == ".csv" else pd.read_parquet(path)
