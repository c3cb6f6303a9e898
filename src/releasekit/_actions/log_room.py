"""Log review and production monitoring: what the logs of each environment say.

Before stage, the error logs of every environment are collected into one
:class:`~releasekit.LogReport` (:meth:`LogRoom.collect_logs`) and a reviewer's
verdict on it is recorded as the release's :class:`~releasekit.LogReview`
(:meth:`LogRoom.review_logs`). Once a release runs in a monitored environment
(production), its logs are checked on the policy's schedule
(:meth:`LogRoom.monitoring` says which checks are due, :meth:`LogRoom.check_production`
runs one); a bad check raises an attention item on the release and, where the
policy says to react at once, notifies the team.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import attrs

from releasekit._actions.executors.outcomes import Outcome
from releasekit._actions.executors.requests import LogRequest, Notice
from releasekit._actions.logs import (
    LogCheck,
    LogGap,
    LogReport,
    Monitoring,
    attention_key,
    schedule,
    unlisted,
)
from releasekit._actions.room import Room
from releasekit._actions.step_room import StepRoom
from releasekit._records.converter import iso
from releasekit._records.events import Action
from releasekit._rules import guards
from releasekit._rules._time import instant
from releasekit._rules.evidence import LogReview, LogVerdict
from releasekit.exceptions import ExecutorError, InvalidInputError

if TYPE_CHECKING:
    import pendulum

    from releasekit._actions.deployments import Deployment
    from releasekit._actions.executors.outcomes import LogBatch
    from releasekit._actions.executors.requests import Progress
    from releasekit._records.values import Record
    from releasekit._rules.environments import Environment, LogMonitoring
    from releasekit._rules.release import Release

__all__ = ["DEFAULT_LOG_WINDOW", "LogRoom"]

#: How far back a log report reaches when neither an instant nor a release is given.
DEFAULT_LOG_WINDOW = dt.timedelta(hours=24)


@attrs.define(eq=False)
class LogRoom(Room):
    """Collect and review the logs of every environment; monitor production's."""

    def collect_logs(
        self,
        release_id: str | None = None,
        *,
        since: dt.datetime | None = None,
        progress: Progress | None = None,
    ) -> LogReport:
        """Collect the error logs of every environment of the policy into one report.

        Each environment's logs come from its ``collect-logs`` executor. An
        environment whose logs cannot be collected — no executor, a failed
        collection, an executor that raised — or whose output was cut short is
        listed in the report's :attr:`~LogReport.gaps` with the reason; the
        others are :attr:`~LogReport.covered`. Nothing is recorded: hand the
        report to :meth:`review_logs` with the reviewer's verdict.

        Reading an environment's logs is not acting in it: anyone may collect
        them, owned environments included.

        Args:
            release_id: The release the review is for, if any.
            since: The earliest instant of interest; by default the release's
                last move (when it reached where it is), or
                :data:`DEFAULT_LOG_WINDOW` (24 h) ago without a release.
            progress: Receives each line of output as it arrives.

        Raises:
            UnknownReleaseError: *release_id* names no release.
            NaiveDatetimeError: *since* has no time zone.
        """
        record = self.load(release_id) if release_id is not None else None
        if since is not None:
            start = instant(since, field="since")
        elif record is not None:
            start = record.release.last_moved_at
        else:
            start = self.clock.now() - DEFAULT_LOG_WINDOW
        batches: list[LogBatch] = []
        gaps: list[LogGap] = []
        for name in self.policy.environment_names:
            request = LogRequest(environment=name, since=start, progress=progress)
            try:
                batch = self.executors.log_collector(name).collect_logs(request)
            except ExecutorError as error:
                gaps.append(LogGap(environment=name, reason=str(error)))
                continue
            except Exception as error:  # noqa: BLE001  # one broken plug-in must not hide the rest
                gaps.append(
                    LogGap(
                        environment=name,
                        reason=f"the log collector raised {type(error).__name__}: {error}",
                    )
                )
                continue
            if not batch.ok:
                gaps.append(
                    LogGap(
                        environment=name, reason=f"the collection failed: {batch.outcome.summary}"
                    )
                )
                continue
            batches.append(batch)
            if not batch.complete:
                gaps.append(
                    LogGap(
                        environment=name,
                        reason=f"the output was too long: only the head and tail of "
                        f"{batch.error_count} entries were kept; read the logs in full",
                    )
                )
        return LogReport(
            environments=self.policy.environment_names,
            since=start,
            collected_at=self.clock.now(),
            release_id=release_id,
            batches=batches,
            gaps=gaps,
        )

    def review_logs(
        self,
        release_id: str,
        report: LogReport,
        *,
        by: str,
        verdict: LogVerdict | str,
        note: str = "",
    ) -> Record:
        """Record a reviewer's verdict on a log report as the release's LogReview evidence.

        The review covers exactly the environments whose logs the report holds
        completely; when some are missing, its note says which, and the
        ``logs-reviewed`` guard goes on asking for them. The review holds for
        the instant the logs were collected, so a report collected before the
        release's last move, or longer ago than the guard's maximum age, does
        not count.

        Args:
            release_id: The release.
            report: The report from :meth:`collect_logs`.
            by: The reviewer.
            verdict: ``clean`` if the logs look good, ``problems`` if not.
            note: What the reviewer saw.

        Raises:
            ReleaseEndedError: The release has ended or finished its flow.
            InvalidInputError: The report was made for another release, or holds
                no environment's logs completely.
            ConflictError: Someone else changed the release meanwhile; retry.
        """
        by = self.person(by)
        record = self.load(release_id)
        self.engine.require_open(record.release, action="record a review of the logs")
        if report.release_id is not None and report.release_id != release_id:
            raise InvalidInputError(
                f"this log report was collected for release {report.release_id}, not "
                f"{release_id}; collect the logs for {release_id}",
                field="report",
                value=report.release_id,
            )
        covered = report.covered
        if not covered:
            raise InvalidInputError(
                "the report holds no environment's logs completely, so there is nothing to "
                "review; fix the log collectors and collect the logs again",
                field="report",
                value=report.uncovered,
            )
        missing = report.uncovered
        text = note.strip()
        if missing:
            gap = f"not covered: the logs of {', '.join(missing)} could not be collected completely"
            text = f"{text} ({gap})" if text else gap
        review = LogReview(
            by=by,
            at=report.collected_at,
            environments=covered,
            verdict=verdict,
            note=text,
        )
        now = self.clock.now()
        self.engine.add_evidence(record.release, review, now=now)
        order = [name for name in report.environments if name in covered]
        return self.ledger.add_evidence(
            record,
            review,
            by=by,
            at=now,
            reason=f"{review.verdict.value} review of the logs of {', '.join(order)}",
        )

    def monitoring(
        self, release_id: str, *, environment: str | None = None, limit: int | None = None
    ) -> Monitoring:
        """Return which log checks the release calls for where its logs are monitored.

        Pure arithmetic from when the release began running there (it entered,
        or a newer release was rolled back to it), the checks recorded since,
        and the clock: the checks done, the one due, those overdue, the next.
        Once a newer release replaces it, no further check falls due.

        Args:
            release_id: The release.
            environment: The monitored environment; by default the last one the
                release reached whose logs are monitored (production).
            limit: List only the latest *limit* checks that fell due; the others
                are counted in :attr:`~Monitoring.earlier` (a release that ran
                for a year unchecked calls for thousands).

        Raises:
            InvalidInputError: The environment's logs are not monitored, or the
                release never reached it.
        """
        record = self.load(release_id)
        name, rule = self._monitored(record.release, environment)
        deployment = self._deployment_of(record.release, name)
        checks = self._log_checks(release_id, name, since=deployment.live_since)
        now = self.clock.now()
        since, until = deployment.live_since, deployment.until
        earlier, missed = (
            (0, 0)
            if limit is None
            else unlisted(rule, since=since, checks=checks, now=now, until=until, limit=limit)
        )
        return Monitoring(
            release_id=release_id,
            environment=name,
            every=rule.every,
            since=deployment.live_since,
            until=deployment.until,
            at=now,
            checks=schedule(rule, since=since, checks=checks, now=now, until=until, limit=limit),
            last_checked_at=max(checks, default=None),
            earlier=earlier,
            earlier_overdue=missed,
        )

    def check_production(
        self,
        release_id: str,
        *,
        by: str,
        environment: str | None = None,
        progress: Progress | None = None,
    ) -> LogCheck:
        """Check the logs of the monitored environment the release runs in, and react.

        The logs since the last check (or since the release began running
        there) are collected through the environment's ``collect-logs``
        executor, and a ``logs-checked`` note is recorded. A bad check —
        errors in the logs, or logs that could not be collected — raises the
        attention item :func:`attention_key` on the release (clear it with
        :meth:`clear_attention` once dealt with) and, where the environment's
        monitoring says to react immediately, notifies the team at once
        through its ``notify`` executor, recorded as a ``notified`` note.

        Args:
            release_id: The release running in the environment.
            by: Who or what checks, e.g. ``"log-monitor"``.
            environment: The monitored environment; production by default.
            progress: Receives each line of output as it arrives.

        Returns:
            The check's result; :attr:`LogCheck.bad` says whether it went bad.

        Raises:
            ReleaseEndedError: The release was abandoned or rolled back.
            InvalidInputError: The release does not run in a monitored environment
                (it never reached it, or was replaced).
            NotPermittedError: *by* may not act in the environment.
        """
        by = self.person(by)
        record = self.load(release_id)
        self.engine.require_open(record.release, action="check its logs", at_end=True)
        name, rule = self._monitored(record.release, environment)
        self.engine.require_actor(name, by, action="check the logs")
        deployment = self._deployment_of(record.release, name)
        if not deployment.running:
            instead = (
                f"{deployment.replaced_by} replaced it"
                if deployment.replaced_by is not None
                else "it was rolled back"
            )
            ended = deployment.until.isoformat() if deployment.until is not None else "?"
            raise InvalidInputError(
                f"release {release_id} no longer runs in {name}: {instead} at {ended}; "
                f"check the release that runs in {name} now",
                field="release_id",
                value=release_id,
            )
        checks = self._log_checks(release_id, name, since=deployment.live_since)
        since = max(checks, default=deployment.live_since)
        batch, problem = self._collect_for_check(name, since, progress)
        now = self.clock.now()
        record = self.beside(StepRoom).end(  # the collection may have taken a while
            record,
            lambda current: self.ledger.note(
                current,
                action=Action.LOGS_CHECKED,
                by=by,
                at=now,
                reason=problem or f"no errors in the logs of {name} since {guards.when(since)}",
                data={
                    "environment": name,
                    "since": iso(since),
                    "collected": batch is not None and batch.ok,
                    "errors": batch.error_count if batch is not None else 0,
                    "complete": batch.complete if batch is not None else False,
                    "problem": problem,
                },
            ),
        )
        check = LogCheck(
            release_id=release_id, environment=name, since=since, at=now, by=by, batch=batch
        )
        if not problem:
            return check
        key = attention_key(name)
        message = f"{record.release.version} in {name}: {problem}"
        record = self.ledger.raise_attention(record, key=key, message=message, by=by, at=now)
        notice = None
        if rule.react_immediately:
            notice = self._notify(Notice(message=message, environment=name, release_id=release_id))
            self.ledger.note(
                record,
                action=Action.NOTIFIED,
                by=by,
                at=self.clock.now(),
                reason=notice.summary,
                data={"message": message, "status": notice.status.value, "attention": key},
            )
        return attrs.evolve(check, problem=problem, notice=notice, attention_key=key)

    def clear_attention(self, release_id: str, key: str, *, by: str, reason: str) -> Record:
        """Record that the attention item *key* of the release was dealt with.

        Args:
            release_id: The release.
            key: The item, e.g. ``"log-check:production"`` (see :attr:`Record.attention`).
            by: Who dealt with it.
            reason: What was done.

        Raises:
            InvalidInputError: The release has no open item *key*.
            NotPermittedError: The release is in an environment *by* may not act in.
        """
        by = self.person(by)
        record = self.load(release_id)
        self.require_actor_at(record.release, by, action="clear an attention item")
        return self.ledger.clear_attention(record, key, by=by, at=self.clock.now(), reason=reason)

    def _monitored(self, release: Release, environment: str | None) -> tuple[str, LogMonitoring]:
        monitored = [env for env in self.policy.environments if env.log_monitoring is not None]
        listed = ", ".join(env.name for env in monitored) or "none"
        if environment is not None:
            chosen: Environment | None = self.policy.environment(environment)
            assert chosen is not None  # noqa: S101  # environment() raises instead
            if chosen.log_monitoring is None:
                raise InvalidInputError(
                    f"the logs of {chosen.name} are not monitored (monitored: {listed})",
                    field="environment",
                    value=environment,
                )
        else:
            reached = [env for env in monitored if release.has_visited(env.name)]
            chosen = reached[-1] if reached else None
        if chosen is None or not release.has_visited(chosen.name):
            where = chosen.name if chosen is not None else listed
            raise InvalidInputError(
                f"release {release.id} has not reached {where}, whose logs are monitored; "
                "its checks begin once it is deployed there",
                field="release_id",
                value=release.id,
            )
        assert chosen.log_monitoring is not None  # noqa: S101  # checked above
        return chosen.name, chosen.log_monitoring

    def _deployment_of(self, release: Release, environment: str) -> Deployment:
        for deployment in self.deployments(environment):
            if deployment.release.id == release.id:
                return deployment
        raise InvalidInputError(  # pragma: no cover  # _monitored checked it reached there
            f"release {release.id} was never deployed to {environment}",
            field="release_id",
            value=release.id,
        )

    def _log_checks(
        self, release_id: str, environment: str, *, since: dt.datetime
    ) -> list[pendulum.DateTime]:
        """Return when the release's logs in *environment* were checked, from *since* on."""
        return [
            event.at
            for event in self.ledger.history(release_id)
            if event.action is Action.LOGS_CHECKED
            and event.data.get("environment") == environment
            and event.at >= since
        ]

    def _collect_for_check(
        self, environment: str, since: dt.datetime, progress: Progress | None
    ) -> tuple[LogBatch | None, str]:
        """Collect the logs of a monitoring check; return them and what is wrong ("" if nothing)."""
        request = LogRequest(environment=environment, since=since, progress=progress)
        try:
            batch = self.executors.log_collector(environment).collect_logs(request)
        except ExecutorError as error:
            return None, f"the logs could not be collected: {error}"
        if not batch.ok:
            return batch, f"the logs could not be collected: {batch.outcome.summary}"
        if batch.error_count:
            count = batch.error_count
            noun = "error" if count == 1 else "errors"
            first = f", the first: {batch.entries[0]}" if batch.entries else ""
            return batch, f"{count} {noun} in the logs since {guards.when(request.since)}{first}"
        return batch, ""

    def _notify(self, notice: Notice) -> Outcome:
        """Send *notice*; a notifier that is missing or cannot run gives a failed outcome."""
        try:
            return self.executors.notifier(notice.environment).notify(notice)
        except ExecutorError as error:
            return Outcome.failure(f"the team could not be notified: {error}")
