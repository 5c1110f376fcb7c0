"""Reference bands of healthy adult men, and the default thresholds every result is checked against.

Each number is typed in the unit it was published in and converted once, here, to the internal
unit of :mod:`hpgsim.units`; the source is kept next to it. ``derived`` marks a limit we computed
from published statistics rather than read; ``uncertain`` marks a band whose source is weak.

Laboratory intervals for LH, FSH and SHBG are immunoassay-specific and span all adult ages;
upper limits differ widely between US laboratories (FSH 7.9-20.0 IU/L, LH 4.9-86.5 IU/L across
117 labs: Grimstad F et al. Urology 2018;120:114). They are drawn for orientation only.
"""

from __future__ import annotations

from dataclasses import dataclass

from .units import to_internal


@dataclass(frozen=True)
class ReferenceRange:
    """A healthy-adult-male band; ``low`` and ``high`` in the measure's internal unit, ``None``
    where the band is open on that side."""

    measure: str
    low: float | None
    high: float | None
    label: str        # what the band is, in words
    short: str        # short source name for plot legends
    source: str       # full citation
    url: str
    derived: bool = False
    uncertain: bool = False
    note: str = ""


@dataclass(frozen=True)
class ReferenceThreshold:
    """A named threshold (same fields as a scenario threshold, plus its source);
    ``value`` in the measure's internal unit."""

    measure: str
    direction: str    # "above" or "below"
    value: float
    label: str
    short: str
    source: str
    url: str


def _internal(measure: str, value: float | None, unit: str) -> float | None:
    return None if value is None else to_internal(measure, value, unit)


def _band(measure: str, low: float | None, high: float | None, unit: str, **kw) -> ReferenceRange:
    return ReferenceRange(measure, _internal(measure, low, unit), _internal(measure, high, unit), **kw)


_TRAVISON = dict(
    short="Travison 2017",
    source="Travison TG et al. J Clin Endocrinol Metab 2017;102:1161 (PMID 28324103)",
    url="https://pubmed.ncbi.nlm.nih.gov/28324103/",
)
_BHASIN = dict(
    short="Bhasin 2011",
    source="Bhasin S et al. J Clin Endocrinol Metab 2011;96:2430 (PMID 21697255)",
    url="https://pubmed.ncbi.nlm.nih.gov/21697255/",
)
_WHO_2021 = dict(
    short="WHO 2021",
    source=("WHO laboratory manual for the examination and processing of human semen, 6th ed. 2021; "
            "data: Campbell MJ et al. 2021 (WHO 6th-edition reference study; journal details unverified), 5th centile of fertile men"),
    url="https://discovery.dundee.ac.uk/en/publications/distribution-of-semen-examination-results-2020-a-follow-up-of-dat",
)
_MAYO = "Mayo Clinic Laboratories test catalog"

REFERENCE_RANGES: dict[str, ReferenceRange] = {r.measure: r for r in (
    _band("total_testosterone", 264, 916, "ng/dL",
          label="Healthy non-obese men 19-39 y, harmonized 2.5th-97.5th percentile", **_TRAVISON),
    # Upper limit = mean + 2 SD = 141.8 + 2 * 45.0 pg/mL from the same cohort (our computation).
    _band("free_testosterone", 70.0, 141.8 + 2 * 45.0, "pg/mL",
          label="Healthy non-obese men 19-40 y (Framingham): 2.5th percentile to mean + 2 SD",
          derived=True, note="upper limit derived as mean + 2 SD; calculated free T", **_BHASIN),
    _band("estradiol", 12, 136, "pmol/L",
          label="Adult men, LC-MS/MS reference interval", short="Verdonk 2019",
          source="Verdonk SJE et al. Clin Chim Acta 2019 (estradiol reference intervals, LC-MS/MS)",
          url="https://researchinformation.amsterdamumc.org/en/publications/estradiol-reference-intervals-in-women-during-the-menstrual-cycle"),
    _band("lh", 1.3, 9.6, "IU/L",
          label="Men > 18 y, laboratory reference interval (electrochemiluminescence immunoassay)",
          short="Mayo Clinic Labs", source=f"{_MAYO}, test LH (Luteinizing Hormone, Serum)",
          url="https://mml.testcatalog.org/show/LH", note="assay-specific; all adult ages"),
    _band("fsh", 1.2, 15.8, "IU/L",
          label="Men > 18 y, laboratory reference interval (electrochemiluminescence immunoassay)",
          short="Mayo Clinic Labs", source=f"{_MAYO}, test FSH (Follicle-Stimulating Hormone, Serum; ID 602753)",
          url="https://isj.testcatalog.org/show/FSH", note="assay-specific; all adult ages"),
    _band("shbg", 13.3, 89.5, "nmol/L",
          label="Men >= 18 y, laboratory reference interval (immunoenzymatic assay)",
          short="Mayo Clinic Labs", source=f"{_MAYO}, test SHBG1 (Sex Hormone-Binding Globulin, Serum; ID 608102)",
          url="https://nrls.testcatalog.org/show/SHBG1",
          note="assay-specific; all adult ages (SHBG rises with age)"),
    _band("inhibin_b", 54.5, 247, "pg/mL",
          label="Men with normal spermiograms, 10th-90th percentile", short="Grunewald 2013",
          source="Grunewald S et al. Reproduction 2013;145:237",
          url="https://rep.bioscientifica.com/view/journals/rep/145/3/237.xml"),
    _band("sperm_concentration", 16, None, "M/mL",
          label="Lower reference limit (5th centile of fertile men)", **_WHO_2021),
)}

DEFAULT_THRESHOLDS: tuple[ReferenceThreshold, ...] = (
    ReferenceThreshold("total_testosterone", "below", to_internal("total_testosterone", 264, "ng/dL"),
                       "Total T below 264 ng/dL (lower reference limit)", **_TRAVISON),
    ReferenceThreshold("total_testosterone", "above", to_internal("total_testosterone", 916, "ng/dL"),
                       "Total T above 916 ng/dL (upper reference limit)", **_TRAVISON),
    ReferenceThreshold("estradiol", "below", to_internal("estradiol", 10, "pg/mL"),
                       "E2 below 10 pg/mL (bone loss generally prevented above it)",
                       short="Finkelstein 2016",
                       source="Finkelstein JS et al. J Clin Invest 2016;126:1114 (PMID 26901812)",
                       url="https://pubmed.ncbi.nlm.nih.gov/26901812/"),
    ReferenceThreshold("sperm_concentration", "below", to_internal("sperm_concentration", 16, "M/mL"),
                       "Sperm below 16 M/mL (WHO 2021 lower reference limit)", **_WHO_2021),
    ReferenceThreshold("sperm_concentration", "below", to_internal("sperm_concentration", 1, "M/mL"),
                       "Sperm below 1 M/mL (severe oligozoospermia)", short="Liu 2006",
                       source="Liu PY et al. Lancet 2006;367:1412 (PMID 16650651)",
                       url="https://pubmed.ncbi.nlm.nih.gov/16650651/"),
)
