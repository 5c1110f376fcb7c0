"""Dosing protocols as immutable value objects: which drug, how much, how often, when.

A :class:`Protocol` is a tuple of :class:`DoseSegment` s; each segment is one drug at one dose
on one schedule over one span of weeks. Times are in weeks from week 0 (the start of the
studied intervention; negative weeks are history), doses in the drug's ``dose_unit``
(mg, ug, IU or g, from its :class:`~hpgsim.drugs.records.DrugRecord`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pint

from ..errors import InputError
from ..units import dose_to_unit, parse_quantity
from .records import get_drug
from .regimen import HOURS_PER_WEEK, Schedule, dose_times_hours, parse_regimen_text, parse_schedule

_SEGMENT_KEYS = ("drug", "dose", "schedule", "start_week", "weeks", "route")


def _weeks_number(value: object, field: str, file: str | None, *, positive: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InputError(field, "a positive number of weeks" if positive else "a number of weeks",
                         repr(value), file)
    if positive and value <= 0:
        raise InputError(field, "a positive number of weeks", repr(value), file)
    return float(value)


def _dose_text(dose: object) -> str:
    # the dose as written ("1 mg"), which reads better than the catalogue's unit ("1000 ug")
    if isinstance(dose, pint.Quantity):
        return f"{dose.magnitude:g} {dose.units:~}"
    return " ".join(str(dose).split())


def _gel_dose(record, dose: object) -> float | None:
    """A gel dosed in grams of gel ("5 g"), as milligrams of testosterone; None otherwise."""
    if not record.gel_mg_per_g:
        return None
    try:
        q = dose if isinstance(dose, pint.Quantity) else parse_quantity(dose)
    except InputError:
        return None
    if str(q.units) != "gram":
        return None   # mg or ug: an amount of testosterone, handled as an ordinary dose
    return float(q.magnitude) * record.gel_mg_per_g


def _format_week(week: float) -> str:
    return f"{week:g}"


@dataclass(frozen=True)
class DoseSegment:
    """One drug at one dose (in the drug's ``dose_unit``) on one schedule.

    Dosing starts at ``start_week`` and lasts ``weeks`` weeks, or until the end of the
    simulation when ``weeks`` is ``None``. Build with :meth:`build`, which validates.
    """

    drug: str
    dose: float
    dose_text: str
    schedule: Schedule
    start_week: float = 0.0
    weeks: float | None = None
    route: str | None = None      # None = the drug's usual route

    @classmethod
    def build(cls, drug: str, dose: object, schedule: str | Schedule, start_week: float = 0,
              weeks: float | None = None, route: str | None = None, *, field: str = "protocol[0]",
              file: str | None = None) -> "DoseSegment":
        """A validated segment; ``dose`` is text with a unit ("1 mg", "1500 IU", "5 g" of a gel)
        or a pint quantity; ``route`` (``sc``, ``im``, ``iv``...) when the drug has several."""
        if not isinstance(drug, str):
            raise InputError(f"{field}.drug", "a drug name", repr(drug), file)
        record = get_drug(drug, field=f"{field}.drug", file=file)
        if route is not None:
            route = str(route).strip().lower()
            if route not in record.routes:
                raise InputError(f"{field}.route", f"a route of {record.name} ({', '.join(record.routes)})", repr(route), file)
        unit = record.dose_unit
        amount = _gel_dose(record, dose)
        if amount is None:
            amount = dose_to_unit(dose, unit, field=f"{field}.dose", file=file)
        if not (math.isfinite(amount) and amount > 0):
            raise InputError(f"{field}.dose", f"a positive dose in {unit}", repr(dose), file)
        if amount > record.max_single_dose:
            raise InputError(f"{field}.dose",
                             f"a dose of at most {record.max_single_dose:g} {unit} of {record.name} per "
                             f"administration", repr(dose), file)
        return cls(
            drug=record.name,
            dose=amount,
            dose_text=_dose_text(dose),
            schedule=parse_schedule(schedule, field=f"{field}.schedule", file=file),
            start_week=_weeks_number(start_week, f"{field}.start_week", file, positive=False),
            weeks=None if weeks is None else _weeks_number(weeks, f"{field}.weeks", file, positive=True),
            route=None if route == record.route else route,
        )

    def dose_times_hours(self, until_hours: float | None = None):
        """Dose times in hours from week 0 (see :func:`~hpgsim.drugs.regimen.dose_times_hours`)."""
        return dose_times_hours(self.schedule, self.start_week, self.weeks, until_hours)

    def describe(self) -> str:
        """``"anastrozole 1 mg twice weekly, weeks 0-26"``, with the dose as the user wrote it."""
        head = f"{self.drug} {self.dose_text}{f' {self.route}' if self.route else ''} {self.schedule.kind}"
        start = _format_week(self.start_week)
        if self.schedule.interval_h is None:
            return f"{head}, week {start}"
        if self.weeks is None:
            return f"{head}, from week {start}"
        return f"{head}, weeks {start}-{_format_week(self.start_week + self.weeks)}"


@dataclass(frozen=True)
class Protocol:
    """Everything one man receives: a tuple of :class:`DoseSegment` (empty = no treatment)."""

    segments: tuple[DoseSegment, ...] = ()

    @classmethod
    def coerce(cls, obj: object, *, field: str = "protocol", file: str | None = None) -> "Protocol":
        """A protocol from what people pass around.

        Accepts a :class:`Protocol`, ``None`` or ``[]`` (no treatment), a regimen string
        (``"anastrozole 1 mg daily for 12 weeks"``), a segment mapping with keys ``drug``,
        ``dose``, ``schedule``, ``start_week``, ``weeks``, or a list of strings, mappings and
        :class:`DoseSegment` s.
        """
        if isinstance(obj, Protocol):
            return obj
        if obj is None:
            return cls(())
        if isinstance(obj, (str, dict, DoseSegment)):
            return cls((_segment(obj, field, file),))
        if isinstance(obj, (list, tuple)):
            return cls(tuple(_segment(item, f"{field}[{i}]", file) for i, item in enumerate(obj)))
        raise InputError(field, "a list of dosing segments, a regimen string, or nothing (no treatment)",
                         type(obj).__name__, file)

    def dose_events(self, until_hours: float) -> list[tuple]:
        """Every dose before ``until_hours``: ``(t_hours, drug, dose in dose_unit)``, with a fourth
        item, the route, when a segment names one; sorted by time."""
        events = [(float(t), seg.drug, seg.dose) + ((seg.route,) if seg.route else ())
                  for seg in self.segments for t in seg.dose_times_hours(until_hours)]
        return sorted(events, key=lambda e: (e[0], e[1]))

    @property
    def earliest_week(self) -> float:
        """The week a simulation must start from: the earliest ``start_week``, but never after 0
        (week 0 is the baseline, which is simulated even when treatment starts later)."""
        return min([0.0, *(seg.start_week for seg in self.segments)])

    @property
    def earliest_hours(self) -> float:
        return self.earliest_week * HOURS_PER_WEEK

    def describe(self) -> list[str]:
        """One human line per segment, or ``["no treatment"]``."""
        return [seg.describe() for seg in self.segments] or ["no treatment"]


def _segment(item: object, field: str, file: str | None) -> DoseSegment:
    if isinstance(item, DoseSegment):
        return item
    if isinstance(item, str):
        parts = parse_regimen_text(item, field=field, file=file)
        return DoseSegment.build(**parts, field=field, file=file)
    if isinstance(item, dict):
        for key in item:
            if key not in _SEGMENT_KEYS:
                raise InputError(f"{field}.{key}", f"one of the keys {', '.join(_SEGMENT_KEYS)}",
                                 f"unknown key {key!r}", file)
        for key in ("drug", "dose", "schedule"):
            if key not in item:
                raise InputError(f"{field}.{key}", f"a value for the required key {key!r}", "nothing", file)
        return DoseSegment.build(item["drug"], item["dose"], item["schedule"], item.get("start_week", 0),
                                 item.get("weeks"), item.get("route"), field=field, file=file)
    raise InputError(field, "a dosing segment: a mapping with drug, dose and schedule, or a regimen string",
                     type(item).__name__, file)
