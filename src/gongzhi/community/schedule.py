"""When a service is given: its weekly days and hours, the working-day calendar for those that follow it
(closed on public holidays, open on make-up workdays, from core.workdays, the calendar the SLA clocks and
the venues' rotations use) and the days it is closed (ServiceClosure). Order times are checked here."""

from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.community.errors import CommunityError
from gongzhi.community.models import Service, ServiceClosure
from gongzhi.core.workdays import is_workday, workday_overrides


def closure_on(service: Service, day: date) -> ServiceClosure | None:
    # unscoped: the closures of a service fetched in scope
    return ServiceClosure.objects.filter(service=service, starts_on__lte=day, ends_on__gte=day).first()


def open_on(service: Service, day: date, overrides: dict[date, bool] | None = None) -> bool:
    """Whether the service is given on ``day`` (closures aside)."""
    if service.follows_workdays:
        return is_workday(day, workday_overrides() if overrides is None else overrides)
    return day.isoweekday() in service.days()


def check_time(service: Service, moment: datetime, *, field: str) -> None:
    """A time on one of the service's days, within its hours, not on a day it is closed."""
    local = timezone.localtime(moment)
    day = local.date()
    if not open_on(service, day):
        raise CommunityError.invalid(
            _("The service is not given on that day; choose one of its days."), field=field, code="closed_day"
        )
    closed = closure_on(service, day)
    if closed is not None:
        raise CommunityError.invalid(
            _("The service is closed from %(start)s to %(end)s%(why)s; choose another day.")
            % {
                "start": closed.starts_on.isoformat(),
                "end": closed.ends_on.isoformat(),
                "why": f"（{closed.reason}）" if closed.reason else "",
            },
            field=field,
            code="closed_day",
        )
    opens, closes = service.opens, service.closes
    if opens is not None and closes is not None and not opens <= local.time().replace(tzinfo=None) < closes:
        raise CommunityError.invalid(
            _("The service is given from %(opens)s to %(closes)s; choose a time then.")
            % {"opens": opens.strftime("%H:%M"), "closes": closes.strftime("%H:%M")},
            field=field,
            code="closed_hours",
        )
