"""Data operations: adjustments made by hand, and restores between environments.

Each data operation has its own history, the stream ``data:<id>``, and a
:class:`DataOperation` as its current state. The rules that decide who may do
what to an operation are pure functions, in
:mod:`~releasekit._actions.data_checks`; the desk runs them before it records
anything, so a refused step changes nothing.

An adjustment is bound to its exact content by a :func:`fingerprint` — a hash
of the environment, the operation and its arguments. Each verification stores
the fingerprint it verified and counts only while the operation still has it:
amending the operation voids every earlier verification (they stay in the
history, marked void).

Example:
    >>> fingerprint("production", "fix-prices", ("AAPL", "187.20"))[:12]
    '3f8c7ebd5e96'
"""

from __future__ import annotations

import enum
import hashlib
import json
from typing import TYPE_CHECKING

import attrs
import pendulum

from releasekit._rules import _validate, _values
from releasekit._rules._time import at_instant, instant, optional_instant
from releasekit._rules.identity import (
    by_identity,
    executed_by_identity,
    requested_by_identity,
)
from releasekit.exceptions import InvalidInputError

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable


__all__ = [
    "STREAM_PREFIX",
    "DataOperation",
    "DataOperationKind",
    "DataOperationStatus",
    "DataVerification",
    "fingerprint",
]

#: Every data operation's history is a stream named ``data:<id>``.
STREAM_PREFIX = "data:"


class DataOperationKind(enum.StrEnum):
    """What a data operation does."""

    #: A named operation changes an environment's data by hand (``dt data adjust``).
    ADJUSTMENT = "adjustment"
    #: An environment's data is replaced by a copy of another's.
    RESTORE = "restore"


class DataOperationStatus(enum.StrEnum):
    """Where a data operation stands."""

    #: An adjustment waits for its verifications and its operator.
    REQUESTED = "requested"
    #: The executor was started; if it stays so, the run was interrupted.
    RUNNING = "running"
    #: It ran and succeeded.
    EXECUTED = "executed"
    #: It ran and failed; an adjustment may be run again (or amended, or cancelled).
    FAILED = "failed"
    #: It was given up.
    CANCELLED = "cancelled"


#: The statuses in which an adjustment may be amended, verified or run.
OPEN = frozenset({DataOperationStatus.REQUESTED, DataOperationStatus.FAILED})


def fingerprint(environment: str, operation: str, arguments: Iterable[str]) -> str:
    """Return the SHA-256 (hex) of an adjustment's exact content.

    The content is the canonical JSON of ``[environment, operation, [arguments…]]``,
    so ``("a b",)`` and ``("a", "b")`` differ.
    """
    text = json.dumps(
        [environment, operation, list(arguments)], ensure_ascii=True, separators=(",", ":")
    )
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def _arguments(value: str | Iterable[str]) -> tuple[str, ...]:
    """Check an adjustment's arguments: strings, none starting with ``-`` or holding controls."""
    try:
        items = _validate.str_tuple(value)
    except TypeError:
        raise InvalidInputError(
            f"arguments must be a list of strings, got {value!r}", field="arguments", value=value
        ) from None
    for item in items:
        problem = _values.argument_problem(item)
        if problem is not None:
            raise InvalidInputError(
                f"argument {item!r} cannot be used: {problem}; pass each argument as plain "
                "text that does not start with '-' — for a negative number or a flag, name "
                "the value instead (e.g. 'delta=-5'), as the team's tool allows",
                field="arguments",
                value=value,
            )
    return items


def _requested_at(value: dt.datetime) -> pendulum.DateTime:
    return instant(value, field="requested_at")


def _finished_at(value: dt.datetime | None) -> pendulum.DateTime | None:
    return optional_instant(value, field="finished_at")


def _optional_name(instance: object, attribute: attrs.Attribute[str | None], value: object) -> None:
    if value is not None:
        _validate.name(instance, attribute, value)


@attrs.frozen(kw_only=True)
class DataVerification:
    """A person checked a data adjustment and vouches for it.

    Attributes:
        by: Who verified it.
        at: When.
        fingerprint: The :func:`fingerprint` of the operation as it was verified.
        note: What they checked.
        voided: Whether an amendment voided it since.
    """

    by: str = attrs.field(converter=by_identity)
    at: pendulum.DateTime = attrs.field(converter=at_instant)
    fingerprint: str = attrs.field(validator=_validate.text)
    note: str = ""
    voided: bool = False


def _verifications(value: Iterable[DataVerification]) -> tuple[DataVerification, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class DataOperation:
    """A data operation as it stands: the current state of its history.

    Attributes:
        id: Its id, e.g. ``"adjustment-3"``; its history is ``data:<id>``.
        kind: An adjustment or a restore.
        environment: The environment whose data changes (a restore's target).
        operation: The adjustment's name as the team's tool knows it
            (``"restore"`` for a restore): it starts with a letter or digit and
            holds no white space or control character.
        arguments: The adjustment's arguments, each passed as one argument;
            none may start with ``-`` or hold a control character.
        source: Where a restore copies the data from.
        requested_by: Who asked for it.
        requested_at: When.
        reason: Why, in words.
        status: Where it stands.
        verifications: Every verification given, void ones included, oldest first.
        executed_by: Who ran it last, if anyone did.
        finished_at: When its last run ended (or it was cancelled).
        summary: What its last run (or its cancellation) said.
        command: The argument list its last run started, if a program ran.
    """

    id: str = attrs.field(validator=_validate.name)
    kind: DataOperationKind = attrs.field(converter=DataOperationKind)
    environment: str = attrs.field(validator=_validate.name)
    operation: str = attrs.field(validator=_values.token)
    arguments: tuple[str, ...] = attrs.field(default=(), converter=_arguments)
    source: str | None = attrs.field(default=None, validator=_optional_name)
    requested_by: str = attrs.field(converter=requested_by_identity)
    requested_at: pendulum.DateTime = attrs.field(converter=_requested_at)
    reason: str = attrs.field(validator=_validate.text)
    status: DataOperationStatus = attrs.field(converter=DataOperationStatus)
    verifications: tuple[DataVerification, ...] = attrs.field(default=(), converter=_verifications)
    executed_by: str | None = attrs.field(default=None, converter=executed_by_identity)
    finished_at: pendulum.DateTime | None = attrs.field(default=None, converter=_finished_at)
    summary: str = ""
    command: tuple[str, ...] = attrs.field(default=(), converter=_validate.str_tuple)

    @property
    def stream(self) -> str:
        """The name of its history, ``data:<id>``."""
        return f"{STREAM_PREFIX}{self.id}"

    @property
    def fingerprint(self) -> str:
        """The :func:`fingerprint` of the operation as it stands now."""
        return fingerprint(self.environment, self.operation, self.arguments)

    @property
    def counted(self) -> tuple[DataVerification, ...]:
        """The verifications that count: not void, and of the operation as it stands."""
        current = self.fingerprint
        return tuple(
            item for item in self.verifications if not item.voided and item.fingerprint == current
        )

    @property
    def verifiers(self) -> tuple[str, ...]:
        """The different people who verified the operation as it stands, in order.

        Two verifications by one person — however the name was typed — are
        one verifier.
        """
        return tuple(dict.fromkeys(item.by for item in self.counted))

    @property
    def is_open(self) -> bool:
        """Whether it may still be amended, verified or run."""
        return self.status in OPEN

    def describe(self) -> str:
        """Say in a few words what it does, e.g. ``"fix-prices AAPL 187.20 in production"``."""
        if self.kind is DataOperationKind.RESTORE:
            return f"restore the data of {self.source} into {self.environment}"
        shown = " ".join([self.operation, *self.arguments])
        return f"{shown} in {self.environment}"
