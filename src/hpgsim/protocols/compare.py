"""One man under several library protocols: a table of where he starts and ends, and a figure.

Every number is a simulation of one virtual man, for research and teaching; a comparison of
protocols is never a recommendation of one.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..option_lists import comma_list
from ..reference_ranges import REFERENCE_RANGES
from ..results import DISCLAIMER, Result, atomic_path
from ..units import from_internal, measure_info
from .flags import FLAGS, flags_of
from .library import NamedProtocol, named_or_regimen

MEASURES = ("total_testosterone", "estradiol", "lh", "fsh", "sperm_concentration")


def parse_names(text: str | list[str]) -> list[str]:
    """``"a,b, c"`` or a list as a list of distinct protocol names, in order."""
    names = comma_list(text)
    if not names:
        raise InputError("--protocols", "one or more library protocol names or regimens separated by commas", repr(text))
    return names


def compare_protocols(patient, names: str | list[str], weeks: float | None = None, *,
                      units: str = "conventional", output_every_hours: float = 24.0,
                      file: str | None = None) -> tuple[pd.DataFrame, dict[str, Result]]:
    """Simulate ``patient`` under each library protocol in ``names`` (with its monitoring).

    ``weeks``: the same duration for all, or ``None`` for each protocol's suggested one.
    Returns one row per protocol (``protocol``, ``title``, ``evidence``, ``weeks``; for each
    measure of :data:`MEASURES` its ``_baseline`` (week 0), ``_end``, ``_change_pct`` and
    ``_unit`` in ``units``; the first week each flag of :mod:`~hpgsim.protocols.flags` is
    reached (``None`` never, ``"at baseline"``); ``dose_changes`` made by monitoring rules) and
    the results by protocol name.
    """
    named = [named_or_regimen(name, field="--protocols", file=file) for name in parse_names(names)]
    rows, results = [], {}
    for item in named:
        run_weeks = item.weeks if weeks is None else float(weeks)
        result = item.simulate(patient, run_weeks, output_every_hours=output_every_hours, file=file)
        results[item.name] = result
        rows.append(_row(item, run_weeks, result, units))
    return pd.DataFrame(rows), results


def _row(item: NamedProtocol, weeks: float, result: Result, units: str) -> dict:
    row: dict = {"protocol": item.name, "title": item.title, "evidence": item.evidence, "weeks": weeks}
    summary = result.summary(units)
    for measure in MEASURES:
        if measure not in summary.index:
            continue
        line = summary.loc[measure]
        change = line["change_pct"]
        row[f"{measure}_baseline"] = float(line["baseline"])
        row[f"{measure}_end"] = float(line["end"])
        row[f"{measure}_change_pct"] = None if pd.isna(change) else float(change)
        row[f"{measure}_unit"] = line["unit"]
    row.update(flags_of(result))
    row["dose_changes"] = len(result.adjustments)
    return row


def plot_comparison(results: dict[str, Result], path: str | os.PathLike, units: str = "conventional",
                    title: str | None = None) -> Path:
    """A grid of panels (total T, E2, LH, FSH, sperm concentration), one line per protocol, from
    week 0 on; reference bands shaded and the flag lines dashed. Written atomically."""
    from matplotlib.figure import Figure

    from ..plotting import check_plot_path

    path = check_plot_path(path)
    fig = Figure(figsize=(11, 10), layout="constrained")
    fig.get_layout_engine().set(rect=(0, 0.03, 1, 0.97))
    axes = list(fig.subplots(3, 2).ravel())
    flag_lines = {f.measure: f for f in FLAGS}
    for ax, measure in zip(axes, MEASURES):
        unit = from_internal(measure, 1.0, units)[1]
        top = 0.0
        for i, (name, result) in enumerate(results.items()):
            if measure not in result.values:
                continue
            keep = result.t_hours >= 0.0
            values, _ = from_internal(measure, result.values[measure][keep], units)
            ax.plot(result.weeks[keep], values, color=f"C{i % 10}", lw=1.5, label=name)
            top = max(top, float(np.max(values)))
        band = REFERENCE_RANGES.get(measure)
        if band is not None and band.low is not None:
            low = from_internal(measure, band.low, units)[0]
            high = from_internal(measure, band.high, units)[0] if band.high is not None else max(top, low) * 1.1 + 1
            ax.axhspan(low, high, color="#c8e6c9", zorder=0)
        flag = flag_lines.get(measure)
        if flag is not None:
            ax.axhline(from_internal(measure, flag.value, units)[0], color="#b71c1c", ls="--", lw=1)
        ax.set_ylim(0.0, max(top * 1.08, 1.0))
        ax.set_xlim(0.0, max((float(r.weeks[-1]) for r in results.values()), default=1.0))
        ax.set_title(f"{measure_info(measure).label} ({unit})", fontsize=10)
        ax.set_xlabel("week", fontsize=8)
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
    legend_ax = axes[len(MEASURES)]
    legend_ax.axis("off")
    handles, labels = axes[0].get_legend_handles_labels()
    legend_ax.legend(handles, labels, loc="center", frameon=False, fontsize=9,
                     title="green: healthy reference band; red dashes: flag line")
    fig.suptitle(textwrap.fill(title, 110, replace_whitespace=False) if title else "Protocols compared",
                 fontsize=11, parse_math=False)
    fig.text(0.5, 0.005, DISCLAIMER, ha="center", va="bottom", fontsize=9, style="italic")
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=path.suffix[1:].lower(), dpi=110)
    return path
