"""Write an executor plug-in: a class with one capability's method, and a `register` function.

An executor is any object with the method of a capability — here ``notify`` — returning an
``Outcome``. A plug-in package ships such executors and a function ``register(registry)``, and
names that function in its ``pyproject.toml``::

    [project.entry-points."releasekit.executors"]
    chat = "acme_chat:register"

Once the package is installed, ``Registry.with_plugins()`` finds the entry point and calls
``register``. This script shows both halves without installing anything: it defines the executor
and ``register`` right here, then writes the entry-point metadata an installation would write into
a temporary directory on ``sys.path`` (the entry point names ``__main__:register``, this script).

Run it with ``python examples/custom_executor_plugin.py``.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import attrs

from releasekit import executors as ex
from releasekit.exceptions import ExecutorFailedError


@attrs.define
class ChatNotifier:
    """Posts notices to a chat channel (here: keeps them in a list and prints them)."""

    channel: str
    posted: list[str] = attrs.Factory(list)

    def notify(self, notice: ex.Notice, /) -> ex.Outcome:
        """Post *notice*; return an outcome for the record, never raise for a failed post."""
        started = time.monotonic()
        if len(notice.message) > 200:  # noqa: PLR2004  # the chat's limit
            return ex.Outcome.failure(f"the notice is too long for {self.channel} (200 characters)")
        self.posted.append(notice.message)
        print(f"  [{self.channel}] {notice.message}")
        elapsed = dt.timedelta(seconds=time.monotonic() - started)
        return ex.Outcome.success(f"posted to {self.channel}", duration=elapsed)


def register(registry: ex.Registry) -> None:
    """The plug-in's entry point: one channel for everything, a louder one for production."""
    registry.register("notify", ChatNotifier(channel="#releases"))
    registry.register("notify", ChatNotifier(channel="#prod-alerts"), environment="production")


def pretend_installed(directory: Path) -> None:
    """Write the metadata `pip install` would write for a package declaring the entry point."""
    dist_info = directory / "acme_chat-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: acme-chat\nVersion: 1.0\n", encoding="utf-8"
    )
    (dist_info / "entry_points.txt").write_text(
        f"[{ex.ENTRY_POINT_GROUP}]\nchat = __main__:register\n", encoding="utf-8"
    )
    sys.path.append(str(directory))


def main() -> None:
    """Load the plug-in the way releasekit does, then use its executors."""
    with tempfile.TemporaryDirectory() as directory:
        pretend_installed(Path(directory))
        registry = ex.Registry()
        loaded = ex.load_plugins(registry)
        print(f"plug-ins loaded: {', '.join(loaded)}")
        for registration in registry.registrations():
            where = registration.environment or "every environment"
            print(f"  {registration.capability} in {where}: {registration.executor}")

        print("notices:")
        for environment in ("stage", "production"):
            notice = ex.Notice(message=f"2.4.0 reached {environment}", environment=environment)
            outcome = registry.notifier(environment).notify(notice)
            print(f"  -> {outcome.summary}")

        too_long = ex.Notice(message="x" * 300, environment="stage")
        outcome = registry.notifier("stage").notify(too_long)
        print(f"a failed post is an outcome, not an exception: {outcome.status}: {outcome.summary}")
        try:
            outcome.raise_for_status("notify", "stage")
        except ExecutorFailedError as error:
            print(f"...until the caller decides it is an error: {error}")

        try:
            registry.deployer("stage")
        except LookupError as error:
            print(f"and what no plug-in provides is reported: {error}")


if __name__ == "__main__":
    main()
