"""One man: age, body size, the conditions he has and the lab values he walked in with.

Labs are stored in the internal units of :mod:`hpgsim.units` (testosterone in nmol/L,
estradiol in pmol/L, LH/FSH in IU/L, ...) and are checked against the plausible range of each
measure, so an impossible value (a testosterone of 3400 ng/dL typed for 340) fails at the
edge, not deep in a simulation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

import pint

from ..errors import InputError, UnitError
from ..units import check_plausible, parse_quantity, to_internal

LAB_MEASURES = ("total_testosterone", "free_testosterone", "bioavailable_testosterone", "estradiol",
                "lh", "fsh", "shbg", "prolactin", "tsh", "inhibin_b", "sperm_concentration",
                "total_motile_count", "progressive_motility", "semen_volume")
AGE_RANGE = (18.0, 100.0)      # years: adult men
BMI_RANGE = (15.0, 70.0)       # kg/m2
HEIGHT_RANGE = (1.3, 2.2)      # m
DEFAULT_HEIGHT_M = 1.76


def _check_range(value: object, bounds: tuple[float, float], unit: str, field_: str,
                 file: str | None) -> float:
    low, high = bounds
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or not low <= value <= high:
        raise InputError(field_, f"a number between {low:g} and {high:g} {unit}", repr(value), file)
    return float(value)


@dataclass(frozen=True)
class Patient:
    """A man: ``age`` (years), ``bmi`` (kg/m2), ``height_m`` (m), ``labs`` and ``conditions``.

    ``labs`` maps measure names to values in internal units; it is read-only. ``conditions``
    are names or mappings with a severity as in :mod:`hpgsim.people.conditions`
    (``"secondary_hypogonadism"``, ``{"name": "secondary_hypogonadism", "cause": "congenital"}``),
    stored as a tuple of mappings with a ``name``. Construct with :meth:`build` to parse values
    with units.
    """

    age: float
    bmi: float
    height_m: float = DEFAULT_HEIGHT_M
    labs: Mapping[str, float] = field(default_factory=dict, hash=False)
    name: str = ""
    conditions: tuple = field(default=(), hash=False)

    def __post_init__(self) -> None:
        self._validate(field_="patient", file=None)

    def _validate(self, field_: str, file: str | None) -> None:
        _check_range(self.age, AGE_RANGE, "years", f"{field_}.age", file)
        _check_range(self.bmi, BMI_RANGE, "kg/m2", f"{field_}.bmi", file)
        _check_range(self.height_m, HEIGHT_RANGE, "m", f"{field_}.height", file)
        labs = {}
        for measure, value in dict(self.labs).items():
            where = f"{field_}.labs.{measure}"
            if measure not in LAB_MEASURES:
                raise InputError(where, f"a lab measure ({', '.join(LAB_MEASURES)})", repr(measure), file)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise InputError(where, "a number in internal units (use Patient.build for text)", repr(value), file)
            check_plausible(measure, value, field=where, file=file)
            labs[measure] = float(value)
        object.__setattr__(self, "labs", MappingProxyType(labs))
        if not isinstance(self.name, str):
            raise InputError(f"{field_}.name", "a text", repr(self.name), file)
        object.__setattr__(self, "conditions", _conditions(self.conditions, f"{field_}.conditions", file))

    @property
    def weight_kg(self) -> float:
        """Body weight (kg) from BMI and height."""
        return self.bmi * self.height_m ** 2

    @classmethod
    def build(cls, age: float, bmi: float, height: object = None, labs: Mapping | None = None,
              name: str = "", conditions: object = (), *, field: str = "patient",
              file: str | None = None) -> "Patient":
        """A validated patient from user input.

        ``height``: a quantity (``"176 cm"``, ``"69 in"``), or a number read as centimetres
        when between 130 and 220 and as metres when between 1.3 and 2.2 (the two ranges
        cannot be confused); ``None`` means 1.76 m. ``labs``: ``{measure: "340 ng/dL"}``,
        ``{measure: {"value": 340, "unit": "ng/dL"}}`` or ``{measure: [340, "ng/dL"]}``.
        ``conditions``: a list of condition names or mappings (checked against the vocabulary of
        :mod:`hpgsim.people.conditions`; applied to his parameters before his labs are fitted).
        """
        age = _check_range(age, AGE_RANGE, "years", f"{field}.age", file)
        bmi = _check_range(bmi, BMI_RANGE, "kg/m2", f"{field}.bmi", file)
        height_m = parse_height(height, field=f"{field}.height", file=file)
        if labs is None:
            labs = {}
        if not isinstance(labs, Mapping):
            raise InputError(f"{field}.labs", "a mapping of measure to value with unit", type(labs).__name__, file)
        parsed = {}
        for measure, raw in labs.items():
            where = f"{field}.labs.{measure}"
            if measure not in LAB_MEASURES:
                raise InputError(where, f"a lab measure ({', '.join(LAB_MEASURES)})", repr(measure), file)
            parsed[measure] = _lab_value(measure, raw, where, file)
        # validation of ranges happens in __post_init__; re-run it to locate errors in `file`
        try:
            return cls(age=age, bmi=bmi, height_m=height_m, labs=parsed, name=name,
                       conditions=_conditions(conditions, f"{field}.conditions", file))
        except InputError as err:
            raise _relocate(err, "patient", field, file) from None


def _conditions(items: object, where: str, file: str | None) -> tuple:
    """Conditions as a tuple of read-only ``{"name": ..., <severity>}`` mappings (names checked)."""
    from .conditions import parse_condition   # noqa: PLC0415 (conditions sits above this module)

    if items is None:
        return ()
    if isinstance(items, (str, Mapping)):
        items = [items]
    if not isinstance(items, (list, tuple)):
        raise InputError(where, "a list of condition names or mappings with 'name'", type(items).__name__, file)
    return tuple(MappingProxyType(parse_condition(dict(item) if isinstance(item, Mapping) else item,
                                                  field=f"{where}[{i}]", file=file))
                 for i, item in enumerate(items))


def _relocate(err: InputError, old_root: str, new_root: str, file: str | None) -> InputError:
    where = new_root + err.field[len(old_root):] if err.field.startswith(old_root) else err.field
    return type(err)(where, err.expected, err.got, file)


def _lab_value(measure: str, raw: object, where: str, file: str | None) -> float:
    if isinstance(raw, Mapping):
        unknown = set(raw) - {"value", "unit"}
        if unknown or "value" not in raw or "unit" not in raw:
            raise UnitError(where, "a mapping with exactly the keys value and unit",
                            f"keys {sorted(map(str, raw))}", file)
        return to_internal(measure, raw["value"], str(raw["unit"]), field=where, file=file)
    if isinstance(raw, (list, tuple)):
        if len(raw) != 2:
            raise UnitError(where, "a pair [value, unit]", repr(list(raw)), file)
        return to_internal(measure, raw[0], str(raw[1]), field=where, file=file)
    return to_internal(measure, raw, field=where, file=file)


def parse_height(height: object, *, field: str = "patient.height", file: str | None = None) -> float:
    """Height in metres from ``"176 cm"``, ``"1.76 m"``, ``"69 in"``, 176 (cm), 1.76 (m) or None."""
    if height is None:
        return DEFAULT_HEIGHT_M
    expected = f"a height such as '176 cm' or '1.76 m', between {HEIGHT_RANGE[0]:g} and {HEIGHT_RANGE[1]:g} m"
    if isinstance(height, bool):
        raise InputError(field, expected, repr(height), file)
    if isinstance(height, (int, float)):
        # nobody is 10 m tall or 10 cm tall, so the magnitude says which unit was meant
        metres = height / 100.0 if height >= 10 else float(height)
    else:
        q = parse_quantity(height, field=field, file=file)
        try:
            metres = float(q.to("m").magnitude)
        except pint.DimensionalityError:
            raise UnitError(field, expected, repr(height), file) from None
    if not (math.isfinite(metres) and HEIGHT_RANGE[0] <= metres <= HEIGHT_RANGE[1]):
        raise InputError(field, expected, repr(height), file)
    return metres
