"""The ``hpgsim patient`` report as data: one JSON document of the personalised man.

A report, downstream of the people, the engine and the results (it reads them, they never read it).

The same content as the printed report (his estimated factors and their uncertainty, the fit of
each lab, conflicts, markers, flags, target probabilities), plus his simulated untreated steady
state, with every concentration in both unit systems people use (a *quantity*:
``{"conventional": {"value", "unit"}, "si": {"value", "unit"}}``, e.g. ng/dL and nmol/L).

JSON has no NaN: a value that cannot be computed (or does not apply) is ``null``, and
``null_values`` lists the path of each ``null`` with the reason. The keys are documented in
``hpgsim patient --help`` (:data:`hpgsim.cli_patient.JSON_KEYS`); a test holds the two together.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .people.markers import flags, markers
from .people.personalise import Personalisation, describe_conflict, steady_state_labs
from .people.target_probability import TargetProbability, baseline_mismatches
from .physiology.parameters import BY_NAME
from .results import describe_patient
from .units import from_internal

SCHEMA = "hpgsim.patient/1"
DISCLAIMER = ("A simulation of the male HPG axis for research and teaching, not medical advice: not a diagnosis and "
              "not a dosing recommendation.")

# Why a number came out non-finite, by the key it sits under.
_NON_FINITE = {
    "percent_off": "the simulated value is zero, so the difference in percent is undefined",
    "sd_ratio": "the factor has no prior spread",
    **{key: "no simulation of this group succeeded (see failed)"
       for key in ("fraction", "baseline_fraction", "standard_error", "interval95")},
}


@dataclass(frozen=True)
class Missing:
    """A value that is ``null`` in the document, with the reason listed in ``null_values``."""

    reason: str


def quantity(measure: str, value: float) -> dict:
    """``value`` (internal units of ``measure``) in the conventional and the SI unit system."""
    out = {}
    for system in ("conventional", "si"):
        shown, unit = from_internal(measure, float(value), system)
        out[system] = {"value": shown, "unit": unit}
    return out


def patient_report(man, fit: Personalisation, *, file: str, protocol_name: str | None = None,
                   weeks: float | None = None, draws: int | None = None, seed: int | None = None,
                   odds: list[TargetProbability] | None = None) -> dict:
    """The report of ``man`` (a :class:`~hpgsim.people.patient.Patient`) personalised as ``fit``,
    as a JSON-ready dict whose every ``null`` is explained in ``null_values``; ``odds`` from
    :func:`~hpgsim.people.target_probability.target_probabilities` when a protocol was simulated."""
    labs = dict(man.labs)
    doc = {
        "schema": SCHEMA,
        "disclaimer": DISCLAIMER,
        "file": file,
        "name": man.name or Missing("the patient block gives no name"),
        "patient": {
            "age_years": man.age, "bmi_kg_m2": man.bmi, "height_m": man.height_m,
            "description": describe_patient(man) + (
                "; conditions: " + ", ".join(condition_text(c) for c in man.conditions) if man.conditions else ""),
            "conditions": [_condition(c) for c in man.conditions],
            "labs": {lab: quantity(lab, value) for lab, value in labs.items()},
        },
        "personalisation": _personalisation(fit),
        "steady_state": {lab: quantity(lab, value) for lab, value in steady_state_labs(fit.params).items()},
        "fit": [_lab_fit(lab) for lab in fit.labs],
        "conflicts": [{"lab": lab.lab, "description": describe_conflict(lab)} for lab in fit.conflicts],
        "markers": _markers(labs),
        "flags": [_flag(f) for f in flags(labs, bmi=man.bmi)],
        "target_probabilities": Missing("computed only with --protocol") if odds is None else {
            "protocol": protocol_name, "weeks": weeks, "draws": draws, "seed": seed,
            "results": [_probability(o, labs) for o in odds],
            "notes": baseline_mismatches(odds, labs, fit),
        },
    }
    nulls: list[dict] = []
    doc = _plain(doc, "", nulls)
    doc["null_values"] = nulls
    return doc


def to_json(doc: dict) -> str:
    """The document as JSON text; refuses NaN and infinity (they were made ``null`` already)."""
    return json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False)


def condition_text(condition: Mapping) -> str:
    """``"secondary_hypogonadism (cause functional)"``: the name and any severity given."""
    extra = ", ".join(f"{k} {v}" for k, v in condition.items() if k != "name")
    return condition["name"] + (f" ({extra})" if extra else "")


def _condition(condition: Mapping) -> dict:
    return {"name": condition["name"], "severity": {k: v for k, v in condition.items() if k != "name"},
            "text": condition_text(condition)}


def _personalisation(fit: Personalisation) -> dict:
    return {
        "method": fit.method,
        "prior": "population of his age, BMI and conditions",
        "informed_directions": fit.informed_directions,
        "directions": len(fit.names),
        "not_identified": list(fit.not_identified),
        "factors": [{"name": f.name, "meaning": BY_NAME[f.name].meaning, "unit": BY_NAME[f.name].unit,
                     "typical": f.prior_median, "estimate": f.estimate, "low95": f.low95, "high95": f.high95,
                     "prior_log_sd": f.prior_log_sd, "posterior_log_sd": f.posterior_log_sd,
                     "sd_ratio": f.sd_ratio if f.prior_log_sd > 0 else math.nan,
                     "identifiable": f.identifiable, "at_bound": f.at_bound} for f in fit.factors],
        "pinned_down_only_together": [{"factors": [a, b], "posterior_correlation": rho} for a, b, rho in fit.joint],
        "set_from_labs": {lab: quantity(lab, value) for lab, value in fit.set_from_labs.items()},
        "fixed_at_zero": list(fit.fixed),
        "not_modelled": list(fit.not_modelled),
    }


def _lab_fit(lab) -> dict:
    status = "ok" if not lab.conflict else ("conflict: no man reaches it" if not lab.reachable else "conflict")
    return {"lab": lab.lab, "measured": quantity(lab.lab, lab.observed), "simulated": quantity(lab.lab, lab.simulated),
            "percent_off": lab.percent_off, "measurement_error_percent": 100.0 * math.expm1(lab.log_sd),
            "gap_sd": lab.z, "conflict": lab.conflict, "reachable": lab.reachable, "status": status}


def _markers(labs: dict) -> list[dict]:
    si = {m.key: m for m in markers(labs, "si")}
    return [{"key": m.key, "label": m.label, "conventional": {"value": m.value, "unit": m.unit},
             "si": {"value": si[m.key].value, "unit": si[m.key].unit}, "basis": m.basis}
            for m in markers(labs, "conventional")]


def _flag(f) -> dict:
    return {"key": f.key, "label": f.label, "fired": f.fired, "kind": f.kind, "evidence": f.evidence,
            "detail": f.detail, "sources": list(f.sources), "contradicted_by": list(f.contradicted_by)}


def _probability(o: TargetProbability, labs: dict) -> dict:
    target = o.target
    measured = labs.get(target.measure)
    return {
        "measure": target.measure,
        "target": {"text": target.text, "description": target.describe("conventional"),
                   "low": quantity(target.measure, target.low),
                   "high": Missing("an 'at least' target has no upper end") if target.high is None
                   else quantity(target.measure, target.high)},
        "group": o.group, "n": o.n, "reached": o.reached, "at_baseline": o.at_baseline, "failed": o.failed,
        "fraction": o.fraction, "standard_error": o.standard_error, "interval95": list(o.interval),
        "baseline_fraction": o.baseline_fraction,
        "his_measured": Missing("not measured") if measured is None else quantity(target.measure, measured),
        "his_measured_in_range": Missing("not measured") if measured is None
        else target.contains_value(measured),
    }


def _plain(value, path: str, nulls: list[dict]):
    """``value`` with plain JSON types only: NumPy scalars unwrapped, :class:`Missing` and
    non-finite numbers made ``None`` (each recorded in ``nulls`` with its path and reason)."""
    if isinstance(value, Missing):
        nulls.append({"path": path, "reason": value.reason})
        return None
    if isinstance(value, Mapping):
        return {str(k): _plain(v, f"{path}.{k}" if path else str(k), nulls) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v, f"{path}[{i}]", nulls) for i, v in enumerate(value)]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        if math.isfinite(value):
            # ten significant digits: drops the float noise of unit conversion (280.00000000000006)
            return float(f"{value:.10g}")
        key = path.rsplit(".", 1)[-1].split("[", 1)[0]
        nulls.append({"path": path, "reason": _NON_FINITE.get(key, "not a finite number: cannot be computed")})
        return None
    if value is None:     # only where the input itself was empty (a severity written as `cause:`)
        nulls.append({"path": path, "reason": "empty in the labs file"})
        return None
    if isinstance(value, str):
        return value
    return str(value)      # e.g. a date a YAML file gave as a severity
