"""Busy: a lease held by someone else or not held, an attempt in flight, a reserved tests run."""

from __future__ import annotations

from typing import TYPE_CHECKING

from releasekit._errors.base import ReleaseKitError

if TYPE_CHECKING:
    import datetime as dt


__all__ = [
    "AttemptInProgressError",
    "AttemptStillRunningError",
    "LeaseHeldError",
    "LeaseNotHeldError",
    "ScheduleConflictError",
]


class LeaseHeldError(ReleaseKitError):
    """An exclusive lease is held by someone else.

    Attributes:
        lease: The lease's name, e.g. ``"tests"``.
        holder: Who holds it.
        since: When they took it.
        expires: When it lapses unless renewed.
    """

    def __init__(
        self, *, lease: str, holder: str, since: dt.datetime, expires: dt.datetime
    ) -> None:
        super().__init__(
            f"{lease} is held by {holder} since {since.isoformat()} (until "
            f"{expires.isoformat()} unless renewed); wait for it to be released or to lapse"
        )
        self.lease = lease
        self.holder = holder
        self.since = since
        self.expires = expires


class AttemptInProgressError(ReleaseKitError):
    """A release has an attempt that was started and never finished.

    An attempt is one run of an executor for the release (a deploy for a
    step, a test run, a migration). Raised when anything else is asked of the
    release while one is in flight, or after a crash left one interrupted:
    resume it or abandon it explicitly first.

    Attributes:
        release_id: The release.
        attempt_id: The unfinished attempt.
        capability: What it was doing, e.g. ``"deploy"``.
        started_at: When it started.
    """

    def __init__(
        self, *, release_id: str, attempt_id: str, capability: str, started_at: dt.datetime
    ) -> None:
        super().__init__(
            f"release {release_id} has an unfinished {capability} attempt ({attempt_id}) started "
            f"{started_at.isoformat()}; resume it or abandon it before doing anything else"
        )
        self.release_id = release_id
        self.attempt_id = attempt_id
        self.capability = capability
        self.started_at = started_at


class AttemptStillRunningError(AttemptInProgressError):
    """An unfinished attempt may still be running: resuming or abandoning it now could double it.

    Raised by ``resume`` and ``abandon-step`` while a process of the attempt — the
    releasekit process that began it, or the program its executor started —
    still runs on this host, or ran on another host, from which releasekit
    cannot tell. Pass ``force=True`` (``--force``) once a person checked that
    it ended.

    Attributes:
        release_id: The release.
        attempt_id: The unfinished attempt.
        capability: What it was doing, e.g. ``"run-tests"``.
        started_at: When it started.
        host: The host the process runs (or ran) on.
        pid: Its process id there.
        role: What the process is: ``"releasekit"`` (the process that began
            the attempt) or ``"executor"`` (the program the executor started).
        running: ``True`` if it is known to run still (on this host);
            ``False`` if releasekit cannot tell (another host).
    """

    def __init__(
        self,
        *,
        release_id: str,
        attempt_id: str,
        capability: str,
        started_at: dt.datetime,
        host: str,
        pid: int,
        role: str,
        running: bool,
    ) -> None:
        what = "releasekit process" if role == "releasekit" else "executor's process"
        if running:
            detail = (
                f"its {what} {pid} on {host} still runs; wait for it to end or stop it, "
                "then try again"
            )
        else:
            detail = (
                f"it was run by the {what} {pid} on {host}, and from this host releasekit "
                f"cannot tell whether that still runs; check on {host} that process {pid} "
                "ended, then try again with --force (force=True)"
            )
        ReleaseKitError.__init__(
            self,
            f"the {capability} attempt {attempt_id} of release {release_id} (started "
            f"{started_at.isoformat()}) may still be running: {detail}",
        )
        self.release_id = release_id
        self.attempt_id = attempt_id
        self.capability = capability
        self.started_at = started_at
        self.host = host
        self.pid = pid
        self.role = role
        self.running = running


class LeaseNotHeldError(ReleaseKitError):
    """A lease was to be renewed, given back or taken over with a token that does not hold it.

    Usually the lease lapsed and was taken over, or someone gave it back for a
    run that died (``abandon-step``): the work done under it was not exclusive
    after all, and whoever did it should check what happened.

    Attributes:
        lease: The lease's name.
        holder: Who holds it now, under another token, or ``None`` if nobody does.
        since: When the one who holds it now took it, or ``None``.
        lapsed: When it lapsed, if the token still holds it but it is no
            longer in force (it cannot be renewed then); else ``None``.
    """

    def __init__(
        self,
        *,
        lease: str,
        holder: str | None,
        since: dt.datetime | None = None,
        lapsed: dt.datetime | None = None,
    ) -> None:
        if lapsed is not None:
            message = (
                f"{lease} lapsed at {lapsed.isoformat()} and cannot be renewed; take it "
                "again, and check that the work done under it was not disturbed"
            )
        elif holder is None:
            message = (
                f"{lease} is not held under this token: nobody holds it (it was given back, "
                "or it lapsed and was cleaned up); check that the work done under it was not "
                "disturbed"
            )
        else:
            taken = f" since {since.isoformat()}" if since is not None else ""
            message = (
                f"{lease} is not held under this token: {holder} holds it{taken}, under "
                "another token (it lapsed and was taken over, or was given back and taken "
                "again); check that the work done under it was not disturbed"
            )
        super().__init__(message)
        self.lease = lease
        self.holder = holder
        self.since = since
        self.lapsed = lapsed


class ScheduleConflictError(ReleaseKitError):
    """A test run now would overlap a scheduled one.

    Attributes:
        environment: Where the tests would run.
        reserved_from: When the period reserved for the scheduled run begins.
        reserved_until: When it ends.
        next_free: The earliest instant a run of the usual length fits.
    """

    def __init__(
        self,
        *,
        environment: str,
        reserved_from: dt.datetime,
        reserved_until: dt.datetime,
        next_free: dt.datetime,
    ) -> None:
        super().__init__(
            f"a test run on {environment} now would overlap the daily scheduled run, "
            f"reserved from {reserved_from.isoformat()} to {reserved_until.isoformat()}; "
            f"start it at {next_free.isoformat()} or later"
        )
        self.environment = environment
        self.reserved_from = reserved_from
        self.reserved_until = reserved_until
        self.next_free = next_free
