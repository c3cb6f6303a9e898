"""The releasekit exception tree.

Every error releasekit raises on purpose derives from :class:`ReleaseKitError`.
Each carries structured attributes for tools and reads, through ``str()``, as a
sentence a person can act on. Where a built-in exception fits, it is mixed in,
so ``except ValueError`` keeps working for callers that already catch it::

    ReleaseKitError
    ├── InvalidInputError (ValueError)
    │   ├── NaiveDatetimeError
    │   └── ReleaseEndedError
    ├── PolicyError (ValueError)
    │   └── PolicyFileError
    ├── UnknownReleaseError (LookupError)
    ├── UnknownDataOperationError (LookupError)
    ├── NotPermittedError (PermissionError)
    │   ├── DataOperationRefusedError
    │   └── UnknownPersonError
    ├── PromotionRefusedError
    ├── NothingToRollBackError (LookupError)
    ├── LeaseHeldError
    ├── LeaseNotHeldError
    ├── ScheduleConflictError
    ├── StepInProgressError
    │   └── StepStillRunningError
    ├── StoreError
    │   ├── ConflictError
    │   ├── HistoryTamperedError
    │   ├── RecordError (ValueError)
    │   └── SchemaVersionError
    └── ExecutorError
        ├── ExecutorNotFoundError (LookupError)
        ├── ExecutorFailedError
        ├── ExecutorTimeoutError (TimeoutError)
        ├── ExecutorNotAllowedError
        └── PluginLoadError
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Sequence

    from releasekit._rules.verdicts import Blocker

__all__ = [
    "ConflictError",
    "DataOperationRefusedError",
    "ExecutorError",
    "ExecutorFailedError",
    "ExecutorNotAllowedError",
    "ExecutorNotFoundError",
    "ExecutorTimeoutError",
    "HistoryTamperedError",
    "InvalidInputError",
    "LeaseHeldError",
    "LeaseNotHeldError",
    "NaiveDatetimeError",
    "NotPermittedError",
    "NothingToRollBackError",
    "PluginLoadError",
    "PolicyError",
    "PolicyFileError",
    "PromotionRefusedError",
    "RecordError",
    "ReleaseEndedError",
    "ReleaseKitError",
    "ScheduleConflictError",
    "SchemaVersionError",
    "StepInProgressError",
    "StepStillRunningError",
    "StoreError",
    "UnknownDataOperationError",
    "UnknownPersonError",
    "UnknownReleaseError",
]


class ReleaseKitError(Exception):
    """The base of every error releasekit raises on purpose."""


class InvalidInputError(ReleaseKitError, ValueError):
    """A value handed to releasekit cannot be used as it is.

    Attributes:
        field: The name of the offending argument or field.
        value: The value that was refused.
    """

    def __init__(self, message: str, *, field: str, value: object) -> None:
        super().__init__(message)
        self.field = field
        self.value = value


class NaiveDatetimeError(InvalidInputError):
    """A datetime without a time zone was given where an instant is needed.

    releasekit never guesses a time zone: a naive datetime is ambiguous, and a
    release window misread by an hour is a production outage.
    """

    def __init__(self, *, field: str, value: dt.datetime) -> None:
        super().__init__(
            f"{field} is a naive datetime ({value.isoformat()}); give it a time zone, "
            f"for example pendulum.datetime(..., tz='UTC') or value.replace(tzinfo=UTC)",
            field=field,
            value=value,
        )


class ReleaseEndedError(InvalidInputError):
    """The release has ended, or finished its flow, so it takes no such action any more.

    A release that was abandoned or rolled back has ended: it can only be read
    (its record, status, history, verification, an explanation or a plan
    saying it is finished). A release in the last environment of its flow
    (production) has finished its flow: evidence, test runs, migrations,
    promotions and abandoning are refused, while what concerns production
    (monitoring, log checks, attention items, rollback) goes on. Nothing is
    recorded for a refused action.

    Attributes:
        release_id: The release.
        state: Where it is: ``"abandoned"``, ``"rolled-back"``, or the last
            environment of its flow.
        action: What was refused, e.g. ``"record evidence"``.
        ended: ``True`` if the release was abandoned or rolled back, ``False``
            if it finished its flow.
    """

    def __init__(self, *, release_id: str, state: str, action: str, ended: bool) -> None:
        if ended:
            done = "abandoned" if state == "abandoned" else "rolled back"
            instead = (
                "start a new release to ship it again"
                if state == "abandoned"
                else "ship the fix as a new (hotfix) release"
            )
            message = (
                f"release {release_id} was {done}: it has ended, so you cannot {action}; "
                f"it can only be read now — {instead}"
            )
        else:
            message = (
                f"release {release_id} has finished its flow in {state}, so you cannot "
                f"{action}; only the operations of {state} (log checks, attention items, "
                "rollback) concern it now — start a new release to ship more"
            )
        super().__init__(message, field="release_id", value=release_id)
        self.release_id = release_id
        self.state = state
        self.action = action
        self.ended = ended


class PolicyError(ReleaseKitError, ValueError):
    """A policy is inconsistent and cannot be used.

    Raised when the policy is built, never later, so a broken policy fails
    when it is loaded rather than in the middle of a release.

    Attributes:
        problems: Every problem found, each a sentence naming what is wrong.
    """

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        if len(self.problems) == 1:
            message = f"the policy is invalid: {self.problems[0]}"
        else:
            listed = "; ".join(self.problems)
            message = f"the policy is invalid ({len(self.problems)} problems): {listed}"
        super().__init__(message)


class PolicyFileError(PolicyError):
    """A policy file cannot be read or holds mistakes.

    Attributes:
        source: The file (or other source) read.
        problems: Every problem found, each starting with the path of the value
            at fault, e.g. ``environments[2].gate[0].environment: ...``.
    """

    def __init__(self, *, source: str, problems: Sequence[str]) -> None:
        self.source = source
        self.problems = tuple(problems)
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        listed = "\n".join(f"  {problem}" for problem in self.problems)
        ReleaseKitError.__init__(self, f"{source}: {count} {noun} in the policy file:\n{listed}")


class UnknownReleaseError(ReleaseKitError, LookupError):
    """No release with the given id exists.

    Attributes:
        release_id: The id that was looked up.
    """

    def __init__(self, release_id: str) -> None:
        super().__init__(
            f"there is no release {release_id!r}; list the known releases or start a new one"
        )
        self.release_id = release_id

    def __str__(self) -> str:  # LookupError would repr() the message
        return str(self.args[0])


class NotPermittedError(ReleaseKitError, PermissionError):
    """The actor may not perform this action.

    Attributes:
        actor: Who tried.
        action: What they tried, e.g. ``"promote"``.
        allowed: Who may do it instead.
    """

    def __init__(self, message: str, *, actor: str, action: str, allowed: Sequence[str]) -> None:
        super().__init__(message)
        self.actor = actor
        self.action = action
        self.allowed = tuple(allowed)

    def __str__(self) -> str:  # PermissionError would show (errno, strerror)
        return str(self.args[0])


class PromotionRefusedError(ReleaseKitError):
    """A release may not move to its next environment now.

    Carries every blocker at once, so one refusal tells the whole story.

    Attributes:
        release_id: The release that was refused.
        source: The environment the release is in.
        target: The environment it was to move to.
        blockers: Every unmet guard, as structured blockers.
    """

    def __init__(
        self,
        *,
        release_id: str,
        source: str,
        target: str,
        blockers: Sequence[Blocker],
    ) -> None:
        self.release_id = release_id
        self.source = source
        self.target = target
        self.blockers = tuple(blockers)
        reasons = "; ".join(b.message for b in self.blockers)
        count = len(self.blockers)
        noun = "reason" if count == 1 else "reasons"
        super().__init__(
            f"release {release_id} may not move from {source} to {target} "
            f"({count} {noun}): {reasons}"
        )


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


class StepInProgressError(ReleaseKitError):
    """A release has a step that was started and never finished.

    Raised when a new step is asked for while one is in flight, or after a
    crash left one interrupted: resume it or abandon it explicitly first.

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
            f"release {release_id} has an unfinished {capability} step ({attempt_id}) started "
            f"{started_at.isoformat()}; resume it or abandon it before doing anything else"
        )
        self.release_id = release_id
        self.attempt_id = attempt_id
        self.capability = capability
        self.started_at = started_at


class StepStillRunningError(StepInProgressError):
    """An unfinished step may still be running: resuming or abandoning it now could double it.

    Raised by ``resume`` and ``abandon-step`` while a process of the step — the
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
            the step) or ``"executor"`` (the program the executor started).
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
            f"the {capability} step {attempt_id} of release {release_id} (started "
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


class StoreError(ReleaseKitError):
    """A store could not do what was asked of it."""


class ConflictError(StoreError):
    """The caller's view of a record is stale: someone else changed it since it was read.

    Raised by a store when a write names a revision the record is no longer at
    (optimistic concurrency), and by a promotion whose caller named the step it
    meant (``to=``) or the revision it saw (``revision=``) when the release has
    moved on. Either way nothing was written: load the record again and decide
    again.

    Attributes:
        stream: The record that changed, usually a release id.
        expected: The revision the caller saw, if it named one.
        actual: The revision the store holds, if known.
        expected_target: The environment the caller meant the release to
            enter, if it named one.
        actual_target: The environment the release's next step enters now
            (``None`` if it has no next step, or the caller named none).
        state: Where the release is now, if the caller named a step.
    """

    def __init__(
        self,
        *,
        stream: str,
        expected: int | None,
        actual: int | None,
        expected_target: str | None = None,
        actual_target: str | None = None,
        state: str | None = None,
    ) -> None:
        super().__init__(
            _conflict_message(
                stream=stream,
                expected=expected,
                actual=actual,
                expected_target=expected_target,
                actual_target=actual_target,
                state=state,
            )
        )
        self.stream = stream
        self.expected = expected
        self.actual = actual
        self.expected_target = expected_target
        self.actual_target = actual_target
        self.state = state


def _conflict_message(
    *,
    stream: str,
    expected: int | None,
    actual: int | None,
    expected_target: str | None,
    actual_target: str | None,
    state: str | None,
) -> str:
    if state is None:  # a store's conflict: a write based on a stale revision
        if expected == 0:
            return f"{stream} already exists (revision {actual}); load it instead of creating it"
        return (
            f"{stream} changed while you worked on it: you saw revision {expected}, the store "
            f"holds revision {actual}; load it again and retry"
        )
    step = (
        "has no next step"
        if actual_target is None
        else f"its next step is {state} -> {actual_target}"
    )
    asked = "you asked to promote it" + (f" to {expected_target}" if expected_target else "")
    if expected_target is not None and state == expected_target:
        found = f"{stream} is already in {state}"
    elif expected_target is not None and actual_target != expected_target:
        found = f"{stream} is in {state} and {step}"
    else:
        found = (
            f"{stream} changed since you saw it at revision {expected}: it is at revision "
            f"{actual}, in {state}, and {step}"
        )
    return f"{found}; {asked} — reload and decide again"


class HistoryTamperedError(StoreError):
    """A history does not match its hash chain, or a stored state does not match its history.

    Raised by ``verify`` results (:meth:`Verification.raise_if_tampered
    <releasekit.stores.Verification.raise_if_tampered>`), and when a state
    edited behind releasekit's back is loaded to be acted on: nothing reads it.

    Attributes:
        stream: The history that does not verify.
        seq: The position of the first event that does not match.
        detail: What does not match.
    """

    def __init__(self, *, stream: str, seq: int, detail: str, message: str | None = None) -> None:
        super().__init__(
            message
            if message is not None
            else f"the history of {stream} does not verify at event {seq}: {detail}; "
            "restore it from a backup and find out who changed it"
        )
        self.stream = stream
        self.seq = seq
        self.detail = detail


class ExecutorError(ReleaseKitError):
    """An executor could not carry out a step."""


class ExecutorNotFoundError(ExecutorError, LookupError):
    """No executor is registered for a capability (and environment).

    Attributes:
        capability: What was asked for, e.g. ``"deploy"``.
        environment: Where, if the lookup was per environment.
    """

    def __init__(self, *, capability: str, environment: str | None = None) -> None:
        where = f" in {environment}" if environment else ""
        super().__init__(
            f"no executor is registered to {capability}{where}; register one with the "
            "executor registry or install a plug-in that provides it"
        )
        self.capability = capability
        self.environment = environment

    def __str__(self) -> str:  # LookupError would repr() the message
        return str(self.args[0])


class ExecutorFailedError(ExecutorError):
    """An executor ran and reported failure.

    Attributes:
        capability: What it was doing.
        environment: Where.
        exit_code: The process's exit code, if a process ran.
        output: The tail of what it printed.
        signal: The number of the signal that killed the process, if one did.
    """

    def __init__(
        self,
        message: str,
        *,
        capability: str,
        environment: str | None,
        exit_code: int | None = None,
        output: str = "",
        signal: int | None = None,
    ) -> None:
        super().__init__(message)
        self.capability = capability
        self.environment = environment
        self.exit_code = exit_code
        self.output = output
        self.signal = signal


class ExecutorTimeoutError(ExecutorError, TimeoutError):
    """An executor did not finish in time and was stopped.

    Attributes:
        capability: What it was doing.
        environment: Where.
        timeout: How long it was given, in seconds.
        output: The tail of what it printed before it was stopped.
    """

    def __init__(
        self, *, capability: str, environment: str | None, timeout: float, output: str = ""
    ) -> None:
        where = f" in {environment}" if environment else ""
        super().__init__(
            f"{capability}{where} did not finish within {timeout:g} s and was stopped; "
            "look at its output, then retry or raise the timeout"
        )
        self.capability = capability
        self.environment = environment
        self.timeout = timeout
        self.output = output

    def __str__(self) -> str:  # TimeoutError would show (errno, strerror)
        return str(self.args[0])


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


class RecordError(StoreError, ValueError):
    """Stored or given data does not describe the record it should.

    Attributes:
        what: What was being read, e.g. ``"the snapshot of r1"``.
        problems: Every problem, each ending with its path, e.g.
            ``"invalid value for type, expected DateTime @ $.evidence[2].at"``.
    """

    def __init__(self, *, what: str, problems: Sequence[str]) -> None:
        self.what = what
        self.problems = tuple(problems)
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        super().__init__(
            f"{what} cannot be read ({count} {noun}): {'; '.join(self.problems)}; "
            "correct the data, or restore it from a backup if it was stored"
        )


class SchemaVersionError(StoreError):
    """A store was written by a newer releasekit than the one opening it.

    Opening it anyway could silently drop what the newer version records, so
    it is refused.

    Attributes:
        location: The store, e.g. a file path or a database name.
        found: The schema version the store has.
        supported: The newest schema version this releasekit knows.
    """

    def __init__(self, *, location: str, found: int, supported: int) -> None:
        super().__init__(
            f"{location} has schema version {found}, but this releasekit knows versions up "
            f"to {supported} only; upgrade releasekit on this machine to use it"
        )
        self.location = location
        self.found = found
        self.supported = supported


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


class PluginLoadError(ExecutorError):
    """An executor plug-in could not be loaded.

    Attributes:
        plugin: The entry point's name.
        value: What the entry point points at (``module:callable``).
        distribution: The installed distribution that declares it, if known.
    """

    def __init__(
        self, message: str, *, plugin: str, value: str, distribution: str | None = None
    ) -> None:
        super().__init__(message)
        self.plugin = plugin
        self.value = value
        self.distribution = distribution


class UnknownDataOperationError(ReleaseKitError, LookupError):
    """No data operation with the given id exists.

    Attributes:
        operation_id: The id that was looked up.
    """

    def __init__(self, operation_id: str) -> None:
        super().__init__(
            f"there is no data operation {operation_id!r}; list the data operations to find "
            "its id, or request it first"
        )
        self.operation_id = operation_id

    def __str__(self) -> str:  # LookupError would repr() the message
        return str(self.args[0])


class DataOperationRefusedError(NotPermittedError):
    """A step of a data operation (request, verify, execute, restore, …) is refused.

    Nothing was recorded: the operation is exactly as it was.

    Attributes:
        reason: A stable code saying why, e.g. ``"requester-verifies"``,
            ``"not-operator"``, ``"not-verified"``, ``"direction"``.
        operation_id: The operation, or ``None`` if it was never created.
        environment: The environment whose data would change.
        actor: Who tried.
        action: What they tried, e.g. ``"verify a data adjustment"``.
        allowed: Who may do it instead (empty if nobody may, or anyone else).
    """

    def __init__(
        self,
        message: str,
        *,
        reason: str,
        operation_id: str | None,
        environment: str,
        actor: str,
        action: str,
        allowed: Sequence[str] = (),
    ) -> None:
        super().__init__(message, actor=actor, action=action, allowed=allowed)
        self.reason = reason
        self.operation_id = operation_id
        self.environment = environment


#: How many people of the roster an :class:`UnknownPersonError` lists when it suggests no one.
_LISTED_PEOPLE = 10


def _either(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


class UnknownPersonError(NotPermittedError):
    """A name is on nobody's entry of the policy's roster: no one of the team is called that.

    Raised, with a roster, for whoever acts (``by``, ``--actor``), the author of
    evidence and every other name given for a person. Nothing was recorded.

    Attributes:
        actor: The name that was given, as an identity.
        field: The argument or field it was given as, e.g. ``"by"``, ``"actor"``.
        suggestions: The people of the roster whose name or alias is close to it.
        allowed: Everyone on the roster, by name.
        action: Always ``"act"``: no one off the roster may do anything.
    """

    def __init__(
        self,
        *,
        actor: str,
        field: str,
        suggestions: Sequence[str],
        allowed: Sequence[str],
        given_as: str | None = None,
    ) -> None:
        """Say *actor* is on no one's entry; *given_as* says where it came from (``--actor``)."""
        where = given_as or field
        how = f"{where}: a person is named by a name or alias listed under [people] in the policy"
        if suggestions:
            message = (
                f"no one called {actor!r} is on the roster; did you mean {_either(suggestions)}? "
                f"({how})"
            )
        else:
            listed = ", ".join(allowed[:_LISTED_PEOPLE])
            more = ", ..." if len(allowed) > _LISTED_PEOPLE else ""
            message = (
                f"no one called {actor!r} is on the roster ({listed}{more}); give the name of "
                f"someone on it, or add them there ({how})"
            )
        super().__init__(message, actor=actor, action="act", allowed=allowed)
        self.field = field
        self.suggestions = tuple(suggestions)


class NothingToRollBackError(ReleaseKitError, LookupError):
    """An environment has no earlier version to roll back to.

    Attributes:
        environment: The environment that was to be rolled back.
        current: The release running there, or ``None`` if none ever reached it.
    """

    def __init__(self, *, environment: str, current: str | None) -> None:
        if current is None:
            message = (
                f"nothing runs in {environment} yet, so there is nothing to roll back; "
                f"promote a release to {environment} first"
            )
        else:
            message = (
                f"release {current} runs in {environment} and no earlier release is left to go "
                "back to (rolled-back releases do not count); fix it forward with a hotfix "
                "release instead"
            )
        super().__init__(message)
        self.environment = environment
        self.current = current

    def __str__(self) -> str:  # LookupError would repr() the message
        return str(self.args[0])


class ExecutorNotAllowedError(ExecutorError):
    """The executor registered for a step is not one the policy allows for it.

    Production data, for instance, may be adjusted only through the team's
    ``dt`` tool: a dry run or any other executor is refused.

    Attributes:
        capability: What was to be done, e.g. ``"adjust-data"``.
        environment: Where.
        executor: The executor found, described.
        required: What the policy requires, e.g. the tool ``"dt"``.
    """

    def __init__(self, *, capability: str, environment: str, executor: str, required: str) -> None:
        super().__init__(
            f"{capability} in {environment} may run only through {required}, but the executor "
            f"registered for it is {executor}; register a CommandExecutor (or DtExecutor) "
            f"running {required} for {capability} in {environment}"
        )
        self.capability = capability
        self.environment = environment
        self.executor = executor
        self.required = required
