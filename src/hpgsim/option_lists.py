"""Comma-separated option values (``--protocols a,b``, ``--spec x,y``, ``--free p,q``)."""

from __future__ import annotations

from collections.abc import Iterable


def comma_list(text: str | Iterable[str] | None) -> list[str]:
    """The distinct non-empty items of ``"a, b,,a"`` (or of a list of them), in order: ``["a", "b"]``.

    Blank items and repeats are dropped rather than refused: a trailing comma or a name given
    twice is a slip, not a different request. Callers decide whether an empty result is an error.
    """
    if text is None:
        return []
    items = text.split(",") if isinstance(text, str) else list(text)
    return list(dict.fromkeys(item.strip() for item in items if item and item.strip()))
