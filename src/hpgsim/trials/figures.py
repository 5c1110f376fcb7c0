"""One figure per endpoint measure: the simulated arms over the weeks against the published points.

Each arm that has an endpoint on the measure is drawn as its simulated mean with the band from
the 5th to the 95th percentile of its virtual men; published means (or medians) are drawn with
their SD as error bars at week 0 (baseline) and at the endpoint week. Thresholds of fraction
and time-to endpoints are dashed lines. Matplotlib's object API with the Agg canvas, so no
display is needed; files are written atomically.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..results import DISCLAIMER, atomic_path
from ..units import measure_info, to_internal
from .endpoints import CannotCompute, values_in_unit
from .spec import Endpoint
from .statistics import LEVEL_STATISTICS


def _key(ep: Endpoint) -> str:
    name = ep.measure.replace(":", "_")
    return f"{name}_pct_change" if ep.percent_change else name


def plot_measures(result, out_dir: Path, *, prefix: str = "", dpi: int = 110) -> list[Path]:
    """Write ``<prefix><measure>.png`` for every measure with endpoints; returns the paths.

    ``prefix`` lets several trials share one folder (the validation report uses ``"<study>_"``);
    ``dpi`` trades sharpness for file size."""
    groups: dict[str, list[Endpoint]] = {}
    for e in result.endpoints:
        groups.setdefault(_key(e.endpoint), []).append(e.endpoint)
    return [_plot(result, endpoints, out_dir / f"{prefix}{key}.png", dpi) for key, endpoints in groups.items()]


def _scale(ep: Endpoint, shown: Endpoint) -> float:
    """Factor taking values in ``ep``'s unit to ``shown``'s unit."""
    if ep.percent_change:
        return 1.0
    return to_internal(ep.measure, 1.0, ep.unit) / to_internal(shown.measure, 1.0, shown.unit)


def _plot(result, endpoints: list[Endpoint], path: Path, dpi: int = 110) -> Path:
    from matplotlib.figure import Figure

    shown = endpoints[0]
    arms = list(dict.fromkeys(ep.arm for ep in endpoints))
    colours = {arm: f"C{i % 10}" for i, arm in enumerate(arms)}
    fig = Figure(figsize=(8, 5), layout="constrained")
    fig.get_layout_engine().set(rect=(0, 0.04, 1, 0.96))   # room for the footer
    ax = fig.subplots()
    for arm in arms:
        run = result.arms.get(arm)
        if run is None:
            continue
        try:
            series = values_in_unit(shown, run)
        except CannotCompute:
            continue
        low, high = np.percentile(series, [5, 95], axis=0)
        ax.fill_between(run.weeks, low, high, color=colours[arm], alpha=0.2, lw=0)
        ax.plot(run.weeks, series.mean(axis=0), color=colours[arm], lw=1.8,
                label=f"{arm}: simulated mean, 5-95 % band (n={run.n_ok})")
    published = False
    for ep in endpoints:
        points = _published_points(ep)
        if points:
            factor = _scale(ep, shown)
            weeks, centres, sds = zip(*points)
            ax.errorbar(weeks, np.array(centres) * factor, yerr=np.array(sds) * factor, fmt="o",
                        color=colours[ep.arm], mec="black", capsize=4, zorder=5,
                        label=None if published else "published (mean or median, SD)")
            published = True
        if ep.threshold is not None:
            ax.axhline(ep.threshold * _scale(ep, shown), color=colours[ep.arm], ls="--", lw=1,
                       label=f"{ep.arm}: {ep.statistic} threshold {ep.threshold:g} {ep.unit}")
    label = measure_info(shown.measure).label
    unit = "% change from week 0" if shown.percent_change else shown.unit
    ax.set_xlabel("week")
    ax.set_ylabel(f"{label} ({unit})")
    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8, frameon=False)
    else:
        ax.text(0.5, 0.5, "nothing to draw: see the endpoint's reason in endpoints.csv", transform=ax.transAxes,
                ha="center", va="center")
    ax.set_title(f"{result.spec.id}: {label}\n{result.spec.citation}", fontsize=10, loc="left", parse_math=False)
    fig.text(0.5, 0.005, f"{DISCLAIMER} ({result.n_virtual} virtual men per arm, seed {result.seed})",
             ha="center", va="bottom", fontsize=8, style="italic")
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=dpi)
    return path


def _published_points(ep: Endpoint) -> list[tuple[float, float, float]]:
    """(week, centre, sd) of the published baseline and value, where given (SD 0 when not)."""
    obs = ep.observed
    if obs is None or ep.statistic not in LEVEL_STATISTICS:
        return []
    points = []
    for week, summary in ((0.0, obs.baseline), (ep.week, obs.value)):
        if summary is None or (ep.percent_change and week == 0.0):
            continue
        first, second = ("median", "mean") if ep.statistic == "median" else ("mean", "median")
        centre = getattr(summary, first) if getattr(summary, first) is not None else getattr(summary, second)
        if centre is None:
            continue
        sd = summary.sd if summary.sd is not None else 0.0
        points.append((week, centre, sd))
    return points
