"""Evidence: the facts guards read before a release may move on.

Each kind of evidence is a frozen record of something a person or a tool did
for one release: tests written, a test run, a sign-off, a log review, a
migration run, a change review — or, for a team's own guards, a named
:class:`Attestation`. Every record says who did it and when.
"""

from __future__ import annotations

import enum
from typing import ClassVar

import attrs
import pendulum

from releasekit._rules import _validate
from releasekit._rules._time import at_instant

__all__ = [
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

    by: str = attrs.field(validator=_validate.text)
    at: pendulum.DateTime = attrs.field(converter=at_instant)
    covers: tuple[str, ...] = attrs.field(
        default=(), converter=_validate.str_tuple, validator=_validate.strings
    )
    tests: tuple[str, ...] = attrs.field(
        default=(), converter=_validate.str_tuple, validator=_validate.strings
    )
    note: str = ""


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
    version: str = attrs.field(validator=_validate.text)
    passed: bool
    at: pendulum.DateTime = attrs.field(converter=at_instant)
    by: str = attrs.field(validator=_validate.text)
    scheduled: bool = False
    summary: str = ""


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

    by: str = attrs.field(validator=_validate.text)
    at: pendulum.DateTime = attrs.field(converter=at_instant)
    environment: str = attrs.field(validator=_validate.name)
    note: str = ""
    old_app_versions: tuple[str, ...] = attrs.field(
        default=(), converter=_validate.str_tuple, validator=_validate.strings
    )


class LogVerdict(enum.StrEnum):
    """What a log review concluded."""

    CLEAN = "clean"
    PROBLEMS = "problems"


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

    by: str = attrs.field(validator=_validate.text)
    at: pendulum.DateTime = attrs.field(converter=at_instant)
    environments: frozenset[str] = attrs.field(converter=_validate.str_frozenset)
    verdict: LogVerdict = attrs.field(converter=LogVerdict)
    note: str = ""


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
    version: str = attrs.field(validator=_validate.text)
    migrations: tuple[str, ...] = attrs.field(
        converter=_validate.str_tuple, validator=_validate.strings
    )
    succeeded: bool
    at: pendulum.DateTime = attrs.field(converter=at_instant)
    by: str = attrs.field(validator=_validate.text)
    output: str = ""


@attrs.frozen(kw_only=True)
class ChangeReview:
    """A person reviewed all the changes of a release once more.

    Attributes:
        by: The reviewer.
        at: When.
        version: The version whose changes were reviewed.
        note: What was seen.
    """

    by: str = attrs.field(validator=_validate.text)
    at: pendulum.DateTime = attrs.field(converter=at_instant)
    version: str = attrs.field(validator=_validate.text)
    note: str = ""


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
    by: str = attrs.field(validator=_validate.text)
    at: pendulum.DateTime = attrs.field(converter=at_instant)
    environment: str | None = None
    note: str = ""


#: Any kind of evidence a release can hold.
Evidence = TestsWritten | TestRun | SignOff | LogReview | MigrationRun | ChangeReview | Attestation

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
