"""The ``hpgsim trial`` command: parse options, call :func:`hpgsim.trials.run_trial`, print.

JSON goes to stdout alone (the progress bar goes to stderr), so ``hpgsim trial x.yaml --format
json > out.json`` gives a clean file. ``--out`` files are written into a hidden folder next to
DIR and moved into DIR only once all of them exist, so an error or Ctrl-C leaves DIR as it was.
"""

from __future__ import annotations

import os
import shutil
import uuid
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
  hpgsim trial leder2004.yaml --n-virtual 20000 --dask local
  hpgsim trial leder2004.yaml --n-virtual 100000 --dask tcp://scheduler:8786 --chunk-size 2000

--dask runs the men on a Dask cluster: 'local' starts one worker process per core here (and
closes it at the end); an address connects to a running scheduler whose workers have the same
environment (see docs/scale-out.md). Men go to the workers in chunks of --chunk-size (by default
up to 2000, sized to the arm and the workers). The numbers are those of a run without --dask
with the same --seed, whatever the chunk size.

\b
--out DIR writes results.json, endpoints.csv and one figure per measure (simulated mean and
5-95 % band per arm, published points with SD error bars).

Units: thresholds, screens and endpoints take any unit of their quantity (testosterone
ng/dL or nmol/L, estradiol pg/mL or pmol/L, LH and FSH IU/L = mIU/mL, sperm M/mL);
bmd_spine may be given in % (change from each man's week 0).

\b
Exit codes: 0 success (whatever the verdicts); 2 bad spec or option (one line on stderr
naming the file and field, e.g. an unknown drug or a screen no virtual man meets, or a Dask
scheduler that cannot be reached); 3 numerical failure; 130 interrupted (Ctrl-C: the cluster's
work is cancelled and nothing is written).
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
    dask: str | None = typer.Option(None, "--dask", metavar="local|ADDRESS",
                                    help="Run on Dask: 'local' (a cluster of this machine's cores) or a "
                                         "scheduler address such as tcp://host:8786."),
    chunk_size: int | None = typer.Option(None, "--chunk-size", metavar="N",
                                          help="Men per chunk of work (default: up to 2000, sized to the arm "
                                               "and the workers); never changes the numbers."),
) -> None:
    from .cli import _errors

    with _errors():
        from .trials import run_trial

        result = run_trial(spec, n_virtual=n_virtual, seed=seed, progress=not no_progress, dask=dask,
                           chunk_size=chunk_size)
        written = write_all_or_nothing(result, out) if out is not None else []
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


def write_all_or_nothing(result, out: Path) -> list[Path]:
    """``result.write`` into a hidden folder beside ``out``, then every file moved into ``out``
    (a new ``out`` is one rename); returns the paths in ``out``. Interrupted before the moves,
    ``out`` is untouched and the hidden folder is removed."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(20, "not a folder", str(out))
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.{uuid.uuid4().hex[:8]}.part"
    staging.mkdir()   # with the user's umask, as the folder it may become
    try:
        staged = result.write(staging)
        if not out.exists():
            os.replace(staging, out)
        else:
            for path in staged:
                os.replace(path, out / path.name)
        return [out / path.name for path in staged]
    finally:
        shutil.rmtree(staging, ignore_errors=True)
