"""One figure per result: the markers people look at, against healthy reference bands.

Matplotlib's object API (``Figure``, no ``pyplot``) renders with Agg, so no display is needed and
nothing global is touched.
"""

from __future__ import annotations

import os
from pathlib import Path

from .reference_ranges import REFERENCE_RANGES
from .results import DISCLAIMER, Result, atomic_path, check_output_path, describe_patient, describe_protocol
from .units import from_internal, measure_info

PANELS = ("total_testosterone", "free_testosterone", "estradiol", "lh", "fsh",
          "sperm_concentration", "bmd_spine")
PLOT_SUFFIXES = (".png", ".pdf", ".svg")
BAND_COLOUR = "#c8e6c9"   # light green
BAND_TEXT = "#2e7d32"
# Measures whose axis starts at zero; BMD moves by a few percent and would look flat from zero.
_FROM_ZERO = set(PANELS) - {"bmd_spine"}


def plot_result(result: Result, path: str | os.PathLike, units: str = "conventional",
                title: str | None = None) -> Path:
    """Draw ``result`` to ``path`` (.png, .pdf or .svg), atomically, and return the path.

    Panels: total T, free T, E2, LH, FSH, sperm concentration and spine BMD (those the result
    has), x axis in weeks, reference bands from :mod:`hpgsim.reference_ranges` shaded, doses
    marked as ticks along the bottom of each panel, one colour per drug.
    """
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    path = check_plot_path(path)
    panels = [m for m in PANELS if m in result.values]
    drugs = sorted({drug for _, drug, _ in result.dose_events})
    colours = {drug: f"C{i % 10}" for i, drug in enumerate(drugs)}
    weeks = result.weeks

    fig = Figure(figsize=(11, 12), layout="constrained")
    fig.get_layout_engine().set(rect=(0, 0.025, 1, 0.975))   # room for the footer
    axes = list(fig.subplots(4, 2).ravel())
    for ax, measure in zip(axes, panels):
        values, unit = from_internal(measure, result.values[measure], units)
        ax.plot(weeks, values, color="black", lw=1.5)
        top = float(values.max())
        band = REFERENCE_RANGES.get(measure)
        if band is not None:
            (low, high), _ = from_internal(measure, [band.low or 0.0, band.high or band.low or 0.0], units)
            top = max(top, high if band.high is not None else low)
            ax.axhspan(low, high if band.high is not None else 1.1 * top + 1.0, color=BAND_COLOUR, zorder=0)
            edge, va = (high, "top") if band.high is not None else (low, "bottom")
            ax.text(0.99, edge, band.short, transform=ax.get_yaxis_transform(), ha="right", va=va,
                    fontsize=7, color=BAND_TEXT)
        if measure in _FROM_ZERO:
            ax.set_ylim(0.0, 1.08 * top if top > 0 else 1.0)
        for drug in drugs:
            times = [t / 168.0 for t, d, _ in result.dose_events if d == drug]
            ax.plot(times, [0.02] * len(times), ls="none", marker="|", ms=7, color=colours[drug],
                    transform=ax.get_xaxis_transform(), clip_on=False)
        ax.set_xlim(weeks[0], weeks[-1])
        ax.set_title(f"{measure_info(measure).label} ({unit})", fontsize=10)
        ax.set_xlabel("week", fontsize=8)
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
    for ax in axes[len(panels):]:
        ax.axis("off")
    if len(panels) < len(axes):
        handles = [Line2D([], [], color="black", lw=1.5, label="simulated"),
                   Patch(color=BAND_COLOUR, label="healthy adult male reference (source in panel)")]
        handles += [Line2D([], [], ls="none", marker="|", ms=9, color=colours[d], label=f"{d} dose")
                    for d in drugs]
        axes[len(panels)].legend(handles=handles, loc="center", frameon=False, fontsize=9)
    fig.suptitle(title or _describe(result), fontsize=11, parse_math=False)   # names may hold "$"
    fig.text(0.5, 0.005, DISCLAIMER, ha="center", va="bottom", fontsize=9, style="italic")
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=path.suffix[1:].lower(), dpi=110)
    return path


def check_plot_path(path: str | os.PathLike) -> Path:
    """``path`` if :func:`plot_result` can write it (.png, .pdf or .svg in an existing folder)."""
    return check_output_path(path, PLOT_SUFFIXES)


def _describe(result: Result) -> str:
    return f"{describe_patient(result.patient)} — {describe_protocol(result.protocol)}"
