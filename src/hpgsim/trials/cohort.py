"""Enrolment: draw candidate men for an arm and keep those who meet its screen at week 0.

Candidates are drawn in batches of ``n_virtual`` from the arm's population
(:func:`hpgsim.people.population.sample_men`) and screened on their week-0 values in
order; the first ``n_virtual`` who pass are enrolled. Without history (no dosing before
week 0) a man's week-0 values are his steady state, which is cheap; with history they come
from simulating him through it, and that simulation is kept for the trial run. Candidates are
evaluated in chunks (possibly on other machines, see :mod:`.distributed`) but judged one by
one in draw order, so the cohort does not depend on the chunking. After
``MAX_CANDIDATES_PER_MAN * n_virtual`` candidates (and at least ``MIN_CANDIDATES``) without
enough passing, the screen is reported as impossible for this population.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..api import measures_of
from ..engine.run import RawRun
from ..engine.steady_state import steady_state
from ..errors import InputError
from ..people.population import sample_men
from ..physiology import model
from .chunks import ChunkResult, split
from .population_spec import Population
from .spec import TrialSpec

# Screening costs one steady state per candidate (about a quarter of a millisecond), so the
# budget is generous: a hypogonadal screen (total T < 300 ng/dL in men of 20-70 with no
# condition named) is met by one man in twenty to forty of the general population, and a screen
# on two measures that come from different mechanisms (a low T/E2 ratio, from aromatase, and
# oligospermia, from sperm yield) by about one in eighty, as real trials that enrol such men
# from a clinic population screen many more than they enrol. 200 per man (20,000 steady states,
# a few seconds, for a 100-man arm whose screen cannot be met) covers both.
MAX_CANDIDATES_PER_MAN = 200
# A floor on the candidates drawn before a screen is called impossible: a rare screen would
# otherwise fail by chance for small cohorts (30 men: 1500 candidates) while it fills for 100.
# Candidates are drawn in order until the arm is full, so raising the budget or the floor does
# not change a cohort that fills.
MIN_CANDIDATES = 5000

# Evaluates candidate chunks (in order) on the arm's screened measures; see enrol().
ScreenChunks = Callable[[list[np.ndarray]], list[ChunkResult]]


@dataclass(frozen=True)
class Cohort:
    """The enrolled men of one arm.

    ``men`` are parameter vectors, shape ``(n, N_PARAMS)``. ``runs`` holds, for arms with
    history and a screen, the enrolled men's values from screening (``{measure: (n, len(weeks))}``,
    men in the same order; every one of them ran); ``None`` when the trial run still has to
    simulate them.
    """

    men: np.ndarray
    candidates: int
    not_screened: int = 0          # candidates whose week-0 values could not be computed
    runs: dict[str, np.ndarray] | None = None
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
          screen: ScreenChunks | None = None, chunk_size: int = 1, week0_index: int = 0,
          on_enrolled: Callable[[int], None] | None = None) -> Cohort:
    """Enrol ``n_virtual`` men in arm ``index`` of ``spec``.

    ``screen(chunks)`` evaluates a list of candidate chunks and returns their
    :class:`~.chunks.ChunkResult` in the same order, each holding the screened measures with
    week 0 at column ``week0_index`` (an arm with history simulates its candidates, and their
    trajectories are kept for the enrolled men; an arm without reads their steady states). It is
    needed only when the population has a screen. ``on_enrolled(k)`` is called as ``k`` more
    men are enrolled (for a progress bar).

    Candidates are evaluated ``chunk_size`` at a time, in waves sized to the men still needed
    at the pass rate seen so far, and judged strictly in draw order; so who is enrolled, and the
    counts reported, do not depend on the chunk size (a wave may evaluate a few candidates that
    are never judged; they are not counted).
    """
    arm = spec.arms[index]
    population = spec.population_of(index)
    if population.include and screen is None:
        raise ValueError("a population with a screen needs screen()")
    kept: list[np.ndarray] = []
    runs: list[dict[str, np.ndarray]] = []   # per evaluated chunk: the values of the men enrolled from it
    candidates = not_screened = judged_passed = 0
    limit = max(MAX_CANDIDATES_PER_MAN * n_virtual, MIN_CANDIDATES)
    while len(kept) < n_virtual and candidates < limit:
        batch = sample_men(rng, min(n_virtual, limit - candidates), age=population.age.model_dump(),
                           bmi=None if population.bmi is None else population.bmi.model_dump(),
                           conditions=population.conditions, field=f"arms[{index}].population", file=spec.file)
        if not population.include:
            take = batch[:n_virtual - len(kept)]
            kept.extend(take)
            candidates += len(take)
            _tick(on_enrolled, len(take))
            continue
        start = 0
        while start < len(batch) and len(kept) < n_virtual:
            # how many candidates should meet the screen, at the pass rate so far (all of this
            # batch while none has passed): whole chunks, so workers get full chunks
            rate = judged_passed / candidates if candidates else 1.0
            want = len(batch) if rate == 0 else int(np.ceil((n_virtual - len(kept)) / rate))
            stop = min(len(batch), start + int(np.ceil(want / chunk_size)) * chunk_size)
            wave = split(batch[start:stop], chunk_size)
            for chunk, result in zip(wave, screen(wave)):
                failed = {row for row, _ in result.failures}
                enrolled: list[int] = []
                for row, p in enumerate(chunk):
                    if len(kept) == n_virtual:
                        break
                    candidates += 1
                    if row in failed:
                        not_screened += 1
                        continue
                    values = {m: float(v[row, week0_index]) for m, v in result.values.items()}
                    if _passes(population, values):
                        kept.append(p)
                        enrolled.append(row)
                        judged_passed += 1
                if enrolled:   # keep only their rows: memory grows with the men enrolled, not evaluated
                    runs.append({m: v[enrolled] for m, v in result.values.items()})
                    _tick(on_enrolled, len(enrolled))
            start = stop
    if len(kept) < n_virtual:
        screen_text = " and ".join(s.describe() for s in population.include)
        raise InputError(population.include_field,
                         f"a screen that {n_virtual} virtual men (n_virtual per arm) can meet within the "
                         f"{candidates} candidates drawn for arm {arm.id!r}",
                         f"only {len(kept)} of {candidates} candidates meeting {screen_text} at week 0; widen the "
                         f"screen, or change the population's age, BMI or conditions", spec.file)
    return Cohort(np.array(kept).reshape(n_virtual, -1), candidates, not_screened,
                  _enrolled_values(runs) if population.include and arm.has_history else None,
                  tuple(s.describe() for s in population.include))


def _enrolled_values(runs: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """The screening values of the enrolled men, in enrolment order."""
    if not runs:
        return {}
    measures = [m for m in runs[0] if all(m in values for values in runs)]
    return {m: np.concatenate([values[m] for values in runs]) for m in measures}


def _tick(callback: Callable[[int], None] | None, k: int) -> None:
    if callback is not None and k:
        callback(k)
