"""The ``hpgsim validate`` command: re-run every published trial and write the validation report.

Parsing and printing only; the runs and the report live in :mod:`hpgsim.trials.validation`.
JSON goes to stdout alone (progress goes to stderr), so ``--format json > v.json`` is clean.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path

import typer

from .progress import progress_bar, stderr_is_terminal

VALIDATE_HELP = """\
Re-run every published trial in hpgsim's evidence and report agreement.

Runs each trial spec of the calibration set (the studies the parameters are fitted to) and
the validation set (never tuned to) on --n-virtual virtual men per arm, and reports every
endpoint next to its published value with the verdict of the trial pass rule (percent
change within the published 95 % interval; fractions within 0.10 or their interval; weeks
within 25 %), pass rates per set, and a one-line reason for every failure. A trial that
cannot run (for example an enrolment screen no virtual man meets) fails all its endpoints.

\b
Examples:
  hpgsim validate --out docs --check-seeds 2      # the committed report (several minutes)
  hpgsim validate --only calibration --n-virtual 50
  hpgsim validate --spec leder2004,tsjoen2005 --n-virtual 20 --out /tmp/report
  hpgsim validate --format json --no-progress > validation.json
  hpgsim validate --check-seeds 2,3               # how many verdicts change with the draw of men

\b
--out DIR writes DIR/validation.md, DIR/validation.html (self-contained: figures embedded,
opens offline) and DIR/validation/*.png (a forest plot of observed against simulated
percent change, and each study's simulated time courses with the published points). The
old DIR/validation/ folder is replaced. Nothing is written until every trial has run, so
Ctrl-C leaves no partial files. Without --out only the summary is printed.

\b
Trial ids are the spec file names in src/hpgsim/evidence/trials/{calibration,validation}/;
re-run one on its own with: hpgsim trial src/hpgsim/evidence/trials/calibration/leder2004.yaml

\b
Exit codes: 0 success (whatever the verdicts); 2 bad option (one line on stderr, e.g. an
unknown trial id); 130 interrupted.
"""


class ValidateFormat(str, Enum):
    table = "table"
    json = "json"


class ValidateSet(str, Enum):
    calibration = "calibration"
    validation = "validation"
    all = "all"


def validate(
    n_virtual: int = typer.Option(100, "--n-virtual", metavar="N", help="Virtual men per arm."),
    seed: int = typer.Option(1, "--seed", metavar="S", help="Random seed; the same seed gives the same numbers."),
    out: Path | None = typer.Option(None, "--out", metavar="DIR",
                                    help="Write validation.md, validation.html and validation/*.png into DIR."),
    only: ValidateSet = typer.Option(ValidateSet.all, "--only", help="Which set of trials to run."),
    spec: str | None = typer.Option(None, "--spec", metavar="ID,...",
                                    help="Run only these trial ids (comma-separated), e.g. leder2004,tsjoen2005."),
    output_format: ValidateFormat = typer.Option(ValidateFormat.table, "--format",
                                                 help="table (readable) or json (every endpoint, on stdout)."),
    check_seeds: str | None = typer.Option(None, "--check-seeds", metavar="S,...",
                                           help="Also re-run with these seeds and report how many verdicts change with the draw."),
    no_progress: bool = typer.Option(False, "--no-progress", help="Do not show progress (stderr)."),
) -> None:
    from .cli import _errors

    with _errors():
        from .errors import InputError
        from .option_lists import comma_list
        from .trials.validation import SETS, default_command, other_seeds, run_all, select_specs, write_report

        sets = SETS if only is ValidateSet.all else (only.value,)
        ids = tuple(comma_list(spec))
        if spec is not None and not ids:
            raise InputError("--spec", "one or more trial ids separated by commas", repr(spec))
        if not 1 <= n_virtual <= 100_000:
            raise InputError("--n-virtual", "a whole number of virtual men per arm between 1 and 100000", n_virtual)
        if seed < 0:
            raise InputError("--seed", "a non-negative whole number", seed)
        extra = other_seeds(seed, _seeds(check_seeds))   # as run_all counts them, for the progress total
        if out is not None and out.exists() and not out.is_dir():
            raise InputError("--out", "a folder", str(out))
        total = len(select_specs(sets, ids)) * (1 + len(extra))   # checks the ids before anything runs
        with _spec_progress(not no_progress, total) as on_spec:
            run = run_all(n_virtual=n_virtual, seed=seed, sets=sets, only=ids, on_spec=on_spec, check_seeds=extra)
        written = []
        if out is not None:
            written = write_report(run, out, command=default_command(run, out=str(out)))
        if output_format is ValidateFormat.json:
            import json

            typer.echo(json.dumps(run.to_json_dict(), indent=2, ensure_ascii=False, allow_nan=False))
            return
        _print_tables(run, written)


def _seeds(text: str | None) -> tuple[int, ...]:
    """``--check-seeds 2,3`` as (2, 3); one line naming the option for anything else."""
    from .errors import InputError
    from .option_lists import comma_list

    if text is None:
        return ()
    parts = comma_list(text)
    if not parts or not all(p.isdigit() for p in parts):
        raise InputError("--check-seeds", "non-negative whole numbers separated by commas, e.g. 2,3", repr(text))
    return tuple(int(p) for p in parts)


def _print_tables(run, written: list[Path]) -> None:
    from rich.console import Console
    from rich.table import Table

    from .results import DISCLAIMER
    from .trials.failure_causes import group_failures
    from .trials.validation import REASON_NONE

    console = Console(highlight=False, markup=False)
    if not console.is_terminal:
        console.width = 160
    rows = run.rows()
    rates = run.pass_rates()
    for which in run.sets:
        sub = [r for r in rows if r.set == which]
        if not sub:
            continue
        ok, n = rates[which]
        table = Table(title=f"{which.capitalize()} set: {ok} of {n} compared endpoints pass", title_justify="left")
        for name, justify in (("study", "left"), ("arm", "left"), ("measure", "left"), ("endpoint", "left"),
                              ("observed [interval]", "right"), ("simulated", "right"), ("pass", "left"),
                              ("reason", "left")):
            table.add_column(name, justify=justify)
        for r in sub:
            verdict = {"pass": "yes", "fail": "NO"}.get(r.verdict, "-")
            reason = r.reason + (" (no cause identified yet)" if r.reason_source == REASON_NONE else "")
            table.add_row(r.study, r.arm, r.measure, r.endpoint, r.observed, r.simulated, verdict, reason)
        console.print(table)
    for which, (ok, n) in rates.items():
        console.print(f"{which}: {ok} of {n} compared endpoints pass" + (f" ({100 * ok / n:.0f} %)" if n else ""))
    groups = group_failures(rows, run.sets)
    if groups:
        console.print("failures by cause: " + "; ".join(f"{g.title} {g.total}" for g in groups), soft_wrap=True)
    for check in run.seed_checks:
        console.print(f"seed {check.seed}: " + ", ".join(f"{w} {ok} of {n}" for w, (ok, n) in check.rates.items()))
    if run.seed_checks:
        console.print(f"{len(run.unstable_endpoints())} endpoints change verdict between seeds.")
    console.print(f"{DISCLAIMER} ({run.n_virtual} virtual men per arm, seed {run.seed}).")
    if written:
        for path in written:
            console.print(f"Wrote {path}")
    else:
        console.print("No report written: add --out DIR (for example --out docs) for validation.md, "
                      "validation.html and figures.")


@contextmanager
def _spec_progress(enabled: bool, total: int) -> Iterator:
    """One progress bar over trials on stderr when it is a terminal; one line per trial on stderr
    otherwise (so a run under nohup shows how far it got); nothing when disabled."""
    if not enabled:
        yield None
        return
    if not stderr_is_terminal():
        def log(which: str, study: str, i: int, n: int) -> None:
            print(f"[{i + 1}/{n}] {which}: {study}", file=sys.stderr, flush=True)

        yield log
        return
    with progress_bar(True, "trials", remaining=False) as bar:
        task = bar.add_task("validate", total=total)

        def tick(which: str, study: str, i: int, n: int) -> None:
            bar.update(task, completed=i, description=f"{which}: {study}")

        yield tick
        bar.update(task, completed=total)


def register(app: typer.Typer) -> None:
    """Add ``validate`` to the main app."""
    app.command(name="validate", help=VALIDATE_HELP)(validate)
