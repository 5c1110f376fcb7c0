"""The ``hpgsim patient`` command: personalise a man from his labs, print his estimated factors,
the fit, his markers and flags, and (with a protocol) how often simulated men like him reach a
target, as tables or as one JSON document (:mod:`hpgsim.patient_report`). Parses, calls
the API, prints; no science here.

Registered on the main app by :func:`register` (called at the end of :mod:`hpgsim.cli`).
"""

from __future__ import annotations

import math
from enum import Enum
from pathlib import Path

import numpy as np
import typer

from .errors import InputError

NOT_ADVICE = "Simulation, not a diagnosis and not a dosing recommendation."

PATIENT_HELP = """\
Personalise a man from his labs: estimates, uncertainty, markers, flags.

LABS.yaml holds a patient block as in a scenario file (a whole scenario file works too):

\b
  patient:
    age: 34
    bmi: 31
    labs: {total_testosterone: 280 ng/dL, estradiol: 42 pg/mL, lh: 3.1 IU/L,
           shbg: 22 nmol/L, sperm_concentration: 9 M/mL}
    conditions: [secondary_hypogonadism]      # optional

Any subset of total_testosterone, free_testosterone, bioavailable_testosterone, estradiol, lh,
fsh, shbg, prolactin, tsh, inhibin_b, sperm_concentration, total_motile_count,
progressive_motility and semen_volume, each with its unit (ng/dL or nmol/L alike).

The man's individual factors are estimated as the maximum a posteriori, with the population of
his age, BMI and conditions as the prior and a stated measurement error for each lab; the
uncertainty is the Laplace approximation at that estimate. The report says which factors the
labs cannot pin down, lists labs the fit cannot reproduce (conflicts), and shows markers and
flags from the measured labs with their sources and evidence levels (research criteria next to
the studies that contradict them).

With --protocol, his posterior draws and men of his age, BMI and conditions are simulated under
the protocol for --weeks, and the fraction reaching each target is reported with its
Monte-Carlo uncertainty (targets: --target-t, default 300 ng/dL; --target-sperm, default
16 M/mL; a range such as "400-900 ng/dL" also works).

\b
Examples:
  hpgsim patient examples/obese_man_low_t_labs.yaml
  hpgsim patient examples/obese_man_low_t_labs.yaml --units si
  hpgsim patient examples/obese_man_low_t_labs.yaml --format json > him.json
  hpgsim patient examples/obese_man_low_t_labs.yaml --protocol anastrozole-1mg-daily --weeks 26
  hpgsim patient labs.yaml --protocol clomiphene-25mg-daily --target-t "400 ng/dL" --target-sperm "15 M/mL" --draws 200 --seed 7

--format json prints one JSON document on stdout instead of the tables: the same content plus
his simulated steady state, every concentration in both unit systems (--units is then
ignored), and a disclaimer. No NaN: a value that cannot be computed is null, and null_values
says why. Keys:

\b
{keys}

\b
Exit codes: 0 success (conflicting labs are reported, not an error); 2 bad input (one line on
stderr naming the file and field); 3 numerical failure; 130 interrupted.
"""

# The keys of --format json (hpgsim.patient_report), one line each, printed by --help.
JSON_KEYS = """\
schema           "hpgsim.patient/1" (changes only when a key changes meaning)
disclaimer       a simulation for research and teaching, not medical advice
file, name       the labs file and the man's name
patient          age_years, bmi_kg_m2, height_m, description,
                 conditions [{name, severity {key: value as given; {} = default}, text}],
                 labs {lab: quantity} (as measured)
personalisation  method, prior, informed_directions, directions, not_identified,
                 factors [{name, meaning, unit, typical, estimate, low95, high95,
                 prior_log_sd, posterior_log_sd, sd_ratio, identifiable, at_bound}],
                 pinned_down_only_together [{factors, posterior_correlation}],
                 set_from_labs {lab: quantity}, fixed_at_zero, not_modelled
steady_state     {lab: quantity}: his simulated untreated steady state at the estimate
fit              [{lab, measured, simulated, percent_off, measurement_error_percent,
                 gap_sd, conflict, reachable, status}]
conflicts        [{lab, description}]
markers          [{key, label, conventional {value, unit}, si {value, unit}, basis}]
flags            [{key, label, fired, kind, evidence, detail, sources, contradicted_by}]
                 (every rule his labs can be evaluated on, fired or not)
target_probabilities  null without --protocol; else {protocol, weeks, draws, seed, notes,
                 results [{measure, target {text, description, low, high}, group, n,
                 reached, at_baseline, failed, fraction, standard_error, interval95,
                 baseline_fraction, his_measured, his_measured_in_range}]}
null_values      [{path, reason}]: why each null is null
A quantity is {conventional: {value, unit}, si: {value, unit}}."""

DEFAULT_TARGET_T = "300 ng/dL"       # AUA 2018 low-T cut-off (Mulhall 2018, Moderate, Grade B)
DEFAULT_TARGET_SPERM = "16 M/mL"     # WHO 2021 lower reference limit


FORMATS = ("table", "json")


class Units(str, Enum):
    conventional = "conventional"
    si = "si"


def patient(
    labs_file: Path = typer.Argument(..., metavar="LABS.yaml", help="Labs file (a patient block, as in a scenario)."),
    protocol: str | None = typer.Option(None, "--protocol", metavar="NAME",
                                        help="A library protocol (see `hpgsim protocols`) or a regimen as text to simulate him under."),
    weeks: float | None = typer.Option(None, "--weeks", metavar="N",
                                       help="Weeks to simulate [default: the protocol's suggested duration]."),
    target_t: str | None = typer.Option(None, "--target-t", metavar="VALUE",
                                        help=f"Total T target, e.g. '400 ng/dL' or '400-900 ng/dL' [default: {DEFAULT_TARGET_T}]."),
    target_sperm: str | None = typer.Option(None, "--target-sperm", metavar="VALUE",
                                            help=f"Sperm concentration target [default: {DEFAULT_TARGET_SPERM}]."),
    draws: int = typer.Option(100, "--draws", metavar="N", help="Simulated men per group."),
    seed: int = typer.Option(1, "--seed", metavar="S", help="Random seed; the same seed gives the same numbers."),
    units: Units = typer.Option(Units.conventional, "--units", help="Units of the tables."),
    format_: str = typer.Option("table", "--format", metavar="table|json",
                                help="table: the printed report; json: one JSON document (keys above)."),
) -> None:
    from .cli import _errors

    with _errors():
        if format_ not in FORMATS:
            # checked here, not by typer's choice type, so a typo is one line like every other bad input
            raise InputError("--format", " or ".join(FORMATS), repr(format_))
        from .api import personalise_patient, typical_parameters
        from .scenario import load_patient

        file = str(labs_file)
        man = load_patient(labs_file)
        named = odds = None
        if protocol is None and (weeks is not None or target_t or target_sperm):
            raise InputError("--protocol", "a protocol name when --weeks or a target is given", "none")
        if protocol is not None:
            from .people.target_probability import Target
            from .protocols.library import named_or_regimen

            named = named_or_regimen(protocol, field="--protocol")
            weeks = named.weeks if weeks is None else weeks
            if not (isinstance(weeks, (int, float)) and math.isfinite(weeks) and 0 < weeks <= 520):
                raise InputError("--weeks", "a number of weeks above 0 and at most 520", repr(weeks))
            targets = [Target.parse("total_testosterone", target_t or DEFAULT_TARGET_T, field="--target-t"),
                       Target.parse("sperm_concentration", target_sperm or DEFAULT_TARGET_SPERM, field="--target-sperm")]
        fit = personalise_patient(man, file=file)
        if named is not None:
            from .people.target_probability import target_probabilities

            odds = target_probabilities(fit, typical_parameters(man, file=file), named.protocol, float(weeks),
                                        targets, draws=draws, seed=seed)
        if format_ == "json":
            from .patient_report import patient_report, to_json

            doc = patient_report(man, fit, file=file, protocol_name=named.name if named else None, weeks=weeks,
                                 draws=draws if named else None, seed=seed if named else None, odds=odds)
            typer.echo(to_json(doc))
        else:
            _print_report(man, fit, file, units.value, named, weeks, odds)


def _print_report(man, fit, file: str, units: str, named, weeks, odds) -> None:
    from rich.console import Console

    from .people.markers import flags, markers
    from .patient_report import condition_text
    from .results import describe_patient

    console = Console(highlight=False, markup=False)
    if not console.is_terminal:
        console.width = 160
    console.print(f"hpgsim patient: {man.name or Path(file).stem} ({file})", style="bold")
    console.print(f"Patient: {describe_patient(man)}")
    if man.conditions:
        console.print("Conditions: " + ", ".join(condition_text(c) for c in man.conditions))
    console.print(NOT_ADVICE, style="bold")
    console.print(_factor_table(fit))
    for line in _factor_notes(fit):
        console.print(line)
    if fit.labs:
        console.print(_lab_table(fit, units))
    for lab in fit.conflicts:
        from .people.personalise import describe_conflict

        console.print(f"CONFLICT {describe_conflict(lab)}. Check the value and its unit, or list his conditions.")
    shown = markers(dict(man.labs), units)
    if shown:
        console.print(_marker_table(shown))
    evaluated = flags(dict(man.labs), bmi=man.bmi)
    console.print(_flag_table([f for f in evaluated if f.fired and f.kind in ("guideline", "reference")],
                              "Flags (measured labs; a flag is not a diagnosis)"))
    quiet = [f.label for f in evaluated if not f.fired and f.kind in ("guideline", "reference")]
    if quiet:
        console.print("Checked, not flagged: " + "; ".join(quiet))
    research = [f for f in evaluated if f.kind in ("research", "claim")]
    if research:
        console.print(_research_table(research))
    if odds is not None:
        console.print(_odds_table(odds, named, weeks, units, dict(man.labs)))
        from .people.target_probability import baseline_mismatches

        for line in baseline_mismatches(odds, dict(man.labs), fit):
            console.print(line)
        console.print(f"Fractions of simulated men in range at week {weeks:g} ({odds[0].n} per group, seed-reproducible); "
                      "+/- is the Monte-Carlo standard error. The model's own error comes on top (see docs/validation.md). "
                      + NOT_ADVICE)


def _factor_table(fit):
    from rich.table import Table

    from .physiology.parameters import BY_NAME

    table = Table(title=f"Personalised man: {fit.method}; prior = population of his age, BMI and conditions",
                  title_justify="left")
    for name in ("Factor", "Meaning", "Typical man", "Estimate", "95 % interval", "SD ratio", "Pinned down by the labs"):
        table.add_column(name, justify="right" if name in ("Typical man", "Estimate", "SD ratio") else "left")
    for f in fit.factors:
        pinned = "yes" if f.identifiable else "no (labs cannot pin it down)"
        if f.at_bound:
            pinned += "; at the edge of its plausible range"
        table.add_row(f.name, BY_NAME[f.name].meaning, f"{f.prior_median:.3g}", f"{f.estimate:.3g}",
                      f"{f.low95:.3g}-{f.high95:.3g}", f"{f.sd_ratio:.2f}", pinned)
    return table


def _factor_notes(fit) -> list[str]:
    lines = [f"SD ratio = posterior SD / prior SD of the factor's log (1 = the labs taught nothing); "
             f"the labs inform {fit.informed_directions} of {len(fit.names)} directions of the factor space."]
    for a, b, rho in fit.joint:
        lines.append(f"Pinned down only together: {a} and {b} (posterior correlation {rho:+.2f}).")
    for lab, value in fit.set_from_labs.items():
        lines.append(f"Set from the measured value, not estimated: {lab} {value:g}.")
    if fit.fixed:
        lines.append(f"Fixed at zero by a condition, not estimated: {', '.join(fit.fixed)}.")
    if fit.not_modelled:
        lines.append(f"Read by the flags only (no model of it): {', '.join(fit.not_modelled)}.")
    return lines


def _lab_table(fit, units: str):
    from rich.table import Table

    from .units import from_internal

    table = Table(title="Fit: each lab measured and simulated at the estimate", title_justify="left")
    for name in ("Lab", "Unit", "Measured", "Simulated", "Difference", "Measurement error (1 SD)", "Gap in SDs", "Status"):
        table.add_column(name, justify="left" if name in ("Lab", "Unit", "Status") else "right")
    for lab in fit.labs:
        (obs, sim), unit = from_internal(lab.lab, np.array([lab.observed, lab.simulated]), units)
        status = "ok" if not lab.conflict else ("CONFLICT: no man reaches it" if not lab.reachable else "CONFLICT")
        diff = lab.percent_off if abs(lab.percent_off) >= 0.5 else 0.0
        table.add_row(lab.lab, unit, _num(obs), _num(sim), f"{diff:+.0f} %",
                      f"{100 * (math.exp(lab.log_sd) - 1):.0f} %", f"{lab.z:+.1f}", status)
    return table


def _marker_table(shown):
    from rich.table import Table

    table = Table(title="Markers (from the measured labs)", title_justify="left")
    for name in ("Marker", "Value", "Unit", "Computed from"):
        table.add_column(name, justify="right" if name == "Value" else "left")
    for m in shown:
        table.add_row(m.label, _num(m.value), m.unit, m.basis)
    return table


def _flag_table(fired, title: str):
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for name in ("Flag", "Detail", "Evidence", "Sources"):
        table.add_column(name)
    for f in fired:
        table.add_row(f.label, f.detail, f"{f.kind}: {f.evidence}", "; ".join(f.sources))
    if not fired:
        table.add_row("none", "", "", "")
    return table


def _research_table(research):
    from rich.table import Table

    table = Table(title="Research criteria and claims (not guideline rules), with the studies that contradict them",
                  title_justify="left")
    for name in ("Criterion", "Met", "Value", "Evidence", "Sources", "Contradicted by"):
        table.add_column(name)
    for f in research:
        table.add_row(f.label, "yes" if f.fired else "no", f.detail, f"{f.kind}: {f.evidence}", "; ".join(f.sources),
                      "; ".join(f.contradicted_by) or "-")
    return table


def _odds_table(odds, named, weeks, units: str, labs: dict):
    from rich.table import Table

    from .units import from_internal

    table = Table(title=f"Simulated under {named.name} for {weeks:g} weeks: fraction of men in the target range",
                  title_justify="left")
    for name in ("Target", "His measured value", "Simulated men", "At week 0", f"At week {weeks:g}", "95 % interval",
                 "Failed runs"):
        table.add_column(name, justify="left" if name in ("Target", "His measured value", "Simulated men") else "right")
    for o in odds:
        low, high = o.interval
        measured = "not measured"
        if o.target.measure in labs:
            value, unit = from_internal(o.target.measure, labs[o.target.measure], units)
            inside = o.target.contains_value(labs[o.target.measure])
            measured = f"{_num(value)} {unit} ({'in' if inside else 'not in'} range)"
        table.add_row(o.target.describe(units), measured, o.group, f"{100 * o.baseline_fraction:.0f} %",
                      f"{100 * o.fraction:.0f} % +/- {100 * o.standard_error:.0f}", f"{100 * low:.0f}-{100 * high:.0f} %",
                      str(o.failed))
    return table


def _num(value: float) -> str:
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{max(0, 2 - math.floor(math.log10(abs(value))))}f}"


def register(app: typer.Typer) -> None:
    """Add the ``patient`` command to ``app``."""
    keys = "\n".join("  " + line for line in JSON_KEYS.splitlines())
    app.command(name="patient", help=PATIENT_HELP.replace("{keys}", keys))(patient)
