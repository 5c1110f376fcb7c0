"""Brain aromatase in the hypothalamic estrogen signal (model.hypothalamic_e2_signal) and the
aromatase inhibitors' access to it (DrugRecord.cns_access, channel cns_aromatase_inhibition)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import hpgsim
from hpgsim.calibration.parameter_set import ParameterSet
from hpgsim.drugs import pk
from hpgsim.drugs.records import get_drug
from hpgsim.engine.run import DoseEvents
from hpgsim.physiology import model


def _channels(cns_access: float, conc_ng_ml: float = 20.0) -> np.ndarray:
    """Channels of one aromatase inhibitor whose plasma level is ``conc_ng_ml`` (all of it central)."""
    drug = replace(get_drug("anastrozole"), cns_access=cns_access)
    events = DoseEvents((drug,), np.zeros(0), np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0, dtype=np.int64))
    static = events.pk_static()
    state = np.zeros((1, 3))
    state[0, pk.CEN0] = conc_ng_ml * drug.volume_l
    ch = np.zeros(model.N_CHANNELS)
    model.drug_channels(0.0, static, state, ch)
    return ch


def test_signal_is_serum_free_e2_when_the_brain_makes_none():
    rng = np.random.default_rng(0)
    for _ in range(20):
        ch = np.zeros(model.N_CHANNELS)
        ch[model.CH_ER_ANT], ch[model.CH_ER_AGO], ch[model.CH_AROM_CNS] = rng.uniform(0, 1, 3)
        fe2, ft = rng.uniform(0.1, 3.0, 2)
        # share 0 is the model before brain aromatase: the serum signal, exactly
        assert model.hypothalamic_e2_signal(fe2, ft, 1.0, 0.0, ch) == fe2 * (1.0 - ch[model.CH_ER_ANT]) + ch[model.CH_ER_AGO]


@pytest.mark.parametrize("share", [0.0, 0.3, 0.9])
def test_reference_man_signal_is_one_whatever_the_share(share):
    # the share splits the reference man's signal without changing it, so his GnRH drive and
    # every normaliser of the brakes stay as they were
    ch = np.zeros(model.N_CHANNELS)
    assert model.hypothalamic_e2_signal(1.0, 1.0, 1.0, share, ch) == pytest.approx(1.0, abs=1e-15)


def test_brain_aromatase_follows_free_t_and_the_enzyme_left():
    ch = np.zeros(model.N_CHANNELS)
    # all local: doubling free T doubles the signal; an inactivated enzyme (exemestane) makes none
    assert model.hypothalamic_e2_signal(0.0, 2.0, 1.0, 1.0, ch) == pytest.approx(2.0)
    assert model.hypothalamic_e2_signal(0.0, 2.0, 0.0, 1.0, ch) == 0.0
    ch[model.CH_AROM_CNS] = 0.75
    assert model.hypothalamic_e2_signal(0.0, 2.0, 1.0, 1.0, ch) == pytest.approx(0.5)


def test_an_inhibitor_that_does_not_reach_the_brain_leaves_its_aromatase_alone():
    blocked = _channels(cns_access=0.0)
    assert blocked[model.CH_AROM] > 0.3
    assert blocked[model.CH_AROM_CNS] == 0.0
    full = _channels(cns_access=1.0)
    assert full[model.CH_AROM_CNS] == pytest.approx(full[model.CH_AROM], rel=1e-12)
    # the brain sees the unbound level times its access: an Emax curve at cns_access x level
    half = _channels(cns_access=0.5)
    assert half[model.CH_AROM_CNS] == pytest.approx(_channels(1.0, 10.0)[model.CH_AROM], rel=1e-12)


def test_an_aromatase_inhibitor_raises_lh_more_when_it_blocks_brain_aromatase():
    # with part of the estrogen signal made in the brain, blocking it there removes more of the
    # brake than the fall of serum E2 alone. Anastrozole shows it: at 1 mg daily its plasma level
    # (about 20 ng/mL) saturates the block, so free brain access blocks brain aromatase fully while
    # the fitted access (0.02, about 0.5 ng/mL in the brain) blocks a fraction of it. (Letrozole's
    # block saturates near 1 ng/mL, so over its plausible access, 0.3-1, it is full either way.)
    man = hpgsim.Patient.build(age=30, bmi=24)

    def lh_rise(access: float) -> float:
        with ParameterSet({"anastrozole.cns_access": access, "cns_aromatisation_share": 0.4}).applied():
            frame = hpgsim.simulate(man, "anastrozole 1 mg daily", weeks=4).to_frame()
        lh = frame[frame.measure == "lh"].sort_values("week").value.to_numpy()
        return lh[-1] / lh[0]

    assert lh_rise(1.0) > 1.05 * lh_rise(0.02)


def test_a_record_cannot_act_on_the_derived_channel_or_have_negative_brain_access():
    drug = get_drug("anastrozole")
    with pytest.raises(ValueError, match="derived from 'aromatase_inhibition'"):
        replace(drug, channel="cns_aromatase_inhibition")
    with pytest.raises(ValueError, match="cns_access"):
        replace(drug, cns_access=-0.1)
