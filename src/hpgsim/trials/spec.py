"""Trial specifications: YAML in, frozen validated models out.

.. code-block:: yaml

    id: leder2004                          # [a-z0-9_-]
    title: Anastrozole in elderly men with low or borderline-low testosterone
    citation: Leder BZ et al. J Clin Endocrinol Metab 2004;89:1174-80
    url: https://...                       # optional
    population:                            # every arm's, unless the arm overrides a key
      age: {min: 62, max: 74}              # or {mean: 68, sd: 4}; years
      bmi: {mean: 27, sd: 3}               # optional, same two forms; kg/m2
      conditions: []                       # names, or {name: ..., <severity>: ...}
      include:                             # screen on week-0 values: lt, le, gt or ge
        - {measure: total_testosterone, lt: 350, unit: ng/dL}
    arms:
      - id: daily
        n: 12                              # men in the real arm (for the published interval)
        population: {}                     # optional override
        protocol:                          # [] = no treatment; negative start_week = history
          - {drug: anastrozole, dose: 1 mg, schedule: daily, start_week: 0, weeks: 12}
    endpoints:
      - arm: daily
        measure: total_testosterone        # or concentration:DRUG, t_e2_ratio, bmd_spine in %, ...
        unit: ng/dL                        # default: the measure's conventional unit
        week: 12
        statistic: mean                    # see hpgsim.trials.statistics for all and their keys
        observed:                          # optional: the published result
          baseline: {mean: 343, sd: 61}
          value: {mean: 572, sd: 139}

:func:`load_spec` reads a file (or :func:`parse_spec` a mapping) into a :class:`TrialSpec`.
Every problem, from an unknown key to an impossible unit, becomes one
:class:`~hpgsim.errors.InputError` naming the file and the dotted field path
(``arms[1].protocol[0].drug``). Values with units are converted once, here, to the internal
units of :mod:`hpgsim.units`; endpoint units are kept as written for reporting.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError, field_validator, model_validator

from ..drugs.protocol import Protocol
from ..errors import InputError
from ..units import measure_info, to_internal
from .fields import Frozen, check_id, check_keys, input_error, number, plain
from .population_spec import Normal, Population, PopulationSpec, Screen, Uniform
from .statistics import ENDPOINT_KEYS, OBSERVED_KEYS, SUMMARY_KEYS, WEEKS_STATISTICS, check_endpoint_keys, check_observed

__all__ = ["ArmSpec", "Endpoint", "Normal", "Observed", "Population", "PopulationSpec", "Screen", "Summary",
           "TrialSpec", "Uniform", "load_spec", "parse_spec"]

MAX_WEEK = 520.0            # ten years: the longest span a trial endpoint may ask for
DEFAULT_UNTIL_WEEKS = 104.0  # TRIAL_SPEC: until_week defaults to from_week + 104
PERCENT_CHANGE_MEASURES = ("bmd_spine",)   # measures an endpoint may report in % change from week 0


class ArmSpec(Frozen):
    id: str
    n: int | None = None
    population: PopulationSpec = PopulationSpec()
    protocol: Protocol

    @model_validator(mode="before")
    @classmethod
    def _known(cls, data: object) -> dict:
        return check_keys(data, ("id", "n", "population", "protocol"), "an arm", required=("id", "protocol"))

    @field_validator("id", mode="before")
    @classmethod
    def _id(cls, value: object) -> str:
        return check_id(value)

    @field_validator("n", mode="before")
    @classmethod
    def _n(cls, value: object) -> int | None:
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise InputError("", "the number of men in the real arm (a whole number of at least 1)", repr(value))
        return value

    @field_validator("protocol", mode="before")
    @classmethod
    def _protocol(cls, value: object) -> Protocol:
        if not isinstance(value, (list, tuple)):
            raise InputError("", "a list of dosing segments (an empty list for no treatment)", repr(value))
        return Protocol.coerce(list(value), field="")

    @property
    def has_history(self) -> bool:
        """Whether dosing starts before week 0 (then week-0 values need a simulation)."""
        return self.protocol.earliest_week < 0


class Summary(Frozen):
    """A published summary: mean, sd, median, iqr, fraction or weeks (which ones depends on the statistic)."""

    mean: float | None = None
    sd: float | None = None
    median: float | None = None
    iqr: tuple[float, float] | None = None
    fraction: float | None = None
    weeks: float | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_yaml(cls, data: object) -> dict:
        data = check_keys(data, SUMMARY_KEYS, "a published summary")
        if data.get("fraction") is not None and not 0 <= number(data["fraction"], "fraction") <= 1:
            raise InputError("fraction", "a fraction between 0 and 1", repr(data["fraction"]))
        if data.get("weeks") is not None and number(data["weeks"], "weeks") < 0:
            raise InputError("weeks", "a number of weeks of at least 0", repr(data["weeks"]))
        return data


class Observed(Frozen):
    """The published result of one endpoint, as written in the spec."""

    baseline: Summary | None = None
    value: Summary | None = None
    change_pct: float | None = None
    tolerance_pct_points: float | None = None
    tolerance_weeks: float | None = None
    given: dict[str, Any]       # the observed mapping as written (echoed in the report)

    @model_validator(mode="before")
    @classmethod
    def _from_yaml(cls, data: object) -> dict:
        data = check_keys(data, OBSERVED_KEYS, "the published result")
        for key in ("tolerance_pct_points", "tolerance_weeks"):
            if data.get(key) is not None and number(data[key], key) <= 0:
                raise InputError(key, "a positive tolerance", repr(data[key]))
        return {**data, "given": plain(data)}


class Endpoint(Frozen):
    arm: str
    measure: str
    unit: str
    week: float | None
    statistic: str
    threshold: float | None = None       # in ``unit``
    from_week: float | None = None
    until_week: float | None = None
    observed: Observed | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_yaml(cls, data: object) -> dict:
        data = check_keys(data, ENDPOINT_KEYS, "an endpoint", required=("arm", "measure"))
        data.setdefault("statistic", "mean")
        check_endpoint_keys(data)
        info = measure_info(data["measure"], field="measure")
        measure = info.name
        if measure.startswith("concentration:"):
            from ..drugs.records import get_drug

            get_drug(measure.split(":", 1)[1], field="measure", internal_ok=True)   # parts too (zuclomiphene)
        unit = data.get("unit", info.conventional_unit)
        if not isinstance(unit, str):
            raise InputError("unit", f"a unit such as {info.conventional_unit}", repr(unit))
        percent = unit.strip() == "%" and measure in PERCENT_CHANGE_MEASURES
        if not percent:
            to_internal(measure, 1.0, unit, field="unit")   # refuses units of another quantity
        out = {**data, "measure": measure, "unit": "%" if percent else unit}
        for key in ("week", "from_week", "until_week"):
            if data.get(key) is not None:
                out[key] = number(data[key], key, f"a week number between -{MAX_WEEK:g} and {MAX_WEEK:g}")
                if abs(out[key]) > MAX_WEEK:
                    raise InputError(key, f"a week number between -{MAX_WEEK:g} and {MAX_WEEK:g}", repr(data[key]))
        out.setdefault("week", None)
        if data["statistic"] in WEEKS_STATISTICS:
            if out.get("until_week") is None:
                out["until_week"] = out["from_week"] + DEFAULT_UNTIL_WEEKS
            if out["until_week"] <= out["from_week"]:
                raise InputError("until_week", f"a week after from_week ({out['from_week']:g})", repr(out["until_week"]))
        if data.get("threshold") is not None:
            out["threshold"] = _threshold(measure, data["threshold"], out["unit"], percent)
        if data.get("observed") is not None:
            check_observed(data["statistic"], data["observed"])
        return out

    @property
    def percent_change(self) -> bool:
        """Whether values are percent change from each man's week 0 (``bmd_spine`` in ``%``)."""
        return self.unit == "%" and self.measure in PERCENT_CHANGE_MEASURES

    def last_week(self) -> float:
        return self.until_week if self.statistic in WEEKS_STATISTICS else self.week

    def label(self) -> str:
        return f"{self.measure} {self.statistic} ({self.unit})"


class TrialSpec(Frozen):
    id: str
    title: str
    citation: str
    url: str | None = None
    population: PopulationSpec
    arms: tuple[ArmSpec, ...]
    endpoints: tuple[Endpoint, ...]
    file: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _top(cls, data: object) -> dict:
        keys = ("id", "title", "citation", "url", "population", "arms", "endpoints")
        data = check_keys(data, keys, "a trial spec", required=("id", "title", "citation", "population", "arms", "endpoints"))
        for key in ("arms", "endpoints"):
            if not isinstance(data[key], (list, tuple)) or not data[key]:
                raise InputError(key, f"a non-empty list of {key}", repr(data[key]))
        for key in ("title", "citation", "url"):
            if key in data and not isinstance(data[key], str):
                raise InputError(key, "a text", repr(data[key]))
        data["id"] = check_id(data["id"], "id")
        return data

    @model_validator(mode="after")
    def _cross_check(self) -> "TrialSpec":
        ids = [arm.id for arm in self.arms]
        for i, arm in enumerate(self.arms):
            if arm.id in ids[:i]:
                raise InputError(f"arms[{i}].id", "a different id for every arm", repr(arm.id))
            self.population_of(i)   # every arm must end up with an age distribution
        for k, ep in enumerate(self.endpoints):
            if ep.arm not in ids:
                raise InputError(f"endpoints[{k}].arm", f"the id of an arm ({', '.join(ids)})", repr(ep.arm))
            start = self.arm(ep.arm).protocol.earliest_week
            for key in ("week", "from_week"):
                week = getattr(ep, key)
                if week is not None and week < start:
                    raise InputError(f"endpoints[{k}].{key}", f"a week at or after the start of arm {ep.arm!r} "
                                     f"(week {start:g})", f"{week:g}")
        return self

    def arm(self, arm_id: str) -> ArmSpec:
        return next(arm for arm in self.arms if arm.id == arm_id)

    def population_of(self, index: int) -> Population:
        """Arm ``index``'s population: its own keys over the trial's."""
        arm, base = self.arms[index].population, self.population
        merged = {key: getattr(arm, key) if getattr(arm, key) is not None else getattr(base, key)
                  for key in ("age", "bmi", "conditions", "include")}
        if merged["age"] is None:
            raise InputError(f"arms[{index}].population.age", "an age distribution, here or in the trial's population "
                             "({min, max} or {mean, sd} in years)", "nothing")
        from_arm = arm.include is not None
        return Population(age=merged["age"], bmi=merged["bmi"], conditions=merged["conditions"] or (),
                          include=merged["include"] or (),
                          include_field=f"arms[{index}].population.include" if from_arm else "population.include")


def _threshold(measure: str, value: object, unit: str, percent: bool) -> float:
    """A threshold in the endpoint's unit: a number, or text with a unit (converted)."""
    if isinstance(value, str):
        if percent:
            raise InputError("threshold", "a number (percent change from week 0)", repr(value))
        return to_internal(measure, value, field="threshold") / to_internal(measure, 1.0, unit)
    return number(value, "threshold", f"a number in {unit}, or text with a unit")


# -- loading ------------------------------------------------------------------------------------


def parse_spec(data: object, *, file: str | None = None) -> TrialSpec:
    """A :class:`TrialSpec` from already-loaded YAML data; errors name ``file``."""
    try:
        spec = TrialSpec.model_validate(data)
    except ValidationError as err:
        raise input_error(err, file) from None
    except InputError as err:   # raised outside pydantic's wrapping (not expected, but keep it one line)
        raise err.with_file(file) if file else err from None
    return spec.model_copy(update={"file": file})


def load_spec(path: str | Path) -> TrialSpec:
    """Read and validate a trial spec file."""
    path = Path(path)
    file = str(path)
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise InputError(where, "valid YAML", problem, file) from None
    return parse_spec(data, file=file)
