"""The ``dt`` executor: the team's own command-line tool, with its defaults.

Example:
    >>> from releasekit.executors import DeployRequest, TestRequest
    >>> executor = DtExecutor(templates={"run-tests": ("test", "{environment}", "{notify}")})
    >>> executor.command_for(TestRequest(environment="tests", version="2.4.0"))
    ('dt', 'test', 'tests', '--notify')
    >>> executor.command_for(DeployRequest(release_id="r1", version="2.4.0", environment="stage"))
    ('dt', 'deploy', 'stage', '2.4.0')
"""

from __future__ import annotations

import types
from collections.abc import Iterable, Mapping

import attrs

from releasekit._actions.executors.capabilities import ByCapability, Capability
from releasekit._actions.executors.command import CommandExecutor, check_templates
from releasekit._actions.executors.registry import Registry
from releasekit._actions.executors.templates import Template
from releasekit._rules import _validate

__all__ = ["DT_TEMPLATES", "DtExecutor", "dt"]

#: The argument templates a :class:`DtExecutor` starts from.
DT_TEMPLATES: Mapping[Capability, Template] = types.MappingProxyType(
    {
        Capability.DEPLOY: ("deploy", "{environment}", "{version}"),
        Capability.RUN_TESTS: ("test", "{notify}"),
        Capability.COLLECT_LOGS: ("logs", "{environment}", "--since", "{since}"),
        Capability.MIGRATE: ("migrate", "{environment}", "{version}"),
        Capability.NOTIFY: ("notify", "{message}"),
        Capability.ADJUST_DATA: ("data", "adjust", "{environment}", "{operation}", "{arguments}"),
        Capability.RESTORE_DATA: ("data", "restore", "{source}", "{target}"),
    }
)


def _dt_templates(overrides: ByCapability[Iterable[str] | None]) -> Mapping[Capability, Template]:
    given: object = overrides  # checked at run time: callers are not always type-checked
    if not isinstance(given, Mapping):
        return check_templates(overrides)  # type: ignore[arg-type]  # refuses it, with a sentence
    merged: dict[str, Iterable[str]] = {key.value: value for key, value in DT_TEMPLATES.items()}
    for key, template in given.items():
        capability = Capability.parse(key, field="templates")
        if template is None:
            merged.pop(capability, None)
        else:
            merged[capability] = template
    return check_templates(merged)


@attrs.frozen(kw_only=True, eq=False)
class DtExecutor(CommandExecutor):
    """A :class:`CommandExecutor` preset for the team's ``dt`` tool.

    The defaults (:data:`DT_TEMPLATES`), with ``dt`` looked up on ``PATH``:

    - deploy: ``dt deploy {environment} {version}``
    - run-tests: ``dt test --notify`` (the ``{notify}`` switch; nothing if false)
    - collect-logs: ``dt logs {environment} --since {since}`` (ISO 8601, UTC)
    - migrate: ``dt migrate {environment} {version}``
    - notify: ``dt notify {message}``
    - adjust-data: ``dt data adjust {environment} {operation} {arguments}``
    - restore-data: ``dt data restore {source} {target}``

    ``templates`` overrides them per capability; the others keep their
    defaults, and ``None`` removes a capability the team's ``dt`` lacks. Every
    other setting is that of :class:`CommandExecutor`.
    """

    program: str = attrs.field(default="dt", validator=_validate.text)
    templates: Mapping[Capability, Template] = attrs.field(factory=dict, converter=_dt_templates)


def dt(executor: CommandExecutor | None = None) -> Registry:
    """Return a registry running every capability through *executor*.

    Args:
        executor: The executor to use; a default :class:`DtExecutor` if omitted.
    """
    registry = Registry()
    registry.register_all(executor if executor is not None else DtExecutor())
    return registry
