"""The shape comparison every fidelity test stands on (tests/fidelity.py): what it catches."""

from __future__ import annotations

from tests.fidelity import shape_differences

PERSON = {"xuid": "1", "summary": {"inParty": 0}, "seen": "2020-01-01T00:00:00Z"}


def test_same_keys_and_types_pass() -> None:
    assert shape_differences({"a": 1, "b": [{"c": "x"}]}, {"a": 2, "b": [{"c": "y"}]}) == []


def test_missing_and_unexpected_keys_and_wrong_types_are_reported() -> None:
    assert shape_differences({"a": "1"}, {"a": 1}) == ["$.a: expected int, got str ('1')"]
    assert shape_differences({}, {"a": 1}) == ["$: missing keys ['a']"]
    assert shape_differences({"a": 1, "z": 0}, {"a": 1}) == ["$: unexpected keys ['z']"]
    assert shape_differences({"a": 1.0}, {"a": 1}) == ["$.a: expected int, got float (1.0)"]
    assert shape_differences({"a": True}, {"a": 1}) == ["$.a: expected int, got bool (True)"]
    assert shape_differences({"a": None}, {"a": 1}) == ["$.a: expected int, got null (None)"]
    assert shape_differences([1], {"a": 1}) == ["$: expected object, got array"]


def test_every_element_of_a_list_is_checked() -> None:
    problems = shape_differences([{"a": 1}, {"a": "x"}, {"b": 1}], [{"a": 0}])
    assert problems == ["$[1].a: expected int, got str ('x')", "$[2]: missing keys ['a']",
                        "$[2]: unexpected keys ['b']"]


def test_a_list_whose_recorded_elements_differ_admits_each_variant() -> None:
    """A key one recorded element has and another lacks is optional; a key every recorded
    element has is required; types merge (a date here, null there)."""
    recorded = [PERSON, {"xuid": "2", "summary": {"inParty": 0, "party": [{"id": "p"}]},
                         "seen": None}]
    assert shape_differences([PERSON, recorded[1], {**PERSON, "seen": None}], recorded) == []
    assert shape_differences([{"summary": {"inParty": 0}, "seen": None}], recorded) == \
        ["$[0]: missing keys ['xuid']"]
    assert shape_differences([{**PERSON, "summary": {"inParty": 0, "party": [{"id": 1}]}}],
                             recorded) == ["$[0].summary.party[0].id: expected str, got int (1)"]
    assert shape_differences([{**PERSON, "seen": 5}], recorded) == \
        ["$[0].seen: expected null or str, got int (5)"]
    assert shape_differences([{**PERSON, "new": 1}], recorded) == ["$[0]: unexpected keys ['new']"]


def test_an_empty_recorded_list_says_nothing_of_its_elements() -> None:
    assert shape_differences({"a": [{"x": 1}]}, {"a": []}) == []
    assert shape_differences({"a": []}, {"a": [{"x": 1}]}) == []


def test_nullable_keys_may_be_null_on_either_side_only() -> None:
    nullable = frozenset({"seen"})
    assert shape_differences({**PERSON, "seen": None}, PERSON, nullable=nullable) == []
    assert shape_differences(PERSON, {**PERSON, "seen": None}, nullable=nullable) == []
    assert shape_differences({**PERSON, "seen": 3}, PERSON, nullable=nullable) == \
        ["$.seen: expected str, got int (3)"]


def test_optional_keys_are_typed_and_nothing_else_is_let_through() -> None:
    optional = {"isStreamable": True}
    assert shape_differences({**PERSON, "isStreamable": False}, PERSON, optional=optional) == []
    assert shape_differences(PERSON, PERSON, optional=optional) == []
    assert shape_differences({**PERSON, "isStreamable": "yes"}, PERSON, optional=optional) == \
        ["$.isStreamable: expected bool, got str ('yes')"]
    assert shape_differences({**PERSON, "other": 1}, PERSON, optional=optional) == \
        ["$: unexpected keys ['other']"]
