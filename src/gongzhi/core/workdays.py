"""Working days on the Chinese calendar, including make-up workdays (调休), for SLA clocks.

Public holidays and the weekend days that are worked come from the `holidays` package; a site can
record the State Council's arrangement for a year before the package has it (WorkdayOverride rows).
All arithmetic is in Asia/Shanghai.
"""

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

SHANGHAI = ZoneInfo("Asia/Shanghai")


@lru_cache(maxsize=64)
def _year(year: int) -> tuple[frozenset[date], frozenset[date]]:
    calendar = holidays.country_holidays("CN", years=[year])
    worked_weekends = frozenset(d for d in getattr(calendar, "weekend_workdays", ()) if d.year == year)
    return frozenset(calendar), worked_weekends


def workday_overrides() -> dict[date, bool]:
    """The site's own arrangement of days (WorkdayOverride rows), for callers that compute many deadlines."""
    from gongzhi.core.models import WorkdayOverride

    return dict(WorkdayOverride.objects.values_list("day", "is_workday"))


def is_workday(day: date, overrides: dict[date, bool] | None = None) -> bool:
    if overrides and day in overrides:
        return overrides[day]
    public, worked_weekends = _year(day.year)
    if day in worked_weekends:
        return True
    if day in public:
        return False
    return day.weekday() < 5


def add_working_days(start: datetime, days: int, overrides: dict[date, bool] | None = None) -> datetime:
    """The moment ``days`` full working days after ``start``: the end of the last of them (23:59:59).

    A case filed on a Friday evening with a 3-working-day limit is due at the end of Wednesday; a
    make-up Saturday counts, a holiday Monday does not.
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    if overrides is None:
        overrides = workday_overrides()
    local = start.astimezone(SHANGHAI)
    day = local.date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_workday(day, overrides):
            counted += 1
    return datetime.combine(day, time(23, 59, 59), tzinfo=SHANGHAI)


def working_days_between(start: date, end: date, overrides: dict[date, bool] | None = None) -> int:
    """Working days in (start, end]."""
    if overrides is None:
        overrides = workday_overrides()
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_workday(day, overrides)
    return count
