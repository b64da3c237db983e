from django.db.models import QuerySet

from gongzhi.accounts.models import User
from gongzhi.notifications.models import Channel, Notification


def notification_list(*, fetched_by: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=fetched_by, channel=Channel.IN_APP)


def unread_count(*, fetched_by: User) -> int:
    return notification_list(fetched_by=fetched_by).filter(read_at__isnull=True).count()
