"""Scenario files: one man, one protocol, a duration, optional thresholds — as YAML.

.. code-block:: yaml

    name: Obese man on anastrozole          # optional
    patient: {age: 38, bmi: 31, height: 176 cm,
              labs: {total_testosterone: 290 ng/dL, estradiol: 38 pg/mL},
              conditions: [secondary_hypogonadism]}   # optional; see hpgsim.people.conditions
    protocol:                                # list, may be empty (no treatment)
      - {drug: anastrozole, dose: 1 mg, schedule: twice weekly, start_week: 0, weeks: 26}
    # or a library protocol by name (`hpgsim protocols` lists them): protocol: anastrozole-1mg-daily
    # or one regimen as text:                  protocol: anastrozole 1 mg twice weekly for 26 weeks
    monitoring: {...}                        # optional lab checks and dose rules (hpgsim.protocols.monitoring);
                                             # a library protocol brings its own unless this is given
    weeks: 26                                # simulated weeks after week 0 (0 < weeks <= 520)
    thresholds:                              # optional, reported in the summary
      - {measure: total_testosterone, above: 500 ng/dL, label: "T above 500 ng/dL"}

Unknown keys anywhere are errors; every error names the file and the dotted field path
(``examples/x.yaml: protocol[0].dose: expected ...``). Threshold values are stored in the
internal units of :mod:`hpgsim.units`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .drugs.protocol import Protocol
from .errors import InputError
from .people.patient import Patient
from .units import measure_info, to_internal
from .yaml_input import read_yaml_file

MAX_WEEKS = 520.0
_TOP_KEYS = ("name", "patient", "protocol", "weeks", "thresholds", "monitoring")
_PATIENT_KEYS = ("age", "bmi", "height", "labs", "conditions", "name")
_THRESHOLD_KEYS = ("measure", "above", "below", "label")


@dataclass(frozen=True)
class Threshold:
    """A named line in the summary: ``measure`` ``direction`` (above/below) ``value`` (internal units)."""

    measure: str
    direction: str
    value: float
    label: str


@dataclass(frozen=True)
class Scenario:
    """A parsed scenario; ``weeks`` is the simulated duration after week 0."""

    name: str
    patient: Patient
    protocol: Protocol
    weeks: float
    thresholds: tuple[Threshold, ...] = ()
    source_file: str | None = None
    monitoring: Any = None              # hpgsim.protocols.Monitoring, or None
    protocol_name: str | None = None    # the library protocol, when the file named one


def _check_keys(data: object, allowed: tuple[str, ...], field: str, file: str | None,
                required: tuple[str, ...] = ()) -> dict:
    if not isinstance(data, dict):
        raise InputError(field or "scenario", f"a mapping with the keys {', '.join(allowed)}",
                         type(data).__name__, file)
    prefix = f"{field}." if field else ""
    for key in data:
        if key not in allowed:
            raise InputError(f"{prefix}{key}", f"one of the keys {', '.join(allowed)}",
                             f"unknown key {key!r}", file)
    for key in required:
        if key not in data:
            raise InputError(f"{prefix}{key}", f"a value for the required key {key!r}", "nothing", file)
    return data


def _threshold(data: object, field: str, file: str | None) -> Threshold:
    data = _check_keys(data, _THRESHOLD_KEYS, field, file, required=("measure",))
    directions = [key for key in ("above", "below") if key in data]
    if len(directions) != 1:
        raise InputError(field, "exactly one of the keys above or below", f"{len(directions)} of them", file)
    direction = directions[0]
    measure = measure_info(data["measure"], field=f"{field}.measure", file=file).name
    raw = data[direction]
    value = to_internal(measure, raw, field=f"{field}.{direction}", file=file)
    label = data.get("label", f"{measure} {direction} {raw}")
    if not isinstance(label, str):
        raise InputError(f"{field}.label", "a text", repr(label), file)
    return Threshold(measure, direction, value, label)


def _patient(data: object, file: str | None) -> Patient:
    data = _check_keys(data, _PATIENT_KEYS, "patient", file, required=("age", "bmi"))
    name = data.get("name", "")
    if not isinstance(name, str):
        raise InputError("patient.name", "a text", repr(name), file)
    return Patient.build(data["age"], data["bmi"], data.get("height"), data.get("labs"), name,
                         data.get("conditions") or (), field="patient", file=file)


def scenario_from_dict(data: object, file: str | None = None) -> Scenario:
    """A validated :class:`Scenario` from already-loaded data (``file`` is used in errors only)."""
    data = _check_keys(data, _TOP_KEYS, "", file, required=("patient", "weeks"))
    weeks = data["weeks"]
    if isinstance(weeks, bool) or not isinstance(weeks, (int, float)) or not math.isfinite(weeks) \
            or not 0 < weeks <= MAX_WEEKS:
        raise InputError("weeks", f"a number of weeks above 0 and at most {MAX_WEEKS:g}", repr(weeks), file)
    default_name = Path(file).stem if file else "scenario"
    name = data.get("name", default_name)
    if not isinstance(name, str):
        raise InputError("name", "a text", repr(name), file)
    protocol_data = data.get("protocol", [])
    if not isinstance(protocol_data, (list, str, type(None))):
        raise InputError("protocol", "a list of dosing segments (may be empty), a library protocol name or a regimen",
                         type(protocol_data).__name__, file)
    named = None
    if isinstance(protocol_data, str):
        # a library protocol by name, or one regimen as text ("anastrozole 1 mg daily")
        from .protocols.library import named_or_regimen

        named = named_or_regimen(protocol_data, field="protocol", file=file)
    protocol = named.protocol if named else Protocol.coerce(protocol_data, field="protocol", file=file)
    monitoring = named.monitoring if named else None
    if "monitoring" in data:
        from .protocols.monitoring import Monitoring

        monitoring = Monitoring.coerce(data["monitoring"], field="monitoring", file=file)
        if monitoring is not None:
            monitoring.check_against(protocol, field="monitoring", file=file)
    thresholds_data = data.get("thresholds") or []
    if not isinstance(thresholds_data, list):
        raise InputError("thresholds", "a list of thresholds", type(thresholds_data).__name__, file)
    return Scenario(
        name=name,
        patient=_patient(data["patient"], file),
        protocol=protocol,
        weeks=float(weeks),
        thresholds=tuple(_threshold(item, f"thresholds[{i}]", file) for i, item in enumerate(thresholds_data)),
        source_file=file,
        monitoring=monitoring,
        protocol_name=named.name if named and named.in_library else None,
    )


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario YAML file."""
    return scenario_from_dict(read_yaml_file(path, "scenario"), str(path))


def load_patient(path: str | Path) -> Patient:
    """The man of a labs file: a YAML file with a ``patient:`` block as in a scenario (age, bmi,
    height, labs, conditions, name). A whole scenario file works too; its other keys must be
    scenario keys but are not used here."""
    file = str(path)
    data = _check_keys(read_yaml_file(path, "labs"), _TOP_KEYS, "", file, required=("patient",))
    return _patient(data["patient"], file)


