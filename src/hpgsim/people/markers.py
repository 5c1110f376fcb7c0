"""Markers clinicians ask about, and flags with their sources and evidence levels.

Markers and flags are computed from the **measured** labs (internal units, as in
:class:`~hpgsim.people.patient.Patient`) and from values calculated from them (free T from total
T and SHBG); never from simulated values, which for an unmeasured lab are mostly the prior.

Every flag says what kind of statement it rests on (``kind``):

* ``guideline``: a graded statement of a clinical guideline (cited by number and paraphrased;
  no guideline text is reproduced);
* ``reference``: a population reference limit (crossing it is not a diagnosis);
* ``research``: a criterion from research studies that no guideline adopts, shown with the
  studies that contradict it;
* ``claim``: a statement with no peer-reviewed source behind its number.

The ratios are unit-aware. The T/E2 < 10 criterion is in ng/dL over pg/mL (Pavlovich 2001 reported
it "x10^-1"); the same ratio is about 94.5 in molar units (nmol/L over nmol/L). T/LH >= 100 is in
ng/dL per IU/L; Giagulli and Vermeulen's T/LH < 1.5 is in nmol/L per IU/L (43 in ng/dL per IU/L).
Flags describe; they are not advice and not a diagnosis.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..physiology.binding import free_t_vermeulen
from ..physiology.parameters import ALBUMIN_MOLAR_MASS, BY_NAME
from ..reference_ranges import REFERENCE_RANGES
from ..units import from_internal, to_internal

# -- sources (short name: citation) ------------------------------------------------------------
AUA_2018 = ("AUA 2018 testosterone deficiency guideline (Mulhall JP et al. J Urol 2018;200:423), statements as "
            "listed on guidelinecentral.com/guideline/22047")
ES_2018 = "Endocrine Society 2018 guideline (Bhasin S et al. J Clin Endocrinol Metab 2018;103:1715)"
EAU_SRH = "EAU guidelines on sexual and reproductive health, male hypogonadism chapter (uroweb.org)"
EAA_2020 = "EAA guideline on functional hypogonadism (Corona G et al. Andrology 2020;8:970)"
TRAVISON = "Travison TG et al. J Clin Endocrinol Metab 2017;102:1161 (harmonised 2.5th-97.5th 264-916 ng/dL, 19-39 y)"
FINKELSTEIN = ("Finkelstein JS et al. N Engl J Med 2013;369:1011 and J Clin Invest 2016;126:1114 (bone loss in men "
               "generally prevented with E2 above 10 pg/mL)")
BURNETT_BOWIE = ("Burnett-Bowie SM et al. J Clin Endocrinol Metab 2009;94:4785 (anastrozole: E2 15 to 12 pg/mL, "
                 "spine BMD fell versus placebo)")
PAVLOVICH = "Pavlovich CP et al. J Urol 2001;165:837 (T/E2 6.9 in severe male-factor infertility vs 14.5 in fertile men)"
RAMAN = "Raman JD, Schlegel PN. J Urol 2002;167:624 (anastrozole in subfertile men with T/E2 below 10)"
NAELITZ = ("Naelitz BD et al. Fertil Steril 2023;120:746 (90 men on anastrozole: baseline T and LH predicted semen "
           "improvement; responders T 356 vs 265 ng/dL, LH 4.7 vs 8.3 IU/L; T/E2 did not gate response)")
YANG = ("Yang Y et al. Transl Androl Urol 2022 (doi:10.21037/tau-22-95; anastrozole improved hormones and semen "
        "equally with T/E2 below and above 10)")
UROLOGY_TIMES = ("Urology Times news item on Naelitz 2023 (urologytimes.com/view/study-suggests-broader-use-of-anastrozole-"
                 "for-male-infertility): T/LH >= 100 attributed to an interview; not in the paper's abstract")
GIAGULLI = ("Giagulli VA, Vermeulen A. J Clin Endocrinol Metab 1988;66:62 (idiopathic oligozoospermia: with T/LH below "
            "1.5 nmol/L per IU/L no paternity in 12 months; single cohort)")
CORONA_PRL = "Corona G et al. J Sex Med 2007;4:1485 (hyperprolactinaemia above 420 mU/L = 20 ng/mL)"
HOLLOWELL = "Hollowell JG et al. J Clin Endocrinol Metab 2002;87:489 (NHANES III reference population: TSH 0.45-4.12 mIU/L)"
WHO_2021 = ("WHO laboratory manual 6th ed. 2021; Campbell MJ et al. 2021 (5th centile of fertile men 16 M/mL; "
            "not a limit between fertile and infertile men)")

# -- thresholds, internal units ------------------------------------------------------------------
T_LOW_HARMONISED = to_internal("total_testosterone", 264, "ng/dL")
T_LOW_AUA = to_internal("total_testosterone", 300, "ng/dL")
T_LOW_EAU = to_internal("total_testosterone", 12, "nmol/L")
T_HIGH = to_internal("total_testosterone", 916, "ng/dL")
FREE_T_LOW_EAU = to_internal("free_testosterone", 225, "pmol/L")
LH_HIGH = REFERENCE_RANGES["lh"].high          # assay-specific laboratory upper limits
FSH_HIGH = REFERENCE_RANGES["fsh"].high
PROLACTIN_HIGH = to_internal("prolactin", 20, "ng/mL")
TSH_LOW, TSH_HIGH = 0.45, 4.12                 # mIU/L (Hollowell 2002)
E2_BONE_FINKELSTEIN = to_internal("estradiol", 10, "pg/mL")
E2_BONE_BURNETT_BOWIE = to_internal("estradiol", 15, "pg/mL")
SPERM_LOW = to_internal("sperm_concentration", 16, "M/mL")
T_E2_RESEARCH = 10.0          # ng/dL per pg/mL
T_LH_CLAIM = 100.0            # ng/dL per IU/L
T_LH_GIAGULLI = 1.5           # nmol/L per IU/L
OBESE_BMI = 30.0

_T_NGDL = from_internal("total_testosterone", 1.0, "conventional")[0]     # ng/dL per nmol/L
_E2_PGML = from_internal("estradiol", 1.0, "conventional")[0]             # pg/mL per pmol/L


@dataclass(frozen=True)
class Marker:
    """A derived value: ``value`` in ``unit``, with what it was computed from."""

    key: str
    label: str
    value: float
    unit: str
    basis: str


@dataclass(frozen=True)
class Flag:
    """One rule evaluated on the man's labs: whether it fired, why, and on what evidence."""

    key: str
    label: str
    fired: bool
    detail: str
    kind: str                                   # guideline | reference | research | claim
    evidence: str                               # grade or level, in words
    sources: tuple[str, ...]
    contradicted_by: tuple[str, ...] = ()


# -- ratios and calculated values ----------------------------------------------------------------

def t_e2_ratio(total_t: float, e2: float, system: str = "conventional") -> tuple[float, str]:
    """T/E2 from total T (nmol/L) and E2 (pmol/L): conventional is ng/dL over pg/mL (the unit of
    the < 10 criterion); SI is the molar ratio (nmol/L over nmol/L)."""
    if system == "conventional":
        return (total_t * _T_NGDL) / (e2 * _E2_PGML), "ng/dL per pg/mL"
    return total_t / (e2 / 1000.0), "nmol/L per nmol/L"


def t_lh_ratio(total_t: float, lh: float, system: str = "conventional") -> tuple[float, str]:
    """T/LH from total T (nmol/L) and LH (IU/L): ng/dL per IU/L, or nmol/L per IU/L (SI)."""
    if system == "conventional":
        return total_t * _T_NGDL / lh, "ng/dL per IU/L"
    return total_t / lh, "nmol/L per IU/L"


def calculated_free_t(total_t: float, shbg: float) -> tuple[float, float]:
    """(free T, bioavailable T) in nmol/L from total T and SHBG (nmol/L) by Vermeulen's mass
    action with the binding constants and the albumin (43 g/L) of the parameter table."""
    k_shbg = BY_NAME["k_shbg_t"].value * 1e-9
    n_alb = 1.0 + BY_NAME["k_alb_t"].value * BY_NAME["albumin"].value / ALBUMIN_MOLAR_MASS
    free = free_t_vermeulen(float(total_t), float(shbg), k_shbg, n_alb)
    return free, free * n_alb


def markers(labs: Mapping[str, float], system: str = "conventional") -> list[Marker]:
    """The markers computable from ``labs`` (internal units), shown in ``system`` units."""
    out = []
    tt, shbg, e2, lh = (labs.get(k) for k in ("total_testosterone", "shbg", "estradiol", "lh"))
    if tt is not None and shbg is not None:
        free, bio = calculated_free_t(tt, shbg)
        basis = "calculated from measured total T and SHBG (Vermeulen 1999, albumin 43 g/L)"
        for key, label, value in (("free_testosterone", "Free testosterone (calculated)", free),
                                  ("bioavailable_testosterone", "Bioavailable testosterone (calculated)", bio)):
            shown, unit = from_internal(key, value, system)
            out.append(Marker(f"calculated_{key}", label, shown, unit, basis))
    for key in ("free_testosterone", "bioavailable_testosterone"):
        if key in labs:
            shown, unit = from_internal(key, labs[key], system)
            out.append(Marker(key, f"{key.replace('_', ' ').capitalize()} (measured)", shown, unit, "measured"))
    if tt is not None and e2:
        value, unit = t_e2_ratio(tt, e2, system)
        out.append(Marker("t_e2_ratio", "T/E2 ratio", value, unit, "measured total T and E2"))
    if tt is not None and lh:
        value, unit = t_lh_ratio(tt, lh, system)
        out.append(Marker("t_lh_ratio", "T/LH ratio", value, unit, "measured total T and LH"))
    return out


# -- flags ---------------------------------------------------------------------------------------

def _ngdl(x: float) -> str:
    return f"{x * _T_NGDL:.0f} ng/dL ({x:.1f} nmol/L)"


def _pgml(x: float) -> str:
    return f"{x * _E2_PGML:.1f} pg/mL ({x:.0f} pmol/L)"


def _total_t_flags(tt: float) -> list[Flag]:
    one = " One value; the guidelines ask for two early-morning measurements on separate days (AUA 2018, Strong, Grade A)."
    return [
        Flag("total_t_below_264_ngdl", "Total T below the harmonised lower limit (264 ng/dL)", tt < T_LOW_HARMONISED,
             f"total T {_ngdl(tt)}." + one, "reference", "harmonised reference range of healthy non-obese young men; "
             "Endocrine Society 2018 pocket guide uses it as the lower limit", (TRAVISON, ES_2018)),
        Flag("total_t_below_300_ngdl", "Total T below 300 ng/dL (AUA cut-off for low T)", tt < T_LOW_AUA,
             f"total T {_ngdl(tt)}." + one, "guideline", "AUA 2018: Moderate recommendation, Grade B", (AUA_2018,)),
        Flag("total_t_below_12_nmoll", "Total T below 12 nmol/L (EAU threshold)", tt < T_LOW_EAU,
             f"total T {_ngdl(tt)}." + one, "guideline", "EAU: strong", (EAU_SRH,)),
        Flag("total_t_above_916_ngdl", "Total T above the physiological range (916 ng/dL)", tt > T_HIGH,
             f"total T {_ngdl(tt)}; above the upper harmonised limit of healthy young men", "reference",
             "harmonised reference range", (TRAVISON,)),
    ]


def _pattern_flags(tt: float, lh: float, fsh: float | None) -> list[Flag]:
    evidence = "Endocrine Society 2018: recommend (1, moderate quality); AUA 2018: Strong, Grade A; EAU: strong"
    sources = (ES_2018, AUA_2018, EAU_SRH)
    low_t = tt < T_LOW_AUA
    raised = lh > LH_HIGH or (fsh is not None and fsh > FSH_HIGH)
    gonadotropins = f"LH {lh:.1f} IU/L" + (f", FSH {fsh:.1f} IU/L" if fsh is not None else "")
    limits = f"upper limits LH {LH_HIGH:g}, FSH {FSH_HIGH:g} IU/L (assay-specific, Mayo Clinic Laboratories)"
    return [
        Flag("primary_pattern", "Primary (testicular) pattern: low T with raised gonadotropins", low_t and raised,
             f"total T {_ngdl(tt)}, {gonadotropins}; {limits}", "guideline", evidence, sources),
        Flag("secondary_pattern", "Secondary (hypothalamic-pituitary) pattern: low T, LH low or inappropriately normal",
             low_t and not raised, f"total T {_ngdl(tt)}, {gonadotropins}; {limits}. AUA 2018 asks for prolactin "
             "in this pattern (Strong, Grade A)", "guideline", evidence, sources),
        Flag("compensated_pattern", "Raised gonadotropins with T not low (compensated or spermatogenic failure)",
             not low_t and raised, f"total T {_ngdl(tt)}, {gonadotropins}; {limits}; descriptive only", "guideline",
             evidence, sources),
    ]


def _research_criteria(tt: float | None, e2: float | None, lh: float | None, fsh: float | None) -> list[Flag]:
    out = []
    if tt is not None and e2:
        ratio, _ = t_e2_ratio(tt, e2, "conventional")
        molar, _ = t_e2_ratio(tt, e2, "si")
        out.append(Flag(
            "t_e2_below_10", "T/E2 below 10 (research criterion for aromatase-inhibitor response)", ratio < T_E2_RESEARCH,
            f"T/E2 {ratio:.1f} ng/dL per pg/mL (= {molar:.0f} in molar units; the criterion is 10, i.e. about "
            f"{T_E2_RESEARCH * molar / ratio:.1f} molar). Later cohorts found response whatever the ratio", "research",
            "research criterion from small uncontrolled series; no guideline adopts it", (PAVLOVICH, RAMAN),
            contradicted_by=(NAELITZ, YANG)))
    if tt is not None and lh:
        ratio, _ = t_lh_ratio(tt, lh, "conventional")
        si, _ = t_lh_ratio(tt, lh, "si")
        out.append(Flag(
            "t_lh_at_least_100", "T/LH 100 or more (claimed predictor of anastrozole response)", ratio >= T_LH_CLAIM,
            f"T/LH {ratio:.0f} ng/dL per IU/L ({si:.2f} nmol/L per IU/L). The number comes from a news article; "
            "the paper reports only that responders had higher T and lower LH", "claim",
            "unverified claim (news article); not in the peer-reviewed abstract", (UROLOGY_TIMES,),
            contradicted_by=(NAELITZ + " (no T/LH threshold reported)",)))
        if fsh is None or fsh <= FSH_HIGH:
            out.append(Flag(
                "t_lh_below_1_5_nmol", "T/LH below 1.5 nmol/L per IU/L with FSH not raised (compensated Leydig "
                "insufficiency, research)", si < T_LH_GIAGULLI,
                f"T/LH {si:.2f} nmol/L per IU/L ({ratio:.0f} ng/dL per IU/L; the cut-off is "
                f"{T_LH_GIAGULLI * _T_NGDL:.0f} ng/dL per IU/L)" + ("" if fsh is not None else "; FSH not measured"),
                "research", "prognostic finding of one 1988 cohort", (GIAGULLI,)))
    return out


def flags(labs: Mapping[str, float], *, bmi: float | None = None) -> list[Flag]:
    """Every rule that ``labs`` (internal units) can be evaluated on, fired or not."""
    tt, e2, lh, fsh = (labs.get(k) for k in ("total_testosterone", "estradiol", "lh", "fsh"))
    out: list[Flag] = []
    if tt is not None:
        out += _total_t_flags(tt)
    if tt is not None and "shbg" in labs:
        free, _ = calculated_free_t(tt, labs["shbg"])
        out.append(Flag("calculated_free_t_below_225_pmol", "Calculated free T below 225 pmol/L", free < FREE_T_LOW_EAU,
                        f"calculated free T {free * 1000:.0f} pmol/L ({free * _T_NGDL * 10:.0f} pg/mL)", "guideline",
                        "EAU: weak (a suggested cut-off)", (EAU_SRH,)))
    if tt is not None and lh is not None:
        out += _pattern_flags(tt, lh, fsh)
    if "prolactin" in labs:
        prl = labs["prolactin"]
        out.append(Flag("prolactin_high", "Prolactin raised: a condition to correct first", prl > PROLACTIN_HIGH,
                        f"prolactin {prl:.1f} ng/mL (upper limit 20 ng/mL; laboratory limits vary). Raised prolactin "
                        "suppresses GnRH; persistently raised prolactin calls for endocrine evaluation (AUA 2018, Strong, "
                        "Grade A)", "guideline", "AUA 2018: Strong, Grade A (measure and evaluate); EAU: strong",
                        (AUA_2018, EAU_SRH, CORONA_PRL)))
    if "tsh" in labs:
        tsh = labs["tsh"]
        out.append(Flag("tsh_abnormal", "TSH outside the reference interval: thyroid disease to correct first",
                        not TSH_LOW <= tsh <= TSH_HIGH, f"TSH {tsh:.2f} mIU/L (reference {TSH_LOW}-{TSH_HIGH} mIU/L)",
                        "guideline", "EAU: strong (look for diseases that interfere with testosterone); limits from a "
                        "population reference interval", (EAU_SRH, HOLLOWELL)))
    if e2 is not None:
        out.append(Flag("e2_below_10_pgml", "E2 below 10 pg/mL: low enough to threaten bone", e2 < E2_BONE_FINKELSTEIN,
                        f"E2 {_pgml(e2)}", "research", "interventional physiology studies; no guideline E2 floor exists",
                        (FINKELSTEIN,)))
        out.append(Flag("e2_below_15_pgml", "E2 below 15 pg/mL (bone density fell on anastrozole at about 12 pg/mL)",
                        e2 < E2_BONE_BURNETT_BOWIE, f"E2 {_pgml(e2)}", "research",
                        "one randomised trial in men over 60; not a guideline threshold", (BURNETT_BOWIE, FINKELSTEIN)))
    if "sperm_concentration" in labs:
        conc = labs["sperm_concentration"]
        out.append(Flag("sperm_below_16", "Sperm concentration below the WHO 2021 lower reference limit (16 M/mL)",
                        conc < SPERM_LOW, f"sperm concentration {conc:.1f} M/mL; below the limit is not a diagnosis of "
                        "infertility", "reference", "5th centile of fertile men", (WHO_2021,)))
    if bmi is not None and tt is not None:
        out.append(Flag("obesity_with_low_t", "Obesity with low T: weight reduction comes first (functional hypogonadism)",
                        bmi >= OBESE_BMI and tt < T_LOW_AUA, f"BMI {bmi:g} kg/m2, total T {_ngdl(tt)}", "guideline",
                        "EAA 2020 guideline (lifestyle and weight loss first in overweight and obese men)", (EAA_2020,)))
    out += _research_criteria(tt, e2, lh, fsh)
    return out
