"""Guards: the checks that gate each step of a flow.

A guard is a pure function of a :class:`GuardContext` — the release, the
policy, the instant, the step and (when known) the actor — returning a
:class:`~releasekit.Verdict`. Guards never read the clock or any other state.

There are three kinds (:class:`GuardKind`): *evidence* guards read what was
recorded on the release, *actor* guards read who acts, and *time* guards read
the instant. Only time guards may be lifted by a flow (a hotfix lifts the
production window); evidence and actor guards always hold.

A team writes its own guard as any object with ``code``, ``kind``,
``check(context)``, ``describe()`` and ``environments()`` — or wraps a function
with :class:`FunctionGuard`.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, TypeVar, runtime_checkable

import attrs
import pendulum

from releasekit._rules import _forecast, _time, _validate, duties
from releasekit._rules.evidence import (
    Attestation,
    ChangeReview,
    LogReview,
    LogVerdict,
    MigrationRun,
    SignOff,
    TestRun,
    TestsWritten,
)
from releasekit._rules.identity import actor_identity, unblocked_by_identities
from releasekit._rules.release import Release
from releasekit._rules.verdicts import Blocker, Verdict
from releasekit._rules.windows import Window
from releasekit.exceptions import InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Iterable

    # The policy imports the guards; a guard context is never (de)serialized.
    from releasekit._rules.policy import Policy  # noqa: TC004

__all__ = [
    "ActorAllowed",
    "AttestationPresent",
    "ChangesReviewed",
    "FunctionGuard",
    "Guard",
    "GuardContext",
    "GuardKind",
    "InsideWindow",
    "LogsReviewed",
    "MigrationsSucceeded",
    "NewTestsWritten",
    "NoForbiddenFunctions",
    "SignedOff",
    "TestsPassed",
    "TimeGuard",
]


class GuardKind(enum.StrEnum):
    """What a guard reads, which decides whether a flow may lift it."""

    EVIDENCE = "evidence"
    ACTOR = "actor"
    TIME = "time"


@attrs.frozen(kw_only=True)
class GuardContext:
    """Everything a guard may look at.

    Attributes:
        release: The release asking to move.
        policy: The policy in force.
        now: The instant the question is asked for (aware, UTC).
        source: The environment the release would leave.
        target: The environment it would enter.
        actor: Who asks, when known, as an :func:`~releasekit.identity`;
            actor guards pass when it is ``None``.
    """

    release: Release
    policy: Policy
    now: pendulum.DateTime
    source: str
    target: str
    actor: str | None = attrs.field(default=None, converter=actor_identity)

    def allowed_from(self, guard: TimeGuard) -> pendulum.DateTime | None:
        """Return the first instant from :attr:`now` on when every time guard of the step passes.

        Those are the time guards of the policy's step from :attr:`source` for
        the release's kind (windows, freezes, a team's own) when *guard* is one
        of them, else *guard* alone: what a time guard's blocker gives as its
        ``earliest``. ``None`` when no instant in the next two years passes them all.
        """
        try:
            step = self.policy.step_from(self.release.kind, self.source)
        except InvalidInputError:  # the policy has no flow for the release's kind
            step = None
        timed: list[TimeGuard] = [guard]
        if step is not None and step.target == self.target:
            of_step = [g for g in step.time_guards if isinstance(g, TimeGuard)]
            timed = of_step if guard in of_step else timed
        return _forecast.earliest(timed, self.now)

    def blocker(
        self,
        guard: Guard,
        *,
        reason: str,
        message: str,
        hint: str,
        unblocked_by: tuple[str, ...] = (),
        earliest: pendulum.DateTime | None = None,
        evidence: str | None = None,
        people: Iterable[str] | None = None,
    ) -> Blocker:
        """Build a blocker for this step on behalf of *guard*.

        *evidence* names the kind of evidence that clears it (``"sign-off"``,
        see :attr:`~releasekit.Blocker.evidence`), if recording some can.
        With a roster in the policy, the blocker names the *people* who can
        clear it: by default everyone *unblocked_by* names (:meth:`Policy.who
        <releasekit.Policy.who>`).
        """
        return Blocker(
            code=guard.code,
            reason=reason,
            message=message,
            hint=hint,
            unblocked_by=unblocked_by,
            people=self.policy.who(unblocked_by) if people is None else tuple(people),
            earliest=earliest,
            source=self.source,
            target=self.target,
            evidence=evidence,
        )


@runtime_checkable
class Guard(Protocol):
    """The interface every guard provides."""

    @property
    def code(self) -> str:
        """A stable code, unique within a step, e.g. ``"tests-passed"``."""
        ...

    @property
    def kind(self) -> GuardKind:
        """What the guard reads; only ``TIME`` guards may be lifted by a flow."""
        ...

    def check(self, context: GuardContext) -> Verdict:
        """Decide whether the step may happen."""
        ...

    def describe(self) -> str:
        """Say in a few words what the guard requires, for diagrams and plans."""
        ...

    def environments(self) -> frozenset[str]:
        """Name every environment the guard refers to, so a policy can validate it."""
        ...


@runtime_checkable
class TimeGuard(Guard, Protocol):
    """A guard that depends only on time, and can say when it will pass."""

    def earliest(self, after: pendulum.DateTime) -> pendulum.DateTime | None:
        """Return the earliest instant at or after *after* when the guard passes."""
        ...


def when(moment: pendulum.DateTime) -> str:
    """Format an instant for messages: ``Sat 2026-11-28 09:00 UTC``."""
    return _time.when(moment)


def _names(items: tuple[str, ...] | frozenset[str]) -> str:
    ordered = sorted(items) if isinstance(items, frozenset) else list(items)
    return ", ".join(ordered)


def _not_deployed(guard: Guard, context: GuardContext, environment: str) -> Verdict:
    version = context.release.version
    return Verdict.blocked(
        context.blocker(
            guard,
            reason="not-deployed",
            message=f"{version} has not reached {environment} yet",
            hint=f"promote the release to {environment} first",
            unblocked_by=("team",),
        )
    )


_Run = TypeVar("_Run", TestRun, MigrationRun)


def _latest_run(kind: type[_Run], context: GuardContext, environment: str) -> _Run | None:
    """Return the latest run of *kind* that counts: this version, there, since it got there."""
    release = context.release
    entered = release.entered_at(environment)
    runs = [
        run
        for run in release.evidence_of(kind)
        if run.environment == environment
        and run.version == release.version
        and entered is not None
        and entered <= run.at <= context.now
    ]
    return max(runs, key=lambda run: run.at) if runs else None


@attrs.frozen(kw_only=True)
class ActorAllowed:
    """Only an environment's owners may act in it (on either side of a step).

    Policies add this guard to every step themselves; it cannot be lifted.
    """

    code: str = "owner-only"

    @property
    def kind(self) -> GuardKind:
        """An actor guard."""
        return GuardKind.ACTOR

    def check(self, context: GuardContext) -> Verdict:
        """Pass unless the actor is not an owner of the source or target environment."""
        if context.actor is None:
            return Verdict.ok()
        blockers = []
        for name in (context.source, context.target):
            environment = context.policy.environment(name)
            if not environment.may_act(context.actor):
                owners = tuple(sorted(environment.owners))
                blockers.append(
                    context.blocker(
                        self,
                        reason="not-owner",
                        message=f"{context.actor} may not act in {name}: only "
                        f"{_names(environment.owners)} may",
                        hint=f"ask {_names(environment.owners)} to do this step",
                        unblocked_by=owners,
                    )
                )
        return Verdict.blocked(*blockers)

    def describe(self) -> str:
        """Say what the guard requires."""
        return "only owners act in owned environments"

    def environments(self) -> frozenset[str]:
        """Refers to no environment by name."""
        return frozenset()


@attrs.frozen(kw_only=True)
class NewTestsWritten:
    """New functionality must be covered by new automatic tests.

    Reads the artifact's ``new_functionality`` and every :class:`TestsWritten`
    record; passes trivially when the release adds no functionality.
    """

    code: str = "new-tests-written"
    unblocked_by: tuple[str, ...] = attrs.field(
        default=("developer",), converter=unblocked_by_identities
    )

    @property
    def kind(self) -> GuardKind:
        """An evidence guard."""
        return GuardKind.EVIDENCE

    def check(self, context: GuardContext) -> Verdict:
        """Pass when every piece of new functionality is covered."""
        release = context.release
        covered = {name for item in release.evidence_of(TestsWritten) for name in item.covers}
        uncovered = tuple(n for n in release.artifact.new_functionality if n not in covered)
        if not uncovered:
            return Verdict.ok()
        return Verdict.blocked(
            context.blocker(
                self,
                reason="missing",
                message=f"new functionality of {release.version} has no new automatic tests: "
                f"{_names(uncovered)}",
                hint="write tests covering it and record them as TestsWritten(covers=[...])",
                unblocked_by=self.unblocked_by,
                evidence="tests-written",
            )
        )

    def describe(self) -> str:
        """Say what the guard requires."""
        return "new functionality covered by new tests"

    def environments(self) -> frozenset[str]:
        """Refers to no environment by name."""
        return frozenset()


@attrs.frozen(kw_only=True)
class TestsPassed:
    """The automatic tests passed on an environment for this exact version.

    Only runs after the release reached that environment count, and the latest
    such run decides: a later failure cancels an earlier success.
    """

    __test__ = False  # not a pytest test class

    environment: str = attrs.field(validator=_validate.name)
    command: str = "dt test --notify"
    code: str = "tests-passed"
    unblocked_by: tuple[str, ...] = attrs.field(
        default=("team",), converter=unblocked_by_identities
    )

    @property
    def kind(self) -> GuardKind:
        """An evidence guard."""
        return GuardKind.EVIDENCE

    def check(self, context: GuardContext) -> Verdict:
        """Pass when the latest counting run passed."""
        release = context.release
        if release.entered_at(self.environment) is None:
            return _not_deployed(self, context, self.environment)
        latest = _latest_run(TestRun, context, self.environment)
        if latest is None:
            return Verdict.blocked(
                context.blocker(
                    self,
                    reason="missing",
                    message=f"no automatic test run on {self.environment} has been recorded "
                    f"for {release.version} since it got there",
                    hint=f"run `{self.command}` on {self.environment} and record the result",
                    unblocked_by=self.unblocked_by,
                    evidence="test-run",
                )
            )
        if latest.passed:
            return Verdict.ok()
        return Verdict.blocked(
            context.blocker(
                self,
                reason="failed",
                message=f"the latest test run on {self.environment} for {release.version} "
                f"failed ({when(latest.at)}, by {latest.by})",
                hint=f"fix the failures and run `{self.command}` again",
                unblocked_by=self.unblocked_by,
                evidence="test-run",
            )
        )

    def describe(self) -> str:
        """Say what the guard requires."""
        return f"tests passed on {self.environment}"

    def environments(self) -> frozenset[str]:
        """The environment the tests must pass on."""
        return frozenset({self.environment})


@attrs.frozen(kw_only=True)
class NoForbiddenFunctions:
    """The artifact holds no function the target environment forbids (``test*`` in sandbox)."""

    code: str = "no-forbidden-functions"
    unblocked_by: tuple[str, ...] = attrs.field(
        default=("developer",), converter=unblocked_by_identities
    )

    @property
    def kind(self) -> GuardKind:
        """An evidence guard: it reads the artifact."""
        return GuardKind.EVIDENCE

    def check(self, context: GuardContext) -> Verdict:
        """Pass when no function name matches the target's forbidden patterns."""
        target = context.policy.environment(context.target)
        found = target.forbidden_in(context.release.artifact.functions)
        if not found:
            return Verdict.ok()
        patterns = _names(target.forbidden_functions)
        return Verdict.blocked(
            context.blocker(
                self,
                reason="forbidden",
                message=f"{context.release.version} contains functions {context.target} "
                f"forbids ({patterns}): {_names(found)}",
                hint="remove them during the merge and start a new release without them",
                unblocked_by=self.unblocked_by,
            )
        )

    def describe(self) -> str:
        """Say what the guard requires."""
        return "no forbidden functions"

    def environments(self) -> frozenset[str]:
        """Refers to no environment by name: it reads the step's target."""
        return frozenset()


@attrs.frozen(kw_only=True)
class SignedOff:
    """Someone signed off manual testing on an environment since the release got there.

    With ``require_old_app_versions`` the sign-off must name the older client
    application versions the release was tested with.

    Attributes:
        min_people: How many different people must sign off; two sign-offs by
            one person count once, however the name was typed.
        not_by: Whose sign-off does not count, by keyword: ``"author"``, the
            person who started the release. Unknown keywords are refused.
    """

    environment: str = attrs.field(validator=_validate.name)
    require_old_app_versions: bool = False
    min_people: int = attrs.field(default=1, validator=duties.min_people)
    not_by: frozenset[str] = attrs.field(default=frozenset(), converter=duties.not_by)
    code: str = "signed-off"
    unblocked_by: tuple[str, ...] = attrs.field(
        default=("team",), converter=unblocked_by_identities
    )

    @property
    def kind(self) -> GuardKind:
        """An evidence guard."""
        return GuardKind.EVIDENCE

    def check(self, context: GuardContext) -> Verdict:
        """Pass when enough different people, not barred, signed off as required."""
        release = context.release
        entered = release.entered_at(self.environment)
        if entered is None:
            return _not_deployed(self, context, self.environment)
        sign_offs = [
            item
            for item in release.evidence_of(SignOff)
            if item.environment == self.environment and entered <= item.at <= context.now
        ]
        counting = (
            [item for item in sign_offs if item.old_app_versions]
            if self.require_old_app_versions
            else sign_offs
        )
        same = context.policy.same_person
        counted = duties.count((item.by for item in counting), release, self.not_by, same)
        if len(counted.people) >= self.min_people:
            return Verdict.ok()
        barred = duties.excluded(release, self.not_by, same)
        people = duties.eligible(context.policy.who(self.unblocked_by), counted, barred)
        extra = " with old application versions" if self.require_old_app_versions else ""
        where = f"{release.version} on {self.environment}"
        task = f"test {where}{extra} and record a SignOff"
        if counting:
            shortfall = duties.shortfall(
                counted,
                needed=self.min_people,
                done=f"the manual testing of {where} was signed off",
                did=f"signed off the manual testing of {where}{extra}",
                noun="a sign-off",
                task=task,
            )
            return Verdict.blocked(
                context.blocker(
                    self,
                    reason=shortfall.reason,
                    message=shortfall.message,
                    hint=shortfall.hint,
                    unblocked_by=self.unblocked_by,
                    evidence="sign-off",
                    people=people,
                )
            )
        if sign_offs:
            return Verdict.blocked(
                context.blocker(
                    self,
                    reason="no-old-versions",
                    message=f"the manual testing of {where} "
                    "was signed off without naming the old application versions it used",
                    hint="test with the old application versions and sign off again, "
                    "listing them in old_app_versions",
                    unblocked_by=self.unblocked_by,
                    evidence="sign-off",
                    people=people,
                )
            )
        who = duties.requirement(self.min_people, barred)
        return Verdict.blocked(
            context.blocker(
                self,
                reason="missing",
                message=f"nobody has signed off the manual testing of {where}{extra}",
                hint=f"{task}, {who}" if who else task,
                unblocked_by=self.unblocked_by,
                evidence="sign-off",
                people=people,
            )
        )

    def describe(self) -> str:
        """Say what the guard requires."""
        extra = " with old app versions" if self.require_old_app_versions else ""
        return (
            f"signed off on {self.environment}{extra}"
            f"{duties.describe(self.min_people, self.not_by)}"
        )

    def environments(self) -> frozenset[str]:
        """The environment the sign-off is for."""
        return frozenset({self.environment})


def _positive_age(
    _instance: object, attribute: attrs.Attribute[dt.timedelta], value: object
) -> None:
    if not isinstance(value, dt.timedelta) or value <= dt.timedelta():
        raise InvalidInputError(
            f"{attribute.name} must be a positive duration, got {value!r}",
            field=attribute.name,
            value=value,
        )


@attrs.frozen(kw_only=True)
class LogsReviewed:
    """The error logs of every environment were reviewed just before the step, and look good.

    A review counts only if it is no older than ``max_age`` and was done after
    the release's last deployment. When several reviews cover an environment,
    the latest one decides.

    Attributes:
        max_age: How old a review may be and still count as "just before".
        environments: Whose logs must be reviewed; ``None`` means all of the
            policy's environments.
    """

    max_age: dt.timedelta = attrs.field(validator=_positive_age)
    environments_: frozenset[str] | None = attrs.field(
        default=None,
        alias="environments",
        converter=attrs.converters.optional(_validate.str_frozenset),
    )
    code: str = "logs-reviewed"
    unblocked_by: tuple[str, ...] = attrs.field(
        default=("team",), converter=unblocked_by_identities
    )

    @property
    def kind(self) -> GuardKind:
        """An evidence guard."""
        return GuardKind.EVIDENCE

    def check(self, context: GuardContext) -> Verdict:
        """Pass when every required environment has a fresh, clean review."""
        release = context.release
        required = (
            self.environments_
            if self.environments_ is not None
            else frozenset(env.name for env in context.policy.environments)
        )
        since = release.last_moved_at
        oldest = context.now - self.max_age
        latest: dict[str, LogReview] = {}
        for review in release.evidence_of(LogReview):
            if not (since <= review.at <= context.now and review.at >= oldest):
                continue
            for name in review.environments & required:
                if name not in latest or latest[name].at <= review.at:
                    latest[name] = review
        order = [env.name for env in context.policy.environments if env.name in required]
        missing = tuple(name for name in order if name not in latest)
        troubled = tuple(
            name for name in order if name in latest and latest[name].verdict is LogVerdict.PROBLEMS
        )
        blockers = []
        if missing:
            hours = self.max_age.total_seconds() / 3600
            blockers.append(
                context.blocker(
                    self,
                    reason="missing",
                    message=f"the error logs of {_names(missing)} have not been reviewed in the "
                    f"last {hours:g} h since {release.version} reached {release.state}",
                    hint="review the error logs of those environments and record a LogReview",
                    unblocked_by=self.unblocked_by,
                    evidence="log-review",
                )
            )
        if troubled:
            reviewers = _names(tuple(sorted({latest[name].by for name in troubled})))
            blockers.append(
                context.blocker(
                    self,
                    reason="problems",
                    message=f"the latest log review of {_names(troubled)} (by {reviewers}) "
                    "found problems",
                    hint="fix what the logs show, then review them again",
                    unblocked_by=self.unblocked_by,
                    evidence="log-review",
                )
            )
        return Verdict.blocked(*blockers)

    def describe(self) -> str:
        """Say what the guard requires."""
        which = "all environments" if self.environments_ is None else _names(self.environments_)
        hours = self.max_age.total_seconds() / 3600
        return f"logs of {which} reviewed within {hours:g} h"

    def environments(self) -> frozenset[str]:
        """The environments whose logs must be reviewed (none named means all)."""
        return self.environments_ or frozenset()


@attrs.frozen(kw_only=True)
class MigrationsSucceeded:
    """The release's migrations ran successfully on an environment, if it has any."""

    environment: str = attrs.field(validator=_validate.name)
    code: str = "migrations-succeeded"
    unblocked_by: tuple[str, ...] = attrs.field(
        default=("team",), converter=unblocked_by_identities
    )

    @property
    def kind(self) -> GuardKind:
        """An evidence guard."""
        return GuardKind.EVIDENCE

    def check(self, context: GuardContext) -> Verdict:
        """Pass when there are no migrations or the latest run of them succeeded."""
        release = context.release
        wanted = release.artifact.migrations
        if not wanted:
            return Verdict.ok()
        if release.entered_at(self.environment) is None:
            return _not_deployed(self, context, self.environment)
        latest = _latest_run(MigrationRun, context, self.environment)
        if latest is None:
            return Verdict.blocked(
                context.blocker(
                    self,
                    reason="missing",
                    message=f"the migrations of {release.version} ({_names(wanted)}) have not "
                    f"been run on {self.environment}",
                    hint=f"run the migrations on {self.environment} and record the MigrationRun",
                    unblocked_by=self.unblocked_by,
                    evidence="migration-run",
                )
            )
        not_run = tuple(name for name in wanted if name not in latest.migrations)
        if latest.succeeded and not not_run:
            return Verdict.ok()
        if latest.succeeded:
            message = f"the latest migration run on {self.environment} left out {_names(not_run)}"
        else:
            message = f"the latest migration run of {release.version} on {self.environment} failed"
        return Verdict.blocked(
            context.blocker(
                self,
                reason="failed",
                message=message,
                hint=f"fix the migrations and run all of them on {self.environment} again",
                unblocked_by=self.unblocked_by,
                evidence="migration-run",
            )
        )

    def describe(self) -> str:
        """Say what the guard requires."""
        return f"migrations succeeded on {self.environment}"

    def environments(self) -> frozenset[str]:
        """The environment the migrations must run on."""
        return frozenset({self.environment})


@attrs.frozen(kw_only=True)
class ChangesReviewed:
    """All changes of this version were reviewed once more (on an environment, if given).

    Attributes:
        min_people: How many different people must review them; two reviews
            by one person count once, however the name was typed.
        not_by: Whose review does not count, by keyword: ``"author"``, the
            person who started the release (a review by the author is not a
            second look). Unknown keywords are refused.
    """

    environment: str | None = None
    min_people: int = attrs.field(default=1, validator=duties.min_people)
    not_by: frozenset[str] = attrs.field(default=frozenset(), converter=duties.not_by)
    code: str = "changes-reviewed"
    unblocked_by: tuple[str, ...] = attrs.field(
        default=("team",), converter=unblocked_by_identities
    )

    @property
    def kind(self) -> GuardKind:
        """An evidence guard."""
        return GuardKind.EVIDENCE

    def check(self, context: GuardContext) -> Verdict:
        """Pass when enough different people, not barred, reviewed this version since."""
        release = context.release
        since = release.created_at
        if self.environment is not None:
            entered = release.entered_at(self.environment)
            if entered is None:
                return _not_deployed(self, context, self.environment)
            since = entered
        reviews = [
            review
            for review in release.evidence_of(ChangeReview)
            if review.version == release.version and since <= review.at <= context.now
        ]
        same = context.policy.same_person
        counted = duties.count((review.by for review in reviews), release, self.not_by, same)
        if len(counted.people) >= self.min_people:
            return Verdict.ok()
        barred = duties.excluded(release, self.not_by, same)
        people = duties.eligible(context.policy.who(self.unblocked_by), counted, barred)
        task = f"review all changes of {release.version} and record a ChangeReview"
        if reviews:
            shortfall = duties.shortfall(
                counted,
                needed=self.min_people,
                done=f"the changes of {release.version} were reviewed",
                did=f"reviewed the changes of {release.version}",
                noun="a review",
                task=task,
            )
            return Verdict.blocked(
                context.blocker(
                    self,
                    reason=shortfall.reason,
                    message=shortfall.message,
                    hint=shortfall.hint,
                    unblocked_by=self.unblocked_by,
                    evidence="change-review",
                    people=people,
                )
            )
        where = f" since it reached {self.environment}" if self.environment else ""
        who = duties.requirement(self.min_people, barred)
        hint = "review all changes of the release and record a ChangeReview"
        return Verdict.blocked(
            context.blocker(
                self,
                reason="missing",
                message=f"the changes of {release.version} have not been reviewed once more{where}",
                hint=f"{hint}, {who}" if who else hint,
                unblocked_by=self.unblocked_by,
                evidence="change-review",
                people=people,
            )
        )

    def describe(self) -> str:
        """Say what the guard requires."""
        return f"changes reviewed once more{duties.describe(self.min_people, self.not_by)}"

    def environments(self) -> frozenset[str]:
        """The environment the review belongs to, if any."""
        return frozenset() if self.environment is None else frozenset({self.environment})


@attrs.frozen(kw_only=True)
class InsideWindow:
    """The step may only happen while a time window is open (the production window)."""

    window: Window
    code: str = "production-window"

    @property
    def kind(self) -> GuardKind:
        """A time guard: the only kind a flow may lift."""
        return GuardKind.TIME

    def check(self, context: GuardContext) -> Verdict:
        """Pass inside the window; otherwise say when it next opens."""
        opens = self.window.next_opening(context.now)
        if opens == context.now:  # the next opening is now itself exactly when it is open
            return Verdict.ok()
        allowed = context.allowed_from(self)
        wait = (
            "no opening in the next two years is outside every freeze of this step"
            if allowed is None
            else f"wait until {when(allowed)}"
            + ("" if allowed == opens else ", the first moment every time rule of this step allows")
        )
        return Verdict.blocked(
            context.blocker(
                self,
                reason="closed",
                message=f"{context.target} is closed at {when(context.now)}; "
                f"its window, {self.window.describe()}, next opens {when(opens)}",
                hint=f"{wait}, or start a hotfix release if this cannot wait",
                earliest=allowed,
            )
        )

    def earliest(self, after: pendulum.DateTime) -> pendulum.DateTime | None:
        """Return the next instant at or after *after* inside the window."""
        return self.window.next_opening(after)

    def describe(self) -> str:
        """Say what the guard requires."""
        return f"inside {self.window.describe()}"

    def environments(self) -> frozenset[str]:
        """Refers to no environment by name."""
        return frozenset()


@attrs.frozen(kw_only=True)
class AttestationPresent:
    """A named :class:`~releasekit.Attestation` exists (since the release reached an environment).

    The building block for a team's own evidence: a security review, a
    product owner's go, a load test.
    """

    name: str = attrs.field(validator=_validate.name)
    environment: str | None = None
    code: str = ""
    unblocked_by: tuple[str, ...] = attrs.field(
        default=("team",), converter=unblocked_by_identities
    )
    hint: str = ""

    def __attrs_post_init__(self) -> None:
        if not self.code:
            object.__setattr__(self, "code", self.name)

    @property
    def kind(self) -> GuardKind:
        """An evidence guard."""
        return GuardKind.EVIDENCE

    def check(self, context: GuardContext) -> Verdict:
        """Pass when a matching attestation exists."""
        release = context.release
        since = release.created_at
        if self.environment is not None:
            entered = release.entered_at(self.environment)
            if entered is None:
                return _not_deployed(self, context, self.environment)
            since = entered
        if any(
            item.name == self.name
            and (self.environment is None or item.environment == self.environment)
            and since <= item.at <= context.now
            for item in release.evidence_of(Attestation)
        ):
            return Verdict.ok()
        where = f" on {self.environment}" if self.environment else ""
        return Verdict.blocked(
            context.blocker(
                self,
                reason="missing",
                message=f"{release.version} has no {self.name!r} attestation{where}",
                hint=self.hint or f"record an Attestation(name={self.name!r}){where}",
                unblocked_by=self.unblocked_by,
                evidence="attestation",
            )
        )

    def describe(self) -> str:
        """Say what the guard requires."""
        return f"{self.name} attested"

    def environments(self) -> frozenset[str]:
        """The environment the attestation belongs to, if any."""
        return frozenset() if self.environment is None else frozenset({self.environment})


@attrs.frozen(kw_only=True)
class FunctionGuard:
    """Wrap a plain function as a guard.

    Example:
        >>> def has_ticket(context):
        ...     return Verdict.ok()
        >>> guard = FunctionGuard(code="has-ticket", check_with=has_ticket, description="a ticket")
        >>> guard.describe()
        'a ticket'

    """

    code: str = attrs.field(validator=_validate.name)
    check_with: Callable[[GuardContext], Verdict] = attrs.field(repr=False)
    description: str = attrs.field(default="", repr=False)
    kind_: GuardKind = attrs.field(default=GuardKind.EVIDENCE, alias="kind", repr=False)
    refers_to: frozenset[str] = attrs.field(
        default=frozenset(), converter=_validate.str_frozenset, repr=False
    )

    @property
    def kind(self) -> GuardKind:
        """What the wrapped function reads."""
        return self.kind_

    def check(self, context: GuardContext) -> Verdict:
        """Call the wrapped function."""
        return self.check_with(context)

    def describe(self) -> str:
        """Say what the guard requires."""
        return self.description or self.code

    def environments(self) -> frozenset[str]:
        """The environments named when the guard was built."""
        return self.refers_to
