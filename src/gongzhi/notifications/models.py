"""The outbox: every message to a person is a row first, then delivered by its channel."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In the app")
    SMS = "sms", _("SMS")


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
    read_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # One message per event and person: repeating the same key does nothing.
    dedupe_key = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]
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
