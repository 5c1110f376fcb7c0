"""Markers and flags: ratios checked by hand in both unit systems, thresholds, sources, and the
research criteria shown with the studies that contradict them."""

from __future__ import annotations

import pytest

from hpgsim.people.markers import calculated_free_t, flags, markers, t_e2_ratio, t_lh_ratio
from hpgsim.physiology.parameters import ALBUMIN_MOLAR_MASS, BY_NAME
from hpgsim.units import to_internal

T_G_MOL, E2_G_MOL = 288.42, 272.38


def labs(**values) -> dict[str, float]:
    """Lab values as '<number> <unit>' text, in internal units."""
    return {k: to_internal(k, v) for k, v in values.items()}


def fired(found) -> set[str]:
    return {f.key for f in found if f.fired}


# -- ratios -------------------------------------------------------------------------------------

@pytest.mark.parametrize("t_text, e2_text", [("300 ng/dL", "40 pg/mL"), ("10.4015 nmol/L", "146.852 pmol/L")])
def test_t_e2_ratio_by_hand_in_both_unit_systems(t_text, e2_text):
    lab = labs(total_testosterone=t_text, estradiol=e2_text)
    # by hand: 300 ng/dL over 40 pg/mL = 7.5; in moles 300 ng/dL = 3000/288.42 nmol/L and
    # 40 pg/mL = 40/272.38 nmol/L, so the molar ratio is (3000/288.42) / (40/272.38) = 70.83
    conventional, unit = t_e2_ratio(lab["total_testosterone"], lab["estradiol"], "conventional")
    assert unit == "ng/dL per pg/mL" and conventional == pytest.approx(7.5, rel=1e-4)
    molar, unit = t_e2_ratio(lab["total_testosterone"], lab["estradiol"], "si")
    assert unit == "nmol/L per nmol/L" and molar == pytest.approx((3000 / T_G_MOL) / (40 / E2_G_MOL), rel=1e-4)


@pytest.mark.parametrize("t_text", ["300 ng/dL", "10.4015 nmol/L"])
def test_t_lh_ratio_by_hand_in_both_unit_systems(t_text):
    lab = labs(total_testosterone=t_text)
    conventional, unit = t_lh_ratio(lab["total_testosterone"], 3.0, "conventional")
    assert unit == "ng/dL per IU/L" and conventional == pytest.approx(100.0, rel=1e-4)
    si, unit = t_lh_ratio(lab["total_testosterone"], 3.0, "si")
    assert unit == "nmol/L per IU/L" and si == pytest.approx(3000 / T_G_MOL / 3.0, rel=1e-4)


def test_marker_table_shows_the_unit_of_each_ratio():
    lab = labs(total_testosterone="300 ng/dL", estradiol="40 pg/mL", shbg="30 nmol/L", lh="3 IU/L")
    shown = {m.key: m for m in markers(lab, "conventional")}
    assert shown["t_e2_ratio"].unit == "ng/dL per pg/mL" and shown["t_lh_ratio"].unit == "ng/dL per IU/L"
    si = {m.key: m for m in markers(lab, "si")}
    assert si["t_e2_ratio"].value == pytest.approx(shown["t_e2_ratio"].value * 1000 * E2_G_MOL / (T_G_MOL * 100),
                                                   rel=1e-4)
    assert si["calculated_free_testosterone"].unit == "pmol/L" and shown["calculated_free_testosterone"].unit == "pg/mL"


def test_calculated_free_t_obeys_mass_action():
    # Conservation: total = free x (1 + K_alb [albumin]) + SHBG-bound, SHBG-bound = SHBG K FT / (1 + K FT)
    total, shbg = 15.0, 40.0
    free, bio = calculated_free_t(total, shbg)
    k = BY_NAME["k_shbg_t"].value * 1e-9
    n_alb = 1 + BY_NAME["k_alb_t"].value * BY_NAME["albumin"].value / ALBUMIN_MOLAR_MASS
    assert free * n_alb + shbg * k * free / (1 + k * free) == pytest.approx(total, rel=1e-9)
    assert bio == pytest.approx(free * n_alb)
    assert 0.015 < free / total < 0.03     # about 2 % free in a man with SHBG 40 nmol/L (Vermeulen 1999)


# -- flags at their thresholds --------------------------------------------------------------------

@pytest.mark.parametrize("value, key, expected", [
    ("263 ng/dL", "total_t_below_264_ngdl", True), ("265 ng/dL", "total_t_below_264_ngdl", False),
    ("299 ng/dL", "total_t_below_300_ngdl", True), ("301 ng/dL", "total_t_below_300_ngdl", False),
    ("11.9 nmol/L", "total_t_below_12_nmoll", True), ("12.1 nmol/L", "total_t_below_12_nmoll", False),
    ("920 ng/dL", "total_t_above_916_ngdl", True), ("910 ng/dL", "total_t_above_916_ngdl", False),
])
def test_total_t_flags_fire_at_their_thresholds(value, key, expected):
    assert (key in fired(flags(labs(total_testosterone=value)))) is expected


@pytest.mark.parametrize("measure, value, key, expected", [
    ("estradiol", "9.9 pg/mL", "e2_below_10_pgml", True), ("estradiol", "10.1 pg/mL", "e2_below_10_pgml", False),
    ("estradiol", "14.9 pg/mL", "e2_below_15_pgml", True), ("estradiol", "56 pmol/L", "e2_below_15_pgml", False),
    ("prolactin", "21 ng/mL", "prolactin_high", True), ("prolactin", "400 mIU/L", "prolactin_high", False),
    ("tsh", "5 mIU/L", "tsh_abnormal", True), ("tsh", "0.3 mIU/L", "tsh_abnormal", True),
    ("tsh", "2 mIU/L", "tsh_abnormal", False),
    ("sperm_concentration", "15 M/mL", "sperm_below_16", True), ("sperm_concentration", "17 M/mL", "sperm_below_16", False),
])
def test_flags_fire_at_their_thresholds(measure, value, key, expected):
    assert (key in fired(flags(labs(**{measure: value})))) is expected


@pytest.mark.parametrize("t, lh, fsh, pattern", [
    ("250 ng/dL", "12 IU/L", "20 IU/L", "primary_pattern"),
    ("250 ng/dL", "3 IU/L", "4 IU/L", "secondary_pattern"),
    ("250 ng/dL", "0.4 IU/L", None, "secondary_pattern"),
    ("550 ng/dL", "5 IU/L", "22 IU/L", "compensated_pattern"),
])
def test_primary_and_secondary_patterns(t, lh, fsh, pattern):
    values = {"total_testosterone": t, "lh": lh} | ({"fsh": fsh} if fsh else {})
    patterns = fired(flags(labs(**values))) & {"primary_pattern", "secondary_pattern", "compensated_pattern"}
    assert patterns == {pattern}


def test_normal_t_and_gonadotropins_fire_no_pattern():
    patterns = {"primary_pattern", "secondary_pattern", "compensated_pattern"}
    assert not fired(flags(labs(total_testosterone="550 ng/dL", lh="4 IU/L", fsh="4 IU/L"))) & patterns


def test_obesity_with_low_t_needs_both():
    assert "obesity_with_low_t" in fired(flags(labs(total_testosterone="250 ng/dL"), bmi=32))
    assert "obesity_with_low_t" not in fired(flags(labs(total_testosterone="250 ng/dL"), bmi=27))
    assert "obesity_with_low_t" not in fired(flags(labs(total_testosterone="450 ng/dL"), bmi=32))


def test_every_flag_carries_sources_and_an_evidence_level():
    every = flags(labs(total_testosterone="250 ng/dL", estradiol="40 pg/mL", lh="3 IU/L", fsh="4 IU/L", shbg="20 nmol/L",
                       prolactin="10 ng/mL", tsh="2 mIU/L", sperm_concentration="10 M/mL"), bmi=31)
    assert len({f.key for f in every}) == len(every) >= 15
    for f in every:
        assert f.sources and all(s.strip() for s in f.sources), f.key
        assert f.evidence and f.kind in ("guideline", "reference", "research", "claim"), f.key


# -- research criteria with their contradicting studies -------------------------------------------

def test_t_e2_rule_is_a_research_criterion_shown_with_naelitz_and_yang():
    (rule,) = [f for f in flags(labs(total_testosterone="300 ng/dL", estradiol="40 pg/mL")) if f.key == "t_e2_below_10"]
    assert rule.fired and rule.kind == "research"
    assert any("Pavlovich" in s for s in rule.sources)
    assert any("Naelitz" in s for s in rule.contradicted_by) and any("Yang" in s for s in rule.contradicted_by)
    assert "ng/dL per pg/mL" in rule.detail and "molar" in rule.detail


def test_t_lh_claim_is_marked_as_coming_from_a_news_article():
    found = {f.key: f for f in flags(labs(total_testosterone="400 ng/dL", lh="3 IU/L"))}
    claim = found["t_lh_at_least_100"]
    assert claim.fired and claim.kind == "claim"               # 400 / 3 = 133 ng/dL per IU/L
    assert any("news" in s.lower() for s in claim.sources)
    assert any("Naelitz" in s for s in claim.contradicted_by)
    assert not {f.key: f for f in flags(labs(total_testosterone="250 ng/dL", lh="3 IU/L"))}["t_lh_at_least_100"].fired


def test_giagulli_t_lh_criterion_is_in_nmol_per_iu():
    # 1.5 nmol/L per IU/L = 43.3 ng/dL per IU/L: 400 ng/dL with LH 10 (40) fires, LH 8 (50) does not
    assert "t_lh_below_1_5_nmol" in fired(flags(labs(total_testosterone="400 ng/dL", lh="10 IU/L", fsh="5 IU/L")))
    assert "t_lh_below_1_5_nmol" not in fired(flags(labs(total_testosterone="400 ng/dL", lh="8 IU/L", fsh="5 IU/L")))
