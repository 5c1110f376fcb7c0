"""Drugs in SBML: depot and central amounts as ODEs, each dose an event, effects as rules.

hpgsim itself never integrates PK (it evaluates the closed-form Bateman solution of
:mod:`hpgsim.drugs.pk`); the SBML file states the same linear chain as explicit ODEs,

    d depot/dt   = -ka depot
    d central/dt =  ka depot - ke central,

one pair per row of :class:`hpgsim.engine.run.DoseEvents` (a drug and route; clomiphene
citrate already split into enclomiphene and zuclomiphene there). Each dose is an event adding
``F x dose`` to the depot, or to the central amount for an IV bolus. The channel rules restate
``model.drug_channels``: occupancy-type channels combine as independent blocks
(1 - prod(1 - min(effect, 1))), the rest add. The cross-check test keeps the two in line.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..drugs.records import CHANNELS, DrugRecord
from ..engine.run import DoseEvents
from .physiology_math import Rule

# unit of each channel's value (records.CHANNELS; LH and FSH equivalents are IU/L, no SBML unit)
CHANNEL_UNITS = {"aromatase_inhibition": "1", "er_antagonism": "1", "er_agonism": "1", "lh_receptor_agonism": None,
                 "fsh_receptor_agonism": None, "gnrh_receptor_agonism": "1", "testosterone_input": "nmol/h",
                 "aromatase_inactivation": "1/h", "cns_aromatase_inhibition": "1", "ar_agonism": "1"}
assert set(CHANNEL_UNITS) == set(CHANNELS)
# channels whose drug effects combine as independent blocks (model.drug_channels)
_BLOCKS = ("aromatase_inhibition", "er_antagonism", "gnrh_receptor_agonism", "cns_aromatase_inhibition")


@dataclass(frozen=True)
class DrugParam:
    id: str
    value: float
    unit: str | None
    meaning: str


@dataclass(frozen=True)
class Dose:
    """One SBML event: at ``t`` hours, ``target`` += ``f_id`` x ``dose`` (dose in the drug's unit)."""

    id: str
    t: float
    target: str
    f_id: str
    dose: float
    unit: str | None      # the drug's dose unit, None for IU (no SBML equivalent)


def row_id(drug: DrugRecord) -> str:
    """Identifier of one PK row: the drug and its route (``hcg_im``, ``zuclomiphene_oral``)."""
    return f"{drug.name}_{drug.route}"


def drug_parameters(events: DoseEvents) -> list[DrugParam]:
    """Constant PK and effect parameters of every row."""
    out: list[DrugParam] = []
    for drug in events.drugs:
        r = row_id(drug)
        out += [
            DrugParam(f"F_{r}", drug.bioavailability, "1", f"{drug.name} ({drug.route}): bioavailability"),
            DrugParam(f"ka_{r}", drug.ka_per_h, "1/h", f"{drug.name} ({drug.route}): absorption rate constant"),
            DrugParam(f"ke_{r}", drug.ke_per_h, "1/h", f"{drug.name}: elimination rate constant"),
            DrugParam(f"V_{r}", drug.volume_l, "L", f"{drug.name}: apparent volume; central / V is the plasma "
                      f"level in {drug.level_unit}"),
            DrugParam(f"emax_{r}", drug.emax, None, f"{drug.name}: maximal effect on channel {drug.channel} "
                      f"({drug.effect} effect)"),
        ]
        if drug.effect == "emax":
            out += [
                # IU/L has no SBML unit definition (sbml.units), so hCG's and FSH's stay unitless as LH's
                DrugParam(f"ec50_{r}", drug.ec50_ng_ml, drug.level_unit,
                          f"{drug.name}: plasma level ({drug.level_unit}) giving half of emax"),
                DrugParam(f"hill_{r}", drug.hill, "1", f"{drug.name}: Hill coefficient"),
            ]
            if drug.channel == "er_antagonism":
                out.append(DrugParam(f"ia_{r}", drug.intrinsic_activity, "1",
                                     f"{drug.name}: estrogen-like signal per unit receptor occupancy"))
            if drug.channel == "aromatase_inhibition":
                out.append(DrugParam(f"cns_{r}", drug.cns_access, "1",
                                     f"{drug.name}: unbound brain over unbound plasma level"))
        if drug.androgen_per_level:
            out.append(DrugParam(f"ar_{r}", drug.androgen_per_level, None,
                                 f"{drug.name}: androgen-receptor signal of its androgenic metabolite per unit of "
                                 f"plasma level (x reference free T per {drug.level_unit})"))
    return out


def amount_unit(drug: DrugRecord) -> str | None:
    return None if drug.dose_unit == "IU" else drug.dose_unit


def pk_rates(events: DoseEvents) -> list[Rule]:
    """Depot and central amounts of every row (in the drug's dose unit)."""
    rules: list[Rule] = []
    for drug in events.drugs:
        r = row_id(drug)
        unit = amount_unit(drug)
        rules.append(Rule(f"depot_{r}", f"-ka_{r} * depot_{r}", unit, f"{drug.name} ({drug.route}): amount in the depot"))
        # the man's own clearance of the drug (an individual parameter, 1 in the reference man)
        ke = f"ke_{r} * {drug.clearance_factor}" if drug.clearance_factor else f"ke_{r}"
        rules.append(Rule(f"central_{r}", f"ka_{r} * depot_{r} - {ke} * central_{r}", unit,
                          f"{drug.name} ({drug.route}): amount in the central compartment"))
    return rules


def _effect(drug: DrugRecord) -> str:
    r = row_id(drug)
    if drug.effect == "absorption":
        return f"emax_{r} * ka_{r} * depot_{r}"
    if drug.effect == "linear":
        return f"emax_{r} * central_{r} / V_{r}"
    return f"emax_{r} * drive(central_{r} / V_{r}, ec50_{r}, hill_{r})"


def channel_rules(events: DoseEvents) -> list[Rule]:
    """One assignment rule per effect channel (0 when no drug acts on it)."""
    terms: dict[str, list[str]] = {c: [] for c in CHANNELS}
    rules: list[Rule] = []
    for drug in events.drugs:
        r = row_id(drug)
        rules.append(Rule(f"effect_{r}", _effect(drug), None, f"{drug.name} ({drug.route}): effect on {drug.channel}"))
        if drug.effect == "emax" and drug.channel in _BLOCKS:
            terms[drug.channel].append(f"(1 - min(effect_{r}, 1))")
            if drug.channel == "er_antagonism":
                terms["er_agonism"].append(f"ia_{r} * effect_{r}")
            if drug.channel == "aromatase_inhibition":
                rules.append(Rule(f"cns_effect_{r}", f"emax_{r} * drive(central_{r} / V_{r} * cns_{r}, ec50_{r}, hill_{r})",
                                  None, f"{drug.name} ({drug.route}): effect on brain aromatase"))
                terms["cns_aromatase_inhibition"].append(f"(1 - min(cns_effect_{r}, 1))")
        else:
            terms[drug.channel].append(f"effect_{r}")
        if drug.androgen_per_level:
            terms["ar_agonism"].append(f"ar_{r} * central_{r} / V_{r}")
    for channel, parts in terms.items():
        if channel in _BLOCKS:
            formula = f"1 - {' * '.join(parts)}" if parts else "0"
        else:
            formula = " + ".join(parts) if parts else "0"
        rules.append(Rule(channel, formula, CHANNEL_UNITS[channel], f"effect channel {channel} (hpgsim.drugs.records.CHANNELS)"))
    return rules


def concentration_rules(events: DoseEvents) -> list[Rule]:
    """Plasma level of each drug that has one (rows of the same drug by two routes add), as
    ``api.measures_of`` names them (``concentration:NAME``, id ``concentration_NAME``)."""
    by_drug: dict[str, list[str]] = {}
    for drug in events.drugs:
        if drug.name != "placebo" and drug.effect != "absorption":
            by_drug.setdefault(drug.name, []).append(f"central_{row_id(drug)} / V_{row_id(drug)}")
    units = {d.name: d.level_unit for d in events.drugs}
    return [Rule(f"concentration_{name}", " + ".join(parts), units[name], f"concentration:{name} (plasma level)")
            for name, parts in by_drug.items()]


def doses(events: DoseEvents) -> list[Dose]:
    """Every dose as an event, in time order (the amounts are hpgsim's ``F x dose``)."""
    out = []
    for k, (t, d, central) in enumerate(zip(events.t, events.drug, events.central)):
        drug = events.drugs[int(d)]
        r = row_id(drug)
        # the dose in the drug's unit (for clomiphene, the part's share of the citrate dose)
        dose = float(events.amount[k]) / drug.bioavailability if drug.bioavailability > 0 else 0.0
        out.append(Dose(f"dose_{k + 1}_{r}", float(t), f"{'central' if central else 'depot'}_{r}", f"F_{r}", dose,
                        amount_unit(drug)))
    return out


def check_amounts(events: DoseEvents, listed: list[Dose], params: dict[str, float]) -> None:
    """Guard: F x dose reproduces hpgsim's amounts (they are what the engine adds)."""
    amounts = np.array([params[d.f_id] * d.dose for d in listed])
    if not np.allclose(amounts, events.amount, rtol=1e-12, atol=0.0):
        raise AssertionError("dose amounts do not match the engine's")
