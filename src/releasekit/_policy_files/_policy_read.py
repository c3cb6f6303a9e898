"""Reading a policy file's text into TOML data, whatever the file holds.

A policy file may come from a stranger (a pull request), so reading one never
fails with anything but a :class:`~releasekit.exceptions.PolicyFileError`:

- at most :data:`MAX_SIZE` bytes are read (a policy file is a few kilobytes;
  ``/dev/zero`` is refused, not read for ever);
- the text must be UTF-8 (a byte-order mark is allowed);
- it must be TOML;
- tables and lists may nest at most :data:`MAX_DEPTH` levels (the reference
  policy nests six), so nothing that reads the data recurses without bound.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Final

from releasekit.exceptions import PolicyFileError

__all__ = ["MAX_DEPTH", "MAX_SIZE", "parse", "read"]

#: The largest policy file read, in bytes (and the longest text, in characters).
MAX_SIZE: Final = 1024 * 1024

#: How deeply tables and lists may nest in a policy file.
MAX_DEPTH: Final = 32


def read(path: str | Path) -> str:
    """Return the text of the policy file at *path*.

    Raises:
        PolicyFileError: It cannot be read, is larger than :data:`MAX_SIZE`,
            or is not UTF-8 text.
    """
    file = Path(path)
    source = str(file)
    try:
        with file.open("rb") as stream:
            data = stream.read(MAX_SIZE + 1)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise PolicyFileError(
            source=source, problems=[f"cannot read the file ({reason})"]
        ) from None
    if len(data) > MAX_SIZE:
        raise PolicyFileError(source=source, problems=[_too_big()])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        byte = data[error.start]
        problem = (
            f"the file is not UTF-8 text: byte 0x{byte:02x} at offset {error.start} is not "
            "valid UTF-8; save the file as UTF-8"
        )
        raise PolicyFileError(source=source, problems=[problem]) from None


def _too_big() -> str:
    return (
        f"the file is larger than {MAX_SIZE // 1024} KiB, the most a policy file may hold; "
        "is it the right file?"
    )


def parse(text: str, *, source: str) -> dict[str, Any]:
    """Return the TOML data of *text*.

    Raises:
        PolicyFileError: *text* is too long, is not TOML, or nests too deeply.
    """
    if len(text) > MAX_SIZE:
        raise PolicyFileError(source=source, problems=[_too_big()])
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PolicyFileError(source=source, problems=[f"not valid TOML: {error}"]) from None
    except RecursionError:  # tomllib reads nested arrays and inline tables recursively
        raise PolicyFileError(source=source, problems=[_too_deep(None)]) from None
    deepest = _too_deep_at(data)
    if deepest is not None:
        raise PolicyFileError(source=source, problems=[_too_deep(deepest)])
    return data


def _too_deep(where: str | None) -> str:
    problem = (
        f"tables and lists are nested more than {MAX_DEPTH} levels deep; a policy file nests "
        f"them at most {MAX_DEPTH} levels deep"
    )
    return problem if where is None else f"{where}: {problem}"


def _too_deep_at(data: dict[str, Any]) -> str | None:
    """Return the path of the first value nested deeper than :data:`MAX_DEPTH`, if any."""
    pending: list[tuple[object, str, int]] = [(data, "", 0)]
    while pending:
        value, path, depth = pending.pop()
        if depth > MAX_DEPTH:
            return path
        if isinstance(value, dict):
            pending.extend(
                (item, f"{path}.{key}" if path else str(key), depth + 1)
                for key, item in value.items()
            )
        elif isinstance(value, list):
            pending.extend(
                (item, f"{path}[{index}]", depth + 1) for index, item in enumerate(value)
            )
    return None
