"""The ``hpgsim protocols``, ``hpgsim compare`` and ``hpgsim drugs`` commands, and the
monitoring tables of ``hpgsim simulate``: parse, call the public API, print. No science here.

Registered on the main app by :func:`register` (called at the end of :mod:`hpgsim.cli`), so
this module never imports the CLI at import time.
"""

from __future__ import annotations

import math
import os
import sys
from dataclasses import replace
from enum import Enum
from pathlib import Path

import pandas as pd
import typer

from .results import DISCLAIMER

NOT_ADVICE = "Simulation, not a dosing recommendation."
_SHORT = {"total_testosterone": "Total T", "estradiol": "E2", "lh": "LH", "fsh": "FSH",
          "sperm_concentration": "Sperm"}


class Format(str, Enum):
    table = "table"
    csv = "csv"
    markdown = "markdown"


class Units(str, Enum):
    conventional = "conventional"
    si = "si"


# -- helpers used by `hpgsim simulate` ----------------------------------------------------------

def with_protocol(scenario, name: str | None):
    """``scenario`` with the library protocol ``name`` (and its monitoring) instead of its own."""
    if not name:
        return scenario
    from .protocols.library import named_or_regimen

    named = named_or_regimen(name, field="--protocol")
    return replace(scenario, protocol=named.protocol, monitoring=named.monitoring,
                   protocol_name=named.name if named.in_library else None)


def print_monitoring(console, result, units: str = "conventional") -> None:
    """The labs drawn by a protocol's monitoring (in ``units`` first, then in the other system)
    and the dose changes its rules made, if any."""
    from rich.table import Table

    labs, changes = result.lab_checks, result.adjustments
    if len(labs):
        other = "SI" if units == "conventional" else "conventional"
        table = Table(title="Lab checks (simulated values a clinician would have seen)", title_justify="left")
        for name in ("Week", "Drawn (week)", "Measure", "Value", "Unit", f"Value ({other})", f"Unit ({other})",
                     "Timing"):
            table.add_column(name, justify="right" if name.startswith(("Week", "Drawn", "Value")) else "left")
        for row in labs.itertuples(index=False):
            pairs = [(num(row.value), row.unit), (num(row.value_si), row.unit_si)]
            if units == "si":
                pairs.reverse()
            table.add_row(f"{row.week:g}", f"{row.drawn_week:.2f}", _label(row.measure), *pairs[0], *pairs[1],
                          row.timing)
        console.print(table)
    if len(changes):
        table = Table(title="Dose changes made by the protocol's rules (simulated)", title_justify="left")
        for name in ("Week", "From week", "Drug", "From", "To", "Rule"):
            table.add_column(name)
        for row in changes.to_dict("records"):   # "from" is a keyword: no itertuples
            table.add_row(f"{row['week']:g}", f"{row['starts_week']:g}", row["drug"], row["from"], row["to"],
                          row["rule"])
        console.print(table)


# -- commands -----------------------------------------------------------------------------------

def protocols_command(name: str | None = typer.Argument(None, metavar="[NAME]",
                                                        help="A library protocol to show in full.")) -> None:
    from .cli import _errors

    with _errors():
        console = _console()
        if name:
            _show_protocol(console, name)
        else:
            _list_protocols(console)


def compare_command(
    scenario: Path = typer.Argument(..., metavar="SCENARIO.yaml", help="Scenario file; its patient is used."),
    protocols: str = typer.Option(..., "--protocols", metavar="A,B,C", help="Library protocol names, comma-separated."),
    weeks: float | None = typer.Option(None, "--weeks", metavar="N",
                                       help="Weeks to simulate after week 0 [default: the scenario's weeks]."),
    plot: Path | None = typer.Option(None, "--plot", metavar="FILE", help="Also draw a figure (.png, .pdf or .svg)."),
    out: Path | None = typer.Option(None, "--out", "-o", metavar="FILE", help="Also write the table as .csv."),
    units: Units = typer.Option(Units.conventional, "--units", help="Units of the table and figure."),
) -> None:
    from .cli import _errors

    with _errors():
        from .errors import InputError
        from .plotting import check_plot_path
        from .protocols.compare import compare_protocols, parse_names, plot_comparison
        from .results import check_output_path, describe_patient
        from .scenario import MAX_WEEKS, load_scenario

        if weeks is not None and not (math.isfinite(weeks) and 0 < weeks <= MAX_WEEKS):
            raise InputError("--weeks", f"a number of weeks above 0 and at most {MAX_WEEKS:g}", weeks)
        if out is not None:
            check_output_path(out, (".csv",))
        if plot is not None:
            check_plot_path(plot)
        names = parse_names(protocols)
        loaded = load_scenario(scenario)
        run_weeks = loaded.weeks if weeks is None else weeks
        table, results = compare_protocols(loaded.patient, names, run_weeks, units=units.value,
                                           file=loaded.source_file)
        console = _console()
        console.print(f"hpgsim compare: {loaded.name} ({loaded.source_file})", style="bold")
        console.print(f"Patient: {describe_patient(loaded.patient)}")
        console.print(f"Weeks simulated: {run_weeks:g}; units: {units.value}")
        console.print(f"{NOT_ADVICE} {DISCLAIMER}.", style="bold")
        console.print(_compare_table(table))
        _print_flag_sources(console)
        for name, result in results.items():
            if len(result.adjustments):
                console.print(f"{name}: {len(result.adjustments)} dose change(s) by its monitoring rules; "
                              f"see `hpgsim protocols {name}`.")
        if out is not None:
            _write_csv(table, out, units.value)
            console.print(f"Wrote table: {out}")
        if plot is not None:
            title = f"{loaded.name}: {describe_patient(loaded.patient)}; {run_weeks:g} weeks after week 0"
            plot_comparison(results, plot, units.value, title=title)
            console.print(f"Wrote figure: {plot}")


def drugs_command(
    fmt: Format = typer.Option(Format.table, "--format", help="table (printed), csv or markdown (to stdout)."),
) -> None:
    from .cli import _errors

    with _errors():
        from .protocols.drug_table import TYPICAL_MAN, drug_table

        table = drug_table()
        man = f"a typical man ({TYPICAL_MAN['age']:g} years, BMI {TYPICAL_MAN['bmi']:g})"
        caption = (f"Simulated change at the end of each drug's usual regimen in {man}. {NOT_ADVICE} "
                   f"{DISCLAIMER}.")
        if fmt is not Format.table:
            text = (f"# {caption}\n{table.to_csv(index=False)}" if fmt is Format.csv else
                    f"_{caption}_\n\n{_markdown(_drug_header(), [_drug_cells(r) for r in _records(table)])}")
            try:
                sys.stdout.write(text)
                sys.stdout.flush()
            except BrokenPipeError:   # `hpgsim drugs --format csv | head`: the reader has all it wants
                sys.stdout = open(os.devnull, "w")
        else:
            from rich.table import Table

            console = _console()
            console.print(caption, style="bold")
            rich_table = Table(title="Drugs", title_justify="left")
            for name in _drug_header():
                rich_table.add_column(name)
            for row in _records(table):
                rich_table.add_row(*_drug_cells(row))
            console.print(rich_table)
            _print_flag_sources(console)


# -- registration ---------------------------------------------------------------------------------

def register(app: typer.Typer) -> None:
    """Add ``protocols``, ``compare`` and ``drugs`` to the main app."""
    from .cli import EXIT_HELP, UNITS_HELP

    app.command(name="protocols", help=f"""\
List the library of named protocols, or show one in full.

Each protocol says how strong its evidence is: trial, observational, clinic practice (no
trial) or physiology prediction (unvalidated). With NAME, prints its dosing segments, its
monitoring (lab checks and dose rules), its sources and its evidence note. Library protocols
are regimens to simulate, never recommendations. Wherever a protocol is named, a regimen
written as text ("anastrozole 0.5 mg twice weekly") works too, with no evidence level.

\b
Examples:
  hpgsim protocols
  hpgsim protocols letrozole-titrate-to-t20
  hpgsim simulate examples/untreated_healthy_man.yaml --protocol anastrozole-with-monitoring

\b
{EXIT_HELP}
""")(protocols_command)
    app.command(name="compare", help=f"""\
Compare protocols on one man (the scenario's patient): library protocols by name
(`hpgsim protocols`) or regimens written as text ("anastrozole 0.5 mg twice weekly"), which
carry no evidence level of their own.

Simulates the man under each protocol (with its monitoring) and prints, per protocol, total
T, E2, LH, FSH and sperm concentration at week 0 and at the end with the change in percent,
and flags: E2 below 15 pg/mL (bone; Burnett-Bowie 2009, Finkelstein 2013/2016) and total T
above 1000 ng/dL (supraphysiological). Flags mark values worth a second look, not guideline
thresholds.

\b
Examples:
  hpgsim compare examples/untreated_healthy_man.yaml --protocols anastrozole-1mg-daily,anastrozole-1mg-twice-weekly
  hpgsim compare examples/anastrozole_obese_man.yaml --protocols letrozole-2.5mg-daily,clomiphene-25mg-daily --weeks 26 --plot cmp.png --out cmp.csv
  hpgsim compare examples/anastrozole_obese_man.yaml --protocols "anastrozole-1mg-daily,letrozole 2.5 mg weekly" --weeks 12

\b
{UNITS_HELP}

\b
{EXIT_HELP}
""")(compare_command)
    app.command(name="drugs", help=f"""\
Every registered drug with its class, mechanism, half-life, the library protocols that use it
and the simulated change after its usual regimen in a typical man (35 years, BMI 25).

The changes in total T, E2, LH, FSH and sperm concentration are computed by simulation each
time, not typed in; flags mark E2 below 15 pg/mL and total T above 1000 ng/dL. For a
deterministic file use --format csv or markdown.

\b
Examples:
  hpgsim drugs
  hpgsim drugs --format csv > drugs.csv
  hpgsim drugs --format markdown

\b
{EXIT_HELP}
""")(drugs_command)


# -- printing -----------------------------------------------------------------------------------

def _console():
    from rich.console import Console

    console = Console(highlight=False, markup=False)   # names and notes may contain [brackets]
    if not console.is_terminal:   # piped or captured: do not squeeze tables into 80 columns
        console.width = 160
    return console


def num(value) -> str:
    from .cli import _num

    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    return _num(float(value))


def _label(measure: str) -> str:
    from .units import measure_info

    return measure_info(measure).label


def _list_protocols(console) -> None:
    from rich.table import Table

    from .protocols.library import load_library

    console.print(f"{NOT_ADVICE} {DISCLAIMER}.", style="bold")
    table = Table(title="Library protocols (hpgsim protocols NAME shows one)", title_justify="left")
    for name in ("Name", "Title", "Evidence", "Weeks", "Monitoring"):
        table.add_column(name, justify="right" if name == "Weeks" else "left")
    loaded, errors = load_library()
    for item in loaded:
        table.add_row(item.name, item.title, item.evidence, f"{item.weeks:g}",
                      "yes" if item.monitoring is not None and item.monitoring.checks else "")
    console.print(table)
    if errors:
        console.print(f"{len(errors)} library protocol(s) could not be loaded: " +
                      "; ".join(f"{name}: {message}" for name, message in errors.items()))


def _show_protocol(console, name: str) -> None:
    from .protocols.library import load_protocol

    item = load_protocol(name, field="NAME")
    console.print(f"{item.name}: {item.title}", style="bold")
    console.print(f"{NOT_ADVICE} {DISCLAIMER}.", style="bold")
    console.print(f"Evidence: {item.evidence}")
    console.print(f"Evidence note: {item.evidence_note}")
    console.print(f"Suggested duration: {item.weeks:g} weeks after week 0 (negative weeks are history)")
    console.print("Dosing:")
    for line in item.protocol.describe():
        console.print(f"  - {line}")
    if item.monitoring is not None and (item.monitoring.checks or item.monitoring.rules):
        console.print("Monitoring:")
        for line in item.monitoring.describe():
            console.print(f"  - {line}")
    console.print("Sources:")
    for source in item.sources:
        console.print(f"  - {source.citation}" + (f" {source.url}" if source.url else ""))


def _compare_table(table: pd.DataFrame):
    from rich.table import Table

    from .protocols.compare import MEASURES

    out = Table(title="Week 0 -> end of run (change); flags: first week reached", title_justify="left")
    out.add_column("Protocol", no_wrap=True)
    out.add_column("Evidence")
    units = {m: next((u for u in table.get(f"{m}_unit", []) if isinstance(u, str)), "") for m in MEASURES}
    for measure in MEASURES:
        out.add_column(f"{_SHORT[measure]} ({units[measure]})", justify="right")
    out.add_column("Flags")
    for row in _records(table):
        cells = [row["protocol"], row["evidence"]]
        for measure in MEASURES:
            cells.append(_change_cell(row.get(f"{measure}_baseline"), row.get(f"{measure}_end"),
                                      row.get(f"{measure}_change_pct")))
        cells.append(_flags_cell(row))
        out.add_row(*cells)
    return out


def _change_cell(baseline, end, change) -> str:
    if baseline is None or end is None or _missing(baseline):
        return ""
    pct = "" if _missing(change) else f" ({change:+.{0 if abs(change) >= 10 else 1}f}%)"
    return f"{num(baseline)} -> {num(end)}{pct}"


def _flags_cell(row: dict) -> str:
    from .protocols.flags import describe_flags

    return describe_flags({k: (None if _missing(v) else v) for k, v in row.items()}, short=True)


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _print_flag_sources(console) -> None:
    from .protocols.flags import FLAGS

    for flag in FLAGS:
        console.print(f"Flag '{flag.cell}' ({flag.label}): {flag.source}")


def _records(table: pd.DataFrame) -> list[dict]:
    return [{k: (None if _missing(v) else v) for k, v in row.items()} for row in table.to_dict("records")]


def _drug_header() -> list[str]:
    return ["Drug", "Class", "Mechanism", "Half-life", "Exposure CV between men", "Usual regimen", "Library protocols",
            "Total T", "E2", "LH", "FSH", "Sperm", "Flags", "Sources"]


def _drug_cells(row: dict) -> list[str]:
    from .protocols.compare import MEASURES

    cv = row.get("exposure_cv")
    cells = [row["drug"], row["drug_class"], row["mechanism"], _half_life(row["half_life_h"]),
             "not varied" if cv is None else f"{cv:.0%}", f"{row['usual_regimen']} for {row['usual_weeks']:g} weeks", row["protocols"]]
    for measure in MEASURES:
        change = row.get(f"change_pct_{measure}")
        cells.append("" if change is None else f"{change:+.{0 if abs(change) >= 10 else 1}f}%")
    cells += [_flags_cell(row), row["sources"]]
    return [str(c) for c in cells]


def _half_life(hours: float) -> str:
    if hours < 1.0:
        return f"{hours * 60:.2g} min"
    if hours < 72.0:
        return f"{hours:.3g} h"
    return f"{hours / 24:.3g} days"


def _markdown(header: list[str], rows: list[list[str]]) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(cell(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _write_csv(table: pd.DataFrame, path: Path, units: str) -> None:
    from .results import atomic_path

    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8", newline="") as handle:
            handle.write(f"# {DISCLAIMER}. {NOT_ADVICE} Units: {units}.\n")
            table.to_csv(handle, index=False)
