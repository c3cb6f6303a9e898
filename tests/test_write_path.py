"""The write path's shortcuts give exactly what the plain way gives.

Writing a release's state and sealing its event skip work the plain way
repeats: values built without ``__init__`` from checked parts, JSON written by
generated code with remembered texts, instants formatted by hand, encoders and
decoders made once. Each test here holds a shortcut equal to the plain way,
errors included. None of them measures time.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from typing import Any

import attrs
import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import releasekit as rk
import strategies as rks
from releasekit._records import converter as conv
from releasekit._records import events as events_module
from releasekit._records import ledger as ledger_module
from releasekit._records._build import builder
from releasekit._records.events import Action, Draft, Event, seal
from releasekit._records.ledger import (
    AttentionCleared,
    AttentionNeeded,
    ChildStarted,
    EvidenceRecorded,
    Moved,
    Record,
    Refused,
    Started,
    State,
    StepEnded,
    StepResumed,
    StepStarted,
)
from releasekit._records.memory import MemoryStore
from releasekit._rules._time import instant
from releasekit.exceptions import InvalidInputError
from releasekit.stores import Ledger

#: Nested values are slow to draw: fewer examples of them still cover every field.
FEWER = settings(max_examples=min(60, settings().max_examples))

AT = pendulum.datetime(2030, 1, 1, 9, 30, tz="UTC")


def _move(release: rk.Release, target: str = "production") -> rk.Move:
    return rk.Move(source=release.state, target=target, at=AT, by="anton")


def _canonical(value: object) -> str:
    """The plain way: the converter's output, as canonical JSON."""
    return conv.dumps(conv.unstructure(value))


# ---------------------------------------------------------------------------
# Releases moved and given evidence without running __init__ again
# ---------------------------------------------------------------------------


@FEWER
@given(rks.releases(), rks.moves(), st.lists(rks.evidence(), min_size=1, max_size=3))
def test_a_moved_release_equals_the_evolved_one(
    release: rk.Release, move: rk.Move, evidence: list[rk.Evidence]
) -> None:
    """moved() and with_evidence() give what attrs.evolve (running __init__) gives."""
    assert attrs.evolve(release, state=move.target, moves=(*release.moves, move)) == release.moved(
        move
    )
    assert attrs.evolve(release, evidence=(*release.evidence, *evidence)) == release.with_evidence(
        *evidence
    )


def test_a_move_to_nowhere_is_refused_as_before() -> None:
    """The new state is still checked, with the message the field's validator gives."""
    release = rk.Release(
        id="r1", version="1", kind="normal", state="dev", created_at=AT, created_by="anton"
    )

    with pytest.raises(InvalidInputError, match="state must be a non-empty string") as caught:
        release.moved(rk.Move(source="dev", target=" ", at=AT, by="anton"))

    assert "state" == caught.value.field


def test_new_evidence_is_still_checked() -> None:
    """Something that is not evidence is refused, naming the field."""
    release = rk.Release(
        id="r1", version="1", kind="normal", state="dev", created_at=AT, created_by="anton"
    )

    with pytest.raises(InvalidInputError, match="is not evidence") as caught:
        release.with_evidence("tests passed")  # type: ignore[arg-type]

    assert "evidence" == caught.value.field


def test_a_subclass_is_moved_through_its_own_init() -> None:
    """A release subclass keeps its class (and its own __init__ runs)."""

    @attrs.frozen(kw_only=True)
    class Tagged(rk.Release):
        tag: str = "x"

    release = Tagged(
        id="r1", version="1", kind="normal", state="dev", created_at=AT, created_by="anton"
    )

    moved = release.moved(rk.Move(source="dev", target="prod", at=AT, by="anton"))

    assert isinstance(moved, Tagged)
    assert ("prod", "x") == (moved.state, moved.tag)


def test_an_instant_already_in_utc_is_kept_as_it_is() -> None:
    """instant() returns a pendulum UTC value unchanged, and converts anything else."""
    berlin = pendulum.datetime(2030, 1, 1, 10, 30, tz="Europe/Berlin")

    assert AT is instant(AT)
    assert (AT, "UTC") == (instant(berlin), instant(berlin).timezone_name)
    assert instant(dt.datetime(2030, 1, 1, 9, 30, tzinfo=dt.UTC)) == AT


# ---------------------------------------------------------------------------
# Values built from checked parts
# ---------------------------------------------------------------------------


@FEWER
@given(rks.records())
def test_a_builder_builds_what_init_builds(record: Record) -> None:
    """A builder sets every field, in order, as __init__ does for valid values."""
    build = builder(Record)

    assert record == build(
        record.release, record.revision, record.head, record.attempt, record.attention
    )


def test_a_builder_refuses_classes_it_cannot_build() -> None:
    """Classes whose __init__ does more than set slots, or that have no slots, are refused."""

    @attrs.frozen
    class Checked:
        value: int

        def __attrs_post_init__(self) -> None:
            pass

    @attrs.frozen(slots=False)
    class Unslotted:
        value: int

    class Plain:
        pass

    for kind, problem in (
        (Checked, "__attrs_post_init__"),
        (Unslotted, "not a slotted attrs class"),
        (Plain, "not a slotted attrs class"),
    ):
        with pytest.raises(TypeError, match=problem):
            builder(kind)


@given(rks.drafts(), rks.stream_names)
def test_sealing_builds_the_event_init_would(draft: Draft, stream: str) -> None:
    """The sealed event equals the one Event(...) makes from the same fields."""
    event = seal(stream, seq=2, previous="ab" * 32, draft=draft).event

    assert event == Event(
        stream=stream,
        seq=2,
        at=draft.at,
        actor=draft.actor,
        action=draft.action,
        source=draft.source,
        target=draft.target,
        reason=draft.reason,
        data=conv.loads(conv.dumps(draft.data)),
        previous="ab" * 32,
        digest=event.digest,
    )
    assert dict is type(event.data)


# ---------------------------------------------------------------------------
# Event data handed over as canonical text
# ---------------------------------------------------------------------------


@given(rks.drafts(), rks.stream_names)
def test_data_given_as_canonical_text_seals_the_same_event(draft: Draft, stream: str) -> None:
    """A draft whose data comes with its canonical text seals exactly as with a dict."""
    given_text = attrs.evolve(draft, data=conv.Canonical(conv.dumps(draft.data)))

    plain = seal(stream, seq=1, previous="", draft=draft)
    quick = seal(stream, seq=1, previous="", draft=given_text)

    assert plain == quick
    assert dict is type(quick.event.data)


def test_canonical_data_is_a_read_only_mapping() -> None:
    """It reads like the object it holds, equals it, and is kept by a draft as it is."""
    data = conv.Canonical('{"a":[1,2],"b":"x"}')
    draft = Draft(actor="anton", action=Action.NOTIFIED, at=AT, data=data)

    assert {"a": [1, 2], "b": "x"} == data
    assert data == {"a": [1, 2], "b": "x"}
    assert (["a", "b"], 2, "x") == (list(data), len(data), data["b"])
    assert draft.data is data
    assert 'Canonical(\'{"a":[1,2],"b":"x"}\')' == repr(data)
    with pytest.raises(TypeError):
        data["c"] = 1  # type: ignore[index]


# ---------------------------------------------------------------------------
# Canonical JSON written by generated code
# ---------------------------------------------------------------------------


def _state(record: Record) -> State:
    return State(release=record.release, attempt=record.attempt, attention=record.attention)


@FEWER
@given(rks.records())
def test_states_are_written_as_the_converter_writes_them(record: Record) -> None:
    """A state is written exactly as dumps(unstructure(state)), before and after a move."""
    cache = conv.TextCache(*_assembled())
    state = _state(record)
    moved = attrs.evolve(state, release=record.release.moved(_move(record.release)))

    assert _canonical(state) == cache.text(state)
    assert _canonical(moved) == cache.text(moved)  # parts remembered from the first
    assert _canonical(state) == cache.text(state)  # all of it remembered


@FEWER
@given(st.data())
def test_event_data_is_written_as_the_converter_writes_it(data: st.DataObject) -> None:
    """Every kind of event data the ledger writes is canonical JSON of the converter's output."""
    cache = conv.TextCache(*_assembled())
    release = data.draw(rks.releases())
    evidence = data.draw(st.lists(rks.evidence(), max_size=3))
    text = data.draw(rks.some_text)
    move = _move(release)
    values = [
        Started(release=release),
        EvidenceRecorded(evidence=evidence),
        Moved(move=move),
        Refused(blockers=data.draw(st.lists(rks.blockers(), max_size=2))),
        StepStarted(attempt=data.draw(rks.attempts())),
        StepEnded(attempt_id=text, evidence=evidence, move=move, output=text),
        StepEnded(attempt_id=text),
        StepResumed(attempt_id=text, lease=data.draw(rks.leases()), runner=None),
        ChildStarted(attempt_id=text, process=data.draw(rks.host_processes())),
        AttentionNeeded(attention=data.draw(rks.attentions())),
        AttentionCleared(key=text),
    ]

    for value in values:
        assert _canonical(value) == cache.text(value)


def _assembled() -> tuple[type, ...]:
    return tuple(ledger_module._TEXTS._writers)


class _Colour(enum.StrEnum):
    RED = "red"


def test_unexpected_field_values_are_written_by_the_converter() -> None:
    """Values that are not what their field's type says (set behind its back) take the slow path."""
    cache = conv.TextCache(*_assembled())
    for name, value in (
        ("source", None),
        ("target", _Colour.RED),
        ("at", dt.datetime(2030, 1, 1, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))),
    ):
        move = rk.Move(source="dev", target="prod", at=AT, by="anton")
        object.__setattr__(move, name, value)

        assert _canonical(move) == cache.text(move)

    artifact = rk.Artifact(functions=("a",))
    object.__setattr__(artifact, "functions", ("a", 1))
    object.__setattr__(artifact, "migrations", ["x"])

    assert _canonical(artifact) == cache.text(artifact)


def _release(artifact: rk.Artifact) -> rk.Release:
    return rk.Release(
        id="r1",
        version="1",
        kind="normal",
        state="dev",
        created_at=AT,
        created_by="anton",
        artifact=artifact,
    )


def test_the_ledger_stores_canonical_states() -> None:
    """A state written after loading a release is the canonical JSON of that state."""
    ledger = Ledger(MemoryStore())
    ledger.start(_release(rk.Artifact(functions=("quote",))))
    move = rk.Move(source="dev", target="prod", at=AT, by="anton")
    record = ledger.promote(ledger.load("r1"), move)

    stored = ledger.store.snapshot("r1")

    assert stored is not None
    assert conv.dumps(stored.data) == _canonical(_state(record))
    assert ledger.verify("r1").ok


# ---------------------------------------------------------------------------
# Instants written by hand, and remembered when read in that very form
# ---------------------------------------------------------------------------

_ANY_INSTANT = st.datetimes(
    min_value=dt.datetime(1, 1, 2),  # noqa: DTZ001  # naive bounds, made aware below
    max_value=dt.datetime(9999, 12, 30),  # noqa: DTZ001
).map(lambda naive: pendulum.instance(naive.replace(tzinfo=dt.UTC)).in_timezone("UTC"))


def _fresh_iso(moment: dt.datetime) -> str:
    """What isoformat() writes for the instant in UTC, the text iso() must equal."""
    return dt.datetime.isoformat(moment.astimezone(dt.UTC))


@given(_ANY_INSTANT)
def test_iso_is_isoformat_in_utc(moment: pendulum.DateTime) -> None:
    """Every instant, with or without microseconds, in any year, as isoformat() writes it."""
    assert _fresh_iso(moment) == conv.iso(moment)
    assert _fresh_iso(moment) == conv.iso(moment)  # the remembered text


def _week_date(text: str) -> str:
    """The same instant as an ISO week date, as long as the usual form."""
    year, week, day = dt.date.fromisoformat(text[:10]).isocalendar()
    return f"{year:04d}-W{week:02d}-{day}{text[10:]}"


@given(
    _ANY_INSTANT,
    st.sampled_from(
        [
            lambda text: text,
            lambda text: text.replace("T", " "),
            lambda text: text.replace("+00:00", "Z"),
            lambda text: text[:19] + ".000000+00:00",
            lambda text: text[:19] + ".5+00:00",
            lambda text: text[:19] + ",000001+00:00",
            lambda text: text.replace("-", "", 2),
            lambda text: text[:13] + text[14:16] + text[17:],
            lambda text: text[:13] + text[14:16] + text[17:19] + ".1" + text[19:],
            lambda text: text[:19] + "+01:00",
            _week_date,
        ]
    ),
)
def test_an_instant_read_back_is_written_as_iso_writes_it(
    moment: pendulum.DateTime, variant: Any
) -> None:
    """Whatever form an instant was read from, writing it again gives iso()'s own text."""
    text = variant(conv.iso(moment))
    try:
        read = conv.parse_instant(text)
    except InvalidInputError:
        return

    assert _fresh_iso(read) == conv.iso(read)


# ---------------------------------------------------------------------------
# JSON encoders and decoder made once
# ---------------------------------------------------------------------------


@given(rks.json_values)
def test_dumps_and_compact_are_the_standard_encoders(value: object) -> None:
    """The same text as json.dumps with the same settings."""
    assert json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False) == conv.dumps(
        value
    )
    assert json.dumps(value, separators=(",", ":"), allow_nan=False) == conv.compact(value)


@given(rks.json_values, st.sampled_from(["", " ", "\n"]), st.sampled_from(["", " ", "\t"]))
def test_loads_is_the_standard_decoder(value: object, before: str, after: str) -> None:
    """Compact text, text with white space around it, and bytes all read as json.loads reads."""
    text = before + conv.dumps(value) + after

    assert json.loads(text) == conv.loads(text) == conv.loads(text.encode())


@pytest.mark.parametrize("text", ["", "{", '{"a":1} x', "[1,]", "nul", '{"a":1}{}', " "])
def test_loads_fails_as_the_standard_decoder_does(text: str) -> None:
    """Bad JSON raises the standard decoder's error, with its message."""
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(text)
    with pytest.raises(json.JSONDecodeError) as caught:
        conv.loads(text)

    assert str(expected.value) == str(caught.value)


def test_encoding_errors_are_the_checked_encoders() -> None:
    """NaN, unknown objects and cycles are refused with the standard encoder's explanation."""
    cycle: list[object] = []
    cycle.append(cycle)
    for value, problem in (
        ({"a": float("nan")}, "Out of range float values are not JSON compliant"),
        ({"a": object()}, "Object of type object is not JSON serializable"),
        (cycle, "Circular reference detected"),
    ):
        for encode in (conv.dumps, conv.compact):
            with pytest.raises(InvalidInputError, match=problem):
                encode(value)


def test_a_canonical_text_is_read_as_the_standard_decoder_reads_it() -> None:
    """A draft's data given as Canonical equals json.loads of its text."""
    text = conv.dumps({"z": [1, 2.5, None, True], "a": {"é": "x"}})

    assert json.loads(text) == conv.Canonical(text).value()


def test_an_event_sealed_from_a_ledger_write_matches_its_digest() -> None:
    """Events whose data the ledger hands over as text check out against their digest."""
    ledger = Ledger(MemoryStore())
    ledger.start(_release(rk.Artifact()))
    ledger.promote(ledger.load("r1"), rk.Move(source="dev", target="prod", at=AT, by="anton"))

    assert all(event.matches_digest() for event in ledger.history("r1"))
    assert ledger.verify("r1").ok
    assert Action.PROMOTED == ledger.history("r1")[-1].action


# ---------------------------------------------------------------------------
# States read with the places of their parts, and promotions spliced into them
# ---------------------------------------------------------------------------


class _Counting(MemoryStore):
    """A memory store that counts the writes that come through append()."""

    def __init__(self) -> None:
        super().__init__()
        self.appended = 0

    def append(self, *args: Any, **kwargs: Any) -> Event:
        self.appended += 1
        return super().append(*args, **kwargs)


@given(rks.json_objects())
def test_a_state_is_read_as_the_standard_decoder_reads_it(value: dict[str, Any]) -> None:
    """read_state() gives json.loads' value; each part it notes lies where it says."""
    text = conv.dumps(value)
    spaced = json.dumps({**value, "": [1]}, indent=1)

    assert (value, {**value, "": [1]}) == (conv.read_state(text), conv.read_state(spaced))
    state = conv.read_state(text)
    read = conv.read_parts(state)
    assert read is not None
    assert text == read[0]
    assert conv.read_parts(state) is None  # handed over once: the mapping may change later
    for key, (start, end, _inner) in read[1].items():
        assert value[key] == json.loads(text[start:end])
    assert conv.read_parts(conv.read_state(spaced)) is None  # not compact: simply parsed


@pytest.mark.parametrize("text", ["", "{", '{"a":1} x', '{"a":}', "nul", '{"a":1,}'])
def test_a_state_that_is_not_json_fails_as_the_standard_decoder_does(text: str) -> None:
    """read_state() refuses what loads() refuses, with the same error."""
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(text)
    with pytest.raises(json.JSONDecodeError) as raised:
        conv.read_state(text)

    assert str(expected.value) == str(raised.value)


@FEWER
@given(
    rks.releases(release_id=rks.record_names),
    rks.moves(),
    st.sampled_from(["written", "loaded"]),
)
def test_a_promotion_stores_the_state_the_converter_writes(
    release: rk.Release, move: rk.Move, before: str
) -> None:
    """Spliced into the text before or written in full: the canonical JSON, and it verifies."""
    ledger = Ledger(MemoryStore())
    record = ledger.start(release)
    if before == "loaded":
        record = ledger.load(release.id)
    step = attrs.evolve(move, source=release.state)

    promoted = ledger.promote(record, step)

    stored = ledger.store.snapshot(release.id)
    assert stored is not None
    assert _canonical(_state(promoted)) == conv.dumps(stored.data)
    assert promoted == ledger.load(release.id)
    assert ledger.verify(release.id).ok


def test_a_promotion_of_plain_text_takes_the_short_way() -> None:
    """A release the ledger wrote or read is promoted without a draft going through append()."""
    store = _Counting()
    ledger = Ledger(store)
    record = ledger.start(_release(rk.Artifact(functions=("quote",))))
    loaded = ledger.promote(ledger.load("r1"), rk.Move(source="dev", target="qa", at=AT, by="a"))
    written = ledger.promote(loaded, rk.Move(source="qa", target="prod", at=AT, by="a"))

    assert 1 == store.appended  # the start only
    assert ("prod", 3) == (written.state, written.revision)
    assert written.head == ledger.history("r1")[-1].digest
    assert [record.head, loaded.head] == [event.previous for event in ledger.history("r1")[1:]]
    assert ledger.verify("r1").ok


@pytest.mark.parametrize(
    ("by", "reason", "target"),
    [
        ("ánton", "", "prod"),
        ("anton", "déjà vu", "prod"),
        ("anton", _Colour.RED, "prod"),
        ("anton", "", _Colour.RED),
    ],
)
def test_a_promotion_of_other_text_takes_the_general_way(by: str, reason: str, target: str) -> None:
    """Text that is not plain ASCII (or not a plain str) is written the general way."""
    store = _Counting()
    ledger = Ledger(store)
    ledger.start(_release(rk.Artifact()))
    store.appended = 0

    promoted = ledger.promote(
        ledger.load("r1"), rk.Move(source="dev", target=target, at=AT, by=by), reason=reason
    )

    assert 1 == store.appended
    assert promoted == ledger.load("r1")
    assert ledger.verify("r1").ok


def test_a_state_stored_out_of_order_is_not_spliced() -> None:
    """A state whose keys are not in releasekit's order is read, and written the general way."""
    store = _Counting()
    ledger = Ledger(store)
    record = ledger.start(_release(rk.Artifact(functions=("quote",))))
    shuffled = dict(reversed(conv.unstructure(_state(record)).items()))
    shuffled["release"] = dict(reversed(shuffled["release"].items()))
    store.append(
        "r1",
        expected=1,
        previous=record.head,
        draft=Draft(actor="anton", action=Action.NOTIFIED, at=AT),
        snapshot=shuffled,
    )
    store.appended = 0

    promoted = ledger.promote(
        ledger.load("r1"), rk.Move(source="dev", target="prod", at=AT, by="a")
    )

    assert 1 == store.appended
    assert promoted == ledger.load("r1")
    assert ledger.verify("r1").ok


def test_records_remembered_longest_ago_are_forgotten_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past its limit the ledger forgets the older half of the states it remembers."""
    monkeypatch.setattr(ledger_module, "_record_texts", {})
    monkeypatch.setattr(ledger_module, "_RECORD_TEXTS_LIMIT", 4)
    store = _Counting()
    ledger = Ledger(store)
    records = [ledger.start(attrs.evolve(_release(rk.Artifact()), id=f"r{n}")) for n in range(5)]
    store.appended = 0

    first = ledger.promote(records[0], rk.Move(source="dev", target="prod", at=AT, by="a"))
    last = ledger.promote(records[4], rk.Move(source="dev", target="prod", at=AT, by="a"))

    assert 1 == store.appended  # the first was forgotten: the general way
    assert (first, last) == (ledger.load("r0"), ledger.load("r4"))
    assert len(ledger_module._record_texts) <= 4


@given(
    st.fixed_dictionaries(
        {
            "stream": rks.stream_names,
            "seq": st.integers(1, 10**6),
            "previous": st.text(max_size=64),
            "actor": rks.storable_text,
            "action": st.sampled_from([action.value for action in Action]),
            "at": _ANY_INSTANT.map(conv.iso),
            "source": rks.storable_text,
            "target": rks.storable_text,
            "reason": rks.storable_text,
            "data_text": rks.json_objects().map(conv.dumps),
            "state_digest": st.none() | st.text("0123456789abcdef", min_size=64, max_size=64),
        }
    )
)
def test_a_digest_of_plain_text_is_the_canonical_digest(fields: dict[str, Any]) -> None:
    """plain_digest() of the fields written as JSON is the digest canonical() would give."""
    written: dict[str, Any] = {
        key: value if key in {"seq", "at", "data_text"} else json.dumps(value)
        for key, value in fields.items()
    }
    written["state_digest"] = fields["state_digest"] or ""  # the hex digits, or none

    assert events_module.plain_digest(**written) == events_module._sha256(
        events_module.canonical(**fields)
    )


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('{"a" :1}', {"a": 1}),
        ('{ "a":1}', {"a": 1}),
        ('{"a":[1 ,2]}', {"a": [1, 2]}),
        ('{"a":1 }', {"a": 1}),
        ("[1,2]", [1, 2]),
        ("5", 5),
    ],
)
def test_a_state_in_another_layout_is_simply_parsed(text: str, value: object) -> None:
    """Spaces between the tokens, or a value that is not an object: parsed, no places noted."""
    read = conv.read_state(text)

    assert value == read
    assert conv.read_parts(read) is None


def test_read_texts_are_remembered_as_deep_as_their_places_go() -> None:
    """recall() remembers the parts it has places for, and leaves tuples of plain values."""
    cache = conv.TextCache(*ledger_module._TEXTS.kinds, limit=3)
    move = rk.Move(source="dev", target="prod", at=AT, by="anton")
    moved = Moved(move=move)
    text = _canonical(moved)
    cache.recall(moved, text, {"move": (8, len(text) - 1, None)})  # the move, not walked
    artifact = rk.Artifact(functions=("a", "b"))
    read = conv.read_state(_canonical(artifact))
    parts = conv.read_parts(read)
    assert parts is not None

    cache.recall(conv.structure(read, rk.Artifact), *parts)

    assert cache.known(move) == _canonical(move)
    assert cache.known(artifact.functions) is None  # the same values, not these objects
    assert cache.known(rk.Move(source="dev", target="prod", at=AT, by="anton")) is None
    release = _release(artifact)
    for number in range(1, 5):  # a full cache starts afresh
        cache.recall(moved, text, {"move": (8, len(text) - 1, None)})
        for same in range(3):
            cache.remember(rk.Artifact(functions=(str(number),) * same), "{}")
        moves = tuple(attrs.evolve(move, at=AT.add(days=day)) for day in range(number))
        written = cache.text(attrs.evolve(release, moves=moves))
        assert _canonical(attrs.evolve(release, moves=moves)) == written
    assert len(cache._memo) <= 3
    assert len(cache._tails) <= 3


class _Textless(MemoryStore):
    """A store that hands states over as plain mappings, and takes events only as drafts."""

    _commit = None  # type: ignore[assignment]  # a store without the short way

    def snapshot(self, stream: str) -> Any:  # the Snapshot, unchanged
        found = super().snapshot(stream)
        return None if found is None else attrs.evolve(found, data=dict(found.data))


@pytest.mark.parametrize("store", [_Textless(), _Counting()], ids=["plain", "memory"])
def test_a_release_is_promoted_the_same_whatever_the_store_offers(store: MemoryStore) -> None:
    """Without a state's text or a short way to write, a promotion is the same one."""
    ledger = Ledger(store)
    record = ledger.start(_release(rk.Artifact(functions=("quote",))))
    first = ledger.promote(record, rk.Move(source="dev", target="qa", at=AT, by="anton"))
    second = ledger.promote(ledger.load("r1"), rk.Move(source="qa", target="prod", at=AT, by="a"))

    assert (first.head, "prod") == (ledger.history("r1")[-1].previous, second.state)
    assert second == ledger.load("r1")
    assert conv.dumps(conv.unstructure(_state(second))) == conv.dumps(
        ledger.store.snapshot("r1").data  # type: ignore[union-attr]  # it exists
    )
    assert ledger.verify("r1").ok


def test_a_state_with_keys_releasekit_does_not_write_is_not_spliced() -> None:
    """An extra key in a stored release (another tool's) is read, and kept out of splices."""
    store = _Counting()
    ledger = Ledger(store)
    record = ledger.start(_release(rk.Artifact()))
    state = conv.unstructure(_state(record))
    state["release"]["tag"] = {"a": 1, "state": "x", "z": 2}
    state["release"] = dict(sorted(state["release"].items()))  # between state and version
    state = dict(sorted(state.items()))  # every other key in releasekit's order
    store.append(
        "r1",
        expected=1,
        previous=record.head,
        draft=Draft(actor="anton", action=Action.NOTIFIED, at=AT),
        snapshot=state,
    )
    store.appended = 0

    promoted = ledger.promote(
        ledger.load("r1"), rk.Move(source="dev", target="prod", at=AT, by="a")
    )

    assert 1 == store.appended
    assert promoted == ledger.load("r1")
    assert ledger.verify("r1").ok


def test_a_ledger_given_another_store_writes_to_that_store() -> None:
    """The short way asks the ledger's store of the moment, never one it held before."""
    first, second = MemoryStore(), MemoryStore()
    ledger = Ledger(first)
    record = ledger.start(_release(rk.Artifact()))
    Ledger(second).start(_release(rk.Artifact()))
    ledger.store = second

    promoted = ledger.promote(record, rk.Move(source="dev", target="prod", at=AT, by="anton"))

    assert ("dev", "prod") == (Ledger(first).load("r1").state, Ledger(second).load("r1").state)
    assert promoted == Ledger(second).load("r1")
