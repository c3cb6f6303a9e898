"""The commands that would clear a blocker, as ``releasekit`` command lines to copy.

A blocker that names the evidence clearing it (:attr:`~releasekit.Blocker.evidence`)
comes with the command that does the work and records it, where there is one
(``run-tests``, ``migrate``, ``review-logs``), and with ``record RELEASE KIND``
and the options the blocking guard reads. ``status``, ``explain``, ``plan``
and a refused ``promote`` show them; ``--json`` lists them as
``suggested_commands``.
"""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

from releasekit._interfaces._cli_render import EVIDENCE_NAMES
from releasekit.exceptions import InvalidInputError

if TYPE_CHECKING:
    from releasekit._rules.guards import Guard
    from releasekit._rules.policy import Policy
    from releasekit._rules.release import Release
    from releasekit._rules.verdicts import Blocker

__all__ = ["suggested_commands"]


def _guard_of(blocker: Blocker, release: Release, policy: Policy) -> Guard | None:
    """Return the guard of the blocker's step that raised it, if the policy has it."""
    try:
        step = policy.step_from(release.kind, blocker.source)
    except InvalidInputError:  # the policy has no flow for the release's kind (any more)
        return None
    if step is None or step.target != blocker.target:
        return None
    return next((guard for guard in step.guards if guard.code == blocker.code), None)


#: What to write for a value only the person knows, e.g. the old app versions tested.
_VERSIONS = "VERSION..."


def suggested_commands(blocker: Blocker, release: Release, policy: Policy) -> tuple[str, ...]:
    """Return the ``releasekit`` command lines that would clear *blocker* now.

    For a blocker naming its :attr:`~releasekit.Blocker.evidence`: the command
    that does the work and records it (``run-tests``, ``migrate``,
    ``review-logs``) where there is one, then ``record RELEASE KIND`` with the
    options the guard reads. Nothing for a blocker no evidence clears.
    """
    kind = blocker.evidence
    if kind not in _RECORDS:
        return ()
    guard = _guard_of(blocker, release, policy)
    at = _environment_option(guard)
    record = [
        "releasekit",
        "record",
        release.id,
        kind,
        *_record_options(kind, guard, release, policy),
    ]
    match kind:
        case "test-run":
            doing = ["releasekit", "run-tests", release.id, *at]
        case "migration-run":
            doing = ["releasekit", "migrate", release.id, *at]
        case "log-review":  # it collects the logs of every environment
            doing = ["releasekit", "review-logs", release.id, "--verdict", "clean"]
        case _:
            return (shlex.join(record),)
    return (shlex.join(doing), shlex.join(record))


#: The evidence kinds ``releasekit record`` records.
_RECORDS = frozenset(EVIDENCE_NAMES.values())


def _environment_option(guard: Guard | None) -> list[str]:
    """Return ``--environment ENV`` for a guard that reads evidence of one environment."""
    where = getattr(guard, "environment", None)
    return ["--environment", where] if isinstance(where, str) else []


def _record_options(  # noqa: PLR0911  # one return per kind of evidence
    kind: str, guard: Guard | None, release: Release, policy: Policy
) -> list[str]:
    """Return the options of ``record RELEASE KIND`` that satisfy *guard*."""
    from releasekit._rules.evidence import TestsWritten  # noqa: PLC0415  # for suggestions only
    from releasekit._rules.guards import (  # noqa: PLC0415  # for suggestions only
        AttestationPresent,
        LogsReviewed,
        SignedOff,
    )

    at = _environment_option(guard)
    match kind:
        case "tests-written":
            covered = {
                name
                for item in release.evidence
                if isinstance(item, TestsWritten)
                for name in item.covers
            }
            missing = [name for name in release.artifact.new_functionality if name not in covered]
            return ["--covers", *missing] if missing else []
        case "test-run":
            return [*at, "--passed"]
        case "sign-off":
            versions = isinstance(guard, SignedOff) and guard.require_old_app_versions
            return [*at, *(["--old-app-version", _VERSIONS] if versions else [])]
        case "log-review":
            named = guard.environments_ if isinstance(guard, LogsReviewed) else None
            chosen = [name for name in policy.environment_names if named and name in named]
            return [*(["--environment", *chosen] if chosen else []), "--verdict", "clean"]
        case "migration-run":
            return [*at, "--succeeded"]
        case "attestation":
            name = guard.name if isinstance(guard, AttestationPresent) else "NAME"
            return ["--name", name, *at]
        case _:  # change-review: the release's version is the default
            return []
