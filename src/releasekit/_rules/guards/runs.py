"""Guards on what ran and what ships: tests written and passed, test code left out, migrations."""

from __future__ import annotations

import attrs

from releasekit._rules import _validate
from releasekit._rules.evidence import (
    MigrationRun,
    TestRun,
    TestsWritten,
)
from releasekit._rules.guards.base import (
    GuardContext,
    GuardKind,
    latest_run,
    names,
    not_deployed,
    when,
)
from releasekit._rules.identity import unblocked_by_identities
from releasekit._rules.verdicts import Verdict

__all__ = ["MigrationsSucceeded", "NewTestsWritten", "NoForbiddenFunctions", "TestsPassed"]


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
                f"{names(uncovered)}",
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
            return not_deployed(self, context, self.environment)
        latest = latest_run(TestRun, context, self.environment)
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
        patterns = names(target.forbidden_functions)
        return Verdict.blocked(
            context.blocker(
                self,
                reason="forbidden",
                message=f"{context.release.version} contains functions {context.target} "
                f"forbids ({patterns}): {names(found)}",
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
            return not_deployed(self, context, self.environment)
        latest = latest_run(MigrationRun, context, self.environment)
        if latest is None:
            return Verdict.blocked(
                context.blocker(
                    self,
                    reason="missing",
                    message=f"the migrations of {release.version} ({names(wanted)}) have not "
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
            message = f"the latest migration run on {self.environment} left out {names(not_run)}"
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
