"""Who a trial enrols: age and BMI distributions, conditions and week-0 screens.

The trial's ``population`` and each arm's override are :class:`PopulationSpec` (every key
optional at arm level); :meth:`hpgsim.trials.spec.TrialSpec.population_of` merges them into an
arm's :class:`Population`. Screen thresholds are converted to internal units here.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import field_validator, model_validator

from ..errors import InputError
from ..people.patient import AGE_RANGE, BMI_RANGE
from ..units import measure_info, to_internal
from .fields import Frozen, check_keys, number

OPERATORS = {"lt": "<", "le": "<=", "gt": ">", "ge": ">="}
_COMPARE = {"lt": operator.lt, "le": operator.le, "gt": operator.gt, "ge": operator.ge}


class Uniform(Frozen):
    """Uniform between ``min`` and ``max`` (years or kg/m2)."""

    min: float
    max: float


class Normal(Frozen):
    """Normal with ``mean`` and ``sd``, truncated to the adult range when drawn."""

    mean: float
    sd: float


def _distribution(data: object, unit: str, bounds: tuple[float, float]) -> Uniform | Normal:
    low, high = bounds
    expected = f"either {{min, max}} or {{mean, sd}} in {unit}"
    if not isinstance(data, Mapping) or set(data) not in ({"min", "max"}, {"mean", "sd"}):
        shown = sorted(map(str, data)) if isinstance(data, Mapping) else repr(data)
        raise InputError("", expected, f"keys {shown}" if isinstance(data, Mapping) else shown)
    values = {key: number(value, str(key), f"a number of {unit}") for key, value in data.items()}
    if "min" in values:
        if not low <= values["min"] <= values["max"] <= high:
            raise InputError("", f"{low:g} <= min <= max <= {high:g} {unit}",
                             f"min {values['min']:g}, max {values['max']:g}")
        return Uniform(**values)
    if not low <= values["mean"] <= high:
        raise InputError("mean", f"a mean between {low:g} and {high:g} {unit}", repr(data["mean"]))
    if values["sd"] < 0:
        raise InputError("sd", "a standard deviation of at least 0", repr(data["sd"]))
    return Normal(**values)

class Screen(Frozen):
    """An enrolment criterion on a week-0 value: ``measure op threshold`` (threshold internal)."""

    measure: str
    op: Literal["lt", "le", "gt", "ge"]
    value: float
    unit: str | None
    threshold: float

    @model_validator(mode="before")
    @classmethod
    def _from_yaml(cls, data: object) -> dict:
        data = check_keys(data, ("measure", *OPERATORS, "unit"), "an enrolment screen", required=("measure",))
        ops = [key for key in OPERATORS if key in data]
        if len(ops) != 1:
            raise InputError("", "exactly one of the operators lt, le, gt, ge", f"{len(ops)} of them")
        measure = measure_info(data["measure"], field="measure").name
        op, unit = ops[0], data.get("unit")
        if unit is not None and not isinstance(unit, str):
            raise InputError("unit", "a unit such as ng/dL", repr(unit))
        value = number(data[op], op)
        return {"measure": measure, "op": op, "value": value, "unit": unit,
                "threshold": to_internal(measure, value, unit, field=op)}

    def describe(self) -> str:
        return f"{self.measure} {OPERATORS[self.op]} {self.value:g}{'' if self.unit is None else ' ' + self.unit}"

    def passes(self, internal_values):
        """Which of ``internal_values`` (numbers or an array, internal units) meet the screen."""
        return _COMPARE[self.op](internal_values, self.threshold)


class PopulationSpec(Frozen):
    """Who is enrolled; at arm level every key is optional and overrides the trial's."""

    age: Uniform | Normal | None = None
    bmi: Uniform | Normal | None = None
    conditions: tuple[str | dict[str, Any], ...] | None = None
    include: tuple[Screen, ...] | None = None

    @model_validator(mode="before")
    @classmethod
    def _known(cls, data: object) -> dict:
        return check_keys(data, ("age", "bmi", "conditions", "include"), "a population")

    @field_validator("age", mode="before")
    @classmethod
    def _age(cls, value: object) -> Uniform | Normal | None:
        return None if value is None else _distribution(value, "years", AGE_RANGE)

    @field_validator("bmi", mode="before")
    @classmethod
    def _bmi(cls, value: object) -> Uniform | Normal | None:
        return None if value is None else _distribution(value, "kg/m2", BMI_RANGE)

    @field_validator("conditions", mode="before")
    @classmethod
    def _conditions(cls, value: object) -> tuple | None:
        if value is None:
            return None
        if not isinstance(value, (list, tuple)):
            raise InputError("", "a list of conditions (names, or mappings with name and severity)", repr(value))
        items = tuple(dict(item) if isinstance(item, Mapping) else item for item in value)
        if items:
            from ..people.conditions import apply_conditions
            from ..physiology.parameters import default_vector

            apply_conditions(default_vector(), list(items), field="")   # unknown names fail here, not mid-trial
        return items

    @field_validator("include", mode="before")
    @classmethod
    def _include(cls, value: object) -> object:
        if value is not None and not isinstance(value, (list, tuple)):
            raise InputError("", "a list of screens such as {measure: total_testosterone, lt: 350, unit: ng/dL}",
                             repr(value))
        return value


class Population(Frozen):
    """One arm's resolved population (the trial's, with the arm's keys merged over it)."""

    age: Uniform | Normal
    bmi: Uniform | Normal | None
    conditions: tuple[str | dict[str, Any], ...]
    include: tuple[Screen, ...]
    include_field: str      # where the screen was written, for the "impossible screen" error
