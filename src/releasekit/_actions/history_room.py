"""Reading and checking histories: releases listed page by page, each history and its chain.

A listing reads release rows only — no evidence, no history — so it costs the
same however many releases the store holds beyond the page. ``verify`` walks a
history's hash chain and compares the stored state with the replay of its
events: a release's, a data operation's (``data:<id>``), the declared freezes'
(``freezes:declared``), or any other (``kind:name``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from releasekit._actions import declared_freezes
from releasekit._actions.data import STREAM_PREFIX
from releasekit._actions.data_records import DataRecords
from releasekit._actions.room import Room
from releasekit._records.checks import SEPARATOR
from releasekit.exceptions import InvalidInputError, UnknownReleaseError

if TYPE_CHECKING:
    from releasekit._records.events import Event, Verification
    from releasekit._records.values import ReleaseSummary

__all__ = ["HistoryRoom"]


@attrs.define(eq=False)
class HistoryRoom(Room):
    """List releases, read their histories, and check every history against its chain."""

    def releases(
        self, *, active: bool = True, after: str | None = None, limit: int | None = None
    ) -> list[ReleaseSummary]:
        """Return releases as listed — their rows, no evidence, no history — in id order.

        Reading rows only, this costs the same however many releases the store
        holds beyond the ones returned.

        Args:
            active: Only releases in flight: not ended (abandoned, rolled back)
                and not at the end of their flow. All of them if false.
            after: Only ids after this one: pass the last id of the page before.
            limit: At most this many; all of them if ``None``.

        Raises:
            InvalidInputError: *after* is not an id, or *limit* not at least 1.
        """
        found: list[ReleaseSummary] = []
        while True:
            wanted = None if limit is None else limit - len(found)
            page = self.ledger.releases(active=active, after=after, limit=wanted)
            # A release that reached the end of its flow before releases recorded
            # when they finished is not marked finished: its state says so.
            found.extend(item for item in page if not active or not self._at_end(item))
            if not page or wanted is None or len(page) < wanted or len(found) == limit:
                return found
            after = page[-1].id

    def history(self, release_id: str) -> list[Event]:
        """Return every event of the release, oldest first (its state need not verify).

        Raises:
            UnknownReleaseError: No release has that id.
        """
        events = self.ledger.history(release_id)
        if not events and self.store.read_release(release_id) is None:
            raise UnknownReleaseError(release_id)
        return events

    def verify_all(self) -> list[Verification]:
        """Check every history the store holds, one result per history, in name order.

        Releases and data operations are checked against their hash chains and
        their states against the replay of their events; any other history
        (``kind:name``) against its chain and the state its last event recorded.
        A history whose state was deleted is listed, and reported.
        """
        return [self.verify_history(name) for name in self.ledger.histories()]

    def verify_history(self, stream: str) -> Verification:
        """Check one history by its name: a release id, ``data:<id>``, or any ``kind:name``.

        Raises:
            UnknownReleaseError: There is no such release.
            UnknownDataOperationError: There is no such data operation.
            InvalidInputError: There is no other history of that name.
        """
        if SEPARATOR not in stream:
            return self.ledger.verify(stream)
        if stream.startswith(STREAM_PREFIX):
            return DataRecords(self.ledger).verify(stream.removeprefix(STREAM_PREFIX))
        replay = declared_freezes.replay_problem if stream == declared_freezes.STREAM else None
        verification = self.ledger.verify_history(stream, replay=replay)
        if verification.ok and not verification.events:
            raise InvalidInputError(
                f"the store holds no history named {stream!r}; `releasekit verify` lists them all",
                field="stream",
                value=stream,
            )
        return verification

    def _at_end(self, release: ReleaseSummary) -> bool:
        """Whether a listed release is at the end of its flow, as this desk's policy says."""
        if release.kind not in self.policy.kinds:
            return False
        return release.state == self.policy.flow(release.kind).path[-1]
