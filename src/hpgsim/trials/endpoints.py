"""Endpoint statistics of the simulated men, and the verdict against the published result.

The rules are those of TRIAL_SPEC ("When does a simulated endpoint agree with a published
one?"), plus the cases it leaves open, decided here and reported in the verdict's ``note``:

* Mean or median with baseline and value: observed change Δ = 100·(value − baseline)/baseline,
  half-width h = 196·sd_value/(√n·baseline), at least 5 points, or ``tolerance_pct_points``.
  The interval is Δ ± h with Δ and h each rounded to 0.1 point (the rounding of TRIAL_SPEC's
  worked example), and the simulated change, rounded the same way, must lie in it. The centre is
  the published mean for ``statistic: mean`` and the median for ``median``, whichever is
  given when only one is. A published IQR stands in for a missing SD as IQR/1.349 (normal).
* ``change_pct`` alone, or a level without an SD or the arm's ``n``: ± ``tolerance_pct_points``,
  or :data:`DEFAULT_TOLERANCE_PCT_POINTS` (10 points) when the spec gives none.
* A published value without baseline: the simulated level must lie within value·(1 ± h/100),
  h as above with the value in place of the baseline.
* Percent-change endpoints (``bmd_spine`` in ``%``, each man's change from his week 0): the
  simulated mean change must lie within the published one ± max(1.96·sd/√n, 0.5) points.
* Fractions: |simulated − observed| ≤ max(1.96·√(p(1−p)/n), 0.10) (0.10 when ``n`` is missing).
* Weeks: within ``tolerance_weeks``, by default 25 % of the published value; a published
  ``null`` (half never reached it) agrees only with a simulated ``null``.

An endpoint the model cannot compute (no man simulated, a measure the model does not produce,
a percent change from a zero week-0 value) fails with a ``reason``; one without a published result has ``pass: null``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..units import to_internal
from .run import ArmRun
from .spec import ArmSpec, Endpoint, Observed, Summary
from .statistics import FRACTION_STATISTICS, LEVEL_STATISTICS

DEFAULT_TOLERANCE_PCT_POINTS = 10.0   # our choice where TRIAL_SPEC gives no interval
MIN_HALF_WIDTH_PCT = 5.0              # TRIAL_SPEC: h at least 5 percentage points
MIN_HALF_WIDTH_PERCENT_CHANGE = 0.5   # our choice for endpoints that are themselves a % change
MIN_FRACTION_TOLERANCE = 0.10         # TRIAL_SPEC
DEFAULT_TOLERANCE_WEEKS_FRACTION = 0.25   # TRIAL_SPEC
IQR_PER_SD = 1.349                    # interquartile range of a normal distribution, in SDs


class CannotCompute(Exception):
    """The model cannot give this endpoint; the message says why."""


@dataclass(frozen=True)
class EndpointResult:
    endpoint: Endpoint
    simulated: dict | None
    verdict: dict

    @property
    def passed(self) -> bool | None:
        return self.verdict.get("pass")

    def to_json(self) -> dict:
        ep = self.endpoint
        return {"arm": ep.arm, "measure": ep.measure, "unit": ep.unit, "week": _week(ep.week),
                "statistic": ep.statistic, "simulated": self.simulated,
                "observed": None if ep.observed is None else ep.observed.given, "verdict": self.verdict}


def evaluate(endpoint: Endpoint, arm: ArmSpec, run: ArmRun) -> EndpointResult:
    """The simulated statistic of ``endpoint`` over ``run``'s men and its verdict."""
    try:
        _check_drug_given(endpoint, arm)
        series = values_in_unit(endpoint, run)
        if endpoint.statistic in LEVEL_STATISTICS:
            simulated = _level(endpoint, series, run)
        elif endpoint.statistic in FRACTION_STATISTICS:
            simulated = _fraction(endpoint, series, run)
        else:
            simulated = {"weeks": _round(weeks_to(endpoint, series, run.weeks), 1)}
    except CannotCompute as why:
        return EndpointResult(endpoint, None, {"pass": False, "reason": str(why)})
    if endpoint.observed is None:
        return EndpointResult(endpoint, simulated, {"pass": None, "reason": "no published result to compare with"})
    if endpoint.statistic in LEVEL_STATISTICS:
        verdict = _level_verdict(endpoint, simulated, arm.n)
    elif endpoint.statistic in FRACTION_STATISTICS:
        verdict = _fraction_verdict(endpoint.observed, simulated["fraction"], arm.n)
    else:
        verdict = _weeks_verdict(endpoint, simulated["weeks"])
    return EndpointResult(endpoint, simulated, verdict)


def _check_drug_given(endpoint: Endpoint, arm: ArmSpec) -> None:
    """A drug level is only an endpoint of an arm that receives the drug (or a mixture holding it)."""
    if not endpoint.measure.startswith("concentration:"):
        return
    from ..drugs.records import get_drug

    drug = endpoint.measure.split(":", 1)[1]
    given = {seg.drug for seg in arm.protocol.segments}
    given |= {part for name in given for part, _ in get_drug(name).parts}
    if drug not in given:
        raise CannotCompute(f"arm {arm.id!r} receives no {drug}")


def values_in_unit(endpoint: Endpoint, run: ArmRun) -> np.ndarray:
    """Every simulated man's trajectory, ``(n_ok, len(run.weeks))``, in the endpoint's unit."""
    if run.n_ok == 0:
        raise CannotCompute(f"no virtual man in arm {run.arm!r} could be simulated ({'; '.join(run.failures[:1])})")
    if endpoint.measure not in run.values:
        raise CannotCompute(f"the model does not produce {endpoint.measure} for arm {run.arm!r}")
    v = run.values[endpoint.measure]
    if endpoint.percent_change:
        base = v[:, run.column(0.0)]
        if np.any(base <= 0):
            raise CannotCompute(f"{endpoint.measure} is zero at week 0, so its percent change is undefined")
        return 100.0 * (v / base[:, None] - 1.0)
    return v / to_internal(endpoint.measure, 1.0, endpoint.unit)


def _summary(x: np.ndarray) -> dict:
    sd = float(np.std(x, ddof=1)) if x.size > 1 else 0.0
    return {"mean": _round(float(np.mean(x))), "sd": _round(sd), "median": _round(float(np.median(x)))}


def _level(endpoint: Endpoint, series: np.ndarray, run: ArmRun) -> dict:
    base, value = series[:, run.column(0.0)], series[:, run.column(endpoint.week)]
    centre = np.median if endpoint.statistic == "median" else np.mean
    if endpoint.percent_change:
        change = float(centre(value))
    else:
        b = float(centre(base))
        change = None if b == 0 else 100.0 * (float(centre(value)) - b) / b   # drug levels start at 0
    return {"baseline": _summary(base), "value": _summary(value), "change_pct": _round(change, 1)}


def _fraction(endpoint: Endpoint, series: np.ndarray, run: ArmRun) -> dict:
    x = series[:, run.column(endpoint.week)]
    hit = x < endpoint.threshold if endpoint.statistic == "fraction_below" else x >= endpoint.threshold
    return {"fraction": _round(float(np.mean(hit)), 3)}


def weeks_to(endpoint: Endpoint, series: np.ndarray, weeks: np.ndarray) -> float | None:
    """Median over men of the weeks from ``from_week`` until the measure first reaches the
    threshold (linear between outputs); ``None`` when half the men or more never do by ``until_week``."""
    window = (weeks >= endpoint.from_week - 1e-9) & (weeks <= endpoint.until_week + 1e-9)
    w, s = weeks[window], series[:, window]
    thr = endpoint.threshold
    reached = s >= thr if endpoint.statistic == "median_weeks_to_at_least" else s < thr
    times = np.full(s.shape[0], np.inf)
    for i in range(s.shape[0]):
        hits = np.flatnonzero(reached[i])
        if hits.size == 0:
            continue
        j = int(hits[0])
        if j == 0:
            times[i] = 0.0
            continue
        # s[i, j - 1] has not reached the threshold and s[i, j] has, so they differ
        frac = (thr - s[i, j - 1]) / (s[i, j] - s[i, j - 1])
        times[i] = w[j - 1] + frac * (w[j] - w[j - 1]) - endpoint.from_week
    if 2 * int(np.sum(np.isinf(times))) >= times.size:
        return None
    return float(np.median(times))


# -- verdicts ---------------------------------------------------------------------------------


def _centre(summary: Summary | None, statistic: str) -> float | None:
    if summary is None:
        return None
    first, second = ("median", "mean") if statistic == "median" else ("mean", "median")
    value = getattr(summary, first)
    return value if value is not None else getattr(summary, second)


def _sd(summary: Summary | None) -> float | None:
    if summary is None:
        return None
    if summary.sd is not None:
        return summary.sd
    if summary.iqr is not None:
        return abs(summary.iqr[1] - summary.iqr[0]) / IQR_PER_SD
    return None


def _level_verdict(endpoint: Endpoint, simulated: dict, n: int | None) -> dict:
    obs, stat = endpoint.observed, endpoint.statistic
    base, value, sd = _centre(obs.baseline, stat), _centre(obs.value, stat), _sd(obs.value)
    tol = obs.tolerance_pct_points
    if endpoint.percent_change:
        observed = value if value is not None else obs.change_pct
        if tol is None and value is not None and sd is not None and n:
            tol = max(1.96 * sd / math.sqrt(n), MIN_HALF_WIDTH_PERCENT_CHANGE)
        return _pct_verdict("observed_change_pct", "interval_pct", observed, tol, simulated["change_pct"])
    if value is None:   # change_pct alone (with or without a baseline)
        return _pct_verdict("observed_change_pct", "interval_pct", obs.change_pct, tol, simulated["change_pct"])
    if base is None:    # a published level without baseline: compare levels
        if value == 0:
            return {"pass": False, "reason": "the published value is zero; no percent deviation"}
        if tol is None and sd is not None and n:
            tol = max(196.0 * sd / (math.sqrt(n) * value), MIN_HALF_WIDTH_PCT)
        verdict = {}
        if tol is None:
            tol = DEFAULT_TOLERANCE_PCT_POINTS
            verdict["note"] = _default_note()
        lo, hi = sorted((_round(value * (1.0 - tol / 100.0)), _round(value * (1.0 + tol / 100.0))))
        sim = _centre_of(simulated["value"], stat)
        return {"observed_value": value, "interval": [lo, hi], "pass": lo <= sim <= hi, **verdict}
    if base == 0:
        return {"pass": False, "reason": "the published baseline is zero; no percent change"}
    delta = 100.0 * (value - base) / base
    if tol is None and sd is not None and n:
        tol = max(196.0 * sd / (math.sqrt(n) * base), MIN_HALF_WIDTH_PCT)
    return _pct_verdict("observed_change_pct", "interval_pct", delta, tol, simulated["change_pct"])


def _pct_verdict(key: str, interval_key: str, observed: float, tol: float | None, sim: float | None) -> dict:
    note = None
    if tol is None:
        tol = DEFAULT_TOLERANCE_PCT_POINTS
        note = _default_note()
    centre, half = _round(observed, 1), _round(tol, 1)
    lo, hi = _round(centre - half, 1), _round(centre + half, 1)
    verdict = {key: centre, interval_key: [lo, hi], "pass": sim is not None and lo <= sim <= hi}
    if sim is None:
        verdict["reason"] = "the simulated value at week 0 is zero, so its percent change is undefined"
    if note:
        verdict["note"] = note
    return verdict


def _default_note() -> str:
    return (f"no tolerance_pct_points, and no SD with the arm's n to form an interval: default tolerance "
            f"of ±{DEFAULT_TOLERANCE_PCT_POINTS:g} percentage points")


def _centre_of(summary: dict, statistic: str) -> float:
    return summary["median"] if statistic == "median" else summary["mean"]


def _fraction_verdict(observed: Observed, fraction: float, n: int | None) -> dict:
    p = observed.value.fraction
    verdict = {}
    if n:
        tol = max(1.96 * math.sqrt(p * (1.0 - p) / n), MIN_FRACTION_TOLERANCE)
    else:
        tol = MIN_FRACTION_TOLERANCE
        verdict["note"] = "the arm has no n: tolerance 0.10"
    lo, hi = _round(max(p - tol, 0.0), 3), _round(min(p + tol, 1.0), 3)
    return {"observed_fraction": p, "interval": [lo, hi], "pass": lo <= fraction <= hi, **verdict}


def _weeks_verdict(endpoint: Endpoint, weeks: float | None) -> dict:
    obs = endpoint.observed
    w = obs.value.weeks
    if w is None:
        verdict = {"observed_weeks": None, "interval_weeks": None, "pass": weeks is None}
        if weeks is not None:
            verdict["reason"] = "published: half or more never reached the threshold; simulated: most did"
        return verdict
    tol = obs.tolerance_weeks if obs.tolerance_weeks is not None else DEFAULT_TOLERANCE_WEEKS_FRACTION * w
    lo, hi = _round(w - tol, 1), _round(w + tol, 1)
    verdict = {"observed_weeks": w, "interval_weeks": [lo, hi], "pass": weeks is not None and lo <= weeks <= hi}
    if weeks is None:
        verdict["reason"] = (f"half or more of the virtual men never reached the threshold by week "
                             f"{endpoint.until_week:g}")
    return verdict


def _round(x: float | None, decimals: int | None = None) -> float | None:
    """Round for reporting: to ``decimals`` places, or to 4 significant figures."""
    if x is None or not math.isfinite(x):
        return None
    if decimals is not None:
        return round(x, decimals) + 0.0   # + 0.0 turns -0.0 into 0.0
    return float(f"{x:.4g}") + 0.0


def _week(week: float | None) -> float | int | None:
    return int(week) if week is not None and float(week).is_integer() else week
