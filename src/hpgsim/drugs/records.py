"""Drugs as data: one frozen record per drug, and the registry that looks them up.

A record says what the drug is (class, route, target), how its concentration moves (a linear
chain of first-order compartments, see :mod:`hpgsim.drugs.pk`) and how strongly it acts on its
target (an Emax curve on one *effect channel* of the physiology, see
:mod:`hpgsim.physiology.model`). Adding a drug is adding a record here, and at most one small
function when its effect is not an Emax curve on one channel.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import InputError

# Effect channels: the ways a drug can act on the physiology. The integer is the slot the
# right-hand side reads; the order is part of the compiled model's contract.
CHANNELS = {
    "aromatase_inhibition": 0,   # fraction of aromatase activity blocked (0..1)
    "er_antagonism": 1,          # fraction of central estrogen receptors occupied by an antagonist
    "er_agonism": 2,             # estrogen-equivalent signal added at the receptor (x reference free E2)
    "lh_receptor_agonism": 3,    # LH-equivalent concentration at Leydig cells (IU/L)
    "fsh_receptor_agonism": 4,   # FSH-equivalent concentration at Sertoli cells (IU/L)
    "gnrh_receptor_agonism": 5,  # exogenous GnRH-receptor occupancy (0..1)
    "testosterone_input": 6,     # exogenous testosterone entering plasma (nmol/h)
}
N_CHANNELS = len(CHANNELS)


@dataclass(frozen=True)
class Source:
    """Where a number came from."""

    citation: str
    url: str = ""


@dataclass(frozen=True)
class DrugRecord:
    """Everything the simulator knows about one drug.

    PK is a chain ``depot -(ka)-> central -(ke)-> out``: the central amount divided by the
    apparent volume is the plasma concentration in ng/mL (= ug/L). For drugs whose effect is a
    flux into the body's own pool (exogenous testosterone), ``effect_from`` is ``"absorption"``
    and the channel receives ``ka * depot`` converted to nmol/h.
    """

    name: str
    drug_class: str
    route: str
    dose_unit: str                   # "mg", "ug" or "IU": the unit doses are converted to
    max_single_dose: float           # in dose_unit; above it the dose is rejected as absurd
    bioavailability: float           # F, fraction of the dose reaching the depot
    ka_per_h: float                  # absorption rate constant (1/h)
    ke_per_h: float                  # elimination rate constant (1/h)
    volume_l: float                  # apparent volume of distribution (L)
    channel: str                     # effect channel (key of CHANNELS)
    emax: float                      # maximal effect on the channel
    ec50_ng_ml: float                # concentration giving half of emax (ng/mL)
    hill: float = 1.0
    effect_from: str = "concentration"   # or "absorption"
    mechanism: str = ""
    sources: tuple[Source, ...] = field(default_factory=tuple)
    notes: str = ""

    @property
    def half_life_h(self) -> float:
        import math

        return math.log(2.0) / self.ke_per_h

    def __post_init__(self) -> None:
        if self.channel not in CHANNELS:
            raise ValueError(f"drug {self.name}: unknown effect channel {self.channel!r}")
        if self.effect_from not in ("concentration", "absorption"):
            raise ValueError(f"drug {self.name}: effect_from must be concentration or absorption")


_REGISTRY: dict[str, DrugRecord] = {}


def register(record: DrugRecord) -> DrugRecord:
    """Add a record to the registry (done once, at import of :mod:`hpgsim.drugs.catalogue`)."""
    _REGISTRY[record.name] = record
    return record


def get_drug(name: str, *, field: str = "drug", file: str | None = None) -> DrugRecord:
    """The record of ``name``, or an :class:`InputError` listing the drugs that exist."""
    from . import catalogue  # noqa: F401  (registers the records)

    key = name.strip().lower()
    if key not in _REGISTRY:
        known = ", ".join(sorted(_REGISTRY))
        raise InputError(field, f"one of the known drugs ({known})", repr(name), file)
    return _REGISTRY[key]


def all_drugs() -> dict[str, DrugRecord]:
    from . import catalogue  # noqa: F401

    return dict(_REGISTRY)
