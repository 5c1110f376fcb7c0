"""The grouping of the validation report's failures by cause (hpgsim.trials.failure_causes):
every documented failure belongs to a gap, no failure is counted twice, and failures nobody has
grouped stay visible."""

from __future__ import annotations

import pytest

from hpgsim.errors import HpgsimError
from hpgsim.trials.failure_causes import GAPS, NOT_GROUPED, Claim, Gap, failure_causes_section, gap_of
from hpgsim.trials.validation import FAILURE_NOTES, STUDY_NOTES, ReportRow, report_row


def _failed_row(study, arm, measure, statistic, when) -> ReportRow:
    # the report's own row for a noted failure (validation.report_row writes the endpoint text);
    # a note's key names a time-to endpoint by its threshold and others by their week, and a
    # fraction's threshold, not in the key, only changes the number after the text gaps match on
    timed = statistic.startswith("median_weeks")
    return report_row({"set": "calibration", "study": study, "arm": arm, "measure": measure, "statistic": statistic,
                       "pass": False, "week": None if timed else when,
                       "threshold": when if timed else (1.0 if statistic.startswith("fraction") else None)})


def _row(study, measure="lh", endpoint="% change at week 4", which="validation", verdict="fail"):
    return ReportRow(which, study, "arm", measure, endpoint, "+10 [5, 15]", "+40", verdict, "a reason", "study note")


def test_every_endpoint_note_belongs_to_one_gap():
    for key in FAILURE_NOTES:
        row = _failed_row(*key)
        assert gap_of(row.study, row.measure, row.endpoint) != NOT_GROUPED, key


def test_every_study_note_is_claimed_by_a_gap():
    claimed = {c.study for g in GAPS for c in g.claims}
    # burnett_bowie2009_clinendo's note points at the JCEM report of the same trial
    assert set(STUDY_NOTES) <= claimed, set(STUDY_NOTES) - claimed


def test_a_failure_two_gaps_claim_is_an_error():
    gaps = (Gap("a", "x", (Claim("s1"),)), Gap("b", "y", (Claim("s1", "lh"),)))
    with pytest.raises(HpgsimError, match="several gaps"):
        gap_of("s1", "lh", "% change", gaps)
    assert gap_of("s1", "fsh", "% change", gaps) == "a"


def test_endpoint_prefix_separates_one_studys_failures():
    # gu2003: too few men azoospermic (ethnic gap) but not every man back at 20 M/mL (cohort screen)
    below = gap_of("gu2003", "sperm_concentration", "fraction below 3 at week 25.98")
    back = gap_of("gu2003", "sperm_concentration", "fraction at least 20 at week 103.92")
    assert below != back and NOT_GROUPED not in (below, back)


def test_section_counts_failures_per_set_and_keeps_unknown_ones_last():
    rows = [_row("veldhuis2005"), _row("shah2021", "estradiol"), _row("leder2004", "estradiol", which="calibration"),
            _row("veldhuis2005", "estradiol", verdict="pass"), _row("a_new_study")]
    text, head, table = failure_causes_section(rows, ("calibration", "validation"))
    assert text.startswith("The 4 failures below fall into 1 group (1 not grouped)")
    assert head[2:4] == ["calibration failures", "validation failures"]
    ai = next(r for r in table if r[0].startswith("Aromatase inhibitors"))
    assert ai[2:4] == ["1", "2"] and ai[4] == "veldhuis2005, shah2021, leder2004"
    assert table[-1][0] == NOT_GROUPED and table[-1][2:4] == ["0", "1"]
    assert sum(int(c) for r in table for c in r[2:4]) == 4
