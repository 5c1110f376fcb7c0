"""Every published trial in the project's evidence, re-run: the calibration and validation report.

The specs live in ``hpgsim/evidence/trials/{calibration,validation}/*.yaml`` (transcribed from
published studies; ``INDEX.md`` there lists what could not be expressed). Parameters are fitted
to the calibration set only; the validation set is reported, never tuned to. A spec that cannot
run (an enrolment screen no virtual man meets, a drug the model lacks) counts every one of its
endpoints as failed, with the reason, never as skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

from ..errors import HpgsimError
from ..results import DISCLAIMER, atomic_path
from . import run_trial

SETS = ("calibration", "validation")

# Why an endpoint fails, where we believe we know: (study, arm, measure, statistic, week, or the
# threshold for time-to endpoints) -> one line. Written after reading the failure, never used to
# change a parameter; tests/test_published_fertility_trials.py checks these still fail.
FAILURE_NOTES: dict[tuple, str] = {
    ("tsjoen2005", "young_letrozole", "estradiol", "mean", 4.0):
        "E2 falls too far (-70 % vs -46 %) for the LH rise the same fit needs: E2 feedback gain looks age-dependent (the core calibration's open question)",
    ("helo2017", "clomiphene_25mg", "lh", "median", 112.15):
        "LH rises far more than in Helo's obese hypogonadal men: ER blockade acts on a feedback tuned to young men; zuclomiphene's partial agonism is an assumption",
    ("helo2017", "clomiphene_25mg", "concentration:enclomiphene", "median", 112.15):
        "a median concentration with no baseline: sampling time unknown and the runner compares levels only for drugs given as themselves",
    ("coviello2005", "te_placebo", "intratesticular_testosterone", "mean", 3.0):
        "ITT falls 75 % not 94 %: with the feedback the aromatase-inhibitor studies need, LH is not suppressed deeply enough by week 3",
    ("coviello2005", "te_hcg125", "intratesticular_testosterone", "mean", 3.0):
        "low-dose hCG restores less ITT than observed (same cause as the placebo arm; hCG potency is fitted to all three doses)",
    ("hr2005_who_te", "te200", "sperm_concentration", "median_weeks_to_below", 5.0):
        "suppression about 2 weeks slow: a single germ-cell chain with no separate spermiation arrest",
    ("hr2005_who_te", "te200", "sperm_concentration", "median_weeks_to_below", 3.0): "as for 5 M/mL",
    ("hr2005_who_te", "te200", "sperm_concentration", "median_weeks_to_below", 1.0): "as for 5 M/mL",
    ("hr2005_who_te", "te200", "sperm_concentration", "median_weeks_to_at_least", 3.0):
        "recovery 5 weeks too fast: the model has no lag in the recovery of LH and Leydig function after long androgen exposure",
    ("hr2005_who_te", "te200", "sperm_concentration", "median_weeks_to_at_least", 5.0): "recovery too fast (as above)",
    ("hr2005_who_te", "te200", "sperm_concentration", "median_weeks_to_at_least", 10.0): "recovery too fast (as above)",
    ("hr2005_who_te", "te200", "sperm_concentration", "median_weeks_to_at_least", 20.0): "recovery too fast (as above)",
    ("liu2006", "androgen", "sperm_concentration", "median_weeks_to_at_least", 20.0): "recovery too fast (as in hr2005)",
    ("liu2006", "androgen", "sperm_concentration", "median_weeks_to_at_least", 10.0): "recovery too fast (as in hr2005)",
    ("liu2006", "androgen", "sperm_concentration", "median_weeks_to_at_least", 3.0): "recovery too fast (as in hr2005)",
    ("liu2006", "androgen", "sperm_concentration", "fraction_at_least", 77.98):
        "every virtual man recovers by 6 months: the between-man spread of recovery (age, ester, duration, ethnicity in Liu's Cox model) is not modelled",
    ("rastrelli2014", "gonadotropins", "sperm_concentration", "fraction_at_least", 77.94):
        "every CHH man makes sperm: the 25 % non-responders (cryptorchidism, prepubertal onset, small testes) are not part of the condition yet",
    ("rastrelli2014", "gonadotropins", "sperm_concentration", "mean", 77.94): "mean sperm on gonadotropins slightly above the CI (7.2 vs 4.7-7.1 M/mL)",
    ("rastrelli2014", "gnrh", "sperm_concentration", "fraction_at_least", 77.94): "as for the gonadotropin arm: no non-responders",
    ("rastrelli2014", "gonadotropins_prepubertal_onset", "sperm_concentration", "fraction_at_least", 77.94):
        "prepubertal onset is not distinguished from other CHH",
    ("rastrelli2014", "gonadotropins_prepubertal_onset", "sperm_concentration", "mean", 77.94): "prepubertal onset is not distinguished from other CHH",
}

# Per study: the cause we believe behind failures not named endpoint by endpoint above.
STUDY_NOTES: dict[str, str] = {
    "burnett_bowie2009_clinendo": "E2 falls more and T rises less than observed: Burnett-Bowie's E2 assay reads a 15 pg/mL baseline against Leder's 26 (assay floors blunt measured falls), and the E2 feedback gain sits on its bound",
    "burnett_bowie2009_jcem": "as burnett_bowie2009_clinendo (the same trial)",
    "indonesia_te": "too few men reach azoospermia on testosterone: suppression is too slow (as in hr2005)",
    "gibb2016": "young men: Gibb's small T rise conflicts with T'Sjoen's +146 % in young men on a stronger inhibitor; Gibb's crossover compares on-drug with on-placebo, not with baseline",
    "basar2009": "anastrozole's effect on semen in infertile men: the model has no direct E2 action on the testis beyond ITT",
    "gu2003": "too few men reach azoospermia on testosterone: suppression is too slow (as in hr2005, calibration)",
    "handelsman1995": "too few men reach azoospermia on testosterone: suppression is too slow (as in hr2005, calibration)",
    "wallace1993": "azoospermia too rare on testosterone (as in hr2005); the E2 rise on TE is smaller than observed",
    "zhang1999": "too few men reach azoospermia on testosterone undecanoate (as in hr2005, calibration)",
    "samplaski2014": "too few men azoospermic after testosterone, and every man recovers: no recovery lag or non-recovery",
    "wenker2015": "sperm return within weeks of stopping testosterone: the model has no lag in recovery after long androgen exposure",
    "liu2009": "sperm appear within weeks in GnRH-deficient men: the maturation of prepubertal testes is not modelled",
    "muir_handelsman_meta": "the spread of responses in GnRH-deficient men is too narrow: no non-responders",
    "lapauw2009": "E2 falls too far on letrozole for the LH rise (as in tsjoen2005, calibration; likely the same men)",
    "mauras2003_50mg": "T rises more at 50 mg than at 25 mg; the study saw a smaller rise (exemestane's androgenic metabolite is not modelled)",
    "shah2021": "late anastrozole effects: E2 falls too little and LH rises too much at 5 months (E2 feedback gain, age-dependence)",
    "veldhuis2005": "anastrozole lowers E2 too little in two weeks (potency fitted to 12-week trials in older men); dose and duration assumed",
    "ramasamy2014_t": "the testosterone rise is smaller than observed; the doses and baseline are assumptions of the transcription",
    "iacono_tamoxifen": "the enrolment screen (sperm < 15 M/mL) cannot be met: the population's sperm spread is too narrow",
    "naelitz2023": "the enrolment screen (sperm < 15 M/mL) cannot be met: the population's sperm spread is too narrow",
    "raman_schlegel2002_anastrozole": "the enrolment screen (T/E2 < 10 and oligospermia) cannot be met: the population's spread is too narrow",
    "tamoxifen_uroint2019": "the enrolment screen (sperm < 15 M/mL) cannot be met: the population's sperm spread is too narrow",
}


def endpoint_key(study: str, arm: str, measure: str, statistic: str, week, threshold) -> tuple:
    """The key of FAILURE_NOTES: time-to endpoints are named by their threshold, others by week."""
    return (study, arm, measure, statistic, threshold if statistic.startswith("median_weeks") else week)


def spec_paths(which: str) -> list[Path]:
    """The packaged spec files of one set, sorted by name."""
    root = resources.files("hpgsim") / "evidence" / "trials" / which
    return sorted(Path(str(p)) for p in root.iterdir() if p.name.endswith(".yaml"))


@dataclass(frozen=True)
class ValidationRun:
    """One row per endpoint of every spec in both sets."""

    frame: pd.DataFrame
    n_virtual: int
    seed: int

    def pass_rates(self) -> dict[str, tuple[int, int]]:
        """(passed, compared) per set; endpoints without a published value are not compared."""
        out = {}
        for which in SETS:
            sub = self.frame[(self.frame["set"] == which) & self.frame["pass"].notna()]
            out[which] = (int(sub["pass"].astype(bool).sum()), len(sub))
        return out


def run_all(*, n_virtual: int = 200, seed: int = 1, sets: tuple[str, ...] = SETS, only: tuple[str, ...] = (),
            progress: bool = False) -> ValidationRun:
    """Run every spec of ``sets`` (or just the spec ids in ``only``)."""
    frames = []
    for which in sets:
        for path in spec_paths(which):
            if only and path.stem not in only:
                continue
            try:
                frame = run_trial(path, n_virtual=n_virtual, seed=seed, progress=progress).frame()
            except HpgsimError as exc:
                frame = _failed_spec(path, str(exc))
            frame.insert(0, "set", which)
            frames.append(frame)
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return ValidationRun(frame, n_virtual, seed)


def _failed_spec(path: Path, reason: str) -> pd.DataFrame:
    import yaml

    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    rows = [{"study": spec.get("id", path.stem), "arm": ep.get("arm"), "measure": ep.get("measure"),
             "unit": ep.get("unit"), "statistic": ep.get("statistic", "mean"), "week": ep.get("week"),
             "pass": False, "reason": f"the trial could not run: {reason}"} for ep in spec.get("endpoints", [])]
    return pd.DataFrame(rows)


def _fmt(x, digits: int = 0) -> str:
    if x is None or (isinstance(x, float) and x != x):
        return ""
    return f"{x:+.{digits}f}" if digits == 0 else f"{x:.{digits}f}"


def _row(r) -> str:
    stat = r.get("statistic") or "mean"
    week = r.get("week")
    if stat.startswith("median_weeks"):
        what = f"weeks to {stat.split('_to_')[1].replace('_', ' ')} {r.get('threshold')}"
        obs, sim = _fmt(r.get("observed_centre"), 1), _fmt(r.get("sim_weeks"), 1)
    elif stat.startswith("fraction"):
        what = f"{stat.replace('_', ' ')} {r.get('threshold')} at week {week:g}"
        obs, sim = _fmt(r.get("observed_centre"), 2), _fmt(r.get("sim_fraction"), 2)
    else:
        what = f"% change at week {week:g}" if week is not None else "% change"
        obs, sim = _fmt(r.get("observed_centre")), _fmt(r.get("sim_change_pct"))
    lo, hi = r.get("interval_low"), r.get("interval_high")
    interval = f" [{lo:.3g}, {hi:.3g}]" if lo is not None and hi is not None and lo == lo and hi == hi else ""
    verdict = {True: "pass", False: "**fail**"}.get(r.get("pass"), "not compared")
    key = endpoint_key(r["study"], r["arm"], r["measure"], stat, week, r.get("threshold"))
    note = "" if r.get("pass") is True else (FAILURE_NOTES.get(key) or STUDY_NOTES.get(r["study"])
                                              or r.get("reason") or "")
    return (f"| {r['study']} | {r['arm']} | {r['measure']} | {what} | {obs}{interval} | {sim} | {verdict} | "
            f"{str(note).replace('|', '/')} |")


def markdown(run: ValidationRun) -> str:
    """The report: pass rates per set, then one table per set."""
    rates = run.pass_rates()
    lines = [
        "# Validation report",
        "",
        f"_{DISCLAIMER}._ Generated by `python -m hpgsim.trials.validation` "
        f"({run.n_virtual} virtual men per arm, seed {run.seed}); do not edit by hand.",
        "",
        "Every published study in `src/hpgsim/evidence/trials/` re-run as a virtual trial (format and pass rule:",
        "`hpgsim trial --help`). Parameters are fitted to the **calibration** set only; the **validation**",
        "set is a test set, reported and never tuned to. An endpoint the model cannot compute counts as failed.",
        "",
        "| set | endpoints passed | compared | pass rate |",
        "|---|---|---|---|",
    ]
    for which, (ok, n) in rates.items():
        lines.append(f"| {which} | {ok} | {n} | {100 * ok / n:.0f} % |" if n else f"| {which} | 0 | 0 | - |")
    for which in SETS:
        sub = run.frame[run.frame["set"] == which]
        if sub.empty:
            continue
        lines += ["", f"## {which.capitalize()} set", "",
                  "| study | arm | measure | endpoint | observed [interval] | simulated | verdict | note |",
                  "|---|---|---|---|---|---|---|---|"]
        lines += [_row(r) for r in sub.to_dict("records")]
    lines += ["", "Studies that could not be written as trial specs, and why: `src/hpgsim/evidence/trials/INDEX.md`.", ""]
    return "\n".join(lines)


def write_report(run: ValidationRun, path: str | Path) -> Path:
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_text(markdown(run), encoding="utf-8")
    return path


def main() -> None:   # python -m hpgsim.trials.validation [N_VIRTUAL]
    import sys

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    run = run_all(n_virtual=n, progress=True)
    out = write_report(run, Path("docs/validation.md"))
    for which, (ok, total) in run.pass_rates().items():
        print(f"{which}: {ok}/{total} endpoints pass")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
