"""Side-effect flags shown next to protocol and drug comparisons.

Flags mark simulated values worth a second look; they are not guideline thresholds and not
advice. Each carries its reason and sources.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..units import to_internal

HOURS_PER_WEEK = 168.0


@dataclass(frozen=True)
class Flag:
    """``measure`` going ``direction`` (``"above"``/``"below"``) ``value`` (internal units)."""

    key: str
    measure: str
    direction: str
    value: float
    label: str
    short: str
    source: str
    cell: str = ""     # a few characters for table cells


FLAGS = (
    # No guideline sets an E2 floor for men on aromatase inhibitors (evidence survey, rule R16);
    # 15 pg/mL sits between the on-treatment E2 at which spine BMD fell versus placebo
    # (about 12 pg/mL, Burnett-Bowie 2009) and the baseline of those men (15 pg/mL).
    Flag("e2_below_15_pgml", "estradiol", "below", to_internal("estradiol", 15.0, "pg/mL"),
         "E2 below 15 pg/mL (bone)", "Burnett-Bowie 2009; Finkelstein 2013, 2016",
         "Burnett-Bowie SM et al. J Clin Endocrinol Metab 2009;94:4785 (anastrozole: E2 15 to 12 pg/mL, spine "
         "BMD fell versus placebo); Finkelstein JS et al. N Engl J Med 2013;369:1011 and J Clin Invest "
         "2016;126:1114 (estrogen deficiency and bone loss in men; loss generally prevented above 10 pg/mL). "
         "Not a guideline threshold.", cell="E2 < 15 pg/mL"),
    # Above the harmonised upper reference limit of 916 ng/dL (Travison 2017); 1000 ng/dL is a
    # round marker for supraphysiological levels, not a guideline value.
    Flag("tt_above_1000_ngdl", "total_testosterone", "above", to_internal("total_testosterone", 1000.0, "ng/dL"),
         "Total T above 1000 ng/dL (supraphysiological)", "Travison 2017 (upper limit 916 ng/dL)",
         "Travison TG et al. J Clin Endocrinol Metab 2017;102:1161 (harmonised reference range 264-916 ng/dL). "
         "1000 ng/dL is a round marker, not a guideline value.", cell="T > 1000 ng/dL"),
)


def first_week(t_hours: np.ndarray, values: np.ndarray, flag: Flag) -> float | str | None:
    """The first week after week 0 at which ``values`` (internal units) pass the flag's line:
    a float, ``"at baseline"`` when already past at week 0, or ``None`` when never."""
    t = np.asarray(t_hours, dtype=float)
    v = np.asarray(values, dtype=float)
    keep = t >= 0.0
    t, v = t[keep], v[keep]
    past = v < flag.value if flag.direction == "below" else v > flag.value
    if past.size == 0 or not past.any():
        return None
    if past[0]:
        return "at baseline"
    return float(t[int(np.argmax(past))] / HOURS_PER_WEEK)


def flags_of(result) -> dict[str, float | str | None]:
    """Every flag's :func:`first_week` for a :class:`~hpgsim.results.Result` (key: flag key)."""
    return {f.key: first_week(result.t_hours, result.values[f.measure], f) if f.measure in result.values else None
            for f in FLAGS}


def describe_flags(found: dict[str, float | str | None], *, short: bool = False) -> str:
    """``"E2 below 15 pg/mL (bone) from week 3.0"`` (``short``: ``"E2 < 15 pg/mL wk 3.0"``);
    flags joined by ``"; "``; ``""`` when none."""
    parts = []
    for flag in FLAGS:
        when = found.get(flag.key)
        if when is None:
            continue
        if short:
            parts.append(f"{flag.cell} {'at wk 0' if isinstance(when, str) else f'wk {when:.1f}'}")
        else:
            parts.append(f"{flag.label} {'at baseline' if isinstance(when, str) else f'from week {when:.1f}'}")
    return "; ".join(parts)
