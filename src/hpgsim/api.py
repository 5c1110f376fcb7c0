"""The public Python entry point: one man, one protocol, one call."""

from __future__ import annotations

import numpy as np

from .drugs.protocol import Protocol
from .engine.run import DoseEvents, RawRun, run_man
from .errors import InputError
from .people.patient import Patient
from .people.personalise import personalise
from .people.physiology_of_man import population_parameters
from .physiology import model
from .results import Result
from .units import from_internal

# measures read from the algebraic outputs or from the states
_FROM_ALG = {
    "total_testosterone": model.A_TT,
    "free_testosterone": model.A_FT,
    "bioavailable_testosterone": model.A_BIOT,
    "intratesticular_testosterone": model.A_ITT,
    "estradiol": model.A_E2,
    "free_estradiol": model.A_FE2,
    "inhibin_b": model.A_INHB,
    "sperm_concentration": model.A_SPERM,
    "total_motile_count": model.A_TMC,
    "progressive_motility": model.A_PMOT,
    # serum FSH as an immunoassay reads it: the man's own plus any recombinant or urinary FSH
    # given (the state model.FSH is his own). LH stays his own: LH assays barely see hCG.
    "fsh": model.A_FSH_EFF,
}
_FROM_STATE = {"lh": model.LH, "shbg": model.SHBG, "bmd_spine": model.BMD, "insulin_sensitivity": model.ISI}


def typical_parameters(patient: Patient, *, file: str | None = None) -> np.ndarray:
    """The typical man of this patient's age, BMI and conditions (his labs not yet used): the
    centre of the prior his labs are fitted against."""
    p = population_parameters(patient.age, patient.bmi, patient.height_m)
    if patient.conditions:
        from .people.conditions import apply_conditions

        p = apply_conditions(p, [dict(c) for c in patient.conditions], field="patient.conditions", file=file)
    return p


def parameters_for(patient: Patient, *, file: str | None = None) -> np.ndarray:
    """This man's parameter vector: his age, BMI and conditions, then his labs (the maximum a
    posteriori fit of :func:`hpgsim.people.personalise.personalise`)."""
    p = typical_parameters(patient, file=file)
    if patient.labs:
        p = personalise(p, dict(patient.labs), file=file)
    return p


def personalise_patient(patient: Patient, *, file: str | None = None):
    """The full personalisation of ``patient`` (:class:`hpgsim.people.personalise.Personalisation`):
    estimates with their uncertainty, the fit of every lab, and any conflicting labs (listed,
    not raised)."""
    from .people.personalise import fit_labs

    return fit_labs(typical_parameters(patient, file=file), dict(patient.labs))


def measures_of(raw: RawRun) -> dict[str, np.ndarray]:
    """Named trajectories in internal units from a raw run."""
    out = {name: raw.alg[:, slot].copy() for name, slot in _FROM_ALG.items()}
    out.update({name: raw.y[:, slot].copy() for name, slot in _FROM_STATE.items()})
    # the ratios are defined in conventional units (T ng/dL over E2 pg/mL or LH IU/L)
    tt_ngdl, _ = from_internal("total_testosterone", out["total_testosterone"], "conventional")
    e2_pgml, _ = from_internal("estradiol", out["estradiol"], "conventional")
    out["t_e2_ratio"] = tt_ngdl / e2_pgml
    out["t_lh_ratio"] = tt_ngdl / np.maximum(out["lh"], 1e-3)
    out["prolactin"] = np.full(raw.t.shape, raw.params[model.P_PRL])
    for d, drug in enumerate(raw.drugs):
        # plasma levels of the drugs that have one (an ester depot feeds the body's own T pool);
        # the same drug by two routes is one concentration
        if drug.name != "placebo" and drug.effect != "absorption":
            key = f"concentration:{drug.name}"
            out[key] = out[key] + raw.conc[:, d] if key in out else raw.conc[:, d].copy()
    return out


def simulate(patient: Patient, protocol: Protocol | str | list | None = None, weeks: float = 26.0, *,
             output_every_hours: float = 24.0, thresholds: tuple = (), rtol: float | None = None,
             file: str | None = None, monitoring=None) -> Result:
    """Simulate ``patient`` under ``protocol`` for ``weeks`` weeks after week 0.

    ``protocol`` may be a :class:`Protocol`, text such as ``"anastrozole 1 mg twice weekly"``,
    a list of such texts or dicts, or ``None`` for no treatment. The man's baseline is his own
    steady state; history in negative weeks runs before week 0. Outputs every
    ``output_every_hours`` hours (24 by default), taken before any dose due at the same time.
    ``monitoring`` (a mapping or :class:`hpgsim.protocols.Monitoring`) draws simulated labs and
    lets its rules change the dosing; the result's ``lab_checks`` and ``adjustments`` list them.
    """
    if not isinstance(patient, Patient):
        raise InputError("patient", "a hpgsim.Patient (build one with Patient.build(age=..., bmi=...))", type(patient).__name__, file)
    if not (0 < float(weeks) <= 520):
        raise InputError("weeks", "a duration between 0 and 520 weeks", weeks, file)
    if not (0.01 <= float(output_every_hours) <= 24 * 28):
        raise InputError("output_every_hours", "an output interval between 0.01 and 672 hours", output_every_hours, file)
    protocol = Protocol.coerce(protocol, file=file)
    lab_checks = adjustments = None
    if monitoring is not None:
        from .protocols.monitoring import apply_monitoring

        protocol, lab_checks, adjustments = apply_monitoring(patient, protocol, monitoring, float(weeks), rtol=rtol,
                                                             file=file)
    t_end = float(weeks) * 168.0
    events = DoseEvents.from_list(protocol.dose_events(t_end))
    raw = run_man(parameters_for(patient, file=file), events, t_end, every_h=float(output_every_hours), rtol=rtol)
    dose_log = [(float(t), raw.drugs[d].name, float(amt / raw.drugs[d].bioavailability))
                for t, d, amt in zip(events.t, events.drug, events.amount)]
    return Result(raw.t, measures_of(raw), patient=patient, protocol=protocol, dose_events=dose_log,
                  thresholds=tuple(thresholds), lab_checks=lab_checks, adjustments=adjustments)
