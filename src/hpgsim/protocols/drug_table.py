"""Every registered drug next to what the simulator predicts its usual regimen does.

The changes are simulated for a typical man (35 years, BMI 25) under the drug's
``usual_regimen`` for ``usual_weeks`` weeks; they are model output, computed here and never
typed in, so the table follows the catalogue and the physiology. A simulation, not advice.
"""

from __future__ import annotations

import math
import re

import pandas as pd

from ..drugs.records import all_drugs
from .compare import MEASURES
from .flags import FLAGS, flags_of

TYPICAL_MAN = {"age": 35.0, "bmi": 25.0}
_YEAR = re.compile(r"\b(19|20)\d\d\b")
_PARENS = re.compile(r"\([^()]*\)")
_DOCUMENTS = {"label", "smpc", "monograph", "insert"}


def drug_table(*, units: str = "conventional") -> pd.DataFrame:
    """One row per registered drug with a ``usual_regimen``.

    Columns: ``drug``, ``drug_class``, ``mechanism``, ``half_life_h``, ``exposure_cv`` (the
    between-man CV of exposure virtual men are drawn with, ``None`` where all clear it alike), ``usual_regimen``,
    ``usual_weeks``, ``protocols`` (library protocols that give the drug, comma-separated),
    ``baseline_<measure>`` and ``change_pct_<measure>`` for each measure of
    :data:`~hpgsim.protocols.compare.MEASURES` (end of the regimen versus week 0, in ``units``),
    one column per side-effect flag (first week reached, ``None`` when never), and ``sources``
    (short citations).
    """
    import hpgsim

    man = hpgsim.Patient.build(**TYPICAL_MAN)
    users = _protocols_by_drug()
    rows = []
    for record in all_drugs().values():
        if not record.usual_regimen:
            continue
        result = hpgsim.simulate(man, record.usual_regimen, record.usual_weeks)
        summary = result.summary(units)
        row = {"drug": record.name, "drug_class": record.drug_class, "mechanism": record.mechanism,
               "half_life_h": apparent_half_life_h(record), "exposure_cv": exposure_cv(record),
               "usual_regimen": record.usual_regimen,
               "usual_weeks": record.usual_weeks, "protocols": ", ".join(users.get(record.name, []))}
        for measure in MEASURES:
            line = summary.loc[measure]
            row[f"baseline_{measure}"] = float(line["baseline"])
            row[f"unit_{measure}"] = line["unit"]
            row[f"change_pct_{measure}"] = None if pd.isna(line["change_pct"]) else float(line["change_pct"])
        row.update(flags_of(result))
        row["sources"] = "; ".join(dict.fromkeys(short_citation(s.citation) for s in record.sources))
        rows.append(row)
    columns = ["drug", "drug_class", "mechanism", "half_life_h", "exposure_cv", "usual_regimen", "usual_weeks", "protocols"]
    for measure in MEASURES:
        columns += [f"baseline_{measure}", f"unit_{measure}", f"change_pct_{measure}"]
    columns += [f.key for f in FLAGS] + ["sources"]
    return pd.DataFrame(rows, columns=columns)


def short_citation(citation: str) -> str:
    """A few words for a table cell: ``"Mauras N et al. JCEM 2009;94:2975 (...)"`` -> ``"Mauras
    2009"``; ``"ARIMIDEX label (...)"`` -> ``"ARIMIDEX label"``; otherwise the text before the
    first stop, at most 40 characters."""
    plain = " ".join(_PARENS.sub("", citation).split())
    words = [w.strip(",.;:") for w in plain.split()]
    for i, word in enumerate(words[:5]):
        if word.lower() in _DOCUMENTS:
            return " ".join(words[:i + 1])
    year = _YEAR.search(citation)
    if year and words:
        return f"{words[0]} {year.group(0)}"
    head = re.split(r"[.:;(]", plain, maxsplit=1)[0].strip(" ,")
    return head if len(head) <= 40 else head[:39].rstrip() + "…"


def apparent_half_life_h(record) -> float:
    """The half-life that sets how long a dose lasts (hours): elimination, or for a depot that
    feeds testosterone into the body (``effect == "absorption"``) the release half-life."""
    if getattr(record, "effect", "") == "absorption":
        return math.log(2.0) / record.ka_per_h
    return record.half_life_h


def exposure_cv(record) -> float | None:
    """The between-man CV of a drug's exposure that virtual men are drawn with
    (:data:`hpgsim.people.population.PK_VARIATION`), or ``None`` when every man clears it alike."""
    from ..people.population import PK_VARIATION

    cvs = {v.factor: v.cv for v in PK_VARIATION}
    return cvs.get(record.clearance_factor) if record.clearance_factor else None


def _protocols_by_drug() -> dict[str, list[str]]:
    from .library import list_protocols

    users: dict[str, list[str]] = {}
    for item in list_protocols(strict=False):
        for drug in item.drugs:
            users.setdefault(drug, []).append(item.name)
    return users
