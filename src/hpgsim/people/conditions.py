"""Conditions a man brings with him, as named changes to his parameter vector.

A condition is given by name (typical severity) or as a mapping with its severity, in the
vocabulary of trial specs and scenarios: ``obesity``, ``{name: hyperprolactinemia, prolactin:
80 ng/mL}``, ``{name: hypothyroidism, tsh: 12 mIU/L, treated: false}``. Each one changes the
individual factors the model already has (Leydig capacity, SHBG production, adipose aromatase,
GnRH drive, pituitary output, Sertoli and germ-cell capacity, motility, prolactin) for a stated
reason; the sizes are rows of the parameter table (group ``conditions``) with their sources.
Nothing here sets a level the feedback loop controls: high LH in Klinefelter syndrome or low T
in hyperprolactinaemia follow from the loop (prolactin is an input of the model, so
hyperprolactinaemia sets it).

Conditions combine (an obese diabetic hypothyroid man is one man). Their effects multiply, so the
order they are listed in does not matter; where two entries describe the same thing, it is
counted once: with both ``insulin_resistance`` and ``type2_diabetes`` the insulin-resistance
part comes from the ``insulin_resistance`` entry, and a measured prolactin
(``hyperprolactinemia``) already includes any rise from hypothyroidism. Contradictory pairs
(hypothyroidism with hyperthyroidism, Klinefelter syndrome with primary hypogonadism, which it
is) and a name listed twice are refused. Age is not a condition: it is an input of every man.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from ..physiology.parameters import BY_NAME, INDEX, OVERRIDES, PARAMETERS, complete
from . import condition_severity as sev

KNOWN = ("obesity", "insulin_resistance", "type2_diabetes", "hypothyroidism", "hyperthyroidism",
         "hyperprolactinemia", "primary_hypogonadism", "secondary_hypogonadism", "klinefelter", "varicocele")

# Thresholds that decide whether a stated severity is the condition at all (not effect sizes).
OBESITY_BMI = 30.0               # WHO definition of obesity, kg/m2
HYPERPROLACTINEMIA_MIN = 20.0    # ng/mL; mild hyperprolactinaemia starts here (Corona G et al. J Sex Med 2007;4:1485)

_EXCLUSIVE = (("hypothyroidism", "hyperthyroidism"), ("klinefelter", "primary_hypogonadism"))


@dataclass(frozen=True)
class _Context:
    field: str
    file: str | None
    names: frozenset[str]          # every condition listed for this man

    def at(self, key: str) -> str:
        return f"{self.field}.{key}"


@dataclass(frozen=True)
class Condition:
    """One modelled condition: what it changes and why, its severity keys and their typical value."""

    name: str
    mechanism: str
    severity: tuple[tuple[str, str], ...]     # (key, what it means and its typical value)
    sources: tuple[str, ...]
    apply: Callable[[np.ndarray, dict, _Context], None]
    expected: str = ""                          # the source articles' picture, for tables

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(key for key, _ in self.severity)


def _v(name: str) -> float:
    """A row of the parameter table (the conditions block) by name, with any override in force
    (``ParameterSet.applied``), so that calibration and sensitivity runs can vary these rows too."""
    return OVERRIDES.get(name, BY_NAME[name].value)


def _scale(p: np.ndarray, factor_name: str, by: float) -> None:
    p[INDEX[factor_name]] *= by


# ---------------------------------------------------------------------------------------- obesity

_BMI_FREE = {"age", "bmi", "prolactin"}
_INDIVIDUAL = tuple(row.name for row in PARAMETERS if row.group == "individual" and row.name not in _BMI_FREE)


def rescale_bmi(p: np.ndarray, new_bmi: float) -> None:
    """Give the man ``new_bmi``: every factor that the population layer makes depend on BMI is
    multiplied by its typical value at the new BMI over that at his old one (his own deviation
    from the typical man is kept), by calling
    :func:`~hpgsim.people.physiology_of_man.population_parameters` rather than copying it."""
    from .physiology_of_man import population_parameters   # noqa: PLC0415 (that layer imports this one lazily)

    age, old = float(p[INDEX["age"]]), float(p[INDEX["bmi"]])
    before, after = population_parameters(age, old), population_parameters(age, new_bmi)
    for name in _INDIVIDUAL:
        i = INDEX[name]
        if before[i] > 0.0 and after[i] != before[i]:
            p[i] *= after[i] / before[i]
    p[INDEX["bmi"]] = new_bmi


def _obesity(p: np.ndarray, spec: dict, ctx: _Context) -> None:
    own = float(p[INDEX["bmi"]])
    if "bmi" in spec:
        bmi = sev.bmi(spec["bmi"], field=ctx.at("bmi"), file=ctx.file)
        if bmi < OBESITY_BMI:
            raise InputError(ctx.at("bmi"), f"a BMI of at least {OBESITY_BMI:g} kg/m2 (obesity)", repr(spec["bmi"]), ctx.file)
    else:   # a man already obese keeps his own BMI; a leaner one gets the typical obese BMI
        bmi = own if own >= OBESITY_BMI else _v("obesity_typical_bmi")
    rescale_bmi(p, bmi)


# ------------------------------------------------------------------ insulin resistance, diabetes

def _insulin_resistance_effect(p: np.ndarray, homa: float) -> None:
    ratio = max(homa / _v("ir_reference_homa"), 1.0)
    _scale(p, "shbg_factor", ratio ** -_v("ir_shbg_exponent"))
    _scale(p, "leydig_capacity", ratio ** -_v("ir_leydig_exponent"))
    _scale(p, "gnrh_factor", ratio ** -_v("ir_gnrh_exponent"))


def _homa(spec: dict, ctx: _Context, typical: str) -> float:
    if "homa_ir" not in spec:
        return _v(typical)
    return sev.plain_number(spec["homa_ir"], low=0.2, high=50.0, what="a HOMA-IR (unitless)", field=ctx.at("homa_ir"),
                            file=ctx.file)


def _insulin_resistance(p: np.ndarray, spec: dict, ctx: _Context) -> None:
    homa = _homa(spec, ctx, "ir_typical_homa")
    if homa <= _v("ir_reference_homa"):
        raise InputError(ctx.at("homa_ir"), f"a HOMA-IR above {_v('ir_reference_homa'):g} (insulin resistance)",
                         repr(spec.get("homa_ir")), ctx.file)
    _insulin_resistance_effect(p, homa)


def _type2_diabetes(p: np.ndarray, spec: dict, ctx: _Context) -> None:
    hba1c = (sev.hba1c_percent(spec["hba1c"], field=ctx.at("hba1c"), file=ctx.file) if "hba1c" in spec
             else _v("t2dm_typical_hba1c"))
    homa = _homa(spec, ctx, "t2dm_typical_homa")
    if "insulin_resistance" not in ctx.names:   # otherwise that entry carries it, once
        _insulin_resistance_effect(p, homa)
    # hyperglycaemia beyond insulin resistance: the hypogonadotropic pattern of diabetic men
    _scale(p, "gnrh_factor", math.exp(-_v("t2dm_gnrh_per_hba1c") * max(hba1c - 5.7, 0.0)))


# -------------------------------------------------------------------------------------- thyroid

def _treated(spec: dict, ctx: _Context) -> bool:
    return "treated" in spec and sev.flag(spec["treated"], field=ctx.at("treated"), file=ctx.file)


def _hypothyroid_intensity(spec: dict, ctx: _Context) -> float:
    """0 at the reference limit, 1 at the typical severity, log-linear in TSH (or free T4)."""
    if "tsh" in spec:
        tsh = sev.lab("tsh", spec["tsh"], low=0.001, high=500.0, field=ctx.at("tsh"), file=ctx.file)
        upper = _v("thyroid_tsh_upper")
        if tsh <= upper:
            raise InputError(ctx.at("tsh"), f"a TSH above the upper reference limit {upper:g} mIU/L (hypothyroidism)",
                             repr(spec["tsh"]), ctx.file)
        return math.log(tsh / upper) / math.log(_v("hypothyroid_typical_tsh") / upper)
    if "free_t4" in spec:
        ft4 = sev.free_t4_ng_dl(spec["free_t4"], field=ctx.at("free_t4"), file=ctx.file)
        lower = _v("thyroid_ft4_lower")
        if ft4 >= lower:
            raise InputError(ctx.at("free_t4"), f"a free T4 below the lower reference limit {lower:g} ng/dL (hypothyroidism)",
                             repr(spec["free_t4"]), ctx.file)
        return math.log(lower / ft4) / math.log(lower / _v("hypothyroid_typical_ft4"))
    return 1.0


def _hypothyroidism(p: np.ndarray, spec: dict, ctx: _Context) -> None:
    s = min(_hypothyroid_intensity(spec, ctx), 2.0)   # severity read (and checked) even when treated
    if _treated(spec, ctx):
        return   # euthyroid on T4: SHBG, LH response and semen return to normal (Krassas 2008)
    _scale(p, "shbg_factor", _v("hypothyroid_shbg_factor") ** s)
    _scale(p, "lh_factor", _v("hypothyroid_pituitary_factor") ** s)
    _scale(p, "fsh_factor", _v("hypothyroid_pituitary_factor") ** s)
    _scale(p, "motility_factor", _v("hypothyroid_motility_factor") ** s)
    if "hyperprolactinemia" not in ctx.names:   # a measured prolactin already includes this rise
        _scale(p, "prolactin", _v("hypothyroid_prolactin_factor") ** s)


def _hyperthyroidism(p: np.ndarray, spec: dict, ctx: _Context) -> None:
    upper = _v("thyroid_ft4_upper")
    ft4 = (sev.free_t4_ng_dl(spec["free_t4"], field=ctx.at("free_t4"), file=ctx.file) if "free_t4" in spec
           else _v("hyperthyroid_typical_ft4"))
    if ft4 <= upper:
        raise InputError(ctx.at("free_t4"), f"a free T4 above the upper reference limit {upper:g} ng/dL (hyperthyroidism)",
                         repr(spec.get("free_t4")), ctx.file)
    s = min(math.log(ft4 / upper) / math.log(_v("hyperthyroid_typical_ft4") / upper), 2.0)
    if _treated(spec, ctx):
        return   # euthyroid: SHBG, LH and the hCG response revert (Velazquez & Bellabarba Arata 1997)
    _scale(p, "shbg_factor", _v("hyperthyroid_shbg_factor") ** s)
    _scale(p, "aromatase_factor", _v("hyperthyroid_aromatase_factor") ** s)
    _scale(p, "lh_factor", _v("hyperthyroid_pituitary_factor") ** s)
    _scale(p, "fsh_factor", _v("hyperthyroid_pituitary_factor") ** s)
    _scale(p, "leydig_capacity", _v("hyperthyroid_leydig_factor") ** s)
    _scale(p, "motility_factor", _v("hyperthyroid_motility_factor") ** s)


# ---------------------------------------------------------------------------- hyperprolactinaemia

def _hyperprolactinemia(p: np.ndarray, spec: dict, ctx: _Context) -> None:
    level = (sev.lab("prolactin", spec["prolactin"], low=0.5, high=5000.0, field=ctx.at("prolactin"), file=ctx.file)
             if "prolactin" in spec else _v("hyperprolactinemia_typical_prolactin"))
    if level < HYPERPROLACTINEMIA_MIN:
        raise InputError(ctx.at("prolactin"), f"a prolactin of at least {HYPERPROLACTINEMIA_MIN:g} ng/mL (420 mIU/L)",
                         repr(spec.get("prolactin")), ctx.file)
    # treated: a dopamine agonist brings prolactin back to the reference level; the brake on
    # GnRH is the model's own (prolactin_k, prolactin_n), so the axis recovers by feedback
    p[INDEX["prolactin"]] = _v("ref_prolactin") if _treated(spec, ctx) else level


# ------------------------------------------------------------------------- testicular failure

def _failing_leydig(p: np.ndarray, capacity: float) -> None:
    _scale(p, "leydig_capacity", capacity)
    # the cells left already work near their ceiling: little reserve for more LH or hCG
    p[INDEX["leydig_ec50"]] = min(p[INDEX["leydig_ec50"]], _v("failing_leydig_ec50"))


def _primary(p: np.ndarray, spec: dict, ctx: _Context) -> None:
    stage = (sev.choice(spec["stage"], {"overt": "overt", "compensated": "compensated"}, field=ctx.at("stage"), file=ctx.file)
             if "stage" in spec else "overt")
    _failing_leydig(p, _v("primary_leydig_capacity" if stage == "overt" else "primary_compensated_leydig_capacity"))
    _scale(p, "sertoli_factor", _v("primary_spermatogenic_factor"))
    _scale(p, "germ_cell_factor", _v("primary_spermatogenic_factor"))


_KARYOTYPES = {"47,xxy": "47,XXY", "47xxy": "47,XXY", "xxy": "47,XXY", "non-mosaic": "47,XXY",
               "mosaic": "mosaic", "46,xy/47,xxy": "mosaic", "47,xxy/46,xy": "mosaic"}


def _klinefelter(p: np.ndarray, spec: dict, ctx: _Context) -> None:
    karyotype = (sev.choice(spec["karyotype"], _KARYOTYPES, field=ctx.at("karyotype"), file=ctx.file)
                 if "karyotype" in spec else "47,XXY")
    mosaic = karyotype == "mosaic"
    # mosaic men carry a normal cell line: halfway (geometrically) between normal and non-mosaic
    power = 0.5 if mosaic else 1.0
    _failing_leydig(p, _v("klinefelter_leydig_capacity") ** power)
    _scale(p, "sertoli_factor", _v("klinefelter_sertoli_factor") ** power)
    _scale(p, "germ_cell_factor", _v("klinefelter_mosaic_germ_cell_factor" if mosaic else "klinefelter_germ_cell_factor"))


def _varicocele(p: np.ndarray, spec: dict, ctx: _Context) -> None:
    g = sev.grade(spec["grade"], field=ctx.at("grade"), file=ctx.file) if "grade" in spec else 2
    _scale(p, "germ_cell_factor", (1.0 - _v("varicocele_germ_cell_loss")) ** g)
    _scale(p, "motility_factor", (1.0 - _v("varicocele_motility_loss")) ** g)
    _scale(p, "leydig_capacity", (1.0 - _v("varicocele_leydig_loss")) ** g)


def _secondary(p: np.ndarray, spec: dict, ctx: _Context) -> None:
    cause = spec.get("cause", "functional")
    if cause == "congenital":
        p[INDEX["gnrh_factor"]] = _v("chh_gnrh_factor")
        # a testis that never went through puberty answers gonadotropins only if it is developed
        # enough: the man's own Sertoli factor stands for that, and the men with the fewest Sertoli
        # cells (smallest testes) are the quarter who make no sperm on treatment (Rastrelli 2014)
        own = p[INDEX["sertoli_factor"]]
        k, n = _v("chh_response_sertoli_threshold"), _v("chh_response_steepness")
        developed = own**n / (own**n + k**n) * (1.0 + k**n)     # 1 for the typical man (own = 1)
        p[INDEX["sertoli_factor"]] = _v("chh_sertoli_factor") * developed
    elif cause == "functional":
        _scale(p, "gnrh_factor", _v("functional_gnrh_factor"))
    else:
        raise InputError(ctx.at("cause"), "congenital or functional", repr(cause), ctx.file)


# ------------------------------------------------------------------------------------ registry

def _f(name: str, unit: str = "") -> str:
    value = _v(name)
    return f"{value:g}{' ' + unit if unit else ''}"


CONDITIONS: dict[str, Condition] = {c.name: c for c in (
    Condition(
        "obesity",
        "More adipose aromatase (fat mass), lower SHBG and any central suppression the population layer gives "
        "BMI: the man's BMI-dependent factors are rescaled to his obese BMI.",
        (("bmi", f"kg/m2, at least 30; typical {_f('obesity_typical_bmi')} (a man already at 30 or more keeps his own)"),),
        ("Wu FCW et al. JCEM 2008;93:2737 (EMAS: total T -5.1 nmol/L at BMI >= 30, LH not raised)",
         "Deurenberg P et al. Br J Nutr 1991;65:105 (fat mass from BMI)"),
        _obesity,
        "Increased aromatase, high E2, low T, E2 suppresses GnRH, LH, FSH; anastrozole highly effective "
        "(E2 down; T, LH, FSH up)"),
    Condition(
        "insulin_resistance",
        "Insulin suppresses hepatic SHBG; insulin resistance lowers Leydig T secretion and blunts GnRH drive "
        "(power laws of HOMA-IR over 1).",
        (("homa_ir", f"unitless; typical {_f('ir_typical_homa')}"),),
        ("Pitteloud N et al. JCEM 2005;90:2636", "Plymate SR et al. JCEM 1988;67:460", "Dhindsa S et al. JCEM 2004;89:5462"),
        _insulin_resistance,
        "HPG axis disrupted, lower T; anastrozole's T benefit may be mitigated while metabolic dysfunction persists"),
    Condition(
        "type2_diabetes",
        "Insulin resistance (HOMA-IR) plus a hyperglycaemia-linked fall of GnRH drive: the hypogonadotropic "
        "pattern of a third of diabetic men.",
        (("hba1c", f"% or mmol/mol; typical {_f('t2dm_typical_hba1c', '%')}"),
         ("homa_ir", f"unitless; typical {_f('t2dm_typical_homa')}")),
        ("Dhindsa S et al. JCEM 2004;89:5462", "Rabijewski M et al. BioMed Res Int 2013 (PMC3810490)"),
        _type2_diabetes,
        "Hyperinsulinaemia, low SHBG, low free T; inhibits GnRH pulsatility, Leydig dysfunction; can improve "
        "T/E2 but metabolic control is paramount"),
    Condition(
        "hypothyroidism",
        "Less thyroid hormone: lower hepatic SHBG, reduced LH/FSH response to GnRH, TRH-driven prolactin rise, "
        "poorer motility; scaled log-linearly by TSH (or free T4); treated = euthyroid, no effect.",
        (("tsh", f"mIU/L; typical {_f('hypothyroid_typical_tsh', 'mIU/L')}"),
         ("free_t4", f"ng/dL or pmol/L; typical {_f('hypothyroid_typical_ft4', 'ng/dL')}"),
         ("treated", "true or false; typical false")),
        ("Velazquez EM, Bellabarba Arata G. Arch Androl 1997;38:85", "Krassas GE et al. JCEM 2008;93:1815",
         "Krassas GE et al. Endocr Rev 2010;31:702", "Selby C. Ann Clin Biochem 1990;27:532"),
        _hypothyroidism,
        "Impacts SHBG and GnRH/LH/FSH secretion; anastrozole less effective until euthyroid"),
    Condition(
        "hyperthyroidism",
        "More thyroid hormone: SHBG and aromatisation up, LH hyper-response to GnRH, reduced Leydig response to "
        "hCG, poorer motility; scaled by free T4; treated = euthyroid, no effect.",
        (("free_t4", f"ng/dL or pmol/L; typical {_f('hyperthyroid_typical_ft4', 'ng/dL')}"),
         ("treated", "true or false; typical false")),
        ("Ford HC et al. Clin Endocrinol 1992;36:187", "Abalovich M et al. Thyroid 1999;9:857",
         "Chopra IJ. Med Clin North Am 1975;59:1109", "Krassas GE et al. JCEM 2002;87:3667"),
        _hyperthyroidism,
        "High total T and E2, high SHBG, normal free T, LH raised (not in the source articles' tables)"),
    Condition(
        "hyperprolactinemia",
        "Prolactin brakes GnRH through the model's prolactin term; treated = prolactin normalised by a "
        "dopamine agonist.",
        (("prolactin", f"ng/mL or mIU/L, at least 20 ng/mL; typical {_f('hyperprolactinemia_typical_prolactin', 'ng/mL')}"),
         ("treated", "true or false; typical false")),
        ("Corona G et al. J Sex Med 2007;4:1485", "Buvat J. Int J Impot Res 2003;15:373"),
        _hyperprolactinemia,
        "Prolactin suppresses GnRH, LH, FSH; prolactin normalisation essential before an AI can be fully effective"),
    Condition(
        "primary_hypogonadism",
        "Testicular failure: fewer Leydig cells working near their ceiling (little reserve), reduced Sertoli "
        "and germ-cell capacity; high LH and FSH follow from feedback.",
        (("stage", "overt or compensated; typical overt"),),
        ("Tajar A et al. JCEM 2010;95:1810 (EMAS definitions)", "Fertil Steril 2000;74:234 (inhibin B)",
         "Bhasin S et al. JCEM 2018;103:1715 (hCG test)"),
        _primary,
        "Testicular failure, low T despite high LH/FSH; anastrozole less effective, the testes cannot respond"),
    Condition(
        "secondary_hypogonadism",
        "Hypothalamic under-drive: congenital (no GnRH drive, small spermatogenic capacity; men with the least "
        "developed testes hardly answer treatment) or functional (GnRH drive cut to a fifth, E2 feedback intact).",
        (("cause", "congenital or functional; typical functional"),),
        ("Boehm U et al. Nat Rev Endocrinol 2015;11:547", "Rastrelli G et al. Andrology 2014"),
        _secondary,
        "Low LH/FSH, low T; anastrozole highly effective when E2 feedback contributes"),
    Condition(
        "klinefelter",
        "47,XXY: germ-cell aplasia, few Sertoli cells and failing Leydig cells near their ceiling; mosaic men "
        "halfway and with some germ cells. E2 falls with T here (as Aksglaede 2007 found); a meta-analysis "
        "(Endocrine 2019) finds it equal to or slightly above controls', which the model does not reproduce.",
        (("karyotype", "47,XXY or mosaic; typical 47,XXY"),),
        ("Nieschlag E. Dtsch Arztebl 2013", "Hoest C et al. Asian J Androl 2014", "Int J Endocrinol 2012;324835",
         "Aksglaede L et al. Clin Endocrinol 2007;66:276 (E2 reduced)",
         "Endocrine 2019;64:209, PMID 30701446 (meta-analysis, 707 men: E2 +4.3 pg/mL, CI 0.4-8.1; no difference "
         "with accurate assays; E2/T ratio higher)"),
        _klinefelter,
        "Primary testicular failure, high LH/FSH, low T; anastrozole may help T/E2 but not overcome germ-cell aplasia"),
    Condition(
        "varicocele",
        "Impaired testicular thermoregulation and oxidative stress: germ-cell input, motility and a little "
        "Leydig capacity lost per grade.",
        (("grade", "1, 2 or 3; typical 2"),),
        ("Agarwal A et al. World J Mens Health 2023;41:289", "Asian J Androl meta-analysis (PMC4814973)",
         "Study for Future Families (PMC6819219)"),
        _varicocele,
        "Lower semen quality at any hormone level; limits semen improvement despite hormonal optimisation"),
)}


def parse_condition(item: object, *, field: str, file: str | None = None) -> dict:
    """A condition as ``{"name": ..., <severity keys>}``, checked against the vocabulary."""
    spec = {"name": item} if isinstance(item, str) else dict(item) if isinstance(item, dict) else None
    if spec is None or not isinstance(spec.get("name"), str):
        raise InputError(field, "a condition name or a mapping with 'name'", repr(item), file)
    name = spec["name"].strip().lower()
    if name not in KNOWN:
        raise InputError(f"{field}.name", f"one of the conditions {', '.join(KNOWN)}", repr(spec["name"]), file)
    spec["name"] = name
    keys = CONDITIONS[name].keys
    for key in spec:
        if key != "name" and key not in keys:
            raise InputError(f"{field}.{key}", f"a severity key of {name} ({', '.join(keys) or 'none'})",
                             f"unknown key {key!r}", file)
    return spec


def apply_conditions(p: np.ndarray, conditions: list | tuple, *, field: str = "conditions",
                     file: str | None = None) -> np.ndarray:
    """A copy of ``p`` with every condition in ``conditions`` applied (see the module text for
    how they combine); ``p`` is not changed."""
    specs = [parse_condition(item, field=f"{field}[{i}]", file=file) for i, item in enumerate(conditions or ())]
    names = [s["name"] for s in specs]
    for i, name in enumerate(names):
        if name in names[:i]:
            raise InputError(f"{field}[{i}]", f"each condition once ({name} is listed twice)", repr(name), file)
    for a, b in _EXCLUSIVE:
        if a in names and b in names:
            raise InputError(f"{field}[{names.index(b)}]", f"conditions that can exist together ({a} and {b} cannot)",
                             repr(b), file)
    q = p.copy()
    for i, spec in enumerate(specs):
        CONDITIONS[spec["name"]].apply(q, spec, _Context(f"{field}[{i}]", file, frozenset(names)))
    return complete(q)
