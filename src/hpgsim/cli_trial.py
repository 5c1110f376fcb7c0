"""The ``hpgsim trial`` command: parse options, call :func:`hpgsim.trials.run_trial`, print.

JSON goes to stdout alone (the progress bar goes to stderr), so ``hpgsim trial x.yaml --format
json > out.json`` gives a clean file.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

TRIAL_HELP = """\
Re-run a published study on virtual men and compare its endpoints.

SPEC.yaml describes the study: id, title, citation; population (age, bmi, conditions,
include screen); arms (id, n, protocol); endpoints (arm, measure, unit, week, statistic,
observed). The format is documented in hpgsim.trials.spec. Each arm enrols
--n-virtual virtual men who meet the screen at week 0, simulates them, and reports every
endpoint next to the published value with a pass/fail verdict (percent change within the
published 95 % interval, fractions within 0.10 or their 95 % interval, weeks within 25 %).
The same --seed gives the same numbers.

\b
Examples:
  hpgsim trial leder2004.yaml
  hpgsim trial leder2004.yaml --n-virtual 200 --seed 7 --format json > leder2004.json
  hpgsim trial leder2004.yaml --out results/leder2004 --no-progress

\b
--out DIR writes results.json, endpoints.csv and one figure per measure (simulated mean and
5-95 % band per arm, published points with SD error bars).

Units: thresholds, screens and endpoints take any unit of their quantity (testosterone
ng/dL or nmol/L, estradiol pg/mL or pmol/L, LH and FSH IU/L = mIU/mL, sperm M/mL);
bmd_spine may be given in % (change from each man's week 0).

\b
Exit codes: 0 success (whatever the verdicts); 2 bad spec or option (one line on stderr
naming the file and field, e.g. an unknown drug or a screen no virtual man meets);
3 numerical failure; 130 interrupted.
"""


class TrialFormat(str, Enum):
    table = "table"
    json = "json"


def trial(
    spec: Path = typer.Argument(..., metavar="SPEC.yaml", help="Trial specification file."),
    n_virtual: int = typer.Option(500, "--n-virtual", metavar="N", help="Virtual men per arm."),
    seed: int = typer.Option(1, "--seed", metavar="S", help="Random seed; the same seed gives the same numbers."),
    output_format: TrialFormat = typer.Option(TrialFormat.table, "--format",
                                              help="table (readable) or json (the TRIAL_SPEC output, on stdout)."),
    out: Path | None = typer.Option(None, "--out", metavar="DIR",
                                    help="Also write results.json, endpoints.csv and figures into DIR."),
    no_progress: bool = typer.Option(False, "--no-progress", help="Do not show the progress bar (stderr)."),
) -> None:
    from .cli import _errors

    with _errors():
        from .trials import run_trial

        result = run_trial(spec, n_virtual=n_virtual, seed=seed, progress=not no_progress)
        written = result.write(out) if out is not None else []
        if output_format is TrialFormat.json:
            typer.echo(result.to_json())
            return
        from rich.console import Console

        console = Console(highlight=False, markup=False)   # study titles may contain [brackets]
        if not console.is_terminal:
            console.width = 160
        console.print(result.table())
        for path in written:
            console.print(f"Wrote {path}")
