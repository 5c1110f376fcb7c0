"""Running a trial: enrol every arm, simulate every man, keep what the endpoints need.

Each arm gets its own random stream, keyed by the trial seed and the arm's id (not its
position), so adding, removing or reordering arms leaves every other arm's men unchanged.
Trajectories are kept in internal units on one grid of weeks per arm: weekly from the first
week any endpoint needs (week 0 at the latest) to the last, plus every endpoint week exactly.
A man whose simulation fails is recorded with the solver's message and left out of the
statistics; the trial goes on.

An arm's men are simulated in chunks (:mod:`.chunks`), here or on a Dask cluster
(:mod:`.distributed`), and put back together in man order: the numbers depend on the seed
alone, not on the chunk size or where the chunks ran.

Cost: about 11 ms per man for a 12-week arm of daily anastrozole with a screen on total T
(screening 900 candidates' steady states included), about 20 ms per man averaged over arms of
up to 104 weeks of weekly injections (one core).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError
from ..progress import progress_bar
from . import chunks as chunks_module   # looked up at call time, so tests can stand in for a chunk
from .chunks import HOURS_PER_WEEK, ArmContext, ChunkResult, assemble, split
from .cohort import enrol
from .distributed import DaskChunks, LocalChunks, check_chunk_size, chunk_size_for, open_executor
from .spec import ArmSpec, Endpoint, TrialSpec


@dataclass(frozen=True)
class ArmRun:
    """The simulated men of one arm.

    ``values[measure]`` has shape ``(n_ok, len(weeks))``, internal units, one row per man whose
    simulation succeeded; ``failures`` holds the message of each man whose did not.
    """

    arm: str
    weeks: np.ndarray
    values: dict[str, np.ndarray]
    enrolled: int
    candidates: int
    failures: tuple[str, ...] = ()
    not_screened: int = 0
    screen: tuple[str, ...] = field(default=())

    @property
    def n_ok(self) -> int:
        return self.enrolled - len(self.failures)

    def column(self, week: float) -> int:
        """Index of ``week`` on the grid (every endpoint week is on it)."""
        return int(np.argmin(np.abs(self.weeks - week)))

    def status(self) -> dict:
        """What happened in this arm, for reports."""
        out = {"id": self.arm, "enrolled": self.enrolled, "simulated": self.n_ok, "failed": len(self.failures),
               "candidates_drawn": self.candidates}
        if self.screen:
            out["screen"] = " and ".join(self.screen)
        if self.not_screened:
            out["not_screened"] = self.not_screened
        if self.failures:
            out["failure_messages"] = sorted(set(self.failures))[:3]
        return out


def arm_seed(seed: int, arm_id: str) -> np.random.SeedSequence:
    """The arm's own seed sequence: a child of ``seed`` keyed by the arm id."""
    return np.random.SeedSequence(int(seed), spawn_key=(zlib.crc32(arm_id.encode("utf-8")),))


def grid_weeks(arm: ArmSpec, endpoints: list[Endpoint]) -> np.ndarray:
    """Output weeks for an arm: weekly over what the endpoints need, plus their exact weeks and 0."""
    exact = [0.0]
    for ep in endpoints:
        exact += [w for w in (ep.week, ep.from_week, ep.until_week) if w is not None]
    first = max(min(exact), arm.protocol.earliest_week)
    last = max(exact)
    weekly = np.arange(np.ceil(first), np.floor(last) + 1.0)
    return np.unique(np.concatenate([weekly, [w for w in exact if w >= first]]))


def needed_measures(spec: TrialSpec, index: int, endpoints: list[Endpoint]) -> tuple[str, ...]:
    population = spec.population_of(index)
    return tuple(dict.fromkeys([ep.measure for ep in endpoints] + [s.measure for s in population.include]))


def arm_context(spec: TrialSpec, index: int) -> ArmContext:
    """What every chunk of arm ``index`` needs: its weeks, measures and doses."""
    arm = spec.arms[index]
    endpoints = [ep for ep in spec.endpoints if ep.arm == arm.id]
    weeks = grid_weeks(arm, endpoints)
    dose_events = tuple(arm.protocol.dose_events(float(weeks[-1]) * HOURS_PER_WEEK))
    return ArmContext(arm.id, weeks, needed_measures(spec, index, endpoints), dose_events)


def run_arm(spec: TrialSpec, index: int, n_virtual: int, seed: int, progress: Callable[[int], None] | None = None, *,
            executor: LocalChunks | DaskChunks | None = None, chunk_size: int | None = None) -> ArmRun:
    """Enrol and simulate arm ``index``; ``progress(k)`` is called as ``k`` more men are done.

    The men are simulated in chunks of ``chunk_size`` (by default sized to the arm and the
    executor's workers, :func:`~.distributed.chunk_size_for`) on ``executor`` (this process by
    default); the numbers do not depend on either.
    """
    executor = LocalChunks() if executor is None else executor
    arm = spec.arms[index]
    context = arm_context(spec, index)
    weeks, measures = context.weeks, context.measures
    size = chunk_size_for(n_virtual, executor.workers, chunk_size)
    population = spec.population_of(index)
    screened = tuple(s.measure for s in population.include)

    def screen(chunks: list[np.ndarray]) -> list[ChunkResult]:
        if arm.has_history:   # week-0 values come from simulating the history
            return executor.map(chunks_module.simulate_chunk, chunks, context)
        return executor.map(chunks_module.screen_chunk, chunks, screened)

    rng = np.random.default_rng(arm_seed(seed, arm.id))
    week0 = int(np.argmin(np.abs(weeks))) if arm.has_history else 0
    cohort = enrol(spec, index, n_virtual, rng, screen=screen, chunk_size=size, week0_index=week0,
                   on_enrolled=progress if arm.has_history and population.include else None)
    if cohort.runs is not None:
        values, failures = cohort.runs, []
    else:
        results = executor.map(chunks_module.simulate_chunk, split(cohort.men, size), context, tick=progress)
        values, failures = assemble(results, measures, weeks.size)
    return ArmRun(arm.id, weeks, values, n_virtual, cohort.candidates, tuple(failures), cohort.not_screened,
                  cohort.screen)


def run_arms(spec: TrialSpec, n_virtual: int, seed: int, *, progress: bool = False, dask: object = None,
             chunk_size: int | None = None) -> dict[str, ArmRun]:
    """Every arm that has endpoints, in spec order, on the executor ``dask`` names
    (:func:`~.distributed.open_executor`: ``None`` for this process)."""
    if isinstance(n_virtual, bool) or not isinstance(n_virtual, (int, np.integer)) or not 1 <= n_virtual <= 100_000:
        raise InputError("n_virtual", "a whole number of virtual men per arm between 1 and 100000", repr(n_virtual), spec.file)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError("seed", "a non-negative whole number", repr(seed), spec.file)
    chunk_size = check_chunk_size(chunk_size)
    used = [i for i, arm in enumerate(spec.arms) if any(ep.arm == arm.id for ep in spec.endpoints)]
    runs = {}
    with open_executor(dask) as executor, _progress(progress) as bar:
        for i in used:
            arm = spec.arms[i]
            tick = None if bar is None else _ticker(bar, bar.add_task(f"arm {arm.id}", total=int(n_virtual)))
            runs[arm.id] = run_arm(spec, i, int(n_virtual), int(seed), tick, executor=executor, chunk_size=chunk_size)
    return runs


def _ticker(bar, task):
    return lambda k: bar.advance(task, k)


@contextmanager
def _progress(enabled: bool):
    """The shared progress bar (:mod:`hpgsim.progress`), counting men."""
    with progress_bar(enabled, "men") as bar:
        yield bar
