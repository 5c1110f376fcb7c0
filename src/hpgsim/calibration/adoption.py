"""The packaged calibrated values: ``physiology/calibrated.yaml``.

``hpgsim calibrate --adopt`` writes the fitted parameter set there, and only when the fit also
improved the validation set. The physiology table reads the file when it is built (so
``docs/model.md`` shows the values actually used, marked fitted) and the drug registry applies
its ``drug.field`` values once, after the catalogue is registered. Without the file the
literature values of the table and the catalogue are the defaults.
"""

from __future__ import annotations

from pathlib import Path

from ..physiology import parameters

CALIBRATED_PATH = Path(parameters.__file__).with_name("calibrated.yaml")
LITERATURE_DRUG_VALUES: dict[str, float] = {}   # drug fields as the catalogue set them, where adoption replaced them


def apply_adopted_drug_fields(path: Path = CALIBRATED_PATH) -> None:
    """Put the adopted drug fields of ``path`` into the registry (called once by the registry)."""
    if not path.exists():
        return
    import yaml

    from ..drugs import records
    from .parameter_set import _apply_drug_fields

    values = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("values", {})
    drug_values = {k: float(v) for k, v in values.items() if "." in k}
    for name in drug_values:   # keep the catalogue's own values: fits start from and are pulled toward them
        drug, fld = name.split(".", 1)
        LITERATURE_DRUG_VALUES.setdefault(name, float(getattr(records._REGISTRY[drug], fld)))
    if drug_values:
        _apply_drug_fields(drug_values, records._REGISTRY)


def literature_value(name: str, current: float) -> float:
    """The literature (catalogue or table) value of ``name``, before any adopted calibration."""
    if "." in name:
        return LITERATURE_DRUG_VALUES.get(name, current)
    return parameters.LITERATURE_VALUES.get(name, current)


def adopt(parameter_set, header: str, path: Path = CALIBRATED_PATH) -> Path:
    """Write ``parameter_set`` as the packaged defaults (takes effect in the next process; run
    ``make docs`` afterwards so docs/model.md shows the values)."""
    parameter_set.save(path, header)
    return path
