"""Named sets of population-level parameter values, applied for the duration of a run.

A parameter set maps names to values: rows of the physiology table by their name
(``e2_hyp_k``) and fields of drug records as ``drug.field`` (``anastrozole.ec50_ng_ml``,
``hcg.emax``). :meth:`ParameterSet.applied` puts the values in force inside a ``with`` block
and restores the previous ones on the way out, so calibration and sensitivity analysis never
edit source files:

>>> with ParameterSet({"anastrozole.ec50_ng_ml": 5.0}).applied():   # doctest: +SKIP
...     run_trial("leder2004.yaml", n_virtual=50)

Every value is checked against its plausible range (the table's, or for drug fields the range in
:data:`DRUG_RANGES`). Derived drug records follow the record they derive from: zuclomiphene's
potency is a fixed ratio of enclomiphene's, tamoxifen's effective potency is scaled from it, and
clomiphene citrate is enclomiphene's record renamed (its doses become doses of its parts), so
setting ``enclomiphene.ec50_ng_ml`` moves all four; setting a derived field directly is refused.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..drugs import records
from ..errors import InputError
from ..physiology import parameters
from .adoption import literature_value

# Plausible ranges of the drug fields calibration frees (low, high, source). Other numeric fields
# of a record get a decade either side of their value (an assumption: wide enough to explore,
# narrow enough to stay in the same regime).
DRUG_RANGES: dict[str, tuple[float, float, str]] = {
    "anastrozole.ec50_ng_ml": (0.9, 60.0, "0.9 ng/mL implied in postmenopausal women (Geisler 1996) up to 60 ng/mL, "
                               "beyond which 1 mg daily would barely lower E2 in men (Leder 2004: -35 %)"),
    "anastrozole.emax": (0.3, 1.0, "the largest fraction of men's aromatisation anastrozole blocks: from a plateau at "
                         "the E2 fall seen in men (Leder 2004: -35 to -37 % at 1 mg daily and twice weekly alike) "
                         "to a complete block as in postmenopausal women (Geisler 1996: 96.7 % at 1 mg)"),
    "letrozole.ec50_ng_ml": (0.02, 5.0, "from a tenth of the value implied in postmenopausal women (Lipton 1995: 0.1 mg daily, "
                             "about 2 ng/mL, already suppresses estrogens by more than 90 %) to the level at which 2.5 mg once "
                             "weekly would no longer hold E2 down through the week, as it does in obese men (Loves 2008)"),
    "letrozole.emax": (0.3, 1.0, "the largest fraction of men's aromatisation letrozole blocks: from a plateau near "
                       "anastrozole's to a complete block as in postmenopausal women"),
    "anastrozole.cns_access": (0.02, 1.0, "assumption: from nearly kept out of the brain to free access (unbound "
                               "brain/plasma level; not measured in humans)"),
    "letrozole.cns_access": (0.3, 1.0, "Dave N et al. 2013: unbound brain/plasma 0.3-0.98 in rats (intracerebral microdialysis), up to free access"),
    "exemestane.emax": (0.01, 5.0, "assumption: maximal inactivation rate from a 70-h to a 10-min enzyme half-life"),
    "exemestane.androgen_per_level": (0.0, 1.0, "androgen signal of 17-hydroxyexemestane per ng/mL of exemestane: from "
                                      "none to about ten times the reference man's free T at the 25 mg daily mean level "
                                      "(about 10 ng/mL); the metabolite acts through the androgen receptor at low "
                                      "nanomolar levels (Ariazi 2007), and its level in men is not published"),
    "enclomiphene.ec50_ng_ml": (0.1, 20.0, "assumption: around the 2.2 ng/mL steady state of 25 mg clomiphene (Helo 2017), "
                                "whose T doubled"),
    "hcg.emax": (2.0, 20.0, "IU/L of LH-equivalent at full LH-receptor occupancy: from half the reference LH (4 IU/L) "
                 "to five times it; T peaks at about 2.4 times baseline after 6000 IU (JCEM 1979)"),
    "hcg.ec50_ng_ml": (3.0, 300.0, "IU/L of hCG at half occupancy: a decade either side of the level at which the earlier "
                       "linear slope (0.25 LH-equivalents per IU/L) reaches the maximal effect"),
}
DEFAULT_DRUG_SPAN = 10.0
NUMERIC_DRUG_FIELDS = ("ec50_ng_ml", "emax", "hill", "ka_per_h", "ke_per_h", "volume_l", "bioavailability",
                       "intrinsic_activity", "cns_access", "androgen_per_level")


def _derived_rules() -> dict[str, tuple[tuple[str, Callable[[records.DrugRecord, records.DrugRecord], dict]], ...]]:
    """For each drug, the records derived from it and how to rebuild them from (source, derived)."""
    from ..drugs.catalogue import serms

    def zuclomiphene(enc, zuc):
        return {"ec50_ng_ml": enc.ec50_ng_ml / serms.ZUCLOMIPHENE_POTENCY_RATIO, "ka_per_h": enc.ka_per_h,
                "emax": enc.emax, "hill": enc.hill}

    def tamoxifen(enc, tam):
        return {"ec50_ng_ml": enc.ec50_ng_ml / serms.TAMOXIFEN_POTENCY_RATIO}

    def clomiphene(enc, mix):   # the mixture is enclomiphene's record renamed, dosed as its parts
        return {f: getattr(enc, f) for f in NUMERIC_DRUG_FIELDS}

    return {"enclomiphene": (("zuclomiphene", zuclomiphene), ("tamoxifen", tamoxifen),
                             ("clomiphene_citrate", clomiphene))}


@dataclass(frozen=True)
class ParameterInfo:
    """What a settable parameter is: its kind, current default, plausible range and unit."""

    name: str
    kind: str            # "physiology" or "drug"
    default: float       # the literature value (the table's or the catalogue's, before any adopted calibration)
    low: float
    high: float
    unit: str
    source: str

    @property
    def log_scale(self) -> bool:
        """Positive ranges are searched in log space; a range reaching 0 (where 0 means "no effect",
        often the literature value) is searched linearly."""
        return self.low > 0


def info(name: str, *, field: str = "parameter", file: str | None = None) -> ParameterInfo:
    """The :class:`ParameterInfo` of ``name`` (a table row, or ``drug.field``)."""
    if "." in name:
        drug, fld = name.split(".", 1)
        record = records.get_drug(drug, field=field, file=file, internal_ok=True)
        for source, rules in _derived_rules().items():
            if any(record.name == derived for derived, _ in rules):
                raise InputError(field, f"a drug field that is not derived ({record.name} follows {source}; set "
                                 f"{source}.{fld} instead)", repr(name), file)
        if fld not in NUMERIC_DRUG_FIELDS:
            raise InputError(field, f"a numeric drug field ({', '.join(NUMERIC_DRUG_FIELDS)})", repr(name), file)
        value = literature_value(f"{record.name}.{fld}", float(getattr(record, fld)))
        if name in DRUG_RANGES:
            low, high, source = DRUG_RANGES[name]
        elif fld in ("bioavailability",):
            low, high, source = value / DEFAULT_DRUG_SPAN, 1.0, "assumption: up to complete absorption"
        else:
            low, high = sorted((value / DEFAULT_DRUG_SPAN, value * DEFAULT_DRUG_SPAN))
            source = "assumption: a decade either side of the record's value"
        full = f"{record.name}.{fld}"
        return ParameterInfo(full, "drug", value, low, high, "", source)
    row = parameters.BY_NAME.get(name)
    if row is None:
        raise InputError(field, "a parameter-table row name (see docs/model.md) or drug.field "
                         "(e.g. anastrozole.ec50_ng_ml)", repr(name), file)
    if row.group == "individual" or name in ("age", "bmi"):
        raise InputError(field, "a population-level parameter (individual factors are set per man)", repr(name), file)
    return ParameterInfo(name, "physiology", literature_value(name, row.value), row.low, row.high, row.unit, row.source)


@dataclass(frozen=True)
class ParameterSet:
    """Population-level values by name; see the module docstring."""

    values: Mapping[str, float]
    file: str | None = None

    def __post_init__(self) -> None:
        checked = {}
        for name, value in self.values.items():
            where = f"values.{name}"
            meta = info(str(name), field=where, file=self.file)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise InputError(where, "a finite number", repr(value), self.file)
            if not meta.low <= float(value) <= meta.high:
                raise InputError(where, f"a value within the plausible range {meta.low:g} to {meta.high:g}"
                                 f"{' ' + meta.unit if meta.unit else ''}", f"{value:g}", self.file)
            checked[meta.name] = float(value)
        object.__setattr__(self, "values", dict(checked))

    # -- the run-time override --------------------------------------------------------------

    @contextmanager
    def applied(self) -> Iterator["ParameterSet"]:
        """Put these values in force (physiology rows and drug records) until the block ends."""
        saved_phys = dict(parameters.OVERRIDES)
        registry = records.all_drugs(include_internal=True)   # loads the catalogue
        saved_drugs = dict(records._REGISTRY)
        try:
            for name, value in self.values.items():
                if "." not in name:
                    parameters.OVERRIDES[name] = value
            _apply_drug_fields({n: v for n, v in self.values.items() if "." in n}, registry)
            yield self
        finally:
            parameters.OVERRIDES.clear()
            parameters.OVERRIDES.update(saved_phys)
            records._REGISTRY.clear()
            records._REGISTRY.update(saved_drugs)

    # -- files ---------------------------------------------------------------------------------

    def to_yaml(self, header: str = "") -> str:
        lines = [f"# {line}" if line else "#" for line in header.splitlines()]
        body = yaml.safe_dump({"values": {k: _tidy(v) for k, v in sorted(self.values.items())}}, sort_keys=False)
        return "\n".join(lines + [body])

    def save(self, path: str | Path, header: str = "") -> None:
        write_atomically(Path(path), self.to_yaml(header))

    @classmethod
    def load(cls, path: str | Path) -> "ParameterSet":
        path = Path(path)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as err:
            raise InputError("", "valid YAML", str(err).splitlines()[0], str(path)) from None
        if not isinstance(data, Mapping) or set(data) != {"values"} or not isinstance(data["values"], Mapping):
            raise InputError("", "a mapping with one key, values: {name: number, ...}", repr(data)[:80], str(path))
        return cls(dict(data["values"]), file=str(path))


def current_value(name: str) -> float:
    """The value of ``name`` in force now (overrides included)."""
    if "." in name:
        drug, fld = name.split(".", 1)
        return float(getattr(records.get_drug(drug, internal_ok=True), fld))
    return float(parameters.OVERRIDES.get(name, parameters.BY_NAME[name].value))


def _apply_drug_fields(values: Mapping[str, float], registry: Mapping[str, records.DrugRecord]) -> None:
    """Replace the records named in ``values`` (and every record derived from them) in the registry."""
    by_drug: dict[str, dict[str, float]] = {}
    for name, value in values.items():
        drug, fld = name.split(".", 1)
        by_drug.setdefault(drug, {})[fld] = value
    rules = _derived_rules()
    for drug, fields in by_drug.items():
        new = dataclasses.replace(records._REGISTRY[drug], **fields)
        records._REGISTRY[drug] = new
        for derived, rebuild in rules.get(drug, ()):
            if derived in records._REGISTRY:
                old = records._REGISTRY[derived]
                records._REGISTRY[derived] = dataclasses.replace(old, **rebuild(new, old))


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file, so an interrupted run leaves no partial file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.partial")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _tidy(value: float) -> float:
    return float(f"{value:.6g}")
