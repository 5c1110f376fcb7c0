"""The validation report's failures grouped by the gap in the model (or the evidence) behind them.

Each failure already carries a one-line reason (:data:`hpgsim.trials.validation.FAILURE_NOTES`
and ``STUDY_NOTES``). Read one by one, thirty reasons hide that most of them are a handful of
known gaps: a reader who wants to know where not to trust the model, and the next person who
wants to improve it, needs the gaps and how many published endpoints each one costs. A gap
lists the failures it explains by study, optionally narrowed to a measure and to the start of
the endpoint's text (``"fraction below"``); a failure no gap claims is shown as not grouped, so
a new failure is visible here too. Written after reading the failures, like the notes, and never
used to change a parameter.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import HpgsimError


@dataclass(frozen=True)
class Claim:
    """The failures of one study that a gap explains: all of them, or those of one measure,
    or of one measure whose endpoint text starts with ``endpoint_prefix``."""

    study: str
    measure: str | None = None
    endpoint_prefix: str = ""

    def matches(self, study: str, measure: str, endpoint: str) -> bool:
        return (study == self.study and (self.measure is None or measure == self.measure)
                and endpoint.startswith(self.endpoint_prefix))


@dataclass(frozen=True)
class Gap:
    """A missing mechanism, a conflict in the sources or a cohort mismatch, and the failures it explains."""

    title: str
    what: str
    claims: tuple[Claim, ...]


def _all(*studies: str) -> tuple[Claim, ...]:
    return tuple(Claim(s) for s in studies)


GAPS: tuple[Gap, ...] = (
    Gap("Aromatase inhibitors: one potency for trials that disagree",
        "one maximal block and EC50 per drug are fitted to trials whose E2 falls on 1 mg anastrozole daily "
        "range from 20 % to 50 % and whose T rises from +21 % to +146 %; the observed falls grow with the cohort's "
        "baseline E2 (15 pg/mL: 20-24 %, 26-28: 35-41 %, 32: 50 %), as an E2 assay floor would make them, and "
        "nothing in the model does",
        (Claim("burnett_bowie2009_jcem", "estradiol"), Claim("burnett_bowie2009_clinendo", "estradiol"),
         Claim("leder2004", "estradiol"), Claim("gibb2016"), Claim("lapauw2009"))
        + _all("veldhuis2005", "shah2021")),
    Gap("Androgen suppression of spermatogenesis: no ethnic difference",
        "East Asian men reach azoospermia on testosterone more often than white men; the trial format has "
        "no key for it, so the model suppresses every cohort alike and misses both ways",
        (Claim("indonesia_te"), Claim("zhang1999"), Claim("handelsman1995"),
         Claim("gu2003", "sperm_concentration", "fraction below"), Claim("wallace1993", "sperm_concentration"))),
    Gap("Recovery after testosterone: no spread between men",
        "in every virtual man sperm return about one spermatogenic cycle after LH and ITT do (after a year of "
        "TE 200 mg weekly, 90 % are back at 20 M/mL within 19 weeks; Liu 2006, over pooled regimens: 90 % "
        "within 12 months), and the slowest are those who started near 20 M/mL; Liu's slow third (longer use, "
        "long-acting esters, age) and men who do not recover are not modelled",
        _all("liu2006", "samplaski2014", "wenker2015")),
    Gap("Semen on aromatase inhibitors and SERMs",
        "semen improves only through LH, ITT and FSH, and less than in these infertile men; a direct action "
        "of estrogen or its blockade on the seminiferous epithelium, one possible reason, is not modelled",
        _all("basar2009", "raman_schlegel2002_anastrozole", "iacono_tamoxifen")),
    Gap("Hypogonadotropic men on gonadotropins or GnRH",
        "one Sertoli threshold for non-response is fitted to series that disagree (91 % and 75 % responders), "
        "there is no pubertal threshold, and the pooled cohorts' sperm output is higher than the meta-analytic "
        "mean the condition is fitted to",
        _all("eje1994", "rastrelli2014", "liu2009", "muir_handelsman_meta")),
    Gap("Testosterone answer to LH in obese or infertile men",
        "the Leydig response is fitted to lean men and aromatase-inhibitor trials; obese men on clomiphene and "
        "infertile men on tamoxifen turn LH into T differently",
        (Claim("helo2017", "total_testosterone"), Claim("helo2017", "lh"),
         Claim("tamoxifen_uroint2019", "total_testosterone"))),
    Gap("Drug level at an unstated sampling time",
        "the published level or trough was taken at a time the paper does not give, and the depot's "
        "release rate comes from other studies",
        (Claim("helo2017", "concentration:enclomiphene"), Claim("wallace1993", "total_testosterone"),
         Claim("wallace1993", "estradiol"), Claim("gu2003", "total_testosterone"))),
    Gap("Enrolled men unlike the virtual men",
        "the published cohort started lower or was screened in a way the trial spec does not state, so the "
        "virtual men who pass the screen differ from the enrolled ones",
        (Claim("ramasamy2014_t"), Claim("naelitz2023"), Claim("gu2003", "sperm_concentration", "fraction at least"))),
)

NOT_GROUPED = "Not grouped"


def gap_of(study: str, measure: str, endpoint: str, gaps: Iterable[Gap] = GAPS) -> str:
    """The title of the gap that explains this failure, or :data:`NOT_GROUPED`.

    Claims must not overlap: a failure two gaps claim is a mistake in the table, raised so the
    report never counts one endpoint twice.
    """
    titles = [g.title for g in gaps if any(c.matches(study, measure, endpoint) for c in g.claims)]
    if len(titles) > 1:
        raise HpgsimError(f"failure {study} {measure} ({endpoint}) is claimed by several gaps: {'; '.join(titles)}")
    return titles[0] if titles else NOT_GROUPED


@dataclass(frozen=True)
class FailureGroup:
    """The failures one gap explains (or :data:`NOT_GROUPED`): how many per set, and the studies."""

    title: str
    what: str
    per_set: dict[str, int]
    studies: tuple[str, ...]

    @property
    def total(self) -> int:
        return sum(self.per_set.values())


def group_failures(rows, sets: tuple[str, ...]) -> list[FailureGroup]:
    """The failed report rows grouped by gap, most failures first, the ones not grouped last."""
    per_set: dict[str, dict[str, int]] = {}
    studies: dict[str, list[str]] = {}
    for r in rows:
        if r.verdict != "fail":
            continue
        title = gap_of(r.study, r.measure, r.endpoint)
        counts = per_set.setdefault(title, dict.fromkeys(sets, 0))
        counts[r.set] = counts.get(r.set, 0) + 1
        if r.study not in studies.setdefault(title, []):
            studies[title].append(r.study)
    what = {g.title: g.what for g in GAPS}
    what[NOT_GROUPED] = "each failure's own reason in the tables below"
    groups = [FailureGroup(t, what[t], per_set[t], tuple(studies[t])) for t in per_set]
    return sorted(groups, key=lambda g: (g.title == NOT_GROUPED, -g.total, g.title))


def failure_causes_section(rows, sets: tuple[str, ...]) -> tuple[str, list[str], list[list[str]]]:
    """The report's grouping of failures: a paragraph, the table's header and its rows (one per gap
    that explains at least one failure, most failures first; then the failures not grouped)."""
    groups = group_failures(rows, sets)
    head = ["gap", "what is missing or in conflict"] + [f"{which} failures" for which in sets] + ["studies"]
    table = [[g.title, g.what] + [str(g.per_set[w]) for w in sets] + [", ".join(g.studies)] for g in groups]
    gaps = sum(g.title != NOT_GROUPED for g in groups)
    unclaimed = sum(g.total for g in groups if g.title == NOT_GROUPED)
    text = (f"The {sum(g.total for g in groups)} failures below fall into {gaps} group{'' if gaps == 1 else 's'}"
            + (f" ({unclaimed} not grouped)" if unclaimed else "") + ", "
            "each a gap in the model or a conflict in the evidence (one line per failure in the tables; "
            "`hpgsim.trials.failure_causes` assigns them). A group says where the model should not be "
            "trusted yet; its failures stay failures.")
    return text, head, table
