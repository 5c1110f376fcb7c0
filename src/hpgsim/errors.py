"""The error tree of hpgsim.

Every error a user can cause derives from :class:`HpgsimError` *and* from the matching built-in
(the pattern pint uses: ``DimensionalityError(PintTypeError)``), so callers can catch either.
Messages are built in ``__str__`` from structured fields, which lets the CLI print exactly one
clear line: ``FILE: FIELD: expected ..., got ...``.
"""

from __future__ import annotations


class HpgsimError(Exception):
    """Base class of every error hpgsim raises on purpose."""


class InputError(HpgsimError, ValueError):
    """User input that cannot be used: a bad value, key, unit or file.

    Parameters
    ----------
    field:
        Dotted path of the offending field (``patient.labs.total_testosterone``), or ``""``.
    expected:
        What would have been accepted, in words.
    got:
        What was found (already formatted for humans), or ``None``.
    file:
        The file the input came from, when there was one.
    """

    def __init__(self, field: str, expected: str, got: object | None = None, file: str | None = None):
        self.field = field
        self.expected = expected
        self.got = got
        self.file = file
        super().__init__(str(self))

    def with_file(self, file: str) -> "InputError":
        """The same error, located in ``file`` (used when a parser learns the file late)."""
        return type(self)(self.field, self.expected, self.got, file)

    def __str__(self) -> str:
        where = ": ".join(part for part in (self.file, self.field) if part)
        got = "" if self.got is None else f", got {self.got!s}"
        return f"{where}: expected {self.expected}{got}" if where else f"expected {self.expected}{got}"


class UnitError(InputError):
    """A quantity with a missing or wrong unit."""


class NumericalError(HpgsimError, ArithmeticError):
    """The solver could not produce a trustworthy result (step size underflow, non-finite state).

    Raised instead of ever writing NaN into a result.
    """

    def __init__(self, message: str, t_hours: float | None = None):
        self.t_hours = t_hours
        where = "" if t_hours is None else f" at t = {t_hours / 24.0:.2f} days"
        super().__init__(f"numerical failure{where}: {message}")
