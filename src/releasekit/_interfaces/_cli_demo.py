"""``releasekit demo``: a normal and a hotfix release, end to end, on a simulated clock.

The demo drives a real :class:`~releasekit.Desk` over the embedded SQLite store
(a temporary file unless ``--db`` names one) with dry-run executors and the
reference policy, with a roster of its people (:data:`DEMO_ROSTER`), so its
blockers name who can clear them. The clock starts at a fixed Friday morning and only moves
when the story says so, so the output is the same on every run and machine —
but for the heads of the histories, which cover the lease tokens and the
processes of the steps, new on every run.
"""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import pendulum

from releasekit._actions.desk import Desk
from releasekit._actions.executors.recording import dry_run
from releasekit._interfaces import _cli_render as show
from releasekit._interfaces._cli_session import Reply
from releasekit._interfaces._cli_suggestions import suggested_commands
from releasekit._records.sqlite import SqliteStore
from releasekit._rules.clock import FixedClock
from releasekit._rules.evidence import ChangeReview, LogReview, SignOff, TestRun, TestsWritten
from releasekit._rules.reference import production_window, reference_policy
from releasekit._rules.release import Artifact, ReleaseKind
from releasekit._rules.roster import Person, Roster
from releasekit.exceptions import InvalidInputError, PromotionRefusedError

if TYPE_CHECKING:
    import argparse
    from collections.abc import Iterator

    from releasekit._interfaces._cli_session import Session
    from releasekit._rules.evidence import Evidence
    from releasekit._rules.verdicts import Blocker

__all__ = ["DEMO_ROSTER", "FRIDAY_MORNING", "SATURDAY_AFTERNOON", "demo"]

#: When the normal release starts: a Friday morning, in UTC.
FRIDAY_MORNING = pendulum.datetime(2026, 11, 27, 11, 0, tz="UTC")
#: When the hotfix starts: Saturday afternoon, after the production window closed.
SATURDAY_AFTERNOON = pendulum.datetime(2026, 11, 28, 13, 0, tz="UTC")
#: The demo's team: anton develops (and owns his sandbox), maria and ivan test and
#: review, the CI pipeline runs the tests under its login, one person adjusts data.
DEMO_ROSTER = Roster(
    people=(
        Person(name="anton", roles=("developer", "team")),
        Person(name="maria", aliases=("mk",), roles=("team",)),
        Person(name="ivan", roles=("team",)),
        Person(name="ci", aliases=("github-actions",), roles=("ci",)),
        Person(name="data-operator", roles=("operator",)),
    )
)
#: Options the demo does not take: it always runs its own story.
_NOT_FOR_THE_DEMO = ("policy", "now", "executors", "dt", "actor")


@attrs.define
class _Story:
    """Runs the demo's steps through a desk and writes down each one, as text and as data."""

    desk: Desk
    clock: FixedClock
    steps: list[dict[str, object]] = attrs.field(factory=list)
    lines: list[str] = attrs.field(factory=list)

    def heading(self, text: str) -> None:
        self.lines.extend(["", f"== {text} =="])

    def _step(
        self,
        actor: str,
        command: str,
        release_id: str,
        *,
        outcome: str,
        summary: str,
        blockers: tuple[Blocker, ...] = (),
    ) -> None:
        self.steps.append(
            {
                "at": show.timestamp(self.clock.now()),
                "actor": actor,
                "command": command,
                "release_id": release_id,
                "outcome": outcome,
                "summary": summary,
                "blockers": [self._blocker_json(release_id, blocker) for blocker in blockers],
            }
        )
        self.lines.append(
            f"{show.short(self.clock.now())}  {actor:<5}  {command} {release_id}: {summary}"
        )
        self.lines.extend(f"    {show.blocker_line(blocker)}" for blocker in blockers)

    def _blocker_json(self, release_id: str, blocker: Blocker) -> dict[str, object]:
        """A blocker as ``explain --json`` shows it, with the commands that would clear it."""
        release = self.desk.get(release_id).release
        commands = suggested_commands(blocker, release, self.desk.policy)
        return show.blocker_json(blocker, commands)

    def _last_reason(self, release_id: str) -> str:
        return self.desk.history(release_id)[-1].reason

    def start(self, version: str, kind: ReleaseKind, artifact: Artifact, *, by: str) -> str:
        release = self.desk.start(version, by=by, kind=kind, artifact=artifact).release
        self._step(
            by,
            "start",
            release.id,
            outcome="started",
            summary=f"started ({kind.value}) in {release.state}",
        )
        return release.id

    def promote(self, release_id: str, *, by: str, note: str = "") -> None:
        seen = self.desk.get(release_id)
        step = self.desk.engine.next_step(seen.release)
        try:  # naming the step meant, as every tool should
            release = self.desk.promote(
                release_id,
                by=by,
                to=None if step is None else step.target,
                revision=seen.revision,
            ).release
        except PromotionRefusedError as refusal:
            count = len(refusal.blockers)
            self._step(
                by,
                "promote",
                release_id,
                outcome="refused",
                summary=f"REFUSED, {refusal.source} -> {refusal.target} "
                f"({count} {'reason' if count == 1 else 'reasons'}){note}",
                blockers=refusal.blockers,
            )
            return
        self._step(
            by,
            "promote",
            release_id,
            outcome="promoted",
            summary=f"{release.moves[-1].source} -> {release.moves[-1].target}{note}; "
            f"{self._last_reason(release_id)}",
        )

    def add_evidence(self, release_id: str, *evidence: Evidence) -> None:
        for item in evidence:
            self.desk.add_evidence(release_id, item)
            self._step(
                item.by,
                "record",
                release_id,
                outcome="recorded",
                summary=show.evidence_summary(item),
            )

    def run_tests(self, release_id: str, *, by: str) -> None:
        release = self.desk.run_tests(release_id, by=by).release
        outcome = "passed" if release.evidence_of(TestRun)[-1].passed else "failed"
        self._step(
            by,
            "run-tests",
            release_id,
            outcome=outcome,
            summary=f"{outcome}; {self._last_reason(release_id)}",
        )

    def migrate(self, release_id: str, *, by: str) -> None:
        self.desk.migrate(release_id, by=by)
        self._step(
            by,
            "migrate",
            release_id,
            outcome="succeeded",
            summary=f"succeeded; {self._last_reason(release_id)}",
        )

    def explain(self, release_id: str, *, by: str) -> None:
        explanation = self.desk.explain(release_id, actor=by)
        lifted = f"; lifted for this kind: {', '.join(explanation.lifted)}"
        self._step(
            by,
            "explain",
            release_id,
            outcome="allowed" if explanation.allowed else "blocked",
            summary=("allowed now" if explanation.allowed else "blocked")
            + (lifted if explanation.lifted else ""),
            blockers=explanation.blockers,
        )

    def plan(self, release_id: str, *, by: str) -> pendulum.DateTime:
        made = self.desk.plan(release_id)
        earliest = made.earliest_production
        assert earliest is not None  # noqa: S101  # the reference window always opens again
        self._step(
            by,
            "plan",
            release_id,
            outcome="planned",
            summary=f"production at the earliest {show.short(earliest)}",
        )
        return earliest

    def verify(self, release_id: str) -> None:
        verification = self.desk.verify(release_id)
        state = "intact" if verification.ok else f"TAMPERED at event {verification.seq}"
        self._step(
            "ci",
            "verify",
            release_id,
            outcome="ok" if verification.ok else "tampered",
            summary=f"history {state}: {verification.events} events, head {verification.head[:12]}",
        )


def _normal_release(story: _Story) -> None:
    clock = story.clock
    story.heading("A normal release: 2.4.0 adds `chart` and brings a migration")
    release = story.start(
        "2.4.0",
        ReleaseKind.NORMAL,
        Artifact(
            functions=("quote", "chart"),
            migrations=("0042_add_index",),
            new_functionality=("chart",),
        ),
        by="anton",
    )
    story.promote(release, by="maria")  # not her sandbox, and `chart` has no tests yet
    clock.advance(minutes=10)
    story.add_evidence(
        release,
        TestsWritten(by="anton", at=clock.now(), covers=("chart",), tests=("test_chart_renders",)),
    )
    story.promote(release, by="anton")
    clock.advance(minutes=40)
    story.run_tests(release, by="ci")
    story.promote(release, by="anton")
    clock.advance(hours=2, minutes=10)  # the team tests by hand on sandbox
    story.promote(release, by="anton")
    clock.advance(minutes=30)
    story.add_evidence(
        release,
        SignOff(by="maria", at=clock.now(), environment="sandbox", note="charts look right"),
        LogReview(
            by="ivan",
            at=clock.now(),
            environments=story.desk.policy.environment_names,
            verdict="clean",
        ),
    )
    story.promote(release, by="anton")
    clock.set(pendulum.datetime(2026, 11, 27, 18, 0, tz="UTC"))  # Friday evening
    story.promote(release, by="anton")
    clock.advance(minutes=10)
    story.migrate(release, by="ci")
    clock.advance(minutes=30)
    story.add_evidence(
        release,
        SignOff(by="maria", at=clock.now(), environment="stage", old_app_versions=("2.3.1",)),
        ChangeReview(by="ivan", at=clock.now(), version="2.4.0"),
    )
    story.promote(release, by="anton")
    clock.set(story.plan(release, by="anton"))
    story.promote(release, by="anton")
    story.verify(release)


def _hotfix(story: _Story) -> None:
    clock = story.clock
    clock.set(SATURDAY_AFTERNOON)
    story.heading("A hotfix: 2.4.1 fixes `quote` on Saturday afternoon, after the window closed")
    release = story.start(
        "2.4.1", ReleaseKind.HOTFIX, Artifact(functions=("quote", "chart")), by="anton"
    )
    story.promote(release, by="anton", note=" (no new functionality, so no new tests owed)")
    clock.advance(minutes=30)
    story.run_tests(release, by="ci")
    story.promote(release, by="anton")
    story.promote(release, by="anton", note=": a hotfix skips no step")
    clock.advance(minutes=30)
    story.add_evidence(
        release,
        SignOff(by="maria", at=clock.now(), environment="sandbox"),
        LogReview(
            by="ivan",
            at=clock.now(),
            environments=story.desk.policy.environment_names,
            verdict="clean",
        ),
    )
    story.promote(release, by="anton")
    story.promote(release, by="anton", note=": still no window blocker")
    clock.advance(minutes=30)
    story.add_evidence(
        release,
        SignOff(by="maria", at=clock.now(), environment="stage", old_app_versions=("2.4.0",)),
        ChangeReview(by="ivan", at=clock.now(), version="2.4.1"),
    )
    story.explain(release, by="anton")
    story.promote(release, by="anton", note=", outside the window")
    story.verify(release)


@contextlib.contextmanager
def _store_file(given: str | None) -> Iterator[str]:
    if given is not None:
        yield given
        return
    with tempfile.TemporaryDirectory(prefix="releasekit-demo-") as folder:
        yield str(Path(folder) / "demo.db")


def demo(session: Session, args: argparse.Namespace) -> Reply:
    """Run the demo and reply with its story.

    Raises:
        InvalidInputError: An option the demo does not take was given, or the
            ``--db`` file already holds releases.
    """
    del session  # the demo resolves nothing from the environment: it is the same everywhere
    for option in _NOT_FOR_THE_DEMO:
        if getattr(args, option, None) is not None:
            raise InvalidInputError(
                f"the demo always runs the reference policy with its own people, dry-run "
                f"executors and a simulated clock; drop --{option}",
                field=option,
                value=getattr(args, option),
            )
    given: str | None = getattr(args, "db", None)  # the command line only, never RELEASEKIT_DB
    with _store_file(given) as path, SqliteStore(path) as store:
        if given is not None and store.histories():
            raise InvalidInputError(
                f"{given} already holds releases; the demo needs a store of its own: "
                "remove the file or name another one",
                field="db",
                value=given,
            )
        clock = FixedClock(FRIDAY_MORNING)
        policy = reference_policy(roster=DEMO_ROSTER)
        desk = Desk(policy, store=store, executors=dry_run(), clock=clock)
        story = _Story(desk, clock)
        story.lines.extend(
            [
                "releasekit demo: a normal and a hotfix release through the reference policy",
                f"  store:     {given or 'a temporary SQLite file (keep one: --db FILE)'}",
                "  people:    anton (developer), maria and ivan (team), ci, data-operator",
                "  executors: a dry run: nothing is deployed, each step says what would run",
                f"  clock:     simulated, from {show.short(FRIDAY_MORNING)}",
            ]
        )
        _normal_release(story)
        _hotfix(story)
        openings = production_window().next_openings(clock.now(), 3)
        story.heading("The next production windows")
        story.lines.extend(
            f"  {show.short(opening.start)} until {show.short(opening.end)}"
            for opening in openings
            if opening.end is not None
        )
        records = desk.records(desk.releases(active=False))
    story.lines.append("")
    if given:
        story.lines.append(
            f"Look around: releasekit --db {given} status --all, history 2.4.0, diagram 2.4.1"
        )
    else:
        story.lines.append(
            "Keep the store and look around: releasekit demo --db demo.db, then "
            "releasekit --db demo.db status --all"
        )
    return Reply(
        data={
            "store": given,
            "started_at": show.timestamp(FRIDAY_MORNING),
            "steps": story.steps,
            "releases": [show.record_json(record) for record in records],
            "production_windows": [
                {"start": show.timestamp(opening.start), "end": show.timestamp(opening.end)}
                for opening in openings
            ],
        },
        text="\n".join(story.lines),
    )
