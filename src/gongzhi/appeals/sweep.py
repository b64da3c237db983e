"""The SLA sweep (every ten minutes): escalate what ran out of time, remind handlers of what falls due soon,
tell the subdistrict's staff of what is late at the last level."""

# unscoped-module: the SLA sweep is the system: it reads every open appeal

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gongzhi.accounts.models import RoleBinding
from gongzhi.appeals.errors import AppealError
from gongzhi.appeals.models import Appeal, Status, Tier
from gongzhi.appeals.routing import Lookups, handlers_at, read_once
from gongzhi.appeals.workflow import appeal_transition
from gongzhi.core.background import job_status
from gongzhi.core.roles import Role
from gongzhi.notifications.services import Message, notify_many


def _overdue(now: datetime) -> Q:
    # A proposed resolution is not passed up: the work is reported done and the compound's staff have it
    # to confirm (they are reminded below while it is nearly due, and it counts late if confirmed late).
    return Q(status=Status.SUBMITTED, accept_due__lt=now) | Q(
        status__in=[Status.ACCEPTED, Status.ASSIGNED, Status.INFO_REQUESTED], resolve_due__lt=now
    )


def _batches(appeals: Any, size: int) -> Iterator[list[Appeal]]:
    """The rows of ``appeals`` in lists of ``size``. The ids are read first, unordered: a server-side
    cursor over the model's default order made PostgreSQL walk the whole table by date to find a few rows."""
    ids = list(appeals.order_by().values_list("pk", flat=True))
    for start in range(0, len(ids), size):
        yield list(appeals.order_by().filter(pk__in=ids[start : start + size]))


def appeals_sla_sweep(*, now: datetime | None = None, batch: int = 500) -> dict[str, int]:
    """Escalate every open appeal past its deadline to the next tier, recording why; tell the staff who
    had it. Appeals already at the subdistrict stay where they are (KPIs count them as late); its staff
    are told once per deadline. Remind handlers of what falls due within GONGZHI_SLA_REMINDER_HOURS."""
    now = now or timezone.now()

    def due(appeal: Appeal) -> str:
        return "accept" if appeal.status == Status.SUBMITTED else "resolve"

    escalated = skipped = 0
    overdue = (
        Appeal.objects.filter(_overdue(now))
        .exclude(tier=Tier.SUBDISTRICT)
        .select_related("node", "category", "resident__user", "submitted_by")
    )
    for appeals in _batches(overdue, batch):
        with read_once(lambda: Lookups.for_sweep(appeals)):  # noqa: B023 - used within the iteration
            for appeal in appeals:
                try:
                    appeal_transition(
                        actor=None,
                        appeal=appeal,
                        action="escalate",
                        overdue=True,
                        note=_("Escalated automatically: the time to %(what)s ran out.")
                        % {"what": _("accept") if due(appeal) == "accept" else _("resolve")},
                    )
                    escalated += 1
                except AppealError:
                    skipped += 1  # changed by someone else meanwhile, or no higher tier
    # The subdistrict is the last level: past a deadline there, its staff are told once per deadline.
    late_at_top = _tell_handlers(
        Appeal.objects.filter(_overdue(now), tier=Tier.SUBDISTRICT),
        batch,
        kind="appeal.overdue",
        title=gettext_noop("An appeal is past its deadline"),
        key=lambda a: (
            f"overdue:{a.tier}:{due(a)}:{(a.accept_due if due(a) == 'accept' else a.resolve_due):%Y%m%d%H%M}"
        ),
    )
    soon = now + timedelta(hours=getattr(settings, "GONGZHI_SLA_REMINDER_HOURS", 4))
    reminded = _tell_handlers(
        Appeal.objects.filter(
            Q(status=Status.SUBMITTED, accept_due__gte=now, accept_due__lt=soon)
            | Q(
                status__in=[Status.ACCEPTED, Status.ASSIGNED, Status.PROPOSED],
                resolve_due__gte=now,
                resolve_due__lt=soon,
            )
        ),
        batch,
        kind="appeal.due_soon",
        title=gettext_noop("An appeal is nearly due"),
        key=lambda a: f"due:{a.tier}:{due(a)}",
    )
    return {"escalated": escalated, "skipped": skipped, "reminded": reminded, "late": late_at_top}


def _tell_handlers(appeals: Any, batch: int, *, kind: str, title: str, key: Callable[[Appeal], str]) -> int:
    """Message the handlers of each of ``appeals``, once per appeal and ``key``. Every sweep sees the same
    appeals again: a batch reads its handlers in one query, and ``notify_many`` skips what was sent."""
    told = 0
    fields = ("pk", "title", "status", "tier", "handling_node_id", "accept_due", "resolve_due")
    for rows in _batches(appeals.only(*fields), batch):
        handlers = handlers_at({a.handling_node_id for a in rows})
        with transaction.atomic():
            told += len(
                notify_many(
                    Message(
                        recipient=user,
                        kind=kind,
                        title=title,
                        body=appeal.title,
                        link=f"/appeals/{appeal.pk}/",
                        dedupe_key=f"appeal:{appeal.pk}:{key(appeal)}",
                    )
                    for appeal in rows
                    for user in handlers[appeal.handling_node_id]
                )
            )
    return told


def sweep_late_alert(*, period: int, now: datetime | None = None) -> int:
    """When the SLA sweep has not run to the end for more than two periods, tell every subdistrict's
    administrators (in the app, once per missed run). Returns how many were told."""
    status = job_status("appeals-sla-sweep", period=period, now=now)
    if not status["late"]:
        return 0
    since = status["last_succeeded_at"] or "never"
    # The body: when it last ran to the end, in the site's time (the title says what that means).
    last = job_status_last(status)
    # unscoped: the sweep covers every subdistrict, so every subdistrict's administrators hear of it
    admins = {
        b.user
        for b in RoleBinding.objects.filter(role=Role.SUBDISTRICT_ADMIN, user__is_active=True).select_related(
            "user"
        )
    }
    with transaction.atomic():
        return len(
            notify_many(
                Message(
                    recipient=user,
                    kind="system.sweep_late",
                    title=gettext_noop("The SLA sweep is late: overdue appeals are not being escalated"),
                    body=last,
                    dedupe_key=f"sweep-late:{since}",
                )
                for user in admins
            )
        )


def job_status_last(status: dict[str, Any]) -> str:
    if not status["last_succeeded_at"]:
        return ""
    return timezone.localtime(datetime.fromisoformat(status["last_succeeded_at"])).strftime("%Y-%m-%d %H:%M")
