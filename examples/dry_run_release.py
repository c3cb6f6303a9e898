"""A dry run of a release from sandbox-anton to production: every step decided, nothing run.

The engine decides whether each step may happen; a ``DryRunExecutor`` stands in for ``dt``
and records every call instead of running it. It is given a ``DtExecutor`` as its preview, so
each outcome names the exact ``dt`` command a real run would start. The outcomes become the
evidence the next guards read, as they will when the coordinator runs a real release.

Halfway, the deploy to stage is made to fail ("environment busy"): the release stays where it
is, and the retry goes through.

Run it with ``python examples/dry_run_release.py``.
"""

from __future__ import annotations

import shlex

import pendulum

import releasekit as rk
from releasekit import executors as ex

ENVIRONMENTS = ("sandbox-anton", "tests", "sandbox", "stage", "production")


def say(clock: rk.FixedClock, text: str) -> None:
    """Print *text* with the simulated time."""
    print(f"{rk.guards.when(clock.now())}  {text}")


def step(
    engine: rk.Engine, registry: ex.Registry, release: rk.Release, clock: rk.FixedClock
) -> rk.Release:
    """Check the next step, deploy through the registry, and move the release if it worked."""
    explanation = engine.explain(release, now=clock.now(), actor="anton")
    assert explanation.step is not None
    target = explanation.step.target
    if not explanation.allowed:
        say(clock, f"{explanation.step.name} refused:")
        for blocker in explanation.blockers:
            print(f"    - {blocker.message}")
        return release
    request = ex.DeployRequest(
        release_id=release.id,
        version=release.version,
        environment=target,
        artifact=release.artifact,
    )
    outcome = registry.deployer(target).deploy(request)
    if not outcome.ok:
        say(clock, f"{explanation.step.name} failed, {release.id} stays: {outcome.summary}")
        return release
    say(clock, f"{explanation.step.name}: {outcome.summary}")
    return engine.promote(release, by="anton", now=clock.now())


def run_tests(registry: ex.Registry, release: rk.Release, clock: rk.FixedClock) -> rk.TestRun:
    """Run the automatic tests on `tests` and turn the outcome into evidence."""
    request = ex.TestRequest(environment="tests", version=release.version, release_id=release.id)
    outcome = registry.test_runner("tests").run_tests(request)
    say(clock, f"tests: {outcome.summary}")
    return rk.TestRun(
        environment="tests",
        version=release.version,
        passed=outcome.ok,
        at=clock.now(),
        by="ci",
        summary=outcome.summary,
    )


def review_logs(registry: ex.Registry, release: rk.Release, clock: rk.FixedClock) -> rk.LogReview:
    """Collect the error logs of every environment and record a reviewer's verdict."""
    clean = True
    for environment in ENVIRONMENTS:
        request = ex.LogRequest(environment=environment, since=release.created_at)
        batch = registry.log_collector(environment).collect_logs(request)
        say(clock, f"logs of {environment}: {batch.error_count} error(s)")
        for entry in batch.entries:
            print(f"    {entry}")
        clean = clean and batch.ok
    return rk.LogReview(
        by="ivan",
        at=clock.now(),
        environments=ENVIRONMENTS,
        verdict="clean" if clean else "problems",
        note="the production timeout is known and unrelated to this release",
    )


def migrate(registry: ex.Registry, release: rk.Release, clock: rk.FixedClock) -> rk.MigrationRun:
    """Run the release's migrations on stage and turn the outcome into evidence."""
    request = ex.MigrationRequest(
        environment="stage", version=release.version, migrations=release.artifact.migrations
    )
    outcome = registry.migrator("stage").migrate(request)
    say(clock, f"migrations: {outcome.summary}")
    return rk.MigrationRun(
        environment="stage",
        version=release.version,
        migrations=release.artifact.migrations,
        succeeded=outcome.ok,
        at=clock.now(),
        by="ci",
        output=outcome.summary,
    )


def main() -> None:
    """Take release 2.4.0 through every environment, dry."""
    recorder = ex.DryRunExecutor(
        preview=ex.DtExecutor(),
        logs={"production": ["2026-11-28T05:12:09Z ERROR quote: upstream timeout"]},
    )
    registry = ex.dry_run(recorder)
    engine = rk.Engine(rk.reference_policy())
    clock = rk.FixedClock(pendulum.datetime(2026, 11, 28, 6, 0, tz="UTC"))  # a Saturday

    release = engine.start(
        release_id="r-2.4.0",
        version="2.4.0",
        kind="normal",
        by="anton",
        now=clock.now(),
        artifact=rk.Artifact(functions=("quote", "chart"), migrations=("0042_add_index",)),
    )
    release = step(engine, registry, release, clock)  # -> tests
    clock.advance(minutes=10)
    release = engine.add_evidence(release, run_tests(registry, release, clock), now=clock.now())
    release = step(engine, registry, release, clock)  # -> sandbox
    clock.advance(hours=1)
    release = engine.add_evidence(
        release,
        rk.SignOff(by="maria", at=clock.now(), environment="sandbox", note="charts look right"),
        review_logs(registry, release, clock),
        now=clock.now(),
    )

    recorder.fail(
        "deploy",
        ex.Outcome.failure(
            "`dt deploy stage 2.4.0` exited with code 2: environment busy", exit_code=2
        ),
    )
    release = step(engine, registry, release, clock)  # fails: stays in sandbox
    recorder.succeed("deploy")
    clock.advance(minutes=5)
    release = step(engine, registry, release, clock)  # -> stage

    clock.advance(minutes=30)
    release = engine.add_evidence(
        release,
        migrate(registry, release, clock),
        rk.SignOff(by="maria", at=clock.now(), environment="stage", old_app_versions=("2.3.1",)),
        rk.ChangeReview(by="ivan", at=clock.now(), version=release.version),
        now=clock.now(),
    )
    release = step(engine, registry, release, clock)  # refused: the window opens at 09:00
    clock.set(pendulum.datetime(2026, 11, 28, 9, 0, tz="UTC"))
    release = step(engine, registry, release, clock)  # -> production
    assert release.state == "production"
    notice = ex.Notice(message="2.4.0 is live", environment="production", release_id=release.id)
    say(clock, registry.notifier("production").notify(notice).summary)

    print()
    print(f"{len(recorder.calls)} executor calls recorded, none run:")
    for call in recorder.calls:
        status = "ok    " if call.outcome.ok else "FAILED"
        print(f"  {status} {call.capability:<12} {shlex.join(call.outcome.command)}")


if __name__ == "__main__":
    main()
