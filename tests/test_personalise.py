"""Personalisation from labs: recovery of known men, identifiability, conflicts, the Laplace posterior.

The recovery test is a calibration check of the posterior: the men are drawn from the same
population the prior describes and their labs carry the stated measurement error, so a correct
posterior contains the truth within 3 posterior SDs almost always (99.7 % for a Gaussian).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import hpgsim
from hpgsim.errors import InputError
from hpgsim.people.conditions import apply_conditions
from hpgsim.people.personalise import (CONFLICT_Z, LAB_ERRORS, SIMULATED, _Model, fit_labs, personalise)
from hpgsim.people.physiology_of_man import population_parameters
from hpgsim.people.population import PK_VARIATION, log_covariance, sample_men
from hpgsim.physiology.parameters import INDEX
from hpgsim.units import to_internal

BLOOD = ("total_testosterone", "estradiol", "lh", "fsh", "shbg", "inhibin_b", "sperm_concentration")


def simulated_labs(p: np.ndarray, labs=BLOOD) -> dict[str, float]:
    """The man's steady-state labs (internal units), without measurement error."""
    return dict(zip(labs, _Model(p, [], list(labs)).simulated(np.zeros(0))))


@pytest.fixture(scope="module")
def known_men():
    # 24 men: with fewer, the typical man can by chance sit as close to the truth as the labs do
    # (8 men drew an SHBG spread a third of the population's), and the comparison below is noise.
    rng = np.random.default_rng(2024)
    men = sample_men(rng, 24, age={"min": 25, "max": 60}, bmi={"mean": 27, "sd": 3})
    out = []
    for man in men:
        true = simulated_labs(man)
        noise = rng.standard_normal(len(BLOOD)) * [LAB_ERRORS[lab].log_sd for lab in BLOOD]
        labs = {lab: true[lab] * math.exp(e) for lab, e in zip(BLOOD, noise)}
        typical = population_parameters(man[INDEX["age"]], man[INDEX["bmi"]])
        out.append((man, typical, fit_labs(typical, labs)))
    return out


def test_known_men_are_recovered_within_their_reported_uncertainty(known_men):
    inside = total = conflicts = 0
    for man, _typical, fit in known_men:
        # labs simulated from a real man conflict only where the measurement error drawn for a lab
        # was itself extreme: 3 SD or more happens to about 1 lab in 370, and 168 labs are drawn
        for c in fit.conflicts:
            conflicts += 1
            assert abs(math.log(c.observed / simulated_labs(man)[c.lab])) / c.log_sd > 2.5, c
        for f in fit.factors:
            total += 1
            inside += abs(math.log(f.estimate / man[INDEX[f.name]])) < 3 * f.posterior_log_sd
    assert inside >= 0.95 * total, f"{inside} of {total} factors within 3 posterior SD"
    assert conflicts <= 2


def test_labs_move_the_identified_factors_towards_the_truth(known_men):
    # For factors the labs pin down, the estimate must beat the typical man (the prior centre).
    for name in ("shbg_factor", "sertoli_factor", "leydig_capacity"):
        est = [abs(math.log(f.estimate / man[INDEX[name]])) for man, _t, fit in known_men
               for f in fit.factors if f.name == name]
        prior = [abs(math.log(typical[INDEX[name]] / man[INDEX[name]])) for man, typical, _f in known_men]
        assert np.mean(est) < 0.7 * np.mean(prior), name
        assert all(f.identifiable for _m, _t, fit in known_men for f in fit.factors if f.name == name)


def test_posterior_is_narrower_than_the_prior_and_never_wider(known_men):
    names, cov = log_covariance()
    prior_sd = dict(zip(names, np.sqrt(np.diag(cov))))
    for _man, _typical, fit in known_men:
        for f in fit.factors:
            assert f.prior_log_sd == pytest.approx(prior_sd[f.name])
            assert f.posterior_log_sd <= f.prior_log_sd * (1 + 1e-9)   # information never hurts (Gaussian)
            assert f.low95 < f.estimate < f.high95


def test_with_total_t_only_fsh_factor_is_not_identifiable():
    fit = fit_labs(population_parameters(40, 27), {"total_testosterone": to_internal("total_testosterone", 343, "ng/dL")})
    by_name = {f.name: f for f in fit.factors}
    assert not by_name["fsh_factor"].identifiable and by_name["fsh_factor"].sd_ratio > 0.95
    assert "fsh_factor" in fit.not_identified
    # one lab is one row of the Fisher information: at most one direction can be informed (rank 1)
    assert fit.informed_directions <= 1


@pytest.mark.parametrize("labs", [("total_testosterone", "lh"), BLOOD])
def test_informed_directions_never_exceed_the_number_of_labs(labs):
    man = population_parameters(35, 25)
    fit = fit_labs(man, simulated_labs(man, labs))
    assert fit.informed_directions <= len(labs)


def test_no_labs_leaves_the_prior():
    typical = population_parameters(50, 29)
    fit = fit_labs(typical, {})
    for f in fit.factors:
        assert f.estimate == pytest.approx(typical[INDEX[f.name]]) and not f.identifiable
    assert np.array_equal(fit.params, typical)


def test_labs_of_the_typical_man_return_the_typical_man():
    # Labs equal to the typical man's own steady state: the prior centre is the exact optimum.
    typical = population_parameters(45, 26)
    fit = fit_labs(typical, simulated_labs(typical))
    for f in fit.factors:
        assert f.estimate == pytest.approx(typical[INDEX[f.name]], rel=1e-4)
    assert all(abs(lab.z) < 1e-3 for lab in fit.labs)


def test_an_impossible_lab_is_reported_with_how_far_and_refused_by_personalise():
    typical = population_parameters(30, 24)
    labs = {"estradiol": to_internal("estradiol", 400, "pg/mL")}   # far beyond the aromatase range
    fit = fit_labs(typical, labs)
    (conflict,) = fit.conflicts
    assert conflict.lab == "estradiol" and conflict.z > CONFLICT_Z and not conflict.reachable
    with pytest.raises(InputError) as err:
        personalise(typical, labs, file="p.yaml")
    text = str(err.value)
    assert text.startswith("p.yaml: patient.labs.estradiol: expected labs a man's physiology can produce together")
    assert "measured 400 pg/mL" in text and "no man within the parameters' plausible ranges" in text


def test_conflicting_labs_reachable_only_outside_the_population_are_reported():
    # T 100 ng/dL with LH 0.3 IU/L: GnRH deficiency, but no condition says so.
    typical = population_parameters(30, 24)
    labs = {"total_testosterone": to_internal("total_testosterone", 100, "ng/dL"), "lh": 0.3}
    fit = fit_labs(typical, labs)
    assert {lab.lab for lab in fit.conflicts} and all(lab.reachable for lab in fit.conflicts)
    with pytest.raises(InputError, match="far outside the population"):
        personalise(typical, labs)


def test_simulate_refuses_impossible_labs_with_the_field_named():
    man = hpgsim.Patient.build(age=30, bmi=24, labs={"shbg": "150 nmol/L", "total_testosterone": "200 ng/dL"})
    with pytest.raises(InputError, match=r"patient\.labs\.(shbg|total_testosterone)"):
        hpgsim.simulate(man, None, weeks=1)


def test_a_factor_a_condition_sets_to_zero_is_fixed_not_estimated():
    chh = apply_conditions(population_parameters(25, 24), [{"name": "secondary_hypogonadism", "cause": "congenital"}])
    labs = simulated_labs(chh, ("total_testosterone", "fsh", "inhibin_b"))
    fit = fit_labs(chh, labs)
    assert fit.fixed == ("gnrh_factor",) and "gnrh_factor" not in fit.names
    assert fit.params[INDEX["gnrh_factor"]] == 0.0 and not fit.conflicts


def test_patient_conditions_reach_the_simulation():
    plain = hpgsim.Patient.build(age=30, bmi=24)
    functional = hpgsim.Patient.build(age=30, bmi=24, conditions=["secondary_hypogonadism"])
    t_plain = hpgsim.simulate(plain, None, weeks=1).values["total_testosterone"][0]
    t_cond = hpgsim.simulate(functional, None, weeks=1).values["total_testosterone"][0]
    assert t_cond < 0.8 * t_plain      # a lower GnRH drive lowers T (functional_gnrh_factor, conditions.py)
    with pytest.raises(InputError, match=r"p\.yaml: patient\.conditions\[0\]\.name"):
        hpgsim.Patient.build(age=30, bmi=24, conditions=["gout"], file="p.yaml")


def test_prolactin_and_semen_volume_are_set_from_the_lab_and_motility_is_estimated():
    typical = population_parameters(30, 24)
    fit = fit_labs(typical, {"prolactin": 30.0, "semen_volume": 1.2, "progressive_motility": 20.0})
    assert fit.params[INDEX["prolactin"]] == 30.0 and fit.params[INDEX["semen_volume"]] == 1.2
    motility = next(f for f in fit.factors if f.name == "motility_factor")
    assert motility.estimate < 1.0 and motility.identifiable    # 20 % is well below the reference 50 %


def test_posterior_draws_centre_on_the_estimate_and_stay_in_range(known_men):
    from hpgsim.people.personalise import _log_bounds

    def far_from_ranges(fit):
        sd = np.sqrt(np.diag(fit.log_cov))
        low, high = np.array([_log_bounds(n) for n in fit.names]).T
        return np.all(fit.log_mean - 2 * sd > low) and np.all(fit.log_mean + 2 * sd < high)

    # clipping at the ranges shifts the mean where a range is near: take a man with none within 2 SD
    # (a range 2 SD away moves the mean by under 0.01 SD, against the tolerance of 0.08 SD below)
    fit = next(fit for _man, _typical, fit in known_men if far_from_ranges(fit))
    draws = fit.draws(np.random.default_rng(5), 4000)
    logs = np.log(draws[:, [INDEX[n] for n in fit.names]])
    sd = np.sqrt(np.diag(fit.log_cov))
    assert np.all(np.abs(logs.mean(axis=0) - fit.log_mean) < 5 * sd / math.sqrt(4000))
    assert np.allclose(logs.std(axis=0), sd, rtol=0.1)
    # drug clearances are not in the labs: they spread as in the population (Yuan 2001's AUC CV 0.32
    # for anastrozole), around the man's own value
    clearance = draws[:, INDEX["anastrozole_clearance_factor"]] / fit.params[INDEX["anastrozole_clearance_factor"]]
    assert abs(np.std(1.0 / clearance) / np.mean(1.0 / clearance) - 0.32) < 0.03
    varied = {INDEX[n] for n in fit.names} | {INDEX[v.factor] for v in PK_VARIATION}
    others = [i for i in range(draws.shape[1]) if i not in varied]
    assert np.array_equal(draws[:, others], np.repeat(fit.params[None, others], 4000, axis=0))


def test_every_fitted_lab_has_a_sourced_measurement_error():
    for lab in SIMULATED:
        err = LAB_ERRORS[lab]
        assert 0 < err.cv < 1 and err.source
