"""SBML unit definitions for the unit strings hpgsim's tables use.

Each unit string of the parameter table, the drug records and the internal unit system
(:mod:`hpgsim.units`) maps to an SBML unit definition built from SBML base units:
``(kind, exponent, scale, multiplier)`` means ``(multiplier * 10^scale * kind)^exponent``.
Relative quantities ("x ref LH", "1", "%") are dimensionless. The international unit (IU) of
LH, FSH and hCG is a bioassay unit with no SI equivalent; quantities in IU get no ``units``
attribute and say "IU" in their notes instead.
"""

from __future__ import annotations

import re

SECONDS = {"min": 60.0, "h": 3600.0, "day": 86400.0, "week": 604800.0, "year": 31557600.0}  # year = 365.25 days

# unit string -> the factors of its definition
_DEFS: dict[str, tuple[tuple[str, float, int, float], ...]] = {
    "1": (("dimensionless", 1, 0, 1.0),),
    "%": (("dimensionless", 1, 0, 0.01),),
    "h": (("second", 1, 0, SECONDS["h"]),),
    "min": (("second", 1, 0, SECONDS["min"]),),
    "day": (("second", 1, 0, SECONDS["day"]),),
    "week": (("second", 1, 0, SECONDS["week"]),),
    "year": (("second", 1, 0, SECONDS["year"]),),
    "1/h": (("second", -1, 0, SECONDS["h"]),),
    "1/yr": (("second", -1, 0, SECONDS["year"]),),
    "nmol/L": (("mole", 1, -9, 1.0), ("litre", -1, 0, 1.0)),
    "pmol/L": (("mole", 1, -12, 1.0), ("litre", -1, 0, 1.0)),
    "nmol/h": (("mole", 1, -9, 1.0), ("second", -1, 0, SECONDS["h"])),
    "pmol/h": (("mole", 1, -12, 1.0), ("second", -1, 0, SECONDS["h"])),
    "L": (("litre", 1, 0, 1.0),),
    "mL": (("litre", 1, -3, 1.0),),
    "L/h": (("litre", 1, 0, 1.0), ("second", -1, 0, SECONDS["h"])),
    "L/mol": (("litre", 1, 0, 1.0), ("mole", -1, 0, 1.0)),
    "L/nmol": (("litre", 1, 0, 1.0), ("mole", -1, -9, 1.0)),
    "mol/L": (("mole", 1, 0, 1.0), ("litre", -1, 0, 1.0)),
    "g/mol": (("gram", 1, 0, 1.0), ("mole", -1, 0, 1.0)),
    "g/L": (("gram", 1, 0, 1.0), ("litre", -1, 0, 1.0)),
    "ng/mL": (("gram", 1, -9, 1.0), ("litre", -1, -3, 1.0)),
    "pg/mL": (("gram", 1, -12, 1.0), ("litre", -1, -3, 1.0)),
    "mg": (("gram", 1, -3, 1.0),),
    "ug": (("gram", 1, -6, 1.0),),
    "g": (("gram", 1, 0, 1.0),),
    "mg/day": (("gram", 1, -3, 1.0), ("second", -1, 0, SECONDS["day"])),
    "ug/day": (("gram", 1, -6, 1.0), ("second", -1, 0, SECONDS["day"])),
    "g/cm2": (("gram", 1, 0, 1.0), ("metre", -2, -2, 1.0)),
    "kg/m2": (("gram", 1, 3, 1.0), ("metre", -2, 0, 1.0)),
    "1/(kg/m2)": (("gram", -1, 3, 1.0), ("metre", 2, 0, 1.0)),
    "M/mL": (("item", 1, 6, 1.0), ("litre", -1, -3, 1.0)),      # M = million sperm
    "M": (("item", 1, 6, 1.0),),
    "nmol/h per ug": (("mole", 1, -9, 1.0), ("second", -1, 0, SECONDS["h"]), ("gram", -1, -6, 1.0)),
}
_ALIASES = {"yr": "year", "ug/L": "ng/mL", "pg/mL (= ng/L)": "pg/mL"}


def canonical(unit: str) -> str | None:
    """The key of :data:`_DEFS` for ``unit``, or ``None`` when it has no SBML definition (IU)."""
    unit = _ALIASES.get(unit.strip(), unit.strip())
    if unit.startswith("x ref"):
        return "1"
    return unit if unit in _DEFS else None


def unit_id(unit: str) -> str | None:
    """A valid SBML identifier for ``unit`` ("nmol/L" -> "nmol_per_L"), or ``None`` (IU)."""
    key = canonical(unit)
    if key is None:
        return None
    if key == "1":
        return "dimensionless"     # an SBML base unit: no definition needed
    text = {"%": "percent", "1/(kg/m2)": "per_kg_per_m2", "nmol/h per ug": "nmol_per_h_per_ug"}.get(key, key)
    text = text.replace("1/", "per_").replace("/", "_per_")
    return "u_" + re.sub(r"[^A-Za-z0-9_]", "_", text)


def factors(unit: str) -> tuple[tuple[str, float, int, float], ...]:
    """The base-unit factors of ``unit`` (which must have a definition)."""
    key = canonical(unit)
    if key is None:
        raise KeyError(unit)
    return _DEFS[key]
