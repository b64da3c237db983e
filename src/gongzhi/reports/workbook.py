"""The report's figures as an Excel workbook (``core.excel.write_workbook``): one row per figure with the
month, the month before and the same month last year, then one row per child area and module."""

from django.utils.translation import gettext as _

from gongzhi.core.excel import Column, write_workbook
from gongzhi.reports.figures import ReportFigures
from gongzhi.reports.labels import figure_label
from gongzhi.reports.pdf import month_title


def _cell(value: float | None, rate: bool) -> float | None:
    if value is None:
        return None
    return round(value * 100, 1) if rate else value


def report_workbook(figures: ReportFigures) -> bytes:
    columns = [
        Column("module", _("Module")),
        Column("area", _("Area")),
        Column("figure", _("Figure")),
        Column("month", _("This month")),
        Column("previous", _("Month before")),
        Column("last_year", _("Same month last year")),
    ]
    rows: list[list[object]] = []
    for section in figures.sections:
        for f in section.figures:
            label = f"{f.label} (%)" if f.rate else f.label
            rows.append(
                [
                    section.title,
                    figures.node_name,
                    label,
                    _cell(f.month, f.rate),
                    _cell(f.previous, f.rate),
                    _cell(f.last_year, f.rate),
                ]
            )
    for section in figures.sections:
        label = figure_label(section.app, section.headline)
        for name, value in section.areas:
            rows.append([section.title, name, label, value, None, None])
    title = _("%(node)s %(month)s") % {"node": figures.node_name, "month": month_title(figures.month)}
    return write_workbook(title, columns, rows)
