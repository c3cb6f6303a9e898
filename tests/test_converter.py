from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import cattrs
import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import releasekit as rk
from releasekit._records import converter as conv
from releasekit._records.events import Draft, Event
from releasekit._records.leases import Lease
from releasekit._records.processes import HostProcess
from releasekit._records.values import Attempt, Attention, Record, State
from releasekit._rules.evidence import Evidence
from releasekit.exceptions import UnreadableDataError
from releasekit.testing import strategies as rks

#: Nested values are slow to draw: fewer examples of them still cover every field.
FEWER = settings(max_examples=min(60, settings().max_examples))

ROUND_TRIPS: list[tuple[Any, st.SearchStrategy[Any]]] = [
    (rk.Artifact, rks.any_artifacts()),
    (rk.Move, rks.moves()),
    (rk.Release, rks.any_releases()),
    (Evidence, rks.any_evidence()),
    (rk.Blocker, rks.blockers()),
    (Draft, rks.drafts()),
    (Event, rks.events()),
    (Attempt, rks.attempts()),
    (Attention, rks.attentions()),
    (Record, rks.records()),
    (State, rks.records().map(lambda r: State(release=r.release, attempt=r.attempt))),
    (Lease, rks.leases()),
    (HostProcess, rks.host_processes()),
    (rk.DeclaredFreeze, rks.declared_freezes()),
]


@pytest.mark.parametrize(
    ("kind", "values"),
    ROUND_TRIPS,
    ids=[getattr(k, "__name__", "Evidence") for k, _ in ROUND_TRIPS],
)
@FEWER
@given(data=st.data())
def test_roundtrip(kind: Any, values: st.SearchStrategy[Any], data: st.DataObject) -> None:
    """Every stored type reads back equal from its JSON text."""
    value = data.draw(values)

    text = conv.dumps(conv.unstructure(value, kind))

    assert value == conv.structure(conv.loads(text), kind)


@given(rks.any_evidence())
def test_evidence_is_tagged_with_its_kind(item: Evidence) -> None:
    """Evidence is written with its class name under "type", first."""
    unstructured = conv.unstructure(item, Evidence)

    assert ("type", type(item).__name__) == next(iter(unstructured.items()))


@given(rks.any_evidence())
def test_evidence_unstructured_by_its_own_class_is_tagged_too(item: Evidence) -> None:
    """A piece of evidence written on its own reads back as evidence of the union."""
    assert item == conv.structure(conv.unstructure(item), Evidence)


def test_instants_are_written_in_utc() -> None:
    """An instant in any zone is written as ISO 8601 in UTC."""
    berlin = pendulum.datetime(2026, 7, 1, 11, 0, 0, 250, tz="Europe/Berlin")

    assert "2026-07-01T09:00:00.000250+00:00" == conv.unstructure(berlin)


def test_instants_read_back_as_aware_pendulum_values_in_utc() -> None:
    """An ISO string with an offset reads back as the same instant, in UTC."""
    read = conv.structure("2026-07-01T11:00:00+02:00", pendulum.DateTime)

    assert (pendulum.datetime(2026, 7, 1, 9, tz="UTC"), "UTC") == (read, read.timezone_name)


def test_iso_matches_isoformat() -> None:
    """The hand-made ISO form is exactly isoformat() of the UTC instant."""
    moment = pendulum.datetime(2026, 3, 29, 0, 59, 59, 999999, tz="UTC")

    assert moment.isoformat() == conv.iso(moment)


def test_frozensets_are_written_sorted() -> None:
    """A log review's environments are written in one order, whatever the set's order."""
    review = rk.LogReview(
        by="maria",
        at=pendulum.datetime(2026, 1, 1, tz="UTC"),
        environments=["stage", "production", "sandbox"],
        verdict="clean",
    )

    assert ["production", "sandbox", "stage"] == conv.unstructure(review)["environments"]


def test_durations_are_seconds() -> None:
    """A timedelta is written as seconds and read back from them."""
    assert (90.0, dt.timedelta(minutes=1, seconds=30)) == (
        conv.unstructure(dt.timedelta(seconds=90)),
        conv.structure(90, dt.timedelta),
    )


def test_bad_data_names_every_path() -> None:
    """Every problem in bad data is reported with its path, in one error."""
    release = rk.Release(
        id="r1",
        version="2.4.0",
        kind="normal",
        state="tests",
        created_at=pendulum.datetime(2026, 1, 1, tz="UTC"),
        created_by="anton",
        evidence=[
            rk.SignOff(by="maria", at=pendulum.datetime(2026, 1, 1, tz="UTC"), environment="x"),
        ]
        * 3,
    )
    data = conv.unstructure(release)
    data["evidence"][2]["at"] = "yesterday"
    data["evidence"][1]["by"] = ""
    del data["version"]

    with pytest.raises(UnreadableDataError) as raised:
        conv.structure(data, rk.Release, what="the snapshot of r1")

    assert {
        "required field missing @ $.version",
        "by '' names nobody; give a person's name, e.g. 'anton' @ $.evidence[1].by",
        "'yesterday' is not an ISO 8601 date and time @ $.evidence[2].at",
    } == set(raised.value.problems)


def test_a_record_error_reads_as_a_sentence() -> None:
    """The error names what was read, counts the problems and says what to do."""
    with pytest.raises(UnreadableDataError) as raised:
        conv.structure({"id": "r1"}, rk.Move, what="the move")

    message = str(raised.value)
    assert message.startswith("the move cannot be read (4 problems): required field missing @ $.")
    assert message.endswith("restore it from a backup if it was stored")


def test_record_errors_are_store_and_value_errors() -> None:
    """Bad stored data is a store error, and a value error for callers catching those."""
    assert issubclass(UnreadableDataError, rk.exceptions.StoreError)
    assert issubclass(UnreadableDataError, ValueError)


def test_an_unknown_evidence_type_is_named() -> None:
    """Evidence of a type releasekit does not know is refused with the known ones listed."""
    with pytest.raises(UnreadableDataError) as raised:
        conv.structure({"type": "Rumour", "by": "x"}, Evidence)

    assert (
        "evidence type must be one of TestsWritten, TestRun, SignOff, LogReview, MigrationRun, "
        "ChangeReview, Attestation, got 'Rumour' @ $"
    ) == raised.value.problems[0]


def test_evidence_must_be_a_mapping() -> None:
    """A list where evidence should be is refused at its path."""
    with pytest.raises(UnreadableDataError) as raised:
        conv.structure([["TestRun"]], tuple[Evidence, ...])

    assert (
        "evidence must be a mapping with a 'type' key, got ['TestRun'] @ $[0]",
    ) == raised.value.problems


def test_naive_instants_are_refused() -> None:
    """An instant without a zone is refused with the fix."""
    with pytest.raises(UnreadableDataError, match="give it a time zone"):
        conv.structure("2026-01-01T00:00:00", pendulum.DateTime)


def test_json_refuses_nan() -> None:
    """NaN cannot be written: it is not JSON."""
    with pytest.raises(rk.exceptions.InvalidInputError, match="cannot be written as JSON"):
        conv.dumps({"ratio": float("nan")})


def test_json_refuses_objects() -> None:
    """Arbitrary objects cannot be written as JSON either."""
    with pytest.raises(rk.exceptions.InvalidInputError, match="cannot be written as JSON"):
        conv.dumps({"when": object()})


def test_dumps_is_canonical() -> None:
    """The same mapping gives the same text whatever its key order."""
    assert conv.dumps({"b": 1, "a": [1, "é"]}) == conv.dumps({"a": [1, "é"], "b": 1})
    assert '{"a":[1,"\\u00e9"],"b":1}' == conv.dumps({"b": 1, "a": [1, "é"]})


def test_extend_registers_hooks_on_the_project_converter() -> None:
    """Other layers add their own hooks through extend(), never on the global converter."""

    @attrs.frozen
    class Shout:
        text: str

    def configure(made: cattrs.Converter) -> None:
        made.register_unstructure_hook(Shout, lambda value: value.text.upper())

    conv.extend(configure)

    assert ("HI", {"text": "hi"}) == (
        conv.unstructure(Shout("hi")),
        cattrs.unstructure(Shout("hi")),
    )
