"""Schedules to dose times (counted by hand), regimen text, and the protocol value objects."""

from __future__ import annotations

import numpy as np
import pytest

from hpgsim.drugs import records
from hpgsim.drugs.protocol import DoseSegment, Protocol
from hpgsim.drugs.records import DrugRecord
from hpgsim.drugs.regimen import dose_times_hours, parse_regimen_text, parse_schedule
from hpgsim.errors import InputError, UnitError
from hpgsim.units import ureg

WEEK = 168.0


@pytest.fixture
def test_drugs():
    """Two made-up drugs, so these tests do not depend on the catalogue's numbers."""
    common = dict(bioavailability=1.0, ka_per_h=1.0, ke_per_h=0.01, volume_l=100.0, emax=1.0, ec50_ng_ml=1.0)
    made = [
        records.register(DrugRecord(name="zz_test_ai", drug_class="aromatase inhibitor", route="oral",
                                    dose_unit="mg", max_single_dose=10.0, channel="aromatase_inhibition", **common)),
        records.register(DrugRecord(name="zz_test_hcg", drug_class="gonadotropin", route="sc",
                                    dose_unit="IU", max_single_dose=10000.0, channel="lh_receptor_agonism", **common)),
    ]
    yield
    for record in made:
        records._REGISTRY.pop(record.name, None)


def count(schedule: str, weeks: float, start_week: float = 0.0) -> int:
    return len(dose_times_hours(parse_schedule(schedule), start_week, weeks))


@pytest.mark.parametrize("schedule, weeks, expected", [
    ("daily", 12, 84),
    ("twice weekly", 26, 52),
    ("every other day", 4, 14),
    ("monthly", 52, 13),              # weeks 0, 4.33, ..., 51.96
    ("three times weekly", 4, 12),
    ("weekly", 26, 26),
    ("twice daily", 1, 14),
    ("every 3 days", 3, 7),           # days 0, 3, ..., 18
    ("every 2 weeks", 10, 5),
    ("every 90 min", 1, 112),         # 168 h / 1.5 h
    ("once", 26, 1),
])
def test_dose_counts(schedule, weeks, expected):
    assert count(schedule, weeks) == expected


def test_doses_per_week_are_evenly_spaced():
    np.testing.assert_allclose(np.diff(dose_times_hours(parse_schedule("twice weekly"), 0, 4)), 84.0)
    np.testing.assert_allclose(np.diff(dose_times_hours(parse_schedule("three times weekly"), 0, 4)), 56.0)


def test_monthly_is_4_33_weeks():
    times = dose_times_hours(parse_schedule("monthly"), 0, 52) / WEEK
    assert times[0] == 0.0 and times[-1] == pytest.approx(12 * 4.33)


def test_history_before_week_zero():
    times = dose_times_hours(parse_schedule("weekly"), -104, 104)
    assert len(times) == 104 and times[0] == -104 * WEEK and times[-1] == -WEEK


def test_open_ended_and_clipped_by_simulation_end():
    sched = parse_schedule("weekly")
    assert len(dose_times_hours(sched, 2, None, until_hours=10 * WEEK)) == 8     # weeks 2..9
    assert len(dose_times_hours(sched, 0, 26, until_hours=10 * WEEK)) == 10
    assert len(dose_times_hours(parse_schedule("once"), 12, None, until_hours=10 * WEEK)) == 0
    with pytest.raises(ValueError):
        dose_times_hours(sched, 0, None)


@pytest.mark.parametrize("text, kind, interval", [
    ("once daily", "daily", 24.0), ("qd", "daily", 24.0), ("Daily", "daily", 24.0),
    ("bid", "twice daily", 12.0), ("b.i.d.", "twice daily", 12.0), ("qod", "every other day", 48.0),
    ("every 12 hours", "every 12 hours", 12.0), ("every 1.5 days", "every 1.5 days", 36.0),
    ("every 90 min", "every 90 min", 1.5), ("monthly", "monthly", 4.33 * WEEK),
    ("once", "once", None), ("three times weekly", "three times weekly", 56.0),
])
def test_schedule_vocabulary(text, kind, interval):
    schedule = parse_schedule(text)
    assert (schedule.kind, schedule.text) == (kind, text)
    assert schedule.interval_h == (None if interval is None else pytest.approx(interval))


def test_biweekly_is_refused_as_ambiguous():
    with pytest.raises(InputError) as err:
        parse_schedule("biweekly", field="arms[0].protocol[0].schedule", file="t.yaml")
    message = str(err.value)
    assert message.startswith("t.yaml: arms[0].protocol[0].schedule:")
    assert "twice weekly" in message and "every 2 weeks" in message


@pytest.mark.parametrize("text", ["every 0 days", "every -1 weeks", "sometimes", "twice monthly", 7])
def test_bad_schedules(text):
    with pytest.raises(InputError) as err:
        parse_schedule(text, field="protocol[0].schedule", file="x.yaml")
    assert str(err.value).startswith("x.yaml: protocol[0].schedule: expected")


def test_parse_regimen_text():
    assert parse_regimen_text("anastrozole 1 mg twice weekly for 26 weeks from week 4") == dict(
        drug="anastrozole", dose="1 mg", schedule="twice weekly", weeks=26.0, start_week=4.0)
    parts = parse_regimen_text("testosterone cypionate 100 mg every 2 weeks")
    assert parts["drug"] == "testosterone_cypionate" and parts["weeks"] is None and parts["start_week"] == 0
    assert parse_regimen_text("hcg 1500 IU every 3 days from week -2 for 3 months")["weeks"] == pytest.approx(12.99)
    with pytest.raises(InputError, match="a regimen such as"):
        parse_regimen_text("anastrozole daily", field="protocol", file="p.yaml")


def test_segment_build_converts_dose(test_drugs):
    seg = DoseSegment.build("zz_test_ai", "500 ug", "twice weekly", 0, 26)
    assert seg.dose == pytest.approx(0.5) and seg.dose_text == "500 ug" and seg.weeks == 26.0
    assert seg.describe() == "zz_test_ai 500 ug twice weekly, weeks 0-26"
    assert DoseSegment.build("zz_test_ai", ureg.Quantity(2, "mg"), "once", 3).describe() == "zz_test_ai 2 mg once, week 3"


@pytest.mark.parametrize("kwargs, fragment", [
    (dict(dose="20 mg"), "at most 10 mg"),
    (dict(dose="-1 mg"), "a positive dose in mg"),
    (dict(dose="1500 IU"), "a dose in mg"),
    (dict(dose=1), "a number with a unit"),
    (dict(weeks=0), "a positive number of weeks"),
    (dict(start_week="soon"), "a number of weeks"),
    (dict(drug="unobtainium"), "one of the known drugs"),
])
def test_segment_build_rejects(test_drugs, kwargs, fragment):
    args = dict(drug="zz_test_ai", dose="1 mg", schedule="daily", start_week=0, weeks=12) | kwargs
    with pytest.raises(InputError) as err:
        DoseSegment.build(**args, field="protocol[0]", file="s.yaml")
    assert str(err.value).startswith("s.yaml: protocol[0].") and fragment in str(err.value)


def test_protocol_coerce_forms(test_drugs):
    assert Protocol.coerce(None).segments == () == Protocol.coerce([]).segments
    assert Protocol.coerce(None).describe() == ["no treatment"]
    one = Protocol.coerce("zz_test_ai 1 mg daily for 12 weeks")
    assert one.describe() == ["zz_test_ai 1 mg daily, weeks 0-12"]
    both = Protocol.coerce([
        {"drug": "zz_test_ai", "dose": "1 mg", "schedule": "twice weekly", "weeks": 26},
        "zz_test_hcg 1500 IU twice weekly from week -4",
    ])
    assert Protocol.coerce(both) is both
    assert both.earliest_week == -4.0 and one.earliest_week == 0.0
    assert both.describe()[1] == "zz_test_hcg 1500 IU twice weekly, from week -4"


def test_protocol_dose_events_sorted_and_counted(test_drugs):
    protocol = Protocol.coerce([
        {"drug": "zz_test_hcg", "dose": "1500 IU", "schedule": "twice weekly", "start_week": -4},
        {"drug": "zz_test_ai", "dose": "1 mg", "schedule": "daily", "weeks": 12},
    ])
    events = protocol.dose_events(until_hours=12 * WEEK)
    times = [t for t, _, _ in events]
    assert times == sorted(times)
    assert sum(1 for e in events if e[1] == "zz_test_ai") == 84
    assert sum(1 for e in events if e[1] == "zz_test_hcg") == 32          # 16 weeks x 2
    assert events[0] == (-4 * WEEK, "zz_test_hcg", 1500.0)


def test_protocol_unknown_key_and_wrong_types(test_drugs):
    with pytest.raises(InputError) as err:
        Protocol.coerce([{"drug": "zz_test_ai", "dose": "1 mg", "schedule": "daily", "durat1on": 4}],
                        file="s.yaml")
    assert str(err.value).startswith("s.yaml: protocol[0].durat1on:") and "start_week" in str(err.value)
    with pytest.raises(InputError, match="protocol\\[0\\].schedule: expected a value for the required key"):
        Protocol.coerce([{"drug": "zz_test_ai", "dose": "1 mg"}])
    with pytest.raises(UnitError, match="protocol\\[0\\].dose"):
        Protocol.coerce([{"drug": "zz_test_ai", "dose": 1, "schedule": "daily"}])
    with pytest.raises(InputError, match="a list of dosing segments"):
        Protocol.coerce(42)
