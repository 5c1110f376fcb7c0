"""Reading the severity of a condition: the values people write, in the units they use.

``{name: hyperprolactinemia, prolactin: 80 ng/mL}`` (or ``1680 mIU/L``), ``{name: hypothyroidism,
tsh: 12 mIU/L}`` or ``free_t4: 0.5 ng/dL`` (or ``6.4 pmol/L``), ``{name: type2_diabetes, hba1c:
7.5 %}`` (or ``58 mmol/mol``), ``{name: insulin_resistance, homa_ir: 3.2}``, ``{name: obesity,
bmi: 34}``, ``{name: varicocele, grade: 3}``. Each reader returns a plain float in the unit the
condition code works in, or raises :class:`~hpgsim.errors.InputError` naming the field.
"""

from __future__ import annotations

import math
import numbers

from ..errors import InputError
from ..units import parse_quantity, to_internal, ureg

T4_MOLAR_MASS = 776.87   # g/mol (levothyroxine); 1 ng/dL = 12.87 pmol/L, the factor laboratories use


def _real(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def plain_number(value: object, *, low: float, high: float, what: str, field: str, file: str | None) -> float:
    """A unitless number such as HOMA-IR, within ``[low, high]``."""
    number = _real(value)
    if number is None and isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            number = None
    if number is None or not low <= number <= high:
        raise InputError(field, f"{what} between {low:g} and {high:g}", repr(value), file)
    return number


def bmi(value: object, *, field: str, file: str | None) -> float:
    """BMI in kg/m2, from ``34`` or ``"34 kg/m2"``."""
    number = _real(value)
    if number is None and isinstance(value, str):
        try:
            q = parse_quantity(value.replace("kg/m2", "kg/m^2"), field=field, file=file)
            number = float(q.to("kg/m^2").magnitude)
        except Exception:   # wrong unit or garbage: one message below
            number = None
    if number is None or not 15.0 <= number <= 70.0:
        raise InputError(field, "a BMI between 15 and 70 kg/m2 (e.g. 34 or '34 kg/m2')", repr(value), file)
    return number


def lab(measure: str, value: object, *, low: float, high: float, field: str, file: str | None) -> float:
    """A lab value with its unit (prolactin, TSH) in the internal unit, within ``[low, high]``."""
    result = to_internal(measure, value, field=field, file=file)
    if not low <= result <= high:
        raise InputError(field, f"a value between {low:g} and {high:g} in the internal unit of {measure}",
                         repr(value), file)
    return result


def free_t4_ng_dl(value: object, *, field: str, file: str | None) -> float:
    """Free T4 in ng/dL, from ng/dL or pmol/L."""
    q = parse_quantity(value, field=field, file=file)
    try:
        if q.check("[mass] / [length] ** 3"):
            result = float(q.to("ng/dL").magnitude)
        elif q.check("[substance] / [length] ** 3"):
            result = float((q * ureg.Quantity(T4_MOLAR_MASS, "g/mol")).to("ng/dL").magnitude)
        else:
            result = math.nan
    except Exception:   # pint conversion failures all mean "wrong unit"
        result = math.nan
    if not 0.05 <= result <= 15.0:
        raise InputError(field, "a free T4 between 0.05 and 15 ng/dL (0.6-190 pmol/L), e.g. '0.5 ng/dL'", repr(value), file)
    return result


def hba1c_percent(value: object, *, field: str, file: str | None) -> float:
    """HbA1c in % (NGSP/DCCT), from ``"7.5 %"`` or ``"58 mmol/mol"`` (IFCC)."""
    text = str(value).strip().lower() if isinstance(value, str) else ""
    result = math.nan
    try:
        if text.endswith("%"):
            result = float(text[:-1])
        elif text.endswith("mmol/mol"):
            # IFCC-NGSP master equation: NGSP % = 0.0915 IFCC + 2.15 (Hoelzel W et al. Clin Chem 2004;50:166)
            result = 0.0915 * float(text[: -len("mmol/mol")]) + 2.15
    except ValueError:
        result = math.nan
    if not 4.0 <= result <= 20.0:
        raise InputError(field, "an HbA1c with its unit between 4 and 20 %, e.g. '7.5 %' or '58 mmol/mol'", repr(value), file)
    return result


def grade(value: object, *, field: str, file: str | None) -> int:
    """A clinical grade 1, 2 or 3 (varicocele, Dubin-Amelar)."""
    text = str(value).strip().upper() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    roman = {"I": 1, "II": 2, "III": 3}
    number = roman.get(text) or (int(text) if text in ("1", "2", "3") else None)
    if number is None:
        raise InputError(field, "a grade 1, 2 or 3", repr(value), file)
    return number


def flag(value: object, *, field: str, file: str | None) -> bool:
    """A yes/no option such as ``treated``."""
    if isinstance(value, bool):
        return value
    raise InputError(field, "true or false", repr(value), file)


def choice(value: object, options: dict[str, str], *, field: str, file: str | None) -> str:
    """One of ``options`` (spellings mapped to the canonical word), case and spaces ignored."""
    key = str(value).strip().lower().replace(" ", "") if isinstance(value, str) else None
    if key not in options:
        raise InputError(field, f"one of {', '.join(dict.fromkeys(options.values()))}", repr(value), file)
    return options[key]
