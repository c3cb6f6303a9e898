"""The reference policy: the team process releasekit ships with.

Five environments — a developer's own sandbox, a tests environment, the
team's shared sandbox, stage and production — passed through in that order by
every release. A hotfix takes exactly the same steps; only the production
window (Saturday and Sunday, 09:00-12:00 UTC) is lifted for it.

Manual testing is signed off by anyone of the team, the release's author
included; the final review of all changes before production must be done by
someone other than its author.

The reference policy names no roster: anyone may be named, as typed. A team
that lists its people passes ``roster=``; its blockers then name who can clear
them, and a name no one on the roster goes by is refused.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from releasekit._rules.environments import (
    DataAdjustmentRule,
    DataLifecycle,
    DataSource,
    Environment,
    LogMonitoring,
    ScheduledTestRun,
)
from releasekit._rules.guards import (
    ChangesReviewed,
    InsideWindow,
    LogsReviewed,
    MigrationsSucceeded,
    NewTestsWritten,
    NoForbiddenFunctions,
    SignedOff,
    TestsPassed,
)
from releasekit._rules.policy import Flow, Gate, Policy
from releasekit._rules.release import ReleaseKind
from releasekit._rules.windows import Window

if TYPE_CHECKING:
    from collections.abc import Iterable

    from releasekit._rules.roster import Roster

__all__ = ["production_window", "reference_policy"]

SANDBOX_ANTON = "sandbox-anton"
TESTS = "tests"
SANDBOX = "sandbox"
STAGE = "stage"
PRODUCTION = "production"
ORDER = (SANDBOX_ANTON, TESTS, SANDBOX, STAGE, PRODUCTION)


def production_window() -> Window:
    """Return the reference production window: Saturday and Sunday, 09:00-12:00 UTC.

    The team's process says "9-12 GMT"; it means UTC all year round, not
    Europe/London, whose clocks move to BST in summer.
    """
    return Window.weekends(start="09:00", end="12:00", timezone="UTC", name="production window")


def reference_policy(
    *,
    owner: str = "anton",
    data_operator: str = "data-operator",
    log_review_max_age: dt.timedelta = dt.timedelta(hours=4),
    test_run_drift: dt.timedelta = dt.timedelta(minutes=30),
    test_run_duration: dt.timedelta = dt.timedelta(hours=1),
    roster: Roster | None = None,
    freeze_declarers: Iterable[str] = (),
) -> Policy:
    """Build the reference policy.

    Args:
        owner: The one developer who owns the first sandbox.
        data_operator: The one person allowed to adjust production data.
        log_review_max_age: How old a log review may be and still count as
            done "just before" the move to stage.
        test_run_drift: How far the daily test run's real start may lie from 00:00 UTC.
        test_run_duration: How long a test run usually takes.
        roster: The team's people, if the policy is to know them: it must list
            *owner* and *data_operator* (by name or alias) and give someone the
            roles ``team`` and ``developer``, which the guards name as who
            clears them. ``None`` (the default): no roster.
        freeze_declarers: Who may declare a freeze on the spot (an incident)
            and lift one: people, or with a roster ``@roles``. Nobody by default.

    Raises:
        PolicyError: *roster* leaves out someone the policy names, or a role it needs.
    """
    environments = (
        Environment(
            name=SANDBOX_ANTON,
            purpose="where all development happens, by its owner alone",
            owners=frozenset({owner}),
            data=DataLifecycle(
                may_be_corrupted=True,
                restorable_from=frozenset({TESTS, SANDBOX, STAGE, PRODUCTION}),
            ),
        ),
        Environment(
            name=TESTS,
            purpose="where the automatic tests run",
            data_source=DataSource(
                provider="IEX",
                feed="sandbox",
                note="synthetic data that correlates only weakly with real data",
            ),
            data=DataLifecycle(erased_by_test_runs=True),
            scheduled_test_run=ScheduledTestRun(
                at=dt.time(0, 0),
                timezone="UTC",
                drift=test_run_drift,
                duration=test_run_duration,
            ),
            exclusive_test_runs=True,
        ),
        Environment(
            name=SANDBOX,
            purpose="where the team tests by hand",
            data_source=DataSource(
                provider="IEX",
                feed="production",
                note="the same data as production, in smaller volume",
            ),
            forbidden_functions=("test*",),
            report_problems_immediately=True,
        ),
        Environment(
            name=STAGE,
            purpose="where migrations and the last manual tests run just before production",
        ),
        Environment(
            name=PRODUCTION,
            purpose="what customers use",
            log_monitoring=LogMonitoring(every=dt.timedelta(hours=1), react_immediately=True),
            data_adjustments=DataAdjustmentRule(
                operator=data_operator, min_verifications=2, max_verifications=3, tool="dt"
            ),
        ),
    )
    gates = (
        Gate(environment=TESTS, guards=(NewTestsWritten(unblocked_by=(owner,)),)),
        Gate(
            environment=SANDBOX,
            guards=(TestsPassed(environment=TESTS), NoForbiddenFunctions()),
        ),
        Gate(
            environment=STAGE,
            guards=(SignedOff(environment=SANDBOX), LogsReviewed(max_age=log_review_max_age)),
        ),
        Gate(
            environment=PRODUCTION,
            guards=(
                MigrationsSucceeded(environment=STAGE),
                SignedOff(environment=STAGE, require_old_app_versions=True),
                # The team tests together, author included; the last review of the
                # changes is a second look, so its author's own does not count.
                ChangesReviewed(environment=STAGE, not_by=frozenset({"author"})),
                InsideWindow(window=production_window()),
            ),
        ),
    )
    flows = (
        Flow(
            kind=ReleaseKind.NORMAL,
            path=ORDER,
            description="every change, through every environment, into the weekend window",
        ),
        Flow(
            kind=ReleaseKind.HOTFIX,
            path=ORDER,
            lifts=frozenset({"production-window"}),
            description="an urgent fix: the same steps, none skipped, at any time",
        ),
    )
    return Policy(
        name="reference",
        environments=environments,
        gates=gates,
        flows=flows,
        description="the release process releasekit ships with",
        roster=roster,
        freeze_declarers=tuple(freeze_declarers),
    )
