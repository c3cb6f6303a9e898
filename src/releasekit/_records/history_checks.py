"""Checking the histories a store holds: what ``verify`` and the reads before an action do.

:class:`HistoryChecks` is the part of the :class:`~releasekit.stores.Ledger`
that checks a history against its chain and its stored state against its
replay.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from releasekit._records.checks import SEPARATOR, check_history_name, check_release_id, check_stream
from releasekit._records.verifying import Replay, check_history, release_problem, tampered
from releasekit.exceptions import UnknownReleaseError

if TYPE_CHECKING:
    from releasekit._records.events import Verification
    from releasekit._records.store import Snapshot, Store

__all__ = ["HistoryChecks"]


class _Stored(Protocol):
    """What the methods below need of the ledger they belong to."""

    @property
    def store(self) -> Store: ...


class HistoryChecks:
    """The :class:`~releasekit.stores.Ledger`'s checks of the histories its store holds."""

    def verify(self: _Stored, release_id: str) -> Verification:
        """Check the release's history against its hash chain *and* its rows.

        Beyond the chain, the history is replayed and compared with the stored
        rows, so rows edited behind releasekit's back are caught too.

        Raises:
            UnknownReleaseError: The release has neither a history nor rows.
        """
        stream = check_release_id(release_id)
        verification, stored = check_history(
            self.store, stream, self.store.read_release, release_problem
        )
        if stored is None and verification.ok:
            raise UnknownReleaseError(release_id)
        return verification

    def verify_history(self: _Stored, stream: str, *, replay: Replay | None = None) -> Verification:
        """Check any history the store holds: its chain, and its state against it.

        The store checks the chain and that the state is the one the last
        event recorded; given *replay*, the whole history is also replayed and
        compared with the state. A release's history is always replayed.

        Args:
            stream: The history, e.g. ``"data:adjustment-1"`` (or a release id).
            replay: Returns where and why the stored state (a
                :class:`~releasekit.stores.Snapshot`) is not the replay of the
                events, or ``None`` if it is.
        """
        name = check_stream(stream)
        if SEPARATOR not in name:
            return check_history(self.store, name, self.store.read_release, release_problem)[0]
        return check_history(self.store, name, self.store.snapshot, replay)[0]

    def checked_snapshot(self: _Stored, stream: str, *, replay: Replay) -> Snapshot | None:
        """Return the stream's state once its whole history was checked against it.

        For short histories (a data operation's), read before acting on one:
        the chain is checked and the history replayed on every read.

        Raises:
            HistoryTamperedError: The history does not verify, or the state is
                not its replay.
        """
        name = check_history_name(stream)
        verification, snapshot = check_history(self.store, name, self.store.snapshot, replay)
        if not verification.ok:
            raise tampered(verification)
        return snapshot

    def histories(self: _Stored) -> list[str]:
        """Return the name of every history the store holds, releases and others, sorted.

        A history whose state was deleted is listed too, so ``verify`` reports it.
        """
        return self.store.histories()
