"""Text from outside: control characters, and cells that spreadsheet programs would run as formulas.

One place for every input (the web's middleware strips control characters from query strings and forms; the
API's parser refuses them in JSON bodies with a 422 naming the field) and every export (``core.excel``).
Tab and line ends (LF, and CR, which browsers send in CRLF) are text; every other C0 character (NUL
included) is not: databases refuse NUL, spreadsheets cannot hold most of the others, and none of them is
ever typed on purpose.
"""

import re
from collections.abc import Iterator
from typing import Any

# C0 controls but tab, LF and CR; and lone UTF-16 surrogates (JSON can spell "\ud800"; no database or file
# can store one).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
# An escaped control character inside a JSON string (\u0000 … \u001f, and \b and \f), except \t \n \r. An
# escaped backslash before it ("\\u0000", a literal backslash) may match too: only a hint to look closer.
_JSON_ESCAPED_CONTROL = re.compile(rb"\\(?:u00(?:0[0-8bBcCeEfF]|1[0-9a-fA-F])|u[dD][89a-fA-F]|[bf])")
# What an .xlsx cannot hold at all (XML 1.0 forbids these code points).
NOT_IN_SPREADSHEETS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# OWASP's list for CSV/formula injection: a cell starting with one of these may be read as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def has_control_characters(text: str) -> bool:
    return CONTROL_CHARACTERS.search(text) is not None


def strip_control_characters(text: str) -> str:
    return CONTROL_CHARACTERS.sub("", text)


def may_hold_control_characters(raw_json: bytes) -> bool:
    """Whether a JSON document's raw bytes may carry a control character in a string (a cheap first look)."""
    return _JSON_ESCAPED_CONTROL.search(raw_json) is not None


def fields_with_control_characters(data: Any, path: str = "") -> Iterator[str]:
    """The dotted path of every string (or key) in ``data`` that holds a control character."""
    if isinstance(data, str):
        if has_control_characters(data):
            yield path or "__all__"
    elif isinstance(data, dict):
        for key, value in data.items():
            name = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and has_control_characters(key):
                yield name
            else:
                yield from fields_with_control_characters(value, name)
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from fields_with_control_characters(value, f"{path}.{i}" if path else str(i))


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet program could read this text cell as a formula."""
    return text.startswith(FORMULA_STARTS)


def spreadsheet_text(text: str) -> str:
    """Text as an exported cell: without what a spreadsheet cannot hold, and behind an apostrophe when a
    spreadsheet program could take it for a formula (OWASP's advice for CSV/formula injection)."""
    text = NOT_IN_SPREADSHEETS.sub("", text)
    return "'" + text if looks_like_formula(text) else text
