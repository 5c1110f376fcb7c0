"""Enrolment: draw candidate men for an arm and keep those who meet its screen at week 0.

Candidates are drawn in batches of ``n_virtual`` from the arm's population
(:func:`hpgsim.people.population.sample_men`) and screened on their week-0 values in
order; the first ``n_virtual`` who pass are enrolled. Without history (no dosing before
week 0) a man's week-0 values are his steady state, which is cheap; with history they come
from simulating him through it, and that simulation is kept for the trial run. After
``MAX_CANDIDATES_PER_MAN * n_virtual`` candidates without enough passing, the screen is
reported as impossible for this population.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..api import measures_of
from ..engine.run import RawRun
from ..engine.steady_state import steady_state
from ..errors import InputError, NumericalError
from ..people.population import sample_men
from ..physiology import model
from .population_spec import Population
from .spec import TrialSpec

MAX_CANDIDATES_PER_MAN = 20


@dataclass(frozen=True)
class Cohort:
    """The enrolled men of one arm.

    ``men`` are parameter vectors, shape ``(n, N_PARAMS)``. ``runs`` holds, for arms with
    history, each man's simulated trajectories (or the :class:`NumericalError` text) from
    screening, in the same order; ``None`` when the trial run still has to simulate them.
    """

    men: np.ndarray
    candidates: int
    not_screened: int = 0          # candidates whose week-0 values could not be computed
    runs: list | None = None
    screen: tuple[str, ...] = field(default=())


def baseline_measures(p: np.ndarray) -> dict[str, float]:
    """A man's untreated steady-state values (internal units), as :func:`hpgsim.api.measures_of` names them."""
    y, q = steady_state(p)
    a = np.zeros(model.N_ALG)
    model.algebra(y, q, np.zeros(model.N_CHANNELS), a)
    raw = RawRun(np.zeros(1), y[None, :], a[None, :], np.zeros((1, 0)), (), q, 0)
    return {name: float(v[0]) for name, v in measures_of(raw).items()}


def _passes(population: Population, values: dict[str, float]) -> bool:
    # a drug level not in the values is that of a drug never given: zero
    return all(bool(s.passes(values.get(s.measure, 0.0))) for s in population.include)


def enrol(spec: TrialSpec, index: int, n_virtual: int, rng: np.random.Generator, *,
          simulate: Callable[[np.ndarray], dict[str, np.ndarray]] | None = None, week0_index: int = 0,
          on_enrolled: Callable[[], None] | None = None) -> Cohort:
    """Enrol ``n_virtual`` men in arm ``index`` of ``spec``.

    ``simulate(p)`` must return the man's trajectories as ``{measure: array}`` (internal units)
    with week 0 at position ``week0_index``, including every screened measure; it is needed
    only when the arm has history and a screen, and it may raise :class:`NumericalError`.
    ``on_enrolled`` is called once per enrolled man (for a progress bar).
    """
    arm = spec.arms[index]
    population = spec.population_of(index)
    need_run = bool(population.include) and arm.has_history
    if need_run and simulate is None:
        raise ValueError("an arm with history and a screen needs simulate()")
    kept: list[np.ndarray] = []
    runs: list = []
    candidates = not_screened = 0
    limit = MAX_CANDIDATES_PER_MAN * n_virtual
    while len(kept) < n_virtual and candidates < limit:
        batch = sample_men(rng, min(n_virtual, limit - candidates), age=population.age.model_dump(),
                           bmi=None if population.bmi is None else population.bmi.model_dump(),
                           conditions=population.conditions, field=f"arms[{index}].population", file=spec.file)
        for p in batch:
            if len(kept) == n_virtual:
                break
            candidates += 1
            if not population.include:
                kept.append(p)
                _tick(on_enrolled)
                continue
            try:
                if need_run:
                    trajectories = simulate(p)
                    values = {m: float(v[week0_index]) for m, v in trajectories.items()}
                else:
                    values = baseline_measures(p)
            except NumericalError:
                not_screened += 1
                continue
            if _passes(population, values):
                kept.append(p)
                if need_run:
                    runs.append(trajectories)
                _tick(on_enrolled)
    if len(kept) < n_virtual:
        screen = " and ".join(s.describe() for s in population.include)
        raise InputError(population.include_field,
                         f"a screen that {n_virtual} virtual men (n_virtual per arm) can meet within the "
                         f"{candidates} candidates drawn for arm {arm.id!r}",
                         f"only {len(kept)} of {candidates} candidates meeting {screen} at week 0; widen the "
                         f"screen, or change the population's age, BMI or conditions", spec.file)
    return Cohort(np.array(kept).reshape(n_virtual, -1), candidates, not_screened,
                  runs if need_run else None, tuple(s.describe() for s in population.include))


def _tick(callback: Callable[[], None] | None) -> None:
    if callback is not None:
        callback()
