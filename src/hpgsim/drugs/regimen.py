"""What people write ("twice weekly", "every 90 min") turned into dose times in hours.

Time runs in hours from week 0, the start of the studied intervention; one week is 168 h.
Doses given *n* times per week are spaced evenly over the week, not on named weekdays:
``twice weekly`` is every 84 h and ``three times weekly`` every 56 h. ``monthly`` is every
4.33 weeks (52 weeks / 12), the convention of the evidence files, so a year of monthly
injections is 13 doses starting at week 0 (the 13th at week 51.96).

The accepted vocabulary is that of the trial-spec format (``once``, ``daily``,
``twice daily``, ``every other day``, ``twice weekly``, ``three times weekly``, ``weekly``,
``every N days``, ``every N weeks``, ``monthly``, ``every N min``) plus harmless synonyms
(``once daily``, ``qd``, ``bid``, ``qod``, ``every N hours``, ...). ``biweekly`` is refused:
half of the people who write it mean twice a week and half mean every two weeks.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from ..errors import InputError

HOURS_PER_WEEK = 168.0
WEEKS_PER_MONTH = 4.33   # the evidence convention for "monthly"

# canonical kind -> interval in hours (None: a single dose)
_FIXED: dict[str, float | None] = {
    "once": None,
    "daily": 24.0,
    "twice daily": 12.0,
    "every other day": 48.0,
    "twice weekly": HOURS_PER_WEEK / 2,
    "three times weekly": HOURS_PER_WEEK / 3,
    "weekly": HOURS_PER_WEEK,
    "monthly": WEEKS_PER_MONTH * HOURS_PER_WEEK,
}
_SYNONYMS = {
    "single dose": "once", "one dose": "once",
    "once daily": "daily", "qd": "daily", "od": "daily", "once a day": "daily", "every day": "daily",
    "bid": "twice daily", "twice a day": "twice daily", "two times daily": "twice daily",
    "qod": "every other day", "alternate days": "every other day", "every second day": "every other day",
    "twice a week": "twice weekly", "two times weekly": "twice weekly", "two times a week": "twice weekly",
    "three times a week": "three times weekly", "thrice weekly": "three times weekly",
    "tiw": "three times weekly", "3 times weekly": "three times weekly",
    "once weekly": "weekly", "once a week": "weekly", "every week": "weekly", "qw": "weekly",
    "once monthly": "monthly", "once a month": "monthly", "every month": "monthly",
    "fortnightly": "every 2 weeks",
}
_AMBIGUOUS = {"biweekly": "'twice weekly' or 'every 2 weeks'", "bi-weekly": "'twice weekly' or 'every 2 weeks'",
              "bimonthly": "'every 2 weeks' or 'every 2 months'", "bi-monthly": "'every 2 weeks' or 'every 2 months'"}
# unit word -> (canonical word, hours per unit)
_EVERY_UNITS = {"min": ("min", 1 / 60), "mins": ("min", 1 / 60), "minute": ("min", 1 / 60),
                "minutes": ("min", 1 / 60), "h": ("hours", 1.0), "hour": ("hours", 1.0),
                "hours": ("hours", 1.0), "hrs": ("hours", 1.0), "d": ("days", 24.0), "day": ("days", 24.0),
                "days": ("days", 24.0), "week": ("weeks", HOURS_PER_WEEK),
                "weeks": ("weeks", HOURS_PER_WEEK), "w": ("weeks", HOURS_PER_WEEK), "wk": ("weeks", HOURS_PER_WEEK),
                "wks": ("weeks", HOURS_PER_WEEK), "month": ("months", WEEKS_PER_MONTH * HOURS_PER_WEEK),
                "months": ("months", WEEKS_PER_MONTH * HOURS_PER_WEEK)}
_STRAY_DOT = re.compile(r"\.(?!\d)")
_EVERY = re.compile(r"^(?:every|q)\s*([-+]?\d+\.?\d*|[-+]?\.\d+)\s*([a-z]+)$")
_VOCABULARY = ("once, daily, twice daily, every other day, twice weekly, three times weekly, weekly, "
               "every N days, every N weeks, monthly or every N min")


@dataclass(frozen=True)
class Schedule:
    """A dosing rhythm: ``text`` as written, ``kind`` in canonical words, ``interval_h`` in hours.

    ``interval_h`` is ``None`` for a single dose (``once``).
    """

    text: str
    kind: str
    interval_h: float | None


def _number(text: str) -> str:
    return f"{float(text):g}"


def parse_schedule(text: str | Schedule, *, field: str = "schedule", file: str | None = None) -> Schedule:
    """The :class:`Schedule` for ``text``, or an :class:`InputError` listing the vocabulary."""
    if isinstance(text, Schedule):
        return text
    if not isinstance(text, str):
        raise InputError(field, f"a schedule ({_VOCABULARY})", repr(text), file)
    # "b.i.d." -> "bid" and "daily." -> "daily", but "every 1.5 days" keeps its decimal point
    words = " ".join(_STRAY_DOT.sub("", text.strip().lower()).split())
    if words in _AMBIGUOUS:
        raise InputError(field, f"an unambiguous schedule such as {_AMBIGUOUS[words]}", repr(text), file)
    words = _SYNONYMS.get(words, words)
    if words in _FIXED:
        return Schedule(text.strip(), words, _FIXED[words])
    match = _EVERY.match(words)
    if match and match.group(2) in _EVERY_UNITS:
        unit, hours = _EVERY_UNITS[match.group(2)]
        n = float(match.group(1))
        if not (math.isfinite(n) and n > 0):
            raise InputError(field, f"a positive number N in 'every N {unit}'", repr(text), file)
        return Schedule(text.strip(), f"every {_number(match.group(1))} {unit}", n * hours)
    raise InputError(field, f"a schedule ({_VOCABULARY})", repr(text), file)


def dose_times_hours(schedule: Schedule, start_week: float, weeks: float | None,
                     until_hours: float | None = None) -> np.ndarray:
    """Dose times in hours from week 0.

    The first dose is at ``start_week * 168`` h (negative for history before week 0); doses
    fall strictly before ``start_week + weeks``, and strictly before ``until_hours`` (the end
    of the simulation) when given. ``weeks=None`` means "until the end": then ``until_hours``
    is required.
    """
    start = float(start_week) * HOURS_PER_WEEK
    ends = [] if weeks is None else [start + float(weeks) * HOURS_PER_WEEK]
    if until_hours is not None:
        ends.append(float(until_hours))
    if not ends:
        raise ValueError("dose_times_hours: weeks=None needs until_hours (the end of the simulation)")
    end = min(ends)
    # a dose landing exactly on the end (e.g. the 53rd twice-weekly dose after 26 weeks) is
    # excluded, also when floating-point rounding puts it a hair below
    cutoff = end - 1e-9 * max(1.0, abs(end))
    if schedule.interval_h is None:
        return np.array([start]) if start < cutoff else np.empty(0)
    n = max(0, math.ceil((end - start) / schedule.interval_h) + 1)
    times = start + schedule.interval_h * np.arange(n, dtype=float)
    return times[times < cutoff]


_FOR = re.compile(r"\s+for\s+(\d+\.?\d*|\.\d+)\s*(weeks?|wks?|months?|days?)\b", re.I)
_FROM = re.compile(r"\s+(?:from|starting(?:\s+at)?)\s+week\s+([-+]?\d+\.?\d*|[-+]?\.\d+)\b", re.I)
_HEAD = re.compile(r"^\s*(?P<drug>[A-Za-z][\w\s\-]*?)\s+(?P<dose>(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*[A-Za-zµ]+)"
                   r"\s+(?P<schedule>.+?)\s*$")
_DURATION_WEEKS = {"w": 1.0, "m": WEEKS_PER_MONTH, "d": 1 / 7}


def parse_regimen_text(text: str, *, field: str = "protocol", file: str | None = None) -> dict:
    """Split ``"anastrozole 1 mg twice weekly for 26 weeks from week 4"`` into its parts.

    Returns ``dict(drug, dose, schedule, weeks, start_week)`` with ``dose`` and ``schedule``
    as text (validated later by :class:`~hpgsim.drugs.protocol.DoseSegment`), ``weeks`` in
    weeks or ``None`` (until the end of the simulation) and ``start_week`` (default 0).
    Words of a drug name may be separated by spaces ("testosterone cypionate").
    """
    if not isinstance(text, str):
        raise InputError(field, "a regimen such as 'anastrozole 1 mg twice weekly for 26 weeks'", repr(text), file)
    rest, weeks, start_week = " " + text.strip(), None, 0.0
    if (m := _FOR.search(rest)) is not None:
        weeks = float(m.group(1)) * _DURATION_WEEKS[m.group(2)[0].lower()]
        rest = rest[:m.start()] + rest[m.end():]
    if (m := _FROM.search(rest)) is not None:
        start_week = float(m.group(1))
        rest = rest[:m.start()] + rest[m.end():]
    head = _HEAD.match(rest)
    if head is None:
        raise InputError(field, "a regimen such as 'anastrozole 1 mg twice weekly for 26 weeks from week 4' "
                         "(drug, dose with unit, schedule, optional duration and start)", repr(text), file)
    return {"drug": "_".join(head.group("drug").lower().split()), "dose": head.group("dose"),
            "schedule": head.group("schedule"), "weeks": weeks, "start_week": start_week}
