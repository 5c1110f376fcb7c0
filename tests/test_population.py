"""The healthy virtual population against published reference distributions.

Every expected number below is a published figure (source next to it), never our own output.
Tolerances are stated next to each assertion: the sampling error of a percentile or a mean
at the number of men simulated here, plus, where the model is known to miss by a documented
amount, that amount (see the table in :mod:`hpgsim.people.population`).

Steady states only; three cohorts simulated once per module (about 3600 men, a few seconds).
"""

from __future__ import annotations

import numpy as np
import pytest

from hpgsim.engine.steady_state import steady_state
from hpgsim.errors import NumericalError
from hpgsim.people.population import DEFAULT_BMI, VARIATION, log_covariance, sample_men, vary
from hpgsim.physiology import model
from hpgsim.physiology.parameters import BY_NAME, INDEX, default_vector
from hpgsim.units import from_internal

N_YOUNG = 1500
N_EMAS = 1500
N_OLD = 600
# EMAS men were 40-79 years old (Wu FCW et al. JCEM 2008;93:2737); their BMI spread, mean 27.7
# and SD 4.1 kg/m2, and the Health in Men Study's (70-89 y), mean 26.5 and SD 3.5, are our
# assumptions (typical of European and Australian men of those ages; not in our material).
EMAS_BMI = {"mean": 27.7, "sd": 4.1}


def _cohort(seed: int, n: int, age: dict, bmi: dict) -> dict[str, np.ndarray]:
    men = sample_men(np.random.default_rng(seed), n, age=age, bmi=bmi)
    a = np.zeros(model.N_ALG)
    rows, kept, failed = [], [], 0
    for k, p in enumerate(men):
        try:
            y, q = steady_state(p)
        except NumericalError:
            failed += 1
            continue
        model.algebra(y, q, np.zeros(model.N_CHANNELS), a)
        rows.append((a[model.A_TT], a[model.A_FT], a[model.A_E2], y[model.LH], y[model.FSH], y[model.SHBG],
                     a[model.A_INHB], a[model.A_SPERM]))
        kept.append(k)
    v = np.array(rows)
    men = men[kept]
    volume = men[:, INDEX["semen_volume"]] * men[:, INDEX["semen_volume_factor"]]
    return {
        "tt_ngdl": from_internal("total_testosterone", v[:, 0])[0], "tt": v[:, 0],
        "ft_pgml": from_internal("free_testosterone", v[:, 1])[0], "ft_pmol": v[:, 1] * 1000.0,
        "e2_pmol": v[:, 2], "lh": v[:, 3], "fsh": v[:, 4], "shbg": v[:, 5], "inhb": v[:, 6],
        "sperm": v[:, 7], "volume": volume, "count": v[:, 7] * volume,
        "age": men[:, INDEX["age"]], "bmi": men[:, INDEX["bmi"]], "failed": np.array(failed),
    }


@pytest.fixture(scope="module")
def young() -> dict[str, np.ndarray]:
    # Travison 2017's reference men: healthy, non-obese, 19-39 years
    return _cohort(0, N_YOUNG, {"min": 19, "max": 39}, DEFAULT_BMI)


@pytest.fixture(scope="module")
def emas() -> dict[str, np.ndarray]:
    return _cohort(1, N_EMAS, {"min": 40, "max": 79}, EMAS_BMI)


@pytest.fixture(scope="module")
def old() -> dict[str, np.ndarray]:
    return _cohort(2, N_OLD, {"min": 70, "max": 89}, {"mean": 26.5, "sd": 3.5})


def _near(value: float, published: float, rel: float) -> bool:
    return abs(value / published - 1.0) <= rel


# -- reference percentiles in young men -------------------------------------------------------------
# Sampling error: the 2.5th percentile of a log-normal with log-SD 0.32 has a standard error
# of about 2.2 % at n = 1500 (sqrt(p(1-p)/n) / phi(1.96) x log-SD), the median about 1 %.


def test_nearly_every_man_has_a_steady_state(young, emas, old):
    # the solver may fail for a rare extreme man (trials skip him); more than 1 in 200 is a bug
    assert young["failed"] + emas["failed"] + old["failed"] <= (N_YOUNG + N_EMAS + N_OLD) / 200


def test_total_t_percentiles_match_travison(young):
    low, median, high = np.percentile(young["tt_ngdl"], [2.5, 50, 97.5])
    # Travison TG et al. JCEM 2017;102:1161: 264, 531, 916 ng/dL at 19-39 y (harmonised).
    # Tolerance 2 SE sampling (5 %) plus the documented skew mismatch: the model's total T is a
    # little right-skewed (SHBG is) where Travison's is left-skewed, so both tails sit up to
    # 8 % high; the median 6 % high comes from ref_total_t, chosen between Travison and Bhasin.
    assert _near(low, 264, 0.13), low
    assert _near(median, 531, 0.10), median
    assert _near(high, 916, 0.10), high


def test_free_t_lower_limit_and_median_match_bhasin(young):
    low, median = np.percentile(young["ft_pgml"], [2.5, 50])
    # Bhasin S et al. JCEM 2011;96:2430 (Framingham, 19-40 y, calculated free T): 2.5th 70,
    # median 134 pg/mL. Tolerance 2 SE sampling (5 % at the tail, 2 % at the median) plus 8 %:
    # calculated free T differs by that much between binding models (Fiers 2018: Vermeulen
    # reads 19 % above equilibrium dialysis).
    assert _near(low, 70, 0.13), low
    assert _near(median, 134, 0.10), median


def test_inhibin_b_quartiles_match_kelsey(young):
    q1, median, q3 = np.percentile(young["inhb"], [25, 50, 75])
    # Kelsey TW et al. PLoS One 2016;11:e0153843: median 170, IQR 125-215 pg/mL.
    # Tolerance 10 %: sampling of quartiles at n = 1500 is about 2 % (2 SE); the rest is the
    # spread between published adult ranges (Grunewald 2013 normospermic median 130 pg/mL).
    assert _near(median, 170, 0.10), median
    assert _near(q1, 125, 0.10), q1
    assert _near(q3, 215, 0.10), q3


def test_semen_centiles_match_the_who_lower_reference_limits(young):
    # Cooper TG et al. Hum Reprod Update 2010;16:231 (WHO 2010), 5th centiles with 95 % CI:
    # concentration 15 M/mL (12-16), total sperm number 39 M (33-46), volume 1.5 mL (1.4-1.7).
    # Tolerance: the published CI widened by 2 SE of our own 5th centile (about 9 % for a
    # log-SD of 0.8 at n = 1500).
    conc5 = np.percentile(young["sperm"], 5)
    assert 12 * 0.91 <= conc5 <= 16 * 1.09, conc5
    count5 = np.percentile(young["count"], 5)
    assert 33 * 0.91 <= count5 <= 46 * 1.09, count5
    vol5 = np.percentile(young["volume"], 5)
    assert 1.4 * 0.95 <= vol5 <= 1.7 * 1.05, vol5


def test_trials_can_enrol_oligospermic_men(young):
    # by definition 5 % of Cooper's fertile men are below 15 M/mL; a screen for < 15-20 M/mL
    # must find men (1-in-40 to 1-in-10 is the range that keeps screening affordable)
    assert 0.025 <= np.mean(young["sperm"] < 15) <= 0.10
    assert np.mean(young["sperm"] < 20) >= 0.05


def test_inhibin_b_predicts_sperm_only_in_part(young):
    # Inhibin B explained R2 = 0.27 (r = 0.52) of sperm concentration in 85 infertile men (Inhibin B
    # reference data for fertile and infertile men in NE United States); Jorgensen N et al.
    # Fertil Steril 2010;94:2128: the link is steep below 150 pg/mL and flat above 300.
    # Tolerance: 2 SE of r at n = 85 ((1 - r2) / sqrt(n) = 0.08) plus our own (0.02), rounded.
    r = np.corrcoef(np.log(young["inhb"]), np.log(young["sperm"]))[0, 1]
    assert 0.32 <= r <= 0.72, r


def test_estradiol_lh_fsh_and_shbg_are_plausible(young):
    # Verdonk SJE et al. Clin Chim Acta 2019 (LC-MS/MS, 64 men): 12-136 pmol/L; a reference
    # interval holds 95 % of men and 64 men make its limits uncertain, so at least 90 % inside.
    inside = np.mean((young["e2_pmol"] >= 12) & (young["e2_pmol"] <= 136))
    assert inside >= 0.90, inside
    # Grimstad F et al. Urology 2018;120:114: upper limits across 117 US laboratories span
    # LH 4.9-86.5 and FSH 7.9-20 IU/L; our 97.5th centiles must fall inside those spans.
    lh_high, fsh_high = np.percentile(young["lh"], 97.5), np.percentile(young["fsh"], 97.5)
    assert 4.9 <= lh_high <= 86.5, lh_high
    assert 7.9 <= fsh_high <= 20.0, fsh_high
    # FSH mean 3.5 IU/L in 56 fertile men (NE United States); median within 30 % (assay spread)
    assert _near(np.median(young["fsh"]), 3.5, 0.30)
    # SHBG has no young-men reference in our material: a wide plausibility band only
    assert 15 <= np.median(young["shbg"]) <= 45


# -- age trends ---------------------------------------------------------------------------------------


def _slope(x: np.ndarray, y: np.ndarray, covariate: np.ndarray) -> tuple[float, float]:
    """Least-squares slope of y on x adjusted for one covariate, and its standard error."""
    design = np.column_stack([np.ones_like(x), x, covariate])
    coef, res, *_ = np.linalg.lstsq(design, y, rcond=None)
    sigma2 = float(res[0]) / (len(y) - 3)
    se = np.sqrt(sigma2 * np.linalg.inv(design.T @ design)[1, 1])
    return float(coef[1]), float(se)


def test_free_t_falls_with_age_as_in_emas(emas):
    slope, se = _slope(emas["age"], emas["ft_pmol"], emas["bmi"])
    # Wu FCW et al. JCEM 2008;93:2737 (EMAS, 3200 men 40-79 y): -3.12 pmol/L per year.
    # Tolerance 2 SE of our slope (about 0.4 pmol/L/yr) plus 20 % for EMAS's own uncertainty
    # (its CI is not in our material).
    assert abs(slope - (-3.12)) <= 2 * se + 0.2 * 3.12, (slope, se)


def test_total_t_shbg_and_lh_trends_with_age(emas):
    tt, _ = _slope(emas["age"], np.log(emas["tt"]), emas["bmi"])
    # total T: MMAS cross-sectional -0.8 %/yr (Feldman HA et al. JCEM 2002;87:589) versus no
    # mean fall after 40 (Kelsey TW et al. PLoS One 2014;9:e109346): the sources bracket it
    assert -0.008 - 0.002 <= tt <= 0.0, tt
    shbg, _ = _slope(emas["age"], np.log(emas["shbg"]), emas["bmi"])
    # SHBG rises (MMAS +1.6 %/yr); we match Yeap 2007's level instead (next test), at a
    # smaller slope, so only the direction and an upper bound are asserted
    assert 0.0 < shbg <= 0.016, shbg
    lh, _ = _slope(emas["age"], np.log(emas["lh"]), emas["bmi"])
    # EMAS: free T falls "with raised LH" (testicular impairment); MMAS: gonadotropins rose
    assert lh > 0.0, lh
    fsh, _ = _slope(emas["age"], np.log(emas["fsh"]), emas["bmi"])
    inhb, _ = _slope(emas["age"], np.log(emas["inhb"]), emas["bmi"])
    # Mahmoud AM et al. Clin Endocrinol 2000;53:141 (290 men): FSH rises progressively with
    # age while inhibin B is stable between 35 and 79 y (Spearman r with age -0.17): FSH
    # rises, inhibin B changes by less than 1 %/yr either way
    assert fsh > 0.0, fsh
    assert abs(inhb) < 0.01, inhb


def test_men_over_70_match_the_health_in_men_study(old):
    # Yeap BB et al. EJE 2007 (3645 men 70-89 y): total T 15.4 +/- 5.6 nmol/L, free T
    # 278 +/- 96 pmol/L, SHBG 42.4 +/- 16.7 nmol/L (mean +/- SD). Tolerance: means within
    # 10 % (2 SE sampling at n = 600 is 3-4 %; the rest is assay and cohort differences),
    # SDs within 25 % (2 SE of an SD at n = 600 is about 6 %, plus the same differences).
    for key, mean, sd in (("tt", 15.4, 5.6), ("ft_pmol", 278, 96), ("shbg", 42.4, 16.7)):
        assert _near(old[key].mean(), mean, 0.10), (key, old[key].mean())
        assert _near(old[key].std(), sd, 0.25), (key, old[key].std())


# -- body mass ----------------------------------------------------------------------------------------


def _by_bmi_class(cohort: dict, key: str) -> tuple[float, float]:
    bmi, v = cohort["bmi"], cohort[key]
    lean = v[bmi < 25].mean()
    return v[(bmi >= 25) & (bmi < 30)].mean() - lean, v[bmi >= 30].mean() - lean


def test_total_t_by_bmi_class_matches_emas(emas):
    over, obese = _by_bmi_class(emas, "tt")
    # Wu 2008 (EMAS): total T -2.32 nmol/L at BMI 25-30 and -5.09 at >= 30 versus < 25.
    # Tolerance 1.2 nmol/L: 2 SE of a difference of class means (SD about 6 nmol/L, 300-700
    # men per class) is about 1.0 nmol/L, plus a little for the BMI mix within classes.
    assert abs(over - (-2.32)) <= 1.2, over
    assert abs(obese - (-5.09)) <= 1.2, obese


def test_free_t_lh_and_e2_by_bmi_class(emas):
    over, obese = _by_bmi_class(emas, "ft_pmol")
    # Wu 2008 (EMAS): free T lower at BMI 25-30 (-17.6 pmol/L) and lower still at >= 30 (-53.7)
    assert obese < over < 0, (over, obese)
    lh_over, lh_obese = _by_bmi_class(emas, "lh")
    # EMAS: LH unchanged or lower in obesity (hypothalamic-pituitary, not testicular)
    assert lh_obese <= 0.5, lh_obese
    e2_over, e2_obese = _by_bmi_class(emas, "e2_pmol")
    # no significant E2 change across BMI 18-39 (Starka 2020): within 3 pg/mL = 11 pmol/L
    assert abs(e2_over) <= 11 and abs(e2_obese) <= 11, (e2_over, e2_obese)


@pytest.mark.xfail(strict=True, reason="free T falls 2-3 times more than EMAS saw in overweight men: the fat-aromatase "
                   "effect that Helo 2017's clomiphene response needs (aromatase_fat_exponent 0.6) also brakes GnRH "
                   "through E2; EMAS alone would want about 0.2 (see the population module)")
def test_free_t_by_bmi_class_matches_emas(emas):
    over, obese = _by_bmi_class(emas, "ft_pmol")
    # Wu 2008 (EMAS): -17.6 and -53.7 pmol/L; 2 SE of a class difference is about 15 pmol/L
    assert abs(over - (-17.6)) <= 15, over
    assert abs(obese - (-53.7)) <= 15, obese


# -- the covariance and its reproducibility ----------------------------------------------------------


def test_log_covariance_is_a_valid_prior():
    names, cov = log_covariance()
    assert names == tuple(v.factor for v in VARIATION)
    assert cov.shape == (len(names), len(names))
    assert np.allclose(cov, cov.T)
    assert np.all(np.linalg.eigvalsh(cov) > 0)
    for name in names:
        assert BY_NAME[name].group == "individual"
    # body fat at a given BMI raises aromatase and lowers SHBG (Deurenberg SEE; NHANES slope)
    i, j = names.index("aromatase_factor"), names.index("shbg_factor")
    assert cov[i, j] < 0


def test_vary_draws_the_stated_covariance_around_the_typical_man():
    names, cov = log_covariance()
    reference = default_vector()
    men = vary(np.random.default_rng(3), np.tile(reference, (20000, 1)))
    logs = np.log(men[:, [INDEX[n] for n in names]] / reference[[INDEX[n] for n in names]])
    # clipping to the plausible range only touches far tails; compare the unclipped core:
    # median 1 (log-median 0) and the covariance, within sampling error at n = 20000
    assert np.all(np.abs(np.median(logs, axis=0)) < 0.03)
    sd = np.sqrt(np.diag(cov))
    emp = np.cov(logs.T)
    emp_sd = np.sqrt(np.diag(emp))
    ok = np.abs(emp_sd / sd - 1) < 0.06
    # germ_cell_factor is clipped at 1.5 (its upper range), which narrows it more than that
    assert all(ok[k] or names[k] == "germ_cell_factor" for k in range(len(names))), dict(zip(names, emp_sd / sd))
    # the shared causes: body fat (aromatase up, SHBG down) and the ejaculate (count and volume
    # up together); empirical covariances within 4 SE (SE = sqrt((s_i2 s_j2 + c_ij2) / n))
    for a, b in (("aromatase_factor", "shbg_factor"), ("sperm_yield_factor", "semen_volume_factor")):
        i, j = names.index(a), names.index(b)
        se = np.sqrt((cov[i, i] * cov[j, j] + cov[i, j] ** 2) / len(logs))
        assert abs(emp[i, j] - cov[i, j]) <= 4 * se, (a, b, emp[i, j], cov[i, j])


def test_same_seed_same_men_and_another_seed_other_men():
    a = sample_men(11, 30, age={"min": 20, "max": 60}, bmi={"mean": 28, "sd": 4})
    b = sample_men(np.random.default_rng(11), 30, age={"min": 20, "max": 60}, bmi={"mean": 28, "sd": 4})
    c = sample_men(12, 30, age={"min": 20, "max": 60}, bmi={"mean": 28, "sd": 4})
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)
    one = vary(np.random.default_rng(5), default_vector())
    assert one.shape == default_vector().shape
