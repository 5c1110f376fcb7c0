"""The library of named protocols: every file loads, says how strong its evidence is, and gives
drugs the catalogue knows; scenario files may name a library protocol."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import yaml

import hpgsim
from hpgsim.drugs.records import get_drug
from hpgsim.errors import InputError
from hpgsim.protocols import EVIDENCE_LEVELS, list_protocols, load_protocol, protocol_names
from hpgsim.protocols.library import _library_dir, protocol_from_dict
from hpgsim.scenario import scenario_from_dict

REQUIRED = """
anastrozole-1mg-daily anastrozole-1mg-twice-weekly anastrozole-0.5mg-twice-weekly
anastrozole-1mg-three-times-weekly letrozole-2.5mg-daily letrozole-2.5mg-twice-weekly
letrozole-titrate-to-t20 exemestane-25mg-daily clomiphene-25mg-daily clomiphene-50mg-every-other-day
enclomiphene-12.5mg-daily tamoxifen-20mg-daily clomiphene-plus-anastrozole hcg-alone-2000iu-three-times-weekly
testosterone-cypionate-100mg-weekly testosterone-enanthate-200mg-weekly
testosterone-undecanoate-1000mg-every-10-weeks testosterone-gel-50mg-daily testosterone-plus-anastrozole
testosterone-plus-hcg-500iu restart-hcg-3000iu restart-hcg-plus-clomiphene restart-hcg-plus-anastrozole
restart-hcg-plus-fsh restart-clomiphene-alone gonadorelin-pulsatile-pump gonadorelin-continuous
gonadorelin-with-trt-twice-weekly anastrozole-with-monitoring
""".split()


def raw(name: str) -> dict:
    return yaml.safe_load((_library_dir() / f"{name}.yaml").read_text(encoding="utf-8"))


def test_the_library_has_every_required_protocol():
    assert set(REQUIRED) <= set(protocol_names())


def test_every_library_protocol_loads_and_its_drugs_exist():
    # passes once the catalogue registers every drug the library uses
    loaded = list_protocols()
    assert [p.name for p in loaded] == protocol_names()
    for item in loaded:
        assert item.evidence in EVIDENCE_LEVELS
        assert item.sources and all(s.citation for s in item.sources)
        assert 0 < item.weeks <= 520 and item.protocol.segments
        for drug in item.drugs:
            assert get_drug(drug).name == drug
        if item.monitoring is not None:
            assert set(item.monitoring.drugs) <= set(item.drugs)


def test_regimens_without_trials_say_so():
    for name in ("anastrozole-0.5mg-twice-weekly", "anastrozole-1mg-three-times-weekly"):
        assert load_protocol(name).evidence == "clinic practice (no trial)"
    gonadorelin = load_protocol("gonadorelin-with-trt-twice-weekly")
    assert gonadorelin.evidence == "physiology prediction (unvalidated)"
    assert "No clinical data exist" in gonadorelin.evidence_note
    assert load_protocol("gonadorelin-pulsatile-pump").evidence == "trial"


def test_unknown_name_suggests_close_matches():
    with pytest.raises(InputError) as err:
        load_protocol("anastrozol-1mg-daly")
    assert "anastrozole-1mg-daily" in str(err.value)
    assert err.value.field == "protocol"


def test_a_regimen_as_text_is_wrapped_without_evidence():
    from hpgsim.protocols.library import TEXT_REGIMEN_WEEKS, named_or_regimen

    item = named_or_regimen("letrozole 2.5 mg weekly for 12 weeks")
    assert not item.in_library and item.sources == () and item.monitoring is None
    assert item.weeks == 12 and item.drugs == ("letrozole",)
    assert named_or_regimen("anastrozole 1 mg daily").weeks == TEXT_REGIMEN_WEEKS
    assert named_or_regimen("anastrozole-1mg-daily").in_library
    with pytest.raises(InputError, match="close matches"):
        named_or_regimen("anastrozol-1mg-daly")


def test_undecanoate_has_its_loading_dose_at_week_6():
    times = sorted(t / 168 for t, drug, *_ in load_protocol("testosterone-undecanoate-1000mg-every-10-weeks")
                   .protocol.dose_events(52 * 168))
    np.testing.assert_allclose(times, [0, 6, 16, 26, 36, 46])


def test_restart_protocols_carry_two_years_of_testosterone_as_history():
    for name in ("restart-hcg-3000iu", "restart-hcg-plus-clomiphene", "restart-hcg-plus-anastrozole",
                 "restart-hcg-plus-fsh", "restart-clomiphene-alone"):
        first = load_protocol(name).protocol.segments[0]
        assert (first.drug, first.start_week, first.weeks) == ("testosterone_cypionate", -104.0, 104.0)


def test_titration_protocol_follows_loves_2013():
    rules = load_protocol("letrozole-titrate-to-t20").monitoring.rules
    raise_rule = next(r for r in rules if r.then.add_dose and r.then.add_dose > 0)
    assert raise_rule.then.max_dose == pytest.approx(17_500.0)     # 7 tablets of 2.5 mg a week (ug)
    t_condition = next(c for c in raise_rule.when if c.measure == "total_testosterone")
    assert (t_condition.op, t_condition.value) == ("lt", pytest.approx(20.0))   # nmol/L


@pytest.mark.parametrize("change, field", [
    (lambda d: d.update(colour="red"), "colour"),
    (lambda d: d.update(evidence="strong"), "evidence"),
    (lambda d: d.update(name="other-name"), "name"),
    (lambda d: d.pop("sources"), "sources"),
    (lambda d: d["sources"][0].update(doi="x"), "sources[0].doi"),
    (lambda d: d["protocol"][0].update(dose="1 IU"), "protocol[0].dose"),
    (lambda d: d.update(monitoring={"checks": [{"weeks": [4], "measures": ["estradiol"], "when": 1}]}),
     "monitoring.checks[0].when"),
])
def test_bad_library_files_name_the_file_and_field(change, field):
    data = copy.deepcopy(raw("anastrozole-1mg-daily"))
    change(data)
    with pytest.raises(InputError) as err:
        protocol_from_dict(data, file="library/anastrozole-1mg-daily.yaml")
    assert err.value.field == field
    assert err.value.file == "library/anastrozole-1mg-daily.yaml"


def test_scenario_may_name_a_library_protocol_and_bring_its_monitoring():
    base = {"patient": {"age": 40, "bmi": 27}, "weeks": 12}
    named = scenario_from_dict({**base, "protocol": "anastrozole-with-monitoring"}, "s.yaml")
    assert named.protocol_name == "anastrozole-with-monitoring"
    assert named.monitoring is not None and named.monitoring.rules

    own = {"checks": [{"weeks": [4], "measures": ["lh"]}]}
    replaced = scenario_from_dict({**base, "protocol": "anastrozole-with-monitoring", "monitoring": own}, "s.yaml")
    assert [c.measures for c in replaced.monitoring.checks] == [("lh",)]
    assert scenario_from_dict({**base, "protocol": "anastrozole-with-monitoring", "monitoring": None}).monitoring is None

    with pytest.raises(InputError) as err:
        scenario_from_dict({**base, "protocol": "anastrozole-daily"}, "s.yaml")
    assert err.value.field == "protocol" and err.value.file == "s.yaml"
    assert "anastrozole-1mg-daily" in str(err.value)


def test_named_protocol_simulates_with_its_monitoring():
    man = hpgsim.Patient.build(age=35, bmi=25)
    result = load_protocol("anastrozole-with-monitoring").simulate(man, weeks=8)
    assert list(result.lab_checks.week.unique()) == [4.0, 8.0]
    assert result.weeks[-1] == pytest.approx(8.0)
