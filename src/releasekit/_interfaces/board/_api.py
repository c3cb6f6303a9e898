"""The board's JSON API: each endpoint answers what ``releasekit --json COMMAND`` prints.

``GET /api/status?release=2.4.0`` is ``releasekit --json status 2.4.0``: the
same document, byte for byte, with the command's exit code in the
``X-Releasekit-Exit-Code`` header. A query parameter is the command's
argument or option of that name; one the command does not take is a usage
error, as an unknown option is on the command line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from releasekit._interfaces.board._documents import Answer

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from starlette.datastructures import QueryParams

    from releasekit._interfaces.board._documents import BoardSession, Documents

__all__ = ["ENDPOINTS", "Endpoint", "answer", "index"]


@attrs.frozen(kw_only=True)
class Endpoint:
    """A JSON endpoint and the command it answers for.

    Attributes:
        path: Its path under the board's root.
        command: The command, e.g. ``status`` or ``data list``.
        argument: The query parameter holding the command's positional argument, if any.
        attribute: Where the command reads that argument.
        required: Whether the argument must be given.
        options: The query parameters passed on as the command's ``--NAME=VALUE`` options.
        flags: The query parameters passed on as its ``--NAME`` flags when ``true``.
    """

    path: str
    command: str
    argument: str | None = None
    attribute: str | None = None
    required: bool = False
    options: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()

    @property
    def parameters(self) -> tuple[str, ...]:
        """Every query parameter the endpoint takes."""
        named = (self.argument,) if self.argument is not None else ()
        return (*named, *self.options, *self.flags)

    @property
    def usage(self) -> str:
        """The command line it answers for, as its usage reads."""
        words = ["releasekit", "--json", self.command]
        if self.argument is not None:
            placeholder = "RELEASE" if self.attribute == "release" else "ID"
            words.append(placeholder if self.required else f"[{placeholder}]")
        words.extend(f"[--{name} {name.upper()}]" for name in self.options)
        words.extend(f"[--{name}]" for name in self.flags)
        return " ".join(words)


#: Every endpoint, by the name of its route.
ENDPOINTS: Mapping[str, Endpoint] = {
    "api-status": Endpoint(
        path="/api/status",
        command="status",
        argument="release",
        attribute="release",
        options=("after", "limit"),
        flags=("all",),
    ),
    "api-explain": Endpoint(
        path="/api/explain",
        command="explain",
        argument="release",
        attribute="release",
        required=True,
    ),
    "api-plan": Endpoint(
        path="/api/plan", command="plan", argument="release", attribute="release", required=True
    ),
    "api-history": Endpoint(
        path="/api/history",
        command="history",
        argument="release",
        attribute="release",
        required=True,
    ),
    "api-verify": Endpoint(
        path="/api/verify", command="verify", argument="id", attribute="release"
    ),
    "api-windows": Endpoint(path="/api/windows", command="windows", options=("count", "after")),
    "api-diagram": Endpoint(
        path="/api/diagram",
        command="diagram",
        argument="release",
        attribute="release",
        options=("kind",),
    ),
    "api-monitoring": Endpoint(
        path="/api/monitoring",
        command="monitoring",
        argument="release",
        attribute="release",
        required=True,
        options=("environment",),
    ),
    "api-deployments": Endpoint(
        path="/api/deployments", command="deployments", options=("environment",)
    ),
    "api-data-list": Endpoint(path="/api/data/list", command="data list", options=("environment",)),
    "api-freezes": Endpoint(path="/api/freezes", command="freeze list"),
    "api-data-show": Endpoint(
        path="/api/data/show",
        command="data show",
        argument="id",
        attribute="operation_id",
        required=True,
    ),
}

#: The values a flag is on with.
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"", "0", "false", "no", "off"})


def _usage_error(endpoint: Endpoint, message: str) -> Answer:
    return Answer(
        data={
            "error": {
                "type": "UsageError",
                "message": message,
                "exit_code": 2,
                "usage": f"usage: {endpoint.usage}",
            }
        },
        code=2,
        status=400,
    )


def answer(
    documents: Documents, session: BoardSession, endpoint: Endpoint, query: QueryParams
) -> Answer:
    """Answer *endpoint* for the *query* of a request."""
    unknown = sorted(set(query) - set(endpoint.parameters))
    if unknown:
        takes = ", ".join(endpoint.parameters) or "no parameters"
        return _usage_error(
            endpoint, f"unknown query parameter {unknown[0]!r}; {endpoint.path} takes {takes}"
        )
    repeated = sorted(name for name in query if len(query.getlist(name)) > 1)
    if repeated:
        return _usage_error(endpoint, f"the query parameter {repeated[0]!r} is given twice")
    options = [f"--{name}={query[name]}" for name in endpoint.options if name in query]
    for name in endpoint.flags:
        value = query.get(name)
        if value is None or value.strip().lower() in _FALSE:
            continue
        if value.strip().lower() not in _TRUE:
            return _usage_error(endpoint, f"{name}={value!r} is neither true nor false")
        options.append(f"--{name}")
    given: dict[str, object] = {}
    if endpoint.argument is not None and endpoint.attribute is not None:
        if endpoint.argument in query:
            given[endpoint.attribute] = query[endpoint.argument]
        elif endpoint.required:
            return _usage_error(endpoint, f"the query parameter {endpoint.argument!r} is required")
    return documents.ask(session, endpoint.command, options, **given)


def index(path: Callable[[str], str]) -> dict[str, object]:
    """Return the list of endpoints, each with its path, command and parameters.

    Args:
        path: Gives the path of a route by its name, under the board's root.
    """
    return {
        "endpoints": [
            {
                "path": path(name),
                "command": endpoint.usage,
                "parameters": list(endpoint.parameters),
            }
            for name, endpoint in ENDPOINTS.items()
        ]
    }
