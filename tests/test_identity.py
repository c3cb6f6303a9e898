"""Identities: one person, however their name is typed."""

import unicodedata
from typing import Literal

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

import releasekit as rk
from releasekit._rules.identity import MAX_IDENTITY_LENGTH
from releasekit.testing.strategies import people

AT = pendulum.datetime(2026, 11, 27, 10, 0, tz="UTC")
Form = Literal["NFC", "NFD", "NFKC", "NFKD"]
FORMS: tuple[Form, ...] = ("NFC", "NFD", "NFKC", "NFKD")


@pytest.mark.parametrize(
    "typed",
    ["ivan", "IVAN", " ivan ", "Ivan\u00a0", "\uff49\uff56\uff41\uff4e", "\u2170van"],
)
def test_every_way_of_typing_a_name_is_one_identity(typed: str) -> None:
    """Capitals, spaces around, a no-break space and full-width letters all give 'ivan'."""
    assert "ivan" == rk.identity(typed)


def test_inner_white_space_becomes_one_space() -> None:
    """Runs of spaces, no-break and ideographic spaces inside a name become one space."""
    assert "ivan petrov" == rk.identity("Ivan \u00a0\u3000 Petrov")


def test_case_is_folded_not_just_lowered() -> None:
    """'Straße' and 'STRASSE' are one person."""
    assert rk.identity("STRASSE") == rk.identity("Straße")


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("anton\u200b", "U+200B ZERO WIDTH SPACE"),
        ("iv\u200dan", "U+200D ZERO WIDTH JOINER"),
        ("ivan\ufe0f", "U+FE0F VARIATION SELECTOR-16"),
        ("\u2066ivan", "U+2066 LEFT-TO-RIGHT ISOLATE"),
        ("a\nb", "U+000A, a control character"),
        ("ivan\t", "U+0009, a control character"),
        ("\x1b[31mivan", "U+001B, a control character"),
        ("a\u2028b", "U+2028 LINE SEPARATOR"),
        ("\ue000", "U+E000, a private-use character"),
        ("iv\ud800an", "U+D800, a lone surrogate"),
        ("ivan\U000e0001", "U+E0001 LANGUAGE TAG"),
    ],
)
def test_invisible_and_control_characters_are_refused_not_removed(typed: str, shown: str) -> None:
    """A name that would look like another is refused, naming the character and its place."""
    with pytest.raises(rk.exceptions.InvalidInputError) as raised:
        rk.identity(typed, field="by")

    assert ("by", typed) == (raised.value.field, raised.value.value)
    assert shown in str(raised.value)
    assert "type the name without it" in str(raised.value)


@pytest.mark.parametrize("typed", ["", "   ", "\u00a0", "\u3000"])
def test_a_name_of_nothing_is_refused(typed: str) -> None:
    """Empty, or only spaces: it names nobody."""
    with pytest.raises(rk.exceptions.InvalidInputError, match="names nobody"):
        rk.identity(typed, field="actor")


@pytest.mark.parametrize("value", [None, 42, b"ivan", ["ivan"]])
def test_a_name_must_be_a_string(value: object) -> None:
    """Anything but a string is refused with its type named."""
    with pytest.raises(
        rk.exceptions.InvalidInputError, match="must be a person's name as a string"
    ):
        rk.identity(value)  # type: ignore[arg-type]  # the point of the test


def test_a_name_has_a_bound() -> None:
    """128 characters are accepted, 129 are refused, and so is a name NFKC makes too long."""
    assert "a" * MAX_IDENTITY_LENGTH == rk.identity("A" * MAX_IDENTITY_LENGTH)
    with pytest.raises(rk.exceptions.InvalidInputError, match="at most 128"):
        rk.identity("a" * (MAX_IDENTITY_LENGTH + 1))
    with pytest.raises(rk.exceptions.InvalidInputError, match="at most 128"):
        rk.identity("\ufdfa" * 8)  # one character, 18 once normalised


@given(people)
def test_identity_is_idempotent(name: str) -> None:
    """An identity is its own identity."""
    once = rk.identity(name)

    assert once == rk.identity(once)


#: Names in the scripts whose case a person changes by hand: Latin, Greek, Cyrillic.
cased_names = st.text(
    alphabet=st.characters(
        codec="utf-8",
        categories=("Lu", "Ll", "Lt", "Nd"),
        max_codepoint=0x04FF,
        exclude_characters="\u0131\u0130",  # Turkish dotless and dotted i: no round trip
    )
    | st.sampled_from(" -.'"),
    min_size=1,
    max_size=12,
).filter(str.strip)


@given(cased_names, st.sampled_from([str.upper, str.lower, str.title, str.swapcase]))
def test_the_case_of_a_name_never_makes_another_person(name: str, case: object) -> None:
    """'Maria', 'MARIA', 'maria' and 'mARIA' are one identity."""
    assert callable(case)

    assert rk.identity(name) == rk.identity(case(name))


@given(
    people,
    st.sampled_from(["", " ", "  ", "\u00a0", "\u3000"]),
    st.sampled_from(FORMS),
)
def test_spaces_around_and_normal_forms_never_make_another_person(
    name: str, padding: str, form: Form
) -> None:
    """Padding with spaces, or another Unicode normal form of the name, changes nothing."""
    variant = padding + unicodedata.normalize(form, name) + padding

    assert rk.identity(name) == rk.identity(variant)


def test_records_keep_the_identity() -> None:
    """Evidence, moves and releases store who acted as an identity."""
    sign_off = rk.SignOff(by=" Team-Lead ", at=AT, environment="stage")
    move = rk.Move(source="a", target="b", at=AT, by="ANTON")

    assert ("team-lead", "anton") == (sign_off.by, move.by)


def test_owners_and_operator_are_identities() -> None:
    """An environment's owners and its data operator are kept as identities."""
    environment = rk.Environment(
        name="production",
        owners=["Anton", " OLGA "],
        data_adjustments=rk.DataAdjustmentRule(operator="Data-Operator"),
    )

    assert (frozenset({"anton", "olga"}), "data-operator") == (
        environment.owners,
        environment.data_adjustments.operator if environment.data_adjustments else None,
    )


def test_may_act_compares_identities() -> None:
    """'ANTON' may act where anton owns; 'anton' with a zero-width space is refused outright."""
    sandbox = rk.Environment(name="sandbox-anton", owners=["anton"])

    assert (True, False) == (sandbox.may_act("ANTON"), sandbox.may_act("maria"))
    with pytest.raises(rk.exceptions.InvalidInputError, match="ZERO WIDTH SPACE"):
        sandbox.may_act("anton\u200b")


def test_an_owner_named_with_a_control_character_is_refused() -> None:
    """A policy cannot name an owner nobody could type."""
    with pytest.raises(rk.exceptions.InvalidInputError) as raised:
        rk.Environment(name="dev", owners=["lea\u200b"])

    assert "owners" == raised.value.field
