"""A team's week of releases in a SQLite store, for the board's tests and its screenshots.

As the board shows it on Friday 2026-11-27 at 15:00 UTC (:data:`NOW`):

- 2.3.0 (normal) runs in production since last Saturday's window; its logs were
  checked every hour until a check at 13:00 found errors (an attention item);
- 2.2.0 was abandoned on Tuesday;
- 2.4.0 (normal) waits in stage with every piece of evidence: only the weekend
  window holds it, until Saturday 09:00;
- 2.5.0 (normal) is in sandbox, blocked: nobody signed off, logs not reviewed;
- 2.6.0 (normal) was just started with new functionality and no tests for it;
- 2.4.1 (hotfix) passed its tests and may move on now;
- a data adjustment of production awaits its second verification;
- the team's offsite freezes production on the weekend of 5 December (in the policy), and
  maria declared a freeze on the spot at 14:40: the payments provider is down, no normal
  release enters production until Saturday 10:30.

The policy is the reference policy with the team's roster, so every blocker
names the people who can clear it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import attrs
import pendulum

import releasekit as rk
from releasekit import executors
from releasekit.testing import walk_to

__all__ = ["NOW", "ROSTER", "Seeded", "copy", "seed"]

#: When the board is looked at: a Friday afternoon, before the weekend window.
NOW = pendulum.datetime(2026, 11, 27, 15, 0, tz="UTC")

#: Who may declare a freeze on the spot.
DECLARERS = 'freeze_declarers = ["maria"]\n'
#: The team, as a policy file lists it.
ROSTER = """
[people.anton]
roles = ["developer", "team"]

[people.maria]
aliases = ["mk"]
roles = ["team"]

[people.ivan]
roles = ["team"]

[people.ci]
roles = ["ci"]

[people.data-operator]
roles = ["operator"]

[[freezes]]
name = "offsite"
reason = "the whole team is at the offsite"
timezone = "Europe/Berlin"
dates = [{ first = 2026-12-05, last = 2026-12-06 }]
"""


@attrs.frozen(kw_only=True)
class Seeded:
    """Where the seeded store and its policy file are.

    Attributes:
        db: The SQLite file.
        policy: The policy file (the reference policy and the roster).
        now: The instant the board is looked at.
    """

    db: Path
    policy: Path
    now: pendulum.DateTime


def _day(day: int, hour: int, minute: int = 0) -> pendulum.DateTime:
    return pendulum.datetime(2026, 11, day, hour, minute, tz="UTC")


@attrs.define
class _Week:
    """Writes the week in order: a FixedClock never goes back."""

    desk: rk.Desk
    recorder: executors.DryRunExecutor
    checked: pendulum.DateTime | None = None

    def at(self, moment: pendulum.DateTime) -> None:
        """Check production's logs every hour up to *moment*, then move the clock there."""
        clock = self.desk.clock
        assert isinstance(clock, rk.FixedClock)
        while self.checked is not None and self.checked.add(hours=1) <= moment:
            self.checked = max(self.checked.add(hours=1), clock.now())
            clock.set(self.checked)
            self.desk.check_production("2.3.0", by="ci")
        clock.set(moment)


def seed(folder: Path) -> Seeded:
    """Write the week's releases into ``folder/releases.db``; return where things are."""
    policy_file = folder / "releasekit.toml"
    reference = rk.reference_policy_file()
    first_table = reference.index("\n[")  # top-level keys go before the first table
    policy_file.write_text(
        f"{reference[:first_table]}\n{DECLARERS}{reference[first_table:]}{ROSTER}",
        encoding="utf-8",
    )
    policy = rk.load_policy(policy_file)
    recorder = executors.DryRunExecutor()
    clock = rk.FixedClock(pendulum.datetime(2026, 11, 16, 10, 0, tz="UTC"))
    store = rk.stores.SqliteStore(folder / "releases.db")
    desk = rk.Desk(policy, store=store, executors=executors.dry_run(recorder), clock=clock)
    try:
        _week(desk, recorder)
    finally:
        store.close()
    return Seeded(db=folder / "releases.db", policy=policy_file, now=NOW)


def _week(desk: rk.Desk, recorder: executors.DryRunExecutor) -> None:
    week = _Week(desk=desk, recorder=recorder)
    desk.start("2.2.0", by="anton", artifact=rk.Artifact(functions=["quote"]))
    week.at(_day(17, 9))
    desk.abandon("2.2.0", by="anton", reason="superseded by 2.3.0")

    week.at(_day(19, 10))
    desk.start("2.3.0", by="anton", artifact=rk.Artifact(functions=["quote", "chart"]))
    _, week.checked = walk_to(desk, "2.3.0", "production")

    week.at(_day(23, 10))
    desk.start(
        "2.4.0",
        by="anton",
        artifact=rk.Artifact(
            functions=["quote", "chart", "export"],
            migrations=["0042_add_index"],
            new_functionality=["export"],
        ),
    )
    walk_to(desk, "2.4.0", "stage")

    week.at(_day(25, 10))
    desk.start("2.5.0", by="anton", artifact=rk.Artifact(functions=["quote", "chart"]))
    walk_to(desk, "2.5.0", "sandbox")

    week.at(_day(27, 11))
    desk.migrate("2.4.0", by="anton")
    now = desk.clock.now()
    desk.add_evidence(
        "2.4.0",
        rk.SignOff(by="maria", at=now, environment="stage", old_app_versions=["2.3.0"]),
        rk.ChangeReview(by="ivan", at=now, version="2.4.0"),
    )

    week.at(_day(27, 13))
    desk.start(
        "2.6.0",
        by="anton",
        artifact=rk.Artifact(functions=["alerts"], new_functionality=["alerts"]),
    )
    week.at(_day(27, 13, 5))
    week.checked = None  # the checks stop: the next one finds errors
    recorder.logs["production"] = ("ERROR quote: division by zero for symbol IEX",)
    desk.check_production("2.3.0", by="ci")
    recorder.logs.clear()

    week.at(_day(27, 14))
    desk.start("2.4.1", by="anton", kind="hotfix", artifact=rk.Artifact(functions=["quote"]))
    walk_to(desk, "2.4.1", "tests")
    desk.run_tests("2.4.1", by="ci")

    week.at(_day(27, 14, 40))
    desk.freezes.declare(
        "payments-outage",
        until=_day(28, 10, 30),
        reason="the payments provider is down",
        by="maria",
    )

    week.at(_day(27, 14, 45))
    adjustment = desk.data.request_adjustment(
        "production",
        "reprice",
        ["symbol=IEX", "from=2026-11-21"],
        by="maria",
        reason="prices of IEX were stored ten times too high since Saturday",
    )
    desk.data.verify_adjustment(adjustment.id, by="ivan", note="checked the ten rows")


def copy(seeded: Seeded, folder: Path) -> Seeded:
    """Copy the seeded store and its policy file into *folder*, for tests that change it."""
    shutil.copyfile(seeded.db, folder / seeded.db.name)
    shutil.copyfile(seeded.policy, folder / seeded.policy.name)
    return Seeded(db=folder / seeded.db.name, policy=folder / seeded.policy.name, now=seeded.now)
