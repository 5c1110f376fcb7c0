"""The ``hpgsim calibrate`` and ``hpgsim sensitivity`` commands: parse options, call
:mod:`hpgsim.calibration`, print. Registered on the main app by :func:`register`.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path

import typer

from .progress import progress_bar

CALIBRATE_HELP = """\
Fit the population-level parameters to every calibration-set trial jointly.

Each published endpoint of the packaged calibration set (src/hpgsim/evidence/trials/calibration)
becomes a residual, simulated minus published over the half-width of its published interval
(the pass rule of hpgsim trial), and all of them are fitted at once by bounded least squares,
within each parameter's plausible range (log scale for positive ranges), starting from and
pulled toward the literature values. The packaged set also holds physiology experiments that
are not trials (medical castration with T or E2 add-back, Pitteloud 2008; see
hpgsim.calibration.experiments). --experiments fits them too; they are off by default because
the present model misses castration by two orders of magnitude (LH x300 against x3), a residual
that would steer any fit of other parameters (docs/model.md, "Hypothalamus"). With --specs only
those specs are fitted (and --experiments is refused).
The validation set is never fitted: it is run before and after, and the fitted set may become
the default (--adopt) only if it improves it.

\b
Examples:
  hpgsim calibrate --out calibration-run
  hpgsim calibrate --free anastrozole.ec50_ng_ml,e2_hyp_k --max-iterations 10
  hpgsim calibrate --n-virtual 50 --seed 3 --out cohort-fit
  hpgsim calibrate --adopt          # then: make docs
  hpgsim calibrate --start other-start.yaml --out second-start   # the objective can have several optima

\b
--free takes parameter-table rows (docs/model.md) and drug fields as drug.field, e.g.
anastrozole.ec50_ng_ml, hcg.emax; by default the table's fitted rows and five drug
potencies. --n-virtual 0 simulates one typical man per arm (fast; fraction endpoints are left
out); N > 0 enrols N virtual men per arm (slow, every endpoint). The same --seed gives the same
fit. Writes DIR/parameters.yaml (the fitted set) and DIR/calibration.md (the report: every
endpoint before and after, parameters that moved, parameters the data cannot identify, pass
counts of the calibration and validation sets).

\b
Exit codes: 0 success (adopted or not); 2 bad option (one line naming it); 130 interrupted
(Ctrl-C): no partial files.
"""

SENSITIVITY_HELP = """\
Rank which parameters drive one endpoint of a trial (global, variance-based).

Every parameter is drawn over its plausible range (log-uniform for positive ranges wider than
ten-fold) by Saltelli sampling, the endpoint is simulated at each draw, and Sobol' indices are
estimated (SALib) with 95 % bootstrap intervals: S1, the share of the endpoint's variance a
parameter explains alone, and ST, its share with interactions. Ranked by ST. --n draws give
N x (D + 2) simulations for D parameters.

\b
Examples:
  hpgsim sensitivity leder2004.yaml --endpoint daily:estradiol:12
  hpgsim sensitivity leder2004.yaml --endpoint 2 --params anastrozole.ec50_ng_ml,e2_hyp_k,leydig_e2_brake
  hpgsim sensitivity hr2005_who_te.yaml --endpoint 0 --n 128 --plot s.png

\b
--endpoint is the endpoint's index in the spec or arm:measure:week (week from-until for
weeks-to-threshold endpoints; add :statistic when two share a label, or use the index); a wrong one lists the
choices. --params as for hpgsim calibrate --free (default: the same set).

\b
Exit codes: 0 success; 2 bad spec or option (one line naming the file and field); 130 interrupted.
"""


class Method(str, Enum):
    sobol = "sobol"


def _names(text: str | None) -> list[str] | None:
    from .option_lists import comma_list

    return None if text is None else comma_list(text)


@contextmanager
def _bar(enabled: bool, label: str) -> Iterator[Callable[[int, int], None] | None]:
    """The shared progress bar (:mod:`hpgsim.progress`) fed with (done, total)."""
    with progress_bar(enabled, remaining=False) as bar:
        if bar is None:
            yield None
            return
        task = bar.add_task(label, total=None)

        def tick(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield tick


def calibrate_command(
    free: str | None = typer.Option(None, "--free", metavar="NAME,...", help="Parameters to fit (default: the table's fitted rows and the drug potencies)."),
    n_virtual: int = typer.Option(0, "--n-virtual", metavar="N", help="0 = a typical man per arm; N > 0 = N virtual men per arm."),
    out: Path = typer.Option(Path("calibration-output"), "--out", metavar="DIR", help="Where parameters.yaml and calibration.md go."),
    seed: int = typer.Option(1, "--seed", metavar="S", help="Random seed of the cohorts; the same seed gives the same fit."),
    max_iterations: int = typer.Option(20, "--max-iterations", metavar="K", help="Most optimiser steps (each simulates the whole set once per free parameter)."),
    adopt: bool = typer.Option(False, "--adopt", help="Make the fitted set the packaged default, only if it improves the validation set."),
    specs_dir: Path | None = typer.Option(None, "--specs", metavar="DIR", help="Fit to these calibration specs instead of the packaged set."),
    validation_dir: Path | None = typer.Option(None, "--validation", metavar="DIR", help="Validation specs to check the fit on (default: the packaged set)."),
    start: Path | None = typer.Option(None, "--start", metavar="FILE", help="Start from (and pull toward) these values instead of the table's; values of parameters not fitted stay fixed at them. A parameters.yaml as calibrate writes it."),
    loss: str = typer.Option("linear", "--loss", metavar="NAME", help="linear (least squares), or a robust loss: soft_l1, huber or cauchy (endpoints missed by many tolerances weigh less)."),
    experiments: bool = typer.Option(False, "--experiments", help="Also fit the packaged set's physiology experiments that are not trials (off by default: see below)."),
    no_progress: bool = typer.Option(False, "--no-progress", help="Do not show the progress bar (stderr)."),
) -> None:
    from .cli import _errors

    with _errors():
        from .calibration import adoption
        from .calibration.fit import calibrate
        from .calibration.parameter_set import ParameterSet, write_atomically
        from .calibration.report import header, markdown
        from .calibration.targets import load_specs
        from .errors import InputError

        if n_virtual < 0 or n_virtual > 100_000:
            raise InputError("--n-virtual", "0 (a typical man per arm) or a number of virtual men up to 100000", n_virtual)
        if max_iterations < 1:
            raise InputError("--max-iterations", "at least 1", max_iterations)
        if seed < 0:
            raise InputError("--seed", "a non-negative whole number", seed)
        for option, folder in (("--specs", specs_dir), ("--validation", validation_dir)):
            if folder is not None and not folder.is_dir():
                raise InputError(option, "a folder of trial specs (*.yaml)", str(folder))
        if experiments and specs_dir is not None:
            # the experiments belong to the packaged set; a folder of one's own specs is fitted alone
            raise InputError("--experiments", "the packaged calibration set only (leave out --specs, or --experiments)",
                             f"--specs {specs_dir}")
        if start is not None and not start.is_file():
            raise InputError("--start", "a parameters.yaml file (values: {name: number, ...})", str(start))
        start_set = ParameterSet.load(start) if start is not None else ParameterSet({})
        specs = load_specs(specs_dir if specs_dir is not None else "calibration")
        validation = load_specs(validation_dir if validation_dir is not None else "validation")
        # the start file's values are in force throughout (those not fitted stay fixed at them); the
        # fitted ones start from and are pulled toward them
        with start_set.applied(), _bar(not no_progress, "calibrating (simulations of the whole set)") as tick:
            # --experiments adds the packaged set's non-trial physiology experiments
            # (hpgsim.calibration.experiments)
            result = calibrate(specs, _names(free), n_virtual=n_virtual, seed=seed, max_iterations=max_iterations,
                               validation=validation, progress=tick, start=dict(start_set.values) or None,
                               experiments=experiments, loss=loss)
        adopted = bool(adopt and result.improves_validation)
        given = [("--free", free, None), ("--n-virtual", n_virtual, 0), ("--seed", seed, 1),
                 ("--max-iterations", max_iterations, 20), ("--specs", specs_dir, None),
                 ("--validation", validation_dir, None), ("--start", start, None), ("--loss", loss, "linear"),
                 ("--out", out, Path("calibration-output"))]
        command = " ".join(["hpgsim calibrate", *(f"{opt} {shlex.quote(str(v))}" for opt, v, default in given
                                                  if v != default), *(["--experiments"] if experiments else []),
                            *(["--adopt"] if adopt else [])])
        report = markdown(result, adopted=adopted, command=command)
        text_header = header(result, adopted)
        write_atomically(out / "calibration.md", report)
        # what the fit ran with: the start file's fixed values and the fitted ones
        fitted_set = ParameterSet({**start_set.values, **result.fitted})
        fitted_set.save(out / "parameters.yaml", text_header)
        if adopted:
            adoption.adopt(fitted_set, text_header)
        typer.echo(text_header.strip())
        typer.echo(f"Wrote {out / 'parameters.yaml'} and {out / 'calibration.md'}")
        if adopt and not adopted:
            typer.echo("Not adopted: the fitted set does not improve the validation set.")
        elif adopted:
            typer.echo(f"Adopted: wrote {adoption.CALIBRATED_PATH}; run `make docs` to update docs/model.md.")
        typer.echo("Simulation results, not dosing recommendations.")


def sensitivity_command(
    spec: Path = typer.Argument(..., metavar="SPEC.yaml", help="Trial specification file."),
    endpoint: str = typer.Option(..., "--endpoint", metavar="ENDPOINT", help="Index, or arm:measure:week."),
    params: str | None = typer.Option(None, "--params", metavar="NAME,...", help="Parameters to rank (default: as calibrate --free)."),
    n: int = typer.Option(64, "--n", metavar="N", help="Base sample size, a power of two."),
    seed: int = typer.Option(1, "--seed", metavar="S", help="Seed of the sampling and bootstrap."),
    method: Method = typer.Option(Method.sobol, "--method", help="Sensitivity method."),
    n_virtual: int = typer.Option(0, "--n-virtual", metavar="N", help="0 = the arm's typical man; N > 0 = N virtual men."),
    plot_path: Path | None = typer.Option(None, "--plot", metavar="FILE.png", help="Also draw a bar chart of S1 and ST."),
    no_progress: bool = typer.Option(False, "--no-progress", help="Do not show the progress bar (stderr)."),
) -> None:
    from .cli import _errors

    with _errors():
        from .calibration.fit import default_free
        from .calibration.sensitivity import pick_endpoint, plot, sensitivity
        from .errors import InputError
        from .trials.spec import load_spec

        if n_virtual < 0 or n_virtual > 100_000:
            raise InputError("--n-virtual", "0 (a typical man) or a number of virtual men up to 100000", n_virtual)
        if seed < 0:
            raise InputError("--seed", "a non-negative whole number", seed)
        trial = load_spec(spec)
        index = pick_endpoint(trial, endpoint)
        names = _names(params) or default_free()
        with _bar(not no_progress, "sensitivity (draws)") as tick:
            result = sensitivity(trial, index, names, n=n, seed=seed, n_virtual=n_virtual, progress=tick)
        from rich.console import Console
        from rich.table import Table

        console = Console(highlight=False, markup=False)
        if not console.is_terminal:
            console.width = 120
        table = Table(title=f"{trial.id} {result.endpoint}: {result.quantity}, mean {result.mean:.3g}, "
                            f"SD {result.sd:.3g} over {result.evaluations} draws", title_justify="left")
        for col in ("rank", "parameter", "S1", "S1 95 % CI", "ST", "ST 95 % CI"):
            table.add_column(col, justify="left" if col == "parameter" else "right")
        for k, i in enumerate(result.indices, 1):
            table.add_row(str(k), i.name, f"{i.s1:.3f}", f"±{i.s1_conf:.3f}", f"{i.st:.3f}", f"±{i.st_conf:.3f}")
        console.print(table)
        if result.not_computed:
            console.print(f"{result.not_computed} draws could not be computed and were replaced by the mean.")
        if plot_path is not None:
            if plot_path.suffix.lower() not in (".png", ".svg", ".pdf"):
                raise InputError("--plot", "a file ending in .png, .svg or .pdf", str(plot_path))
            tmp = plot_path.with_name(f".{plot_path.stem}.partial{plot_path.suffix}")
            try:
                plot(result, tmp)
                tmp.replace(plot_path)
            finally:
                if tmp.exists():
                    tmp.unlink()
            console.print(f"Wrote {plot_path}")
        console.print("Simulation results (typical man per arm unless --n-virtual), not dosing recommendations.")


def register(app: typer.Typer) -> None:
    """Add ``calibrate`` and ``sensitivity`` to the main app."""
    app.command(name="calibrate", help=CALIBRATE_HELP)(calibrate_command)
    app.command(name="sensitivity", help=SENSITIVITY_HELP)(sensitivity_command)
