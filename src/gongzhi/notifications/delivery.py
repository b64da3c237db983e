"""Sending what the outbox holds: in-app messages are delivered by being there; text messages go to the
SMS gateway, each exactly once.

A row is claimed before it is sent (a compare-and-set from pending to sending that also counts the
attempt), so two processes given the same row never both send it. After the gateway's answer the row is
sent; a refusal puts it back to pending for the reconciler's retry. A send whose fate is unknown (no answer,
or the process died between the gateway's answer and the commit, found later by the reconciler) is sent
again only through a gateway that drops a repeated idempotency key (the key names the row); otherwise it
is marked uncertain and not repeated."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext

from gongzhi.accounts.sms import SmsNotSent, sms_idempotent, sms_send
from gongzhi.notifications.models import Channel, Delivery, Notification

logger = logging.getLogger("gongzhi.notifications")

MAX_ATTEMPTS = 5


def notifications_deliver(*, ids: list[int]) -> int:
    """Send those of ``ids`` that are pending; returns how many this call sent. Safe to call twice at once."""
    now = timezone.now()
    # In-app messages: claimed and delivered in one statement.
    sent = Notification.objects.filter(pk__in=ids, channel=Channel.IN_APP, delivery=Delivery.PENDING).update(
        delivery=Delivery.SENT, sent_at=now, claimed_at=now, attempts=F("attempts") + 1
    )
    texts = Notification.objects.filter(pk__in=ids, channel=Channel.SMS, delivery=Delivery.PENDING)
    for pk in sorted(texts.values_list("pk", flat=True)):
        sent += _send_text(pk)
    return sent


def _send_text(pk: int) -> int:
    claimed = Notification.objects.filter(pk=pk, delivery=Delivery.PENDING).update(
        delivery=Delivery.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1
    )
    if not claimed:
        return 0  # sent, being sent by another process, or given up
    note = Notification.objects.select_related("recipient", "person").get(pk=pk)
    row = Notification.objects.filter(pk=pk, delivery=Delivery.SENDING)
    to = note.recipient if note.recipient is not None else note.person
    phone = to.decrypt_phone() if to is not None else None
    if not phone:
        row.update(delivery=Delivery.FAILED)
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        text = gettext(note.title)  # titles are stored as message ids, translated on the way out
    try:
        sms_send(phone, f"【共治】{text}", key=sms_key(note))
    except SmsNotSent:
        logger.warning("notification %s not delivered (attempt %s)", pk, note.attempts, exc_info=True)
        row.update(delivery=Delivery.PENDING if note.attempts < MAX_ATTEMPTS else Delivery.FAILED)
        return 0
    except Exception:
        # Maybe delivered: the key makes a repeat harmless where the gateway honours it.
        if sms_idempotent() and note.attempts < MAX_ATTEMPTS:
            logger.warning(
                "notification %s: no answer from the gateway, will be sent again", pk, exc_info=True
            )
            row.update(delivery=Delivery.PENDING)
        else:
            logger.error(
                "notification %s may or may not have been delivered; not repeated", pk, exc_info=True
            )
            row.update(delivery=Delivery.UNCERTAIN)
        return 0
    return row.update(delivery=Delivery.SENT, sent_at=timezone.now())


def sms_key(note: Notification) -> str:
    """The idempotency key of a text message: its row and the moment it was written (unique even if a
    restored database hands out the same id again)."""
    return f"gongzhi-{note.pk}-{note.created_at.timestamp():.6f}"


def notifications_reconcile(*, now: datetime | None = None) -> tuple[dict[str, int], list[int]]:
    """What a killed consumer left behind: sends interrupted for longer than GONGZHI_SMS_CLAIM_SECONDS
    (pending again through an idempotent gateway, uncertain otherwise), and messages still pending
    GONGZHI_RECONCILE_AFTER_SECONDS after they were written (or last tried), within a day. Returns the
    counts and the ids still pending, for the caller to queue."""
    now = now or timezone.now()
    stale = Notification.objects.filter(
        delivery=Delivery.SENDING,
        claimed_at__lt=now - timedelta(seconds=settings.GONGZHI_SMS_CLAIM_SECONDS),
    )
    interrupted = 0
    if sms_idempotent():  # sent again with the same key: the gateway drops it if it arrived
        interrupted = stale.filter(attempts__lt=MAX_ATTEMPTS).update(delivery=Delivery.PENDING)
    uncertain = stale.update(delivery=Delivery.UNCERTAIN)  # the rest
    if uncertain:
        logger.error("%d text messages may or may not have been delivered; not repeated", uncertain)
    failed = Notification.objects.filter(delivery=Delivery.PENDING, attempts__gte=MAX_ATTEMPTS).update(
        delivery=Delivery.FAILED
    )
    before = now - timedelta(seconds=settings.GONGZHI_RECONCILE_AFTER_SECONDS)
    pending = list(
        Notification.objects.filter(
            Q(claimed_at__isnull=True) | Q(claimed_at__lt=before),
            delivery=Delivery.PENDING,
            created_at__lt=before,
            created_at__gte=now - timedelta(days=1),
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:5000]
    )
    return {
        "interrupted": interrupted,
        "uncertain": uncertain,
        "failed": failed,
        "pending": len(pending),
    }, pending
