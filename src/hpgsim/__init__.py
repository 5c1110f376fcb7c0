"""hpgsim: a mechanistic simulator of the male hypothalamic-pituitary-gonadal axis.

Research and teaching tool, not a medical device: every result is a simulation and none is a
dosing recommendation.

    >>> import hpgsim
    >>> man = hpgsim.Patient.build(age=38, bmi=31)
    >>> result = hpgsim.simulate(man, "anastrozole 1 mg twice weekly", weeks=26)
    >>> result.to_frame().head()
"""

from __future__ import annotations

from .api import simulate
from .drugs.protocol import DoseSegment, Protocol
from .errors import HpgsimError, InputError, NumericalError, UnitError
from .people.patient import Patient

__all__ = ["simulate", "Patient", "Protocol", "DoseSegment", "HpgsimError", "InputError", "NumericalError", "UnitError"]
__version__ = "0.1.0"
