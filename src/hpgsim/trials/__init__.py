"""Virtual clinical trials: re-run a published study on virtual men and compare endpoints.

The flow is one way: a spec (:mod:`.spec`) -> enrolled virtual men per arm (:mod:`.cohort`)
-> simulated trajectories (:mod:`.run`) -> endpoint statistics and verdicts
(:mod:`.endpoints`) -> reports (:mod:`.report`, :mod:`.figures`).

>>> result = run_trial("leder2004.yaml", n_virtual=200, seed=1)   # doctest: +SKIP
>>> result.summary()                                                # doctest: +SKIP
{'passed': 1, 'failed': 0, 'not_compared': 0, 'total': 1}
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from .endpoints import EndpointResult, evaluate
from .report import TrialResult
from .run import run_arms
from .spec import TrialSpec, load_spec, parse_spec

__all__ = ["EndpointResult", "TrialResult", "TrialSpec", "load_spec", "parse_spec", "run_trial"]


def run_trial(spec_or_path: TrialSpec | str | os.PathLike | Mapping, *, n_virtual: int = 500, seed: int = 1,
              progress: bool = False, dask: object = None, chunk_size: int | None = None) -> TrialResult:
    """Run a trial spec (a :class:`TrialSpec`, a YAML file, or its loaded mapping).

    ``n_virtual`` men are enrolled per arm; the same ``seed`` gives the same numbers.
    ``progress`` shows a progress bar over men on stderr (when stderr is a terminal).
    ``dask`` runs the men on a Dask cluster: ``"local"`` (one worker process per core, started
    and closed here), a scheduler address such as ``"tcp://host:8786"``, or a
    ``distributed.Client``; ``chunk_size`` is the number of men per task (by default up to
    2000, sized to the arm and the workers). Neither changes any number.

    >>> run_trial("leder2004.yaml", n_virtual=10_000, dask="tcp://scheduler:8786")   # doctest: +SKIP
    """
    if isinstance(spec_or_path, TrialSpec):
        spec = spec_or_path
    elif isinstance(spec_or_path, Mapping):
        spec = parse_spec(spec_or_path)
    else:
        spec = load_spec(spec_or_path)
    arms = run_arms(spec, n_virtual, seed, progress=progress, dask=dask, chunk_size=chunk_size)
    results = tuple(evaluate(ep, spec.arm(ep.arm), arms[ep.arm]) for ep in spec.endpoints)
    return TrialResult(spec, int(n_virtual), int(seed), arms, results)
