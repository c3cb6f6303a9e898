"""Evidence: the facts guards read before a release may move on.

Each kind of evidence is a frozen record of something a person or a tool did
for one release: tests written, a test run, a sign-off, a log review, a
migration run, a change review — or, for a team's own guards, a named
:class:`Attestation`. Every record says who did it — their
:func:`~releasekit.identity`, whatever way the name was typed — and when.

Evidence decides whether a release may move on, so every field is checked
by type when the value is built: a boolean is ``True`` or ``False`` (never
``"false"`` or ``1``), text is a ``str``, lists hold strings, an enum field
takes a member or its value, and an instant is aware. Whether evidence is
dated in the future is checked when it is recorded (:meth:`Engine.add_evidence`),
against the instant of recording, with :data:`CLOCK_SKEW_TOLERANCE` of slack.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Any, ClassVar

import attrs
import pendulum

from releasekit._rules import _validate, _values
from releasekit._rules._time import at_instant
from releasekit._rules.identity import by_identity

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "CLOCK_SKEW_TOLERANCE",
    "Attestation",
    "ChangeReview",
    "Evidence",
    "LogReview",
    "LogVerdict",
    "MigrationRun",
    "SignOff",
    "TestRun",
    "TestsWritten",
]


#: How far ahead of the instant of adding evidence may be dated: clocks of
#: the machines that report evidence (a CI runner, a laptop) drift a little.
#: Evidence dated later than that is refused when it is recorded.
CLOCK_SKEW_TOLERANCE = dt.timedelta(minutes=5)


def _labels(value: str | Iterable[str], field: str) -> tuple[str, ...]:
    return _values.label_tuple(value, field=field)


def _covers(value: str | Iterable[str]) -> tuple[str, ...]:
    return _labels(value, "covers")


def _tests(value: str | Iterable[str]) -> tuple[str, ...]:
    return _labels(value, "tests")


def _old_app_versions(value: str | Iterable[str]) -> tuple[str, ...]:
    return _labels(value, "old_app_versions")


def _migrations(value: str | Iterable[str]) -> tuple[str, ...]:
    return _labels(value, "migrations")


def _environments(value: str | Iterable[str]) -> frozenset[str]:
    names = _labels(value, "environments")
    for name in names:
        _validate.name(None, _ENVIRONMENTS, name)
    return frozenset(names)


def _optional_name(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        _validate.name(instance, attribute, value)


@attrs.frozen(kw_only=True)
class TestsWritten:
    """New automatic tests cover the release's new functionality.

    Attributes:
        by: Who wrote them.
        at: When this was declared.
        covers: The new functionality the tests cover, as named in the
            artifact's ``new_functionality``.
        tests: The names of the new tests.
        note: Anything worth knowing.
    """

    __test__: ClassVar[bool] = False  # not a pytest test class

    by: str = attrs.field(converter=by_identity)
    at: pendulum.DateTime = attrs.field(converter=at_instant)
    covers: tuple[str, ...] = attrs.field(default=(), converter=_covers)
    tests: tuple[str, ...] = attrs.field(default=(), converter=_tests)
    note: str = attrs.field(default="", validator=_values.string)


@attrs.frozen(kw_only=True)
class TestRun:
    """One run of the automatic tests on an environment.

    Attributes:
        environment: Where the tests ran.
        version: The exact version under test; a run counts for no other.
        passed: Whether every test passed.
        at: When the run finished.
        by: Who or what started it (a person, ``"ci"``, ``"scheduler"``).
        scheduled: Whether this was the daily scheduled run.
        summary: A short account of the outcome.
    """

    __test__: ClassVar[bool] = False  # not a pytest test class

    environment: str = attrs.field(validator=_validate.name)
    version: str = attrs.field(validator=_values.token)
    passed: bool = attrs.field(validator=_values.boolean)
    at: pendulum.DateTime = attrs.field(converter=at_instant)
    by: str = attrs.field(converter=by_identity)
    scheduled: bool = attrs.field(default=False, validator=_values.boolean)
    summary: str = attrs.field(default="", validator=_values.string)


@attrs.frozen(kw_only=True)
class SignOff:
    """A person signs off the manual testing of a release on an environment.

    Attributes:
        by: Who signs off.
        at: When.
        environment: Where the testing happened.
        note: What was tested, what was seen.
        old_app_versions: The older client application versions the release
            was tested with (required on stage by the reference policy).
    """

    by: str = attrs.field(converter=by_identity)
    at: pendulum.DateTime = attrs.field(converter=at_instant)
    environment: str = attrs.field(validator=_validate.name)
    note: str = attrs.field(default="", validator=_values.string)
    old_app_versions: tuple[str, ...] = attrs.field(default=(), converter=_old_app_versions)


class LogVerdict(enum.StrEnum):
    """What a log review concluded."""

    CLEAN = "clean"
    PROBLEMS = "problems"


def _verdict(value: LogVerdict | str) -> LogVerdict:
    return _values.enum_member(LogVerdict, value, field="verdict")


@attrs.frozen(kw_only=True)
class LogReview:
    """A person reviewed the error logs of some environments.

    Attributes:
        by: The reviewer.
        at: When the review was done.
        environments: Which environments' logs were read.
        verdict: Whether the logs look good.
        note: What was seen.
    """

    by: str = attrs.field(converter=by_identity)
    at: pendulum.DateTime = attrs.field(converter=at_instant)
    environments: frozenset[str] = attrs.field(converter=_environments)
    verdict: LogVerdict = attrs.field(converter=_verdict)
    note: str = attrs.field(default="", validator=_values.string)


@attrs.frozen(kw_only=True)
class MigrationRun:
    """The release's database migrations ran on an environment.

    Attributes:
        environment: Where they ran.
        version: The release version whose migrations ran.
        migrations: The migrations that ran.
        succeeded: Whether all of them succeeded.
        at: When the run finished.
        by: Who or what ran them.
        output: A short account of the outcome.
    """

    environment: str = attrs.field(validator=_validate.name)
    version: str = attrs.field(validator=_values.token)
    migrations: tuple[str, ...] = attrs.field(converter=_migrations)
    succeeded: bool = attrs.field(validator=_values.boolean)
    at: pendulum.DateTime = attrs.field(converter=at_instant)
    by: str = attrs.field(converter=by_identity)
    output: str = attrs.field(default="", validator=_values.string)


@attrs.frozen(kw_only=True)
class ChangeReview:
    """A person reviewed all the changes of a release once more.

    Attributes:
        by: The reviewer.
        at: When.
        version: The version whose changes were reviewed.
        note: What was seen.
    """

    by: str = attrs.field(converter=by_identity)
    at: pendulum.DateTime = attrs.field(converter=at_instant)
    version: str = attrs.field(validator=_values.token)
    note: str = attrs.field(default="", validator=_values.string)


@attrs.frozen(kw_only=True)
class Attestation:
    """A named statement for a team's own guards, e.g. ``"security-review"``.

    Attributes:
        name: What is attested; custom guards look for this name.
        by: Who attests it.
        at: When.
        environment: The environment it concerns, if any.
        note: Anything worth knowing.
    """

    name: str = attrs.field(validator=_validate.name)
    by: str = attrs.field(converter=by_identity)
    at: pendulum.DateTime = attrs.field(converter=at_instant)
    environment: str | None = attrs.field(default=None, validator=_optional_name)
    note: str = attrs.field(default="", validator=_values.string)


#: Any kind of evidence a release can hold.
Evidence = TestsWritten | TestRun | SignOff | LogReview | MigrationRun | ChangeReview | Attestation

#: The ``environments`` field of a log review, for its names' messages.
_ENVIRONMENTS = attrs.fields(LogReview).environments

#: Every evidence type, in a stable order.
EVIDENCE_TYPES: tuple[type[Evidence], ...] = (
    TestsWritten,
    TestRun,
    SignOff,
    LogReview,
    MigrationRun,
    ChangeReview,
    Attestation,
)
