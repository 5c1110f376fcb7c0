"""The parameter table is complete and docs/model.md is generated from it (no drift)."""

from __future__ import annotations

from pathlib import Path

from hpgsim import docs
from hpgsim.physiology.parameters import PARAMETERS

ROOT = Path(__file__).resolve().parents[1]


def test_every_parameter_is_fully_annotated():
    for p in PARAMETERS:
        assert p.unit and p.meaning and p.source and p.group in docs.GROUP_TITLES, p.name
        assert p.low <= p.value <= p.high, p.name


def test_committed_model_doc_is_the_generated_one():
    committed = (ROOT / "docs" / "model.md").read_text()
    assert committed == docs.render(), "docs/model.md is stale: run `make docs`"
