"""Strategies for what a store must keep: any text people type, records, events, leases.

Where :mod:`._values` draws tidy values (lowercase names, a policy's own
environments), these draw anything releasekit accepts: names in any case and
script, text with control characters, and the record and event shapes the
stores hold.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from hypothesis import strategies as st

from releasekit._actions.declared_freezes import DeclaredFreeze
from releasekit._records.events import Action, Draft, Event
from releasekit._records.leases import Lease
from releasekit._records.processes import HostProcess
from releasekit._records.values import Attempt, Attention, Record
from releasekit._rules.evidence import (
    Attestation,
    ChangeReview,
    Evidence,
    LogReview,
    LogVerdict,
    MigrationRun,
    SignOff,
    TestRun,
    TestsWritten,
)
from releasekit._rules.identity import identity
from releasekit._rules.release import Artifact, Move, Release, ReleaseKind
from releasekit._rules.verdicts import Blocker
from releasekit.exceptions import InvalidInputError

__all__ = [
    "any_artifacts",
    "any_evidence",
    "any_releases",
    "any_text",
    "attempts",
    "attentions",
    "blockers",
    "declared_freezes",
    "drafts",
    "events",
    "host_processes",
    "instants",
    "json_objects",
    "json_values",
    "labels",
    "leases",
    "moves",
    "people",
    "record_names",
    "records",
    "some_text",
    "storable_names",
    "storable_text",
    "stream_names",
    "tokens",
]


#: Any text a person might type, including non-ASCII and control characters
#: (never a lone surrogate: Hypothesis' text() leaves them out).
any_text = st.text(max_size=12)
#: Text that is not blank, for fields that must say something.
some_text = st.text(min_size=1, max_size=12).filter(str.strip)
#: Text every store can keep in a column of its own: no NUL character.
storable_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12
)
#: Storable text that is not blank, e.g. who acted.
storable_names = storable_text.filter(str.strip)
_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
#: Names as the rules want them: lowercase, digits, '.', '-', '_'.
record_names = st.sampled_from(_ALNUM) | st.builds(
    lambda first, middle, last: first + middle + last,
    st.sampled_from(_ALNUM),
    st.text(alphabet=_ALNUM + "._-", max_size=6),
    st.sampled_from(_ALNUM),
)


def _names_a_person(text: str) -> bool:
    try:
        identity(text)
    except InvalidInputError:
        return False
    return True


#: Names of people as typed: any case, spaces, letters and marks of every script,
#: punctuation and symbols — everything identity() accepts.
people = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "M", "N", "P", "S", "Zs")),
    min_size=1,
    max_size=12,
).filter(_names_a_person)
#: Release ids and stream names every store can keep.
stream_names = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="\x00:"), min_size=1, max_size=16
).filter(str.strip)
#: Versions and release ids as releasekit takes them: a letter or digit first,
#: then no white space or control character.
tokens = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from(_ALNUM + _ALNUM.upper()),
    st.text(
        alphabet=st.characters(
            codec="utf-8", exclude_categories=("C", "Z"), exclude_characters=":"
        ),
        max_size=11,
    ),
)
#: Names of functions, migrations, tests: printable text, not starting with '-'.
labels = (
    st.text(
        alphabet=st.characters(
            codec="utf-8", exclude_categories=("C", "Z"), include_characters=" "
        ),
        min_size=1,
        max_size=12,
    )
    .filter(str.strip)
    .filter(lambda text: not text.startswith("-"))
)


_EPOCH = pendulum.datetime(2000, 1, 1, tz="UTC")


def instants() -> st.SearchStrategy[pendulum.DateTime]:
    """Draw an instant between 2000 and 2040 as releasekit keeps it: pendulum, in UTC.

    Built from a count of microseconds, which is much faster to draw than a
    zoned datetime; the zones are exercised by the windows' strategies.
    """
    return st.integers(min_value=0, max_value=40 * 366 * 86_400 * 10**6).map(
        lambda micros: _EPOCH + dt.timedelta(microseconds=micros)
    )


def any_artifacts() -> st.SearchStrategy[Artifact]:
    """Draw what a release ships, its names any printable text."""
    names = st.lists(labels, max_size=3).map(tuple)
    return st.builds(Artifact, functions=names, migrations=names, new_functionality=names)


def any_evidence() -> st.SearchStrategy[Evidence]:
    """Draw any kind of evidence, by people named as typed, with any notes."""
    listed = st.lists(labels, max_size=2).map(tuple)
    return st.one_of(
        st.builds(TestsWritten, by=people, at=instants(), covers=listed, tests=listed),
        st.builds(
            TestRun,
            environment=record_names,
            version=tokens,
            passed=st.booleans(),
            at=instants(),
            by=people,
            scheduled=st.booleans(),
            summary=any_text,
        ),
        st.builds(
            SignOff,
            by=people,
            at=instants(),
            environment=record_names,
            note=any_text,
            old_app_versions=listed,
        ),
        st.builds(
            LogReview,
            by=people,
            at=instants(),
            environments=st.frozensets(record_names, max_size=4),
            verdict=st.sampled_from(LogVerdict),
            note=any_text,
        ),
        st.builds(
            MigrationRun,
            environment=record_names,
            version=tokens,
            migrations=listed,
            succeeded=st.booleans(),
            at=instants(),
            by=people,
            output=any_text,
        ),
        st.builds(ChangeReview, by=people, at=instants(), version=tokens, note=any_text),
        st.builds(
            Attestation,
            name=record_names,
            by=people,
            at=instants(),
            environment=st.none() | record_names,
            note=any_text,
        ),
    )


def moves() -> st.SearchStrategy[Move]:
    """Draw one step between two environments."""
    return st.builds(Move, source=record_names, target=record_names, at=instants(), by=people)


def any_releases(*, release_id: st.SearchStrategy[str] = tokens) -> st.SearchStrategy[Release]:
    """Draw a release anywhere on its way, with evidence and moves, named as people type."""
    return st.builds(
        Release,
        id=release_id,
        version=tokens,
        kind=st.sampled_from(ReleaseKind),
        artifact=any_artifacts(),
        state=record_names,
        created_at=instants(),
        created_by=people,  # it becomes the actor of the started event
        evidence=st.lists(any_evidence(), max_size=4).map(tuple),
        moves=st.lists(moves(), max_size=3).map(tuple),
    )


def blockers() -> st.SearchStrategy[Blocker]:
    """Draw one reason a release may not move on."""
    return st.builds(
        Blocker,
        code=some_text,
        reason=some_text,
        message=any_text,
        hint=any_text,
        unblocked_by=st.lists(some_text, max_size=2).map(tuple),
        people=st.lists(people.map(identity), max_size=2).map(tuple),
        earliest=st.none() | instants(),
        source=any_text,
        target=any_text,
    )


#: JSON values as the stores keep them: no NaN or infinity, no lone surrogates.
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | any_text,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(any_text, children, max_size=3)
    ),
    max_leaves=8,
)


def json_objects() -> st.SearchStrategy[dict[str, object]]:
    """Draw a JSON object, such as an event's data or a stream's snapshot."""
    return st.dictionaries(any_text, json_values, max_size=4)


def drafts(*, actions: st.SearchStrategy[Action] | None = None) -> st.SearchStrategy[Draft]:
    """Draw what happened, before a store gives it a place in a history."""
    optional = st.none() | record_names
    return st.builds(
        Draft,
        actor=people,
        action=actions if actions is not None else st.sampled_from(Action),
        at=instants(),
        source=optional,
        target=optional,
        reason=storable_text,
        data=json_objects(),
    )


def events() -> st.SearchStrategy[Event]:
    """Draw a history event with any content (its digest is not computed)."""
    digests = st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)
    return st.builds(
        Event,
        stream=stream_names,
        seq=st.integers(min_value=1, max_value=10**6),
        at=instants(),
        actor=some_text,
        action=st.sampled_from(Action),
        source=st.none() | record_names,
        target=st.none() | record_names,
        reason=any_text,
        data=json_objects(),
        previous=st.just("") | digests,
        digest=digests,
        state_digest=st.none() | digests,
    )


def leases() -> st.SearchStrategy[Lease]:
    """Draw a lease as a store holds it."""
    return st.builds(
        Lease,
        name=some_text,
        token=st.text(alphabet="0123456789abcdef", min_size=32, max_size=32),
        holder=some_text,
        since=instants(),
        expires=instants(),
    )


def host_processes() -> st.SearchStrategy[HostProcess]:
    """Draw a process recorded with a step."""
    return st.builds(
        HostProcess,
        host=some_text,
        pid=st.integers(min_value=1, max_value=2**22),
        name=any_text,
        started_at=st.none() | instants(),
        start=any_text,
    )


def attempts() -> st.SearchStrategy[Attempt]:
    """Draw an executor attempt in flight."""
    return st.builds(
        Attempt,
        id=some_text,
        capability=some_text,
        environment=st.none() | record_names,
        started_at=instants(),
        by=people,
        target=st.none() | record_names,
        detail=any_text,
        lease=st.none() | leases(),
        runner=st.none() | host_processes(),
        children=st.lists(host_processes(), max_size=2).map(tuple),
    )


def attentions() -> st.SearchStrategy[Attention]:
    """Draw an item that needs a person."""
    return st.builds(Attention, key=some_text, message=some_text, raised_at=instants(), by=people)


def records() -> st.SearchStrategy[Record]:
    """Draw a release as a ledger holds it."""
    digests = st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)
    return st.builds(
        Record,
        release=any_releases(),
        revision=st.integers(min_value=1, max_value=10**6),
        head=digests,
        attempt=st.none() | attempts(),
        attention=st.lists(attentions(), max_size=2, unique_by=lambda item: item.key).map(tuple),
    )


# ---------------------------------------------------------------------------
# Freezes declared on the spot (releasekit._actions.declared_freezes)
# ---------------------------------------------------------------------------


def declared_freezes() -> st.SearchStrategy[DeclaredFreeze]:
    """Draw a freeze as someone declared it: any reason, instants in order, kinds and places."""
    return st.builds(
        lambda start, length, **fields: DeclaredFreeze(start=start, until=start + length, **fields),
        start=instants(),
        length=st.timedeltas(
            min_value=dt.timedelta(microseconds=1), max_value=dt.timedelta(days=30)
        ),
        name=record_names,
        reason=some_text,
        declared_by=people,
        declared_at=instants(),
        kinds=st.sets(st.sampled_from(ReleaseKind), min_size=1),
        environments=st.none() | st.sets(record_names, min_size=1, max_size=3),
    )
