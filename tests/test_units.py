"""Unit conversions against independently published factors, and errors at the edges."""

from __future__ import annotations

import numpy as np
import pint
import pytest

from hpgsim.errors import InputError, UnitError
from hpgsim.units import (MEASURES, check_plausible, dose_to_unit, from_internal, measure_info,
                          parse_quantity, to_internal)

# Clinical factors, independent of the molar masses in the code:
T_NGDL_PER_NMOLL = 28.84        # Vermeulen 1999 / ISSAM calculator
E2_PMOLL_PER_PGML = 3.671
PRL_MIUL_PER_NGML = 21.0        # Corona G et al. J Sex Med 2007;4:1485: 420 mU/L = 20 ng/mL


def test_testosterone_ng_dl_to_nmol_l_matches_clinical_factor():
    assert to_internal("total_testosterone", "343 ng/dL") == pytest.approx(343 / T_NGDL_PER_NMOLL, rel=1e-3)
    assert to_internal("total_testosterone", 343, "ng/dL") == pytest.approx(11.89, abs=0.01)


def test_testosterone_round_trip_to_conventional_and_si():
    value, unit = from_internal("total_testosterone", 11.89, "conventional")
    assert unit == "ng/dL" and value == pytest.approx(11.89 * T_NGDL_PER_NMOLL, rel=1e-3)
    value, unit = from_internal("total_testosterone", 11.89, "si")
    assert (value, unit) == (pytest.approx(11.89), "nmol/L")


def test_free_testosterone_pmol_and_pg():
    assert to_internal("free_testosterone", "300 pmol/L") == pytest.approx(0.3)
    value, unit = from_internal("free_testosterone", 0.3, "conventional")
    # 1 ng/dL = 10 pg/mL, so 0.3 nmol/L = 0.3 * 28.84 ng/dL = 86.5 pg/mL
    assert unit == "pg/mL" and value == pytest.approx(0.3 * T_NGDL_PER_NMOLL * 10, rel=1e-3)


def test_estradiol_pg_ml_to_pmol_l():
    assert to_internal("estradiol", "26 pg/mL") == pytest.approx(95.4, abs=0.1)
    assert to_internal("estradiol", "26 pg/mL") == pytest.approx(26 * E2_PMOLL_PER_PGML, rel=1e-3)


@pytest.mark.parametrize("text", ["1 mIU/mL", "1 IU/L", "1000 mIU/L", "1 mU/mL"])
def test_gonadotropin_units_are_equivalent(text):
    assert to_internal("lh", text) == pytest.approx(1.0)
    assert to_internal("fsh", text) == pytest.approx(1.0)


def test_prolactin_uses_explicit_corona_factor():
    assert to_internal("prolactin", "420 mIU/L") == pytest.approx(20.0)
    assert to_internal("prolactin", "420 mU/L") == pytest.approx(20.0)
    assert from_internal("prolactin", 20.0, "si") == (pytest.approx(20 * PRL_MIUL_PER_NGML), "mIU/L")


def test_tsh_micro_units_per_ml_equal_milli_units_per_litre():
    assert to_internal("tsh", "2.5 uIU/mL") == pytest.approx(2.5)


@pytest.mark.parametrize("text", ["40 M/mL", "40 million/mL", "40 10^6/mL", "40 1e6/mL", "4e7 /mL"])
def test_sperm_concentration_spellings(text):
    assert to_internal("sperm_concentration", text) == pytest.approx(40.0)


def test_sperm_count_million_is_not_molar_and_metre_is_not_million():
    assert to_internal("total_motile_count", "20 M") == pytest.approx(20.0)
    assert to_internal("total_motile_count", "20 million") == pytest.approx(20.0)
    assert parse_quantity("1.76 m").to("cm").magnitude == pytest.approx(176.0)
    assert parse_quantity("5 nM").to("nmol/L").magnitude == pytest.approx(5.0)


def test_other_measures():
    assert to_internal("progressive_motility", "32 %") == pytest.approx(32.0)
    assert to_internal("bmd_spine", "1.1 g/cm2") == pytest.approx(1.1)
    assert to_internal("inhibin_b", "150 ng/L") == pytest.approx(150.0)
    assert to_internal("t_e2_ratio", 12) == 12.0      # dimensionless: a bare number is fine
    assert to_internal("concentration:anastrozole", "30 ng/mL") == pytest.approx(30.0)


@pytest.mark.parametrize("name, internal", [
    ("total_testosterone", "nmol/L"), ("free_testosterone", "nmol/L"), ("bioavailable_testosterone", "nmol/L"),
    ("intratesticular_testosterone", "nmol/L"), ("estradiol", "pmol/L"), ("free_estradiol", "pmol/L"),
    ("lh", "IU/L"), ("fsh", "IU/L"), ("shbg", "nmol/L"), ("inhibin_b", "pg/mL"), ("prolactin", "ng/mL"),
    ("tsh", "mIU/L"), ("sperm_concentration", "M/mL"), ("total_motile_count", "M"),
    ("progressive_motility", "%"), ("bmd_spine", "g/cm2"), ("insulin_sensitivity", "1"),
    ("t_e2_ratio", "1"), ("t_lh_ratio", "1"),
    # drug levels are dose units per litre: hCG and FSH are dosed in IU and assayed in IU/L
    # (= mIU/mL), the others by mass, in ng/mL
    ("concentration:hcg", "IU/L"), ("concentration:fsh", "IU/L"), ("concentration:anastrozole", "ng/mL"),
])
def test_measure_internal_units(name, internal):
    assert measure_info(name).internal_unit == internal


def test_measure_table_has_exactly_the_specified_names():
    assert set(MEASURES) == {
        "total_testosterone", "free_testosterone", "bioavailable_testosterone", "intratesticular_testosterone",
        "estradiol", "free_estradiol", "lh", "fsh", "shbg", "inhibin_b", "prolactin", "tsh",
        "sperm_concentration", "total_motile_count", "progressive_motility", "semen_volume", "bmd_spine",
        "insulin_sensitivity", "t_e2_ratio", "t_lh_ratio"}


def test_from_internal_on_arrays_keeps_shape():
    values, unit = from_internal("estradiol", np.array([[3.671, 36.71]]), "conventional")
    assert unit == "pg/mL" and values.shape == (1, 2)
    np.testing.assert_allclose(values, [[1.0, 10.0]], rtol=1e-3)


def test_unknown_measure_lists_known_ones():
    with pytest.raises(InputError) as err:
        measure_info("testosterone", field="endpoints[0].measure", file="t.yaml")
    assert "t.yaml: endpoints[0].measure" in str(err.value) and "total_testosterone" in str(err.value)


@pytest.mark.parametrize("bad", [340, "340", 3.4])
def test_bare_number_is_a_unit_error(bad):
    with pytest.raises(UnitError) as err:
        to_internal("total_testosterone", bad, field="patient.labs.total_testosterone", file="p.yaml")
    assert "p.yaml: patient.labs.total_testosterone" in str(err.value)
    assert "a number with a unit" in str(err.value)
    with pytest.raises(UnitError, match="a number with a unit"):
        parse_quantity(bad)


def test_dimension_mismatch_names_accepted_units():
    with pytest.raises(UnitError) as err:
        to_internal("total_testosterone", "340 IU/L", field="labs.total_testosterone", file="p.yaml")
    assert "a concentration in ng/dL or nmol/L" in str(err.value)
    assert isinstance(err.value, ValueError)     # catchable as a built-in too


@pytest.mark.parametrize("text", ["340 foo", "340 ng/dL)", "340 ng/dL/", "ng/dL"])
def test_garbage_units_never_leak_pint_errors(text):
    with pytest.raises(UnitError) as err:
        to_internal("total_testosterone", text, field="x", file="f.yaml")
    assert not isinstance(err.value, pint.PintError)
    assert str(err.value).startswith("f.yaml: x: expected")


def test_plausibility_message_in_conventional_units():
    with pytest.raises(InputError) as err:
        check_plausible("total_testosterone", 0.01, field="patient.labs.total_testosterone", file="p.yaml")
    assert "between 1.442 and 8653 ng/dL" in str(err.value)
    with pytest.raises(InputError, match="between"):
        check_plausible("prolactin", float("nan"), field="labs.prolactin", file="p.yaml")
    assert check_plausible("lh", 5.0, field="labs.lh") is None


def test_doses():
    assert dose_to_unit("250 mcg", "ug") == pytest.approx(250.0)
    assert dose_to_unit("1 g", "mg") == pytest.approx(1000.0)
    assert dose_to_unit("3000 IU", "IU") == pytest.approx(3000.0)
    assert dose_to_unit("50 mg", "g") == pytest.approx(0.05)
    with pytest.raises(UnitError) as err:
        dose_to_unit("1 mg", "IU", field="protocol[0].dose", file="x.yaml")
    assert str(err.value) == "x.yaml: protocol[0].dose: expected a dose in IU, got '1 mg'"
    with pytest.raises(UnitError):
        dose_to_unit(1, "mg", field="dose")


# Molecular formulas (each drug's label or pharmacopoeia) and IUPAC conventional atomic weights:
# the molar masses in the drug records are checked against them, not against themselves.
_ATOMIC_WEIGHT = {"C": 12.011, "H": 1.008, "N": 14.007, "O": 15.999, "Cl": 35.45}
_FORMULAS = {"anastrozole": "C17H19N5", "letrozole": "C17H11N5", "exemestane": "C20H24O2",
             "tamoxifen": "C26H29NO", "enclomiphene": "C26H28ClNO", "zuclomiphene": "C26H28ClNO",
             "clomiphene_citrate": "C26H28ClNO", "gonadorelin": "C55H75N17O13"}


def _formula_mass(formula: str) -> float:
    import re

    return sum(_ATOMIC_WEIGHT[el] * (int(n) if n else 1) for el, n in re.findall(r"([A-Z][a-z]?)(\d*)", formula))


@pytest.mark.parametrize("drug", sorted(_FORMULAS))
def test_drug_levels_published_in_nmol_per_litre_convert_with_the_molar_mass(drug):
    from hpgsim.drugs.records import all_drugs

    mass = _formula_mass(_FORMULAS[drug])
    assert all_drugs(include_internal=True)[drug].molar_mass_g_mol == pytest.approx(mass, abs=0.05)
    # 10 nmol/L x M g/mol = 10 M ng/L = M / 100 ng/mL
    assert to_internal(f"concentration:{drug}", 10, "nmol/L") == pytest.approx(mass / 100, rel=1e-3)


def test_drug_levels_without_a_molar_mass_refuse_molar_units():
    # hCG is dosed and measured in IU (a bioassay unit), and a testosterone product's level is
    # not the serum T it releases: neither has a molar conversion
    for drug in ("hcg", "testosterone_enanthate"):
        with pytest.raises(UnitError):
            to_internal(f"concentration:{drug}", 10, "nmol/L")
