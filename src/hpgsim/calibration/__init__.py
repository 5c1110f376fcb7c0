"""Calibration and sensitivity analysis of the population-level parameters.

* :mod:`.parameter_set` - named sets of values (physiology rows, ``drug.field``), applied for a run;
* :mod:`.targets` - the calibration and validation trials as weighted residuals (trial runner and
  pass rule of :mod:`hpgsim.trials`);
* :mod:`.fit` - the joint fit, identifiability and the report (``hpgsim calibrate``);
* :mod:`.sensitivity` - global variance-based sensitivity of one endpoint (``hpgsim sensitivity``);
* :mod:`.adoption` - the packaged calibrated values.
"""

from .parameter_set import ParameterInfo, ParameterSet, info

__all__ = ["ParameterInfo", "ParameterSet", "info"]
