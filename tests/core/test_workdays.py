from datetime import date, datetime

import pytest

from gongzhi.core.models import WorkdayOverride
from gongzhi.core.workdays import SHANGHAI, add_working_days, is_workday, working_days_between

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 2, 14), True),  # Saturday worked before the Spring Festival (调休)
        (date(2026, 2, 16), False),  # Spring Festival holiday, a Monday
        (date(2026, 2, 28), True),  # Saturday worked after the Spring Festival
        (date(2026, 10, 1), False),  # National Day
        (date(2026, 10, 10), True),  # Saturday worked after National Day
        (date(2026, 11, 21), False),  # an ordinary Saturday
        (date(2026, 11, 23), True),  # an ordinary Monday
    ],
)
def test_chinese_calendar_with_make_up_workdays(day, expected):
    assert is_workday(day) is expected


def test_add_working_days_skips_weekends_and_holidays():
    friday_evening = datetime(2026, 11, 20, 19, 30, tzinfo=SHANGHAI)
    assert add_working_days(friday_evening, 3) == datetime(2026, 11, 25, 23, 59, 59, tzinfo=SHANGHAI)
    # Filed just before National Day (1-7 October off in 2026): the golden week does not count,
    # the make-up Saturday 10 October does, the ordinary Sunday after it does not.
    before_golden_week = datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI)
    assert add_working_days(before_golden_week, 1).date() == date(2026, 10, 8)
    assert add_working_days(before_golden_week, 3).date() == date(2026, 10, 10)
    assert add_working_days(before_golden_week, 4).date() == date(2026, 10, 12)
    assert is_workday(date(2026, 9, 20))  # a Sunday worked before the holiday


def test_site_overrides_win():
    WorkdayOverride.objects.create(day=date(2026, 11, 23), is_workday=False, note="本地停工")
    assert add_working_days(datetime(2026, 11, 20, 9, 0, tzinfo=SHANGHAI), 1).date() == date(2026, 11, 24)
    assert working_days_between(date(2026, 11, 20), date(2026, 11, 27)) == 4


def test_zero_days_is_an_error():
    with pytest.raises(ValueError):
        add_working_days(datetime(2026, 11, 20, tzinfo=SHANGHAI), 0)
