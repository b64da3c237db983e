"""The outbox: every message to a person is a row first, then delivered by its channel."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In the app")
    SMS = "sms", _("SMS")


class Delivery(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")  # claimed by one process, the gateway asked
    SENT = "sent", _("Sent")
    # The sender died or the gateway's answer was lost after the request went out: it may have arrived.
    # Sent again only through a gateway that drops a repeated idempotency key; otherwise left for staff.
    UNCERTAIN = "uncertain", _("Maybe sent")
    FAILED = "failed", _("Not sent")  # gave up after the last attempt


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        null=True,
        blank=True,
    )
    # A resident in the register without an account (filed for by staff): reached by SMS only.
    person = models.ForeignKey(
        "accounts.Person", on_delete=models.CASCADE, related_name="notifications", null=True, blank=True
    )
    channel = models.CharField(max_length=12, choices=Channel.choices, default=Channel.IN_APP)
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=120)  # an English message id (gettext_noop); shown translated
    body = models.CharField(max_length=500, blank=True)
    link = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivery = models.CharField(max_length=12, choices=Delivery.choices, default=Delivery.PENDING)
    claimed_at = models.DateTimeField(null=True, blank=True)  # when the current or last send began
    read_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # One message per event and person: repeating the same key does nothing.
    dedupe_key = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            # A person's messages page, newest first: a page read in order, whatever the years of messages.
            models.Index(fields=["recipient", "channel", "created_at", "id"], name="notification_inbox"),
            models.Index(
                fields=["delivery", "created_at"],
                condition=models.Q(delivery__in=["pending", "sending"]),
                name="notification_undelivered",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "channel", "dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="notification_dedupe",
            ),
            models.UniqueConstraint(
                fields=["person", "channel", "dedupe_key"],
                condition=~models.Q(dedupe_key="") & models.Q(person__isnull=False),
                name="notification_dedupe_person",
            ),
            models.CheckConstraint(
                condition=models.Q(recipient__isnull=False, person__isnull=True)
                | models.Q(recipient__isnull=True, person__isnull=False, channel="sms"),
                name="notification_has_one_recipient",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id or f'person {self.person_id}'} {self.kind}"
