"""The parameter table type: one row per parameter, the format the docs are generated from.

Modelled on mrgsolve's annotated ``$PARAM`` blocks: every number carries its unit, the range
the literature allows, what it means and where it came from. ``fitted`` marks a value chosen
by calibration against the calibration-set studies (never the validation set); ``uncertain``
marks a value whose source is weak or indirect, with the reason in ``note``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Param:
    name: str
    value: float
    unit: str
    low: float
    high: float
    meaning: str
    source: str
    group: str
    fitted: bool = False
    uncertain: bool = False
    note: str = ""

    def __post_init__(self) -> None:
        if not (self.low <= self.value <= self.high):
            raise ValueError(f"parameter {self.name}: value {self.value} outside its range [{self.low}, {self.high}]")
