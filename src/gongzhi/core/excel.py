"""Spreadsheet import and export (openpyxl), shared by the apps' importers.

An import is all-or-nothing: every row is checked first and every problem reported as
(row, column, message); only a file with no problem is written, in one transaction. A text cell that a
spreadsheet program could run as a formula (=, +, -, @ first) or that holds a control character is such a
problem. An export writes every text cell through ``core.text.spreadsheet_text``: what Excel cannot hold is
dropped, and text that could be taken for a formula is kept as text behind an apostrophe.
"""

import io
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

from gongzhi.core.text import has_control_characters, looks_like_formula, spreadsheet_text


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


class ImportRejected(Exception):
    """The file was not imported; ``errors`` says why, row by row."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__(f"{len(errors)} problem(s)")


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # Chinese header as staff write it; the English key is accepted too
    required: bool = False
    parse: Callable[[Any], Any] | None = None


@dataclass
class Sheet:
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _clean_cell(value: Any) -> Any:
    if isinstance(value, str):
        value = value.replace("\u3000", " ").strip()
        return value or None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _unsafe(value: Any) -> str:
    """Why a cell's text cannot be imported, or "" (numbers and dates are always safe)."""
    if not isinstance(value, str):
        return ""
    if has_control_characters(value):
        return _("This cell holds control characters; type it again as plain text.")
    if looks_like_formula(value):
        return _(
            "This cell starts with “%(char)s”, which spreadsheet programs run as a formula; "
            "remove it or enter a plain value."
        ) % {"char": value[0]}
    return ""


def _message(exc: ValidationError) -> str:
    return "; ".join(str(m) for m in exc.messages)


def read_sheet(
    source: BinaryIO | str, columns: list[Column], *, progress: Callable[[int], None] | None = None
) -> Sheet:
    """Parse the first worksheet against ``columns``. Problems are collected in ``Sheet.errors``."""
    sheet = Sheet(columns=columns)
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        sheet.errors.append(
            RowError(0, "", _("This is not a readable .xlsx file (%(error)s).") % {"error": exc})
        )
        return sheet
    worksheet = workbook.worksheets[0]
    rows = worksheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        sheet.errors.append(RowError(1, "", _("The sheet is empty.")))
        return sheet
    by_name = {}
    for c in columns:
        by_name[c.header] = c
        by_name[c.key] = c
    positions: dict[str, int] = {}
    for i, title in enumerate(header):
        column = by_name.get(str(_clean_cell(title) or ""))
        if column is not None:
            positions[column.key] = i
    for column in columns:
        if column.required and column.key not in positions:
            sheet.errors.append(RowError(1, column.header, _("Required column is missing.")))
    if sheet.errors:
        return sheet
    limit = settings.GONGZHI_IMPORT_MAX_ROWS
    for number, values in enumerate(rows, start=2):
        if number - 1 > limit:
            sheet.errors.append(RowError(number, "", _("Too many rows (at most %(n)s).") % {"n": limit}))
            break
        cells = {key: _clean_cell(values[i]) if i < len(values) else None for key, i in positions.items()}
        if all(v is None for v in cells.values()):
            continue
        parsed: dict[str, Any] = {"_row": number}
        for column in columns:
            raw = cells.get(column.key)
            if raw is None:
                if column.required:
                    sheet.errors.append(RowError(number, column.header, _("This cell is required.")))
                parsed[column.key] = None
                continue
            refusal = _unsafe(raw)
            if refusal:
                sheet.errors.append(RowError(number, column.header, refusal))
                continue
            try:
                parsed[column.key] = column.parse(raw) if column.parse else raw
            except ValidationError as exc:
                sheet.errors.append(RowError(number, column.header, _message(exc)))
            except (TypeError, ValueError):
                sheet.errors.append(RowError(number, column.header, _("This value cannot be read.")))
        sheet.rows.append(parsed)
        if progress is not None:
            progress(1)
    workbook.close()
    return sheet


def write_workbook(title: str, columns: list[Column], rows: Iterable[Iterable[Any]]) -> bytes:
    """An .xlsx with a bold header row of the columns' Chinese headers, then ``rows``."""
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(title=title[:31])
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(worksheet, value=column.header)
        cell.font = bold
        header.append(cell)
    worksheet.append(header)
    for row in rows:
        worksheet.append([spreadsheet_text(v) if isinstance(v, str) else v for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# Parsers shared by importers -----------------------------------------------------------------


def parse_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValidationError(_("Enter a whole number."))
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValidationError(_("Enter a whole number.")) from None
    if number < 0:
        raise ValidationError(_("Enter a number that is not negative."))
    return number


def parse_float(value: Any) -> float:
    try:
        return float(str(value).strip())
    except ValueError:
        raise ValidationError(_("Enter a number.")) from None


def parse_text(max_length: int) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = str(value).strip()
        if len(text) > max_length:
            raise ValidationError(_("At most %(n)s characters.") % {"n": max_length})
        return text

    return parse


def parse_choice(choices: type, aliases: dict[str, str] | None = None) -> Callable[[Any], str]:
    """Accept a choice's value or its label (Chinese or English)."""

    def parse(value: Any) -> str:
        text = str(value).strip()
        if aliases and text in aliases:
            return aliases[text]
        for key, label in choices.choices:  # type: ignore[attr-defined]
            if text == key:
                return key
            for language, _name in settings.LANGUAGES:
                with translation.override(language):
                    if text == str(label):
                        return key
        raise ValidationError(_("Unknown value “%(value)s”.") % {"value": text})

    return parse


def parse_yes_no(value: Any) -> bool:
    text = str(value).strip().lower()
    if text in ("是", "yes", "y", "true", "1"):
        return True
    if text in ("否", "no", "n", "false", "0"):
        return False
    raise ValidationError(_("Enter 是 or 否."))
