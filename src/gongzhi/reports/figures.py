"""The figures of a monthly report: every installed module's KPI totals for the month, the month before and
the same month a year earlier, each module's last thirteen months of its headline figure, and the month's
figures per child area.

``month_figures`` is the one place a report reads its numbers from. Today it asks each app's KPI provider
(``core.registry.kpi_providers()``); when the cockpit's rollup tables exist it can read them instead, and
the PDF, the workbook and the page stay as they are.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.utils import timezone

from gongzhi.core.registry import kpi_providers
from gongzhi.reports.labels import figure_label, headline_of, is_rate

TREND_MONTHS = 13  # this month and the twelve before it: the same month last year is the first bar


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    rate: bool
    month: float | None
    previous: float | None
    last_year: float | None


@dataclass(frozen=True)
class Section:
    """One module's figures."""

    app: str
    title: str
    figures: list[Figure]
    headline: str  # the key of the figure the charts and the area table show
    trend: list[tuple[str, float | None]]  # (YYYY-MM, headline) oldest first
    areas: list[tuple[str, float | None]]  # (child area, headline this month)

    @property
    def headline_label(self) -> str:
        return figure_label(self.app, self.headline)


@dataclass(frozen=True)
class ReportFigures:
    node_id: int
    node_name: str
    month: date
    sections: list[Section] = field(default_factory=list)

    @property
    def areas(self) -> list[str]:
        """The child areas any section counts, in the order first seen."""
        names: list[str] = []
        for section in self.sections:
            names += [name for name, _ in section.areas if name not in names]
        return names


def add_months(month: date, months: int) -> date:
    """The first day of the month ``months`` after (or before, if negative) ``month``'s."""
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """[first moment of ``month``, first moment of the next) in the site's time zone."""
    zone = timezone.get_current_timezone()
    start = datetime.combine(month.replace(day=1), time.min, tzinfo=zone)
    return start, datetime.combine(add_months(month, 1), time.min, tzinfo=zone)


def _number(value: Any) -> float | None:
    """A figure as a number: providers give ints, floats, Decimals or decimal strings (money)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str):
        try:
            return float(Decimal(value))
        except ArithmeticError:
            return None
    return None


def _flat(total: dict[str, Any]) -> dict[str, float | None]:
    """The numeric figures of a provider's total; nested tallies (e.g. ratings by kind) one level deep."""
    flat: dict[str, float | None] = {}
    for key, value in total.items():
        if isinstance(value, dict):
            for inner, v in value.items():
                if _number(v) is not None or v is None:
                    flat[f"{key}.{inner}"] = _number(v)
        elif _number(value) is not None or value is None:
            flat[key] = _number(value)
    return flat


def month_figures(*, fetched_by: Any, node: Any, month: date) -> ReportFigures:
    """What the report of ``node``'s subtree for ``month`` shows, counted in what ``fetched_by`` may count."""
    month = month.replace(day=1)
    start, end = month_bounds(month)
    before, _ = month_bounds(add_months(month, -1))
    last_year, last_year_end = month_bounds(add_months(month, -12))
    trend_start, _ = month_bounds(add_months(month, 1 - TREND_MONTHS))
    report = ReportFigures(node_id=node.pk, node_name=node.name, month=month)
    for app, provider in kpi_providers().items():
        now = _flat(provider(fetched_by=fetched_by, node=node, start=start, end=end)["total"])
        prev = _flat(provider(fetched_by=fetched_by, node=node, start=before, end=start)["total"])
        year = _flat(provider(fetched_by=fetched_by, node=node, start=last_year, end=last_year_end)["total"])
        headline = headline_of(app, list(now))
        monthly = provider(fetched_by=fetched_by, node=node, start=trend_start, end=end, group_by="month")
        trend: list[tuple[str, float | None]] = []
        if "groups" in monthly:  # a provider whose figures are not kept by month has no trend
            by_month = {g["key"]: _number(g.get(headline)) for g in monthly["groups"]}
            trend = [
                (key, by_month.get(key, None if is_rate(app, headline) else 0.0))
                for key in (add_months(month, -n).strftime("%Y-%m") for n in range(TREND_MONTHS - 1, -1, -1))
            ]
        areas: list[tuple[str, float | None]] = []
        if node.kind != "building":
            grouped = provider(fetched_by=fetched_by, node=node, start=start, end=end, group_by="node")
            areas = [
                (str(g["label"]), _number(g[headline])) for g in grouped.get("groups", []) if headline in g
            ]
        figures = [
            Figure(key, figure_label(app, key), is_rate(app, key), value, prev.get(key), year.get(key))
            for key, value in now.items()
        ]
        report.sections.append(
            Section(
                app=app,
                title=str(provider.label),
                figures=figures,
                headline=headline,
                trend=trend,
                areas=sorted(areas, key=lambda a: a[0]),
            )
        )
    return report
