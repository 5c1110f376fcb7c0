"""Validation-set studies are reported by a test run, never tuned to.

``shah2021`` (anastrozole in overweight and obese hypogonadal men) is re-run exactly as the
validation report runs it (100 virtual men per arm, seed 1). Nothing here asks it to pass: the
test asserts that every endpoint is computed, that every failure carries a reason, and that the
verdicts are the ones docs/validation.md shows, so the committed report cannot drift from the
model without this test saying so (regenerate it with ``hpgsim validate --out docs``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hpgsim.trials import run_trial
from hpgsim.trials.validation import FAILURE_NOTES, STUDY_NOTES, endpoint_key, spec_paths

REPORT = Path(__file__).resolve().parents[1] / "docs" / "validation.md"


def _reported_verdicts(study: str) -> list[bool]:
    rows = [line for line in REPORT.read_text().splitlines() if line.startswith(f"| {study} |")]
    return [bool(re.search(r"\|\s*pass\s*\|", row)) for row in rows]


@pytest.fixture(scope="module")
def shah():
    path = next(p for p in spec_paths("validation") if p.stem == "shah2021")
    return run_trial(path, n_virtual=100, seed=1)


def test_shah2021_is_run_and_every_endpoint_is_computed(shah):
    assert shah.endpoints
    for e in shah.endpoints:
        assert e.passed is not None, e.endpoint


def test_shah2021_failures_carry_a_reason(shah):
    for e in shah.endpoints:
        ep = e.endpoint
        key = endpoint_key("shah2021", ep.arm, ep.measure, ep.statistic, ep.week, ep.threshold)
        if e.passed is False:
            assert key in FAILURE_NOTES or "shah2021" in STUDY_NOTES, key


def test_shah2021_verdicts_are_those_of_the_committed_report(shah):
    assert [e.passed for e in shah.endpoints] == _reported_verdicts("shah2021")
