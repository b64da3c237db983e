"""Sending what the outbox holds: in-app messages are delivered by being there; text messages go to the
SMS gateway. A failure leaves the row pending for the retry."""

import logging

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext

from gongzhi.accounts.sms import sms_send
from gongzhi.notifications.models import Channel, Notification

logger = logging.getLogger("gongzhi.notifications")


def notifications_deliver(*, ids: list[int]) -> int:
    """Send what is pending; in-app messages are delivered by being there. Failures stay pending for a retry."""
    sent = 0
    for note in Notification.objects.filter(pk__in=ids, sent_at__isnull=True).select_related(
        "recipient", "person"
    ):
        Notification.objects.filter(pk=note.pk).update(attempts=note.attempts + 1)
        try:
            if note.channel == Channel.SMS:
                with translation.override(settings.LANGUAGE_CODE):
                    text = gettext(note.title)  # titles are stored as message ids, translated on the way out
                to = note.recipient if note.recipient is not None else note.person
                if to is None:
                    continue
                sms_send(to.decrypt_phone(), f"【共治】{text}")
        except Exception:
            # A failing gateway must not lose the message: it stays pending and deliver_pending retries it.
            logger.warning("notification %s not delivered", note.pk, exc_info=True)
            continue
        Notification.objects.filter(pk=note.pk, sent_at__isnull=True).update(sent_at=timezone.now())
        sent += 1
    return sent
