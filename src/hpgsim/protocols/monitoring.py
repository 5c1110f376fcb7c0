"""Lab checks and dose-adjustment rules inside a protocol, replayed on the simulated man.

.. code-block:: yaml

    monitoring:
      checks:
        - {weeks: [4, 8, 12], measures: [estradiol, total_testosterone], timing: trough}
        - {every_weeks: 4, from_week: 4, until_week: 26, measures: [semen_analysis]}
        - {weeks: [6], measures: [total_testosterone],
           timing: {hours_after_dose: 24, drug: testosterone_cypionate}}
      rules:
        - when: {measure: estradiol, lt: 15, unit: pg/mL}          # lt, le, gt or ge
          then: {drug: anastrozole, set_dose: 0.5 mg, set_schedule: twice weekly}
        - when: [{measure: total_testosterone, lt: 20, unit: nmol/L},  # a list: all must hold
                 {measure: estradiol, ge: 40, unit: pmol/L}]
          then: {drug: letrozole, add_dose: 2.5 mg, max_dose: 17.5 mg}   # or scale_dose: 1.5; or stop: true

Semantics. A *visit* is a week at which at least one check is due (weeks after week 0, up to
the end of the run). At a visit the simulated labs are read: ``trough`` is the value at the
visit, before any dose due then; ``{hours_after_dose: N, drug: D}`` is the value N hours after
the latest dose of D that leaves the draw at or before the visit (the trough when D has had no
such dose). ``semen_analysis`` stands for sperm concentration, progressive motility and total
motile count. Then each rule, in order and at most once per visit, is tested on that visit's
labs (a rule whose measure was not drawn at the visit is not tested); when it holds it changes
the drug's dosing from the next dose due at or after the visit: ``set_dose``, ``scale_dose`` or
``add_dose`` (negative to lower) change the dose per administration, bounded by ``max_dose``
and ``min_dose``; ``set_schedule`` changes the rhythm; ``stop`` ends the drug. A dose that
falls to zero or below with no ``min_dose`` stops the drug. A rule that would leave the dosing
as it is (a titration already at its ``max_dose``) changes nothing and is not listed.

How. Replay on the public engine surface: simulate the current dosing, read the labs at the
visits, and at the first visit where a rule changes something rewrite the future dose
segments (the segment running at the visit is split: the old part ends where the new one
starts) and simulate again; the dosing before a visit never changes, so labs already read stay
valid. :func:`apply_monitoring` returns the final protocol, which :func:`hpgsim.simulate` then
runs as usual.

Lab thresholds are data a user types, not clinical advice: the simulator never recommends a
dose.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from ..drugs.protocol import DoseSegment, Protocol
from ..drugs.records import get_drug
from ..drugs.regimen import HOURS_PER_WEEK, Schedule, parse_schedule
from ..errors import InputError
from ..results import ADJUSTMENT_COLUMNS, LAB_CHECK_COLUMNS, empty_adjustments, empty_lab_checks
from ..units import dose_to_unit, from_internal, measure_info, parse_quantity, to_internal

SEMEN_ANALYSIS = ("sperm_concentration", "progressive_motility", "total_motile_count")
OPERATORS = {"lt": ("<", np.less), "le": ("<=", np.less_equal), "gt": (">", np.greater),
             "ge": (">=", np.greater_equal)}

_MONITORING_KEYS = ("checks", "rules")
_CHECK_KEYS = ("weeks", "every_weeks", "from_week", "until_week", "measures", "timing")
_TIMING_KEYS = ("hours_after_dose", "drug")
_RULE_KEYS = ("when", "then")
_WHEN_KEYS = ("measure", "unit", *OPERATORS)
_THEN_KEYS = ("drug", "set_dose", "scale_dose", "add_dose", "set_schedule", "stop", "max_dose", "min_dose")
_MAX_CHECKS = 10_000
_EPS_H = 1e-6
_NUMBER_UNIT = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.+?)\s*$")


# -- value objects ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Timing:
    """When blood is drawn at a visit: the trough (``hours_after_dose is None``) or
    ``hours_after_dose`` hours after the latest dose of ``drug``."""

    hours_after_dose: float | None = None
    drug: str | None = None

    def describe(self) -> str:
        if self.hours_after_dose is None:
            return "trough"
        return f"{self.hours_after_dose:g} h after {self.drug}"


@dataclass(frozen=True)
class Check:
    """Labs drawn at given weeks, or every ``every_weeks`` weeks from ``from_week`` to
    ``until_week`` (the end of the run when ``None``)."""

    measures: tuple[str, ...]
    weeks: tuple[float, ...] = ()
    every_weeks: float | None = None
    from_week: float | None = None
    until_week: float | None = None
    timing: Timing = Timing()

    def times_weeks(self, end_week: float) -> list[float]:
        """Visit weeks of this check within ``[0, end_week]``."""
        if self.every_weeks is None:
            return [w for w in self.weeks if w <= end_week + 1e-9]
        start = self.every_weeks if self.from_week is None else self.from_week
        stop = end_week if self.until_week is None else min(end_week, self.until_week)
        n = int(math.floor((stop - start) / self.every_weeks + 1e-9)) + 1
        return [start + k * self.every_weeks for k in range(max(0, min(n, _MAX_CHECKS)))]

    def describe(self) -> str:
        if self.every_weeks is None:
            when = "weeks " + ", ".join(f"{w:g}" for w in self.weeks)
        else:
            start = self.every_weeks if self.from_week is None else self.from_week
            end = "" if self.until_week is None else f" to {self.until_week:g}"
            when = f"every {self.every_weeks:g} weeks from week {start:g}{end}"
        return f"{when}: {', '.join(self.measures)} ({self.timing.describe()})"


@dataclass(frozen=True)
class Condition:
    """``measure`` ``op`` ``value``; ``value`` in the measure's internal unit, ``text`` as written."""

    measure: str
    op: str
    value: float
    text: str

    def holds(self, internal_value: float) -> bool:
        return bool(OPERATORS[self.op][1](internal_value, self.value))


@dataclass(frozen=True)
class Action:
    """What a rule does to one drug; doses are in the drug's dose unit (``*_text`` as written)."""

    drug: str
    set_dose: float | None = None
    set_dose_text: str | None = None
    scale_dose: float | None = None
    add_dose: float | None = None
    set_schedule: Schedule | None = None
    stop: bool = False
    max_dose: float | None = None
    min_dose: float | None = None
    text: str = ""


@dataclass(frozen=True)
class Rule:
    """When every condition holds at a visit, do ``then``. ``field`` locates it for errors."""

    when: tuple[Condition, ...]
    then: Action
    field: str = "rules[0]"

    @property
    def text(self) -> str:
        return f"if {' and '.join(c.text for c in self.when)}: {self.then.text}"


@dataclass(frozen=True)
class Monitoring:
    """Lab checks and the rules that read them. Build with :meth:`coerce`, which validates."""

    checks: tuple[Check, ...] = ()
    rules: tuple[Rule, ...] = ()

    @classmethod
    def coerce(cls, obj: object, *, field: str = "monitoring", file: str | None = None) -> "Monitoring | None":
        """A :class:`Monitoring` from a mapping (the YAML schema above), itself, or ``None``."""
        if obj is None or isinstance(obj, Monitoring):
            return obj
        data = _keys(obj, _MONITORING_KEYS, field, file)
        checks = _list(data.get("checks", []), f"{field}.checks", file)
        rules = _list(data.get("rules", []), f"{field}.rules", file)
        monitoring = cls(tuple(_check(c, f"{field}.checks[{i}]", file) for i, c in enumerate(checks)),
                         tuple(_rule(r, f"{field}.rules[{i}]", file) for i, r in enumerate(rules)))
        drawn = {m for check in monitoring.checks for m in check.measures}
        for rule in monitoring.rules:
            for condition in rule.when:
                if condition.measure not in drawn:
                    raise InputError(f"{rule.field}.when", f"a measure that a check draws ({', '.join(sorted(drawn)) or 'none'})",
                                     repr(condition.measure), file)
        return monitoring

    @property
    def drugs(self) -> tuple[str, ...]:
        """Drugs the rules or the timings name."""
        names = [r.then.drug for r in self.rules] + [c.timing.drug for c in self.checks if c.timing.drug]
        return tuple(dict.fromkeys(names))

    def check_against(self, protocol: Protocol, *, field: str = "monitoring", file: str | None = None) -> None:
        """Refuse rules and timings about drugs the protocol does not give."""
        given = {seg.drug for seg in protocol.segments}
        for rule in self.rules:
            if rule.then.drug not in given:
                raise InputError(f"{rule.field}.then.drug", f"a drug of the protocol ({', '.join(sorted(given)) or 'none'})",
                                 repr(rule.then.drug), file)
        for i, check in enumerate(self.checks):
            if check.timing.drug is not None and check.timing.drug not in given:
                raise InputError(f"{field}.checks[{i}].timing.drug",
                                 f"a drug of the protocol ({', '.join(sorted(given)) or 'none'})",
                                 repr(check.timing.drug), file)

    def visits(self, end_week: float) -> list[tuple[float, tuple[Check, ...]]]:
        """Sorted visit weeks within ``[0, end_week]``, each with the checks due then."""
        by_week: dict[float, list[Check]] = {}
        for check in self.checks:
            for week in check.times_weeks(end_week):
                key = round(week, 9)
                by_week.setdefault(key, []).append(check)
        return [(week, tuple(by_week[week])) for week in sorted(by_week)]

    def describe(self) -> list[str]:
        lines = [f"check {c.describe()}" for c in self.checks]
        return lines + [f"rule {r.text}" for r in self.rules]


# -- parsing ----------------------------------------------------------------------------------

def _keys(data: object, allowed: tuple[str, ...], field: str, file: str | None,
          required: tuple[str, ...] = ()) -> dict:
    if not isinstance(data, dict):
        raise InputError(field, f"a mapping with the keys {', '.join(allowed)}", type(data).__name__, file)
    for key in data:
        if key not in allowed:
            raise InputError(f"{field}.{key}", f"one of the keys {', '.join(allowed)}", f"unknown key {key!r}", file)
    for key in required:
        if key not in data:
            raise InputError(f"{field}.{key}", f"a value for the required key {key!r}", "nothing", file)
    return data


def _list(data: object, field: str, file: str | None) -> list:
    if data is None:
        return []
    if not isinstance(data, list):
        raise InputError(field, "a list", type(data).__name__, file)
    return data


def _number(value: object, field: str, file: str | None, *, low: float = 0.0, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or value < low or (positive and value <= 0):
        what = "a positive number" if positive else f"a number of at least {low:g}"
        raise InputError(field, what, repr(value), file)
    return float(value)


def _check(data: object, field: str, file: str | None) -> Check:
    data = _keys(data, _CHECK_KEYS, field, file, required=("measures",))
    if ("weeks" in data) == ("every_weeks" in data):
        raise InputError(field, "exactly one of the keys weeks or every_weeks",
                         "both" if "weeks" in data else "neither", file)
    measures: list[str] = []
    for j, name in enumerate(_list(data["measures"], f"{field}.measures", file)):
        if name == "semen_analysis":
            measures.extend(SEMEN_ANALYSIS)
        elif isinstance(name, str):
            measures.append(measure_info(name, field=f"{field}.measures[{j}]", file=file).name)
        else:
            raise InputError(f"{field}.measures[{j}]", "a measure name or semen_analysis", repr(name), file)
    if not measures:
        raise InputError(f"{field}.measures", "at least one measure", "an empty list", file)
    timing = _timing(data.get("timing", "trough"), f"{field}.timing", file)
    for key in ("from_week", "until_week"):
        if key in data and "every_weeks" not in data:
            raise InputError(f"{field}.{key}", "from_week and until_week only with every_weeks", repr(data[key]), file)
    if "weeks" in data:
        weeks = tuple(sorted(_number(w, f"{field}.weeks[{j}]", file)
                             for j, w in enumerate(_list(data["weeks"], f"{field}.weeks", file))))
        if not weeks:
            raise InputError(f"{field}.weeks", "at least one week", "an empty list", file)
        return Check(tuple(dict.fromkeys(measures)), weeks=weeks, timing=timing)
    every = _number(data["every_weeks"], f"{field}.every_weeks", file, positive=True)
    start = _number(data["from_week"], f"{field}.from_week", file) if "from_week" in data else None
    until = _number(data["until_week"], f"{field}.until_week", file) if data.get("until_week") is not None else None
    return Check(tuple(dict.fromkeys(measures)), every_weeks=every, from_week=start, until_week=until, timing=timing)


def _timing(data: object, field: str, file: str | None) -> Timing:
    if data == "trough":
        return Timing()
    if not isinstance(data, dict):
        raise InputError(field, "trough, or a mapping {hours_after_dose: N, drug: NAME}", repr(data), file)
    data = _keys(data, _TIMING_KEYS, field, file, required=_TIMING_KEYS)
    hours = _number(data["hours_after_dose"], f"{field}.hours_after_dose", file)
    if not isinstance(data["drug"], str):
        raise InputError(f"{field}.drug", "a drug name", repr(data["drug"]), file)
    return Timing(hours, get_drug(data["drug"], field=f"{field}.drug", file=file).name)


def _condition(data: object, field: str, file: str | None) -> Condition:
    data = _keys(data, _WHEN_KEYS, field, file, required=("measure",))
    ops = [key for key in OPERATORS if key in data]
    if len(ops) != 1:
        raise InputError(field, "exactly one of the keys lt, le, gt or ge", f"{len(ops)} of them", file)
    op = ops[0]
    if not isinstance(data["measure"], str):
        raise InputError(f"{field}.measure", "a measure name", repr(data["measure"]), file)
    measure = measure_info(data["measure"], field=f"{field}.measure", file=file).name
    unit = data.get("unit")
    if unit is not None and not isinstance(unit, str):
        raise InputError(f"{field}.unit", "a unit such as pg/mL or nmol/L", repr(unit), file)
    raw = data[op]
    value = to_internal(measure, raw, unit, field=f"{field}.{op}", file=file)
    shown = f"{raw} {unit}" if unit else str(raw)
    return Condition(measure, op, value, f"{measure} {OPERATORS[op][0]} {shown}")


def _dose(record, value: object, field: str, file: str | None, *, signed: bool = False) -> float:
    """A dose such as ``"0.5 mg"`` in the drug's dose unit (grams of a gel are grams of gel)."""
    text = value
    sign = 1.0
    if signed and isinstance(value, str) and value.strip().startswith("-"):
        sign, text = -1.0, value.strip()[1:]
    if isinstance(text, str) and record.gel_mg_per_g:
        q = parse_quantity(text, field=field, file=file)
        if str(q.units) == "gram":
            amount = float(q.magnitude) * record.gel_mg_per_g
            return sign * amount
    amount = dose_to_unit(text, record.dose_unit, field=field, file=file)
    if not (math.isfinite(amount) and amount > 0):
        raise InputError(field, f"a positive dose in {record.dose_unit}" + (" (or a negative one to lower)" if signed else ""),
                         repr(value), file)
    return sign * amount


def _action(data: object, field: str, file: str | None) -> Action:
    data = _keys(data, _THEN_KEYS, field, file, required=("drug",))
    if not isinstance(data["drug"], str):
        raise InputError(f"{field}.drug", "a drug name", repr(data["drug"]), file)
    record = get_drug(data["drug"], field=f"{field}.drug", file=file)
    dose_keys = [k for k in ("set_dose", "scale_dose", "add_dose") if k in data]
    if len(dose_keys) > 1:
        raise InputError(field, "at most one of set_dose, scale_dose or add_dose", ", ".join(dose_keys), file)
    stop = data.get("stop", False)
    if not isinstance(stop, bool):
        raise InputError(f"{field}.stop", "true or false", repr(stop), file)
    if stop and (dose_keys or "set_schedule" in data or "max_dose" in data or "min_dose" in data):
        raise InputError(field, "stop: true alone (nothing else to change once a drug is stopped)",
                         ", ".join(k for k in data if k not in ("drug", "stop")), file)
    if not stop and not dose_keys and "set_schedule" not in data:
        raise InputError(field, "one of set_dose, scale_dose, add_dose, set_schedule or stop: true", "none", file)
    for key in ("max_dose", "min_dose"):
        if key in data and not dose_keys:
            raise InputError(f"{field}.{key}", f"{key} only with set_dose, scale_dose or add_dose", repr(data[key]), file)
    kw: dict = {}
    parts: list[str] = []
    if "set_dose" in data:
        kw["set_dose"] = _dose(record, data["set_dose"], f"{field}.set_dose", file)
        kw["set_dose_text"] = " ".join(str(data["set_dose"]).split())
        parts.append(f"set dose {kw['set_dose_text']}")
    if "scale_dose" in data:
        kw["scale_dose"] = _number(data["scale_dose"], f"{field}.scale_dose", file, positive=True)
        parts.append(f"scale dose x{kw['scale_dose']:g}")
    if "add_dose" in data:
        kw["add_dose"] = _dose(record, data["add_dose"], f"{field}.add_dose", file, signed=True)
        parts.append(f"add {' '.join(str(data['add_dose']).split())}")
    if "set_schedule" in data:
        kw["set_schedule"] = parse_schedule(data["set_schedule"], field=f"{field}.set_schedule", file=file)
        parts.append(f"schedule {kw['set_schedule'].kind}")
    for key in ("max_dose", "min_dose"):
        if key in data:
            kw[key] = _dose(record, data[key], f"{field}.{key}", file)
            if kw[key] > record.max_single_dose:
                raise InputError(f"{field}.{key}", f"at most {record.max_single_dose:g} {record.dose_unit} "
                                 f"(the largest single dose of {record.name} the simulator accepts)", repr(data[key]), file)
            parts.append(f"{key.replace('_', ' ')} {' '.join(str(data[key]).split())}")
    if kw.get("max_dose") is not None and kw.get("min_dose") is not None and kw["min_dose"] > kw["max_dose"]:
        raise InputError(f"{field}.min_dose", "a min_dose not above max_dose", repr(data["min_dose"]), file)
    if stop:
        parts.append("stop")
    return Action(drug=record.name, stop=stop, text=f"{record.name}: {', '.join(parts)}", **kw)


def _rule(data: object, field: str, file: str | None) -> Rule:
    data = _keys(data, _RULE_KEYS, field, file, required=_RULE_KEYS)
    when = data["when"]
    items = when if isinstance(when, list) else [when]
    if not items:
        raise InputError(f"{field}.when", "at least one condition", "an empty list", file)
    conditions = tuple(_condition(c, f"{field}.when" if not isinstance(when, list) else f"{field}.when[{j}]", file)
                       for j, c in enumerate(items))
    return Rule(conditions, _action(data["then"], f"{field}.then", file), field)


# -- replay -----------------------------------------------------------------------------------

def apply_monitoring(patient, protocol: object, monitoring: object, weeks: float, *, rtol: float | None = None,
                     file: str | None = None) -> tuple[Protocol, pd.DataFrame, pd.DataFrame]:
    """Replay ``monitoring`` on ``patient`` under ``protocol`` for ``weeks`` weeks.

    Returns the final protocol (the dosing after every adjustment), the labs drawn (one row
    per visit and measure: ``week``, ``drawn_week``, ``measure``, ``value`` and ``unit`` in
    conventional units, ``value_si`` and ``unit_si``, ``timing``) and the adjustments (one row
    per change: ``week`` of the visit, ``starts_week`` of the new dosing, ``drug``, ``from``,
    ``to``, ``rule``).
    """
    from ..api import measures_of, parameters_for
    from ..engine.run import DoseEvents, run_man

    mon = Monitoring.coerce(monitoring, file=file)
    protocol = Protocol.coerce(protocol, file=file)
    if mon is None or not mon.checks:
        return protocol, empty_lab_checks(), empty_adjustments()
    mon.check_against(protocol, file=file)
    p = parameters_for(patient, file=file)
    t_end = float(weeks) * HOURS_PER_WEEK
    visits = mon.visits(float(weeks))
    labs: list[dict] = []
    changes: list[dict] = []
    readings = None
    for k, (week, checks) in enumerate(visits):
        if readings is None:   # first visit, or the dosing changed at the previous one
            draws = sorted({_draw_time(protocol, c.timing, w * HOURS_PER_WEEK, t_end)
                            for w, cs in visits[k:] for c in cs})
            out_t = np.array(draws, dtype=float)
            events = DoseEvents.from_list(protocol.dose_events(t_end))
            raw = run_man(p, events, float(out_t[-1]), out_t=out_t, rtol=rtol)
            readings = (out_t, measures_of(raw))
        out_t, values = readings
        seen: dict[str, float] = {}
        t_visit = week * HOURS_PER_WEEK
        for check in checks:
            t_draw = _draw_time(protocol, check.timing, t_visit, t_end)
            i = int(np.argmin(np.abs(out_t - t_draw)))
            for measure in check.measures:
                if measure not in values:
                    where = next(j for j, c in enumerate(mon.checks) if c is check)
                    raise InputError(f"monitoring.checks[{where}].measures",
                                     f"a simulated measure ({', '.join(sorted(m for m in values if ':' not in m))})",
                                     repr(measure), file)
                value = float(values[measure][i])
                seen.setdefault(measure, value)
                conv, unit = from_internal(measure, value, "conventional")
                si, unit_si = from_internal(measure, value, "si")
                labs.append({"week": week, "drawn_week": t_draw / HOURS_PER_WEEK, "measure": measure,
                             "value": conv, "unit": unit, "value_si": si, "unit_si": unit_si,
                             "timing": check.timing.describe()})
        changed = False
        for rule in mon.rules:
            if not all(c.measure in seen and c.holds(seen[c.measure]) for c in rule.when):
                continue
            protocol, done = _apply(protocol, rule, t_visit, t_end, file)
            for row in done:
                changes.append({"week": week, **row, "rule": rule.text})
            changed = changed or bool(done)
        if changed:
            readings = None
    lab_frame = pd.DataFrame(labs, columns=list(LAB_CHECK_COLUMNS)) if labs else empty_lab_checks()
    change_frame = pd.DataFrame(changes, columns=list(ADJUSTMENT_COLUMNS)) if changes else empty_adjustments()
    return protocol, lab_frame, change_frame


def _draw_time(protocol: Protocol, timing: Timing, t_visit: float, t_end: float) -> float:
    """Hours from week 0 at which blood is drawn for a visit at ``t_visit``."""
    if timing.hours_after_dose is None:
        return t_visit
    times = [t for t, drug, *_ in protocol.dose_events(t_end) if drug == timing.drug
             and t + timing.hours_after_dose <= t_visit + _EPS_H]
    return max(times) + timing.hours_after_dose if times else t_visit


def _apply(protocol: Protocol, rule: Rule, t_visit: float, t_end: float,
           file: str | None) -> tuple[Protocol, list[dict]]:
    """``protocol`` with ``rule`` applied from the visit at ``t_visit`` h, and the changes made."""
    action = rule.then
    record = get_drug(action.drug)
    segments: list[DoseSegment] = []
    done: list[dict] = []
    for seg in protocol.segments:
        if seg.drug != action.drug:
            segments.append(seg)
            continue
        times = seg.dose_times_hours(t_end)
        future = times[times >= t_visit - _EPS_H]
        if future.size == 0:           # over before the visit (or never reached within the run)
            segments.append(seg)
            continue
        t_next = float(future[0])
        whole = seg.start_week * HOURS_PER_WEEK >= t_visit - _EPS_H
        new = _changed(seg, action, record, rule, file)
        if new is None:
            segments.append(seg)
            continue
        start = t_next / HOURS_PER_WEEK
        if not whole:
            segments.append(replace(seg, weeks=start - seg.start_week))
        if new != "stop":
            end = None if seg.weeks is None else seg.start_week + seg.weeks
            segments.append(replace(new, start_week=start, weeks=None if end is None else end - start))
        done.append({"starts_week": start, "drug": seg.drug, "from": f"{seg.dose_text} {seg.schedule.kind}",
                     "to": "stopped" if new == "stop" else f"{new.dose_text} {new.schedule.kind}"})
    return Protocol(tuple(segments)), done


def _changed(seg: DoseSegment, action: Action, record, rule: Rule, file: str | None):
    """The segment with the action's dose and schedule, ``"stop"``, or ``None`` when unchanged."""
    if action.stop:
        return "stop"
    dose = seg.dose
    if action.set_dose is not None:
        dose = action.set_dose
    elif action.scale_dose is not None:
        dose = seg.dose * action.scale_dose
    elif action.add_dose is not None:
        dose = seg.dose + action.add_dose
    if action.max_dose is not None:
        dose = min(dose, action.max_dose)
    if action.min_dose is not None:
        dose = max(dose, action.min_dose)
    if dose <= 0:
        return "stop"
    if dose > record.max_single_dose * (1 + 1e-12):
        raise InputError(f"{rule.field}.then", f"a rule that keeps {record.name} at most {record.max_single_dose:g} "
                         f"{record.dose_unit} per dose (add max_dose)",
                         f"a dose of {dose:g} {record.dose_unit}", file)
    schedule = action.set_schedule or seg.schedule
    if math.isclose(dose, seg.dose, rel_tol=1e-9) and schedule.kind == seg.schedule.kind:
        return None
    if action.set_dose is not None and math.isclose(dose, action.set_dose, rel_tol=1e-9):
        text = action.set_dose_text
    else:
        text = _scaled_text(seg, dose, record)
    return replace(seg, dose=dose, dose_text=text, schedule=schedule)


def _scaled_text(seg: DoseSegment, dose: float, record) -> str:
    """``dose`` (in the dose unit) written in the unit the segment's dose was written in."""
    match = _NUMBER_UNIT.match(seg.dose_text)
    if match and seg.dose > 0:
        return f"{float(match.group(1)) * dose / seg.dose:.4g} {match.group(2)}"
    return f"{dose:.4g} {record.dose_unit}"
