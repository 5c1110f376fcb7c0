"""Comma-separated option values, as every command that takes a list reads them."""

from hpgsim.option_lists import comma_list


def test_blanks_and_repeats_are_dropped_and_order_kept():
    assert comma_list(" b, a,,b , ") == ["b", "a"]
    assert comma_list(["x", " y", "", "x"]) == ["x", "y"]


def test_nothing_given_is_an_empty_list():
    assert comma_list(None) == [] and comma_list(" , ") == []
