"""The ``hpgsim`` command: parse arguments, call the public API, print. No science lives here.

Errors map to one line on stderr and an exit code: bad input 2, numerical failure 3,
Ctrl-C 130. Files are written atomically, so an interrupted run leaves none half-written.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path

import pandas as pd
import typer

from .errors import HpgsimError, InputError, NumericalError

UNITS_HELP = """\
Units. Lab values and thresholds in a scenario carry their unit, conventional or SI:
testosterone ng/dL or nmol/L (free T pg/mL or pmol/L), estradiol pg/mL or pmol/L,
LH and FSH IU/L (= mIU/mL), SHBG nmol/L, inhibin B pg/mL (= ng/L), prolactin ng/mL or mIU/L,
sperm concentration M/mL; doses in mg, ug (mcg) or IU. Output tables are in
--units conventional (ng/dL, pg/mL, IU/L, M/mL) or --units si (nmol/L, pmol/L, IU/L, M/mL)."""

EXIT_HELP = """\
Exit codes: 0 success; 2 bad input or usage (one line on stderr naming the file and field);
3 the solver could not produce a trustworthy result; 130 interrupted (Ctrl-C), no partial files."""

APP_HELP = f"""\
Simulate the male hypothalamic-pituitary-gonadal axis under fertility drugs.

A research and teaching tool, not a medical device: every output is a simulation, never a
dosing recommendation.

\b
Examples:
  hpgsim demo
  hpgsim simulate examples/anastrozole_obese_man.yaml --plot out.png

\b
{UNITS_HELP}

\b
{EXIT_HELP}
"""

app = typer.Typer(
    name="hpgsim",
    help=APP_HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)


class Units(str, Enum):
    conventional = "conventional"
    si = "si"


@app.command(help=f"""\
Simulate one scenario file and report it.

Runs the man, protocol and duration in SCENARIO.yaml, prints the summary (baseline, nadir,
peak, end and change of every measure) and the weeks at which named thresholds are crossed,
and writes the trajectories as a tidy table (time_h, day, week, measure, value, unit).
The scenario's protocol is a list of dosing segments, a library protocol by name
(`hpgsim protocols`), or one regimen as text: protocol: anastrozole 1 mg twice weekly for 26 weeks.

\b
Examples:
  hpgsim simulate examples/anastrozole_obese_man.yaml
  hpgsim simulate examples/older_man_low_t_anastrozole_daily.yaml --out t.parquet --plot t.png --units si
  hpgsim simulate examples/untreated_healthy_man.yaml --protocol anastrozole-with-monitoring

\b
{UNITS_HELP}

\b
{EXIT_HELP}
""")
def simulate(
    scenario: Path = typer.Argument(..., metavar="SCENARIO.yaml", help="Scenario file (see examples/)."),
    out: Path | None = typer.Option(None, "--out", "-o", metavar="FILE",
                                    help="Trajectory table, .csv or .parquet "
                                         "[default: <scenario name>-trajectories.csv in the current folder]"),
    plot: Path | None = typer.Option(None, "--plot", metavar="FILE", help="Also draw a figure (.png, .pdf or .svg)."),
    units: Units = typer.Option(Units.conventional, "--units", help="Units of the tables and figure."),
    every: float = typer.Option(24.0, "--every", metavar="HOURS", help="Output interval in hours."),
    protocol: str | None = typer.Option(None, "--protocol", metavar="NAME",
                                        help="A library protocol (see `hpgsim protocols`) or a regimen as text (\"anastrozole 1 mg twice weekly\") instead of the scenario's."),
) -> None:
    with _errors():
        from .results import check_table_path

        out = check_table_path(out or Path(f"{scenario.stem}-trajectories.csv"))
        if not every > 0:
            raise InputError("--every", "a positive number of hours", every)
        from .scenario import load_scenario

        from .cli_protocols import with_protocol

        _run_and_report(with_protocol(load_scenario(scenario), protocol), out, plot, units.value, every)


@app.command(help=f"""\
Run the built-in example and write its table and figure.

A 38-year-old man with BMI 31 on anastrozole 1 mg twice weekly for 26 weeks (the packaged
scenario hpgsim/examples/demo.yaml). Writes DIR/demo-trajectories.csv and DIR/demo.png and
prints the summary.

\b
Examples:
  hpgsim demo
  hpgsim demo --out /tmp/hpgsim-demo

\b
{UNITS_HELP}

\b
{EXIT_HELP}
""")
def demo(
    out: Path = typer.Option(Path("demo-output"), "--out", metavar="DIR", help="Folder for the output files."),
) -> None:
    with _errors():
        from importlib.resources import as_file, files

        from .scenario import load_scenario

        with as_file(files("hpgsim") / "examples" / "demo.yaml") as path:
            scenario = load_scenario(path)
        out.mkdir(parents=True, exist_ok=True)
        _run_and_report(scenario, out / "demo-trajectories.csv", out / "demo.png", "conventional", 24.0)


def _run_and_report(scenario, out: Path, plot: Path | None, units: str, every: float) -> None:
    from rich.console import Console

    import hpgsim

    from .plotting import check_plot_path, plot_result
    from .results import describe_patient, describe_protocol

    if plot is not None:
        check_plot_path(plot)
    # simulate before printing anything, so bad input (e.g. labs no man can have) is the only line shown
    monitoring = getattr(scenario, "monitoring", None)
    result = hpgsim.simulate(scenario.patient, scenario.protocol, scenario.weeks, output_every_hours=every,
                             thresholds=scenario.thresholds, file=scenario.source_file,
                             **({"monitoring": monitoring} if monitoring is not None else {}))
    console = Console(highlight=False, markup=False)   # scenario names may contain [brackets]
    if not console.is_terminal:   # piped or captured: do not squeeze tables into 80 columns
        console.width = 120
    console.print(f"hpgsim: {scenario.name}" + (f" ({scenario.source_file})" if scenario.source_file else ""),
                  style="bold")
    console.print(f"Patient: {describe_patient(scenario.patient)}")
    console.print(f"Protocol: {describe_protocol(scenario.protocol)}")
    console.print(f"Weeks simulated: {scenario.weeks:g}; units: {units}")
    console.print("Simulation, not a dosing recommendation.", style="bold")

    console.print(_summary_table(result.summary(units)))
    console.print(_crossings_table(result.threshold_crossings(units)))
    from .cli_protocols import print_monitoring

    print_monitoring(console, result, units)

    written = [("trajectories", result.write(out, units))]
    if plot is not None:
        title = f"{scenario.name}: {describe_patient(scenario.patient)}\n{describe_protocol(scenario.protocol)}"
        written.append(("figure", plot_result(result, plot, units, title=title)))
    for what, path in written:
        console.print(f"Wrote {what}: {path}")


def _summary_table(summary):
    from rich.table import Table

    table = Table(title="Summary from week 0 (baseline = week 0)", title_justify="left")
    table.add_column("Measure")
    table.add_column("Unit")
    for name in ("Baseline", "Nadir (week)", "Peak (week)", "End", "Change"):
        table.add_column(name, justify="right")
    for row in summary.itertuples():
        table.add_row(row.label, row.unit, _num(row.baseline), f"{_num(row.nadir)} ({row.nadir_week:.1f})",
                      f"{_num(row.peak)} ({row.peak_week:.1f})", _num(row.end), _change(row.baseline, row.change_pct))
    return table


_TINY = 1e-3   # below this a value is shown as '<0.001', not as a string of zeros


def _change(baseline: float, change_pct) -> str:
    """Percent change, as a fold change above ten-fold, and 'from ~0' when the baseline shows as
    '<0.001' (an untreated hypogonadotropic man's sperm), where a percentage means nothing."""
    if pd.isna(change_pct):
        return ""
    if abs(baseline) < _TINY:
        return "from ~0"
    if change_pct >= 900:
        fold = 1.0 + change_pct / 100.0
        return f"x{fold:.3g}" if fold < 100 else f"x{fold:,.0f}"
    return f"{change_pct:+.{0 if abs(change_pct) >= 10 else 1}f}%"


def _crossings_table(crossings):
    from rich.table import Table

    table = Table(title="Threshold crossings after week 0", title_justify="left")
    for name in ("Threshold", "First crossed", "Source"):
        table.add_column(name)
    for row in crossings.itertuples():
        table.add_row(row.threshold, row.first_crossed, row.source)
    return table


def _num(value: float) -> str:
    """Three significant figures, trailing zeros kept (so 8.00 and 1.10 line up with 19.0)."""
    if value != 0 and abs(value) < _TINY:
        return "<0.001" if value > 0 else f"{value:.1e}"
    if value == 0 or abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{max(0, 2 - math.floor(math.log10(abs(value))))}f}"


@contextmanager
def _errors() -> Iterator[None]:
    """Our errors become one line on stderr and an exit code, never a traceback."""
    try:
        yield
    except InputError as err:
        _fail(f"error: {err}", 2)
    except NumericalError as err:
        _fail(f"error: {err}", 3)
    except HpgsimError as err:
        _fail(f"error: {err}", 1)
    except OSError as err:   # a file we were asked to read or write
        where = f": {err.filename}" if err.filename else ""
        _fail(f"error: {err.strerror or err}{where}", 2)
    except KeyboardInterrupt:
        _fail("interrupted; no partial files were written", 130)


def _fail(message: str, code: int) -> None:
    print("hpgsim: " + " ".join(message.split()), file=sys.stderr)
    raise typer.Exit(code)


from .cli_trial import TRIAL_HELP, trial  # noqa: E402  (the command reuses _errors above)

app.command(name="trial", help=TRIAL_HELP)(trial)

from .cli_protocols import register as _register_protocol_commands  # noqa: E402

_register_protocol_commands(app)   # protocols, compare, drugs

from .cli_sbml import register as _register_sbml_commands  # noqa: E402

_register_sbml_commands(app)   # export-sbml

from .cli_conditions import register as _register_condition_commands  # noqa: E402

_register_condition_commands(app)   # conditions

from .cli_patient import register as _register_patient_command  # noqa: E402

_register_patient_command(app)   # patient

from .cli_calibrate import register as _register_calibration_commands  # noqa: E402

_register_calibration_commands(app)   # calibrate, sensitivity

from .cli_validate import register as _register_validate  # noqa: E402

_register_validate(app)   # validate


def main() -> None:
    """Entry point of the ``hpgsim`` script."""
    app(prog_name="hpgsim")


if __name__ == "__main__":
    main()
