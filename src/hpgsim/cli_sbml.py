"""The ``hpgsim export-sbml`` command: one scenario's man and protocol as an SBML file.

Registered on the main app by :func:`register` (called at the end of :mod:`hpgsim.cli`). No
science here: :mod:`hpgsim.sbml` builds and checks the document.
"""

from __future__ import annotations

from pathlib import Path

import typer

EXPORT_HELP = """\
Write one man under one protocol as an SBML model (Level 3 Version 2, core).

The man of SCENARIO.yaml starts at his own steady state (computed by hpgsim, written as
numbers); the physiology is rate rules and assignment rules with the same maths as hpgsim;
each drug is a depot and a central amount with first-order absorption and elimination, and
every dose of the protocol up to the end of the simulated weeks is an event (clomiphene
citrate as its two isomers). Observables carry hpgsim's names and internal units
(total_testosterone nmol/L, estradiol pmol/L, lh IU/L, sperm_concentration M/mL, ...); time is
in hours. The file passes libSBML's consistency checks; the test suite simulates such files in
libRoadRunner (which Tellurium uses) against hpgsim, and COPASI imports them. With --protocol, a library protocol replaces the scenario's; a protocol with
monitoring rules is replayed first and its adjusted doses are written.

\b
Examples:
  hpgsim export-sbml examples/older_man_low_t_anastrozole_daily.yaml -o model.xml
  hpgsim export-sbml examples/untreated_healthy_man.yaml --protocol clomiphene-25mg-daily --weeks 52 -o cc.xml

\b
Simulate it, for example with libRoadRunner (set per-variable absolute tolerances for tight
runs; hpgsim.sbml.absolute_tolerances gives the ones hpgsim uses):
  import roadrunner
  r = roadrunner.RoadRunner("model.xml")
  r.simulate(0, 12 * 168, 500, ["time", "total_testosterone", "estradiol", "lh"])

A simulation for research and teaching, not a medical device and never a dosing recommendation.

\b
Exit codes: 0 success; 2 bad input (one line on stderr naming the file and field);
3 no steady state for this man; 130 interrupted (no partial file is written).
"""


def export_sbml_command(
    scenario: Path = typer.Argument(..., metavar="SCENARIO.yaml", help="Scenario file (see examples/)."),
    out: Path = typer.Option(..., "--out", "-o", metavar="FILE", help="SBML file to write (.xml or .sbml)."),
    weeks: float | None = typer.Option(None, "--weeks", metavar="N",
                                       help="Doses up to week N [default: the scenario's weeks]."),
    protocol: str | None = typer.Option(None, "--protocol", metavar="NAME",
                                        help="A library protocol (see `hpgsim protocols`) or a regimen as text (\"anastrozole 1 mg twice weekly\") instead of the scenario's."),
) -> None:
    from .cli import _errors

    with _errors():
        from .cli_protocols import with_protocol
        from .results import check_output_path
        from .scenario import load_scenario
        from .sbml import export_sbml

        out = check_output_path(out, (".xml", ".sbml"))
        loaded = with_protocol(load_scenario(scenario), protocol)
        written = export_sbml(loaded, out, weeks)
        typer.echo(f"Wrote SBML: {written} (simulation model, not a dosing recommendation)")


def register(app: typer.Typer) -> None:
    """Add ``export-sbml`` to the main app."""
    app.command(name="export-sbml", help=EXPORT_HELP)(export_sbml_command)
