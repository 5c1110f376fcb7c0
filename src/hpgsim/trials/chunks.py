"""The unit of work of a trial: one chunk of men of one arm, simulated or screened.

Every simulation a trial runs goes through :func:`simulate_chunk` (and every steady-state screen
through :func:`screen_chunk`): the trial runner cuts an arm's men into chunks, hands them to an
executor (in this process, or on Dask workers, :mod:`.distributed`) and puts the results back
together in man order with :func:`assemble`. A man's numbers depend only on his own parameter
vector and the arm, never on which chunk he was in or on which machine it ran, so a trial gives
the same numbers whatever the chunk size. Only the values on the arm's grid of weeks travel
back, never trajectories, so a 100,000-man arm holds ``100,000 x len(weeks)`` numbers per measure.

These functions are what a worker process runs: they take and return plain arrays and frozen
dataclasses (cheap to pickle), and import nothing from the trial spec.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..api import measures_of
from ..engine import dopri
from ..engine.batch import CONCENTRATION, NO_STEADY_STATE, STATUS_TEXT, output_names, run_batch
from ..engine.run import DoseEvents, run_man
from ..errors import NumericalError

HOURS_PER_WEEK = 168.0

BATCH_OUTPUTS = frozenset(output_names())


@dataclass(frozen=True)
class ArmContext:
    """What every chunk of an arm shares: its output weeks, the measures kept, and its doses.

    ``dose_events`` is the protocol's list of ``(t_hours, drug, dose[, route])`` (plain tuples,
    so the context pickles small); the solver's arrays are built from it where the chunk runs.
    """

    arm: str
    weeks: np.ndarray
    measures: tuple[str, ...]
    dose_events: tuple[tuple, ...]

    @cached_property
    def events(self) -> DoseEvents:
        return DoseEvents.from_list(list(self.dose_events))

    def __getstate__(self) -> dict:   # never ship the cached solver arrays to a worker
        state = dict(self.__dict__)
        state.pop("events", None)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)


@dataclass(frozen=True)
class ChunkResult:
    """Values of one chunk's men, row ``i`` for the chunk's ``i``-th man.

    ``values[measure]`` has shape ``(n, len(weeks))`` (internal units); a failed man's row is
    NaN and his ``(row, message)`` is in ``failures``. A measure the model does not produce for
    this arm is absent; when every man failed nothing is known and ``values`` is empty.
    """

    n: int
    values: dict[str, np.ndarray]
    failures: tuple[tuple[int, str], ...] = ()

    @property
    def ok(self) -> np.ndarray:
        mask = np.ones(self.n, dtype=bool)
        mask[[row for row, _ in self.failures]] = False
        return mask


def simulate_chunk(men: np.ndarray, context: ArmContext) -> ChunkResult:
    """Simulate ``men`` (shape ``(n, N_PARAMS)``) through the arm; a man whose solver fails is a
    failure of his row, not of the chunk. Drug levels of drugs the arm never gives are zero.

    The chunk runs in one call of the compiled batch engine (:func:`hpgsim.engine.batch.run_batch`,
    parallel over this process's cores), which gives each man exactly his single-man results. A
    man whose compiled baseline search fails is retried on the single-man path, whose SciPy
    fallback may still find it; measures the batch engine does not produce send the chunk down
    the single-man path.
    """
    men = np.asarray(men, dtype=float).reshape(-1, np.shape(men)[-1])
    if not all(m in BATCH_OUTPUTS or m.startswith(CONCENTRATION) for m in context.measures):
        return _simulate_one_by_one(men, context)
    hours = context.weeks * HOURS_PER_WEEK
    res = run_batch(men, context.events, hours, context.measures)
    values = {m: v.copy() for m, v in res.values.items()}
    failures: list[tuple[int, str]] = []
    for row in np.flatnonzero(res.status != dopri.OK):
        if res.status[row] == NO_STEADY_STATE:
            retry = _simulate_one_by_one(men[row:row + 1], context)
            if not retry.failures:
                for m in values:
                    values[m][row] = retry.values[m][0]
                continue
            failures.append((int(row), retry.failures[0][1]))
        else:
            failures.append((int(row), STATUS_TEXT[int(res.status[row])]))
        for m in values:
            values[m][row] = np.nan
    if len(failures) == len(men):
        values = {}
    return ChunkResult(len(men), values, tuple(failures))


def _simulate_one_by_one(men: np.ndarray, context: ArmContext) -> ChunkResult:
    """The single-man path: :func:`run_man` for each man in turn."""
    hours = context.weeks * HOURS_PER_WEEK
    values: dict[str, np.ndarray] = {}
    failures: list[tuple[int, str]] = []
    for row, p in enumerate(men):
        try:
            raw = run_man(p, context.events, float(hours[-1]), out_t=hours)
        except NumericalError as err:
            failures.append((row, str(err)))
            continue
        every = measures_of(raw)
        if not values:   # the first man who ran tells which measures exist (the same for the arm)
            values = {m: np.full((len(men), hours.size), np.nan) for m in context.measures
                      if m in every or m.startswith("concentration:")}
        for m, out in values.items():
            out[row] = every[m] if m in every else 0.0
    return ChunkResult(len(men), values, tuple(failures))


def simulate_man(p: np.ndarray, events: DoseEvents, weeks: np.ndarray, measures: tuple[str, ...]) -> dict[str, np.ndarray]:
    """One man's values of ``measures`` at ``weeks`` (internal units), for callers outside a trial
    (the conditions table, calibration on a typical man). Drug levels of drugs he never received
    are zero. Raises :class:`NumericalError` if the solver fails."""
    hours = np.asarray(weeks, dtype=float) * HOURS_PER_WEEK
    every = measures_of(run_man(p, events, float(hours[-1]), out_t=hours))
    return {m: every[m] if m in every else np.zeros(hours.shape) for m in measures
            if m in every or m.startswith("concentration:")}


def screen_chunk(men: np.ndarray, measures: tuple[str, ...]) -> ChunkResult:
    """Each man's untreated steady-state values of ``measures`` (one column: week 0), for
    screening arms that have no dosing before week 0. Measures the steady state does not give
    (a drug level) are left out; the screen reads them as zero."""
    from .cohort import baseline_measures   # noqa: PLC0415 (cohort imports this module)

    men = np.asarray(men, dtype=float).reshape(-1, np.shape(men)[-1])
    values = {m: np.full((len(men), 1), np.nan) for m in measures}
    failures: list[tuple[int, str]] = []
    for row, p in enumerate(men):
        try:
            every = baseline_measures(p)
        except NumericalError as err:
            failures.append((row, str(err)))
            continue
        for m in list(values):
            if m in every:
                values[m][row, 0] = every[m]
            else:
                del values[m]
    return ChunkResult(len(men), values, tuple(failures))


def split(men: np.ndarray, chunk_size: int) -> list[np.ndarray]:
    """``men`` cut into consecutive chunks of ``chunk_size`` rows (the last may be shorter)."""
    return [men[start:start + chunk_size] for start in range(0, len(men), chunk_size)]


def assemble(results: list[ChunkResult], measures: tuple[str, ...], n_weeks: int) -> tuple[dict[str, np.ndarray], list[str]]:
    """Chunk results (in man order) -> ``values`` of the men who ran, ``(n_ok, n_weeks)`` per
    measure, and the failure messages in man order. A measure is kept only if every chunk that
    ran a man produced it (as for one man, a measure the model lacks is absent)."""
    ran = [r for r in results if len(r.failures) < r.n]
    failures = [message for r in results for _, message in r.failures]
    if not ran:
        return {}, failures
    kept = [m for m in measures if all(m in r.values for r in ran)]
    values = {m: np.concatenate([r.values[m][r.ok] for r in ran]).reshape(-1, n_weeks) for m in kept}
    return values, failures
