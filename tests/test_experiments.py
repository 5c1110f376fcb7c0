"""The calibration set's physiology experiments that are not trials (Pitteloud 2008)."""

from __future__ import annotations

import numpy as np
import pytest

from hpgsim.calibration import experiments
from hpgsim.calibration.experiments import experiment_reason, experiment_targets, pitteloud2008_lh
from hpgsim.engine.steady_state import steady_state
from hpgsim.people.physiology_of_man import population_parameters
from hpgsim.physiology import model
from hpgsim.physiology.parameters import INDEX


@pytest.fixture(scope="module")
def lh():
    return pitteloud2008_lh()


def test_published_ratios_are_read_from_the_abstract():
    # 17.4 / 34.6 and 19.0 / 36.4 IU/L (Pitteloud 2008): each add-back about halves LH
    assert experiments.T_ADDBACK[0] == pytest.approx(0.503, abs=1e-3)
    assert experiments.E2_ADDBACK[0] == pytest.approx(0.522, abs=1e-3)
    # interval half-widths from the SEMs by the delta method: about 0.23 and 0.20
    assert 0.15 < experiments.T_ADDBACK[1] < 0.3 and 0.15 < experiments.E2_ADDBACK[1] < 0.3


def test_directions_hold(lh):
    # castration raises LH; each sex steroid on its own lowers it again (independent effects)
    assert lh["kc_fold"] > 1.5
    assert lh["t_addback"] < 1.0
    assert lh["e2_addback"] < 1.0


def test_targets_carry_a_reason_when_they_fail():
    targets = experiment_targets()
    assert [t.arm for t in targets] == ["ketoconazole", "ketoconazole_t_addback", "ketoconazole_e2_addback"]
    for t in targets:
        assert t.passed == (abs(t.residual) <= 1.0)
        assert (experiment_reason(t) == "") == t.passed
        assert "no cause identified" not in experiment_reason(t)


@pytest.mark.xfail(strict=True, reason="the E2 brake fitted to the aromatase-inhibitor trials is close to a power law "
                   "(e2_hyp_k at its 0.2 bound): with no E2 LH rises about 300-fold, not 3-fold (docs/validation.md)")
def test_medical_castration_triples_lh(lh):
    lo, hi = experiments.KC_FOLD[0] - experiments.KC_FOLD[1], experiments.KC_FOLD[0] + experiments.KC_FOLD[1]
    assert lo <= lh["kc_fold"] <= hi


@pytest.mark.xfail(strict=True, reason="the same near-power-law E2 brake: with E2 production removed a typical man's LH "
                   "settles about 100-fold above his own and FSH about 190-fold. Both brakes bounded at 0.5 and refitted "
                   "with seven other feedback and drug constants bring it to 12-fold, but the calibration set falls from 53 "
                   "to 49 of 63 passes: T'Sjoen 2005's LH x4.4 on letrozole wants the steepest brake allowed "
                   "(docs/calibration-bounded-e2-brake.md); a ceiling on GnRH drive refitted with the feedback "
                   "constants gives 13-fold and loses two passes (docs/calibration-gnrh-ceiling.md)")
def test_an_aromatase_deficient_man_has_lh_raised_at_most_a_few_fold():
    # Men without aromatase (CYP19A1 loss of function) have high-normal or raised gonadotropins and
    # testosterone ("high gonadotropin and testosterone levels": Aromatase inhibitors in men,
    # Reprod Biol Endocrinol 2011;9:93, http://www.rbej.com/content/9/1/93). Removing T as well does
    # less than the model does here: medical castration triples LH within a week (Pitteloud 2008) and
    # agonadal men have 34.3 +/- 8.6 IU/L against 5.7 in normal men, six-fold (Spijkstra et al.,
    # https://research.vumc.nl/en/publications/divergent-effects-of-the-antiestrogen-tamoxifen-and-of-estrogens-).
    # A man who keeps his T stays below the castrate: at most 5 times is the reading here.
    p = population_parameters(30.0, 24.0)
    lh0 = steady_state(p)[0][model.LH]
    q = np.array(p, copy=True)
    q[INDEX["e2_prod_pmol_h"]] *= 1e-4          # no aromatase anywhere: no serum E2 ...
    q[INDEX["cns_aromatisation_share"]] = 0.0   # ... and none made in the brain
    fold = steady_state(q)[0][model.LH] / lh0
    assert 1.0 < fold <= 5.0, fold


def test_calibrate_includes_the_experiments_only_when_asked(monkeypatch):
    from hpgsim.calibration import fit

    seen = []
    monkeypatch.setattr(fit, "all_targets", lambda specs, n, seed, tick=None: [])
    monkeypatch.setattr(fit, "experiment_targets", lambda: seen.append(1) or [])
    fit.evaluate_set({}, [], 0, 1)
    assert not seen
    fit.evaluate_set({}, [], 0, 1, experiments=True)
    assert seen


def test_both_reports_show_the_experiments_under_the_calibration_set_and_keep_the_validation_set(tmp_path):
    import dataclasses

    from hpgsim.trials import html_report
    from hpgsim.trials.validation import markdown, run_all

    run = run_all(n_virtual=5, seed=1, only=("leder2004", "shah2021"))   # one spec from each set
    run = dataclasses.replace(run, experiments=tuple(experiment_targets()))
    for page in (markdown(run), html_report.render(run, [], tmp_path)):
        calibration, experiments, validation = (page.find("Calibration set"), page.find("Physiology experiments"),
                                                page.find("Validation set"))
        assert 0 <= calibration < experiments < validation, (calibration, experiments, validation)
        assert page.count("pitteloud2008") == 3
