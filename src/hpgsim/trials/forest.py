"""The forest plot of the validation report: observed against simulated percent change.

One row per percent-change endpoint that was simulated (a mean or median with a published
baseline, or a published change): the observed change with its interval (the pass rule's
interval of TRIAL_SPEC, about a 95 % confidence interval of the published mean) and the
simulated change, coloured by the verdict, one panel per set. Fractions, times to a threshold
and absolute levels are not percent changes and stay in the tables; so do the endpoints of
studies that could not run. Percent changes run from -100 to several hundred, so beyond ±100
the axis turns logarithmic (matplotlib's ``symlog``) and one large rise does not squash the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..results import DISCLAIMER, atomic_path

PASS_COLOUR = "#1a7f37"    # green
FAIL_COLOUR = "#c62828"    # red
ROW_HEIGHT_IN = 0.19       # per endpoint row
SYMLOG_FROM = 300.0        # a change beyond ±300 % switches the axis to symlog
LINEAR_WITHIN = 100.0      # symlog: linear within ±100 %
SYMLOG_TICKS = (-100, -50, 0, 50, 100, 200, 500, 1000, 2000, 5000, 10000)


@dataclass(frozen=True)
class ForestRow:
    set: str
    study: str
    arm: str
    measure: str
    week: float
    observed: float
    low: float
    high: float
    simulated: float | None   # None: the model could not compute it
    passed: bool

    @property
    def label(self) -> str:
        return f"{self.study} · {self.arm} · {self.measure} wk {self.week:g}"


def forest_rows(run) -> list[ForestRow]:
    """Every simulated endpoint whose verdict is on a percent change, in set and spec order."""
    set_of = dict(zip(run.frame["study"], run.frame["set"])) if not run.frame.empty else {}
    rows = []
    for which in run.sets:
        for study, result in run.results.items():
            if set_of.get(study) != which:
                continue
            for e in result.endpoints:
                v = e.verdict
                if "observed_change_pct" not in v or not v.get("interval_pct") or v.get("pass") is None:
                    continue
                ep = e.endpoint
                simulated = None if e.simulated is None else e.simulated.get("change_pct")
                low, high = v["interval_pct"]
                rows.append(ForestRow(which, study, ep.arm, ep.measure, float(ep.week), float(v["observed_change_pct"]),
                                      float(low), float(high), None if simulated is None else float(simulated),
                                      bool(v["pass"])))
    return rows


def forest_caption(run, rows: list[ForestRow]) -> str:
    """What the forest plot shows and what it leaves to the tables."""
    compared = int(run.frame["pass"].notna().sum()) if not run.frame.empty else 0
    not_run = run.could_not_run()
    text = (f"Forest plot: observed percent change with its interval (bar) and simulated change (diamond), green "
            f"when it passes, red when it fails; {len(rows)} of {compared} compared endpoints are percent changes "
            f"and are drawn; fractions, times to a threshold and levels are in the tables")
    if not_run:
        text += f"; studies that could not run are not drawn ({', '.join(not_run)})"
    return text + "."


def plot_forest(rows: list[ForestRow], path: Path, run=None, dpi: int = 100) -> Path:
    """Draw the forest plot of ``rows`` into ``path`` (PNG, written atomically)."""
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    sets = list(dict.fromkeys(r.set for r in rows)) or ["(none)"]
    counts = [max(1, sum(r.set == s for r in rows)) for s in sets]
    height = ROW_HEIGHT_IN * sum(counts) + 1.3 * len(sets) + 0.8
    fig = Figure(figsize=(10.5, height), layout="constrained")
    fig.get_layout_engine().set(rect=(0, 0.6 / height, 1, 1 - 0.6 / height))   # room for legend and footer
    axes = fig.subplots(len(sets), 1, sharex=True, squeeze=False,
                        gridspec_kw={"height_ratios": [c + 2 for c in counts]})[:, 0]
    values = [x for r in rows for x in (r.observed, r.low, r.high, r.simulated) if x is not None]
    wide = bool(values) and max(abs(x) for x in values) > SYMLOG_FROM
    for ax, which in zip(axes, sets):
        sub = [r for r in rows if r.set == which]
        for y, r in enumerate(sub):
            colour = PASS_COLOUR if r.passed else FAIL_COLOUR
            ax.plot([r.low, r.high], [y, y], color=colour, lw=2.2, solid_capstyle="butt")
            ax.plot([r.observed], [y], marker="|", ms=10, mew=2, color="black")
            if r.simulated is not None:
                ax.plot([r.simulated], [y], marker="D", ms=5, color=colour, mec="black", mew=0.5, zorder=5)
            else:
                ax.text(r.high, y, "  not computed", va="center", fontsize=7, color=FAIL_COLOUR)
        ax.set_yticks(range(len(sub)), [r.label for r in sub], fontsize=7)
        ax.set_ylim(len(sub) - 0.5 if sub else 0.5, -0.5)   # first row at the top
        ax.axvline(0.0, color="grey", lw=0.8)
        ax.grid(axis="x", alpha=0.3)
        passed = sum(r.passed for r in sub)
        title = f"{which.capitalize()} set: {passed} of {len(sub)} percent-change endpoints pass"
        if which == "calibration":
            title += " (parameters fitted to this set)"
        elif which == "validation":
            title += " (never tuned to)"
        ax.set_title(title, fontsize=10, loc="left")
        if not sub:
            ax.text(0.5, 0.5, "no percent-change endpoint was simulated", transform=ax.transAxes,
                    ha="center", va="center")
    if wide:
        axes[-1].set_xscale("symlog", linthresh=LINEAR_WITHIN)
        low, high = min(min(values), -100.0), max(values)
        ticks = [t for t in SYMLOG_TICKS if low <= t <= high * 1.05]
        axes[-1].set_xticks(ticks, [f"{t:+g}" if t else "0" for t in ticks])
        axes[-1].minorticks_off()
        axes[-1].set_xlim(low - 5.0, high * 1.1)
        axes[-1].set_xlabel(f"% change from baseline (linear within ±{LINEAR_WITHIN:g}, logarithmic beyond)")
    else:
        axes[-1].set_xlabel("% change from baseline")
    handles = [Line2D([], [], color="black", marker="|", ms=10, mew=2, ls="none", label="observed"),
               Line2D([], [], color=PASS_COLOUR, lw=2.2, label="interval, simulated inside (pass)"),
               Line2D([], [], color=FAIL_COLOUR, lw=2.2, label="interval, simulated outside (fail)"),
               Line2D([], [], color="grey", marker="D", ms=5, mec="black", ls="none", label="simulated")]
    fig.legend(handles=handles, loc="lower left", ncols=4, fontsize=8, frameon=False, bbox_to_anchor=(0.0, 0.2 / height))
    footer = DISCLAIMER if run is None else f"{DISCLAIMER} ({run.n_virtual} virtual men per arm, seed {run.seed})"
    fig.text(0.5, 0.02 / height, footer, ha="center", va="bottom", fontsize=8, style="italic")
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=dpi)
    return path
