"""The store contract: every store (memory, SQLite, PostgreSQL) behaves the same.

Histories other than releases (``kind:name``) keep one JSON snapshot each; the
release rows have a section of their own at the end.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import TYPE_CHECKING

import attrs
import pendulum
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import releasekit as rk
from releasekit._records.events import digest
from releasekit._records.rows import NO_FACTS, roll
from releasekit.exceptions import LeaseNotHeldError
from releasekit.stores import Action, Draft, Fact, Lease, ReleaseRow, Snapshot, Store, StoredRelease
from releasekit.testing import strategies as rks

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
    event = store.append("ops:r1", expected=0, draft=draft(n=1), snapshot={"state": "dev"})

    assert (1, "", True) == (event.seq, event.previous, event.matches_digest())
    text = '{"state":"dev"}'
    assert Snapshot(
        stream="ops:r1",
        revision=1,
        head=event.digest,
        data={"state": "dev"},
        text=text,
        recorded_digest=digest(text),
    ) == store.snapshot("ops:r1")
    assert digest(text) == event.state_digest


def test_appends_chain_their_events(store: Store) -> None:
    """Each event links to the one before it."""
    first = store.append("ops:r1", expected=0, draft=draft(), snapshot={})
    second = store.append("ops:r1", expected=1, draft=draft(Action.PROMOTED), snapshot={"n": 2})

    assert (2, first.digest) == (second.seq, second.previous)
    assert (2, second.digest) == (store.snapshot("ops:r1").revision, store.snapshot("ops:r1").head)  # type: ignore[union-attr]


def test_the_returned_event_is_the_stored_event(store: Store) -> None:
    """What append returns equals what events() reads back later."""
    returned = store.append(
        "ops:r1",
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

    assert [returned] == store.events("ops:r1")


def test_a_stale_revision_is_a_conflict_and_writes_nothing(store: Store) -> None:
    """Writing on an old revision is refused, naming the stream and both revisions."""
    store.append("ops:r1", expected=0, draft=draft(), snapshot={"v": 1})
    store.append("ops:r1", expected=1, draft=draft(Action.PROMOTED), snapshot={"v": 2})
    before = (store.snapshot("ops:r1"), store.events("ops:r1"))

    with pytest.raises(rk.exceptions.ConflictError) as raised:
        store.append("ops:r1", expected=1, draft=draft(Action.PROMOTED), snapshot={"v": 3})

    assert ("ops:r1", 1, 2) == (raised.value.stream, raised.value.expected, raised.value.actual)
    assert before == (store.snapshot("ops:r1"), store.events("ops:r1"))


def test_creating_a_stream_twice_is_a_conflict(store: Store) -> None:
    """A second create is refused: the stream already exists."""
    store.append("ops:r1", expected=0, draft=draft(), snapshot={"v": 1})

    with pytest.raises(rk.exceptions.ConflictError) as raised:
        store.append("ops:r1", expected=0, draft=draft(), snapshot={"v": 9})

    assert "ops:r1 already exists (revision 1); load it instead of creating it" == str(raised.value)
    assert {"v": 1} == store.snapshot("ops:r1").data  # type: ignore[union-attr]


def test_a_revision_from_the_future_is_a_conflict(store: Store) -> None:
    """Naming a revision the stream has not reached is refused too."""
    with pytest.raises(rk.exceptions.ConflictError) as raised:
        store.append("ops:r1", expected=3, draft=draft(), snapshot={})

    assert (3, 0) == (raised.value.expected, raised.value.actual)
    assert store.snapshot("ops:r1") is None


def test_a_known_head_saves_the_read(store: Store) -> None:
    """Given the head it saw, a writer appends exactly as without it."""
    first = store.append("ops:r1", expected=0, draft=draft(), snapshot={})

    second = store.append(
        "ops:r1", expected=1, draft=draft(Action.PROMOTED), snapshot={}, previous=first.digest
    )

    assert first.digest == second.previous
    assert store.verify("ops:r1").ok


def test_a_wrong_head_is_refused_and_writes_nothing(store: Store) -> None:
    """A head that is not the stream's is refused, even at the right revision."""
    store.append("ops:r1", expected=0, draft=draft(), snapshot={"v": 1})

    with pytest.raises(rk.exceptions.InvalidInputError) as raised:
        store.append("ops:r1", expected=1, draft=draft(), snapshot={"v": 2}, previous="0" * 64)

    assert "previous" == raised.value.field
    assert (1, {"v": 1}) == (len(store.events("ops:r1")), store.snapshot("ops:r1").data)  # type: ignore[union-attr]


def test_a_stale_revision_with_a_head_is_still_a_conflict(store: Store) -> None:
    """With a head given, a stale revision is a conflict, not a wrong head."""
    first = store.append("ops:r1", expected=0, draft=draft(), snapshot={})
    store.append("ops:r1", expected=1, draft=draft(), snapshot={})

    with pytest.raises(rk.exceptions.ConflictError) as raised:
        store.append("ops:r1", expected=1, draft=draft(), snapshot={}, previous=first.digest)

    assert (1, 2) == (raised.value.expected, raised.value.actual)


def test_a_snapshot_is_kept_as_canonical_json(store: Store) -> None:
    """A snapshot is stored as compact JSON with its keys sorted, and reads back as written."""
    store.append("ops:r1", expected=0, draft=draft(), snapshot={"b": "é", "a": [1, 2]})

    stored = store.snapshot("ops:r1")
    assert ('{"a":[1,2],"b":"\\u00e9"}', {"a": [1, 2], "b": "é"}) == (stored.text, stored.data)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("stream", "expected", "snapshot", "field"),
    [
        ("", 0, {}, "stream"),
        ("a\x00b", 0, {}, "stream"),
        ("x" * 201, 0, {}, "stream"),
        ("r1", 0, {}, "stream"),
        (":r1", 0, {}, "stream"),
        ("ops:", 0, {}, "stream"),
        ("ops:r1", -1, {}, "expected"),
        ("ops:r1", True, {}, "expected"),
        ("ops:r1", 0, {"x": float("nan")}, "snapshot"),
        ("ops:r1", 0, ["not", "a", "mapping"], "snapshot"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(
    store: Store, stream: str, expected: int, snapshot: object, field: str
) -> None:
    """A malformed name (a release id among them), revision or snapshot writes nothing."""
    with pytest.raises(rk.exceptions.InvalidInputError) as raised:
        store.append(stream, expected=expected, draft=draft(), snapshot=snapshot)  # type: ignore[arg-type]

    assert field == raised.value.field
    assert [] == store.streams()


def test_data_that_is_not_json_is_refused_and_writes_nothing(store: Store) -> None:
    """An event whose data JSON cannot hold is refused before anything is written."""
    with pytest.raises(rk.exceptions.InvalidInputError):
        store.append("ops:r1", expected=0, draft=draft(when=object()), snapshot={})

    assert (None, []) == (store.snapshot("ops:r1"), store.events("ops:r1"))


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


def test_an_unknown_stream_has_no_state_and_no_events(store: Store) -> None:
    """Reading a stream that was never written gives nothing, not an error."""
    assert (None, []) == (store.snapshot("ops:nope"), store.events("ops:nope"))


def test_events_after_a_position(store: Store) -> None:
    """events(after=n) gives only the newer events, oldest first."""
    for revision in range(4):
        store.append("ops:r1", expected=revision, draft=draft(n=revision), snapshot={})

    assert [3, 4] == [event.seq for event in store.events("ops:r1", after=2)]


def test_streams_are_listed_by_prefix(store: Store) -> None:
    """Streams are listed sorted, and a prefix is taken literally (no wildcards)."""
    for name in ["o:r2", "data:prod", "o:r1", "o:r_1", "o:r%", "o:é"]:
        store.append(name, expected=0, draft=draft(), snapshot={})

    assert (["data:prod", "o:r%", "o:r1", "o:r2", "o:r_1", "o:é"], ["o:r_1"], ["o:r%"]) == (
        store.streams(),
        store.streams(prefix="o:r_"),
        store.streams(prefix="o:r%"),
    )


def test_a_written_history_verifies(store: Store) -> None:
    """The history a store wrote verifies against its chain and its state."""
    events = [store.append("ops:r1", expected=0, draft=draft(), snapshot={})]
    events.append(store.append("ops:r1", expected=1, draft=draft(Action.PROMOTED), snapshot={}))

    assert rk.stores.Verification(stream="ops:r1", events=2, head=events[-1].digest) == (
        store.verify("ops:r1")
    )


def test_an_unknown_stream_verifies_empty(store: Store) -> None:
    """There is nothing wrong with a stream that does not exist."""
    assert (True, 0) == (store.verify("ops:nope").ok, store.verify("ops:nope").events)


@STORED
@given(drafts=st.lists(rks.drafts(), min_size=1, max_size=6), data=rks.json_objects())
def test_any_history_verifies_and_reads_back(
    store: Store, drafts: list[Draft], data: dict[str, object]
) -> None:
    """Whatever is appended reads back as written, and verifies."""
    stream = f"p:{next(_unique)}"
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
    event = writer.append("ops:r1", expected=0, draft=draft(), snapshot={"v": 1})

    reader = open_store()

    assert ([event], {"v": 1}) == (reader.events("ops:r1"), reader.snapshot("ops:r1").data)  # type: ignore[union-attr]


# ---------------------------------------------------------------------------
# Leases
# ---------------------------------------------------------------------------


def test_a_free_lease_is_taken(store: Store) -> None:
    """Taking a free lease gives it to the holder until now + ttl, under a new token."""
    lease = store.acquire("tests", holder="ci", now=AT, ttl=MINUTES_30)

    assert (
        Lease(name="tests", token=lease.token, holder="ci", since=AT, expires=AT + MINUTES_30)
        == lease
    )
    assert 32 == len(lease.token)
    assert lease == store.current("tests", now=AT)


def test_every_acquisition_gets_a_token_of_its_own(store: Store) -> None:
    """Taking the same lease again and again, as one holder, never gives the same token twice."""
    tokens = set()
    for _ in range(20):
        lease = store.acquire("tests", holder="ci", now=AT, ttl=MINUTES_30)
        tokens.add(lease.token)
        store.release("tests", token=lease.token)

    assert 20 == len(tokens)
    assert "ci" not in {token.lower() for token in tokens}


def test_a_held_lease_is_refused_to_its_own_holder_name(store: Store) -> None:
    """A second acquisition under the same holder name is refused and leaves the lease untouched."""
    first = store.acquire("tests", holder="ci (r1)", now=AT, ttl=MINUTES_30)

    with pytest.raises(rk.exceptions.LeaseHeldError) as raised:
        store.acquire("tests", holder="ci (r1)", now=AT.add(minutes=5), ttl=MINUTES_30)

    assert ("tests", "ci (r1)", AT, AT + MINUTES_30) == (
        raised.value.lease,
        raised.value.holder,
        raised.value.since,
        raised.value.expires,
    )
    assert first == store.current("tests", now=AT.add(minutes=5))


def test_a_held_lease_is_refused_to_another_holder(store: Store) -> None:
    """Someone else's lease cannot be taken before it lapses; the error says whose it is."""
    first = store.acquire("tests", holder="ci", now=AT, ttl=MINUTES_30)

    with pytest.raises(rk.exceptions.LeaseHeldError) as raised:
        store.acquire("tests", holder="nightly", now=AT.add(minutes=29), ttl=MINUTES_30)

    assert ("ci", AT) == (raised.value.holder, raised.value.since)
    assert first == store.current("tests", now=AT.add(minutes=29))


def test_the_token_renews_its_lease(store: Store) -> None:
    """Renewing with the token extends the lease and keeps its token and when it was taken."""
    taken = store.acquire("tests", holder="ci", now=AT, ttl=MINUTES_30)

    renewed = store.renew("tests", token=taken.token, now=AT.add(minutes=20), ttl=MINUTES_30)

    assert (taken.token, AT, AT.add(minutes=50)) == (
        renewed.token,
        renewed.since,
        renewed.expires,
    )
    assert renewed == store.current("tests", now=AT.add(minutes=45))


def test_another_token_cannot_renew_a_lease(store: Store) -> None:
    """A token that does not hold the lease renews nothing, and learns who holds it."""
    taken = store.acquire("tests", holder="ci", now=AT, ttl=MINUTES_30)

    with pytest.raises(LeaseNotHeldError) as raised:
        store.renew("tests", token="0" * 32, now=AT.add(minutes=20), ttl=MINUTES_30)

    assert ("tests", "ci", AT) == (raised.value.lease, raised.value.holder, raised.value.since)
    assert taken == store.current("tests", now=AT)


def test_a_lapsed_lease_cannot_be_renewed(store: Store) -> None:
    """Once a lease lapsed, even its token cannot renew it: the work was not covered meanwhile."""
    taken = store.acquire("tests", holder="ci", now=AT, ttl=MINUTES_30)

    with pytest.raises(LeaseNotHeldError, match="lapsed") as raised:
        store.renew("tests", token=taken.token, now=AT.add(minutes=31), ttl=MINUTES_30)

    assert AT + MINUTES_30 == raised.value.lapsed
    assert store.current("tests", now=AT.add(minutes=31)) is None


def test_a_lapsed_lease_is_taken_over_with_a_new_token(store: Store) -> None:
    """Once a lease lapses (its holder crashed), the next acquisition takes it, with a new token."""
    old = store.acquire("tests", holder="ci", now=AT, ttl=MINUTES_30)

    taken = store.acquire("tests", holder="ci", now=AT.add(minutes=30), ttl=MINUTES_30)

    assert ("ci", AT.add(minutes=30), True) == (taken.holder, taken.since, taken.token != old.token)


def test_a_lapsed_lease_is_not_current(store: Store) -> None:
    """Nobody holds a lease once it lapsed."""
    store.acquire("tests", holder="ci", now=AT, ttl=MINUTES_30)

    assert store.current("tests", now=AT + MINUTES_30) is None


def test_the_token_gives_its_lease_back(store: Store) -> None:
    """Releasing returns the lease as it was, and frees it for others."""
    taken = store.acquire("tests", holder="ci", now=AT, ttl=MINUTES_30)

    given_back = store.release("tests", token=taken.token)

    assert taken == given_back
    assert store.current("tests", now=AT) is None
    assert "nightly" == store.acquire("tests", holder="nightly", now=AT, ttl=MINUTES_30).holder


def test_only_the_token_gives_a_lease_back(store: Store) -> None:
    """Another token — even one from the same holder name — cannot give the lease back."""
    taken = store.acquire("tests", holder="ci", now=AT, ttl=MINUTES_30)

    with pytest.raises(LeaseNotHeldError) as raised:
        store.release("tests", token=taken.token.upper() + "x")

    assert ("tests", "ci") == (raised.value.lease, raised.value.holder)
    assert taken == store.current("tests", now=AT)


def test_a_free_lease_cannot_be_given_back(store: Store) -> None:
    """Giving back a lease nobody holds says so."""
    with pytest.raises(LeaseNotHeldError) as raised:
        store.release("tests", token="0" * 32)

    assert raised.value.holder is None
    assert str(raised.value).startswith("tests is not held under this token: nobody holds it")


def test_a_lease_that_was_taken_over_cannot_be_given_back(store: Store) -> None:
    """The old token of a lapsed lease learns that someone else took it, and frees nothing."""
    old = store.acquire("tests", holder="ci", now=AT, ttl=MINUTES_30)
    new = store.acquire("tests", holder="nightly", now=AT.add(hours=1), ttl=MINUTES_30)

    with pytest.raises(LeaseNotHeldError, match="nightly holds it"):
        store.release("tests", token=old.token)

    assert new == store.current("tests", now=AT.add(hours=1))


def test_a_lapsed_lease_still_under_its_token_is_given_back(store: Store) -> None:
    """A lease that lapsed but was not taken by anyone is still its token's to give back."""
    taken = store.acquire("tests", holder="ci", now=AT, ttl=MINUTES_30)

    assert taken == store.release("tests", token=taken.token)


def test_a_lease_is_taken_over_by_its_token(store: Store) -> None:
    """Taking over with the token that holds it hands the lease on, under a new token."""
    dead = store.acquire("tests", holder="ci (r1)", now=AT, ttl=MINUTES_30)

    taken = store.take_over(
        "tests", token=dead.token, holder="anton (r1)", now=AT.add(minutes=10), ttl=MINUTES_30
    )

    assert ("anton (r1)", AT.add(minutes=10), AT.add(minutes=40), True) == (
        taken.holder,
        taken.since,
        taken.expires,
        taken.token != dead.token,
    )
    assert taken == store.current("tests", now=AT.add(minutes=10))
    with pytest.raises(LeaseNotHeldError):
        store.release("tests", token=dead.token)
    assert taken == store.release("tests", token=taken.token)


def test_a_lapsed_lease_is_taken_over_by_its_token(store: Store) -> None:
    """A lapsed lease nobody else took is still its token's to hand over."""
    dead = store.acquire("tests", holder="ci", now=AT, ttl=MINUTES_30)

    taken = store.take_over(
        "tests", token=dead.token, holder="anton", now=AT.add(hours=2), ttl=MINUTES_30
    )

    assert taken == store.current("tests", now=AT.add(hours=2))


def test_a_lease_taken_by_someone_else_cannot_be_taken_over(store: Store) -> None:
    """Once the dead run's lease went to another acquisition, its token takes over nothing."""
    dead = store.acquire("tests", holder="ci", now=AT, ttl=MINUTES_30)
    other = store.acquire("tests", holder="nightly", now=AT.add(hours=1), ttl=MINUTES_30)

    with pytest.raises(LeaseNotHeldError) as raised:
        store.take_over(
            "tests", token=dead.token, holder="anton", now=AT.add(hours=1), ttl=MINUTES_30
        )

    assert "nightly" == raised.value.holder
    assert other == store.current("tests", now=AT.add(hours=1))


def test_a_free_lease_cannot_be_taken_over(store: Store) -> None:
    """A lease given back meanwhile is not there to take over; acquire it instead."""
    dead = store.acquire("tests", holder="ci", now=AT, ttl=MINUTES_30)
    store.release("tests", token=dead.token)

    with pytest.raises(LeaseNotHeldError) as raised:
        store.take_over("tests", token=dead.token, holder="anton", now=AT, ttl=MINUTES_30)

    assert raised.value.holder is None
    assert store.current("tests", now=AT) is None


def test_leases_are_independent(store: Store) -> None:
    """Each name is its own lease."""
    store.acquire("tests", holder="ci", now=AT, ttl=MINUTES_30)

    assert "ops" == store.acquire("data:prod", holder="ops", now=AT, ttl=MINUTES_30).holder


@pytest.mark.parametrize(
    ("now", "ttl", "error"),
    [
        (pendulum.naive(2026, 11, 28, 9), MINUTES_30, rk.exceptions.NaiveDatetimeError),
        (AT, dt.timedelta(0), rk.exceptions.InvalidInputError),
        (AT, 30, rk.exceptions.InvalidInputError),
    ],
)
def test_a_lease_needs_an_aware_time_and_a_positive_ttl(
    store: Store, now: dt.datetime, ttl: dt.timedelta, error: type[Exception]
) -> None:
    """Lease times are aware instants and durations are positive."""
    with pytest.raises(error):
        store.acquire("tests", holder="ci", now=now, ttl=ttl)

    assert store.current("tests", now=AT) is None


@pytest.mark.parametrize(
    ("now", "ttl", "error"),
    [
        (pendulum.naive(2026, 11, 28, 9), MINUTES_30, rk.exceptions.NaiveDatetimeError),
        (AT, dt.timedelta(0), rk.exceptions.InvalidInputError),
    ],
)
def test_renewing_and_taking_over_need_an_aware_time_and_a_positive_ttl(
    store: Store, now: dt.datetime, ttl: dt.timedelta, error: type[Exception]
) -> None:
    """Renewal and take-over check their time and duration too, and change nothing."""
    taken = store.acquire("tests", holder="ci", now=AT, ttl=MINUTES_30)

    with pytest.raises(error):
        store.renew("tests", token=taken.token, now=now, ttl=ttl)
    with pytest.raises(error):
        store.take_over("tests", token=taken.token, holder="anton", now=now, ttl=ttl)

    assert taken == store.current("tests", now=AT)


def test_a_lease_needs_a_holder(store: Store) -> None:
    """A lease is taken by someone named."""
    with pytest.raises(rk.exceptions.InvalidInputError) as raised:
        store.acquire("tests", holder=" ", now=AT, ttl=MINUTES_30)

    assert "holder" == raised.value.field


@pytest.mark.parametrize("token", ["", " ", "a\x00b", 7])
def test_a_lease_is_changed_only_with_a_token(store: Store, token: object) -> None:
    """An empty or unstorable token is refused as input, and the lease stays as it was."""
    taken = store.acquire("tests", holder="ci", now=AT, ttl=MINUTES_30)

    with pytest.raises(rk.exceptions.InvalidInputError) as raised:
        store.release("tests", token=token)  # type: ignore[arg-type]

    assert "token" == raised.value.field
    assert taken == store.current("tests", now=AT)


def test_a_holder_name_is_kept_as_written(store: Store) -> None:
    """The holder is shown as it was given, capitals, spaces and all."""
    lease = store.acquire("tests", holder=" CI Bot (r1) ", now=AT, ttl=MINUTES_30)

    assert " CI Bot (r1) " == store.current("tests", now=AT).holder  # type: ignore[union-attr]
    assert lease.holder == store.release("tests", token=lease.token).holder


def test_a_lease_in_other_time_zones_compares_as_instants(store: Store) -> None:
    """A lease taken in UTC lapses at the same instant seen from New York."""
    store.acquire("tests", holder="ci", now=AT, ttl=MINUTES_30)
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

    with pytest.raises(rk.exceptions.StoreError, match="closed"):
        store.snapshot("ops:r1")
    with pytest.raises(rk.exceptions.StoreError, match="closed"):
        store.append("ops:r1", expected=0, draft=draft(), snapshot={})


def test_a_store_closes_at_the_end_of_a_with_block(backend: Backend) -> None:
    """Stores are context managers."""
    with backend.open() as store:
        store.append("ops:r1", expected=0, draft=draft(), snapshot={})

    with pytest.raises(rk.exceptions.StoreError):
        store.events("ops:r1")


# ---------------------------------------------------------------------------
# Releases: one row each, plus a row per piece of evidence and per move
# ---------------------------------------------------------------------------

EVIDENCE = ('{"by":"ci","type":"TestRun"}', '{"by":"maria","type":"SignOff"}')
MOVE = '{"at":"2026-11-28T09:00:00+00:00","by":"anton","source":"dev","target":"prod"}'


def release_row(
    release_id: str = "r1",
    *,
    state: str = "dev",
    evidence: tuple[str, ...] = (),
    moves: tuple[str, ...] = (),
    finished_at: str | None = None,
) -> ReleaseRow:
    """A release row holding the digests of *evidence* and *moves* (all it ever had)."""
    return ReleaseRow(
        id=release_id,
        version="2.4.0",
        kind="normal",
        state=state,
        created_at="2026-11-28T09:00:00+00:00",
        created_by="anton",
        updated_at="2026-11-28T09:00:00+00:00",
        finished_at=finished_at,
        artifact='{"functions":[]}',
        attempt=None,
        attention="[]",
        evidence_digest=roll(NO_FACTS, evidence),
        moves_digest=roll(NO_FACTS, moves),
    )


def create(store: Store, row: ReleaseRow, evidence: tuple[str, ...] = ()) -> rk.stores.Event:
    return store.append_release(
        row,
        expected=0,
        previous="",
        evidence_before=NO_FACTS,
        moves_before=NO_FACTS,
        draft=draft(),
        evidence=evidence,
    )


def test_a_release_is_created_with_its_rows(store: Store) -> None:
    """Creating a release writes its row, its first event and its evidence rows, headed by it."""
    row = release_row(evidence=EVIDENCE)

    event = create(store, row, EVIDENCE)

    assert StoredRelease(
        row=attrs.evolve(row, revision=1, head=event.digest),
        evidence=(Fact(1, EVIDENCE[0]), Fact(1, EVIDENCE[1])),
        recorded_digest=digest(row.text()),
    ) == store.read_release("r1")
    assert ([event], digest(row.text())) == (store.events("r1"), event.state_digest)
    assert store.read_release("r1").problem() is None  # type: ignore[union-attr]


def test_a_release_is_read_with_another_historys_state_in_the_same_read(store: Store) -> None:
    """with_state gives the state snapshot() gives, or None; the release's rows are unchanged."""
    create(store, release_row(evidence=EVIDENCE), EVIDENCE)
    store.append("freezes:declared", expected=0, draft=draft(), snapshot={"freezes": ["x"]})

    alone = store.read_release("r1")
    with_it = store.read_release("r1", with_state="freezes:declared")
    with_none = store.read_release("r1", with_state="ops:never")

    assert alone is not None
    assert with_it is not None
    assert with_none is not None
    assert (None, store.snapshot("freezes:declared"), None) == (
        alone.state,
        with_it.state,
        with_none.state,
    )
    assert alone == attrs.evolve(with_it, state=None) == with_none
    assert None is store.read_release("r9", with_state="freezes:declared")


def test_a_step_adds_rows_and_rewrites_the_release_row(store: Store) -> None:
    """A step appends its event and move, and the release row moves to its revision."""
    first = create(store, release_row(evidence=EVIDENCE), EVIDENCE)
    moved = release_row(state="prod", evidence=EVIDENCE, moves=(MOVE,))

    second = store.append_release(
        moved,
        expected=1,
        previous=first.digest,
        evidence_before=roll(NO_FACTS, EVIDENCE),
        moves_before=NO_FACTS,
        draft=draft(Action.PROMOTED),
        moves=(MOVE,),
    )

    stored = store.read_release("r1")
    assert stored is not None
    assert (attrs.evolve(moved, revision=2, head=second.digest), (Fact(2, MOVE),)) == (
        stored.row,
        stored.moves,
    )
    assert (2, None, True) == (len(stored.evidence), stored.problem(), store.verify("r1").ok)


def test_a_stale_release_write_is_a_conflict_and_writes_nothing(store: Store) -> None:
    """A step on a revision the release has left is refused; the rows stay as they were."""
    first = create(store, release_row())
    store.append_release(
        release_row(),
        expected=1,
        previous=first.digest,
        evidence_before=NO_FACTS,
        moves_before=NO_FACTS,
        draft=draft(),
    )
    before = (store.read_release("r1"), store.events("r1"))

    with pytest.raises(rk.exceptions.ConflictError) as raised:
        store.append_release(
            release_row(state="prod", moves=(MOVE,)),
            expected=1,
            previous=first.digest,
            evidence_before=NO_FACTS,
            moves_before=NO_FACTS,
            draft=draft(Action.PROMOTED),
            moves=(MOVE,),
        )

    assert ("r1", 1, 2) == (raised.value.stream, raised.value.expected, raised.value.actual)
    assert before == (store.read_release("r1"), store.events("r1"))


def test_a_release_created_twice_is_a_conflict(store: Store) -> None:
    """A second create of the same id is refused and changes nothing."""
    create(store, release_row(evidence=EVIDENCE), EVIDENCE)
    before = store.read_release("r1")

    with pytest.raises(rk.exceptions.ConflictError) as raised:
        create(store, release_row(state="other"))

    assert (0, 1) == (raised.value.expected, raised.value.actual)
    assert before == store.read_release("r1")


@pytest.mark.parametrize("wrong", ["previous", "evidence_before", "moves_before"])
def test_a_step_naming_another_head_or_digest_is_refused(store: Store, wrong: str) -> None:
    """At the right revision, a head or digests the release does not have are refused."""
    first = create(store, release_row())
    before = store.read_release("r1")
    seen = {"previous": first.digest, "evidence_before": NO_FACTS, "moves_before": NO_FACTS}
    seen[wrong] = "0" * 64

    with pytest.raises(rk.exceptions.InvalidInputError) as raised:
        store.append_release(
            attrs.evolve(
                release_row(),
                evidence_digest=seen["evidence_before"],
                moves_digest=seen["moves_before"],
            ),
            expected=1,
            draft=draft(),
            **seen,
        )

    assert {"moves_before": "evidence_before"}.get(wrong, wrong) == raised.value.field
    assert before == store.read_release("r1")


def test_a_row_without_the_digests_of_its_rows_is_refused(store: Store) -> None:
    """A row whose digests are not those of the evidence written with it is refused as input."""
    with pytest.raises(rk.exceptions.InvalidInputError) as raised:
        create(store, release_row(evidence=EVIDENCE), EVIDENCE[:1])

    assert "row" == raised.value.field
    assert (None, []) == (store.read_release("r1"), store.events("r1"))


@pytest.mark.parametrize("release_id", ["", "data:r1", "a\x00b", "x" * 201])
def test_a_release_id_a_store_cannot_keep_is_refused(store: Store, release_id: str) -> None:
    """A release id that is empty, too long, holds NUL or names another history is refused."""
    with pytest.raises(rk.exceptions.InvalidInputError):
        create(store, release_row(release_id))

    assert [] == store.list_releases(active=False)


def test_releases_are_listed_by_id_active_first_then_all(store: Store) -> None:
    """Listing reads release rows only, active ones unless asked for all, in id order."""
    for name in ["r3", "r1", "r2", "é"]:
        create(
            store,
            release_row(name, finished_at="2026-11-29T09:00:00+00:00" if name == "r2" else None),
        )
    store.append("data:op", expected=0, draft=draft(), snapshot={})

    assert (["r1", "r3", "é"], ["r1", "r2", "r3", "é"]) == (
        [row.id for row in store.list_releases()],
        [row.id for row in store.list_releases(active=False)],
    )


def test_releases_are_listed_in_pages(store: Store) -> None:
    """A page starts after the last id of the page before and holds at most the limit."""
    for n in range(5):
        create(store, release_row(f"r{n}"))

    first = store.list_releases(limit=2)
    second = store.list_releases(after=first[-1].id, limit=2)
    last = store.list_releases(after=second[-1].id, limit=2)

    assert [["r0", "r1"], ["r2", "r3"], ["r4"]] == [
        [row.id for row in page] for page in (first, second, last)
    ]
    assert [] == store.list_releases(after="r4")


@pytest.mark.parametrize(("after", "limit"), [(5, None), (None, 0), (None, -1), (None, True)])
def test_a_page_needs_an_id_and_a_limit_of_at_least_one(
    store: Store, after: object, limit: object
) -> None:
    """A page that starts after something not an id, or holds no row, is refused."""
    with pytest.raises(rk.exceptions.InvalidInputError):
        store.list_releases(after=after, limit=limit)  # type: ignore[arg-type]


def test_every_history_is_listed_releases_and_others(store: Store) -> None:
    """histories() names every release and every other history, sorted."""
    create(store, release_row("r2"))
    store.append("data:op", expected=0, draft=draft(), snapshot={})

    assert (["data:op", "r2"], ["data:op"]) == (store.histories(), store.streams())
