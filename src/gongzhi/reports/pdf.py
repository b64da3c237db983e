"""The report as a PDF (reportlab): a summary table, then each module's figures against the month before and
the same month last year, its thirteen-month trend and its figure per child area, drawn as charts in the
PDF itself. The text is set in a TrueType CJK font embedded (subset) in the file, so the PDF reads the same
on any machine and its Chinese text can be searched and copied."""

import io
from datetime import date, datetime
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import STATE_DEFAULTS, Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from gongzhi.reports.errors import ReportError
from gongzhi.reports.figures import ReportFigures, Section
from gongzhi.reports.labels import change, shown

FONT = "GongzhiCJK"
# TrueType CJK fonts of Debian's packages (fonts-wqy-microhei, fonts-wqy-zenhei): reportlab embeds
# TrueType outlines only, not the CFF outlines of Noto CJK's .otf/.ttc files.
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)
RED = colors.HexColor("#8c1d18")
GREY = colors.HexColor("#e8e2d9")
PAGE_WIDTH = A4[0] - 36 * mm


@cache
def font_name() -> str:
    """Register the report's CJK font once; a clear error when none is installed."""
    configured = getattr(settings, "GONGZHI_REPORT_FONT", "")
    for candidate in (configured, *FONT_CANDIDATES) if configured else FONT_CANDIDATES:
        if candidate and Path(candidate).is_file():
            pdfmetrics.registerFont(TTFont(FONT, candidate, subfontIndex=0))
            # A chart starts from reportlab's default state, which names Helvetica (not embedded): ours instead.
            STATE_DEFAULTS["fontName"] = FONT
            return FONT
    raise ReportError(
        "no_font",
        _("No Chinese TrueType font is installed for reports (fonts-wqy-microhei); ask the administrator."),
        status=503,
    )


def month_title(month: date) -> str:
    return _("%(year)s-%(month)s") % {"year": month.year, "month": month.month}


def _styles(font: str) -> dict[str, ParagraphStyle]:
    return {
        "title": ParagraphStyle("title", fontName=font, fontSize=20, leading=26, textColor=RED, spaceAfter=4),
        "meta": ParagraphStyle("meta", fontName=font, fontSize=9, leading=13, textColor=colors.grey),
        "h2": ParagraphStyle("h2", fontName=font, fontSize=14, leading=20, textColor=RED, spaceBefore=10),
        "cell": ParagraphStyle("cell", fontName=font, fontSize=9, leading=12),
        "small": ParagraphStyle("small", fontName=font, fontSize=8, leading=11, textColor=colors.grey),
    }


def _table(rows: list[list[str]], widths: list[float], font: str) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 9),
                ("BACKGROUND", (0, 0), (-1, 0), GREY),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _comparison_header() -> list[str]:
    return [
        _("Figure"),
        _("This month"),
        _("Month before"),
        _("Change"),
        _("Same month last year"),
        _("Change"),
    ]


def _trend_chart(section: Section, font: str) -> Drawing:
    values = [v or 0 for _key, v in section.trend]
    drawing = Drawing(PAGE_WIDTH, 150)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 30, 28, PAGE_WIDTH - 40, 105
    chart.data = [values]
    chart.categoryAxis.categoryNames = [key[2:] for key, _v in section.trend]  # 25-11
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.forceZero = True
    chart.bars[0].fillColor = colors.HexColor("#c98b86")
    chart.bars[(0, len(values) - 1)].fillColor = RED  # this month
    chart.barLabelFormat = "%.0f"
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = 6
    chart.barLabels.nudge = 6
    drawing.add(chart)
    return drawing


def _areas_chart(section: Section, font: str) -> Drawing:
    areas = section.areas[:20]
    height = 16 * len(areas) + 30
    drawing = Drawing(PAGE_WIDTH, height)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 110, 10, PAGE_WIDTH - 150, height - 20
    chart.data = [[v or 0 for _name, v in reversed(areas)]]
    chart.categoryAxis.categoryNames = [name[:12] for name, _v in reversed(areas)]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.forceZero = True
    chart.bars[0].fillColor = RED
    chart.barLabelFormat = "%.0f"
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    return drawing


def report_pdf(figures: ReportFigures, *, generated_at: datetime) -> bytes:
    font = font_name()
    styles = _styles(font)
    buffer = io.BytesIO()
    title = _("%(node)s monthly report, %(month)s") % {
        "node": figures.node_name,
        "month": month_title(figures.month),
    }
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=title,
        author="共治 Gongzhi",
        initialFontName=font,  # else the canvas names Helvetica, a font not embedded
    )
    story: list = [
        Paragraph(title, styles["title"]),
        Paragraph(
            _(
                "Generated %(time)s. Each figure counts the whole area; compared with the month before and "
                "the same month last year."
            )
            % {"time": formats.date_format(generated_at, "DATETIME_FORMAT")},
            styles["meta"],
        ),
        Spacer(1, 6),
        Paragraph(_("Summary"), styles["h2"]),
    ]
    summary = [[_("Module"), *_comparison_header()]]
    for section in figures.sections:
        headline = next((f for f in section.figures if f.key == section.headline), None)
        if headline is None:
            continue
        summary.append(
            [
                section.title,
                headline.label,
                shown(headline.month, rate=headline.rate),
                shown(headline.previous, rate=headline.rate),
                change(headline.month, headline.previous, rate=headline.rate),
                shown(headline.last_year, rate=headline.rate),
                change(headline.month, headline.last_year, rate=headline.rate),
            ]
        )
    story.append(_table(summary, [70, 110, 55, 55, 50, 75, 50], font))
    for section in figures.sections:
        rows = [_comparison_header()]
        for f in section.figures:
            rows.append(
                [
                    f.label,
                    shown(f.month, rate=f.rate),
                    shown(f.previous, rate=f.rate),
                    change(f.month, f.previous, rate=f.rate),
                    shown(f.last_year, rate=f.rate),
                    change(f.month, f.last_year, rate=f.rate),
                ]
            )
        story.append(
            KeepTogether(
                [Paragraph(section.title, styles["h2"]), _table(rows, [160, 60, 60, 55, 80, 50], font)]
            )
        )
        if section.trend:
            story.append(
                KeepTogether(
                    [
                        Paragraph(
                            _("%(figure)s, the last thirteen months") % {"figure": section.headline_label},
                            styles["small"],
                        ),
                        _trend_chart(section, font),
                    ]
                )
            )
        if section.areas:
            story.append(
                KeepTogether(
                    [
                        Paragraph(
                            _("%(figure)s this month, by area") % {"figure": section.headline_label},
                            styles["small"],
                        ),
                        _areas_chart(section, font),
                    ]
                )
            )
    doc.build(story)
    return buffer.getvalue()
