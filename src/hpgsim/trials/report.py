"""A trial's result and its reports: the JSON of TRIAL_SPEC, a rich table, and an output folder.

:class:`TrialResult` holds the spec, the simulated arms and one
:class:`~hpgsim.trials.endpoints.EndpointResult` per endpoint. ``to_json_dict()`` is the
``--format json`` output: the keys of TRIAL_SPEC's example (``id, n_virtual_per_arm, seed,
endpoints``) followed by ``summary`` (passed, failed, not compared, total), ``arms`` (how many
men were drawn, enrolled, simulated and failed) and ``disclaimer``. Every output says it is a
simulation.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..results import DISCLAIMER, atomic_path
from .endpoints import EndpointResult
from .run import ArmRun
from .spec import TrialSpec
from .statistics import FRACTION_STATISTICS, LEVEL_STATISTICS


@dataclass(frozen=True)
class TrialResult:
    """Everything one run of a trial spec produced (arrays in internal units, reports in each endpoint's unit)."""

    spec: TrialSpec
    n_virtual: int
    seed: int
    arms: dict[str, ArmRun]
    endpoints: tuple[EndpointResult, ...]

    def summary(self) -> dict:
        verdicts = [e.passed for e in self.endpoints]
        return {"passed": verdicts.count(True), "failed": verdicts.count(False),
                "not_compared": verdicts.count(None), "total": len(verdicts)}

    def to_json_dict(self) -> dict:
        """The ``--format json`` output (see the module docstring)."""
        return {"id": self.spec.id, "n_virtual_per_arm": self.n_virtual, "seed": self.seed,
                "endpoints": [e.to_json() for e in self.endpoints],
                "summary": self.summary(),
                "arms": [run.status() for run in self.arms.values()],
                "disclaimer": DISCLAIMER}

    def to_json(self) -> str:
        return json.dumps(self.to_json_dict(), indent=2, ensure_ascii=False, allow_nan=False)

    def frame(self) -> pd.DataFrame:
        """One row per endpoint: what was asked, simulated, published and decided."""
        rows = []
        for e in self.endpoints:
            ep, sim, verdict = e.endpoint, e.simulated or {}, e.verdict
            interval = _interval(verdict) or [None, None]
            rows.append({
                "study": self.spec.id, "arm": ep.arm, "measure": ep.measure, "unit": ep.unit,
                "statistic": ep.statistic, "week": ep.week, "threshold": ep.threshold,
                "from_week": ep.from_week, "until_week": ep.until_week,
                "sim_baseline_mean": sim.get("baseline", {}).get("mean"),
                "sim_baseline_sd": sim.get("baseline", {}).get("sd"),
                "sim_value_mean": sim.get("value", {}).get("mean"),
                "sim_value_sd": sim.get("value", {}).get("sd"),
                "sim_value_median": sim.get("value", {}).get("median"),
                "sim_change_pct": sim.get("change_pct"), "sim_fraction": sim.get("fraction"),
                "sim_weeks": sim.get("weeks"),
                "observed": None if ep.observed is None else json.dumps(ep.observed.given),
                "observed_centre": _observed_centre(verdict), "interval_low": interval[0],
                "interval_high": interval[1], "pass": verdict.get("pass"),
                "reason": verdict.get("reason") or verdict.get("note"),
            })
        return pd.DataFrame(rows)

    def table(self):
        """A rich table: study, arm, endpoint, week, observed with interval, simulated, pass."""
        from rich.table import Table

        s = self.summary()
        compared = s["passed"] + s["failed"]
        table = Table(title=f"{self.spec.id}: {self.spec.title}", title_justify="left",
                      caption=f"{s['passed']} of {compared} compared endpoints passed "
                              f"({self.n_virtual} virtual men per arm, seed {self.seed}). {DISCLAIMER}.",
                      caption_justify="left")
        for name, justify in (("study", "left"), ("arm", "left"), ("endpoint", "left"), ("week", "right"),
                              ("observed [interval]", "right"), ("simulated", "right"), ("pass", "left")):
            table.add_column(name, justify=justify)
        for e in self.endpoints:
            ep = e.endpoint
            table.add_row(self.spec.id, ep.arm, _endpoint_text(ep), _week_text(ep), _observed_text(e),
                          _simulated_text(e), _pass_text(e))
        return table

    def write(self, out_dir: str | os.PathLike) -> list[Path]:
        """Write results.json, endpoints.csv and one figure per measure into ``out_dir`` (created
        if needed), each atomically; returns the paths written."""
        from .figures import plot_measures

        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        written = [out / "results.json", out / "endpoints.csv"]
        with atomic_path(written[0]) as tmp:
            tmp.write_text(self.to_json() + "\n", encoding="utf-8")
        with atomic_path(written[1]) as tmp:
            with open(tmp, "w", encoding="utf-8", newline="") as handle:
                handle.write(f"# {DISCLAIMER}. Trial {self.spec.id}, {self.n_virtual} virtual men per arm, "
                             f"seed {self.seed}.\n")
                self.frame().to_csv(handle, index=False)
        return written + plot_measures(self, out)


def _interval(verdict: dict) -> list | None:
    for key in ("interval_pct", "interval", "interval_weeks"):
        if verdict.get(key) is not None:
            return verdict[key]
    return None


def _observed_centre(verdict: dict) -> float | None:
    for key in ("observed_change_pct", "observed_value", "observed_fraction", "observed_weeks"):
        if key in verdict:
            return verdict[key]
    return None


def _endpoint_text(ep) -> str:
    text = f"{ep.measure} ({ep.unit}) {ep.statistic}"
    if ep.threshold is not None:
        text += f" {'below' if ep.statistic.endswith('below') else 'at least'} {ep.threshold:g}"
    return text


def _week_text(ep) -> str:
    if ep.statistic in LEVEL_STATISTICS + FRACTION_STATISTICS:
        return f"{ep.week:g}"
    return f"{ep.from_week:g}-{ep.until_week:g}"


def _observed_text(e: EndpointResult) -> str:
    v = e.verdict
    interval = _interval(v)
    span = "" if interval is None else f" [{interval[0]:g}, {interval[1]:g}]"
    if "observed_change_pct" in v:
        return f"{v['observed_change_pct']:+g}%{span}"
    if "observed_value" in v:
        return f"{v['observed_value']:g} {e.endpoint.unit}{span}"
    if "observed_fraction" in v:
        return f"{v['observed_fraction']:g}{span}"
    if "observed_weeks" in v:
        return "not reached by half" if v["observed_weeks"] is None else f"{v['observed_weeks']:g} wk{span}"
    return "-"


def _simulated_text(e: EndpointResult) -> str:
    sim = e.simulated
    if sim is None:
        return "-"
    if "change_pct" in sim:
        ep = e.endpoint
        if ep.percent_change:
            return f"{sim['change_pct']:+g}%"
        centre = "median" if ep.statistic == "median" else "mean"
        change = "n/a" if sim["change_pct"] is None else f"{sim['change_pct']:+g}%"
        return f"{change} ({sim['baseline'][centre]:g} -> {sim['value'][centre]:g})"
    if "fraction" in sim:
        return f"{sim['fraction']:g}"
    return "not reached by half" if sim["weeks"] is None else f"{sim['weeks']:g} wk"


def _pass_text(e: EndpointResult) -> str:
    passed = e.passed
    text = "-" if passed is None else "yes" if passed else "NO"
    why = e.verdict.get("reason") or e.verdict.get("note")
    return f"{text} ({why})" if why else text
