"""SBML export: one man under one protocol as an SBML Level 3 file (``hpgsim export-sbml``).

:func:`man_model` turns a scenario into the man's steady state, parameters and doses exactly
as :func:`hpgsim.simulate` would; :func:`export_sbml` builds, checks and writes the document.
The formulas live in :mod:`.physiology_math` (physiology) and :mod:`.pharmacology` (drugs);
``tests/test_sbml.py`` simulates an exported file in libRoadRunner and compares it with
hpgsim's own trajectory, which is what keeps them in line with the compiled model.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..engine.run import DoseEvents
from ..engine.steady_state import steady_state
from ..errors import InputError
from ..scenario import MAX_WEEKS, Scenario
from .document import DISCLAIMER, ManModel, SbmlError, build_document, check, write
from .tolerances import absolute_tolerances

__all__ = ["ManModel", "SbmlError", "DISCLAIMER", "man_model", "man_model_from_arrays", "export_sbml",
           "build_document", "check", "absolute_tolerances"]


def man_model(scenario: Scenario, weeks: float | None = None) -> ManModel:
    """The man of ``scenario`` at his steady state with the protocol's doses up to ``weeks``
    (the scenario's own duration by default). A protocol with monitoring rules is replayed first,
    so the file holds the doses after every adjustment the rules made (as ``hpgsim simulate``)."""
    from ..api import parameters_for
    from ..results import describe_patient, describe_protocol

    file = scenario.source_file
    if weeks is None:
        weeks = scenario.weeks
    if not (isinstance(weeks, (int, float)) and 0 < weeks <= MAX_WEEKS):
        raise InputError("--weeks", f"a number of weeks above 0 and at most {MAX_WEEKS:g}", weeks, file)
    protocol = scenario.protocol
    if scenario.monitoring is not None:
        from ..protocols.monitoring import apply_monitoring

        protocol, _, _ = apply_monitoring(scenario.patient, protocol, scenario.monitoring, float(weeks), file=file)
    t_end = float(weeks) * 168.0
    events = DoseEvents.from_list(protocol.dose_events(t_end))
    description = (f"Patient: {describe_patient(scenario.patient)}.", f"Protocol: {describe_protocol(protocol)}.",
                   *(["Doses after the adjustments made by the protocol's monitoring rules."]
                     if scenario.monitoring is not None else []))
    return man_model_from_arrays(parameters_for(scenario.patient, file=file), events, t_end, scenario.name,
                                 description)


def man_model_from_arrays(p: np.ndarray, events: DoseEvents, t_end_h: float, name: str = "hpgsim_man",
                          description: tuple[str, ...] = ()) -> ManModel:
    """The same from a man's parameter vector and his doses, as :func:`hpgsim.engine.run.run_man`
    takes them (his steady state is solved here, as there; the clock starts at the first dose or 0)."""
    y0, p_done = steady_state(p)
    t_start = min(0.0, float(events.t[0])) if events.t.size else 0.0
    return ManModel(name, p_done, y0, events, t_start, float(t_end_h), tuple(description))


def export_sbml(scenario: Scenario, path: str | Path, weeks: float | None = None) -> Path:
    """Write ``scenario``'s man and protocol as SBML to ``path`` (atomically); returns the path."""
    return write(build_document(man_model(scenario, weeks)), path)
