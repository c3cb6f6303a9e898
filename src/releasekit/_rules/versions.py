r"""Which versions a release may have.

A version is handed to the team's tools as an argument and printed wherever
releases are listed, so every version is first a *token*: it starts with a
letter or digit and holds no white space and no control or formatting
character. On top of that, a release is started only with a version the
policy's rule accepts:

- by default, anything written as PEP 440 (Python packages) or SemVer 2.0 writes
  it — ``2.4.0``, ``2.4.0rc1``, ``1!2.0.post1.dev3+local.7``,
  ``1.0.0-rc.1+build.5`` — optionally after a ``v``, as in the tag ``v2.4.0``;
- or, if the policy sets ``version_pattern``, whatever that regular expression
  matches *as a whole*.

Example:
    >>> check_version("1.0.0-rc.1+build.5")
    '1.0.0-rc.1+build.5'
    >>> import re
    >>> check_version("2.4.0rc1", re.compile(r"\d+\.\d+\.\d+"))
    Traceback (most recent call last):
    ...
    releasekit.exceptions.InvalidInputError: version '2.4.0rc1' does not match ...
"""

from __future__ import annotations

import re

from releasekit._rules._values import check_token
from releasekit.exceptions import InvalidInputError

__all__ = ["DEFAULT_VERSION_PATTERN", "check_version", "compile_version_pattern"]

_NUMBER = r"[0-9]+"
_SEPARATOR = r"[-_.]?"
#: PEP 440, every spelling it accepts (case does not matter): epoch, release,
#: pre-, post- and development release, local label.
_PEP_440 = (
    rf"(?:{_NUMBER}!)?{_NUMBER}(?:\.{_NUMBER})*"
    rf"(?:{_SEPARATOR}(?:a|b|c|rc|alpha|beta|pre|preview){_SEPARATOR}[0-9]*)?"
    rf"(?:-{_NUMBER}|{_SEPARATOR}(?:post|rev|r){_SEPARATOR}[0-9]*)?"
    rf"(?:{_SEPARATOR}dev{_SEPARATOR}[0-9]*)?"
    r"(?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?"
)
_SEMVER_CORE = r"(?:0|[1-9][0-9]*)"
_SEMVER_PRE = r"(?:0|[1-9][0-9]*|[0-9]*[a-z-][0-9a-z-]*)"
#: SemVer 2.0: MAJOR.MINOR.PATCH, a pre-release after '-', build metadata after '+'.
_SEMVER = (
    rf"{_SEMVER_CORE}\.{_SEMVER_CORE}\.{_SEMVER_CORE}"
    rf"(?:-{_SEMVER_PRE}(?:\.{_SEMVER_PRE})*)?"
    r"(?:\+[0-9a-z-]+(?:\.[0-9a-z-]+)*)?"
)

#: The rule a version follows when the policy sets none: PEP 440 or SemVer 2.0,
#: optionally after a ``v``; matched as a whole, ignoring case, ASCII only.
DEFAULT_VERSION_PATTERN = rf"v?(?:{_PEP_440}|{_SEMVER})"

_DEFAULT = re.compile(DEFAULT_VERSION_PATTERN, re.IGNORECASE | re.ASCII)


def compile_version_pattern(pattern: object) -> re.Pattern[str]:
    """Compile a policy's ``version_pattern``.

    Raises:
        InvalidInputError: *pattern* is not a string, or not a regular expression.
    """
    if isinstance(pattern, re.Pattern) and isinstance(pattern.pattern, str):
        return pattern
    if not isinstance(pattern, str) or not pattern:
        raise InvalidInputError(
            f"version_pattern must be a regular expression (a string), got {pattern!r}; "
            r"e.g. '\d+\.\d+\.\d+'",
            field="version_pattern",
            value=pattern,
        )
    try:
        return re.compile(pattern)
    except re.error as error:
        raise InvalidInputError(
            f"version_pattern {pattern!r} is not a regular expression ({error}); write one "
            r"Python's re module reads, e.g. '\d+\.\d+\.\d+'",
            field="version_pattern",
            value=pattern,
        ) from None


def check_version(version: object, pattern: re.Pattern[str] | None = None) -> str:
    """Return *version* if a release may have it; refuse it otherwise.

    Args:
        version: The version to check.
        pattern: The policy's own rule, matched against the whole version; the
            default rule (PEP 440 or SemVer) if ``None``. Either way the version
            must be a token first.

    Raises:
        InvalidInputError: The version is refused, with what to write instead.
    """
    checked = check_token(version, field="version")
    if pattern is None:
        if _DEFAULT.fullmatch(checked) is None:
            raise InvalidInputError(
                f"version {checked!r} is neither a PEP 440 nor a SemVer version; write one "
                "such as '2.4.0', '2.4.0rc1' or '2.4.0-rc.1' (or set the policy's "
                "version_pattern)",
                field="version",
                value=version,
            )
    elif pattern.fullmatch(checked) is None:
        raise InvalidInputError(
            f"version {checked!r} does not match the policy's version_pattern "
            f"{pattern.pattern!r}; write a version the whole of which matches it",
            field="version",
            value=version,
        )
    return checked
