"""Virtual men drawn from a population: age, BMI, conditions and between-man variation.

A virtual man is the typical man of his age and BMI
(:func:`~hpgsim.people.physiology_of_man.population_parameters`) with his individual factors
multiplied by correlated log-normal factors of median 1 (so the median man stays the typical
man), each clipped to its plausible range from the parameter table, and then any conditions of
the cohort applied on top (:func:`hpgsim.people.conditions.apply_conditions`).
:func:`log_covariance` gives the covariance of the factors' natural logs (the prior that
personalisation from labs starts from).

Where the correlations come from. Each factor has a part of its own (:data:`VARIATION`) and
shared causes move several together (:data:`SHARED_CAUSES`): body fat at a given age and BMI
(Deurenberg's formula misses by 4.1 % body fat) raises aromatase and lowers SHBG; and the
ejaculate (abstinence time, accessory-gland output) raises sperm count and semen volume
together, which Cooper 2010's three 5th centiles require. Sertoli number and germ cells need
no extra term: sperm output and inhibin B are both proportional to ``sertoli_factor`` in the
model, so men with more Sertoli cells have more germ cells by construction. Semen volume
dilutes concentration but not count; ``sperm_yield_factor`` (germ-cell survival through meiosis
and spermiogenesis) moves sperm output without moving inhibin B, which is why inhibin B
predicts sperm concentration only in part (r = 0.54; published 0.52).

How the spreads were chosen. Serum levels depend on several factors at once, and the
feedback loop compresses most of them (a man with weak Leydig cells has high LH, which brings
his testosterone most of the way back), so the spreads below were fitted on the simulated
steady states, not read off the lab ranges one by one. In this model free T is set by the
E2 feedback, so the aromatase spread is what spreads free T; SHBG spreads total T but not
free T. Measured with ``sample_men(np.random.default_rng(0), 2000, age={"min": 19, "max": 39},
bmi=DEFAULT_BMI)`` (steady states; log-SD is the standard deviation of the natural log), with the
feedback of docs/calibration-brain-aromatase.md:

================  ======================================  ==========================================
measure           simulated                               published
================  ======================================  ==========================================
total T           2.5-97.5th 304-932, median 559 ng/dL;   264-916, median 531 ng/dL (Travison 2017);
                  log-SD 0.29                             log-SD about 0.32
free T            2.5th 69, median 126 pg/mL              2.5th 70, median 134 pg/mL (Bhasin 2011)
SHBG              median 29, 2.5-97.5th 15-59 nmol/L      no young-men range found
inhibin B         median 166, IQR 126-215 pg/mL           median 170, IQR 125-215 (Kelsey 2016)
LH                2.5-97.5th 1.8-8.8 IU/L                 US laboratory upper limits 4.9-86.5
FSH               2.5-97.5th 1.4-12.7, median 4.0 IU/L    upper limits 7.9-20 (Grimstad 2018);
                                                          fertile mean 3.5
sperm conc.       5th centile 14, median 56 M/mL;         5th centile 15 (12-16) M/mL
                  6 % below 15, 11 % below 20              (Cooper 2010)
total count       5th centile 36 M                        39 (33-46) M (Cooper 2010)
semen volume      5th centile 1.5, median 3.0 mL          1.5 (1.4-1.7) mL (Cooper 2010)
inhibin B-sperm   r = 0.55 (log-log)                      r = 0.52 (85 infertile men, NE US)
E2                2.5-97.5th 17-38 pg/mL (62-140 pmol/L)  12-136 pmol/L (Verdonk 2019, 64 men)
================  ======================================  ==========================================

Older and heavier men (``age 40-79, bmi {mean 27.7, sd 4.1}``, 2000 men; and 70-89 years,
1000 men), with the age and BMI effects of the parameter table refitted to these figures:

=====================================  ====================  ===========================================
measure                                simulated             published
=====================================  ====================  ===========================================
free T per year of age (40-79 y)       -2.7 pmol/L           -3.12 pmol/L (EMAS, Wu 2008)
total T per year of age                -0.4 %                -0.8 % (MMAS) to 0 after 40 (Kelsey 2014)
SHBG per year of age                   +0.6 %                +1.6 % (MMAS cross-sectional)
total T at 70-89 y                     15.7 +/- 5.7 nmol/L   15.4 +/- 5.6 (Yeap 2007)
free T at 70-89 y                      278 +/- 81 pmol/L     278 +/- 96 (Yeap 2007)
SHBG at 70-89 y                        42.3 +/- 15.8 nmol/L  42.4 +/- 16.7 (Yeap 2007)
total T, BMI 25-30 / >= 30 vs < 25     -2.7 / -5.1 nmol/L    -2.32 / -5.09 (EMAS)
free T, BMI 25-30 / >= 30 vs < 25      -52 / -87 pmol/L      -17.6 / -53.7 (EMAS)
LH, BMI 25-30 / >= 30 vs < 25          -1.8 / -2.7 IU/L      unchanged or lower (EMAS)
E2, BMI 25-30 / >= 30 vs < 25          +2.2 / +2.7 pg/mL     no significant change (Starka 2020)
=====================================  ====================  ===========================================

What the model cannot do at once. Free T falls with BMI two to three times as much as EMAS
saw: fat carries aromatase (``aromatase_fat_exponent``), and the E2 it makes brakes GnRH. EMAS
alone would want an exponent of about 0.2, but then the clomiphene response of Helo 2017's
obese hypogonadal men (a calibration trial) drops below its interval; 0.6 keeps Helo, and
tests/test_population.py carries the EMAS free-T figures as an expected failure. Total T's
lower tail is 15 % high in this sample (12 % in the 1500 men of the test, whose tolerance is
13 %) and its upper tail 2 % high: the simulated total T is a little right-skewed in log terms
(SHBG is) where Travison's is left-skewed. Serum SHBG rises with age at about a third of the MMAS
rate while its level at 70-89 years matches Yeap 2007 (the two sources disagree). With age
(40-79 y), LH (+2.2 %/yr) and FSH (+2.7 %/yr) rise and inhibin B stays within 1 %/yr, as in
Mahmoud 2000; median LH and FSH reach 10.5 and 13.4 IU/L at 70-89 years. Every
factor that spreads total T among men spreads LH about as much or more (in log terms), so the
narrow IRMA ranges (LH 2.1-4.7, FSH 3.0-7.4 IU/L in 53 Japanese men) cannot be met together
with Travison's total T; laboratory ranges are much wider elsewhere (Grimstad 2018). The
spread of sperm counts also holds abstinence time and visit-to-visit variation, which a steady
state does not have; ``sperm_yield_factor`` and the ejaculate cause stand in for them. Within-man
and assay variation of the hormones are not modelled. A rare extreme man (old, very low Leydig
capacity, high SHBG) has no steady state the solver finds; trials skip such men.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from ..physiology.parameters import BY_NAME, INDEX, complete
from .patient import AGE_RANGE, BMI_RANGE
from .physiology_of_man import population_parameters


def log_sd_of_cv(cv: float) -> float:
    """Standard deviation of the natural log of a log-normal quantity with coefficient of variation ``cv``."""
    return math.sqrt(math.log1p(cv**2))


@dataclass(frozen=True)
class Variation:
    """The part of one individual factor's between-man variation that is its own (log-normal,
    median 1); causes shared with other factors are in :data:`SHARED_CAUSES`."""

    factor: str
    cv: float
    source: str

    @property
    def log_sd(self) -> float:
        return log_sd_of_cv(self.cv)


@dataclass(frozen=True)
class SharedCause:
    """A between-man difference that moves several individual factors together: a standard
    normal cause, and the change of each factor's natural log per standard deviation of it."""

    name: str
    loadings: tuple[tuple[str, float], ...]
    source: str


VARIATION: tuple[Variation, ...] = (
    Variation("gnrh_factor", 0.35, "fitted with aromatase_factor and shbg_factor: total T 2.5-50-97.5th 264-531-916 ng/dL at 19-39 y (Travison TG et al. JCEM 2017;102:1161)"),
    Variation("lh_factor", 0.20, "keeps LH within the wide US laboratory ranges (upper limits 4.9-86.5 IU/L, Grimstad F et al. Urology 2018;120:114); the feedback hides most of it from T"),
    Variation("leydig_capacity", 0.35, "with the age decline, total T 15.4 +/- 5.6 nmol/L at 70-89 y (Yeap BB et al. EJE 2007); the feedback hides most of it from T in young men (LH rises instead)"),
    Variation("shbg_factor", 0.28, "fitted with gnrh_factor (upper tail of Travison 2017's total T: SHBG spreads total T, not free T); serum SHBG then has CV about 0.39 at 70-89 y as in Yeap 2007 (42.4 +/- 16.7 nmol/L); raised from 0.24 when the SHBG androgen term was added (it narrowed the lower tail of total T); no young-men range found"),
    Variation("aromatase_factor", 0.50, "fitted: free T 2.5th centile 70 pg/mL, median 134 (Bhasin S et al. JCEM 2011;96:2430); E2 by LC-MS/MS spans 12-136 pmol/L in men (Verdonk SJE et al. Clin Chim Acta 2019), an 11-fold range; E2 is the feedback's set point, so this is the factor that spreads free T"),
    Variation("fsh_factor", 0.15, "FSH 3.0-7.4 IU/L, IRMA, 53 men (assay-specific; most FSH spread comes from the testis factors)"),
    Variation("sertoli_factor", 0.45, "inhibin B median 170, IQR 125-215 pg/mL (Kelsey TW et al. PLoS One 2016;11:e0153843)"),
    Variation("germ_cell_factor", 0.20, "with sertoli_factor, inhibin B (Kelsey 2016); small, since its range ends at 1.5"),
    Variation("sperm_yield_factor", 0.43, "fitted: with the testis factors and the ejaculate cause below, sperm concentration 5th centile 15 M/mL and total sperm number 5th centile 39 M (Cooper TG et al. Hum Reprod Update 2010;16:231); inhibin B barely predicts sperm concentration above 150 pg/mL (Jorgensen N et al. Fertil Steril 2010;94:2128), so most of the spread among normal men lies outside Sertoli function"),
    Variation("semen_volume_factor", 0.35, "with the ejaculate cause below, semen volume 5th centile 1.5 mL (Cooper 2010) around the reference 3.0 mL: log-SD ln(3.0/1.5)/1.645 = 0.42 in all"),
)

# Men differ in how fast they clear a drug, so one dose gives them different exposures. Each
# drug's clearance factor varies on its own: the drugs share some enzymes (CYP3A4 takes part in
# clearing anastrozole, letrozole, exemestane and tamoxifen), but no study reports how one man's
# exposures to two of them correlate. A log-normal factor and its inverse have the same CV, so
# the CV of a published AUC is used as the CV of clearance. An AUC's spread after one dose also
# holds the within-man and assay part, so it is an upper bound on the between-man part; a
# population-PK model's between-subject CV (tamoxifen) is that part alone.
PK_VARIATION: tuple[Variation, ...] = (
    Variation("anastrozole_clearance_factor", 0.32, "AUC 443 +/- 141 ug.h/L after 1 mg in 20 healthy men (Yuan J et al. Pharmacokinetics of anastrozole in Chinese male volunteers. Acta Pharmacol Sin, http://www.chinaphar.com/article/view/7502; 429 +/- 121 with the other tablet)"),
    Variation("tamoxifen_clearance_factor", 0.378, "between-subject CV of tamoxifen CL/F in a population PK model of 40 women on 20 mg daily (ter Heine R et al. Br J Clin Pharmacol 2014;78:572); no estimate in men was found"),
    Variation("hcg_clearance_factor", 0.273, "AUC 7701 +/- 2101 IU.h/L after recombinant hCG 250 ug SC in healthy volunteers (Ovidrel label, clinical pharmacology); no estimate in men was found"),
    Variation("fsh_clearance_factor", 0.31, "AUC 455.6 +/- 141.4 IU.h/L after follitropin beta 300 IU SC in healthy volunteers (Follistim AQ label, section 12.3; IM 445.7 +/- 135.7); no estimate in men was found"),
)
PK_NOT_VARIED = ("Cleared alike by every man, for want of a published spread of exposure: letrozole, exemestane, "
                 "clomiphene's isomers and gonadorelin. Testosterone products are not varied either: their labels give "
                 "the spread of serum T (CV about 0.24 on undecanoate, Aveed label), which mixes the depot's release, "
                 "the man's own clearance of T and what is left of his own production, not a clearance of the product.")

# Deurenberg's BMI formula predicts body fat with a standard error of 4.1 % body fat (Deurenberg P
# et al. Br J Nutr 1991;65:105), so men of one age and BMI differ in fat mass; fat carries
# aromatase (log-change 4.1 / 19 % at the reference fat fraction, times the fat exponent) and
# lowers SHBG by 1.11 nmol/L per % body fat (NHANES 1999-2004, PMC3499640): -4.6 of 30 nmol/L.
_FAT_SEE = 4.1   # % body fat
SHARED_CAUSES: tuple[SharedCause, ...] = (
    SharedCause("body fat at a given age and BMI", (
        ("aromatase_factor", BY_NAME["aromatase_fat_exponent"].value * _FAT_SEE / (100.0 * BY_NAME["ref_fat_fraction"].value)),
        ("shbg_factor", math.log1p(-1.11 * _FAT_SEE / BY_NAME["ref_shbg"].value)),
    ), "Deurenberg 1991 (SEE 4.1 % body fat at given BMI and age); NHANES body-fat regression of SHBG (-1.11 nmol/L per %)"),
    # Cooper 2010's three 5th centiles (volume 1.5 mL, count 39 M, concentration 15 M/mL) around
    # the reference man (3.0 mL, 60 M/mL) fit together only if sperm count and volume correlate
    # (log-SDs 0.9 and 0.42 with r about 0.45, since concentration = count / volume).
    SharedCause("ejaculate: abstinence time and accessory-gland output", (
        ("sperm_yield_factor", 0.70), ("semen_volume_factor", 0.25),
    ), "derived from Cooper 2010's 5th centiles of volume, total count and concentration (r about 0.45 between count and volume); that abstinence time raises both is our reading, not a fitted number"),
)


def log_covariance() -> tuple[tuple[str, ...], np.ndarray]:
    """The varied individual factors and the covariance matrix of their natural logs.

    A man's factors are those of the typical man of his age and BMI times ``exp(x)``, with ``x``
    normal of mean 0 and this covariance (so the median man is the typical man); each factor
    is then clipped to its plausible range, which trims only the far tails.
    """
    names = tuple(v.factor for v in VARIATION)
    cov = np.diag([v.log_sd**2 for v in VARIATION])
    for cause in SHARED_CAUSES:
        loading = np.zeros(len(names))
        for factor, value in cause.loadings:
            loading[names.index(factor)] = value
        cov += np.outer(loading, loading)
    return names, cov


# When a cohort gives no BMI: non-obese adult men, like the cohorts behind the reference ranges
# (Travison 2017 pooled healthy non-obese men). Our assumption, not a published distribution.
DEFAULT_BMI: Mapping[str, float] = {"mean": 25.0, "sd": 3.0}


def as_generator(seed: int | np.random.Generator | np.random.SeedSequence | None) -> np.random.Generator:
    """A NumPy generator from an integer seed (or a generator, passed through unchanged)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, np.random.SeedSequence):
        return np.random.default_rng(seed)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError("seed", "a non-negative integer or a numpy.random.Generator", repr(seed))
    return np.random.default_rng(int(seed))


def child_generators(seed: int, n: int) -> list[np.random.Generator]:
    """``n`` independent generators from one integer seed (one per arm, so that what an arm draws
    depends on its position in the spec only through its index, not on what other arms drew)."""
    return [np.random.default_rng(child) for child in np.random.SeedSequence(seed).spawn(n)]


def draw_values(rng: np.random.Generator, n: int, dist: Mapping[str, float], bounds: tuple[float, float]) -> np.ndarray:
    """``n`` values from ``{min, max}`` (uniform) or ``{mean, sd}`` (normal truncated to ``bounds``)."""
    low, high = bounds
    if "min" in dist:
        return rng.uniform(float(dist["min"]), float(dist["max"]), n)
    mean, sd = float(dist["mean"]), float(dist["sd"])
    if sd == 0:
        return np.full(n, min(max(mean, low), high))
    from scipy.stats import truncnorm

    a, b = (low - mean) / sd, (high - mean) / sd
    return truncnorm.rvs(a, b, loc=mean, scale=sd, size=n, random_state=rng)


def vary(rng: np.random.Generator, p: np.ndarray) -> np.ndarray:
    """``p`` (one man, or an ``(n, P)`` batch) times correlated log-normal factors (:func:`log_covariance`)."""
    p = np.array(p, dtype=float, copy=True)
    batch = p if p.ndim == 2 else p[None, :]
    names, cov = log_covariance()
    x = rng.standard_normal((batch.shape[0], len(names))) @ np.linalg.cholesky(cov).T
    for k, name in enumerate(names):
        i, info = INDEX[name], BY_NAME[name]
        batch[:, i] = np.clip(batch[:, i] * np.exp(x[:, k]), info.low, info.high)
    vary_clearances(rng, batch)
    return p


def vary_clearances(rng: np.random.Generator, batch: np.ndarray) -> None:
    """Multiply each man's drug clearance factors (rows of ``batch``, in place) by independent
    log-normal factors of median 1 (:data:`PK_VARIATION`), clipped to their plausible ranges.

    Drawn after, and apart from, the physiological factors: his labs say nothing about how he
    clears a drug, so personalisation leaves these out of its prior and spreads them the same
    way in its draws."""
    x = rng.standard_normal((batch.shape[0], len(PK_VARIATION)))
    for k, v in enumerate(PK_VARIATION):
        i, info = INDEX[v.factor], BY_NAME[v.factor]
        batch[:, i] = np.clip(batch[:, i] * np.exp(v.log_sd * x[:, k]), info.low, info.high)


def sample_men(rng: int | np.random.Generator, n: int, *, age: Mapping[str, float],
               bmi: Mapping[str, float] | None = None, conditions: Sequence = (),
               field: str = "population", file: str | None = None) -> np.ndarray:
    """Parameter vectors of ``n`` virtual men, shape ``(n, N_PARAMS)``.

    ``age`` (years) and ``bmi`` (kg/m2) are ``{min, max}`` (uniform) or ``{mean, sd}`` (normal,
    truncated to adult ranges, 18-100 years and 15-70 kg/m2); ``bmi=None`` means
    :data:`DEFAULT_BMI`. ``conditions`` are names or mappings as in a trial spec, applied to every
    man after his own variation (an unknown condition raises :class:`InputError` on ``field``).
    """
    rng = as_generator(rng)
    ages = draw_values(rng, n, age, AGE_RANGE)
    bmis = draw_values(rng, n, DEFAULT_BMI if bmi is None else bmi, BMI_RANGE)
    men = np.array([population_parameters(float(a), float(b)) for a, b in zip(ages, bmis)]).reshape(n, -1)
    men = vary(rng, men)
    if conditions:
        from .conditions import apply_conditions   # noqa: PLC0415 (conditions import this layer)

        men = np.array([apply_conditions(p, list(conditions), field=f"{field}.conditions", file=file)
                        for p in men]).reshape(n, -1)
    for p in men:
        complete(p)
    return men

