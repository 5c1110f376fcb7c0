"""The engine's drug concentrations against the closed-form Bateman superposition."""

from __future__ import annotations

import math

import numpy as np

from hpgsim.drugs import pk
from hpgsim.drugs.records import get_drug
from hpgsim.engine.run import DoseEvents, run_man
from hpgsim.people.physiology_of_man import population_parameters


def test_single_dose_closed_form_has_label_tmax_and_half_life():
    # independent truth: the label says tmax about 2 h (fasting) and t1/2 about 47-50 h
    d = get_drug("anastrozole")
    t = np.linspace(0.0, 24.0, 24001)
    c = pk.single_dose_concentration(t, 1000.0, d.bioavailability, d.ka_per_h, d.ke_per_h, d.volume_l)
    assert abs(t[np.argmax(c)] - 2.0) < 0.1
    assert 46.0 <= d.half_life_h <= 50.0
    # apparent clearance CL/F = ke * V / F must be Mauras 2009's 1.54 L/h
    assert math.isclose(d.ke_per_h * d.volume_l / d.bioavailability, 1.54, rel_tol=1e-9)


def test_engine_concentrations_equal_superposition_of_single_doses():
    d = get_drug("anastrozole")
    dose_times = [24.0 * k for k in range(28)] + [700.0]          # daily, plus an extra off-grid dose
    events = DoseEvents.from_list([(t, "anastrozole", 1000.0) for t in dose_times])
    out_t = np.linspace(0.0, 6 * 168.0, 500)
    run = run_man(population_parameters(30, 23), events, 6 * 168.0, out_t=out_t)
    expected = sum(pk.single_dose_concentration(out_t - t0, 1000.0, d.bioavailability, d.ka_per_h, d.ke_per_h, d.volume_l)
                   for t0 in dose_times)
    # outputs at a dose instant are taken before that dose (trough), as the superposition with t >= 0 does too
    assert np.max(np.abs(run.conc[:, 0] - expected)) <= 1e-9 * np.max(expected)


def test_steady_state_accumulation_matches_the_geometric_series():
    # for 1 mg daily the trough at steady state is C1(24) / (1 - exp(-ke 24)) (closed form; the
    # absorption terms add exp(-ka 24) ~ 1e-27 of that and are left out)
    d = get_drug("anastrozole")
    c1 = pk.single_dose_concentration(np.array([24.0]), 1000.0, d.bioavailability, d.ka_per_h, d.ke_per_h, d.volume_l)[0]
    trough_ss = c1 / (1.0 - math.exp(-d.ke_per_h * 24.0))
    events = DoseEvents.from_list([(24.0 * k, "anastrozole", 1000.0) for k in range(120)])
    run = run_man(population_parameters(30, 23), events, 120 * 24.0, every_h=24.0)
    assert abs(run.conc[-1, 0] - trough_ss) / trough_ss < 1e-6


def test_a_man_who_clears_twice_as_fast_has_half_the_exposure():
    # linear PK: AUC of one dose = F D / CL, and CL = ke V, so doubling his clearance halves the
    # area and halves the half-life; the closed form with ke doubled is the independent truth
    from hpgsim.physiology.parameters import INDEX

    d = get_drug("anastrozole")
    assert d.clearance_factor == "anastrozole_clearance_factor"
    p = population_parameters(30, 23)
    p[INDEX[d.clearance_factor]] = 2.0
    out_t = np.linspace(0.0, 20 * 168.0, 20001)
    run = run_man(p, DoseEvents.from_list([(0.0, "anastrozole", 1000.0)]), out_t[-1], out_t=out_t)
    expected = pk.single_dose_concentration(out_t, 1000.0, d.bioavailability, d.ka_per_h, 2.0 * d.ke_per_h, d.volume_l)
    assert np.max(np.abs(run.conc[:, 0] - expected)) <= 1e-9 * np.max(expected)
    auc = np.trapezoid(run.conc[:, 0], out_t)
    assert math.isclose(auc, d.bioavailability * 1000.0 / (2.0 * d.ke_per_h * d.volume_l), rel_tol=1e-3)


def test_virtual_men_spread_in_exposure_as_the_published_auc():
    # the population's clearance factors: median 1 (the typical man is the record's PK) and the
    # CV of the published AUC (Yuan 2001: 443 +/- 141 ug.h/L, CV 0.32), since AUC = F D / CL
    from hpgsim.people.population import sample_men
    from hpgsim.physiology.parameters import INDEX

    men = sample_men(3, 4000, age={"min": 20, "max": 40})
    auc = 1.0 / men[:, INDEX["anastrozole_clearance_factor"]]
    assert abs(np.median(auc) - 1.0) < 0.03
    assert abs(np.std(auc) / np.mean(auc) - 141.0 / 443.0) < 0.03
