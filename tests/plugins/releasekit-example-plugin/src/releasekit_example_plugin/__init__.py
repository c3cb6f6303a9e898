"""An example releasekit plug-in: it sends notices to a chat outbox, and offers a guard.

The entry point ``releasekit.executors: example`` names :func:`register`, which
releasekit calls with its registry when it loads plug-ins; the entry point
``releasekit.guards: max-functions`` names the guard in :mod:`.guards`.
"""

from __future__ import annotations

import os
from pathlib import Path

import attrs

from releasekit.executors import Notice, Outcome, Registry

__all__ = ["ChatNotifier", "register"]


@attrs.frozen
class ChatNotifier:
    """Appends each notice to the outbox file named by ``EXAMPLE_PLUGIN_OUTBOX``.

    Attributes:
        channel: The chat channel the notices are for.
    """

    channel: str = "#releases"

    def notify(self, notice: Notice, /) -> Outcome:
        """Write *notice* to the outbox, one line per notice."""
        outbox = Path(os.environ["EXAMPLE_PLUGIN_OUTBOX"])
        with outbox.open("a", encoding="utf-8") as file:
            file.write(f"{self.channel} {notice.message}\n")
        return Outcome.success(f"posted to {self.channel}: {notice.message}")


def register(registry: Registry) -> None:
    """Register the plug-in's executors: the chat notifier, for every environment."""
    registry.register("notify", ChatNotifier())
