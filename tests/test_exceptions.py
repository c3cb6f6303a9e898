import pickle
from collections.abc import Callable

import pendulum
import pytest

import releasekit as rk
from releasekit import exceptions


def test_every_error_derives_from_the_base() -> None:
    """Catching ReleaseKitError catches every releasekit error."""
    public = [getattr(exceptions, name) for name in exceptions.__all__]

    assert all(issubclass(error, rk.exceptions.ReleaseKitError) for error in public)


def test_input_errors_are_value_errors() -> None:
    """Callers that catch ValueError keep working."""
    assert all(
        issubclass(e, ValueError)
        for e in (
            rk.exceptions.InvalidInputError,
            rk.exceptions.NaiveDatetimeError,
            rk.exceptions.PolicyError,
        )
    )


def test_a_refusal_carries_every_blocker_and_reads_as_a_sentence() -> None:
    """The refusal's text names the release, the step and each reason."""
    blockers = [
        rk.Blocker(code="a", reason="missing", message="tests are missing", hint="run them"),
        rk.Blocker(code="b", reason="closed", message="the window is closed", hint="wait"),
    ]

    error = rk.exceptions.PromotionRefusedError(
        release_id="r1", source="stage", target="production", blockers=blockers
    )

    assert (
        "release r1 may not move from stage to production (2 reasons): "
        "tests are missing; the window is closed"
    ) == str(error)
    assert tuple(blockers) == error.blockers


def test_unknown_release_reads_as_a_sentence() -> None:
    """The lookup error is not a repr of its message."""
    assert str(rk.exceptions.UnknownReleaseError("r9")).startswith("there is no release 'r9'")


def test_not_permitted_reads_as_a_sentence() -> None:
    """The permission error shows its message, not an errno tuple."""
    error = rk.exceptions.NotPermittedError(
        "maria may not", actor="maria", action="start", allowed=["anton"]
    )

    assert ("maria may not", ("anton",)) == (str(error), error.allowed)


def test_naive_datetime_error_suggests_a_fix() -> None:
    """The message shows the value and how to give it a zone."""
    with pytest.raises(rk.exceptions.NaiveDatetimeError, match="give it a time zone"):
        rk.FixedClock(pendulum.naive(2026, 1, 1))


def test_a_step_that_may_still_run_is_a_step_in_progress() -> None:
    """Callers that catch AttemptInProgressError also catch a step that may still be running."""
    error = rk.exceptions.AttemptStillRunningError(
        release_id="r1",
        attempt_id="r1/3",
        capability="run-tests",
        started_at=pendulum.datetime(2026, 11, 27, 10, tz="UTC"),
        host="ci-7",
        pid=4242,
        role="executor",
        running=True,
    )

    assert isinstance(error, rk.exceptions.AttemptInProgressError)
    assert str(error).endswith(
        "may still be running: its executor's process 4242 on ci-7 still runs; wait for it to "
        "end or stop it, then try again"
    )


def test_a_lapsed_lease_says_it_cannot_be_renewed() -> None:
    """A lease its token still holds, but past its time, is named lapsed, with when."""
    lapsed = pendulum.datetime(2026, 11, 27, 12, tz="UTC")
    error = rk.exceptions.LeaseNotHeldError(lease="test-run:tests", holder=None, lapsed=lapsed)

    assert (None, lapsed) == (error.holder, error.lapsed)
    assert str(error).startswith(
        "test-run:tests lapsed at 2026-11-27T12:00:00+00:00 and cannot be renewed"
    )


def _raised(action: Callable[[], object]) -> rk.exceptions.ReleaseKitError:
    with pytest.raises(rk.exceptions.ReleaseKitError) as raised:
        action()
    return raised.value


def test_every_error_survives_pickle_with_its_message_and_attributes() -> None:
    """An error handed back by a process pool reads and carries what it did when raised."""
    desk = rk.Desk(rk.reference_policy(), clock=rk.FixedClock(pendulum.datetime(2026, 11, 24)))
    release = desk.start(version="2.4.0", by="anton", release_id="r1")
    desk.promote(release.id, by="anton", to="tests")
    errors = [
        _raised(lambda: desk.get("nope")),
        _raised(lambda: desk.promote(release.id, by="anton", to="sandbox")),
        _raised(lambda: desk.promote(release.id, by="anton", revision=7)),
        _raised(lambda: rk.FixedClock(pendulum.naive(2026, 1, 1))),
        _raised(lambda: rk.open_store("mysql://db/releases")),
    ]

    for error in errors:
        copy = pickle.loads(pickle.dumps(error))  # noqa: S301  # our own bytes
        assert (type(error), str(error), vars(error)) == (type(copy), str(copy), vars(copy))
    assert {
        rk.exceptions.UnknownReleaseError,
        rk.exceptions.PromotionRefusedError,
        rk.exceptions.ConflictError,
        rk.exceptions.NaiveDatetimeError,
        rk.exceptions.InvalidInputError,
    } <= {type(error) for error in errors}
