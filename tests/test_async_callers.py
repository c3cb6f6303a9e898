"""The async wrappers of the chat-bot how-to, run on an event loop as a bot runs them."""

import asyncio
import re
import threading
from pathlib import Path
from typing import Any

import pendulum
import pytest

import releasekit as rk
from releasekit import executors

PAGE = Path(__file__).parent.parent / "docs" / "howto" / "chat-bot.md"
FRIDAY = pendulum.datetime(2026, 11, 27, 18, 0, tz="UTC")
#: How long a deployment waits for the event loop before the test gives up, in seconds.
PATIENCE = 30.0


@pytest.fixture(name="howto", scope="module")
def fixture_howto() -> dict[str, Any]:
    """The names the how-to's code defines, its blocks run in order as a reader runs them."""
    namespace: dict[str, Any] = {"__name__": "howto"}
    text = PAGE.read_text(encoding="utf-8")
    for block in re.findall(r"^```python\n(.*?)^```", text, re.MULTILINE | re.DOTALL):
        exec(compile(block, str(PAGE), "exec"), namespace)  # noqa: S102  # our own docs
    return namespace


class WaitsForTheLoop:
    """A deployer that finishes only once a coroutine on the event loop says it ran meanwhile."""

    def __init__(self) -> None:
        self.loop_ran = threading.Event()

    def deploy(self, request: executors.DeployRequest, /) -> executors.Outcome:
        """Wait for the loop; fail if it never ran while the deployment did."""
        if not self.loop_ran.wait(PATIENCE):
            return executors.Outcome.failure("the event loop was blocked while this ran")
        return executors.Outcome.success(f"deployed {request.version} to {request.environment}")


def test_the_wrappers_leave_the_loop_free_while_a_deployment_runs(
    howto: dict[str, Any], tmp_path: Path
) -> None:
    """While AsyncDesk.promote deploys in its thread, other coroutines run on the loop."""
    deployer = WaitsForTheLoop()
    registry = executors.Registry()
    registry.register("deploy", deployer)

    async def meanwhile() -> None:
        await asyncio.sleep(0)
        deployer.loop_ran.set()

    async def bot(desk: rk.Desk) -> rk.stores.Record:
        moved, _ = await asyncio.gather(
            howto["AsyncDesk"](desk).promote("2.4.0", by="anton", to="tests"), meanwhile()
        )
        return moved  # type: ignore[no-any-return]  # what the how-to's promote returns

    with rk.Desk.open(
        store=tmp_path / "r.db", executors=registry, clock=rk.FixedClock(FRIDAY)
    ) as desk:
        desk.start("2.4.0", by="anton")
        moved = asyncio.run(bot(desk))

    assert ("tests", True) == (moved.state, deployer.loop_ran.is_set())


def test_racing_messages_through_the_wrappers_move_the_release_once(
    howto: dict[str, Any], tmp_path: Path
) -> None:
    """Eight copies of one promotion at once, each in a thread: one moves it, seven do nothing."""

    async def race(desk: rk.Desk) -> list[object]:
        bot = howto["AsyncDesk"](desk)
        seen = await bot.get("2.4.0")
        return list(
            await asyncio.gather(
                *(
                    bot.promote("2.4.0", by="anton", to="tests", revision=seen.revision)
                    for _ in range(8)
                ),
                return_exceptions=True,
            )
        )

    with rk.Desk.open(store=tmp_path / "r.db", clock=rk.FixedClock(FRIDAY)) as desk:
        desk.start("2.4.0", by="anton")
        answers = asyncio.run(race(desk))
        moves = [e for e in desk.history("2.4.0") if e.action.value == "step-finished"]

    assert (1, 7, 1) == (
        sum(isinstance(answer, rk.stores.Record) for answer in answers),
        sum(isinstance(answer, rk.exceptions.ConflictError) for answer in answers),
        len(moves),
    )


def test_areply_answers_as_reply_does(howto: dict[str, Any]) -> None:
    """The awaitable reply says what the blocking one says."""
    desk = rk.Desk(rk.reference_policy(), clock=rk.FixedClock(FRIDAY))
    desk.start("2.4.0", by="anton")

    answer = asyncio.run(howto["areply"](desk, "plan 2.4.0", user="maria"))

    assert howto["reply"](desk, "plan 2.4.0", user="maria") == answer
