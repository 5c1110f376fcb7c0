"""The endpoint statistics of the trial format: which keys each needs and which published keys it takes.

One table (:data:`STATISTIC_TABLE`), read by the spec parser to check endpoints and by
:mod:`hpgsim.trials.endpoints` to compute them, so the two cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..errors import InputError


@dataclass(frozen=True)
class Statistic:
    """One statistic: its extra endpoint keys (required, optional) and the published keys it accepts."""

    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    observed: tuple[str, ...]        # top-level keys of ``observed`` besides value
    value_keys: tuple[str, ...]      # keys of ``observed.value`` (and ``observed.baseline``)
    simulated: str                   # what the simulated result holds, for messages and docs


_LEVEL_VALUE_KEYS = ("mean", "sd", "median", "iqr")
STATISTIC_TABLE: dict[str, Statistic] = {s.name: s for s in (
    Statistic("mean", ("week",), (), ("baseline", "value", "change_pct", "tolerance_pct_points"),
              _LEVEL_VALUE_KEYS, "{mean, sd, median} at week and at week 0"),
    Statistic("median", ("week",), (), ("baseline", "value", "change_pct", "tolerance_pct_points"),
              _LEVEL_VALUE_KEYS, "{mean, sd, median} at week and at week 0"),
    Statistic("fraction_below", ("week", "threshold"), (), ("value",), ("fraction",), "{fraction} at week"),
    Statistic("fraction_at_least", ("week", "threshold"), (), ("value",), ("fraction",), "{fraction} at week"),
    Statistic("median_weeks_to_at_least", ("threshold", "from_week"), ("until_week", "week"),
              ("value", "tolerance_weeks"), ("weeks",), "{weeks}"),
    Statistic("median_weeks_to_below", ("threshold", "from_week"), ("until_week", "week"),
              ("value", "tolerance_weeks"), ("weeks",), "{weeks}"),
)}
STATISTICS = tuple(STATISTIC_TABLE)
WEEKS_STATISTICS = ("median_weeks_to_at_least", "median_weeks_to_below")
FRACTION_STATISTICS = ("fraction_below", "fraction_at_least")
LEVEL_STATISTICS = ("mean", "median")

EXTRA_KEYS = ("week", "threshold", "from_week", "until_week")
ENDPOINT_KEYS = ("arm", "measure", "unit", "statistic", *EXTRA_KEYS, "observed")
OBSERVED_KEYS = ("baseline", "value", "change_pct", "tolerance_pct_points", "tolerance_weeks")
SUMMARY_KEYS = ("mean", "sd", "median", "iqr", "fraction", "weeks")


def check_endpoint_keys(data: Mapping) -> None:
    """Refuse an unknown statistic, a missing extra key, or one the statistic does not use."""
    name = data.get("statistic")
    if name not in STATISTIC_TABLE:
        raise InputError("statistic", f"one of the statistics {', '.join(STATISTICS)}", repr(name))
    stat = STATISTIC_TABLE[name]
    for key in stat.required:
        if data.get(key) is None:
            raise InputError(key, f"a value for {key!r} (statistic {name} needs {', '.join(stat.required)})", "nothing")
    for key in EXTRA_KEYS:
        if key in data and key not in stat.required + stat.optional:
            users = [s.name for s in STATISTIC_TABLE.values() if key in s.required + s.optional]
            raise InputError(key, f"no {key!r} with statistic {name} (it belongs to {', '.join(users)})",
                             repr(data[key]))


def check_observed(statistic: str, observed: object) -> None:
    """Refuse published keys the statistic cannot be compared with (fields relative to the endpoint)."""
    stat = STATISTIC_TABLE[statistic]
    if not isinstance(observed, Mapping):
        raise InputError("observed", "a mapping with the published result", type(observed).__name__)
    for key in observed:
        if key not in stat.observed:
            raise InputError(f"observed.{key}", f"one of {', '.join(stat.observed)} for statistic {statistic}",
                             f"key {key!r}")
    for part in ("baseline", "value"):
        summary = observed.get(part)
        if summary is None:
            continue
        if not isinstance(summary, Mapping):
            raise InputError(f"observed.{part}", f"a mapping with {', '.join(stat.value_keys)}", repr(summary))
        for key in summary:
            if key not in stat.value_keys:
                raise InputError(f"observed.{part}.{key}",
                                 f"one of {', '.join(stat.value_keys)} for statistic {statistic}", f"key {key!r}")
    if statistic in LEVEL_STATISTICS:
        value, change = observed.get("value"), observed.get("change_pct")
        if value is None and change is None:
            raise InputError("observed", "value (with baseline) or change_pct", f"keys {sorted(map(str, observed))}")
        if value is not None and not ({"mean", "median"} & set(value)):
            raise InputError("observed.value", "a mean or a median", f"keys {sorted(map(str, value))}")
        base = observed.get("baseline")
        if base is not None and not ({"mean", "median"} & set(base)):
            raise InputError("observed.baseline", "a mean or a median", f"keys {sorted(map(str, base))}")
    else:
        key = stat.value_keys[0]
        if not isinstance(observed.get("value"), Mapping) or key not in observed["value"]:
            raise InputError(f"observed.value.{key}", f"the published {key} (statistic {statistic})", "nothing")
