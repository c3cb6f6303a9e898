r"""Text the ``releasekit`` command prints that a terminal cannot misread.

Versions, names, notes, reasons, executor output and log lines come from
people, from other tools and from stores that older versions or a hand may
have written. Printed as they are, a newline in a version draws a row of its
own in a table, ``\x1b[2J`` clears the screen, ``\r`` overwrites what was
just printed and U+202E turns the rest of a line around. So every such string
is shown through :func:`escape`, which writes each control or format character
as a visible escape (``\n``, ``\x1b``, ``\u202e``); and whatever the command
prints passes through :func:`terminal_text` or :func:`json_text` last, so even
a string a renderer forgot cannot reach the terminal raw.

This module imports the standard library only: the command's parser uses it.
"""

from __future__ import annotations

import re
import unicodedata

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing for the command's start
if TYPE_CHECKING:
    from typing import Final

__all__ = ["escape", "json_text", "terminal_text"]

#: The general categories a terminal may act on rather than show: controls
#: (``Cc``: newline, escape, carriage return, C1), formats (``Cf``: bidi
#: overrides, zero-width characters), lone surrogates (``Cs``, from bytes that
#: were not UTF-8) and the line and paragraph separators (``Zl``, ``Zp``).
_UNSAFE: Final = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_SHORT: Final = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
#: Every character but printable ASCII: the only ones that can be unsafe.
_CANDIDATES: Final = re.compile(r"[^\x20-\x7e]")


def _unsafe(character: str) -> bool:
    return not character.isprintable() and unicodedata.category(character) in _UNSAFE


def _visible(character: str) -> str:
    r"""Write *character* as Python writes it in a string literal: ``\n``, ``\x1b``."""
    short = _SHORT.get(character)
    if short is not None:
        return short
    code = ord(character)
    if code < 0x100:  # noqa: PLR2004  # one byte: \xNN
        return f"\\x{code:02x}"
    if code < 0x10000:  # noqa: PLR2004  # the basic plane: \uNNNN
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def escape(text: str, *, keep: str = "") -> str:
    r"""Return *text* with every control and format character written as a visible escape.

    Printable text, accents and other scripts included, is left as it is: only
    what a terminal would act on instead of showing (newlines, escape
    sequences, carriage returns, bidi overrides, lone surrogates) is rewritten,
    so ``"2.4.0\n"`` becomes the nine characters ``2.4.0\n``. A cell shown
    this way never spans lines.

    Args:
        text: Any text, such as a stored version or an executor's output.
        keep: Characters to leave as they are (``"\n"`` for text that is
            already laid out in lines).
    """
    if text.isprintable():  # the common case: nothing to do
        return text

    def visible(match: re.Match[str]) -> str:
        character = match[0]
        return _visible(character) if character not in keep and _unsafe(character) else character

    return _CANDIDATES.sub(visible, text)


def terminal_text(text: str) -> str:
    """Return laid-out text for a terminal: its newlines and tabs kept, every other control escaped.

    Tabs cannot draw a row or drive a terminal, and a policy file shown as it is
    may be indented with them.
    """
    return escape(text, keep="\n\t")


def _json_escape(match: re.Match[str]) -> str:
    character = match[0]
    if character == "\n" or not _unsafe(character):  # layout, or text to show as it is
        return character
    code = ord(character)
    if code < 0x10000:  # noqa: PLR2004  # the basic plane: one \uNNNN
        return f"\\u{code:04x}"
    code -= 0x10000  # beyond it, JSON writes a surrogate pair
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def json_text(document: object) -> str:
    r"""Return *document* as indented JSON that reads back to exactly the same values.

    Text stays UTF-8 (``"Zoë"``, ``"Øresund"``), but no control or format
    character is written raw: JSON escapes U+0000 to U+001F itself, and this
    escapes the rest (DEL and the C1 controls, bidi overrides, zero-width
    characters, lone surrogates, line separators) as ``\uNNNN``, so a terminal
    showing the document cannot be driven by it.
    """
    import json  # noqa: PLC0415  # only for --json: the command's help does without

    return _CANDIDATES.sub(_json_escape, json.dumps(document, indent=2, ensure_ascii=False))
