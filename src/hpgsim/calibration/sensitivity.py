"""Which parameters drive one endpoint: global variance-based sensitivity (``hpgsim sensitivity``).

Each parameter is drawn over its plausible range (log-uniform when the range is positive and
spans more than ten-fold, uniform otherwise) by Saltelli's scheme (SALib's Sobol' sequence,
``N * (D + 2)`` evaluations for D parameters), the endpoint is simulated at every draw with
the draw applied as a :class:`~hpgsim.calibration.parameter_set.ParameterSet`, and Sobol'
indices are estimated with bootstrap 95 % confidence intervals (SALib): S1 is the share of the
endpoint's variance a parameter explains alone, ST the share it takes part in, interactions
included. A parameter with ST near 0 can be fixed anywhere in its range without changing the
endpoint.

Only the endpoint's own arm is simulated, on a typical man (:func:`.targets.typical_arm_run`) or
on a cohort of ``n_virtual`` men with a fixed seed (the same men at every draw).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from ..trials.endpoints import evaluate
from ..trials.run import run_arm
from ..trials.spec import Endpoint, TrialSpec
from .parameter_set import ParameterInfo, ParameterSet, info
from .targets import typical_arm_run

LOG_UNIFORM_SPAN = 10.0     # positive ranges wider than this ratio are sampled log-uniformly


def endpoint_label(ep: Endpoint) -> str:
    """``arm:measure:week`` (``from-until`` for weeks-to-threshold endpoints)."""
    week = f"{ep.from_week:g}-{ep.until_week:g}" if ep.week is None else f"{ep.week:g}"
    return f"{ep.arm}:{ep.measure}:{week}"


def pick_endpoint(spec: TrialSpec, selector: str, *, field: str = "--endpoint") -> int:
    """The index of the endpoint ``selector`` names: its index, or ``arm:measure:week`` (the week may be
    left out when the arm has one endpoint of that measure; a statistic may follow as a fourth part)."""
    labels = [endpoint_label(ep) for ep in spec.endpoints]
    text = selector.strip()
    if re.fullmatch(r"\d+", text) and int(text) < len(labels):
        return int(text)
    parts = text.split(":")
    matches = []
    for i, ep in enumerate(spec.endpoints):
        mine = labels[i].split(":") + [ep.statistic]
        if len(parts) <= 4 and all(_same(a, b) for a, b in zip(parts, mine)) and len(parts) >= 2:
            matches.append(i)
    if len(matches) == 1:
        return matches[0]
    choices = "; ".join(f"{i} = {lab}" + (f" ({_detail(spec.endpoints[i])})" if labels.count(lab) > 1 else "")
                        for i, lab in enumerate(labels))
    why = "several endpoints" if matches else "no endpoint"
    raise InputError(field, f"one endpoint of {spec.id}, by index or arm:measure:week ({choices})",
                     f"{selector!r}, which matches {why}", spec.file)


def _detail(ep: Endpoint) -> str:
    return ep.statistic + ("" if ep.threshold is None else f" {ep.threshold:g} {ep.unit}")


def _same(given: str, actual: str) -> bool:
    if given == actual:
        return True
    try:
        return math.isclose(float(given), float(actual))
    except ValueError:
        return False


@dataclass(frozen=True)
class Index:
    name: str
    s1: float
    s1_conf: float
    st: float
    st_conf: float


@dataclass(frozen=True)
class SensitivityResult:
    endpoint: str
    quantity: str          # what was measured ("change from week 0, %", ...)
    indices: tuple[Index, ...]   # ranked by ST, largest first
    evaluations: int
    not_computed: int      # draws whose endpoint could not be computed (replaced by the mean)
    mean: float
    sd: float


def _problem(metas: Sequence[ParameterInfo]) -> tuple[dict, list[bool]]:
    bounds, logs = [], []
    for m in metas:
        log = m.low > 0 and m.high / m.low > LOG_UNIFORM_SPAN
        logs.append(log)
        bounds.append([math.log(m.low), math.log(m.high)] if log else [m.low, m.high])
    return {"num_vars": len(metas), "names": [m.name for m in metas], "bounds": bounds}, logs


def _value_of(result) -> tuple[float | None, str]:
    """The endpoint's simulated statistic as one number, and what it is."""
    sim, ep = result.simulated, result.endpoint
    if sim is None:
        return None, ""
    if "fraction" in sim:
        return sim["fraction"], "fraction of men"
    if "weeks" in sim:   # never reached by half the men: censored at the end of the window
        return (sim["weeks"] if sim["weeks"] is not None else ep.until_week - ep.from_week), "weeks to the threshold"
    centre = "median" if ep.statistic == "median" else "mean"
    if sim.get("change_pct") is not None and not ep.percent_change:
        return sim["change_pct"], "change from week 0 (%)"
    return sim["value"][centre], f"{centre} at week {ep.week:g} ({ep.unit})"


def sensitivity(spec: TrialSpec, endpoint: int, params: Sequence[str], *, n: int = 64, seed: int = 1,
                n_virtual: int = 0, progress: Callable[[int, int], None] | None = None) -> SensitivityResult:
    """Sobol' indices of endpoint ``endpoint`` of ``spec`` over ``params``; see the module docstring."""
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    if n < 2 or n & (n - 1):
        raise InputError("--n", "a power of two of at least 2 (Sobol' sequences need it), such as 64", repr(n), None)
    names = list(dict.fromkeys(params))
    if len(names) < 2:
        raise InputError("--params", "at least two parameters to rank", ",".join(names) or "none")
    metas = [info(p, field="--params") for p in names]
    problem, logs = _problem(metas)
    ep = spec.endpoints[endpoint]
    index = next(i for i, a in enumerate(spec.arms) if a.id == ep.arm)
    arm = spec.arms[index]
    x = sobol_sample.sample(problem, n, calc_second_order=False, seed=seed)
    y = np.full(x.shape[0], np.nan)
    quantity = ""
    for k, row in enumerate(x):
        values = {m.name: float(min(max(math.exp(v) if log else v, m.low), m.high))
                  for m, v, log in zip(metas, row, logs)}
        with ParameterSet(values).applied():
            run = typical_arm_run(spec, index) if n_virtual == 0 else run_arm(spec, index, n_virtual, seed)
            value, what = _value_of(evaluate(ep, arm, run))
        if value is not None and math.isfinite(value):
            y[k], quantity = value, what
        if progress is not None:
            progress(k + 1, x.shape[0])
    bad = int(np.sum(~np.isfinite(y)))
    if bad == y.size:
        raise InputError("--endpoint", "an endpoint the model can compute", f"none of {y.size} draws of "
                         f"{endpoint_label(ep)} could be computed", spec.file)
    y[~np.isfinite(y)] = float(np.nanmean(y))
    found = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=seed, print_to_console=False)
    indices = [Index(nm, float(found["S1"][j]), float(found["S1_conf"][j]), float(found["ST"][j]),
                     float(found["ST_conf"][j])) for j, nm in enumerate(names)]
    indices = [_finite(i) for i in indices]
    indices.sort(key=lambda i: -i.st)
    return SensitivityResult(endpoint_label(ep) + f" ({ep.statistic})", quantity, tuple(indices), int(y.size), bad,
                             float(np.mean(y)), float(np.std(y)))


def _finite(i: Index) -> Index:
    """A constant endpoint gives 0/0 indices; report 0 (it explains none of no variance)."""
    f = lambda v: v if math.isfinite(v) else 0.0  # noqa: E731
    return Index(i.name, f(i.s1), f(i.s1_conf), f(i.st), f(i.st_conf))


def plot(result: SensitivityResult, path) -> None:
    """A horizontal bar chart of S1 and ST with their 95 % intervals, largest ST on top."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    idx = list(reversed(result.indices))
    ypos = np.arange(len(idx))
    fig, ax = plt.subplots(figsize=(7.0, 1.0 + 0.35 * len(idx)))
    ax.barh(ypos + 0.2, [i.st for i in idx], 0.4, xerr=[i.st_conf for i in idx], label="ST (total)", color="#4c72b0")
    ax.barh(ypos - 0.2, [i.s1 for i in idx], 0.4, xerr=[i.s1_conf for i in idx], label="S1 (first order)",
            color="#dd8452")
    ax.set_yticks(ypos, [i.name for i in idx])
    ax.set_xlabel("Sobol' index (share of the endpoint's variance)")
    ax.set_title(f"{result.endpoint}\n(simulation, {result.evaluations} draws)", fontsize=9)
    ax.legend(loc="best", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
