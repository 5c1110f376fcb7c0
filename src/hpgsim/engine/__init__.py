"""The engine: the compiled solver, the compiled steady-state finder, the batch engine (many men per
compiled call, :mod:`hpgsim.engine.batch`) and the SciPy reference path."""
