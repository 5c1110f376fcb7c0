"""The batch engine against the single-man path, man by man, and its failure and memory rules."""

from __future__ import annotations

import numpy as np
import pytest

from hpgsim.drugs.protocol import Protocol
from hpgsim.engine import batch, dopri
from hpgsim.engine.batch import BatchResult, iter_batch, pack, run_batch
from hpgsim.engine.run import DoseEvents, run_man
from hpgsim.engine.steady_state import _steady_state_scipy, baseline, reference_state_into, state_scale_into
from hpgsim.errors import InputError
from hpgsim.people.population import sample_men
from hpgsim.physiology import model

WEEKS = np.arange(0.0, 13.0)
OUT_T = WEEKS * 168.0
OUTPUTS = ("total_testosterone", "estradiol", "lh", "fsh", "sperm_concentration", "bmd_spine",
           "concentration:anastrozole")


def _men(n: int, seed: int = 11) -> np.ndarray:
    return sample_men(np.random.default_rng(seed), n, age={"min": 20, "max": 70}, bmi={"mean": 28, "sd": 5})


def _events(text: str) -> DoseEvents:
    return DoseEvents.from_list(Protocol.coerce(text).dose_events(OUT_T[-1]))


def _single(p: np.ndarray, ev: DoseEvents) -> dict[str, np.ndarray]:
    """The same outputs from run_man (the single-man path), by the definitions of hpgsim.api."""
    raw = run_man(p, ev, float(OUT_T[-1]), out_t=OUT_T)
    conc = np.zeros(OUT_T.size)
    for d, drug in enumerate(raw.drugs):
        if drug.name == "anastrozole":
            conc = conc + raw.conc[:, d]
    return {"total_testosterone": raw.alg[:, model.A_TT], "estradiol": raw.alg[:, model.A_E2],
            "lh": raw.y[:, model.LH], "fsh": raw.alg[:, model.A_FSH_EFF], "sperm_concentration": raw.alg[:, model.A_SPERM],
            "bmd_spine": raw.y[:, model.BMD], "concentration:anastrozole": conc}


def _assert_equal_to_single(res: BatchResult, i: int, p: np.ndarray, ev: DoseEvents) -> None:
    single = _single(p, ev)
    for name in OUTPUTS:
        got, want = res.values[name][i], single[name]
        assert np.allclose(got, want, rtol=1e-9, atol=1e-12 * max(np.max(np.abs(want)), 1e-300)), (name, i)


def test_batch_equals_single_man_runs_man_by_man():
    men = _men(6)
    ev = _events("anastrozole 1 mg daily")
    res = run_batch(men, ev, OUT_T, OUTPUTS)
    assert np.all(res.ok)
    for i, p in enumerate(men):
        _assert_equal_to_single(res, i, p, ev)
    # the drug really acted (an aromatase inhibitor lowers E2), so the comparison is not of baselines
    assert np.all(res.values["estradiol"][:, -1] < 0.8 * res.values["estradiol"][:, 0])


def test_different_protocols_per_man_in_one_batch():
    men = _men(5, seed=12)
    protocols = [_events(text) for text in ("anastrozole 1 mg daily", "clomiphene_citrate 25 mg daily",
                                            "hcg 2000 IU twice weekly", "anastrozole 1 mg twice weekly")]
    none = DoseEvents.from_list([])
    per_man = protocols + [none]
    res = run_batch(men, per_man, OUT_T, OUTPUTS)
    assert np.all(res.ok)
    for i, p in enumerate(men):
        _assert_equal_to_single(res, i, p, per_man[i])
    # a man without anastrozole has no anastrozole in his blood; the two regimens differ in it
    conc = res.values["concentration:anastrozole"]
    assert np.all(conc[[1, 2, 4]] == 0.0)
    assert conc[0, -1] > 2.0 * conc[3, -1]      # daily vs twice weekly at trough


def test_men_sharing_a_protocol_share_one_packed_copy():
    ev = _events("anastrozole 1 mg daily")
    protocols, man_q = batch._protocols_of([ev] * 4, 4)
    assert len(protocols) == 1 and np.all(man_q == 0)
    packed = pack(protocols, OUTPUTS)
    assert packed.ev_t.size == ev.t.size


def test_a_failing_man_gets_a_status_and_the_others_are_unaffected():
    men = _men(4, seed=13)
    ev = _events("anastrozole 1 mg daily")
    good = run_batch(men, ev, OUT_T, OUTPUTS)
    broken = men.copy()
    broken[2, 0] = np.nan              # a parameter no steady state can come from
    res = run_batch(broken, ev, OUT_T, OUTPUTS)
    assert res.status[2] == batch.NO_STEADY_STATE
    assert res.messages()[2] == batch.STATUS_TEXT[batch.NO_STEADY_STATE]
    keep = [0, 1, 3]
    assert np.all(res.ok[keep])
    for name in OUTPUTS:
        assert np.array_equal(res.values[name][keep], good.values[name][keep])
    # a non-finite start state fails in the solver, not the batch
    y0 = np.array([baseline_of(p)[0] for p in men])
    q = np.array([baseline_of(p)[1] for p in men])
    y0[1, model.LH] = np.inf
    res = run_batch(q, ev, OUT_T, OUTPUTS, y0=y0)
    assert res.status[1] == dopri.NON_FINITE
    assert np.all(res.ok[[0, 2, 3]])
    for name in OUTPUTS:
        assert np.allclose(res.values[name][[0, 2, 3]], good.values[name][[0, 2, 3]], rtol=1e-12, atol=0.0)
    # a step budget too small for a year fails every man with that status, and nothing is raised
    res = run_batch(men[:2], ev, OUT_T, OUTPUTS, max_steps=50)
    assert np.all(res.status == dopri.MAX_STEPS)


def baseline_of(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y, q = np.zeros(model.N_STATES), p.copy()
    assert baseline(p, y, q)
    return y, q


def test_output_memory_is_only_what_was_asked_for():
    men = _men(10, seed=14)
    ev = _events("anastrozole 1 mg daily")
    res = run_batch(men, ev, OUT_T, ("total_testosterone", "lh"))
    assert set(res.values) == {"total_testosterone", "lh"}
    assert all(v.shape == (10, OUT_T.size) for v in res.values.values())
    # two outputs x 13 times x 10 men of float64, plus status, steps and the parameter vectors
    assert res.nbytes == 2 * 13 * 10 * 8 + 2 * 10 * 8 + men.nbytes
    # streaming: chunks of at most 4 men, covering everyone once, equal to the whole batch
    seen = []
    for part, chunk in iter_batch(men, ev, OUT_T, ("total_testosterone", "lh"), chunk=4):
        assert chunk.values["lh"].shape[0] <= 4
        assert np.array_equal(chunk.values["lh"], res.values["lh"][part])
        seen.extend(range(part.start, part.stop))
    assert seen == list(range(10))


def test_parallel_result_equals_serial_result():
    men = _men(8, seed=15)
    ev = _events("anastrozole 1 mg twice weekly")
    par = run_batch(men, ev, OUT_T, OUTPUTS, parallel=True)
    ser = run_batch(men, ev, OUT_T, OUTPUTS, parallel=False)
    for name in OUTPUTS:
        assert np.array_equal(par.values[name], ser.values[name])
    assert np.array_equal(par.steps, ser.steps) and np.array_equal(par.status, ser.status)


def test_compiled_baseline_matches_the_scipy_root_and_the_reference_state():
    for p in _men(5, seed=16):
        y, q = baseline_of(p)
        y2, q2 = _steady_state_scipy(p)
        scale = model.state_scale(p)
        assert np.max(np.abs(y - y2) / scale) < 1e-8
        assert np.allclose(q, q2, rtol=1e-8, atol=1e-12)
        # and it is a steady state: every solved state's derivative vanishes
        dy = np.zeros(model.N_STATES)
        model.rhs_core(y, q, np.zeros(model.N_CHANNELS), np.zeros(model.N_ALG), dy)
        solved = [i for i in range(model.N_STATES) if i not in (model.BMD, model.ISI)]
        assert np.max(np.abs(dy[solved] / scale[solved])) < 1e-9
        r, s = np.zeros(model.N_STATES), np.zeros(model.N_STATES)
        reference_state_into(p, r)
        state_scale_into(p, s)
        assert np.array_equal(r, model.reference_state(p)) and np.array_equal(s, model.state_scale(p))


def test_per_man_constants_give_the_same_right_hand_side_as_evaluating_them_in_place():
    # constants() only moves parameter-only work out of the hot path: recomputing the drive and
    # brake terms from the parameters with the textbook Hill forms must give the same derivative
    rng = np.random.default_rng(17)
    for p in _men(3, seed=17):
        y, q = baseline_of(p)
        c = np.empty(model.N_CONST)
        model.constants(q, c)
        assert c[model.K_E2H_NORM] == 1.0 / (1.0 + (1.0 / q[model.P_E2H_K]) ** q[model.P_E2H_N])
        assert c[model.K_KLH] == model.LN2 / (q[model.P_LH_HL] / 60.0)
        for _ in range(5):
            yy = y * np.exp(0.3 * rng.standard_normal(y.size))
            ch = rng.uniform(0.0, 0.5, model.N_CHANNELS)
            d1, d2 = np.zeros(model.N_STATES), np.zeros(model.N_STATES)
            a1, a2 = np.zeros(model.N_ALG), np.zeros(model.N_ALG)
            model.rhs_core(yy, q, ch, a1, d1)
            model.rhs_core_c(yy, q, c, ch, a2, d2)
            assert np.array_equal(d1, d2) and np.array_equal(a1, a2)
            # an independent evaluation of one equation: dLH/dt = k_lh (ref_lh lh_factor rel_lh pool - LH)
            gp = a1[model.A_GNRH] * (1.0 - yy[model.GNRHR_DESENS]) + q[model.P_EXO_MAX] * ch[model.CH_GNRHR] * (1.0 - yy[model.GNRHR_DESENS])
            rel = q[model.P_LH_BASAL] + (1.0 - q[model.P_LH_BASAL]) * gp
            want = np.log(2.0) / (q[model.P_LH_HL] / 60.0) * (q[model.P_REF_LH] * q[model.P_LHF] * rel * yy[model.LH_POOL] - yy[model.LH])
            assert d1[model.LH] == pytest.approx(want, rel=1e-9, abs=1e-12)


def test_bad_input_names_the_field():
    men = _men(2, seed=18)
    ev = _events("anastrozole 1 mg daily")
    with pytest.raises(InputError, match="outputs"):
        run_batch(men, ev, OUT_T, ("not_a_measure",))
    with pytest.raises(InputError, match="params"):
        run_batch(men[:, :5], ev, OUT_T)
    with pytest.raises(InputError, match="events"):
        run_batch(men, [ev], OUT_T)
    with pytest.raises(InputError, match="out_t"):
        run_batch(men, ev, OUT_T[::-1])


def test_trial_measures_equal_the_trial_runners_single_man_path():
    # what trials/run.py would ask for: the batch must give what simulate_man gives, measure by measure
    from hpgsim.trials.chunks import simulate_man

    men = _men(3, seed=19)
    ev = _events("anastrozole 1 mg daily")
    measures = ("total_testosterone", "free_testosterone", "t_e2_ratio", "t_lh_ratio", "prolactin", "inhibin_b",
                "shbg", "insulin_sensitivity", "concentration:anastrozole", "concentration:hcg")
    res = run_batch(men, ev, OUT_T, measures)
    for i, p in enumerate(men):
        want = simulate_man(p, ev, WEEKS, measures)
        for m in measures:
            assert np.allclose(res.values[m][i], want[m], rtol=1e-9, atol=0.0), m
    assert np.all(res.values["concentration:hcg"] == 0.0)


def test_output_times_do_not_change_the_solution_between_doses():
    # dense output: outputs between doses are read off the step that spans them, so asking for
    # hourly instead of daily outputs neither adds steps nor changes the shared values
    p = _men(1, seed=20)[0]
    ev = DoseEvents.from_list([(84.0 * d, "anastrozole", 1000.0) for d in range(8)])   # twice weekly
    daily = run_man(p, ev, 4 * 168.0, out_t=np.arange(0.0, 4 * 168.0 + 1.0, 24.0))
    hourly = run_man(p, ev, 4 * 168.0, out_t=np.arange(0.0, 4 * 168.0 + 1.0, 1.0))
    assert hourly.steps == daily.steps
    assert np.array_equal(hourly.y[::24], daily.y) and np.array_equal(hourly.alg[::24], daily.alg)
    # and the interpolated values are accurate: against SciPy's LSODA at 1e-9 on the same grid
    from hpgsim.engine.reference import run_reference

    out_t = np.arange(0.0, 2 * 168.0 + 1.0, 5.0)       # mostly between doses and between steps
    ours = run_man(p, ev, 2 * 168.0, out_t=out_t)
    ys, algs = run_reference(p, ev, out_t, method="LSODA")
    assert np.max(np.abs(ours.y[:, model.LH] / ys[:, model.LH] - 1)) < 2e-5
    assert np.max(np.abs(ours.alg[:, model.A_TT] / algs[:, model.A_TT] - 1)) < 2e-5
