"""What releasekit's decisions cost, against the bare operations they stand in for.

Prints, measured in one run:

(a) ``Engine.explain`` of a release at stage that holds every piece of
    evidence production asks for, on a Friday evening: only the production
    window blocks it, so the answer says when the window next opens. Against
    it, one bare ``transitions`` trigger with three guards, the cost of the
    state machine alone. Each run asks at an instant of its own, a second
    later than the one before, so no answer can be remembered from an
    earlier run;
(b) ``Window.contains`` and ``Window.next_opening`` against a bare
    comparison of two aware datetimes (``start <= now < end``, the opening
    known beforehand): for the reference window in UTC, and for the same
    hours in Europe/London far from a clock change (a Friday in July), across
    one (the Saturday evening before the clocks go back, whose next opening
    comes after the change), and at a new week every run, whose clock changes
    the window has not looked up yet. The exhaustive search windows answered
    with before (kept in ``tests/window_oracle.py``) is timed beside them.

Each figure is the median of many runs after a warm-up; the two sides of a
ratio are measured alternately, taking turns at going first, so a noisy
neighbour slows both.

Run it with ``nox -s benchmarks`` or ``python benchmarks/bench_decide.py``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import pendulum
from transitions import Machine

import releasekit as rk

sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))
from staged import staged_release  # the release every benchmark measures
from window_oracle import Search  # the search windows used before, found via the path above

if TYPE_CHECKING:
    from collections.abc import Callable

#: Friday 27 November 2026, 18:00 UTC: the production window is closed.
FRIDAY = pendulum.datetime(2026, 11, 27, 18, 0, tz="UTC")
#: A Friday evening in July, far from any clock change in Europe/London.
JULY = pendulum.datetime(2026, 7, 3, 18, 0, tz="UTC")
#: The Saturday evening before the clocks go back in Europe/London (Sunday 01:00 UTC).
BEFORE_CHANGE = pendulum.datetime(2026, 10, 24, 18, 0, tz="UTC")
#: Each run asks a second later than the one before, within this many seconds.
SPREAD = 3600
TARGET = 10.0


# ---------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------


@attrs.frozen
class Sample:
    """Medians of two alternating measurements."""

    name: str
    a: float
    b: float

    @property
    def ratio(self) -> float:
        """How many times *b* takes *a*."""
        return self.b / self.a


def alternate(
    first: Callable[[int], object],
    second: Callable[[int], object],
    *,
    runs: int,
    warmup: int,
) -> tuple[float, float]:
    """Time *first(i)* and *second(i)* alternately; return their medians in seconds.

    Which of the two runs first changes every time, so neither always pays
    for what the other left behind.
    """
    times_a: list[float] = []
    times_b: list[float] = []
    clock = time.perf_counter
    for i in range(warmup + runs):
        if i % 2:
            started = clock()
            second(i)
            middle = clock()
            first(i)
            ended = clock()
            took_a, took_b = ended - middle, middle - started
        else:
            started = clock()
            first(i)
            middle = clock()
            second(i)
            ended = clock()
            took_a, took_b = middle - started, ended - middle
        if i >= warmup:
            times_a.append(took_a)
            times_b.append(took_b)
    return statistics.median(times_a), statistics.median(times_b)


def micro(seconds: float) -> str:
    """Format *seconds* in microseconds."""
    return f"{seconds * 1e6:8.2f} µs"


# ---------------------------------------------------------------------------
# (a) explain, blocked by the window alone, against a bare trigger
# ---------------------------------------------------------------------------


class Model:
    """What a bare state machine moves."""

    state: str


def bare_trigger() -> Callable[[int], object]:
    """Return one trigger of a plain ``transitions`` machine with three guards."""
    model = Model()
    facts = {"tests passed": True, "signed off": True, "reviewed": True}

    def tested() -> bool:
        return facts["tests passed"]

    def signed_off() -> bool:
        return facts["signed off"]

    def reviewed() -> bool:
        return facts["reviewed"]

    machine = Machine(
        model=model,
        states=["stage", "production"],
        initial="stage",
        auto_transitions=False,
        transitions=[
            {
                "trigger": "promote",
                "source": "stage",
                "dest": "production",
                "conditions": [tested, signed_off, reviewed],
            }
        ],
    )
    promote = machine.events["promote"]

    def trigger(_: int) -> object:
        model.state = "stage"
        return promote.trigger(model)

    assert trigger(0)
    assert model.state == "production"
    return trigger


def explain_blocked_by_the_window(*, runs: int, warmup: int) -> Sample:
    """Measure (a)."""
    engine = rk.Engine(rk.reference_policy())
    release = staged_release()
    nows = [FRIDAY.add(seconds=i % SPREAD) for i in range(runs + warmup)]
    explanation = engine.explain(release, now=FRIDAY)
    assert ["production-window"] == [blocker.code for blocker in explanation.blockers]
    assert not engine.explain(release, now=FRIDAY.add(hours=15, minutes=30)).blockers

    def explain(i: int) -> object:
        return engine.explain(release, now=nows[i])

    a, b = alternate(bare_trigger(), explain, runs=runs, warmup=warmup)
    return Sample("Engine.explain blocked only by the production window", a, b)


# ---------------------------------------------------------------------------
# (b) windows against a bare comparison
# ---------------------------------------------------------------------------


@attrs.frozen
class Case:
    """A window, the instants it is asked about, and how they are named."""

    name: str
    window: rk.Window
    moments: list[pendulum.DateTime]


def window_cases(total: int) -> list[Case]:
    """Return the windows and instants of (b), one instant per run."""
    utc = rk.production_window()
    london = rk.Window.weekends(start="09:00", end="12:00", timezone="Europe/London")
    spread = range(total)
    return [
        Case("UTC", utc, [FRIDAY.add(seconds=i % SPREAD) for i in spread]),
        Case(
            "Europe/London, far from a change",
            london,
            [JULY.add(seconds=i % SPREAD) for i in spread],
        ),
        Case(
            "Europe/London, across a change",
            london,
            [BEFORE_CHANGE.add(seconds=i % SPREAD) for i in spread],
        ),
        Case(
            "Europe/London, a new week every run",
            london,
            [JULY.add(weeks=i % 1000, seconds=i % SPREAD) for i in spread],
        ),
    ]


def bare_comparison(case: Case) -> Callable[[int], object]:
    """Return a comparison of an instant with a known opening, on plain datetimes."""
    opening = case.window.next_openings(case.moments[0], 1)[0]
    assert opening.end is not None
    start = dt.datetime.fromisoformat(opening.start.isoformat())
    end = dt.datetime.fromisoformat(opening.end.isoformat())
    moments = [dt.datetime.fromisoformat(moment.isoformat()) for moment in case.moments]

    def compare(i: int) -> bool:
        return start <= moments[i] < end

    return compare


def asking(
    question: Callable[[pendulum.DateTime], object], moments: list[pendulum.DateTime]
) -> Callable[[int], object]:
    """Return a run that asks *question* about the run's own instant."""
    return lambda i: question(moments[i])


def window_samples(*, runs: int, warmup: int) -> list[tuple[Case, Sample, Sample, float]]:
    """Measure (b); with each, the median of the search windows used before."""
    results = []
    for case in window_cases(runs + warmup):
        window, moments = case.window, case.moments
        search = Search(window)
        for moment in moments[:: max(1, len(moments) // 50)]:
            assert search.next_opening(moment) == window.next_opening(moment)
        bare = bare_comparison(case)
        contains = alternate(bare, asking(window.contains, moments), runs=runs, warmup=warmup)
        opening = alternate(bare, asking(window.next_opening, moments), runs=runs, warmup=warmup)
        few = max(runs // 20, 20)
        _, before = alternate(
            bare, asking(search.next_opening, moments), runs=few, warmup=few // 10
        )
        results.append(
            (case, Sample("contains", *contains), Sample("next_opening", *opening), before)
        )
    return results


# ---------------------------------------------------------------------------


def main() -> int:
    """Run every measurement and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3000, help="timed runs per figure")
    parser.add_argument("--warmup", type=int, default=300, help="untimed runs first")
    parser.add_argument("--skip-postgres", action="store_true", help="ignored: no database here")
    options = parser.parse_args()
    runs, warmup = options.runs, options.warmup

    print(
        f"releasekit {rk.__version__}, Python {sys.version.split()[0]}; "
        f"medians of {runs} runs after {warmup} warm-up runs\n"
    )
    explain = explain_blocked_by_the_window(runs=runs, warmup=warmup)
    print(f"(a) {explain.name}")
    print(f"    one bare transitions trigger with 3 guards {micro(explain.a)}")
    print(f"    releasekit Engine.explain                  {micro(explain.b)}")
    met = "met" if explain.ratio <= TARGET else "NOT MET"
    print(f"    ratio {explain.ratio:.2f}x   (target <= {TARGET:g}x: {met})\n")

    print("(b) Window against a bare comparison (start <= now < end)")
    for case, contains, opening, before in window_samples(runs=runs, warmup=warmup):
        print(f"    {case.name}: {case.window.describe()}")
        print(f"      bare comparison  {micro(contains.a)}")
        print(f"      contains         {micro(contains.b)}   ratio {contains.ratio:6.1f}x")
        print(f"      next_opening     {micro(opening.b)}   ratio {opening.ratio:6.1f}x")
        print(f"      the search windows used before, next_opening {micro(before)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
