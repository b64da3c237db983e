from datetime import timedelta

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from gongzhi.notifications.delivery import notifications_deliver
from gongzhi.notifications.models import Notification


@db_task(retries=3, retry_delay=60)
def deliver(ids: list[int]) -> int:
    return notifications_deliver(ids=ids)


@db_periodic_task(crontab(minute="*/15"))
def deliver_pending() -> int:
    """Retry what a failed delivery left pending (up to five attempts, within a day)."""
    since = timezone.now() - timedelta(days=1)
    ids = list(
        Notification.objects.filter(sent_at__isnull=True, attempts__lt=5, created_at__gte=since).values_list(
            "pk", flat=True
        )[:1000]
    )
    return notifications_deliver(ids=ids)
