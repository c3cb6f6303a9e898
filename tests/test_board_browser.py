"""The board read in a real browser: the system's Chromium, driven by Playwright.

One server for the module, on a copy of the team's week (``board_store.py``),
shown as at Friday 15:00 UTC. Each page's screenshot is written to
``docs/board/`` for the documentation: the pictures there come from this run.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import board_store
import browser as browsers
import releasekit as rk
from releasekit import board

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import Browser, BrowserContext, Page

#: Where the documentation's screenshots go.
SCREENSHOTS = Path(__file__).parent.parent / "docs" / "board"
#: What the screenshots leave out: the history's head, new on every run (the page's content
#: security policy refuses a stylesheet added for the screenshot, so each is hidden in place).
VOLATILE = ".head"
#: How long a page may take to show what it should, in milliseconds.
WAIT = 15_000


@pytest.fixture(scope="module")
def served(
    seeded_week: board_store.Seeded, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[browsers.Served]:
    week = board_store.copy(seeded_week, tmp_path_factory.mktemp("browser"))
    app = board.create_app(
        db=week.db, policy=week.policy, clock=rk.FixedClock(week.now), environ={}
    )
    listening = socket.create_server(("127.0.0.1", 0))
    server = browsers.serve(app, listening)
    yield server
    server.stop()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser window in Berlin, 1280 pixels wide."""
    opened = browser.new_context(
        viewport={"width": 1280, "height": 900}, timezone_id="Europe/Berlin", locale="en-GB"
    )
    yield opened
    opened.close()


def visit(context: BrowserContext, url: str) -> Page:
    """Open *url* and wait until the page listens for changes."""
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("#live:not([hidden])", timeout=WAIT)
    return page


def screenshot(page: Page, name: str) -> None:
    """Write the whole page to ``docs/board/NAME.png``, unless the file already shows it."""
    for element in page.locator(VOLATILE).all():
        element.evaluate("node => { node.style.visibility = 'hidden'; }")
    taken = page.screenshot(full_page=True, animations="disabled")
    target = SCREENSHOTS / f"{name}.png"
    if not target.exists() or target.read_bytes() != taken:
        SCREENSHOTS.mkdir(exist_ok=True)
        target.write_bytes(taken)


def test_the_overview_shows_each_release_in_flight_and_what_holds_it(
    context: BrowserContext, served: browsers.Served
) -> None:
    """Every release in flight, where it stands, and each blocker with whom to ask."""
    page = visit(context, f"{served.url}/")

    shown = {
        row.get_attribute("data-release"): row.locator(".badge").first.inner_text()
        for row in page.locator("tr.release").all()
    }
    assert {
        "2.4.0": "waiting for a window",
        "2.4.1": "may move now",
        "2.5.0": "blocked",
        "2.6.0": "blocked",
    } == shown
    assert (
        "clears it: team; ask anton, maria or ivan"
        in page.locator('tr[data-release="2.5.0"]').inner_text()
    )
    screenshot(page, "overview")


def test_a_blocked_release_shows_its_blockers_and_its_forecast(
    context: BrowserContext, served: browsers.Served
) -> None:
    """Followed from the overview: the flow with its step marked, the blockers, the forecast."""
    page = visit(context, f"{served.url}/")
    page.get_by_role("link", name="2.5.0", exact=True).click()
    page.wait_for_selector("#live:not([hidden])", timeout=WAIT)

    assert "Release 2.5.0" == page.locator("h1").inner_text()
    assert "sandbox" == page.locator("svg.flow .env.current text").text_content()
    assert ["signed-off", "logs-reviewed"] == page.locator("#next ~ ul .code").all_inner_texts()
    assert page.get_by_text(
        "production at the earliest: Sat 2026-11-28 10:30 UTC (in 19 h 30 min)"
    ).is_visible()
    screenshot(page, "release")


def test_the_production_page_shows_the_checks_and_what_needs_attention(
    context: BrowserContext, served: browsers.Served
) -> None:
    """The hourly checks as a strip, the bad one needing attention, the adjustment awaiting."""
    page = visit(context, f"{served.url}/production")

    assert (98, 1, 1) == (
        page.locator("ol.checks li.done").count(),
        page.locator("ol.checks li.due").count(),
        page.locator("ol.checks li.overdue").count(),
    )
    assert "log-check:production" == page.locator("ul.attention .badge").inner_text()
    assert "1 of 2 (ivan); awaiting verification" in page.locator("table.operations").inner_text()
    screenshot(page, "production")


def test_the_windows_page_shows_each_opening_in_the_viewer_s_own_zone(
    browser: Browser, served: browsers.Served
) -> None:
    """A viewer in Tokyo reads each opening in UTC and, beside it, in Japan's time."""
    tokyo = browser.new_context(timezone_id="Asia/Tokyo", locale="en-GB")
    try:
        page = visit(tokyo, f"{served.url}/windows")
        local = page.locator("time.local").first.inner_text()
        zone = page.locator("form.zone input").get_attribute("placeholder")
    finally:
        tokyo.close()

    assert ("Sat, 28/11/2026, 18:00 GMT+9", "Asia/Tokyo") == (local, zone)


def test_the_windows_page_shows_the_calendar(
    context: BrowserContext, served: browsers.Served
) -> None:
    """The next four weeks, the openings on their days, those a freeze takes struck out."""
    page = visit(context, f"{served.url}/windows?tz=Europe/Berlin")

    struck = page.locator("table.calendar .slot.frozen")
    assert 4 == page.locator("table.calendar tbody tr").count()
    assert ["28 Nov", "5 Dec", "6 Dec"] == [
        slot.locator("xpath=..").locator(".date").inner_text() for slot in struck.all()
    ]
    screenshot(page, "windows")


def test_the_pages_read_without_javascript(browser: Browser, served: browsers.Served) -> None:
    """With scripts off, every page shows all it knows; only the live updates are missing."""
    plain = browser.new_context(java_script_enabled=False)
    try:
        page = plain.new_page()
        page.goto(f"{served.url}/")
        releases = page.locator("tr.release").count()
        page.goto(f"{served.url}/release?id=2.5.0")
        blockers = page.locator("#next ~ ul .code").all_inner_texts()
        live = page.locator("#live").is_hidden()
    finally:
        plain.close()

    assert (4, ["signed-off", "logs-reviewed"], True) == (releases, blockers, live)


def test_no_page_asks_for_anything_outside_the_machine(
    context: BrowserContext, served: browsers.Served
) -> None:
    """Browsing every page, the browser asks the board alone, and reports no error."""
    asked: list[str] = []
    complaints: list[str] = []
    page = context.new_page()
    page.on("request", lambda request: asked.append(request.url))
    page.on(
        "console",
        lambda message: complaints.append(message.text) if message.type == "error" else None,
    )
    for path in ["/", "/?show=all", "/release?id=2.4.0", "/production", "/windows"]:
        page.goto(f"{served.url}{path}")
        page.wait_for_selector("#live:not([hidden])", timeout=WAIT)

    assert [] == [url for url in asked if not url.startswith(f"{served.url}/")]
    assert [] == complaints
    assert {f"{served.url}/static/board.css", f"{served.url}/events"} <= set(asked)
