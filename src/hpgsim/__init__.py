"""hpgsim: a mechanistic simulator of the male hypothalamic-pituitary-gonadal axis.

Research and teaching tool, not a medical device: every result is a simulation and none is a
dosing recommendation.

    >>> import hpgsim
    >>> man = hpgsim.Patient.build(age=38, bmi=31)
    >>> result = hpgsim.simulate(man, "anastrozole 1 mg twice weekly", weeks=26)
    >>> result.to_frame().head()
"""

from __future__ import annotations

from . import _jit_cache

_jit_cache.configure()  # before any compiled function is defined

from .api import personalise_patient, simulate  # noqa: E402
from .drugs.protocol import DoseSegment, Protocol  # noqa: E402
from .errors import HpgsimError, InputError, NumericalError, UnitError  # noqa: E402
from .people.patient import Patient  # noqa: E402

__all__ = ["simulate", "personalise_patient", "Patient", "Protocol", "DoseSegment", "HpgsimError", "InputError", "NumericalError", "UnitError"]
__version__ = "0.1.0"
