"""The store contract: every store (memory, SQLite, PostgreSQL) behaves the same."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import TYPE_CHECKING

import pendulum
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import releasekit as rk
import strategies as rks
from releasekit.exceptions import LeaseNotHeldError
from releasekit.stores import Action, Draft, JSONText, Lease, Snapshot, Store

if TYPE_CHECKING:
    from collections.abc import Callable

    from conftest import Backend

AT = pendulum.datetime(2026, 11, 28, 9, 0, tz="UTC")
MINUTES_30 = dt.timedelta(minutes=30)

#: Store-backed properties write to a real database per example: fewer examples.
STORED = settings(
    max_examples=min(25, settings().max_examples),
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
_unique = itertools.count()


def draft(action: Action = Action.STARTED, **data: object) -> Draft:
    return Draft(actor="anton", action=action, at=AT, data=data)


def test_every_store_follows_the_protocol(store: Store) -> None:
    """Each store is a Store, as far as isinstance can tell."""
    assert isinstance(store, Store)


# ---------------------------------------------------------------------------
# Appending
# ---------------------------------------------------------------------------


def test_the_first_append_creates_the_stream(store: Store) -> None:
    """Appending at revision 0 creates the stream with its first event and state."""
    event = store.append("r1", expected=0, draft=draft(n=1), snapshot={"state": "dev"})

    assert (1, "", True) == (event.seq, event.previous, event.matches_digest())
    assert Snapshot(stream="r1", revision=1, head=event.digest, data={"state": "dev"}) == (
        store.snapshot("r1")
    )


def test_appends_chain_their_events(store: Store) -> None:
    """Each event links to the one before it."""
    first = store.append("r1", expected=0, draft=draft(), snapshot={})
    second = store.append("r1", expected=1, draft=draft(Action.PROMOTED), snapshot={"n": 2})

    assert (2, first.digest) == (second.seq, second.previous)
    assert (2, second.digest) == (store.snapshot("r1").revision, store.snapshot("r1").head)  # type: ignore[union-attr]


def test_the_returned_event_is_the_stored_event(store: Store) -> None:
    """What append returns equals what events() reads back later."""
    returned = store.append(
        "r1",
        expected=0,
        draft=Draft(
            actor="ånton",
            action=Action.PROMOTED,
            at=AT.add(microseconds=7),
            source="dev",
            target="prod",
            reason="ship it ✓",
            data={"nested": [1, 2.5, None, {"é": True}], "tuple": (1, 2)},
        ),
        snapshot={},
    )

    assert [returned] == store.events("r1")


def test_a_stale_revision_is_a_conflict_and_writes_nothing(store: Store) -> None:
    """Writing on an old revision is refused, naming the stream and both revisions."""
    store.append("r1", expected=0, draft=draft(), snapshot={"v": 1})
    store.append("r1", expected=1, draft=draft(Action.PROMOTED), snapshot={"v": 2})
    before = (store.snapshot("r1"), store.events("r1"))

    with pytest.raises(rk.ConflictError) as raised:
        store.append("r1", expected=1, draft=draft(Action.PROMOTED), snapshot={"v": 3})

    assert ("r1", 1, 2) == (raised.value.stream, raised.value.expected, raised.value.actual)
    assert before == (store.snapshot("r1"), store.events("r1"))


def test_creating_a_stream_twice_is_a_conflict(store: Store) -> None:
    """A second create is refused: the stream already exists."""
    store.append("r1", expected=0, draft=draft(), snapshot={"v": 1})

    with pytest.raises(rk.ConflictError) as raised:
        store.append("r1", expected=0, draft=draft(), snapshot={"v": 9})

    assert "r1 already exists (revision 1); load it instead of creating it" == str(raised.value)
    assert {"v": 1} == store.snapshot("r1").data  # type: ignore[union-attr]


def test_a_revision_from_the_future_is_a_conflict(store: Store) -> None:
    """Naming a revision the stream has not reached is refused too."""
    with pytest.raises(rk.ConflictError) as raised:
        store.append("r1", expected=3, draft=draft(), snapshot={})

    assert (3, 0) == (raised.value.expected, raised.value.actual)
    assert store.snapshot("r1") is None


def test_a_known_head_saves_the_read(store: Store) -> None:
    """Given the head it saw, a writer appends exactly as without it."""
    first = store.append("r1", expected=0, draft=draft(), snapshot={})

    second = store.append(
        "r1", expected=1, draft=draft(Action.PROMOTED), snapshot={}, previous=first.digest
    )

    assert first.digest == second.previous
    assert store.verify("r1").ok


def test_a_wrong_head_is_refused_and_writes_nothing(store: Store) -> None:
    """A head that is not the stream's is refused, even at the right revision."""
    store.append("r1", expected=0, draft=draft(), snapshot={"v": 1})

    with pytest.raises(rk.InvalidInputError) as raised:
        store.append("r1", expected=1, draft=draft(), snapshot={"v": 2}, previous="0" * 64)

    assert "previous" == raised.value.field
    assert (1, {"v": 1}) == (len(store.events("r1")), store.snapshot("r1").data)  # type: ignore[union-attr]


def test_a_stale_revision_with_a_head_is_still_a_conflict(store: Store) -> None:
    """With a head given, a stale revision is a conflict, not a wrong head."""
    first = store.append("r1", expected=0, draft=draft(), snapshot={})
    store.append("r1", expected=1, draft=draft(), snapshot={})

    with pytest.raises(rk.ConflictError) as raised:
        store.append("r1", expected=1, draft=draft(), snapshot={}, previous=first.digest)

    assert (1, 2) == (raised.value.expected, raised.value.actual)


def test_a_snapshot_may_come_as_text(store: Store) -> None:
    """A snapshot already written as JSON text is kept as it is."""
    store.append("r1", expected=0, draft=draft(), snapshot=JSONText('{"a":[1,2]}'))

    assert {"a": [1, 2]} == store.snapshot("r1").data  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("stream", "expected", "snapshot", "field"),
    [
        ("", 0, {}, "stream"),
        ("a\x00b", 0, {}, "stream"),
        ("x" * 201, 0, {}, "stream"),
        ("r1", -1, {}, "expected"),
        ("r1", True, {}, "expected"),
        ("r1", 0, {"x": float("nan")}, "snapshot"),
        ("r1", 0, ["not", "a", "mapping"], "snapshot"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(
    store: Store, stream: str, expected: int, snapshot: object, field: str
) -> None:
    """A malformed name, revision or snapshot is refused before anything is written."""
    with pytest.raises(rk.InvalidInputError) as raised:
        store.append(stream, expected=expected, draft=draft(), snapshot=snapshot)  # type: ignore[arg-type]

    assert field == raised.value.field
    assert [] == store.streams()


def test_data_that_is_not_json_is_refused_and_writes_nothing(store: Store) -> None:
    """An event whose data JSON cannot hold is refused before anything is written."""
    with pytest.raises(rk.InvalidInputError):
        store.append("r1", expected=0, draft=draft(when=object()), snapshot={})

    assert (None, []) == (store.snapshot("r1"), store.events("r1"))


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


def test_an_unknown_stream_has_no_state_and_no_events(store: Store) -> None:
    """Reading a stream that was never written gives nothing, not an error."""
    assert (None, []) == (store.snapshot("nope"), store.events("nope"))


def test_events_after_a_position(store: Store) -> None:
    """events(after=n) gives only the newer events, oldest first."""
    for revision in range(4):
        store.append("r1", expected=revision, draft=draft(n=revision), snapshot={})

    assert [3, 4] == [event.seq for event in store.events("r1", after=2)]


def test_streams_are_listed_by_prefix(store: Store) -> None:
    """Streams are listed sorted, and a prefix is taken literally (no wildcards)."""
    for name in ["r2", "data:prod", "r1", "r_1", "r%", "é"]:
        store.append(name, expected=0, draft=draft(), snapshot={})

    assert (["data:prod", "r%", "r1", "r2", "r_1", "é"], ["r_1"], ["r%"]) == (
        store.streams(),
        store.streams(prefix="r_"),
        store.streams(prefix="r%"),
    )


def test_a_written_history_verifies(store: Store) -> None:
    """The history a store wrote verifies against its chain and its state."""
    events = [store.append("r1", expected=0, draft=draft(), snapshot={})]
    events.append(store.append("r1", expected=1, draft=draft(Action.PROMOTED), snapshot={}))

    assert rk.stores.Verification(stream="r1", events=2, head=events[-1].digest) == (
        store.verify("r1")
    )


def test_an_unknown_stream_verifies_empty(store: Store) -> None:
    """There is nothing wrong with a stream that does not exist."""
    assert (True, 0) == (store.verify("nope").ok, store.verify("nope").events)


@STORED
@given(drafts=st.lists(rks.drafts(), min_size=1, max_size=6), data=rks.json_objects())
def test_any_history_verifies_and_reads_back(
    store: Store, drafts: list[Draft], data: dict[str, object]
) -> None:
    """Whatever is appended reads back as written, and verifies."""
    stream = f"p{next(_unique)}"
    written = [
        store.append(stream, expected=seq, draft=item, snapshot=data)
        for seq, item in enumerate(drafts)
    ]

    assert written == store.events(stream)
    assert (len(drafts), written[-1].digest, data) == (
        store.snapshot(stream).revision,  # type: ignore[union-attr]
        store.snapshot(stream).head,  # type: ignore[union-attr]
        store.snapshot(stream).data,  # type: ignore[union-attr]
    )
    assert store.verify(stream).ok


def test_another_handle_sees_what_was_written(open_store: Callable[[], Store]) -> None:
    """A second handle on the same store (another connection) reads the same state."""
    writer = open_store()
    event = writer.append("r1", expected=0, draft=draft(), snapshot={"v": 1})

    reader = open_store()

    assert ([event], {"v": 1}) == (reader.events("r1"), reader.snapshot("r1").data)  # type: ignore[union-attr]


# ---------------------------------------------------------------------------
# Leases
# ---------------------------------------------------------------------------


def test_a_free_lease_is_taken(store: Store) -> None:
    """Taking a free lease gives it to the owner until now + ttl."""
    lease = store.acquire("tests", owner="ci", now=AT, ttl=MINUTES_30)

    assert Lease(name="tests", owner="ci", since=AT, expires=AT + MINUTES_30) == lease
    assert lease == store.current("tests", now=AT)


def test_the_holder_renews_its_lease(store: Store) -> None:
    """Acquiring again as the holder extends the lease and keeps when it was taken."""
    store.acquire("tests", owner="ci", now=AT, ttl=MINUTES_30)

    renewed = store.acquire("tests", owner="ci", now=AT.add(minutes=20), ttl=MINUTES_30)

    assert (AT, AT.add(minutes=50)) == (renewed.since, renewed.expires)


def test_a_held_lease_is_refused_to_another_owner(store: Store) -> None:
    """Someone else's lease cannot be taken before it lapses; the error says whose it is."""
    store.acquire("tests", owner="ci", now=AT, ttl=MINUTES_30)

    with pytest.raises(rk.LeaseHeldError) as raised:
        store.acquire("tests", owner="nightly", now=AT.add(minutes=29), ttl=MINUTES_30)

    assert ("tests", "ci", AT, AT + MINUTES_30) == (
        raised.value.lease,
        raised.value.holder,
        raised.value.since,
        raised.value.expires,
    )
    assert "ci" == store.current("tests", now=AT.add(minutes=29)).owner  # type: ignore[union-attr]


def test_a_lapsed_lease_is_taken_over(store: Store) -> None:
    """Once a lease lapses (its holder crashed), another owner takes it."""
    store.acquire("tests", owner="ci", now=AT, ttl=MINUTES_30)

    taken = store.acquire("tests", owner="nightly", now=AT.add(minutes=30), ttl=MINUTES_30)

    assert ("nightly", AT.add(minutes=30)) == (taken.owner, taken.since)


def test_a_lapsed_lease_is_not_current(store: Store) -> None:
    """Nobody holds a lease once it lapsed."""
    store.acquire("tests", owner="ci", now=AT, ttl=MINUTES_30)

    assert store.current("tests", now=AT + MINUTES_30) is None


def test_the_holder_gives_its_lease_back(store: Store) -> None:
    """Releasing returns the lease as it was, and frees it for others."""
    taken = store.acquire("tests", owner="ci", now=AT, ttl=MINUTES_30)

    given_back = store.release("tests", owner="ci")

    assert taken == given_back
    assert store.current("tests", now=AT) is None
    assert "nightly" == store.acquire("tests", owner="nightly", now=AT, ttl=MINUTES_30).owner


def test_only_the_holder_gives_a_lease_back(store: Store) -> None:
    """Someone who does not hold the lease cannot give it back, and learns who does."""
    store.acquire("tests", owner="ci", now=AT, ttl=MINUTES_30)

    with pytest.raises(LeaseNotHeldError) as raised:
        store.release("tests", owner="nightly")

    assert ("tests", "nightly", "ci") == (
        raised.value.lease,
        raised.value.owner,
        raised.value.holder,
    )
    assert "ci" == store.current("tests", now=AT).owner  # type: ignore[union-attr]


def test_a_free_lease_cannot_be_given_back(store: Store) -> None:
    """Giving back a lease nobody holds says so."""
    with pytest.raises(LeaseNotHeldError) as raised:
        store.release("tests", owner="ci")

    assert raised.value.holder is None
    assert str(raised.value).startswith("ci does not hold tests: nobody does")


def test_a_lease_that_was_taken_over_cannot_be_given_back(store: Store) -> None:
    """The old holder of a lapsed lease learns that someone else took it."""
    store.acquire("tests", owner="ci", now=AT, ttl=MINUTES_30)
    store.acquire("tests", owner="nightly", now=AT.add(hours=1), ttl=MINUTES_30)

    with pytest.raises(LeaseNotHeldError, match="nightly does"):
        store.release("tests", owner="ci")


def test_leases_are_independent(store: Store) -> None:
    """Each name is its own lease."""
    store.acquire("tests", owner="ci", now=AT, ttl=MINUTES_30)

    assert "ops" == store.acquire("data:prod", owner="ops", now=AT, ttl=MINUTES_30).owner


@pytest.mark.parametrize(
    ("now", "ttl", "error"),
    [
        (pendulum.naive(2026, 11, 28, 9), MINUTES_30, rk.NaiveDatetimeError),
        (AT, dt.timedelta(0), rk.InvalidInputError),
        (AT, 30, rk.InvalidInputError),
    ],
)
def test_a_lease_needs_an_aware_time_and_a_positive_ttl(
    store: Store, now: dt.datetime, ttl: dt.timedelta, error: type[Exception]
) -> None:
    """Lease times are aware instants and durations are positive."""
    with pytest.raises(error):
        store.acquire("tests", owner="ci", now=now, ttl=ttl)

    assert store.current("tests", now=AT) is None


def test_a_lease_needs_an_owner(store: Store) -> None:
    """A lease belongs to someone named."""
    with pytest.raises(rk.InvalidInputError) as raised:
        store.acquire("tests", owner=" ", now=AT, ttl=MINUTES_30)

    assert "owner" == raised.value.field


def test_a_lease_in_other_time_zones_compares_as_instants(store: Store) -> None:
    """A lease taken in UTC lapses at the same instant seen from New York."""
    store.acquire("tests", owner="ci", now=AT, ttl=MINUTES_30)
    new_york = (AT + MINUTES_30).in_timezone("America/New_York")

    assert store.current("tests", now=new_york - dt.timedelta(microseconds=1)) is not None
    assert store.current("tests", now=new_york) is None


# ---------------------------------------------------------------------------
# Lifetime
# ---------------------------------------------------------------------------


def test_a_closed_store_refuses_work(backend: Backend) -> None:
    """After close(), every operation is refused with a StoreError."""
    store = backend.open()
    store.close()

    with pytest.raises(rk.StoreError, match="closed"):
        store.snapshot("r1")
    with pytest.raises(rk.StoreError, match="closed"):
        store.append("r1", expected=0, draft=draft(), snapshot={})


def test_a_store_closes_at_the_end_of_a_with_block(backend: Backend) -> None:
    """Stores are context managers."""
    with backend.open() as store:
        store.append("r1", expected=0, draft=draft(), snapshot={})

    with pytest.raises(rk.StoreError):
        store.events("r1")
