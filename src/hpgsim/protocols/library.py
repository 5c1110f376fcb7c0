"""Named protocols: one YAML file per protocol in ``hpgsim/protocols/library/``.

.. code-block:: yaml

    name: anastrozole-1mg-daily          # lower-case letters, digits, dots and dashes; = file stem
    title: Anastrozole 1 mg daily
    evidence: trial                       # see EVIDENCE_LEVELS
    evidence_note: "Leder 2004 (12 weeks, older men); Burnett-Bowie 2009 (1 year)"
    sources: [{citation: ..., url: ...}]
    weeks: 26                             # suggested simulated duration after week 0
    protocol: [{drug: anastrozole, dose: 1 mg, schedule: daily, start_week: 0, weeks: 26}]
    monitoring: {...}                     # optional, see hpgsim.protocols.monitoring

Every file says how strong the evidence behind it is, so a regimen that is only clinic habit
or only a prediction of the model can never pass for a studied one. A library protocol is a
regimen to simulate, never a recommendation to take it.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from ..drugs.protocol import Protocol
from ..drugs.records import Source
from ..errors import InputError
from ..yaml_input import parse_yaml
from .monitoring import Monitoring

EVIDENCE_LEVELS = ("trial", "observational", "clinic practice (no trial)", "physiology prediction (unvalidated)")
MAX_WEEKS = 520.0
_KEYS = ("name", "title", "evidence", "evidence_note", "sources", "weeks", "protocol", "monitoring")
_REQUIRED = ("name", "title", "evidence", "evidence_note", "sources", "weeks", "protocol")
_SOURCE_KEYS = ("citation", "url")
_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$")


@dataclass(frozen=True)
class NamedProtocol:
    """A library protocol: the dosing, the monitoring that goes with it, and its evidence."""

    name: str
    title: str
    evidence: str
    evidence_note: str
    sources: tuple[Source, ...]
    weeks: float
    protocol: Protocol
    monitoring: Monitoring | None = None
    file: str | None = None

    @property
    def in_library(self) -> bool:
        """False for a regimen given as text (:func:`named_or_regimen`)."""
        return self.evidence != TEXT_REGIMEN_EVIDENCE

    @property
    def drugs(self) -> tuple[str, ...]:
        """The drugs given, in the order they first appear."""
        return tuple(dict.fromkeys(seg.drug for seg in self.protocol.segments))

    def simulate(self, patient, weeks: float | None = None, **kwargs):
        """:func:`hpgsim.simulate` of ``patient`` under this protocol and its monitoring, for
        ``weeks`` weeks (the suggested duration by default)."""
        from ..api import simulate

        return simulate(patient, self.protocol, self.weeks if weeks is None else weeks,
                        monitoring=self.monitoring, **kwargs)


def _library_dir():
    return files("hpgsim.protocols") / "library"


def protocol_names() -> list[str]:
    """Names of the library protocols (file stems), sorted."""
    return sorted(entry.name[:-5] for entry in _library_dir().iterdir() if entry.name.endswith(".yaml"))


def load_protocol(name: str, *, field: str = "protocol", file: str | None = None) -> NamedProtocol:
    """The library protocol ``name``; an unknown name is an :class:`InputError` listing close
    matches (``field`` and ``file`` locate the reference in errors)."""
    if not isinstance(name, str):
        raise InputError(field, "a library protocol name", repr(name), file)
    key = name.strip().lower()
    names = protocol_names()
    if key not in names:
        close = difflib.get_close_matches(key, names, n=4, cutoff=0.5)
        hint = f"close matches: {', '.join(close)}" if close else f"{len(names)} protocols"
        raise InputError(field, f"a library protocol name ({hint}; list them all with `hpgsim protocols`)",
                         repr(name), file)
    entry = _library_dir() / f"{key}.yaml"
    return protocol_from_dict(parse_yaml(entry.read_text(encoding="utf-8"), str(entry)), file=str(entry))


# A protocol written as one regimen of text has no evidence level of its own: say so wherever
# the evidence of a library protocol would be shown.
TEXT_REGIMEN_EVIDENCE = "not rated (regimen as text)"
TEXT_REGIMEN_WEEKS = 26.0   # suggested duration when the text does not say "for N weeks"


def is_regimen_text(text: str) -> bool:
    """Whether ``text`` is a regimen ("anastrozole 1 mg twice weekly") rather than a library
    protocol name: names are file stems, single hyphenated words; regimens have spaces."""
    return " " in text.strip()


def named_or_regimen(text: object, *, field: str = "protocol", file: str | None = None) -> NamedProtocol:
    """The library protocol ``text`` names, or the one regimen it spells out, parsed as
    :func:`hpgsim.simulate` parses it (its errors name the regimen's problem) and wrapped with no
    sources, no monitoring and :data:`TEXT_REGIMEN_EVIDENCE`; its suggested duration is the end
    of dosing when the text gives one ("for 12 weeks"), else :data:`TEXT_REGIMEN_WEEKS`."""
    if not isinstance(text, str) or not is_regimen_text(text):
        return load_protocol(text, field=field, file=file)
    protocol = Protocol.coerce(text.strip(), field=field, file=file)
    end = max((seg.start_week + seg.weeks for seg in protocol.segments if seg.weeks is not None), default=0.0)
    weeks = end if end > 0 else TEXT_REGIMEN_WEEKS
    return NamedProtocol(name=text.strip(), title="Regimen written as text", evidence=TEXT_REGIMEN_EVIDENCE,
                         evidence_note="", sources=(), weeks=weeks, protocol=protocol, file=file)


def list_protocols(*, strict: bool = True) -> list[NamedProtocol]:
    """Every library protocol, sorted by name. With ``strict=False`` protocols that cannot be
    loaded (a drug not registered) are left out instead of raising; see :func:`load_library`."""
    if strict:
        return [load_protocol(name) for name in protocol_names()]
    return load_library()[0]


def load_library() -> tuple[list[NamedProtocol], dict[str, str]]:
    """The protocols that load, sorted by name, and the error of each one that does not."""
    loaded, errors = [], {}
    for name in protocol_names():
        try:
            loaded.append(load_protocol(name))
        except InputError as err:
            errors[name] = str(err)
    return loaded, errors


def protocol_from_dict(data: object, *, file: str | None = None) -> NamedProtocol:
    """A validated :class:`NamedProtocol` from loaded YAML (``file`` is used in errors and to
    check that ``name`` is the file's stem)."""
    if not isinstance(data, dict):
        raise InputError("", f"a mapping with the keys {', '.join(_KEYS)}", type(data).__name__, file)
    for key in data:
        if key not in _KEYS:
            raise InputError(str(key), f"one of the keys {', '.join(_KEYS)}", f"unknown key {key!r}", file)
    for key in _REQUIRED:
        if key not in data:
            raise InputError(key, f"a value for the required key {key!r}", "nothing", file)
    name = data["name"]
    if not isinstance(name, str) or not _NAME.match(name):
        raise InputError("name", "lower-case letters, digits, dots and dashes (e.g. anastrozole-1mg-daily)",
                         repr(name), file)
    if file is not None and Path(file).stem != name:
        raise InputError("name", f"the file's stem {Path(file).stem!r}", repr(name), file)
    for key in ("title", "evidence_note"):
        if not isinstance(data[key], str) or not data[key].strip():
            raise InputError(key, "a non-empty text", repr(data[key]), file)
    if data["evidence"] not in EVIDENCE_LEVELS:
        raise InputError("evidence", f"one of: {'; '.join(EVIDENCE_LEVELS)}", repr(data["evidence"]), file)
    weeks = data["weeks"]
    if isinstance(weeks, bool) or not isinstance(weeks, (int, float)) or not math.isfinite(weeks) \
            or not 0 < weeks <= MAX_WEEKS:
        raise InputError("weeks", f"a number of weeks above 0 and at most {MAX_WEEKS:g}", repr(weeks), file)
    if not isinstance(data["protocol"], list) or not data["protocol"]:
        raise InputError("protocol", "a non-empty list of dosing segments", repr(data["protocol"]), file)
    protocol = Protocol.coerce(data["protocol"], field="protocol", file=file)
    monitoring = Monitoring.coerce(data.get("monitoring"), field="monitoring", file=file)
    if monitoring is not None:
        monitoring.check_against(protocol, field="monitoring", file=file)
    return NamedProtocol(name=name, title=data["title"].strip(), evidence=data["evidence"],
                         evidence_note=" ".join(data["evidence_note"].split()),
                         sources=_sources(data["sources"], file), weeks=float(weeks), protocol=protocol,
                         monitoring=monitoring, file=file)


def _sources(data: object, file: str | None) -> tuple[Source, ...]:
    if not isinstance(data, list) or not data:
        raise InputError("sources", "a non-empty list of {citation, url}", repr(data), file)
    out = []
    for i, item in enumerate(data):
        field = f"sources[{i}]"
        if not isinstance(item, dict):
            raise InputError(field, "a mapping with the keys citation and url", type(item).__name__, file)
        for key in item:
            if key not in _SOURCE_KEYS:
                raise InputError(f"{field}.{key}", "one of the keys citation, url", f"unknown key {key!r}", file)
        citation, url = item.get("citation"), item.get("url", "")
        if not isinstance(citation, str) or not citation.strip():
            raise InputError(f"{field}.citation", "a non-empty citation", repr(citation), file)
        if not isinstance(url, str):
            raise InputError(f"{field}.url", "a URL (text)", repr(url), file)
        out.append(Source(" ".join(citation.split()), url.strip()))
    return tuple(out)


