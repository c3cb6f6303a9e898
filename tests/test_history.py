from __future__ import annotations

import hashlib

import attrs
import pendulum
import pytest
from hypothesis import given

import releasekit as rk
from releasekit._records.converter import dumps, iso
from releasekit._records.events import (
    STATE_CHANGED,
    Action,
    Draft,
    Event,
    Verification,
    check_chain,
    digest,
    digest_of,
    seal,
)
from releasekit.testing import strategies as rks

AT = pendulum.datetime(2026, 11, 28, 9, 0, tz="UTC")


def chain(length: int, stream: str = "r1") -> list[Event]:
    """Return a well-formed history of *length* events."""
    events: list[Event] = []
    previous = ""
    for seq in range(1, length + 1):
        draft = Draft(actor="anton", action=Action.PROMOTED, at=AT, data={"n": seq})
        event = seal(stream, seq=seq, previous=previous, draft=draft)[0]
        events.append(event)
        previous = event.digest
    return events


def verify(
    events: list[Event], *, revision: int | None = -1, head: str | None = ""
) -> Verification:
    """Check *events* against a snapshot that matches them unless told otherwise."""
    return check_chain(
        "r1",
        events,
        revision=len(events) if revision == -1 else revision,
        head=(events[-1].digest if events else "") if head == "" else head,
    )


def test_the_actions_cover_every_kind_of_step() -> None:
    """Every action the issue names has a stable value."""
    assert {
        "started",
        "evidence-recorded",
        "promoted",
        "refused",
        "abandoned",
        "rolled-back",
        "step-started",
        "step-finished",
        "step-failed",
        "step-abandoned",
        "step-resumed",
        "child-started",
        "lease-taken",
        "lease-released",
        "data-operation",
        "logs-checked",
        "notified",
        "attention-needed",
        "attention-cleared",
        "freeze-declared",
        "freeze-lifted",
    } == {action.value for action in Action}


@given(rks.events())
def test_the_digest_covers_the_canonical_json_of_every_other_field(event: Event) -> None:
    """The digest is SHA-256 over the sorted, compact JSON of all fields but itself."""
    document = {
        "stream": event.stream,
        "seq": event.seq,
        "at": iso(event.at),
        "actor": event.actor,
        "action": event.action.value,
        "source": event.source,
        "target": event.target,
        "reason": event.reason,
        "data": event.data,
        "previous": event.previous,
    }
    if event.state_digest is not None:  # events written before it was recorded have none
        document["state_digest"] = event.state_digest

    assert hashlib.sha256(dumps(document).encode()).hexdigest() == digest_of(event)


@given(rks.drafts(), rks.stream_names)
def test_a_sealed_event_matches_its_digest(draft: Draft, stream: str) -> None:
    """Sealing gives the event its place and a digest that checks out."""
    event = seal(stream, seq=3, previous="ab" * 32, draft=draft)[0]

    assert (3, "ab" * 32, True) == (event.seq, event.previous, event.matches_digest())


def test_the_digest_is_taken_over_the_json_of_every_field_keys_sorted() -> None:
    """An event's digest is SHA-256 of its fields as compact, key-sorted, ASCII JSON."""
    event = Event(
        stream="r1",
        seq=1,
        at=AT,
        actor="ånton",
        action=Action.STARTED,
        target="tests",
        data={"z": 1, "a": [True, None]},
    )
    text = (
        '{"action":"started","actor":"\\u00e5nton","at":"2026-11-28T09:00:00+00:00",'
        '"data":{"a":[true,null],"z":1},"previous":"","reason":"","seq":1,"source":null,'
        '"stream":"r1","target":"tests"}'
    )

    assert hashlib.sha256(text.encode()).hexdigest() == digest_of(event)


@given(rks.events())
def test_any_change_to_an_event_breaks_its_digest(event: Event) -> None:
    """Changing a single field makes the event stop matching its digest."""
    sealed = attrs.evolve(event, digest=digest_of(event))

    assert sealed.matches_digest()
    assert not attrs.evolve(sealed, reason=sealed.reason + "!").matches_digest()
    assert not attrs.evolve(sealed, seq=sealed.seq + 1).matches_digest()
    assert not attrs.evolve(sealed, data={**sealed.data, "forged": True}).matches_digest()


def test_a_draft_refuses_a_naive_time() -> None:
    """An event's time must say its zone."""
    with pytest.raises(rk.exceptions.NaiveDatetimeError):
        Draft(actor="anton", action="started", at=pendulum.naive(2026, 1, 1))


@pytest.mark.parametrize("actor", ["", "   ", "an\x00ton"])
def test_a_draft_refuses_an_actor_no_store_can_keep(actor: str) -> None:
    """Who acted must be named, in text every store can keep."""
    with pytest.raises(rk.exceptions.InvalidInputError) as raised:
        Draft(actor=actor, action="started", at=AT)

    assert "actor" == raised.value.field


def test_a_draft_refuses_a_lone_surrogate() -> None:
    """Text that is not valid Unicode is refused before it reaches a store."""
    with pytest.raises(rk.exceptions.InvalidInputError, match="lone surrogate"):
        Draft(actor="anton", action="started", at=AT, reason="\udc80")


def test_a_draft_refuses_data_that_is_not_a_mapping() -> None:
    """An event's data is a JSON object."""
    with pytest.raises(rk.exceptions.InvalidInputError, match="data must be a mapping"):
        Draft(actor="anton", action="started", at=AT, data=[1, 2])  # type: ignore[arg-type]


def test_a_draft_refuses_an_unknown_action() -> None:
    """Actions are the ones releasekit knows."""
    with pytest.raises(ValueError, match="'deployed' is not a valid Action"):
        Draft(actor="anton", action="deployed", at=AT)


def test_sealing_refuses_data_that_is_not_json() -> None:
    """Data that JSON cannot hold is refused when the event is sealed."""
    draft = Draft(actor="anton", action="started", at=AT, data={"x": float("inf")})

    with pytest.raises(rk.exceptions.InvalidInputError, match="cannot be written as JSON"):
        seal("r1", seq=1, previous="", draft=draft)


def test_a_whole_history_verifies() -> None:
    """A history as written verifies, with its head and length."""
    events = chain(5)

    assert Verification(stream="r1", events=5, head=events[-1].digest) == verify(events)


def test_an_empty_stream_verifies() -> None:
    """A stream that does not exist has nothing wrong with it."""
    assert Verification(stream="r1", events=0, head="") == check_chain(
        "r1", [], revision=None, head=None
    )


def test_an_edited_event_is_named() -> None:
    """The first event whose content changed is reported."""
    events = chain(5)
    events[2] = attrs.evolve(events[2], actor="mallory")

    result = verify(events)

    assert (3, "its content does not match its digest: it was changed after it was written") == (
        result.seq,
        result.detail,
    )


def test_an_edited_event_with_a_recomputed_digest_breaks_the_next_link() -> None:
    """A forger who recomputes the digest is caught by the event after it."""
    events = chain(5)
    forged = attrs.evolve(events[1], actor="mallory")
    events[1] = attrs.evolve(forged, digest=digest_of(forged))

    result = verify(events)

    assert 3 == result.seq
    assert result.detail.startswith("it does not follow the event before it")


def test_a_deleted_event_is_named() -> None:
    """A gap in the history is reported where the missing event was."""
    events = chain(5)
    del events[1]

    result = verify(events, revision=5, head=chain(5)[-1].digest)

    assert (2, "the event is missing (the next stored event is 3)") == (result.seq, result.detail)


def test_reordered_events_are_caught() -> None:
    """Two events swapped (their positions too) no longer match their digests."""
    events = chain(5)
    second, third = events[1], events[2]
    events[1] = attrs.evolve(third, seq=2)
    events[2] = attrs.evolve(second, seq=3)

    assert 2 == verify(events).seq


def test_a_deleted_last_event_disagrees_with_the_state() -> None:
    """Deleting the newest event leaves the state pointing past the history."""
    events = chain(5)

    result = verify(events[:4], revision=5, head=events[-1].digest)

    assert 5 == result.seq
    assert result.detail.startswith("the current state is at revision 5 but the history holds 4")


def test_a_deleted_state_is_caught() -> None:
    """A history without its current state is reported."""
    result = verify(chain(2), revision=None, head=None)

    assert (2, "the stream has events but no current state (it was deleted)") == (
        result.seq,
        result.detail,
    )


def test_a_state_naming_another_head_is_caught() -> None:
    """The state's head must be the last event's digest."""
    result = verify(chain(2), head="f" * 64)

    assert 2 == result.seq
    assert "another last event" in result.detail


def test_an_event_of_another_stream_is_caught() -> None:
    """An event moved in from another history is reported."""
    events = chain(3)
    events[1] = chain(3, stream="r2")[1]

    assert (2, "the event stored there belongs to 'r2'") == (
        verify(events).seq,
        verify(events).detail,
    )


def test_a_duplicated_event_is_caught() -> None:
    """An event stored twice is reported at its position."""
    events = chain(3)
    events.insert(2, events[1])

    assert (2, "event 2 appears again, out of order") == (verify(events).seq, verify(events).detail)


def test_raise_if_tampered_raises_with_the_details() -> None:
    """A failed verification becomes a HistoryTamperedError carrying stream, seq and detail."""
    events = chain(3)
    events[0] = attrs.evolve(events[0], reason="edited")

    with pytest.raises(rk.exceptions.HistoryTamperedError) as raised:
        verify(events).raise_if_tampered()

    assert ("r1", 1) == (raised.value.stream, raised.value.seq)
    assert str(raised.value).startswith("the history of r1 does not verify at event 1: its content")


def test_raise_if_tampered_is_silent_for_a_good_history() -> None:
    """A history that verifies raises nothing."""
    verify(chain(2)).raise_if_tampered()


def stated(count: int, *, old: int = 0) -> tuple[list[Event], str]:
    """Return a history whose first *old* events record no state digest, and its last state."""
    events: list[Event] = []
    previous = ""
    text = ""
    for seq in range(1, count + 1):
        text = f'{{"n":{seq}}}'
        draft = Draft(actor="anton", action=Action.PROMOTED, at=AT, data={"n": seq})
        state = None if seq <= old else digest(text)
        event = seal("r1", seq=seq, previous=previous, draft=draft, state_digest=state)[0]
        events.append(event)
        previous = event.digest
    return events, text


def test_each_event_records_the_digest_of_its_state() -> None:
    """The state digest is SHA-256 of the state's text, and the event's digest covers it."""
    events, text = stated(2)

    assert hashlib.sha256(text.encode()).hexdigest() == events[-1].state_digest
    assert not attrs.evolve(events[-1], state_digest="0" * 64).matches_digest()


def test_a_state_that_is_not_the_one_recorded_is_caught() -> None:
    """The state's text must be the one the last event recorded."""
    events, text = stated(3)

    good = check_chain("r1", events, revision=3, head=events[-1].digest, state=text)
    forged = check_chain("r1", events, revision=3, head=events[-1].digest, state='{"n":4}')

    assert (True, 3, STATE_CHANGED) == (good.ok, forged.seq, forged.detail)


def test_events_without_state_digests_still_verify_before_the_first_with_one() -> None:
    """Old events carry no state digest; the chain holds, and the last one's is checked."""
    events, text = stated(5, old=3)

    assert check_chain("r1", events, revision=5, head=events[-1].digest, state=text).ok
    assert check_chain("r1", events[:3], revision=3, head=events[2].digest, state="{}").ok


def test_an_event_without_a_state_digest_after_one_with_is_caught() -> None:
    """From the first event that records a state digest on, every event must record one."""
    events, _text = stated(3)
    stripped = attrs.evolve(events[1], state_digest=None)
    events[1] = attrs.evolve(stripped, digest=digest_of(stripped))
    events[2] = seal(
        "r1",
        seq=3,
        previous=events[1].digest,
        draft=Draft(actor="anton", action=Action.PROMOTED, at=AT, data={"n": 3}),
        state_digest=events[2].state_digest,
    )[0]

    result = check_chain("r1", events, revision=3, head=events[2].digest)

    assert 2 == result.seq
    assert result.detail.startswith("it records no digest of the state written with it")
