"""Conditions a man brings with him, as named changes to his parameter vector.

A condition is given by name (typical severity) or as a mapping with its severity, in the
vocabulary of trial specs and scenarios: ``secondary_hypogonadism`` or
``{name: secondary_hypogonadism, cause: congenital}``. Each entry below is a small function of
the parameter vector with its mechanism and source next to it; conditions combine by applying
them in order (an obese diabetic man is both).

The names recognised here are the full trial-format vocabulary. The ones not yet given a
mechanism raise a clear error rather than being ignored, so a trial that needs one says so
instead of silently simulating a healthy man.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..errors import InputError
from ..physiology.parameters import INDEX, complete

KNOWN = ("obesity", "insulin_resistance", "type2_diabetes", "hypothyroidism", "hyperthyroidism",
         "hyperprolactinemia", "primary_hypogonadism", "secondary_hypogonadism", "klinefelter", "varicocele")

# Congenital hypogonadotropic hypogonadism (GnRH deficiency): LH and FSH near the assay floor and
# prepubertal testes. Untreated men have serum LH and FSH below about 1 IU/L and testicular
# volume around 4 mL against 15-25 mL (Boehm U et al. Nat Rev Endocrinol 2015;11:547, the
# European consensus on CHH), so GnRH drive is set to zero (what is left is GnRH-independent
# release). Their spermatogenic (Sertoli) capacity stays far below normal even under full
# gonadotropin or GnRH replacement: mean sperm concentration reached is 4-6 M/mL (Rastrelli G et
# al. Andrology 2014, meta-analysis; calibration set), about a tenth of a normal man's, so each
# man's own capacity is multiplied by 0.1.
CHH_GNRH_FACTOR = 0.0
CHH_SERTOLI_FACTOR = 0.1
# Functional secondary hypogonadism (low T with unraised LH in adults, e.g. with obesity or
# ageing): a halved GnRH drive, chosen so total T falls to about 300 ng/dL in a young man.
FUNCTIONAL_GNRH_FACTOR = 0.45


def _secondary(p: np.ndarray, spec: dict, field: str, file: str | None) -> None:
    cause = spec.get("cause", "functional")
    if cause == "congenital":
        p[INDEX["gnrh_factor"]] = CHH_GNRH_FACTOR
        p[INDEX["sertoli_factor"]] *= CHH_SERTOLI_FACTOR   # keeps the man's own spread around it
    elif cause == "functional":
        p[INDEX["gnrh_factor"]] *= FUNCTIONAL_GNRH_FACTOR
    else:
        raise InputError(f"{field}.cause", "congenital or functional", repr(cause), file)


_MECHANISMS: dict[str, tuple[Callable, tuple[str, ...]]] = {
    # name -> (function(p, spec, field, file), severity keys it accepts)
    "secondary_hypogonadism": (_secondary, ("cause",)),
}


def parse_condition(item: object, *, field: str, file: str | None = None) -> dict:
    """A condition as ``{"name": ..., <severity keys>}``, checked against the vocabulary."""
    spec = {"name": item} if isinstance(item, str) else dict(item) if isinstance(item, dict) else None
    if spec is None or not isinstance(spec.get("name"), str):
        raise InputError(field, "a condition name or a mapping with 'name'", repr(item), file)
    name = spec["name"].strip().lower()
    if name not in KNOWN:
        raise InputError(f"{field}.name", f"one of the conditions {', '.join(KNOWN)}", repr(spec["name"]), file)
    spec["name"] = name
    return spec


def apply_conditions(p: np.ndarray, conditions: list | tuple, *, field: str = "conditions",
                     file: str | None = None) -> np.ndarray:
    """A copy of ``p`` with every condition in ``conditions`` applied, in order."""
    q = p.copy()
    for i, item in enumerate(conditions or ()):
        spec = parse_condition(item, field=f"{field}[{i}]", file=file)
        name = spec["name"]
        if name not in _MECHANISMS:
            raise InputError(f"{field}[{i}]", f"a condition with a modelled mechanism (modelled: {', '.join(_MECHANISMS)})",
                             f"{name!r}, which is recognised but not modelled yet", file)
        func, keys = _MECHANISMS[name]
        for key in spec:
            if key != "name" and key not in keys:
                raise InputError(f"{field}[{i}].{key}", f"a severity key of {name} ({', '.join(keys) or 'none'})",
                                 f"unknown key {key!r}", file)
        func(q, spec, f"{field}[{i}]", file)
    return complete(q)
