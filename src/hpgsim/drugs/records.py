"""Drugs as data: one frozen record per drug, and the registry that looks them up.

A record says what the drug is (class, route, target), how its concentration moves (a linear
chain of first-order compartments, see :mod:`hpgsim.drugs.pk`) and how strongly it acts on its
target (an Emax curve on one *effect channel* of the physiology, see
:mod:`hpgsim.physiology.model`). Adding a drug is adding a record here, and at most one small
function when its effect is not an Emax curve on one channel.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

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
    "aromatase_inactivation": 7, # rate of irreversible aromatase inactivation (1/h)
    "cns_aromatase_inhibition": 8,  # fraction of brain aromatase blocked (derived from aromatase_inhibition)
    "ar_agonism": 9,             # androgen-equivalent signal at the hypothalamic androgen receptor (x reference free T)
}
# Channels no record acts on directly: the engine fills them from another channel's drugs.
DERIVED_CHANNELS = {"cns_aromatase_inhibition": "aromatase_inhibition"}
# How a drug's amount becomes a channel value: an Emax curve of the plasma concentration, a
# linear potency times the concentration (hormone agonists dosed in IU), or the absorption
# flux out of the depot (testosterone esters feed the body's own pool).
EFFECT_KINDS = {"emax": 0, "linear": 1, "absorption": 2}
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
    apparent volume is the plasma concentration in ng/mL (= ug/L), or IU/L for drugs dosed in
    IU. For drugs whose effect is a flux into the body's own pool (exogenous testosterone),
    ``effect`` is ``"absorption"`` and the channel receives ``emax * ka * depot`` (``emax``
    converts the dose unit to nmol of testosterone).
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
    # concentration giving half of emax, in the drug's level unit (level_unit: ng/mL, or IU/L
    # for drugs dosed in IU); the name predates IU-dosed drugs and is kept because calibration
    # keys ("hcg.ec50_ng_ml") and saved fits use it
    ec50_ng_ml: float
    hill: float = 1.0
    effect: str = "emax"             # key of EFFECT_KINDS
    # ER ligands only: estrogen-like signal per unit receptor occupancy (0 = pure antagonist;
    # a partial agonist such as zuclomiphene hides E2 and adds this much of its own)
    intrinsic_activity: float = 0.0
    # unbound brain over unbound plasma level: how much of an aromatase inhibitor reaches brain
    # aromatase (channel cns_aromatase_inhibition); 1 = freely, as in plasma
    cns_access: float = 1.0
    # an androgenic metabolite formed in proportion to the drug (exemestane's 17-hydroxyexemestane):
    # androgen-receptor signal per unit of the drug's plasma level (x reference free T per ng/mL),
    # added to channel ar_agonism whatever the drug's own channel
    androgen_per_level: float = 0.0
    # a mixture (clomiphene citrate) is dosed as its parts: (part drug name, fraction of the dose)
    parts: tuple[tuple[str, float], ...] = ()
    # other routes of the same drug: (route, bioavailability, ka_per_h); the record's own route first
    other_routes: tuple[tuple[str, float, float], ...] = ()
    internal: bool = False           # a part or metabolite: not dosed on its own
    gel_mg_per_g: float = 0.0        # gels: mg of drug per g of gel, so "5 g" means 5 g of gel
    mechanism: str = ""
    sources: tuple[Source, ...] = field(default_factory=tuple)
    notes: str = ""
    # the regimen a "typical use" comparison simulates (hpgsim drugs), as regimen text
    # ("anastrozole 1 mg daily"), and for how many weeks; empty for internal parts and placebo
    usual_regimen: str = ""
    usual_weeks: float = 12.0
    # molar mass of the species whose plasma level is modelled (the free base of a salt), so that
    # a level published in nmol/L converts to the level unit; 0 where no molar unit applies
    # (hCG and FSH are dosed in IU; a testosterone product's effect is the serum T it releases)
    molar_mass_g_mol: float = 0.0

    @property
    def level_unit(self) -> str:
        """Unit of the plasma level (central amount / volume) and of ``ec50_ng_ml``."""
        return "IU/L" if self.dose_unit == "IU" else "ng/mL"

    @property
    def clearance_factor(self) -> str:
        """The individual parameter that scales this drug's clearance in one man (its name is the
        drug's name + ``_clearance_factor``), or "" when men are not given their own clearance of it."""
        from ..physiology.parameters import INDEX

        name = f"{self.name}_clearance_factor"
        return name if name in INDEX else ""

    @property
    def half_life_h(self) -> float:
        import math

        return math.log(2.0) / self.ke_per_h

    def __post_init__(self) -> None:
        if self.channel not in CHANNELS:
            raise ValueError(f"drug {self.name}: unknown effect channel {self.channel!r}")
        if self.effect not in EFFECT_KINDS:
            raise ValueError(f"drug {self.name}: effect must be one of {', '.join(EFFECT_KINDS)}")
        if self.parts and abs(sum(f for _, f in self.parts) - 1.0) > 1e-9:
            raise ValueError(f"drug {self.name}: the fractions of its parts must add up to 1")
        if self.channel in DERIVED_CHANNELS:
            raise ValueError(f"drug {self.name}: channel {self.channel!r} is derived from "
                             f"{DERIVED_CHANNELS[self.channel]!r}; give that channel instead")
        if not self.cns_access >= 0.0:
            raise ValueError(f"drug {self.name}: cns_access (unbound brain over plasma level) must be 0 or more")

    @property
    def routes(self) -> tuple[str, ...]:
        return (self.route, *(r for r, _, _ in self.other_routes))

    def via(self, route: str | None) -> "DrugRecord":
        """This drug given by ``route`` (its own absorption), or itself when ``route`` is its own."""
        if route is None or route == self.route:
            return self
        for r, f, ka in self.other_routes:
            if r == route:
                return replace(self, route=r, bioavailability=f, ka_per_h=ka, other_routes=())
        raise ValueError(f"drug {self.name}: no route {route!r}")


_REGISTRY: dict[str, DrugRecord] = {}


def register(record: DrugRecord) -> DrugRecord:
    """Add a record to the registry (done once, at import of :mod:`hpgsim.drugs.catalogue`)."""
    _REGISTRY[record.name] = record
    return record


_ADOPTED_DONE = False


def _load_catalogue() -> None:
    """Register the records (import of :mod:`hpgsim.drugs.catalogue`), then, once, put in the drug
    fields adopted from the joint calibration (physiology/calibrated.yaml, if ``hpgsim calibrate
    --adopt`` wrote one)."""
    global _ADOPTED_DONE
    from . import catalogue  # noqa: F401  (registers the records)

    if not _ADOPTED_DONE:
        _ADOPTED_DONE = True
        from ..calibration.adoption import apply_adopted_drug_fields

        apply_adopted_drug_fields()


def get_drug(name: str, *, field: str = "drug", file: str | None = None, internal_ok: bool = False) -> DrugRecord:
    """The record of ``name``, or an :class:`InputError` listing the drugs that exist.

    Parts and metabolites (``internal`` records) are found only with ``internal_ok``: people
    dose clomiphene citrate, not zuclomiphene.
    """
    _load_catalogue()
    key = name.strip().lower()
    if key not in _REGISTRY or (_REGISTRY[key].internal and not internal_ok):
        known = ", ".join(sorted(n for n, r in _REGISTRY.items() if not r.internal))
        raise InputError(field, f"one of the known drugs ({known})", repr(name), file)
    return _REGISTRY[key]


def all_drugs(*, include_internal: bool = False) -> dict[str, DrugRecord]:
    """Every registered drug by name; parts and metabolites only when asked for."""
    _load_catalogue()
    return {n: r for n, r in _REGISTRY.items() if include_internal or not r.internal}
