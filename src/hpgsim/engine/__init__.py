"""The engine: the compiled solver, the steady-state finder and the SciPy reference path."""
