"""Mechanics of the fertility drugs, each checked against a truth outside the code under test:
closed-form PK, published concentration ratios, and the physiology every clinician knows
(pulsatile GnRH stimulates, continuous GnRH suppresses; exogenous T shuts the testis down)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hpgsim import Patient, simulate
from hpgsim.api import measures_of
from hpgsim.drugs.protocol import DoseSegment, Protocol
from hpgsim.drugs.records import all_drugs, get_drug
from hpgsim.engine.run import DoseEvents, run_man
from hpgsim.errors import InputError
from hpgsim.people.conditions import apply_conditions
from hpgsim.people.physiology_of_man import population_parameters
from hpgsim.physiology import model

TRIAL_SPEC_DRUGS = ("anastrozole", "letrozole", "exemestane", "tamoxifen", "clomiphene_citrate", "enclomiphene",
                    "hcg", "fsh", "gonadorelin", "testosterone_cypionate", "testosterone_enanthate",
                    "testosterone_undecanoate", "testosterone_gel", "placebo")


def _run(p, regimen, weeks, out_weeks):
    prot = Protocol.coerce(regimen)
    t_end = weeks * 168.0
    raw = run_man(p, DoseEvents.from_list(prot.dose_events(t_end)), t_end, out_t=np.asarray(out_weeks, float) * 168.0)
    return raw, measures_of(raw)


def test_every_trial_format_drug_is_registered_with_sources():
    drugs = all_drugs()
    for name in TRIAL_SPEC_DRUGS:
        assert name in drugs
        if name != "placebo":
            assert drugs[name].sources, name
            assert drugs[name].usual_regimen.startswith(name)


def test_zuclomiphene_is_a_part_not_a_drug_people_take():
    with pytest.raises(InputError, match="known drugs"):
        get_drug("zuclomiphene")
    assert get_drug("zuclomiphene", internal_ok=True).internal


def test_clomiphene_accumulates_zuclomiphene_about_20_to_1():
    # Helo 2017: median zuclomiphene 44 ng/mL and enclomiphene 2.2 ng/mL (ratio 20) in men on
    # 25 mg daily for months. Averaged over a dosing interval at steady state the ratio follows
    # from the isomer fractions and clearances; at any single sampling time it lies within 2x.
    p = population_parameters(36, 32)
    raw, m = _run(p, "clomiphene_citrate 25 mg daily", 30, np.arange(29 * 168, 29 * 168 + 24) / 168.0)  # hourly, one day
    enc, zuc = m["concentration:enclomiphene"], m["concentration:zuclomiphene"]
    assert 10.0 < np.mean(zuc) / np.mean(enc) < 40.0
    assert 1.0 < np.mean(enc) < 5.0 and 25.0 < np.mean(zuc) < 60.0


def test_clomiphene_dose_splits_into_its_isomers():
    ev = DoseEvents.from_list([(0.0, "clomiphene_citrate", 25_000.0)])
    names = [d.name for d in ev.drugs]
    assert names == ["enclomiphene", "zuclomiphene"]
    assert math.isclose(ev.amount.sum(), 25_000.0)


def test_exemestane_effect_outlasts_the_drug():
    # irreversible inactivation: after the last dose the drug is cleared (t1/2 8.9 h) long
    # before aromatase is resynthesised, so active enzyme stays below 1 three days later.
    p = population_parameters(20, 23)
    raw, m = _run(p, {"drug": "exemestane", "dose": "25 mg", "schedule": "daily", "weeks": 1}, 2,
                  [0, 1, 1 + 3 / 7, 2])
    conc = m["concentration:exemestane"]
    active = raw.y[:, model.AROM_ACTIVE]
    assert active[0] == pytest.approx(1.0)
    assert active[1] < 0.9
    assert conc[2] < 0.01 * 17.0          # three days after the last dose: drug essentially gone
    assert active[2] < 0.999 and active[3] > active[2]   # still recovering, recovery under way


def test_exemestanes_androgenic_metabolite_adds_to_the_androgen_brake_in_proportion_to_the_drug():
    # 17-hydroxyexemestane binds the androgen receptor (Ariazi 2007) and is formed from the parent:
    # the channel is the record's potency times the plasma level, and no other drug adds to it
    rec = get_drug("exemestane")
    assert rec.androgen_per_level > 0.0
    events = DoseEvents.from_list([(0.0, "exemestane", 25000.0), (0.0, "anastrozole", 1000.0)])
    tab = events.pk_static()
    state = np.zeros((2, 3))
    from hpgsim.drugs import pk

    for e in range(events.t.size):
        pk.give_dose(state, tab, int(events.drug[e]), 0.0, float(events.amount[e]), False)
    ch = np.zeros(model.N_CHANNELS)
    model.drug_channels(6.0, tab, state, ch)
    # the level six hours after the dose from the textbook Bateman function, written apart from the engine's
    level = pk.single_dose_concentration(np.array([6.0]), 25000.0, rec.bioavailability, rec.ka_per_h, rec.ke_per_h,
                                         rec.volume_l)[0]
    assert ch[model.CH_AR_AGO] == pytest.approx(rec.androgen_per_level * level, rel=1e-9)


def test_an_androgenic_aromatase_inactivator_raises_t_less_and_lowers_e2_more():
    # an androgen at the hypothalamus brakes GnRH: less LH, so less T, and less T to aromatise
    # into what enzyme is left (the direction of Mauras 2003: T rose no more at 50 mg than at 25)
    from hpgsim.calibration import ParameterSet

    p = population_parameters(25, 23)
    out = {}
    for potency in (0.0, get_drug("exemestane").androgen_per_level):
        with ParameterSet({"exemestane.androgen_per_level": potency}).applied():
            _, m = _run(p, "exemestane 25 mg daily", 2, [0, 1.43])
        out[potency] = {k: m[k][1] / m[k][0] - 1.0 for k in ("lh", "total_testosterone", "estradiol")}
    plain, androgenic = out[0.0], out[get_drug("exemestane").androgen_per_level]
    assert androgenic["lh"] < plain["lh"] and androgenic["total_testosterone"] < plain["total_testosterone"]
    assert androgenic["estradiol"] < plain["estradiol"]


def test_hcg_im_peaks_earlier_than_sc():
    rec = get_drug("hcg")
    for route, f, ka in ((rec.route, rec.bioavailability, rec.ka_per_h), *rec.other_routes):
        ke = rec.ke_per_h
        tmax = math.log(ka / ke) / (ka - ke)     # Bateman peak time
        t = np.linspace(0, 72, 721)
        prot = Protocol((DoseSegment.build("hcg", "5000 IU", "once", route=route),))
        raw = run_man(population_parameters(30, 23), DoseEvents.from_list(prot.dose_events(80.0)), 80.0, out_t=t)
        assert t[np.argmax(raw.conc[:, 0])] == pytest.approx(tmax, abs=0.2)
    assert get_drug("hcg").via("im").ka_per_h > get_drug("hcg").ka_per_h


def test_gel_dose_in_grams_of_gel_equals_the_testosterone_it_contains():
    a = DoseSegment.build("testosterone_gel", "5 g", "daily")
    b = DoseSegment.build("testosterone_gel", "50 mg", "daily")
    assert a.dose == b.dose == 50.0


def test_unknown_route_is_a_clear_error():
    with pytest.raises(InputError, match="route"):
        DoseSegment.build("hcg", "1500 IU", "twice weekly", route="oral")


def test_testosterone_enanthate_suppresses_gonadotropins_and_intratesticular_t():
    man = Patient.build(age=30, bmi=24)
    r = simulate(man, "testosterone_enanthate 200 mg weekly", weeks=12)
    v = r.values
    i0, i1 = int(np.argmin(abs(r.weeks))), -1
    assert v["total_testosterone"][i1] > 1.3 * v["total_testosterone"][i0]     # serum T up
    assert v["lh"][i1] < 0.2 * v["lh"][i0]                                      # LH suppressed
    assert v["intratesticular_testosterone"][i1] < 0.5 * v["intratesticular_testosterone"][i0]


def test_pulsatile_gonadorelin_restores_a_gnrh_deficient_man_and_continuous_does_not_stimulate():
    p = apply_conditions(population_parameters(25, 24), [{"name": "secondary_hypogonadism", "cause": "congenital"}])
    out = [0, 4, 26, 52]
    raw, m = _run(p, "gonadorelin 10 ug every 90 min for 52 weeks", 52, out)
    assert m["lh"][0] < 0.5 and m["sperm_concentration"][0] < 0.1          # untreated: no LH, azoospermia
    assert m["lh"][1] > 1.0 and m["total_testosterone"][1] > 8.0            # the pump restores LH and T
    assert m["sperm_concentration"][3] > 1.0                                 # sperm in the ejaculate within a year
    assert raw.y[-1, model.GNRHR_DESENS] < 0.2                                # pulses do not desensitise


def test_continuous_gonadorelin_suppresses_lh_in_a_normal_man_after_a_flare():
    p = population_parameters(30, 23)
    out = np.array([0, 6 / 168, 2, 4])
    raw, m = _run(p, "gonadorelin 10 ug every 15 min for 4 weeks", 4, out)
    assert m["lh"][1] > m["lh"][0]                 # flare within hours
    assert m["lh"][3] < 0.7 * m["lh"][0]           # then suppression below the man's own level


def test_tamoxifen_raises_a_normal_mans_lh_as_spijkstra_saw():
    # Spijkstra JJ et al. (VUmc): tamoxifen 10 mg twice daily for 6 weeks in 13 normal men raised
    # mean LH from 5.7 +/- 1.3 to 10.1 +/- 2.4 IU/L. The 95 % interval of that ratio of means is
    # about x1.45-2.1. Tamoxifen's potency is set from it and tied to enclomiphene's
    # (drugs/catalogue/serms.py), so a refit of enclomiphene that moves tamoxifen off it fails here.
    man = Patient.build(age=30, bmi=24)
    v = simulate(man, "tamoxifen 10 mg twice daily", weeks=6).values
    assert 1.45 <= v["lh"][-1] / v["lh"][0] <= 2.1
    assert v["total_testosterone"][-1] > v["total_testosterone"][0]     # T follows LH up


@pytest.mark.xfail(strict=True, reason="Vermeulen & Comhaire 1978's equivalence (tamoxifen 20 mg = clomiphene 150 mg over "
                   "10 days) and Spijkstra's absolute LH rise on tamoxifen (x1.77 at 6 weeks) cannot both hold with the "
                   "model's clomiphene response, fitted to 25-50 mg: the potency follows Spijkstra, and tamoxifen 20 mg now "
                   "raises LH about a quarter as much as clomiphene 150 mg (+49 % against +195 % at 10 days)")
def test_tamoxifen_20_mg_acts_like_clomiphene_150_mg_over_ten_days():
    # Vermeulen A, Comhaire F. Fertil Steril 1978;29:320: in normal men tamoxifen 20 mg/day for 10
    # days raised LH, FSH, T and E2 about as much as clomiphene citrate 150 mg/day; 'about as much'
    # is read as within 20 % of the rise.
    man = Patient.build(age=30, bmi=24)

    def rise(regimen, measure):
        v = simulate(man, regimen, weeks=10 / 7).values
        return v[measure][-1] / v[measure][0] - 1.0

    for measure in ("lh", "total_testosterone"):
        tam, clo = rise("tamoxifen 20 mg daily", measure), rise("clomiphene_citrate 150 mg daily", measure)
        assert tam > 0.5 and clo > 0.5, (measure, tam, clo)
        assert abs(tam - clo) <= 0.2 * clo, (measure, tam, clo)


def test_the_spermatogonial_pool_outlasts_testosterone_and_must_regrow_in_a_prepubertal_testis():
    # After 19-24 weeks of testosterone enanthate 200 mg weekly, type A spermatogonia per Sertoli
    # cell are unchanged (Zhengwei Y et al. JCEM 1998;83:1284): an adult keeps his pool through
    # half a year of suppression. A testis that never went through puberty holds a few percent of
    # the adult's germ cells (Muller J, Skakkebaek NE. Int J Androl 1983), and congenital
    # hypogonadotropic men on hCG and FSH first have sperm after 4 to 52 months (median 13; Kung
    # AWC et al. Int J Androl 1994;17:241): never within the first four months.
    chh = apply_conditions(population_parameters(25, 24), [{"name": "secondary_hypogonadism", "cause": "congenital"}])
    weeks = np.arange(0.0, 79.0)
    regimen = [{"drug": "hcg", "dose": "1500 IU", "schedule": "three times weekly", "start_week": 0, "weeks": 78},
               {"drug": "fsh", "dose": "150 IU", "schedule": "three times weekly", "start_week": 0, "weeks": 78}]
    raw, m = _run(chh, regimen, 78, weeks)
    pool, sperm = raw.y[:, model.SG_POOL], m["sperm_concentration"]
    assert pool[0] < 0.1 and pool[-1] > 0.9
    assert np.all(sperm[weeks <= 17] < 0.1) and sperm[-1] > 0.1
    adult = population_parameters(30, 24)
    raw, _ = _run(adult, "testosterone_enanthate 200 mg weekly", 24, [0, 24])
    assert raw.y[0, model.SG_POOL] > 0.99 and raw.y[-1, model.SG_POOL] > 0.85


def _germ_stages(raw):
    """Mean relative size of the mid-chain (spermatocytes, round spermatids) and late-chain
    (elongating spermatids) germ-cell stages at each output time."""
    mid = raw.y[:, model.GERM0 + model.GERM_MID_FIRST: model.GERM0 + model.GERM_MID_END].mean(axis=1)
    late = raw.y[:, model.GERM0 + model.GERM_LATE_FIRST: model.GERM0 + model.N_GERM].mean(axis=1)
    return mid, late


def test_testosterone_suppression_loses_elongated_spermatids_beyond_their_input():
    # Testicular biopsies after 19-24 weeks of testosterone enanthate 200 mg weekly (Zhengwei Y
    # et al. JCEM 1998;83:1284): spermatocytes and round spermatids at 11-18 % of normal, tracking
    # type B spermatogonia (10 %), but elongated spermatids at 1.4-20 %, as their survival and
    # release fail. Without a loss of their own the late stages would simply track the mid ones
    # one stage-time later (equal at a steady suppression); with it they fall below them.
    adult = population_parameters(30, 24)
    raw, _ = _run(adult, "testosterone_enanthate 200 mg weekly", 22, [0, 20, 22])
    mid, late = _germ_stages(raw)
    assert abs(mid[0] - 1.0) < 0.02 and abs(late[0] - 1.0) < 0.02
    assert np.all(late[1:] < 0.7 * mid[1:]), (mid, late)


def test_the_withdrawal_loss_barely_touches_an_untreated_man():
    # The loss acts only as far as spermiation fails, which at a normal ITT is about 1 % (zero at
    # the reference man's): even at the top of its range (0.3/day) an untreated man's sperm output
    # moves by less than 2 %, while on testosterone it takes most of what is left.
    from hpgsim.calibration import ParameterSet

    sperm = {}
    for loss in (0.0, 0.3):
        with ParameterSet({"germ_withdrawal_loss": loss}).applied():
            _, untreated = _run(population_parameters(30, 24), [], 4, [0, 4])
            _, on_te = _run(population_parameters(30, 24), "testosterone_enanthate 200 mg weekly", 8, [8])
        sperm[loss] = (untreated["sperm_concentration"], on_te["sperm_concentration"][-1])
    assert np.all(np.abs(sperm[0.3][0] / sperm[0.0][0] - 1.0) < 0.02), sperm
    assert sperm[0.3][1] < 0.5 * sperm[0.0][1], sperm


@pytest.mark.xfail(strict=True, reason="on testosterone the germ-cell input collapses to well under 1 % of normal "
                   "(ITT support with Hill 4 and half-drive at 0.4 x normal ITT, times the FSH-independent share), "
                   "where Zhengwei's biopsies kept type B spermatogonia at 10 % and spermatocytes and round "
                   "spermatids at 11-18 %: the calibration set's suppression and recovery times are met with "
                   "an input that is too steep in ITT, and azoospermia comes from the input instead of from "
                   "failed release and loss of elongated spermatids")
def test_mid_chain_germ_cells_stay_near_a_tenth_of_normal_on_testosterone():
    adult = population_parameters(30, 24)
    raw, _ = _run(adult, "testosterone_enanthate 200 mg weekly", 22, [0, 20, 22])
    mid, _ = _germ_stages(raw)
    # Zhengwei 1998: 11-18 % (five men); read as 5-30 % for one typical man
    assert np.all((mid[1:] > 0.05) & (mid[1:] < 0.3)), mid


@pytest.mark.xfail(strict=True, reason="the same steep germ-cell input: on testosterone gel 100 mg daily alone about two "
                   "thirds of healthy virtual men reach 1 M/mL or less by week 24 (their LH and FSH fall about 70 % and "
                   "ITT about 75 %), where Ilani 2012 saw 23 % (not in the evidence set; reported here, not fitted). The "
                   "calibration's Indonesian men on TE 100 mg weekly, all azoospermic at week 20, pull the other way: "
                   "the model has no ethnic difference in suppression")
def test_testosterone_gel_alone_suppresses_sperm_to_one_million_in_a_minority():
    # Ilani N et al. JCEM 2012;97:3476: healthy volunteers on T gel 10 g (100 mg T) daily with a
    # placebo gel, 23 % at 1 M/mL or less by weeks 20-24 (per protocol, about 19 men: 95 % interval
    # up to about 0.47)
    from hpgsim.trials import run_trial

    spec = {"id": "tgel_alone", "title": "T gel alone", "citation": "Ilani 2012", "url": "http://www.popcouncil.org/publications/abstract.asp?RefID=8481",
            "population": {"age": {"min": 18, "max": 50}, "conditions": [],
                           "include": [{"measure": "sperm_concentration", "ge": 15, "unit": "M/mL"}]},
            "arms": [{"id": "t_gel", "n": 19, "protocol": [{"drug": "testosterone_gel", "dose": "100 mg",
                                                            "schedule": "daily", "start_week": 0, "weeks": 24}]}],
            "endpoints": [{"arm": "t_gel", "measure": "sperm_concentration", "unit": "M/mL", "week": 24,
                           # "1 M/mL or less": fraction_below is strict, so just above 1
                           "statistic": "fraction_below", "threshold": 1.01, "observed": {"value": {"fraction": 0.23}}}]}
    result = run_trial(spec, n_virtual=200, seed=1)
    fraction = result.endpoints[0].simulated["fraction"]
    assert fraction <= 0.47, fraction


def test_testosterone_gel_builds_to_steady_state_over_days_and_stays_level_through_each_day():
    # Testosterone gel: serum T reaches steady state 48-72 h after the first application
    # (Swerdloff RS et al. JCEM 2000;85:4500), and the skin delivers it continuously over the
    # 24-hour interval, keeping T within the normal range (300-1000 ng/dL, a 3.3-fold span) all
    # day (AndroGel label). A man without gonadotropins shows the gel's own profile.
    chh = apply_conditions(population_parameters(40, 24), [{"name": "secondary_hypogonadism", "cause": "congenital"}])
    hours = np.concatenate([[24.0 - 1e-3, 72.0 - 1e-3], np.arange(144.0, 168.0, 0.5), [168.0 - 1e-3]])
    prot = Protocol.coerce("testosterone_gel 50 mg daily")
    raw = run_man(chh, DoseEvents.from_list(prot.dose_events(168.0)), 168.0, out_t=hours)
    tt = measures_of(raw)["total_testosterone"]
    day1, day3, day7 = tt[0], tt[1], tt[-1]
    assert day1 < 0.8 * day7 and day3 > 0.8 * day7
    last_day = tt[2:-1]
    assert last_day.max() / last_day.min() < 3.3


def test_sertoli_maturity_separates_a_prepubertal_testis_from_a_suppressed_adult_one():
    # Untreated congenital hypogonadotropic testes are prepubertal (Boehm U et al. Nat Rev
    # Endocrinol 2015), while an adult man's testes suppressed by testosterone make sperm again
    # about one cycle after it stops (Handelsman DJ et al. JCEM 1995): the first start from no
    # maturity and gain it over months of treatment, the second keep theirs.
    chh = apply_conditions(population_parameters(25, 24), [{"name": "secondary_hypogonadism", "cause": "congenital"}])
    raw, _ = _run(chh, "hcg 1500 IU three times weekly", 52, [0, 4, 52])
    maturity = raw.y[:, model.SERT_MATURE]
    assert maturity[0] < 0.01 and maturity[1] < 0.5 < 0.95 < maturity[2]
    adult = population_parameters(30, 24)
    raw, _ = _run(adult, "testosterone_enanthate 200 mg weekly", 26, [0, 26])
    assert raw.y[0, model.SERT_MATURE] > 0.99 and raw.y[-1, model.SERT_MATURE] > 0.9


def test_reported_fsh_includes_fsh_given_as_a_drug():
    # FSH immunoassays measure recombinant and urinary FSH as they measure the man's own, so a
    # congenitally hypogonadotropic man (own FSH about 0) on FSH 150 IU three times weekly shows
    # serum FSH in the adult range (Rastrelli 2014: regimens chosen to reach it), not zero.
    chh = apply_conditions(population_parameters(24, 23), [{"name": "secondary_hypogonadism", "cause": "congenital"}])
    raw, m = _run(chh, "fsh 150 IU three times weekly", 4, [0, 4])
    assert m["fsh"][0] < 0.5
    assert 1.5 < m["fsh"][-1] < 15.8       # within the adult reference range's span (hpgsim.reference_ranges)
    assert raw.y[-1, model.FSH] < 0.5      # his own FSH stays suppressed


def test_insulin_sensitivity_moves_by_tens_of_percent_when_treatment_multiplies_e2():
    # A congenitally hypogonadotropic man's E2 rises some fifty-fold on hCG. Testosterone
    # treatment of hypogonadal men improves insulin resistance by tens of percent (Kapoor D et al.
    # EJE 2006;154:899, HOMA-IR -1.73), not several-fold: the E2 power law measured over a 41 %
    # fall (Gibb 2016) must not be extrapolated fifty-fold.
    chh = apply_conditions(population_parameters(24, 23), [{"name": "secondary_hypogonadism", "cause": "congenital"}])
    raw, m = _run(chh, "hcg 1500 IU three times weekly", 26, [0, 26])
    assert m["estradiol"][-1] > 10 * m["estradiol"][0]
    assert 1.0 < m["insulin_sensitivity"][-1] < 1.6


def test_hcg_saturates_the_testis():
    # 1500 IU hCG IM once, or daily for 3 days, gave the same serum T at 72 h in normal men (1315
    # and 1342 ng/dL, 2 % apart; "Leydig cell responsiveness to single and repeated hCG
    # administration", JCEM 1979): three times the hCG, no more T. Within a fifth here; an hCG
    # acting linearly on the Leydig cells gives two and a half times the rise.
    p = population_parameters(30, 23)
    once = Protocol((DoseSegment.build("hcg", "1500 IU", "once", route="im"),))
    daily = Protocol((DoseSegment.build("hcg", "1500 IU", "daily", weeks=3 / 7, route="im"),))
    t72 = []
    for prot in (once, daily):
        raw = run_man(p, DoseEvents.from_list(prot.dose_events(80.0)), 80.0, out_t=np.array([0.0, 72.0]))
        tt = measures_of(raw)["total_testosterone"]
        t72.append(tt[1] / tt[0])
    assert t72[0] > 1.3                          # one injection does raise T
    assert t72[1] / t72[0] < 1.2


def _last_week(values, measure):
    week = np.asarray(values[measure][-8:])          # daily outputs: the last seven days and the end
    return float(week.min()), float(week.mean()), float(week.max())


def test_letrozole_once_weekly_holds_t_up_all_week_in_severely_obese_men_as_loves_saw():
    # Loves S et al. Eur J Endocrinol 2008;158:741-7 (pilot): 12 severely obese men (BMI > 35) with low free T, letrozole 2.5 mg
    # once a week: at 6 weeks E2 123 -> 58 pmol/L, LH 4.4 -> 11.1 U/L, total T 5.9 -> 19.6 nmol/L,
    # 'within the normal range in all subjects' and 'stable throughout the week'. Read as: the
    # week's trough T at least 10 nmol/L and its mean 12-30; E2 down by at least 30 % at the
    # trough; the trough at least 60 % of the peak.
    man = Patient.build(age=47, bmi=42, labs={"total_testosterone": "5.9 nmol/L"})
    v = simulate(man, "letrozole 2.5 mg weekly", weeks=6, output_every_hours=24).values
    t_low, t_mean, t_high = _last_week(v, "total_testosterone")
    assert t_low >= 10.0 and 12.0 <= t_mean <= 30.0
    assert t_low >= 0.6 * t_high
    assert _last_week(v, "estradiol")[2] <= 0.7 * v["estradiol"][0]
    assert _last_week(v, "lh")[0] > v["lh"][0]


def test_letrozole_lowers_e2_about_alike_from_once_weekly_to_every_other_day():
    # Men's E2 fall barely depends on the letrozole dose: -53 % on 2.5 mg once weekly (Loves pilot,
    # above) and -42 % on 7.5-17.5 mg weekly (de Boer H et al. Diabetes Obes Metab 2005;7:211, 10
    # severely obese men: E2 120 -> 70 pmol/L, T 7.5 -> 23.8 nmol/L). 'About alike' is read as the
    # week-mean falls within 15 percentage points of each other; T rises more on the larger dose.
    man = Patient.build(age=48, bmi=42, labs={"total_testosterone": "7.5 nmol/L"})
    fall, t_mean = {}, {}
    for regimen in ("letrozole 2.5 mg weekly", "letrozole 2.5 mg every other day"):
        v = simulate(man, regimen, weeks=6, output_every_hours=24).values
        fall[regimen] = 1.0 - _last_week(v, "estradiol")[1] / v["estradiol"][0]
        t_mean[regimen] = _last_week(v, "total_testosterone")[1]
    assert min(fall.values()) >= 0.3
    assert abs(fall["letrozole 2.5 mg weekly"] - fall["letrozole 2.5 mg every other day"]) <= 0.15
    assert t_mean["letrozole 2.5 mg every other day"] > t_mean["letrozole 2.5 mg weekly"]
