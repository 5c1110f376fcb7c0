"""The published trials as weighted residuals, through the trial runner and its pass rule.

Every endpoint of a spec is evaluated by :func:`hpgsim.trials.endpoints.evaluate` (the
TRIAL_SPEC pass rule) and becomes one residual: (simulated - observed) / half-width of the
published interval, so 1 is the edge of agreement. Two ways to simulate an arm:

* a cohort (``n_virtual`` > 0): :func:`hpgsim.trials.run_trial`, exactly as ``hpgsim trial``;
* a *typical man* (``n_virtual`` = 0): one man per arm, of the arm's mid age and BMI, with its
  conditions, personalised to the baseline total T, LH and E2 the spec publishes. One simulation
  per arm makes a joint fit affordable; fractions of men cannot be asked of one man, so fraction
  endpoints are left out in this mode (listed as not fitted).

Only the directory asked for is read: the calibration set for fitting, the validation set to
check the fit, never the other way round.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

import numpy as np

from ..engine.run import DoseEvents
from ..errors import HpgsimError, NumericalError
from ..people.conditions import apply_conditions
from ..people.personalise import GROUP_MEAN_ERROR_SCALE, personalise
from ..people.physiology_of_man import population_parameters
from ..trials import run_trial
from ..trials.endpoints import CannotCompute, EndpointResult, evaluate, values_in_unit, weeks_to
from ..trials.population_spec import Normal
from ..trials.chunks import simulate_man
from ..trials.run import HOURS_PER_WEEK, ArmRun, grid_weeks, needed_measures
from ..trials.spec import TrialSpec, load_spec
from ..trials.statistics import FRACTION_STATISTICS, LEVEL_STATISTICS
from ..units import to_internal

TYPICAL_BMI = 25.0          # the mean of the default BMI distribution (hpgsim.people.population.DEFAULT_BMI)
PERSONALISED_LABS = ("total_testosterone", "lh", "estradiol")
# Residual of an endpoint the model cannot compute: constant, so it counts as a failure without
# pulling the fit in an arbitrary direction.
CANNOT_COMPUTE_RESIDUAL = 3.0
# Residual of a weeks endpoint whose threshold half the men never reach, beyond the window's end.
NEVER_REACHED_EXTRA = 1.0
# Specs that are separate publications of one trial, by trial. An endpoint both report (same arm,
# measure and visit: the same men measured once) is one observation published twice; each of its
# k copies is weighted 1/sqrt(k) so that together they count once in the cost. The Burnett-Bowie
# 2009 reports (hormone time course, Clin Endocrinol; bone, JCEM) both give total T at months 3
# and 12 and E2 at month 3 of the same randomised men (see the two spec files).
SAME_TRIAL = {"burnett_bowie2009_clinendo": "burnett_bowie2009", "burnett_bowie2009_jcem": "burnett_bowie2009"}


def evidence_dir(which: str) -> Path:
    """The packaged trial specs of ``which`` ("calibration" or "validation")."""
    return Path(str(resources.files("hpgsim") / "evidence" / "trials" / which))


def load_specs(which: str | Path, only: tuple[str, ...] = ()) -> list[TrialSpec]:
    folder = Path(which) if isinstance(which, Path) else evidence_dir(which)
    specs = [load_spec(p) for p in sorted(folder.glob("*.yaml"))]
    return [s for s in specs if not only or s.id in only]


@dataclass(frozen=True)
class Target:
    """One endpoint's comparison: observed centre, simulated value, residual and verdict."""

    spec: str
    arm: str
    measure: str
    week: str            # "12", or "4-52" for weeks-to-threshold endpoints
    statistic: str
    observed: float | None
    simulated: float | None
    half_width: float | None
    residual: float
    passed: bool
    note: str = ""
    weight: float = 1.0     # below 1 for an observation that another report of the same trial also gives

    @property
    def weighted(self) -> float:
        """The residual as the fit counts it (:data:`SAME_TRIAL`)."""
        return self.weight * self.residual

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        return (self.spec, self.arm, self.measure, self.week, self.statistic)


def _unrounded(result: EndpointResult, run: ArmRun) -> float | None:
    """The simulated statistic before the rounding of the report (the verdict's rounding to 0.1 point
    would make the objective a staircase for the optimiser's finite differences)."""
    ep, v = result.endpoint, result.verdict
    if result.simulated is None:
        return None
    if "fraction" in result.simulated:
        return result.simulated["fraction"]
    try:
        series = values_in_unit(ep, run)
    except CannotCompute:
        return None
    if ep.statistic not in LEVEL_STATISTICS:
        return weeks_to(ep, series, run.weeks)
    centre = np.median if ep.statistic == "median" else np.mean
    value = float(centre(series[:, run.column(ep.week)]))
    if ep.percent_change or "observed_value" in v:
        return value
    base = float(centre(series[:, run.column(0.0)]))
    return None if base == 0 else 100.0 * (value - base) / base


def residual_of(result: EndpointResult, run: ArmRun) -> tuple[float | None, float | None, float | None, float]:
    """(observed, simulated, half-width, residual) of an evaluated endpoint: the observed centre and
    the interval come from the verdict (the pass rule), the simulated value unrounded."""
    v = result.verdict
    s = _unrounded(result, run)
    if "observed_change_pct" in v:
        obs, (lo, hi) = v["observed_change_pct"], v["interval_pct"]
    elif "observed_value" in v:
        obs, (lo, hi) = v["observed_value"], v["interval"]
    elif "observed_fraction" in v:
        obs, (lo, hi) = v["observed_fraction"], v["interval"]
    elif "observed_weeks" in v:
        obs = v["observed_weeks"]
        if obs is None:   # published: half never reached it
            return None, s, None, 0.0 if s is None else CANNOT_COMPUTE_RESIDUAL
        lo, hi = v["interval_weeks"]
        half = max(0.5 * (hi - lo), 1e-9)
        if s is None:
            ep = result.endpoint
            return obs, None, half, (ep.until_week - ep.from_week - obs) / half + NEVER_REACHED_EXTRA
        return obs, s, half, (s - obs) / half
    else:
        return None, None, None, CANNOT_COMPUTE_RESIDUAL
    half = max(obs - lo, hi - obs, 1e-9)
    if s is None:
        return obs, None, half, CANNOT_COMPUTE_RESIDUAL
    return obs, float(s), half, (float(s) - obs) / half


def _target(spec: TrialSpec, result: EndpointResult, run: ArmRun) -> Target:
    ep = result.endpoint
    week = f"{ep.from_week:g}-{ep.until_week:g}" if ep.week is None else f"{ep.week:g}"
    obs, sim, half, r = residual_of(result, run)
    return Target(spec.id, ep.arm, ep.measure, week, ep.statistic, obs, sim, half, float(r), bool(result.passed),
                  result.verdict.get("reason", ""))


def _mid(distribution, default: float) -> float:
    if distribution is None:
        return default
    if isinstance(distribution, Normal):
        return float(distribution.mean)
    return 0.5 * (float(distribution.min) + float(distribution.max))


def typical_man(spec: TrialSpec, index: int) -> np.ndarray:
    """The arm's typical man: mid age and BMI, its conditions, personalised to the published
    baseline total T, LH and E2 when the spec gives them (unpersonalised if they are out of reach)."""
    population = spec.population_of(index)
    p = population_parameters(_mid(population.age, 35.0), _mid(population.bmi, TYPICAL_BMI))
    p = apply_conditions(p, list(population.conditions), field=f"arms[{index}].population.conditions", file=spec.file)
    labs = {}
    arm_id = spec.arms[index].id
    for ep in spec.endpoints:
        if ep.arm != arm_id or ep.measure not in PERSONALISED_LABS or ep.observed is None or ep.percent_change:
            continue
        base = ep.observed.baseline
        value = None if base is None else (base.mean if base.mean is not None else base.median)
        if value is not None:
            labs.setdefault(ep.measure, to_internal(ep.measure, value, ep.unit))
    if labs:
        try:
            # group means are known far better than one man's labs: fit them almost exactly
            p = personalise(p, labs, error_scale=GROUP_MEAN_ERROR_SCALE)
        except HpgsimError:
            pass   # the labs are out of this man's reach: the unpersonalised typical man
    return p


def typical_arm_run(spec: TrialSpec, index: int) -> ArmRun:
    """The arm simulated on its typical man, as an :class:`ArmRun` of one man."""
    arm = spec.arms[index]
    endpoints = [ep for ep in spec.endpoints if ep.arm == arm.id]
    weeks = grid_weeks(arm, endpoints)
    measures = needed_measures(spec, index, endpoints)
    events = DoseEvents.from_list(arm.protocol.dose_events(float(weeks[-1]) * HOURS_PER_WEEK))
    try:
        row = simulate_man(typical_man(spec, index), events, weeks, measures)
    except NumericalError as err:
        return ArmRun(arm.id, weeks, {}, 1, 1, (str(err),))
    return ArmRun(arm.id, weeks, {m: v[None, :] for m, v in row.items()}, 1, 1)


def spec_targets(spec: TrialSpec, n_virtual: int = 0, seed: int = 1) -> list[Target]:
    """Every endpoint of ``spec`` with a published result, as a :class:`Target`."""
    if n_virtual > 0:
        trial = run_trial(spec, n_virtual=n_virtual, seed=seed)
        return [_target(spec, r, trial.arms[r.endpoint.arm]) for r in trial.endpoints if r.endpoint.observed is not None]
    out = []
    runs: dict[str, ArmRun] = {}
    for ep in spec.endpoints:
        if ep.observed is None or ep.statistic in FRACTION_STATISTICS:
            continue
        if ep.arm not in runs:
            index = next(i for i, a in enumerate(spec.arms) if a.id == ep.arm)
            runs[ep.arm] = typical_arm_run(spec, index)
        out.append(_target(spec, evaluate(ep, spec.arm(ep.arm), runs[ep.arm]), runs[ep.arm]))
    return out


def not_fitted(specs: list[TrialSpec], n_virtual: int) -> list[str]:
    """Published endpoints left out of a typical-man fit (fractions of men)."""
    if n_virtual > 0:
        return []
    return [f"{s.id} {ep.arm} {ep.measure} week {ep.week:g} {ep.statistic}" for s in specs for ep in s.endpoints
            if ep.observed is not None and ep.statistic in FRACTION_STATISTICS]


def all_targets(specs: list[TrialSpec], n_virtual: int = 0, seed: int = 1, tick=None) -> list[Target]:
    out: list[Target] = []
    for spec in specs:
        out += spec_targets(spec, n_virtual, seed)
        if tick is not None:
            tick()
    return same_trial_weighted(out)


def _observation(t: Target) -> tuple[str, str, str, str, str]:
    return (SAME_TRIAL.get(t.spec, t.spec), t.arm, t.measure, t.week, t.statistic)


def same_trial_weighted(targets: list[Target]) -> list[Target]:
    """``targets`` with each copy of an observation that k reports of one trial publish weighted
    1/sqrt(k) (:data:`SAME_TRIAL`); every other target keeps weight 1."""
    keys = [_observation(t) for t in targets]
    copies = Counter(keys)
    return [t if copies[k] == 1 else replace(t, weight=1.0 / math.sqrt(copies[k])) for t, k in zip(targets, keys)]
