"""The ``hpgsim conditions`` command: list the modelled conditions, or regenerate the source
articles' condition and metabolic tables by simulation. Parse, call, print; no science here.

Registered on the main app by :func:`register` (called at the end of :mod:`hpgsim.cli`).
"""

from __future__ import annotations

import math
import re
from contextlib import contextmanager
from enum import Enum
from pathlib import Path

import pandas as pd
import typer

from .results import DISCLAIMER
from .progress import progress_bar

NOT_ADVICE = "Simulation, not a dosing recommendation."
_SHORT = {"total_testosterone": "T", "free_testosterone": "Free T", "estradiol": "E2", "lh": "LH", "fsh": "FSH",
          "shbg": "SHBG", "inhibin_b": "Inhibin B", "sperm_concentration": "Sperm", "progressive_motility": "Prog. mot.",
          "prolactin": "PRL"}


class Units(str, Enum):
    conventional = "conventional"
    si = "si"


CONDITIONS_HELP = """\
List the pre-existing conditions the model knows, or simulate how each changes a protocol's effect.

Without --protocol: every condition with its mechanism, severity keys (with their typical
value, used when none is given) and sources. Use them in a trial population (conditions: [...]) as a name
or a mapping, e.g. obesity, {name: hyperprolactinemia, prolactin: 80 ng/mL},
{name: hypothyroidism, tsh: 12 mIU/L, treated: true}, {name: varicocele, grade: 3}.

With --protocol: for each condition (and healthy men as the reference) draws --n virtual men
(the same men in every row, so rows differ only by the condition), simulates them under the
library protocol for --weeks weeks and prints their untreated baseline (median), the change of
T, E2, LH, FSH and sperm concentration (median and 5-95 % across men), and the picture the
source articles expect (their claims are hypotheses, shown for comparison). --metabolic adds
spine BMD and insulin sensitivity from the simulation, with the disagreement between studies,
and the body-composition and lipid findings of the trials as evidence statements.

\b
Examples:
  hpgsim conditions
  hpgsim conditions --protocol anastrozole-1mg-daily --weeks 26
  hpgsim conditions --protocol anastrozole-1mg-daily --weeks 26 --n 50 --age 40 --bmi 27 --metabolic
  hpgsim conditions --protocol clomiphene-25mg-daily --only obesity,hyperprolactinemia --out cond.csv

\b
Exit codes: 0 success; 2 bad option (one line on stderr); 3 numerical failure; 130 interrupted.
"""


def conditions_command(
    protocol: str | None = typer.Option(None, "--protocol", metavar="NAME",
                                        help="A library protocol (see `hpgsim protocols`) or a regimen as text to simulate per condition."),
    weeks: float | None = typer.Option(None, "--weeks", metavar="N",
                                       help="Weeks to simulate [default: the protocol's suggested duration]."),
    n: int = typer.Option(200, "--n", metavar="N", help="Virtual men per condition."),
    seed: int = typer.Option(1, "--seed", metavar="S", help="Random seed; the same seed gives the same men."),
    age: str | None = typer.Option(None, "--age", metavar="YEARS", help="Age, e.g. 40 or a range 30-50 [default: 30-50]."),
    bmi: float | None = typer.Option(None, "--bmi", metavar="KG/M2",
                                     help="BMI of every man [default: population BMI, mean 25, SD 3]."),
    only: str | None = typer.Option(None, "--only", metavar="A,B", help="Only these rows (condition names), comma-separated."),
    metabolic: bool = typer.Option(False, "--metabolic", help="Add the metabolic table (BMD, insulin sensitivity, evidence)."),
    units: Units = typer.Option(Units.conventional, "--units", help="Units of the tables."),
    out: Path | None = typer.Option(None, "--out", "-o", metavar="FILE", help="Also write the full table (.csv, long format)."),
    no_progress: bool = typer.Option(False, "--no-progress", help="Do not show the progress bar (stderr)."),
) -> None:
    from .cli import _errors

    with _errors():
        console = _console()
        if protocol is None:
            if metabolic or weeks is not None or only or out is not None:
                from .errors import InputError

                raise InputError("--protocol", "a library protocol to simulate (with --weeks, --metabolic, --only or --out)")
            _list_conditions(console)
            return
        _simulate_conditions(console, protocol, weeks, n, seed, age, bmi, only, metabolic, units.value, out,
                             not no_progress)


# -- options ------------------------------------------------------------------------------------

def parse_age(text: str | None) -> dict[str, float]:
    """``40`` -> every man 40; ``30-50`` -> uniform between; ``None`` -> 30-50."""
    from .errors import InputError

    if text is None:
        return {"min": 30.0, "max": 50.0}
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(?:-\s*(\d+(?:\.\d+)?)\s*)?", text)
    low, high = (float(match.group(1)), float(match.group(2) or match.group(1))) if match else (math.nan, math.nan)
    if not (18 <= low <= high <= 100):
        raise InputError("--age", "an age in years between 18 and 100, or a range such as 30-50", repr(text))
    return {"mean": low, "sd": 0.0} if low == high else {"min": low, "max": high}


def _check(n: int, seed: int, weeks: float | None, bmi: float | None) -> None:
    from .errors import InputError

    if not 1 <= n <= 100_000:
        raise InputError("--n", "a number of virtual men between 1 and 100000", n)
    if seed < 0:
        raise InputError("--seed", "a non-negative whole number", seed)
    if weeks is not None and not (math.isfinite(weeks) and 0 < weeks <= 520):
        raise InputError("--weeks", "a number of weeks above 0 and at most 520", weeks)
    if bmi is not None and not (math.isfinite(bmi) and 15 <= bmi <= 70):
        raise InputError("--bmi", "a BMI between 15 and 70 kg/m2", bmi)


def _rows(only: str | None):
    from .errors import InputError
    from .people.condition_response import ROWS, rows_named

    if not only:
        return ROWS
    from .option_lists import comma_list

    labels = comma_list(only)
    known = {row.label for row in ROWS} | {row.conditions[0] if isinstance(row.conditions[0], str) else ""
                                            for row in ROWS if row.conditions}
    for label in labels:
        if label not in known:
            raise InputError("--only", f"row names among {', '.join(row.label for row in ROWS)}", repr(label))
    # a bare condition name also selects its treated/congenital variants
    return rows_named([row.label for row in ROWS if row.label in labels or row.label.split(",")[0] in labels])


# -- the simulated tables -------------------------------------------------------------------------

def _simulate_conditions(console, protocol: str, weeks: float | None, n: int, seed: int, age: str | None,
                         bmi: float | None, only: str | None, metabolic: bool, units: str, out: Path | None,
                         progress: bool) -> None:
    from .people.condition_response import condition_table
    from .protocols.library import named_or_regimen
    from .results import check_output_path

    _check(n, seed, weeks, bmi)
    ages = parse_age(age)
    rows = _rows(only)
    if out is not None:
        check_output_path(out, (".csv",))
    named = named_or_regimen(protocol, field="--protocol")
    run_weeks = named.weeks if weeks is None else weeks
    bmis = None if bmi is None else {"mean": float(bmi), "sd": 0.0}
    with _progress(progress) as bar:
        def ticker(label: str, total: int):
            if bar is None:
                return None
            task = bar.add_task(label, total=total)
            return lambda: bar.advance(task)

        table = condition_table(named.name, run_weeks, n=n, seed=seed, age=ages, bmi=bmis, rows=rows, units=units,
                                progress=ticker)
    age_text = (f"{ages['mean']:g} years" if "mean" in ages else f"{ages['min']:g}-{ages['max']:g} years")
    bmi_text = "population BMI (mean 25, SD 3)" if bmi is None else f"BMI {bmi:g}"
    console.print(f"hpgsim conditions: {named.title} ({named.name}), {run_weeks:g} weeks", style="bold")
    console.print(f"Virtual men: {n} per row, age {age_text}, {bmi_text}, seed {seed}; the same men in every row. "
                  f"Units: {units}.")
    console.print(f"{NOT_ADVICE} {DISCLAIMER}.", style="bold")
    console.print(_baseline_table(table))
    console.print(_response_table(table, run_weeks))
    console.print(_expected_table(table))
    failed = table.drop_duplicates("condition")
    for row in failed[failed["failed"] > 0].itertuples():
        console.print(f"{row.condition}: {row.failed} of {row.failed + row.n} men could not be simulated "
                      f"(solver failure) and are left out.")
    if metabolic:
        _print_metabolic(console, table)
    if out is not None:
        from .results import atomic_path

        with atomic_path(out) as tmp:
            with open(tmp, "w", encoding="utf-8", newline="") as handle:
                handle.write(f"# {DISCLAIMER}. {NOT_ADVICE} Protocol {named.name}, {run_weeks:g} weeks; units: {units}.\n")
                table.to_csv(handle, index=False)
        console.print(f"Wrote table: {out}")


def _cell(table: pd.DataFrame, condition: str, measure: str, column: str) -> float:
    hit = table[(table["condition"] == condition) & (table["measure"] == measure)]
    return float(hit[column].iloc[0]) if len(hit) else math.nan


def _units_of(table: pd.DataFrame, measure: str) -> str:
    hit = table[table["measure"] == measure]
    return str(hit["unit"].iloc[0]) if len(hit) else ""


def _baseline_table(table: pd.DataFrame):
    from rich.table import Table

    measures = ("total_testosterone", "free_testosterone", "estradiol", "lh", "fsh", "shbg", "inhibin_b",
                "sperm_concentration", "progressive_motility", "prolactin")
    out = Table(title="Untreated baseline (median across men)", title_justify="left")
    out.add_column("Condition", no_wrap=True)
    for m in measures:
        out.add_column(f"{_SHORT[m]} ({_units_of(table, m)})", justify="right")
    for condition in dict.fromkeys(table["condition"]):
        out.add_row(condition, *[_num(_cell(table, condition, m, "baseline_median")) for m in measures])
    return out


def _spread(table: pd.DataFrame, condition: str, measure: str, key: str, fmt) -> str:
    med, lo, hi = (_cell(table, condition, measure, f"{key}_{q}") for q in ("median", "p5", "p95"))
    if math.isnan(med):
        return "n/a"
    return f"{fmt(med)} [{fmt(lo)}, {fmt(hi)}]"


def _num(value: float) -> str:
    """Three significant figures (as the other tables); values a solver leaves at 1e-30 print as 0."""
    from .cli import _num as three_figures

    if math.isnan(value):
        return "n/a"
    return "0" if abs(value) < 5e-4 else three_figures(value)


def _pct(value: float) -> str:
    return f"{value:+.0f}%"


def _response_table(table: pd.DataFrame, weeks: float):
    from rich.table import Table

    def signed(value: float) -> str:
        return ("+" if value > 0 else "") + _num(value)

    t_unit, s_unit = _units_of(table, "total_testosterone"), _units_of(table, "sperm_concentration")
    out = Table(title=f"Change from baseline at week {weeks:g}: median [5th, 95th percentile] across men",
                title_justify="left")
    for name in ("Condition", f"T change ({t_unit})", "T change", f"T at week {weeks:g}", "E2 change", "LH change",
                 "FSH change", f"Sperm change ({s_unit})"):
        out.add_column(name, justify="left" if name == "Condition" else "right", no_wrap=name == "Condition")
    for condition in dict.fromkeys(table["condition"]):
        out.add_row(condition,
                    _spread(table, condition, "total_testosterone", "change", signed),
                    _spread(table, condition, "total_testosterone", "change_pct", _pct),
                    _num(_cell(table, condition, "total_testosterone", "end_median")),
                    _spread(table, condition, "estradiol", "change_pct", _pct),
                    _spread(table, condition, "lh", "change_pct", _pct),
                    _spread(table, condition, "fsh", "change_pct", _pct),
                    _spread(table, condition, "sperm_concentration", "change", signed))
    return out


def _expected_table(table: pd.DataFrame):
    from rich.table import Table

    out = Table(title="Expected picture under anastrozole (source articles' claims: hypotheses to compare with, "
                      "not findings)",
                title_justify="left")
    out.add_column("Condition")
    out.add_column("Expected")
    out.add_column("Source")
    first = table.drop_duplicates("condition")
    for row in first.itertuples():
        out.add_row(row.condition, row.expected, row.expected_source)
    return out


def _print_metabolic(console, table: pd.DataFrame) -> None:
    from rich.table import Table

    from .people.condition_response import (ALTERNATIVE_IS, BMD_NOTE, INSULIN_SENSITIVITY_CONFLICT, NOT_SIMULATED,
                                            metabolic_table)

    meta = metabolic_table(table)
    out = Table(title="Metabolic table, simulated: change from baseline, median [5th, 95th percentile]",
                title_justify="left")
    for name in ("Condition", "Spine BMD", "Insulin sensitivity (model: Gibb 2016 clamp)",
                 "Insulin sensitivity if Lapauw 2010 were right", "If Dias 2017, Rubinow 2012"):
        out.add_column(name, justify="left" if name == "Condition" else "right", no_wrap=name == "Condition")
    for condition in dict.fromkeys(meta["condition"]):
        cells = []
        for measure in ("bmd_spine", "insulin_sensitivity", ALTERNATIVE_IS):
            cells.append(_spread(table, condition, measure, "change_pct", lambda v: f"{v:+.1f}%"))
        out.add_row(condition, *cells, "no change")
    console.print(out)
    console.print(f"Spine BMD: {BMD_NOTE}")
    console.print(f"Insulin sensitivity (disputed): {INSULIN_SENSITIVITY_CONFLICT}")
    evidence = Table(title="Not simulated: what the trials found", title_justify="left")
    for name in ("Outcome", "Finding", "Sources"):
        evidence.add_column(name)
    for item in NOT_SIMULATED:
        evidence.add_row(item.outcome, item.statement, "; ".join(item.sources))
    console.print(evidence)


# -- the list -----------------------------------------------------------------------------------

def _list_conditions(console) -> None:
    from rich.table import Table

    from .people.conditions import CONDITIONS

    out = Table(title="Conditions (use as a name, or a mapping with severity keys)", title_justify="left")
    for name in ("Name", "Severity keys (typical when not given)", "Mechanism", "Sources"):
        out.add_column(name)
    for c in CONDITIONS.values():
        keys = "\n".join(f"{key}: {text}" for key, text in c.severity)
        out.add_row(c.name, keys, c.mechanism, "\n".join(c.sources))
    console.print(out)
    console.print("Age is not a condition: it is an input of every man (Leydig capacity, SHBG and BMD drift "
                  "follow it). Effect sizes are rows of the parameter table (docs/model.md, 'Pre-existing conditions').")
    console.print(f"{NOT_ADVICE} {DISCLAIMER}.")


def _console():
    from rich.console import Console

    console = Console(highlight=False, markup=False)   # names and sources may contain [brackets]
    if not console.is_terminal:   # piped or captured: do not squeeze tables into 80 columns
        console.width = 200
    return console


@contextmanager
def _progress(enabled: bool):
    """The shared progress bar (:mod:`hpgsim.progress`), counting men."""
    with progress_bar(enabled, "men") as bar:
        yield bar


def register(app: typer.Typer) -> None:
    """Add ``conditions`` to the main app."""
    app.command(name="conditions", help=CONDITIONS_HELP)(conditions_command)
