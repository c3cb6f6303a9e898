"""Guards on what people reviewed: manual testing signed off, logs reviewed, changes reviewed."""

from __future__ import annotations

import datetime as dt

import attrs

from releasekit._rules import _validate, duties
from releasekit._rules.evidence import (
    ChangeReview,
    LogReview,
    LogVerdict,
    SignOff,
)
from releasekit._rules.guards.base import (
    GuardContext,
    GuardKind,
    names,
    not_deployed,
)
from releasekit._rules.identity import unblocked_by_identities
from releasekit._rules.verdicts import Verdict
from releasekit.exceptions import InvalidInputError

__all__ = ["ChangesReviewed", "LogsReviewed", "SignedOff"]


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
            return not_deployed(self, context, self.environment)
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
                    message=f"the error logs of {names(missing)} have not been reviewed in the "
                    f"last {hours:g} h since {release.version} reached {release.state}",
                    hint="review the error logs of those environments and record a LogReview",
                    unblocked_by=self.unblocked_by,
                    evidence="log-review",
                )
            )
        if troubled:
            reviewers = names(tuple(sorted({latest[name].by for name in troubled})))
            blockers.append(
                context.blocker(
                    self,
                    reason="problems",
                    message=f"the latest log review of {names(troubled)} (by {reviewers}) "
                    "found problems",
                    hint="fix what the logs show, then review them again",
                    unblocked_by=self.unblocked_by,
                    evidence="log-review",
                )
            )
        return Verdict.blocked(*blockers)

    def describe(self) -> str:
        """Say what the guard requires."""
        which = "all environments" if self.environments_ is None else names(self.environments_)
        hours = self.max_age.total_seconds() / 3600
        return f"logs of {which} reviewed within {hours:g} h"

    def environments(self) -> frozenset[str]:
        """The environments whose logs must be reviewed (none named means all)."""
        return self.environments_ or frozenset()


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
                return not_deployed(self, context, self.environment)
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
