"""Units at the edges, plain floats inside.

Everything a user types ("340 ng/dL", "1 mg", "12 mIU/L") is parsed here, once, with the
application's single pint registry :data:`ureg`, and turned into a plain float in the
**internal unit system** the model computes in:

========================  ===========  =====================================================
quantity                  internal     notes
========================  ===========  =====================================================
steroids (T, free T, ...)  nmol/L      estradiol and free estradiol in pmol/L
gonadotropins, TSH         IU/L, mIU/L ``IU`` is its own base dimension, so mIU/mL == IU/L
SHBG                       nmol/L
inhibin B                  pg/mL       (= ng/L)
prolactin                  ng/mL
sperm                      M/mL, M     M = million; handled before pint (pint's M is molar)
motility                   %
spine BMD                  g/cm2
drug levels                ng/mL, IU/L measures named ``concentration:DRUG`` (IU/L for hCG and FSH;
                                       nmol/L converts with the drug's molar mass)
ratios, indices            1           T/E2 uses T in ng/dL over E2 in pg/mL; T/LH in ng/dL
========================  ===========  =====================================================

Conversion sources. Mass <-> molar conversions use the molar mass, which reproduces the
factors used clinically: testosterone (288.42 g/mol) 1 nmol/L = 28.84 ng/dL (Vermeulen A et al.
J Clin Endocrinol Metab 1999;84:3666, and the ISSAM free-testosterone calculator); estradiol
(272.38 g/mol) 1 pg/mL = 3.671 pmol/L. Prolactin has no pint conversion (IU is a bioassay
unit, not a mass): 1 ng/mL = 21 mIU/L is applied as an explicit factor (Corona G et al. J Sex
Med 2007;4:1485: "420 mU/L = 20 ng/mL").

Every failure raises :class:`~hpgsim.errors.UnitError` or :class:`~hpgsim.errors.InputError`
with the field and file filled in; a pint traceback never reaches the user.
"""

from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np
import pint

from .errors import InputError, UnitError

ureg = pint.UnitRegistry()
ureg.define("international_unit = [IU] = IU")   # a bioassay unit: no conversion to mass
ureg.define("mcg = microgram")
ureg.define("million = 1e6")                      # dimensionless count, for sperm

# Unit spellings pint does not read the way laboratories mean them.
_SPERM_CONCENTRATION = {"m/ml", "million/ml", "10^6/ml", "1e6/ml"}   # compared case-folded
_SPERM_COUNT = {"M", "million"}                                       # case matters: m is metre
_ENZYME_U = re.compile(r"(?<![A-Za-z])([mµu]?)U(?![A-Za-z])")   # lab "mU/L" means mIU/L
_BARE_POWER = re.compile(r"(?<=[A-Za-z])([23])\b")               # "cm2" -> "cm^2"
_NUMBER_UNIT = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")


@dataclass(frozen=True)
class MeasureInfo:
    """One measurable quantity: its units and the range a real lab value can take.

    ``plausible_range`` is in the internal unit; ``None`` means any finite value >= 0.
    ``equivalence`` is ``(unit, amount)`` for conversions pint cannot know: ``amount`` of
    ``unit`` equal one internal unit (prolactin: ``("mIU/L", 21.0)``).
    """

    name: str
    label: str
    internal_unit: str
    conventional_unit: str
    si_unit: str
    molar_mass_g_mol: float | None = None
    plausible_range: tuple[float, float] | None = None
    equivalence: tuple[str, float] | None = None


_T, _E2 = 288.42, 272.38   # molar masses, g/mol

MEASURES: dict[str, MeasureInfo] = {m.name: m for m in (
    MeasureInfo("total_testosterone", "Total testosterone", "nmol/L", "ng/dL", "nmol/L", _T, (0.05, 300)),
    MeasureInfo("free_testosterone", "Free testosterone", "nmol/L", "pg/mL", "pmol/L", _T, (0.0005, 10)),
    # bioavailable T range is our choice: ~10x beyond the reported extremes either way
    MeasureInfo("bioavailable_testosterone", "Bioavailable testosterone", "nmol/L", "ng/dL", "nmol/L", _T, (0.02, 200)),
    MeasureInfo("intratesticular_testosterone", "Intratesticular testosterone", "nmol/L", "ng/mL", "nmol/L", _T),
    MeasureInfo("estradiol", "Estradiol", "pmol/L", "pg/mL", "pmol/L", _E2, (1, 5000)),
    MeasureInfo("free_estradiol", "Free estradiol", "pmol/L", "pg/mL", "pmol/L", _E2),
    MeasureInfo("lh", "LH", "IU/L", "IU/L", "IU/L", None, (0, 200)),
    MeasureInfo("fsh", "FSH", "IU/L", "IU/L", "IU/L", None, (0, 200)),
    MeasureInfo("shbg", "SHBG", "nmol/L", "nmol/L", "nmol/L", None, (1, 300)),
    MeasureInfo("inhibin_b", "Inhibin B", "pg/mL", "pg/mL", "ng/L", None, (0, 1000)),
    MeasureInfo("prolactin", "Prolactin", "ng/mL", "ng/mL", "mIU/L", None, (0.5, 5000), ("mIU/L", 21.0)),
    MeasureInfo("tsh", "TSH", "mIU/L", "mIU/L", "mIU/L", None, (0.001, 500)),
    MeasureInfo("sperm_concentration", "Sperm concentration", "M/mL", "M/mL", "M/mL", None, (0, 1000)),
    MeasureInfo("total_motile_count", "Total motile sperm count", "M", "M", "M", None, (0, 5000)),
    MeasureInfo("progressive_motility", "Progressive motility", "%", "%", "%", None, (0, 100)),
    MeasureInfo("semen_volume", "Semen volume", "mL", "mL", "mL", None, (0, 20)),
    MeasureInfo("bmd_spine", "Spine BMD", "g/cm2", "g/cm2", "g/cm2", None, (0.3, 2.5)),
    MeasureInfo("insulin_sensitivity", "Insulin sensitivity (relative)", "1", "1", "1"),
    MeasureInfo("t_e2_ratio", "T/E2 ratio (ng/dL per pg/mL)", "1", "1", "1"),
    MeasureInfo("t_lh_ratio", "T/LH ratio (ng/dL per IU/L)", "1", "1", "1"),
)}

_CONCENTRATION = re.compile(r"^concentration:([a-z0-9_]+)$")


def _drug_level(drug: str) -> tuple[str, float | None]:
    """Plasma levels are dose units per litre: ug/L = ng/mL for drugs dosed by mass, IU/L for
    hCG and FSH (dosed in IU); with the drug's molar mass, when it has one, so nmol/L converts."""
    from .drugs.records import all_drugs

    record = all_drugs(include_internal=True).get(drug)
    if record is None:
        return "ng/mL", None
    return record.level_unit, (record.molar_mass_g_mol or None)


def measure_info(name: str, *, field: str = "", file: str | None = None) -> MeasureInfo:
    """The :class:`MeasureInfo` of ``name``, including any ``concentration:DRUG`` (ng/mL, or IU/L
    for hCG and FSH)."""
    key = str(name).strip().lower()
    if key in MEASURES:
        return MEASURES[key]
    match = _CONCENTRATION.match(key)
    if match:
        drug = match.group(1)
        unit, molar_mass = _drug_level(drug)
        return MeasureInfo(key, f"{drug} concentration", unit, unit, unit, molar_mass)
    known = ", ".join(list(MEASURES) + ["concentration:DRUG"])
    raise InputError(field, f"one of the known measures ({known})", repr(name), file)


def _pint_spelling(unit: str) -> str:
    """Rewrite laboratory spellings into ones pint reads with the intended meaning."""
    text = unit.strip()
    if text.replace(" ", "").lower() in _SPERM_CONCENTRATION:
        return "million/mL"
    if text in _SPERM_COUNT:
        return "million"
    if text in ("", "1"):
        return "dimensionless"
    if text.startswith("/"):          # "40e6 /mL": a count per volume
        text = "1" + text
    return _BARE_POWER.sub(r"^\1", _ENZYME_U.sub(r"\1IU", text))


@lru_cache(maxsize=256)
def _units(unit: str) -> pint.Unit:
    return ureg.parse_units(_pint_spelling(unit))


def _parse_unit(unit: str, field: str, file: str | None) -> pint.Unit:
    try:
        return _units(str(unit))
    except Exception:  # pint's parser raises a zoo of types (tokenize, assertion, undefined) on garbage
        raise UnitError(field, "a unit such as ng/dL, nmol/L, pg/mL, IU/L, mg or IU", repr(unit), file) from None


def parse_quantity(text_or_number: object, *, field: str = "", file: str | None = None) -> pint.Quantity:
    """A pint quantity from text like ``"340 ng/dL"`` (or a quantity); a bare number is refused."""
    if isinstance(text_or_number, pint.Quantity):
        return ureg.Quantity(text_or_number.magnitude, str(text_or_number.units))
    if not isinstance(text_or_number, str):
        raise UnitError(field, "a number with a unit (e.g. '340 ng/dL')", repr(text_or_number), file)
    match = _NUMBER_UNIT.match(text_or_number)
    if not match or not match.group(2):
        raise UnitError(field, "a number with a unit (e.g. '340 ng/dL')", repr(text_or_number), file)
    return ureg.Quantity(float(match.group(1)), _parse_unit(match.group(2), field, file))


def _has_unit(text: str) -> bool:
    match = _NUMBER_UNIT.match(text)
    return not match or bool(match.group(2))   # garbage goes on to parse_quantity's own error


_KINDS = {"[mass] / [length] ** 3": "a concentration", "[substance] / [length] ** 3": "a concentration",
          "[IU] / [length] ** 3": "a concentration", "1 / [length] ** 3": "a concentration",
          "[mass] / [length] ** 2": "an areal density", "dimensionless": "a number"}


def _expected(info: MeasureInfo) -> str:
    units = list(dict.fromkeys((info.conventional_unit, info.si_unit, info.internal_unit)))
    kind = _KINDS.get(str(_units(info.internal_unit).dimensionality), "a value")
    if info.internal_unit == "M":
        kind = "a count"
    return f"{kind} in {' or '.join(units)}"


def _convert(info: MeasureInfo, q: pint.Quantity) -> float | None:
    """``q`` in ``info``'s internal unit, or ``None`` when no conversion applies."""
    target = _units(info.internal_unit)
    if info.equivalence is not None:
        unit, amount = info.equivalence
        if q.dimensionality == _units(unit).dimensionality:
            return float(q.to(_units(unit)).magnitude) / amount
    if q.dimensionality == target.dimensionality:
        return float(q.to(target).magnitude)
    if info.molar_mass_g_mol is not None:
        molar_mass = ureg.Quantity(info.molar_mass_g_mol, "g/mol")
        for candidate in (q / molar_mass, q * molar_mass):
            if candidate.dimensionality == target.dimensionality:
                return float(candidate.to(target).magnitude)
    return None


def to_internal(measure: str, value: object, unit: str | None = None, *, field: str = "",
                file: str | None = None) -> float:
    """``value`` (with ``unit``, or a string like ``"340 ng/dL"``) in the measure's internal unit.

    A bare number is accepted only for dimensionless measures (ratios, indices).
    """
    info = measure_info(measure, field=field, file=file)
    shown = value if unit is None else f"{value} {unit}"
    if unit is not None:
        if isinstance(value, bool) or not isinstance(value, (numbers.Real, str)):
            raise UnitError(field, "a number", repr(value), file)
        try:
            magnitude = float(value)
        except ValueError:
            raise UnitError(field, "a number", repr(value), file) from None
        q = ureg.Quantity(magnitude, _parse_unit(unit, field, file))
    elif isinstance(value, numbers.Real) and not isinstance(value, bool) and info.internal_unit == "1":
        return float(value)
    elif isinstance(value, pint.Quantity) or (isinstance(value, str) and _has_unit(value)):
        q = parse_quantity(value, field=field, file=file)
    else:
        raise UnitError(field, f"a number with a unit: {_expected(info)}", repr(value), file)
    result = _convert(info, q)
    if result is None:
        raise UnitError(field, _expected(info), repr(shown), file)
    return result


@lru_cache(maxsize=512)
def _factor(measure: str, system: str) -> tuple[float, str]:
    info = measure_info(measure)
    if system not in ("conventional", "si"):
        raise InputError("system", "'conventional' or 'si'", repr(system))
    unit = info.conventional_unit if system == "conventional" else info.si_unit
    return 1.0 / to_internal(measure, 1.0, unit), unit


def from_internal(measure: str, values, system: Literal["conventional", "si"] = "conventional"):
    """``(values, unit)``: internal-unit floats or arrays expressed in the chosen unit system.

    The factor is computed once per (measure, system) and cached, so this is a single
    multiplication, safe inside result post-processing loops.
    """
    factor, unit = _factor(str(measure).strip().lower(), system)
    if isinstance(values, (int, float)):
        return float(values) * factor, unit
    return np.asarray(values, dtype=float) * factor, unit


def check_plausible(measure: str, internal_value: float, *, field: str = "", file: str | None = None) -> None:
    """Refuse a lab value no living man could have (range in :attr:`MeasureInfo.plausible_range`)."""
    info = measure_info(measure, field=field, file=file)
    low, high = info.plausible_range or (0.0, math.inf)
    value = float(internal_value)
    if math.isfinite(value) and low <= value <= high:
        return
    (lo_c, hi_c, val_c), unit = from_internal(info.name, np.array([low, high, value]), "conventional")
    unit_text = "" if unit == "1" else f" {unit}"
    expected = (f"a value between {lo_c:.4g} and {hi_c:.4g}{unit_text}" if math.isfinite(high)
                else f"a finite value of at least {lo_c:.4g}{unit_text}")
    raise InputError(field, expected, f"{val_c:.4g}{unit_text}", file)


_DOSE_UNITS = {"mg": "a dose in mg, ug (mcg) or g", "ug": "a dose in mg, ug (mcg) or g",
               "g": "a dose in mg, ug (mcg) or g", "IU": "a dose in IU"}


def dose_to_unit(text_or_quantity: object, target_unit: Literal["mg", "ug", "IU", "g"], *,
                 field: str = "dose", file: str | None = None) -> float:
    """A dose such as ``"1 mg"``, ``"250 mcg"`` or ``"3000 IU"`` as a float in ``target_unit``."""
    if target_unit not in _DOSE_UNITS:
        raise ValueError(f"dose unit must be one of {sorted(_DOSE_UNITS)}, not {target_unit!r}")
    q = parse_quantity(text_or_quantity, field=field, file=file)
    target = _units(target_unit)
    if q.dimensionality != target.dimensionality:
        raise UnitError(field, _DOSE_UNITS[target_unit], repr(text_or_quantity), file)
    return float(q.to(target).magnitude)
