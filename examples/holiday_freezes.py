"""Freezes: Christmas, the last week of each quarter, and a bank-holiday calendar.

The reference process, plus three freezes a team lead would ask for: no
release from 24 to 26 December, none in the last seven days of a quarter
(hotfixes excepted), and none on the bank holidays of holidays.ics beside
this script. A normal release ready for production is refused inside each
of them, with the freeze named, and told exactly when it may go; a hotfix
goes through the quarter-end freeze, which its flow lifts, and is held by the
others, which it does not.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import attrs
import pendulum

import releasekit as rk
from releasekit import calendars

HERE = Path(__file__).parent

christmas = rk.Freeze(
    name="christmas",
    reason="the office is closed",
    timezone="Europe/London",
    yearly=[rk.YearlyDates(first="12-24", last="12-26")],
)
quarter_end = rk.Freeze(
    name="quarter-end",
    reason="finance closes the books",
    timezone="Europe/London",
    recurrences=[
        rk.Recurrence(
            rule="FREQ=MONTHLY;BYMONTH=3,6,9,12;BYMONTHDAY=-7",  # the 7th day from the end
            start=dt.date(2026, 1, 1),
            duration=dt.timedelta(days=7),
        )
    ],
)
bank_holidays = calendars.freeze_from_ics(
    HERE / "holidays" / "holidays.ics",
    name="bank-holidays",
    reason="nobody is on call",
    timezone="Europe/London",
)

reference = rk.reference_policy()
policy = attrs.evolve(
    reference,
    freezes=(christmas, quarter_end, bank_holidays),
    flows=tuple(
        attrs.evolve(flow, lifts=flow.lifts | {"quarter-end-freeze"})
        if flow.kind is rk.ReleaseKind.HOTFIX
        else flow
        for flow in reference.flows
    ),
)
engine = rk.Engine(policy)


def ready(kind: str, at: pendulum.DateTime) -> rk.Release:
    """Return a release in stage with all the evidence production asks for."""
    release = engine.start(
        release_id=f"{kind}-{at.date()}", version="2.4.0", kind=kind, by="anton", now=at
    )
    release = attrs.evolve(release, state="stage")
    return engine.add_evidence(
        release,
        rk.MigrationRun(
            environment="stage", version="2.4.0", migrations=(), succeeded=True, at=at, by="ci"
        ),
        rk.SignOff(by="maria", at=at, environment="stage", old_app_versions=("2.3.1",)),
        rk.ChangeReview(by="ivan", at=at, version="2.4.0"),
        now=at,
    )


def ask(kind: str, now: pendulum.DateTime) -> rk.Explanation:
    """Explain a release of *kind* that became ready an hour before *now*."""
    release = ready(kind, now.subtract(hours=1))
    explanation = engine.explain(release, now=now)
    print(f"{kind} release at {rk.guards.when(now)}:")
    if explanation.allowed:
        print(f"  allowed now (lifted: {', '.join(explanation.lifted)})")
    for blocker in explanation.blockers:
        print(f"  [{blocker.code}] {blocker.message}")
    if explanation.earliest is not None:
        print(f"  allowed from {rk.guards.when(explanation.earliest)}")
    return explanation


# Boxing Day 2026 is a Saturday, inside the window but inside the Christmas freeze
# (and the quarter-end one): production opens again on Saturday 2 January 2027.
boxing_day = ask("normal", pendulum.datetime(2026, 12, 26, 10, tz="UTC"))
assert not boxing_day.allowed
assert pendulum.datetime(2027, 1, 2, 9, tz="UTC") == boxing_day.earliest
assert {"christmas-freeze", "quarter-end-freeze"} <= {b.code for b in boxing_day.blockers}

# Sunday 27 June 2027, in the window and in the last week of the second quarter; the
# weekend after it is the office move in holidays.ics, so the next is Saturday 10 July.
quarter = ask("normal", pendulum.datetime(2027, 6, 27, 10, tz="UTC"))
assert ["quarter-end-freeze"] == [b.code for b in quarter.blockers]
assert pendulum.datetime(2027, 7, 10, 9, tz="UTC") == quarter.earliest

# A hotfix goes through the quarter-end freeze: the policy lifts it for hotfixes.
assert ask("hotfix", pendulum.datetime(2027, 6, 27, 10, tz="UTC")).allowed

# Easter Monday 2027 (from holidays.ics): a hotfix is held too, until Tuesday.
easter = ask("hotfix", pendulum.datetime(2027, 3, 29, 10, tz="UTC"))
assert ["bank-holidays-freeze"] == [b.code for b in easter.blockers]
assert pendulum.datetime(2027, 3, 29, 23, tz="UTC") == easter.earliest  # midnight in BST

# The plan says the same, step by step, with every rule that held the release back.
plan = engine.plan(
    ready("normal", pendulum.datetime(2026, 12, 23, 9, tz="UTC")),
    now=pendulum.datetime(2026, 12, 23, 10, tz="UTC"),
)
print("plan for a normal release on 23 December 2026:")
for wait in plan.steps[-1].waits:
    print(f"  waits: [{wait.code}] {wait.message}")
print(f"  production at the earliest: {rk.guards.when(plan.earliest_production)}")  # type: ignore[arg-type]
assert pendulum.datetime(2027, 1, 2, 9, tz="UTC") == plan.earliest_production
