"""An open board page follows the store: a promotion made through the command shows at once."""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING

import pytest

import board_store
import browser as browsers
import releasekit as rk
from releasekit import board
from releasekit._interfaces import cli

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import Browser

#: How long the page may take to show the change, in milliseconds.
WAIT = 15_000


@pytest.fixture(scope="module")
def week(
    seeded_week: board_store.Seeded, tmp_path_factory: pytest.TempPathFactory
) -> board_store.Seeded:
    return board_store.copy(seeded_week, tmp_path_factory.mktemp("live"))


@pytest.fixture(scope="module")
def served(week: board_store.Seeded) -> Iterator[browsers.Served]:
    app = board.create_app(
        db=week.db,
        policy=week.policy,
        clock=rk.FixedClock(week.now),
        environ={},
        poll_interval=0.2,
    )
    server = browsers.serve(app, socket.create_server(("127.0.0.1", 0)))
    yield server
    server.stop()


def test_the_open_page_shows_a_promotion_made_through_the_command(
    browser: Browser,
    served: browsers.Served,
    week: board_store.Seeded,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`releasekit promote` moves 2.4.1; the open overview shows it in sandbox, not reloaded."""
    from playwright.sync_api import expect  # noqa: PLC0415  # the browser fixture checks for it

    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{served.url}/")
        page.wait_for_selector("#live:not([hidden])", timeout=WAIT)
        row = page.locator('tr[data-release="2.4.1"]')
        before = row.locator(".state").inner_text()
        page.evaluate("window.stillTheSamePage = true")

        code = cli.main(
            [
                "--db",
                str(week.db),
                "--policy",
                str(week.policy),
                "--now",
                week.now.isoformat(),
                "--actor",
                "anton",
                "promote",
                "2.4.1",
                "--to",
                "sandbox",
            ],
            environ={},
        )
        expect(row.locator(".state")).to_have_text("sandbox", timeout=WAIT)
        after = (row.locator(".state").inner_text(), row.locator(".badge").first.inner_text())
        same = page.evaluate("window.stillTheSamePage === true")
    finally:
        context.close()
    capsys.readouterr()

    assert (0, "tests", ("sandbox", "blocked"), True) == (code, before, after, same)
