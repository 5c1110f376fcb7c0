"""Assemble one man under one protocol into an SBML Level 3 Version 2 (core) document.

Layout of the document (docs/sbml.md has the full mapping):

* time in hours; every dynamic state of :mod:`hpgsim.physiology.model` is a parameter with a
  rate rule, its initial value the man's own steady state as hpgsim computes it;
* the quasi-steady-state algebra, the drug effect channels and the observables are assignment
  rules (:mod:`.physiology_math`, :mod:`.pharmacology`);
* every parameter of the man's vector (the table and the derived slots) is a constant with its
  value, its unit where SBML can express it and the table's meaning and source as notes;
* each dose is an event ``time >= t_dose`` adding the amount to the drug's depot (or central)
  amount.

The document is checked with libSBML's consistency checks before it is written (atomically).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

import libsbml
import numpy as np

from ..engine.run import DoseEvents
from ..errors import HpgsimError
from ..physiology import model
from ..physiology.parameters import ALBUMIN_MOLAR_MASS, DERIVED, INDEX, PARAMETERS
from ..units import from_internal
from . import pharmacology, units
from .physiology_math import ALGEBRA, FUNCTIONS, RATE_TERMS, RATES, Rule

LEVEL, VERSION = 3, 2
DISCLAIMER = "Simulation for research and teaching, not a medical device; never a dosing recommendation."

# units and meanings of the derived slots of the parameter vector (parameters.DERIVED)
_DERIVED_INFO = {
    "ref_free_t": ("nmol/L", "free T of the reference man (Vermeulen, from ref_total_t and ref_shbg)"),
    "ref_bio_t": ("nmol/L", "bioavailable T of the reference man"),
    "ref_free_e2": ("pmol/L", "free E2 of the reference man"),
    "t_prod_nmol_h": ("nmol/h", "T production rate of the reference man (t_production converted)"),
    "t_clearance_bio_l_h": ("L/h", "clearance of bioavailable T (reference man at steady state)"),
    "e2_prod_pmol_h": ("pmol/h", "E2 production rate of the reference man (e2_production converted)"),
    "e2_clearance_l_h": ("L/h", "E2 metabolic clearance (reference man at steady state)"),
    "baseline_e2": ("pmol/L", "this man's own baseline E2 (his steady state)"),
    "baseline_bone_e2_signal": ("1", "this man's baseline estrogen bone signal"),
    "baseline_bone_t_signal": ("1", "this man's baseline androgen bone signal"),
    "bmd_drift": ("1/yr", "this man's natural spine-BMD drift at his age (Khosla 2001)"),
}
assert set(_DERIVED_INFO) == set(DERIVED)


class SbmlError(HpgsimError):
    """libSBML rejected the document hpgsim built (a bug, not bad input)."""


@dataclass(frozen=True)
class ManModel:
    """What one export holds: the man's completed parameters and steady state, his doses."""

    name: str
    params: np.ndarray          # after the steady-state step (baseline slots filled)
    y0: np.ndarray              # his steady state
    events: DoseEvents
    t_start: float              # hours; the SBML clock starts here (time 0 = this instant)
    t_end: float                # hours
    description: tuple[str, ...] = ()


def observables() -> list[Rule]:
    """Observables api.measures_of computes beyond the algebra: the ratios (T in ng/dL over E2 in
    pg/mL or LH in IU/L)."""
    t_ngdl = float(from_internal("total_testosterone", np.array([1.0]), "conventional")[0][0])
    e2_pgml = float(from_internal("estradiol", np.array([1.0]), "conventional")[0][0])
    return [
        Rule("t_e2_ratio", f"total_testosterone * {t_ngdl!r} / (estradiol * {e2_pgml!r})", "1",
             "T (ng/dL) / E2 (pg/mL)"),
        Rule("t_lh_ratio", f"total_testosterone * {t_ngdl!r} / max(lh, 1e-3)", None, "T (ng/dL) / LH (IU/L)"),
    ]


def _sid(text: str) -> str:
    sid = re.sub(r"[^A-Za-z0-9_]", "_", text).strip("_") or "hpgsim_man"
    return sid if sid[0].isalpha() else "m_" + sid


def _notes(*paragraphs: str) -> str:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs if p)
    return f'<body xmlns="http://www.w3.org/1999/xhtml">{body}</body>'


def _math(formula: str, where: str) -> libsbml.ASTNode:
    ast = libsbml.parseL3Formula(formula)
    if ast is None:
        raise SbmlError(f"cannot parse the formula of {where}: {libsbml.getLastParseL3Error()}")
    return ast


def _ok(code: int, what: str) -> None:
    if code != libsbml.LIBSBML_OPERATION_SUCCESS:
        raise SbmlError(f"libSBML refused {what}: {libsbml.OperationReturnValue_toString(code)}")


class _Builder:
    def __init__(self, name: str) -> None:
        self.doc = libsbml.SBMLDocument(LEVEL, VERSION)
        self.model = self.doc.createModel()
        self.model.setId(_sid(name))
        self.model.setName(name)
        self.units: set[str] = set()
        self.ids: set[str] = set()

    def unit(self, unit: str | None) -> str | None:
        uid = units.unit_id(unit) if unit else None
        if uid is None or uid == "dimensionless" or uid in self.units:
            return uid
        ud = self.model.createUnitDefinition()
        ud.setId(uid)
        ud.setName(unit)
        for kind, exponent, scale, multiplier in units.factors(unit):
            u = ud.createUnit()
            u.setKind(libsbml.UnitKind_forName(kind))
            u.setExponent(exponent)
            u.setScale(scale)
            u.setMultiplier(multiplier)
        self.units.add(uid)
        return uid

    def parameter(self, pid: str, value: float | None, unit: str | None, constant: bool, *notes: str) -> None:
        if pid in self.ids:
            raise SbmlError(f"identifier {pid} used twice")
        self.ids.add(pid)
        p = self.model.createParameter()
        _ok(p.setId(pid), f"the identifier {pid}")
        p.setConstant(constant)
        if value is not None:
            p.setValue(float(value))
        uid = self.unit(unit)
        if uid is not None:
            p.setUnits(uid)
        if notes:
            p.setNotes(_notes(*notes))

    def assignment(self, rule: Rule) -> None:
        self.parameter(rule.id, None, rule.unit, False, rule.meaning + (f" [{rule.unit}]" if rule.unit else ""))
        r = self.model.createAssignmentRule()
        r.setVariable(rule.id)
        _ok(r.setMath(_math(rule.formula, rule.id)), f"the rule of {rule.id}")

    def rate(self, rule: Rule, initial: float) -> None:
        self.parameter(rule.id, initial, rule.unit, False,
                       rule.meaning + (f" [{rule.unit}]" if rule.unit else "") + "; rate rule per hour")
        r = self.model.createRateRule()
        r.setVariable(rule.id)
        _ok(r.setMath(_math(rule.formula, rule.id)), f"the rate rule of {rule.id}")


def build_document(man: ManModel) -> libsbml.SBMLDocument:
    """The SBML document of ``man`` (checked for consistency; raises :class:`SbmlError`)."""
    b = _Builder(man.name)
    m = b.model
    m.setTimeUnits(b.unit("h"))
    m.setNotes(_notes(
        f"hpgsim model of one man under one protocol: {man.name}.", *man.description,
        "Time in hours. SBML time 0 is hpgsim time " + f"{man.t_start:g} h" + f"; the protocol's doses run to "
        f"hpgsim time {man.t_end:g} h ({man.t_end / 168.0:g} weeks). States start at this man's steady state.",
        "Observables carry hpgsim's names and internal units (T nmol/L, E2 pmol/L, LH and FSH IU/L, SHBG nmol/L, "
        "inhibin B pg/mL, sperm M/mL, spine BMD g/cm2, drug levels ng/mL or IU/L). hpgsim reports values at a "
        "dose time before that dose (trough); an SBML simulator reports them after it.",
        DISCLAIMER))

    for fid, args, body, meaning in FUNCTIONS:
        f = m.createFunctionDefinition()
        f.setId(fid)
        _ok(f.setMath(_math(f"lambda({', '.join(args)}, {body})", fid)), f"the function {fid}")
        f.setNotes(_notes(meaning))
        b.ids.add(fid)

    p = man.params
    for param in PARAMETERS:
        flags = ["fitted to the calibration trials"] if param.fitted else []
        if param.uncertain:
            flags.append("uncertain" + (f": {param.note}" if param.note else ""))
        b.parameter(param.name, p[INDEX[param.name]], param.unit, True,
                    f"{param.meaning} [{param.unit}]", f"Source: {param.source}", "; ".join(flags),
                    f"Plausible range {param.low:g} to {param.high:g}; table value {param.value:g}.")
    for name in DERIVED:
        unit, meaning = _DERIVED_INFO[name]
        b.parameter(name, p[INDEX[name]], unit, True, f"{meaning} [{unit}]")
    b.parameter("albumin_molar_mass", ALBUMIN_MOLAR_MASS, "g/mol", True,
                "albumin molar mass [g/mol], as in the ISSAM implementation of Vermeulen 1999")
    b.parameter("time_origin", man.t_start, "h", True, "hpgsim time (h) at SBML time 0")
    b.assignment(Rule("hpgsim_time", "time + time_origin", "h", "hpgsim's clock (h; week 0 is 0)"))

    for rule in RATES:
        b.rate(rule, man.y0[model.STATE_NAMES.index(rule.id)])
    for rule in (*ALGEBRA, *RATE_TERMS):
        b.assignment(rule)

    events = man.events
    drug_params = {dp.id: dp.value for dp in pharmacology.drug_parameters(events)}
    for dp in pharmacology.drug_parameters(events):
        b.parameter(dp.id, dp.value, dp.unit, True, dp.meaning + (f" [{dp.unit}]" if dp.unit else ""))
    for rule in pharmacology.pk_rates(events):
        b.rate(rule, 0.0)
    for rule in (*pharmacology.channel_rules(events), *pharmacology.concentration_rules(events), *observables()):
        b.assignment(rule)

    for dose in pharmacology.doses(events):
        e = m.createEvent()
        e.setId(dose.id)
        e.setUseValuesFromTriggerTime(True)
        trig = e.createTrigger()
        trig.setInitialValue(False)      # a dose at time 0 fires at the start
        trig.setPersistent(True)
        _ok(trig.setMath(_math(f"time >= {dose.t - man.t_start!r}", dose.id)), f"the trigger of {dose.id}")
        ea = e.createEventAssignment()
        ea.setVariable(dose.target)
        uid = b.unit(dose.unit)      # the dose carries its unit (none for IU)
        amount = f"{dose.dose!r}" + (f" {uid}" if uid else "")
        _ok(ea.setMath(_math(f"{dose.target} + {dose.f_id} * {amount}", dose.id)), f"the dose {dose.id}")
    pharmacology.check_amounts(events, pharmacology.doses(events), drug_params)
    check(b.doc)
    return b.doc


def check(doc: libsbml.SBMLDocument) -> list[str]:
    """Run libSBML's consistency checks; raise on any error, return the warnings."""
    doc.checkConsistency()
    errors, warnings = [], []
    for i in range(doc.getNumErrors()):
        err = doc.getError(i)
        text = f"{err.getErrorId()} line {err.getLine()}: {' '.join(err.getMessage().split())}"
        (errors if err.getSeverity() >= libsbml.LIBSBML_SEV_ERROR else warnings).append(text)
    if errors:
        raise SbmlError(f"libSBML found {len(errors)} error(s) in the exported model; first: {errors[0]}")
    return warnings


def write(doc: libsbml.SBMLDocument, path: str | Path) -> Path:
    """Write ``doc`` to ``path`` atomically (a partial file never appears)."""
    from ..results import atomic_path

    path = Path(path)
    with atomic_path(path) as tmp:
        if not libsbml.writeSBMLToFile(doc, str(tmp)):
            raise OSError(f"could not write {path}")
    return path
