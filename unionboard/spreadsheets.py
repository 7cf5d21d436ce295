"""Text written into a CSV or XLSX export, made safe to open in a spreadsheet.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (or a tab or a carriage
return before one) as a formula: a federation named `=HYPERLINK(...)` would run in the
reader's Excel ("CSV injection"). A spreadsheet may also split a cell on a separator when
it imports text (LibreOffice and Excel's "Text to Columns" offer `,` `;` tab and `|`), so
`Công đoàn A;=1+1` is dangerous too: its second part starts a formula. Every export writes
its text cells through `escape_cell`, the one rule for this.
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# What a spreadsheet may split a cell on when it reads text: the usual CSV separators, the
# pipe, and line ends (a pasted cell becomes several rows).
SEPARATORS = ",;\t|\r\n"
_PARTS = re.compile(f"([{re.escape(SEPARATORS)}])")


def _dangerous(field: str) -> bool:
    # Spreadsheets may trim the spaces a split leaves, so " =1" counts as "=1".
    return field.startswith(FORMULA_STARTS) or field.lstrip(" ").startswith(FORMULA_STARTS)


def needs_escape(value: Any) -> bool:
    """True when the text, or any part a spreadsheet could split out of it, starts a formula."""
    if not isinstance(value, str):
        return False
    # split() with a group returns fields at even places and separators at odd ones.
    return _dangerous(value) or any(_dangerous(field) for field in _PARTS.split(value)[::2])


def escape_cell(value: Any) -> Any:
    """The value with an apostrophe before each part that would start a formula.

    An apostrophe makes a spreadsheet read what follows as text and is not shown. It goes
    before every such part, not only at the start of the cell, so the text stays inert
    whether or not the spreadsheet splits it; and before the whole cell when it starts
    with one of the characters (a tab, a carriage return) some spreadsheets drop before
    reading on. Numbers, dates and safe text are unchanged.
    """
    if not needs_escape(value):
        return value
    parts = _PARTS.split(value)
    escaped = "".join(
        "'" + part if index % 2 == 0 and _dangerous(part) else part for index, part in enumerate(parts)
    )
    return "'" + escaped if _dangerous(escaped) else escaped
