"""The board's pages, read as HTML: what each shows, what it links to, and what it never does."""

from __future__ import annotations

import re
import sqlite3
from typing import TYPE_CHECKING

import pytest
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.testclient import TestClient

import board_store
import hostile
import legacy
import pgserver
import releasekit as rk
from releasekit import board
from releasekit._interfaces import cli
from releasekit._interfaces.board._store import ReadOnlyStore
from releasekit._interfaces.board._watch import token
from releasekit.exceptions import InvalidInputError, PolicyFileError, StoreError

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

#: Every page of the board, and every document its JSON API gives for the week.
PAGES = [
    "/",
    "/?show=all",
    "/release?id=2.2.0",
    "/release?id=2.3.0",
    "/release?id=2.4.0",
    "/release?id=2.4.1",
    "/release?id=2.5.0",
    "/release?id=2.6.0",
    "/release?id=9.9.9",
    "/production",
    "/windows",
    "/windows?tz=Asia/Tokyo",
    "/windows?tz=Mars/Olympus",
    "/api",
    "/api/status",
    "/api/status?release=2.3.0",
    "/api/explain?release=2.5.0",
    "/api/plan?release=2.4.0",
    "/api/history?release=2.3.0",
    "/api/verify",
    "/api/windows",
    "/api/diagram?release=2.4.0",
    "/api/monitoring?release=2.3.0",
    "/api/deployments",
    "/api/data/list",
    "/api/data/show?id=adjustment-1",
    "/events",
    "/static/board.css",
    "/static/board.js",
    "/static/favicon.svg",
]


@pytest.fixture(scope="module")
def week(
    seeded_week: board_store.Seeded, tmp_path_factory: pytest.TempPathFactory
) -> board_store.Seeded:
    return board_store.copy(seeded_week, tmp_path_factory.mktemp("pages"))


def app_for(week: board_store.Seeded, **options: object) -> Starlette:
    return board.create_app(
        db=week.db,
        policy=week.policy,
        clock=rk.FixedClock(week.now),
        environ={},
        **options,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def client(week: board_store.Seeded) -> Iterator[TestClient]:
    with TestClient(app_for(week, stream_seconds=0.05, poll_interval=0.01)) as opened:
        yield opened


def rows(html: str) -> dict[str, str]:
    """The releases the overview lists, each with where it stands (its row's class)."""
    return {
        release: verdict
        for verdict, release in re.findall(
            r'<tr class="release ([a-z-]+)" data-release="([^"]+)"', html
        )
    }


def text(html: str) -> str:
    """The page's text, tags dropped and spaces folded (none before a comma or a stop)."""
    return re.sub(r" ([,.;)])", r"\1", " ".join(re.sub(r"<[^>]+>", " ", html).split()))


def test_the_overview_lists_the_releases_in_flight_and_where_each_stands(
    client: TestClient,
) -> None:
    """In flight only: allowed, waiting for the window, blocked; finished ones are left out."""
    page = client.get("/")

    assert 200 == page.status_code
    assert {
        "2.4.0": "waiting",
        "2.4.1": "allowed",
        "2.5.0": "blocked",
        "2.6.0": "blocked",
    } == rows(page.text)


def test_finished_releases_are_listed_behind_the_filter(client: TestClient) -> None:
    """?show=all adds the release in production and the abandoned one, as finished."""
    listed = rows(client.get("/", params={"show": "all"}).text)

    assert ("finished", "finished", 6) == (listed["2.3.0"], listed["2.2.0"], len(listed))


def test_the_overview_pages_through_many_releases(client: TestClient) -> None:
    """?limit=2 lists two at a time; the next page's link lists the two after them."""
    first = client.get("/", params={"limit": "2"}).text
    link = re.findall(r'<a href="([^"]+)" rel="next">Next page</a>', first)[0]
    second = client.get(link.replace("&amp;", "&")).text

    assert (["2.4.0", "2.4.1"], ["2.5.0", "2.6.0"]) == (list(rows(first)), list(rows(second)))
    assert "/?after=2.4.1&amp;limit=2" == link
    assert [] == re.findall(r'rel="next"', second)


def test_a_page_size_the_command_would_refuse_is_refused_on_the_page(client: TestClient) -> None:
    """400, with the command's own usage error."""
    page = client.get("/", params={"limit": "0"})

    assert (400, True) == (page.status_code, "is not a whole number from 1 to 1000" in page.text)


def test_each_blocker_on_the_overview_says_who_clears_it_and_when(client: TestClient) -> None:
    """The blockers name the roles and people who clear them, and the earliest moment."""
    shown = text(client.get("/").text)

    assert (
        "signed-off nobody has signed off the manual testing of 2.5.0 on sandbox "
        "clears it: team; ask anton, maria or ivan"
    ) in shown
    assert "clears it: anton" in shown  # the tests 2.6.0 owes: its author, who owns sandbox-anton
    assert (
        "payments-outage-freeze production is frozen at Fri 2026-11-27 15:00 UTC by the "
        "payments-outage freeze (the payments provider is down), declared by maria"
    ) in shown
    assert "clears it: maria earliest Sat 2026-11-28 10:30 UTC (in 19 h 30 min)" in shown
    assert "only time holds it: allowed from Sat 2026-11-28 10:30 UTC (in 19 h 30 min)" in shown
    assert (
        "next opens Sat 2026-11-28 09:00 UTC (in 18 h) — frozen until Sat 2026-11-28 10:30 UTC "
        "by payments-outage-freeze (the payments provider is down)"
    ) in shown


def test_a_release_page_marks_its_step_on_the_flow(client: TestClient) -> None:
    """The flow is drawn on the server, the release's environment marked, the step blocked."""
    html = client.get("/release", params={"id": "2.5.0"}).text

    marked = re.findall(r'<g class="env ([a-z ]+)"><title>([^<]+)</title>', html)
    assert [
        ("passed", "sandbox-anton"),
        ("passed", "tests"),
        ("current", "sandbox"),
    ] == marked
    assert 1 == html.count('class="step blocked"')


def test_the_steps_beside_the_flow_mark_the_guards_that_fail_and_those_lifted(
    client: TestClient,
) -> None:
    """The next step's failing guards are marked; a hotfix's flow lifts the window."""
    normal = client.get("/release", params={"id": "2.5.0"}).text
    hotfix = client.get("/release", params={"id": "2.4.1"}).text

    failing = re.findall(r'<li class="failing"><span class="code">([^<]+)</span>', normal)
    lifted = re.findall(r'<li class="lifted"><span class="code">([^<]+)</span>', hotfix)
    assert (["signed-off", "logs-reviewed"], ["production-window"]) == (failing, lifted)
    assert "only owners act" not in normal  # who acts is no readiness of the release


def test_a_blocked_release_page_shows_its_blockers_forecast_and_history(
    client: TestClient,
) -> None:
    """Every blocker with its hint and command, the plan's forecast, the verified history."""
    shown = text(client.get("/release", params={"id": "2.5.0"}).text)

    assert "blocked sandbox → stage, 2 reasons:" in shown
    assert "releasekit review-logs 2.5.0 --verdict clean" in shown
    assert (
        "production at the earliest: Sat 2026-11-28 10:30 UTC (in 19 h 30 min), "
        "if the missing evidence arrives in time."
    ) in shown
    assert "verified the hash chain and the stored state agree: 7 events" in shown
    assert "tests-written covers nothing new anton" in shown


def test_an_unknown_release_is_a_page_saying_so(client: TestClient) -> None:
    """404, with the command's own sentence."""
    page = client.get("/release", params={"id": "9.9.9"})

    assert (404, True) == (page.status_code, "there is no release &#39;9.9.9&#39;" in page.text)


def test_the_production_page_shows_checks_attention_and_data_awaiting_verification(
    client: TestClient,
) -> None:
    """What runs there, the log checks done, due and overdue, the bad check, the adjustment."""
    shown = text(client.get("/production").text)

    assert "2.3.0 runs in production; nothing earlier to roll back to." in shown
    assert "98 done 1 due 1 overdue" in shown
    assert "log-check:production 2.3.0 in production: 1 error in the logs" in shown
    assert "reprice symbol=IEX from=2026-11-21 in production" in shown
    assert "1 of 2 (ivan); awaiting verification" in shown


def test_the_windows_page_shows_the_openings_in_utc_and_in_the_viewer_s_zone(
    client: TestClient,
) -> None:
    """?tz= adds a column in that zone, and the calendar is drawn in it."""
    shown = text(client.get("/windows", params={"tz": "Asia/Tokyo"}).text)

    assert (
        "Sat 2026-11-28 09:00 UTC (in 18 h) Sat 2026-11-28 12:00 UTC "
        "Sat 2026-11-28 18:00 JST Sat 2026-11-28 21:00 JST"
    ) in shown
    assert "The next 4 weeks, in Asia/Tokyo" in shown


def frozen_days(html: str) -> list[str]:
    return re.findall(r'<td class="[^"]*frozen[^"]*">\s*<span class="date">([^<]+)</span>', html)


def test_the_calendar_marks_the_days_a_freeze_holds_in_the_zone_it_is_drawn_in(
    client: TestClient,
) -> None:
    """The offsite freezes a Berlin weekend: in UTC it starts at 23:00 on the Friday."""
    in_utc = client.get("/windows").text
    in_berlin = client.get("/windows", params={"tz": "Europe/Berlin"}).text

    declared = ["27 Nov", "28 Nov"]  # maria's freeze, declared on the spot, until Saturday
    assert [*declared, "4 Dec", "5 Dec", "6 Dec"] == frozen_days(in_utc)
    assert [*declared, "5 Dec", "6 Dec"] == frozen_days(in_berlin)
    assert "frozen: offsite-freeze" in in_berlin


def test_an_opening_a_freeze_takes_part_of_is_shown_in_pieces(client: TestClient) -> None:
    """Maria's freeze takes Saturday's window until 10:30 UTC: what is left stays open."""
    html = client.get("/windows", params={"tz": "Europe/Berlin"}).text

    saturday = html[html.index('<span class="date">28 Nov</span>') :].split("</td>")[0]
    slots = re.findall(r'<span class="slot( frozen)?" title="[^"]*">([^<]+)</span>', saturday)
    assert [(" frozen", "10:00\u201311:30"), ("", "11:30\u201313:00")] == slots
    assert 1 == html.count('<tr class="partly-frozen">')
    assert 2 == html.count('<tr class="frozen">')  # the offsite's weekend, whole


def test_a_zone_no_one_knows_is_refused_on_the_page(client: TestClient) -> None:
    """400, saying what to write."""
    page = client.get("/windows", params={"tz": "Mars/Olympus"})

    assert 400 == page.status_code
    assert "is not a time zone this machine knows; write one such as Europe/Berlin" in page.text


def test_a_hostile_release_id_is_shown_as_text_and_its_link_finds_it(tmp_path: Path) -> None:
    """Markup in an id is escaped on every page, and the overview's link opens that release."""
    hostile = "x<img/src=x/onerror=alert(1)>"
    store = rk.stores.SqliteStore(tmp_path / "releases.db")
    rk.Desk(rk.reference_policy(), store=store, clock=rk.FixedClock(board_store.NOW)).start(
        "2.4.0", by="anton", release_id=hostile
    )
    store.close()
    app = board.create_app(
        db=tmp_path / "releases.db", clock=rk.FixedClock(board_store.NOW), environ={}
    )

    with TestClient(app) as client:
        overview = client.get("/").text
        link = re.findall(r'<a href="([^"]+)">x&lt;img', overview)[0]
        page = client.get(link.replace("&amp;", "&"))

    assert ("<img" in overview, "<img" in page.text) == (False, False)
    assert (200, "Release x&lt;img/src=x/onerror=alert(1)&gt;") == (
        page.status_code,
        re.findall(r"<h1>([^<]+)</h1>", page.text)[0],
    )


#: What a terminal or a browser would act on rather than show, as hostile.py forges it.
RAW = ("\x1b", "\x07", "\r", "\u202e", "\u2028", "\b")


def test_control_characters_in_what_the_store_holds_are_shown_as_escapes(
    tmp_path: Path,
) -> None:
    r"""A note with escape sequences and a bidi override shows as \x1b and \u202e, never raw."""
    store = rk.stores.SqliteStore(tmp_path / "releases.db")
    hostile.forge(store)
    store.close()
    app = board.create_app(
        db=tmp_path / "releases.db", clock=rk.FixedClock(board_store.NOW), environ={}
    )

    with TestClient(app) as client:
        pages = [
            client.get(path).text
            for path in ("/?show=all", "/release?id=forged-abandoned", "/production")
        ]

    assert [[], [], []] == [[raw for raw in RAW if raw in page] for page in pages]
    assert "\\x1b[31mRED\\x1b[0m\\r\\x08overwritten \\u202eesrever" in pages[1]  # the reason
    assert "\\x1b[31mRED" in pages[2]  # the adjustment's verification note, awaiting its second


def test_a_release_whose_rows_were_edited_by_hand_says_so_and_where(tmp_path: Path) -> None:
    """Its page is refused (409) with the command's sentence, and verifying names the event."""
    store = rk.stores.SqliteStore(tmp_path / "releases.db")
    hostile.forge(store)
    store.close()
    hostile.forge_version(tmp_path / "releases.db")
    app = board.create_app(
        db=tmp_path / "releases.db", clock=rk.FixedClock(board_store.NOW), environ={}
    )

    with TestClient(app) as client:
        page = client.get("/release", params={"id": hostile.RELEASE_ID})

    shown = text(page.text)
    assert 409 == page.status_code
    assert "the stored state of forged does not match its history" in shown
    assert "forged: TAMPERED at event" in shown


@pytest.mark.parametrize("path", ["/", "/release?id=2.5.0", "/production", "/windows"])
def test_a_page_loads_nothing_from_outside_the_machine(path: str, client: TestClient) -> None:
    """Every link and file is the board's own, and the browser is told to load nothing else."""
    page = client.get(path)

    external = re.findall(r'(?:src|href|action)="(?!/)([^"]*)"', page.text)
    assert [] == external
    assert (
        "default-src 'none'; script-src 'self'; style-src 'self'"
        in (page.headers["content-security-policy"])
    )


def test_the_board_mounted_under_a_prefix_links_under_it(week: board_store.Seeded) -> None:
    """Mounted at /releases in a team's service, every link and file is under /releases."""
    service = Starlette(routes=[Mount("/releases", app=app_for(week))])

    with TestClient(service) as client:
        page = client.get("/releases/")
        style = client.get("/releases/static/board.css")
        listed = client.get("/releases/api").json()["endpoints"]

    links = re.findall(r'(?:src|href|action|data-events)="([^"]+)"', page.text)
    assert [] == [link for link in links if not link.startswith("/releases/")]
    assert (200, 200) == (page.status_code, style.status_code)
    assert "/releases/api/status" == listed[0]["path"]


def test_the_board_behind_a_proxy_that_strips_the_prefix_links_under_it(
    week: board_store.Seeded,
) -> None:
    """With the server's root path (`releasekit board --root-path /rk`), links keep the prefix."""
    with TestClient(app_for(week), root_path="/rk") as client:
        page = client.get("/production")

    links = re.findall(r'(?:src|href|action|data-events)="([^"]+)"', page.text)
    assert [] == [link for link in links if not link.startswith("/rk/")]


def dump(db: Path) -> list[str]:
    """Every table of the SQLite file, row by row."""
    conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def test_browsing_every_page_leaves_the_store_as_it_was(week: board_store.Seeded) -> None:
    """Every page and document read, the store's tables hold exactly what they held."""
    before = dump(week.db)

    with TestClient(app_for(week, stream_seconds=0.05)) as client:
        statuses = {path: client.get(path).status_code for path in PAGES}

    assert before == dump(week.db)
    assert {"/release?id=9.9.9": 404, "/windows?tz=Mars/Olympus": 400} == {
        path: status for path, status in statuses.items() if status != 200
    }


#: The token of a lease no one holds.
HELD = "nobody-s"


@pytest.mark.parametrize(
    "write",
    [
        lambda store: store.append("data:x", expected=0, draft=None, snapshot={}),
        lambda store: store.acquire("lease:tests", holder="ci", now=board_store.NOW, ttl=None),
        lambda store: store.renew("lease:tests", token=HELD, now=board_store.NOW, ttl=None),
        lambda store: store.release("lease:tests", token=HELD),
        lambda store: store.take_over(
            "lease:tests", token=HELD, holder="ci", now=board_store.NOW, ttl=None
        ),
        lambda store: store.append_release(
            None, expected=0, previous="", evidence_before="", moves_before="", draft=None
        ),
    ],
    ids=["append", "acquire", "renew", "release", "take_over", "append_release"],
)
def test_the_board_s_store_refuses_every_write(write: object, week: board_store.Seeded) -> None:
    """Whatever asks it to write, the board's store refuses before the store is touched."""
    before = dump(week.db)
    opened = rk.stores.SqliteStore(week.db)
    try:
        with pytest.raises(StoreError, match="the board only reads the store"):
            write(ReadOnlyStore(opened))  # type: ignore[operator]
    finally:
        opened.close()

    assert before == dump(week.db)


def test_a_store_not_yet_created_reads_as_empty_until_a_command_creates_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The board creates no file; once `releasekit start` creates the store, it is listed."""
    db = tmp_path / "releases.db"
    app = board.create_app(db=db, clock=rk.FixedClock(board_store.NOW), environ={})

    with TestClient(app) as client:
        empty = text(client.get("/").text)
        created = db.exists()
        cli.main(["--db", str(db), "--actor", "anton", "start", "2.4.0"], environ={})
        listed = rows(client.get("/").text)
    capsys.readouterr()

    assert ("No release in flight", False) == (empty[empty.index("No release") :][:20], created)
    assert {"2.4.0": "allowed"} == listed


def test_a_store_of_an_older_releasekit_is_refused_not_migrated(tmp_path: Path) -> None:
    """Migrating is writing: the board says to run a command first, and leaves the file alone."""
    db = legacy.write_schema_2_store(tmp_path / "old.db")
    before = db.read_bytes()

    with pytest.raises(StoreError, match="was written by an older releasekit"):
        board.create_app(db=db, environ={})

    assert before == db.read_bytes()


#: A team's own process: two environments, no window, no freeze, no hotfix flow.
SMALL_POLICY = """\
name = "careful team"

[[environments]]
name = "dev"
owners = ["Lea"]

[[environments]]
name = "live"
gate = [
  { type = "signed-off", environment = "dev", min_people = 2 },
  { type = "changes-reviewed", not_by = ["author"] },
]

[[flows]]
kind = "normal"
path = ["dev", "live"]
"""


def test_every_page_reads_a_team_s_own_policy(tmp_path: Path) -> None:
    """No window, no freeze, no hotfix, nothing in `live` yet: each page says so."""
    policy = tmp_path / "releasekit.toml"
    policy.write_text(SMALL_POLICY, encoding="utf-8")
    store = rk.stores.SqliteStore(tmp_path / "releases.db")
    desk = rk.Desk(rk.load_policy(policy), store=store, clock=rk.FixedClock(board_store.NOW))
    desk.start("1.0.0", by="lea")
    store.close()
    app = board.create_app(
        db=tmp_path / "releases.db", policy=policy, clock=rk.FixedClock(board_store.NOW), environ={}
    )

    with TestClient(app) as client:
        shown = {
            path: client.get(path) for path in ("/", "/release?id=1.0.0", "/production", "/windows")
        }

    assert dict.fromkeys(shown, 200) == {path: page.status_code for path, page in shown.items()}
    assert "policy <strong>careful team</strong>" in shown["/"].text
    assert "Nothing runs in live yet." in text(shown["/production"].text)
    assert "live has no time window: releases may enter it at any time." in text(
        shown["/windows"].text
    )
    assert "signed-off nobody has signed off" in text(shown["/release?id=1.0.0"].text)


def test_a_policy_file_with_problems_is_refused_when_the_board_is_built(tmp_path: Path) -> None:
    """Every problem is said at once, before any page is served."""
    policy = tmp_path / "releasekit.toml"
    policy.write_text("this is no policy\n", encoding="utf-8")

    with pytest.raises(PolicyFileError):
        board.create_app(db=tmp_path / "releases.db", policy=policy, environ={})


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"db": ""}, "db"),
        ({"db": "x\x00y"}, "db"),
        ({"poll_interval": 0}, "poll_interval"),
        ({"stream_seconds": -1.0}, "stream_seconds"),
    ],
)
def test_bad_options_are_refused_when_the_board_is_built(
    options: dict[str, object], field: str, tmp_path: Path
) -> None:
    """An empty store name or a non-positive interval is an InvalidInputError naming it."""
    with pytest.raises(InvalidInputError) as refused:
        board.create_app(environ={"RELEASEKIT_DB": str(tmp_path / "x.db")}, **options)  # type: ignore[arg-type]

    assert field == refused.value.field


def test_a_store_named_as_a_url_is_read_as_the_command_reads_it(week: board_store.Seeded) -> None:
    """`--db sqlite:///path` names the same file; a URL of another kind is refused at once."""
    app = board.create_app(
        db=f"sqlite:///{week.db}", policy=week.policy, clock=rk.FixedClock(week.now), environ={}
    )

    with TestClient(app) as client:
        listed = rows(client.get("/").text)
    with pytest.raises(InvalidInputError, match="is a mysql URL, which releasekit cannot open"):
        board.create_app(db="mysql://db.example/releases", environ={})

    assert {"2.4.0", "2.4.1", "2.5.0", "2.6.0"} == set(listed)


def test_the_board_reads_a_postgresql_store_and_writes_nothing_to_it(
    postgres: pgserver.PgServer | pgserver.External,
) -> None:
    """A team on several hosts: the board lists what the database holds, and leaves it so."""
    url = pgserver.url(postgres.schema_dsn())
    with rk.open_store(url) as store:
        desk = rk.Desk(rk.reference_policy(), store=store, clock=rk.FixedClock(board_store.NOW))
        desk.start("2.4.0", by="anton")
        before = [(name, store.snapshot(name)) for name in store.histories()], store.events("2.4.0")
    app = board.create_app(db=url, clock=rk.FixedClock(board_store.NOW), environ={})

    with TestClient(app) as client:
        listed = rows(client.get("/").text)
        shown = client.get("/release", params={"id": "2.4.0"}).status_code
    with rk.open_store(url) as store:
        after = [(name, store.snapshot(name)) for name in store.histories()], store.events("2.4.0")

    assert ({"2.4.0": "allowed"}, 200) == (listed, shown)
    assert before == after


def test_a_postgresql_store_s_token_changes_with_every_event(
    postgres: pgserver.PgServer | pgserver.External,
) -> None:
    """The change stream of a store with no file to look at digests every history's head."""
    url = pgserver.url(postgres.schema_dsn())
    with rk.open_store(url) as store:
        desk = rk.Desk(rk.reference_policy(), store=store, clock=rk.FixedClock(board_store.NOW))
        desk.start("2.4.0", by="anton")
        first = token(ReadOnlyStore(store))
        same = token(ReadOnlyStore(store))
        desk.promote("2.4.0", by="anton")
        moved = token(ReadOnlyStore(store))
        desk.data.request_adjustment("production", "reprice", by="maria", reason="prices")
        adjusted = token(ReadOnlyStore(store))

    assert (first, 3) == (same, len({first, moved, adjusted}))


def test_the_store_and_policy_are_found_as_the_command_finds_them(
    week: board_store.Seeded,
) -> None:
    """$RELEASEKIT_DB and $RELEASEKIT_POLICY, as for every command."""
    app = board.create_app(
        clock=rk.FixedClock(week.now),
        environ={"RELEASEKIT_DB": str(week.db), "RELEASEKIT_POLICY": str(week.policy)},
    )

    with TestClient(app) as client:
        shown = text(client.get("/").text)

    assert "ask anton, maria or ivan" in shown


def test_the_change_stream_tells_a_page_when_the_store_changed(
    week: board_store.Seeded, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The stream's first event is the page's token; a write through the command changes it."""
    mine = board_store.copy(week, tmp_path)
    app = app_for(mine, stream_seconds=0.05, poll_interval=0.01)

    with TestClient(app) as client:
        page_token = re.findall(r'data-token="([^"]+)"', client.get("/").text)[0]
        first = client.get("/events").text
        code = cli.main(
            [
                "--db",
                str(mine.db),
                "--policy",
                str(mine.policy),
                "--now",
                mine.now.isoformat(),
                "--actor",
                "anton",
                "promote",
                "2.4.1",
                "--to",
                "sandbox",
            ],
            environ={},
        )
        after = client.get("/events").text
    capsys.readouterr()

    assert 0 == code
    assert f"event: change\ndata: {page_token}\n\n" in first
    assert f"data: {page_token}\n" not in after
    assert "event: change\ndata: " in after
