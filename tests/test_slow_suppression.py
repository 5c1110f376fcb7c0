"""The slow suppression of GnRH drive by a sustained high estrogen signal (model.SLOW_SUPP)."""

from __future__ import annotations

import numpy as np
import pytest

from hpgsim.calibration.parameter_set import ParameterSet
from hpgsim.drugs.protocol import Protocol
from hpgsim.engine.run import DoseEvents, run_man
from hpgsim.engine.steady_state import steady_state
from hpgsim.people.physiology_of_man import population_parameters
from hpgsim.physiology import model
from hpgsim.physiology.parameters import INDEX

H_WEEK = 168.0


def _lh_on_te(weeks_on: int, weeks_total: int, *, off: bool = False) -> np.ndarray:
    """Weekly LH (each week's trough) of a 30-year-old on testosterone enanthate 200 mg weekly for
    ``weeks_on`` weeks, followed to ``weeks_total``; ``off`` switches the slow suppression off."""
    with ParameterSet({"slow_gnrh_suppression_max": 0.0} if off else {}).applied():
        p = population_parameters(30.0, 24.0)
        protocol = Protocol.coerce({"drug": "testosterone_enanthate", "dose": "200 mg", "schedule": "weekly",
                                    "start_week": 0, "weeks": weeks_on})
        events = DoseEvents.from_list(protocol.dose_events(weeks_total * H_WEEK))
        out_t = np.arange(0, weeks_total + 1) * H_WEEK
        run = run_man(p, events, weeks_total * H_WEEK, out_t=out_t)
    return run.y[:, model.LH]


def test_reference_man_starts_at_a_small_suppression():
    p = population_parameters(30.0, 24.0)
    y, _ = steady_state(p)
    s_max, k = p[INDEX["slow_gnrh_suppression_max"]], p[INDEX["slow_gnrh_suppression_e2_k"]]
    # the target at the reference man's own E2 signal (about 1): s_max / (1 + k^4), small for k > 1
    assert y[model.SLOW_SUPP] == pytest.approx(s_max / (1.0 + k ** 4), rel=0.25)
    assert y[model.SLOW_SUPP] < 0.5 * s_max          # k above 1 (its range) keeps it under half


def test_lh_stays_lower_at_the_trough_of_a_testosterone_cycle():
    # Coviello 2005: LH -95 % at week 3 of TE 200 mg weekly, measured before the next dose. Without
    # the slow suppression LH climbs back as T falls through each week; with it, it stays lower.
    with_state, without = _lh_on_te(6, 6), _lh_on_te(6, 6, off=True)
    assert with_state[3] < without[3]
    assert with_state[6] < 0.9 * without[6]


def test_lh_returns_later_after_testosterone_stops():
    # after the last injection (week 12) serum T falls back within weeks (enanthate release
    # half-life 4.5 days); the slow suppression wears off over months, so LH returns later
    with_state, without = _lh_on_te(12, 24), _lh_on_te(12, 24, off=True)
    assert with_state[16] < without[16]
