"""Production monitoring and a rollback: hourly log checks, a bad one, and the way back.

Two hotfixes reach production one after the other. A scheduler checks the production logs of
whatever runs there every hour. 2.4.1's second check finds errors: the team is notified at once
and the release needs attention. Olga rolls production back to 2.4.0, which is monitored again
from the moment it returns, and clears the attention item.

Everything runs dry: a ``DryRunExecutor`` stands in for ``dt`` (its outcomes name the ``dt``
commands a real run would start) and a ``FixedClock`` for the time.

Run it with ``python examples/production_monitoring.py``.
"""

from __future__ import annotations

import pendulum

import releasekit as rk
from releasekit import executors as ex

ERRORS = ("11:47:02 ERROR chart: division by zero in moving_average",)


def say(clock: rk.FixedClock, text: str) -> None:
    """Print *text* with the simulated time."""
    print(f"{clock.now().format('ddd HH:mm')}  {text}")


def release_hotfix(desk: rk.Desk, clock: rk.FixedClock, version: str) -> rk.stores.Record:
    """Take a hotfix through every environment, adding the evidence each gate reads."""
    release = desk.start(version, by="anton", kind="hotfix")
    desk.add_evidence(release.id, rk.TestsWritten(by="anton", at=clock.now()))
    desk.promote(release.id, by="anton")
    desk.run_tests(release.id, by="ci")
    clock.advance(minutes=10)
    desk.promote(release.id, by="maria")
    desk.add_evidence(release.id, rk.SignOff(by="maria", at=clock.now(), environment="sandbox"))
    desk.review_logs(release.id, desk.collect_logs(release.id), by="ivan", verdict="clean")
    desk.promote(release.id, by="maria")
    desk.add_evidence(
        release.id,
        rk.SignOff(by="maria", at=clock.now(), environment="stage", old_app_versions=("2.3.1",)),
        rk.ChangeReview(by="ivan", at=clock.now(), version=version),
    )
    clock.advance(minutes=10)
    released = desk.promote(release.id, by="maria")
    say(clock, f"{version} reaches production")
    return released


def running(desk: rk.Desk) -> str:
    """Return the id of the release running in production."""
    (current,) = [d.release.id for d in desk.deployments() if d.running]
    return current


def hourly_check(desk: rk.Desk, clock: rk.FixedClock) -> rk.Release:
    """What the scheduler runs every hour: check whatever runs in production."""
    release_id = running(desk)
    check = desk.check_production(release_id, by="log-monitor")
    if not check.bad:
        say(clock, f"check of {release_id}: clean since {check.since.format('HH:mm')}")
    else:
        say(clock, f"check of {release_id}: BAD: {check.problem}")
        if check.notice is not None:
            print(f"           notified: {check.notice.summary}")
    return desk.get(release_id).release


def show_schedule(desk: rk.Desk, release_id: str) -> None:
    """Print the release's monitoring schedule."""
    monitoring = desk.monitoring(release_id)
    checks = ", ".join(
        f"{check.due_at.format('HH:mm')} {check.status.value}" for check in monitoring.checks
    )
    print(f"           {release_id} since {monitoring.since.format('HH:mm')}: {checks}")


def main() -> None:
    """Two releases, hourly checks, a bad one, a rollback."""
    recorder = ex.DryRunExecutor(preview=ex.DtExecutor())
    clock = rk.FixedClock(pendulum.datetime(2026, 11, 25, 8, 0, tz="UTC"))  # a Wednesday
    desk = rk.Desk(rk.reference_policy(), executors=ex.dry_run(recorder), clock=clock)

    release_hotfix(desk, clock, "2.4.0")
    clock.advance(hours=1)
    hourly_check(desk, clock)
    clock.advance(minutes=20)
    newer = release_hotfix(desk, clock, "2.4.1")

    clock.advance(hours=1)
    hourly_check(desk, clock)
    recorder.logs["production"] = ERRORS
    clock.advance(hours=1)
    hourly_check(desk, clock)
    show_schedule(desk, newer.id)
    for item in desk.get(newer.id).attention:
        print(f"           needs attention [{item.key}]: {item.message}")

    clock.advance(minutes=7)
    rollback = desk.roll_back(by="olga", reason="charts divide by zero", release_id=newer.id)
    say(
        clock,
        f"olga rolls production back: {rollback.rolled_back.version} is "
        f"{rollback.rolled_back.state}, {rollback.restored.version} runs again",
    )
    print(f"           {recorder.calls_for('deploy')[-1].outcome.summary}")
    recorder.logs.clear()
    desk.clear_attention(newer.id, "log-check:production", by="olga", reason="rolled back to 2.4.0")

    clock.advance(hours=1)
    hourly_check(desk, clock)
    show_schedule(desk, running(desk))

    try:
        desk.roll_back(by="olga", reason="just in case")
    except rk.exceptions.NothingToRollBackError as error:
        say(clock, f"another rollback is refused: {error}")

    print()
    print(f"the history of {newer.id} from its arrival in production:")
    for event in desk.history(newer.id):
        if event.at >= newer.release.last_moved_at:
            print(f"  {event.at.format('HH:mm')}  {event.actor:<12} {event.action.value}")


if __name__ == "__main__":
    main()
