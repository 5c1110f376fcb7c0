"""Absolute tolerances for simulating an exported file with the same accuracy control as hpgsim.

hpgsim scales each state's absolute tolerance to that state's typical size
(:func:`hpgsim.engine.run.tolerances`). An SBML simulator given one scalar absolute tolerance
scales it its own way: libRoadRunner multiplies it by each variable's initial value, so a drug
amount that starts at 0 and decays towards underflow after the last dose gets a tolerance near
zero and CVODE stops with "too much accuracy requested". Setting these per variable
(``integrator.setIndividualTolerance(id, value)`` in libRoadRunner) avoids that and makes the
two solvers control the same error.
"""

from __future__ import annotations

from ..physiology import model
from . import pharmacology
from .document import ManModel


def absolute_tolerances(man: ManModel, atol_factor: float) -> dict[str, float]:
    """Per-variable absolute tolerances: ``atol_factor`` times each state's typical size, and
    times the largest amount ever dosed for a drug's depot and central amounts."""
    scale = model.state_scale(man.params)
    out = {name: float(atol_factor * scale[i]) for i, name in enumerate(model.STATE_NAMES)}
    events = man.events
    for d, drug in enumerate(events.drugs):
        dosed = events.amount[events.drug == d]
        size = float(dosed.max()) if dosed.size and dosed.max() > 0 else 1.0
        row = pharmacology.row_id(drug)
        out[f"depot_{row}"] = out[f"central_{row}"] = float(atol_factor * size)
    return out

