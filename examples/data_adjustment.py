"""A production data adjustment: requested, verified by two other people, run by the operator.

The reference policy lets production data be changed by hand only through ``dt``, only by the
one designated operator, and only after two or three verifications by people who are neither
the requester nor the operator. Here olga asks to fix a wrong close price; the example shows
every refusal on the way (olga verifying her own request, a verifier who read an older version,
an operator too early, a dry run standing in for ``dt``) and the run through a stand-in ``dt``
script that prints the arguments it gets.

Run it with ``python examples/data_adjustment.py``.
"""

from __future__ import annotations

import stat
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import pendulum

import releasekit as rk
from releasekit import executors as ex
from releasekit.exceptions import DataOperationRefusedError, ExecutorNotAllowedError

if TYPE_CHECKING:
    from releasekit._actions.data import DataOperation

#: A stand-in for the team's dt: it prints what it was asked to do.
STAND_IN = """\
import sys
print("dt", *sys.argv[1:])
"""


def write_stand_in(folder: Path) -> Path:
    """Write an executable called ``dt`` into *folder* and return its path."""
    program = folder / "dt"
    program.write_text(f"#!{sys.executable}\n{STAND_IN}", encoding="utf-8")
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    return program


def refused(action: str, error: rk.exceptions.ReleaseKitError) -> None:
    """Print a refusal the way a chat bot would."""
    reason = getattr(error, "reason", type(error).__name__)
    print(f"  refused ({reason}): {action}")
    print(f"    {error}")


def request_and_verify(desk: rk.Desk, clock: rk.FixedClock) -> DataOperation:
    """Request, verify, amend (voiding the verification), verify again twice."""
    rule = desk.policy.environment("production").data_adjustments
    assert rule is not None
    print(
        f"production: operator {rule.operator}, {rule.min_verifications} to "
        f"{rule.max_verifications} verifications, through {rule.tool}"
    )
    operation = desk.data.request_adjustment(
        "production",
        "fix-close",
        ["AAPL", "2026-11-26", "187.20"],
        by="olga",
        reason="IEX sent a wrong close price for AAPL",
    )
    print(f"olga requests {operation.id}: {operation.describe()}")
    print(f"  fingerprint {operation.fingerprint[:16]}")
    try:
        desk.data.verify_adjustment(operation.id, by="olga")
    except DataOperationRefusedError as error:
        refused("olga verifies her own request", error)

    clock.advance(minutes=5)
    seen_by_ivan = operation.fingerprint
    operation = desk.data.verify_adjustment(
        operation.id, by="ivan", fingerprint=seen_by_ivan, note="matches the exchange's file"
    )
    print(f"ivan verifies: {len(operation.counted)} of {rule.min_verifications}")

    clock.advance(minutes=5)
    operation = desk.data.amend_adjustment(
        operation.id,
        by="olga",
        arguments=["AAPL", "2026-11-26", "187.02"],
        reason="the digits were swapped",
    )
    print(
        f"olga amends it to {operation.describe()}: {len(operation.counted)} verifications "
        f"count, {len(operation.verifications)} in its history"
    )
    try:
        desk.data.verify_adjustment(operation.id, by="maria", fingerprint=seen_by_ivan)
    except DataOperationRefusedError as error:
        refused("maria verifies what ivan had read", error)
    try:
        desk.data.execute_adjustment(operation.id, by="data-operator")
    except DataOperationRefusedError as error:
        refused("the operator runs it now", error)

    clock.advance(minutes=5)
    for person in ("ivan", "maria"):
        operation = desk.data.verify_adjustment(
            operation.id, by=person, fingerprint=operation.fingerprint
        )
    print(f"ivan and maria verify: {', '.join(operation.verifiers)}")
    return operation


def run(desk: rk.Desk, clock: rk.FixedClock, operation: DataOperation) -> DataOperation:
    """Only the operator, only through dt: the dry run and maria are refused first."""
    try:
        desk.data.execute_adjustment(operation.id, by="data-operator")
    except ExecutorNotAllowedError as error:
        refused("the dry run stands in for dt", error)

    with tempfile.TemporaryDirectory() as folder:
        dt_tool = ex.DtExecutor(program=str(write_stand_in(Path(folder))))
        desk.executors.register("adjust-data", dt_tool, environment="production")
        try:
            desk.data.execute_adjustment(operation.id, by="maria")
        except DataOperationRefusedError as error:
            refused("maria runs it", error)

        clock.advance(minutes=5)
        lines: list[str] = []
        operation = desk.data.execute_adjustment(
            operation.id, by="data-operator", progress=lines.append
        )
    print(f"data-operator runs it: {operation.status.value}")
    for line in lines:
        print(f"  | {line}")
    return operation


def main() -> None:
    """Take one adjustment from request to run, showing each refusal on the way."""
    clock = rk.FixedClock(pendulum.datetime(2026, 11, 27, 8, 30, tz="UTC"))
    desk = rk.Desk(rk.reference_policy(), executors=ex.dry_run(), clock=clock)

    operation = run(desk, clock, request_and_verify(desk, clock))

    print()
    print(f"the history of {operation.stream}:")
    for event in desk.data.history(operation.id):
        print(
            f"  {event.seq}  {event.at.format('HH:mm')}  {event.actor:<13} "
            f"{event.data['step']:<9} {event.reason}"
        )
    assert desk.store.verify(operation.stream).ok


if __name__ == "__main__":
    main()
