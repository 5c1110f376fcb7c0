"""How often a protocol brings a man's T or sperm concentration into a target range, by simulation.

Nothing here is a rule: the probability is the fraction of simulated men who are in the target
range at the end of the protocol, with its Monte-Carlo uncertainty. Two groups are simulated:

* **him**: draws from his Laplace posterior (:meth:`Personalisation.draws`), so the spread is
  what his labs leave unknown about his physiology, and how fast he clears the drugs (which
  labs do not show: the population's spread, :data:`hpgsim.people.population.PK_VARIATION`);
* **men like him**: draws from the population prior of his age, BMI and conditions (his labs
  not used), which shows what the labs added.

The uncertainty is that of the simulation (a binomial standard error and a Wilson 95 % interval
for ``n`` draws), not of the model itself; the model's own errors (see the validation report)
come on top. A simulation result, not a prediction for a patient and not a recommendation.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from ..errors import InputError, NumericalError
from ..units import from_internal, to_internal
from .personalise import Personalisation, fit_labs

HOURS_PER_WEEK = 168.0
_RANGE = re.compile(r"^\s*([-+]?\d+\.?\d*(?:[eE][-+]?\d+)?)\s*(?:-|to|\.\.)\s*(\d+\.?\d*(?:[eE][-+]?\d+)?)\s*(.+?)\s*$")


@dataclass(frozen=True)
class Target:
    """``measure`` at or above ``low`` (and at or below ``high`` when given), internal units."""

    measure: str
    low: float
    high: float | None
    text: str

    @classmethod
    def parse(cls, measure: str, text: str, *, field: str) -> "Target":
        """``"400 ng/dL"`` (at least) or ``"400-900 ng/dL"`` (a range) for ``measure``."""
        if not isinstance(text, str):
            raise InputError(field, "a value with a unit such as '400 ng/dL' or a range '400-900 ng/dL'", repr(text))
        match = _RANGE.match(text)
        if match:
            low = to_internal(measure, float(match.group(1)), match.group(3), field=field)
            high = to_internal(measure, float(match.group(2)), match.group(3), field=field)
            if not 0 <= low < high:
                raise InputError(field, "a range whose lower end is below its upper end", repr(text))
            return cls(measure, low, high, text.strip())
        low = to_internal(measure, text, field=field)
        if not low > 0:
            raise InputError(field, "a target above zero", repr(text))
        return cls(measure, low, None, text.strip())

    def contains(self, values: np.ndarray) -> np.ndarray:
        values = np.asarray(values, dtype=float)
        inside = values >= self.low
        return inside & (values <= self.high) if self.high is not None else inside

    def contains_value(self, value: float) -> bool:
        """:meth:`contains` for one value."""
        return bool(self.contains(np.array([value]))[0])

    def describe(self, system: str = "conventional") -> str:
        (low,), unit = from_internal(self.measure, np.array([self.low]), system)
        label = {"total_testosterone": "total T", "sperm_concentration": "sperm concentration"}.get(
            self.measure, self.measure.replace("_", " "))
        if self.high is None:
            return f"{label} at least {low:.3g} {unit}"
        (high,), _ = from_internal(self.measure, np.array([self.high]), system)
        return f"{label} {low:.3g}-{high:.3g} {unit}"


@dataclass(frozen=True)
class TargetProbability:
    """Of ``n`` simulated men, ``reached`` were in range at the end and ``at_baseline`` at week 0."""

    target: Target
    group: str
    n: int
    reached: int
    at_baseline: int
    failed: int = 0

    @property
    def fraction(self) -> float:
        return self.reached / self.n if self.n else math.nan

    @property
    def baseline_fraction(self) -> float:
        return self.at_baseline / self.n if self.n else math.nan

    @property
    def standard_error(self) -> float:
        """Monte-Carlo (binomial) standard error of :attr:`fraction`."""
        f = self.fraction
        return math.sqrt(f * (1.0 - f) / self.n) if self.n else math.nan

    @property
    def interval(self) -> tuple[float, float]:
        """Wilson 95 % interval of :attr:`fraction` (sensible at 0 and 1, unlike fraction +/- 2 SE)."""
        if not self.n:
            return math.nan, math.nan
        z, n, f = 1.96, self.n, self.fraction
        centre = (f + z * z / (2 * n)) / (1 + z * z / n)
        half = z * math.sqrt(f * (1 - f) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        return max(centre - half, 0.0), min(centre + half, 1.0)


def simulate_end_values(men: np.ndarray, protocol, weeks: float, measures: tuple[str, ...]) -> tuple[dict, dict, int]:
    """Values of ``measures`` at week 0 and at ``weeks`` for each man (internal units), and the
    number of men whose simulation failed (left out)."""
    from ..api import measures_of
    from ..engine.run import DoseEvents, run_man

    t_end = float(weeks) * HOURS_PER_WEEK
    events = DoseEvents.from_list(protocol.dose_events(t_end))
    start = {m: [] for m in measures}
    end = {m: [] for m in measures}
    failed = 0
    for p in men:
        try:
            raw = run_man(p, events, t_end, out_t=np.array([0.0, t_end]))
        except NumericalError:
            failed += 1
            continue
        values = measures_of(raw)
        for m in measures:
            start[m].append(values[m][0])
            end[m].append(values[m][-1])
    return ({m: np.array(v) for m, v in start.items()}, {m: np.array(v) for m, v in end.items()}, failed)


def target_probabilities(fit: Personalisation, typical: np.ndarray, protocol, weeks: float,
                         targets: list[Target], *, draws: int = 100, seed: int = 1) -> list[TargetProbability]:
    """For each target, the fraction of his posterior draws and of men like him (the population
    prior around ``typical``, the man of his age, BMI and conditions) in range at ``weeks``."""
    if isinstance(draws, bool) or not isinstance(draws, int) or not 2 <= draws <= 10000:
        raise InputError("draws", "a whole number of draws between 2 and 10000", repr(draws))
    if not targets:
        return []
    rng_him, rng_like = (np.random.default_rng(s) for s in np.random.SeedSequence(int(seed)).spawn(2))
    measures = tuple(dict.fromkeys(t.measure for t in targets))
    groups = (("him (posterior draws)", fit.draws(rng_him, draws)),
              ("men of his age, BMI and conditions (population prior)", fit_labs(typical, {}).draws(rng_like, draws)))
    out = []
    for group, men in groups:
        start, end, failed = simulate_end_values(men, protocol, weeks, measures)
        for target in targets:
            n = end[target.measure].size
            out.append(TargetProbability(target, group, n, int(target.contains(end[target.measure]).sum()),
                                         int(target.contains(start[target.measure]).sum()), failed))
    return out


def baseline_mismatches(odds: list[TargetProbability], labs: dict[str, float], fit: Personalisation) -> list[str]:
    """Notes where his measured value (``labs``, internal units) and most of his simulated draws
    at week 0 disagree on a target: the probability then speaks for the model's men more than for
    him."""
    z = {lab.lab: lab.z for lab in fit.labs}
    lines = []
    for o in odds:
        if not o.group.startswith("him") or o.target.measure not in labs or not o.n:
            continue
        inside = o.target.contains_value(labs[o.target.measure])
        share = o.baseline_fraction if not inside else 1.0 - o.baseline_fraction
        if share > 0.5:
            gap = f" (gap {z[o.target.measure]:+.1f} measurement SDs in the fit)" if o.target.measure in z else ""
            lines.append(f"Note: his measured {o.target.measure} is {'in' if inside else 'not in'} the target range, but "
                         f"{100 * share:.0f} % of his simulated draws are {'not ' if inside else ''}in it at week 0: the "
                         f"fit does not reproduce that lab{gap}, so this probability describes the model's men more "
                         "than him.")
    return lines
