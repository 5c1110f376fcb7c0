"""How trial-spec fields are checked, and how an error finds its full dotted path.

Validators in the spec models raise :class:`~hpgsim.errors.InputError` with a field *relative
to where pydantic reports the error* (a field validator: relative to its field; a model
validator: relative to its model); :func:`input_error` joins pydantic's location and that
relative field into the full path (``arms[1].protocol[0].drug``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import PydanticUndefined

from ..errors import InputError

_ID = re.compile(r"^[a-z0-9_-]+$")


class Frozen(BaseModel):
    """Base of the spec models: immutable, unknown keys refused."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)


def check_keys(data: object, allowed: tuple[str, ...], what: str, required: tuple[str, ...] = ()) -> dict:
    """``data`` as a dict, if it is a mapping with only ``allowed`` keys and every ``required`` one."""
    if not isinstance(data, Mapping):
        raise InputError("", f"{what}: a mapping with the keys {', '.join(allowed)}", type(data).__name__)
    for key in data:
        if key not in allowed:
            raise InputError(str(key), f"one of the keys {', '.join(allowed)}", f"unknown key {key!r}")
    for key in required:
        if key not in data:
            raise InputError(key, f"a value for the required key {key!r}", "nothing")
    return dict(data)


def number(value: object, field: str, what: str = "a number") -> float:
    """``value`` as a float, if it is a finite number (not a bool, not text)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InputError(field, what, repr(value))
    return float(value)


def check_id(value: object, field: str = "") -> str:
    if not isinstance(value, str) or not _ID.match(value):
        raise InputError(field, "an id of lower-case letters, digits, '_' and '-'", repr(value))
    return value


def plain(value: object) -> object:
    """A JSON-safe copy of YAML data (tuples to lists)."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def _join(loc: tuple, inner: str) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    inner = inner.lstrip(".")
    if not inner:
        return path
    return path + inner if inner.startswith("[") or not path else f"{path}.{inner}"


def input_error(err: ValidationError, file: str | None) -> InputError:
    """The first problem of a pydantic error as one :class:`InputError` with its full path and ``file``."""
    first = err.errors(include_url=False)[0]
    loc = tuple(first["loc"])
    cause = (first.get("ctx") or {}).get("error")
    if isinstance(cause, InputError):
        return type(cause)(_join(loc, cause.field), cause.expected, cause.got, file)
    kind, given = first["type"], first.get("input", PydanticUndefined)
    if kind == "missing":
        return InputError(_join(loc, ""), f"a value for the required key {loc[-1]!r}", "nothing", file)
    if kind == "extra_forbidden":
        return InputError(_join(loc, ""), "no such key", f"unknown key {loc[-1]!r}", file)
    message = first["msg"]
    expected = message[len("Input should be "):] if message.startswith("Input should be ") else message
    return InputError(_join(loc, ""), expected, None if given is PydanticUndefined else repr(given), file)
