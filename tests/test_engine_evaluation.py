"""How the solver evaluates the model: borrowed array views and direct calls, never different numbers.

The solver (hpgsim.engine.dopri) does not call ``model.rhs_c``: for speed it makes that
function's two calls itself, on borrowed views of its arrays (hpgsim.engine.borrowed). These
tests pin both shortcuts to what they replace, so a change to the model's right-hand side that
the solver does not follow fails here rather than silently giving the engine another model.
"""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit

from hpgsim.drugs import pk
from hpgsim.engine import borrowed
from hpgsim.engine.run import DoseEvents
from hpgsim.engine.steady_state import steady_state
from hpgsim.people.population import sample_men
from hpgsim.physiology import model

# every kind of drug effect: reversible aromatase block (Hill), irreversible inactivation, an ER
# antagonist given as a mixture (partial agonist part), linear LH- and FSH-receptor agonists,
# GnRH-receptor agonism, a depot feeding testosterone
DOSES = [(0.0, "anastrozole", 1000.0), (0.0, "exemestane", 25000.0), (0.0, "clomiphene_citrate", 25000.0),
         (0.0, "hcg", 2000.0), (0.0, "fsh", 75.0), (0.0, "gonadorelin", 10.0), (0.0, "testosterone_cypionate", 100.0),
         (12.0, "anastrozole", 1000.0)]


@njit(cache=True)
def _two_calls(t, y, p, c, pk_static, pk_state, ch, a, dy):
    """What the solver does at each stage, on borrowed views as there."""
    yv, pv, cv, chv, av, dyv = (borrowed.borrow1(y), borrowed.borrow1(p), borrowed.borrow1(c), borrowed.borrow1(ch),
                                borrowed.borrow1(a), borrowed.borrow1(dy))
    sv, stv = borrowed.borrow2(pk_static), borrowed.borrow2(pk_state)
    model.drug_channels(t, sv, stv, chv)
    model.rhs_core_c(yv, pv, cv, chv, av, dyv)


def test_the_solvers_evaluation_is_the_models_right_hand_side_bit_for_bit():
    men = sample_men(np.random.default_rng(5), 4, age={"min": 20, "max": 70}, bmi={"mean": 28, "sd": 5})
    events = DoseEvents.from_list(DOSES)
    pk_static = events.pk_static()
    rng = np.random.default_rng(1)
    for p0 in men:
        y0, p = steady_state(p0)
        c = np.empty(model.N_CONST)
        model.constants(p, c)
        pk_state = np.zeros((len(events.drugs), 3))
        for i in range(events.t.size):
            pk.give_dose(pk_state, pk_static, int(events.drug[i]), float(events.t[i]), float(events.amount[i]),
                         bool(events.central[i]))
        for t in (12.0, 12.3, 14.0, 40.0, 300.0):
            y = y0 * rng.uniform(0.7, 1.3, y0.size)          # away from the steady state too
            want = np.zeros(model.N_STATES)
            ch_w, a_w = np.zeros(model.N_CHANNELS), np.zeros(model.N_ALG)
            model.rhs_c(t, y, p, c, pk_static, pk_state, ch_w, a_w, want)
            got = np.zeros(model.N_STATES)
            ch_g, a_g = np.zeros(model.N_CHANNELS), np.zeros(model.N_ALG)
            _two_calls(t, y, p, c, pk_static, pk_state, ch_g, a_g, got)
            assert np.any(ch_w != 0.0)                        # the drugs act at these times
            assert np.array_equal(got, want) and np.array_equal(a_g, a_w) and np.array_equal(ch_g, ch_w)


@njit(cache=True)
def _write_through_views(x, m):
    xv, mv = borrowed.borrow1(x), borrowed.borrow2(m)
    xv[1] = 5.0
    mv[1, 2] = 7.0
    return xv[0] + mv[0, 1], xv.shape[0], mv.shape


@njit(cache=True)
def _borrow_strided(m):
    return borrowed.borrow1(m[:, 0])[0]


def test_a_borrowed_view_is_the_same_memory():
    x = np.array([1.0, 2.0, 3.0])
    m = np.arange(12.0).reshape(3, 4)
    first, n, shape = _write_through_views(x, m)
    assert first == 1.0 + 1.0 and n == 3 and shape == (3, 4)
    assert x[1] == 5.0 and m[1, 2] == 7.0                  # writes land in the caller's arrays


def test_borrowing_a_non_contiguous_array_is_refused():
    with pytest.raises(ValueError):
        _borrow_strided(np.arange(12.0).reshape(3, 4))
