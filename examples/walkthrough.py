"""Walk a normal and a hotfix release through the reference policy on a simulated clock.

Every step prints what happened; every refusal prints each of its reasons,
who can clear it, and — for the production window — when it will pass.

Run it with ``python examples/walkthrough.py``.
"""

from __future__ import annotations

import pendulum

import releasekit as rk

ENVIRONMENTS = ("sandbox-anton", "tests", "sandbox", "stage", "production")


def show_refusal(error: rk.exceptions.PromotionRefusedError) -> None:
    """Print every blocker of a refused promotion."""
    print(f"  refused: {error.source} -> {error.target}, {len(error.blockers)} reason(s):")
    for blocker in error.blockers:
        who = ", ".join(blocker.unblocked_by) or "time"
        print(f"    - [{blocker.code}] {blocker.message}")
        print(f"      what to do: {blocker.hint} (who: {who})")
        if blocker.earliest is not None:
            print(f"      earliest: {rk.guards.when(blocker.earliest)}")


def promote(engine: rk.Engine, release: rk.Release, clock: rk.FixedClock) -> rk.Release:
    """Try to promote; print the outcome and return the (possibly unchanged) release."""
    try:
        moved = engine.promote(release, by="anton", now=clock.now())
    except rk.exceptions.PromotionRefusedError as error:
        print(f"{rk.guards.when(clock.now())}  promote {release.version} ({release.kind.value})")
        show_refusal(error)
        return release
    print(
        f"{rk.guards.when(clock.now())}  promote {release.version} ({release.kind.value}): "
        f"{release.state} -> {moved.state}"
    )
    return moved


def record(
    engine: rk.Engine, release: rk.Release, clock: rk.FixedClock, *evidence: rk.Evidence
) -> rk.Release:
    """Add evidence and say so."""
    for item in evidence:
        print(f"{rk.guards.when(item.at)}  record {type(item).__name__} by {item.by}")
    return engine.add_evidence(release, *evidence, now=clock.now())


def walk_to_stage(engine: rk.Engine, release: rk.Release, clock: rk.FixedClock) -> rk.Release:
    """Take a release from sandbox-anton to stage, recording what each step needs."""
    release = record(
        engine,
        release,
        clock,
        rk.TestsWritten(
            by="anton",
            at=clock.now(),
            covers=release.artifact.new_functionality,
            tests=("test_chart_renders",),
        ),
    )
    release = promote(engine, release, clock)
    clock.advance(minutes=40)  # `dt test --notify` runs on tests
    release = record(
        engine,
        release,
        clock,
        rk.TestRun(
            environment="tests", version=release.version, passed=True, at=clock.now(), by="ci"
        ),
    )
    release = promote(engine, release, clock)
    clock.advance(hours=2)  # the team tests by hand on sandbox
    release = promote(engine, release, clock)  # refused: no sign-off, no log review yet
    release = record(
        engine,
        release,
        clock,
        rk.SignOff(by="maria", at=clock.now(), environment="sandbox", note="charts look right"),
        rk.LogReview(by="ivan", at=clock.now(), environments=ENVIRONMENTS, verdict="clean"),
    )
    return promote(engine, release, clock)


def finish_on_stage(engine: rk.Engine, release: rk.Release, clock: rk.FixedClock) -> rk.Release:
    """Run migrations, test with old app versions and review changes on stage."""
    clock.advance(minutes=30)
    return record(
        engine,
        release,
        clock,
        rk.MigrationRun(
            environment="stage",
            version=release.version,
            migrations=release.artifact.migrations,
            succeeded=True,
            at=clock.now(),
            by="ci",
        ),
        rk.SignOff(by="maria", at=clock.now(), environment="stage", old_app_versions=("2.3.1",)),
        rk.ChangeReview(by="ivan", at=clock.now(), version=release.version),
    )


def main() -> None:
    """Run both walkthroughs."""
    engine = rk.Engine(rk.reference_policy())
    artifact = rk.Artifact(
        functions=("quote", "chart"), migrations=("0042_add_index",), new_functionality=("chart",)
    )

    print("== A normal release ==")
    clock = rk.FixedClock(pendulum.datetime(2026, 11, 27, 11, 0, tz="UTC"))  # a Friday
    release = engine.start(
        release_id="r-2.4.0",
        version="2.4.0",
        kind="normal",
        by="anton",
        now=clock.now(),
        artifact=artifact,
    )
    release = walk_to_stage(engine, release, clock)
    clock.set(pendulum.datetime(2026, 11, 27, 18, 0, tz="UTC"))  # Friday evening
    release = promote(engine, release, clock)  # refused: evidence missing and window closed
    release = finish_on_stage(engine, release, clock)
    release = promote(engine, release, clock)  # refused: only the window is left
    plan = engine.plan(release, now=clock.now())
    assert plan.earliest_production is not None
    print(f"  plan: production at the earliest {rk.guards.when(plan.earliest_production)}")
    clock.set(plan.earliest_production)
    release = promote(engine, release, clock)
    assert release.state == "production"

    print()
    print("== A hotfix ==")
    clock = rk.FixedClock(pendulum.datetime(2026, 11, 27, 15, 0, tz="UTC"))
    hotfix = engine.start(
        release_id="r-2.4.1",
        version="2.4.1",
        kind="hotfix",
        by="anton",
        now=clock.now(),
        artifact=rk.Artifact(functions=("quote", "chart")),
    )
    hotfix = walk_to_stage(engine, hotfix, clock)
    hotfix = promote(engine, hotfix, clock)  # refused: hotfixes skip no evidence
    hotfix = finish_on_stage(engine, hotfix, clock)
    hotfix = promote(engine, hotfix, clock)  # allowed on a Friday: the window is lifted
    assert hotfix.state == "production"

    print()
    print("The next production windows:")
    for opening in rk.production_window().next_openings(clock.now(), 3):
        assert opening.end is not None
        print(f"  {rk.guards.when(opening.start)} until {rk.guards.when(opening.end)}")


if __name__ == "__main__":
    main()
