"""The points ledger: append-only double-entry bookkeeping of points.

Every movement is one PointsTransaction with two or more PointsEntry rows that sum to zero, under a
unique idempotency key. Each account caches its balance; the database refuses a negative balance except
on issuance accounts (where points come from). ``ledger.services.points_reconcile`` proves the cached
balances equal the sum of the entries.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.roles import CASEWORK_ROLES, OVERSIGHT_ROLES
from gongzhi.core.scoping import ScopedQuerySet, ScopePolicy


class AccountKind(models.TextChoices):
    PERSON = "person", _("Person")
    ISSUANCE = (
        "issuance",
        _("Issuance"),
    )  # a subdistrict's source of points: its balance is what it has issued, negated
    MALL = "mall", _("Points mall")  # points spent at a subdistrict's mall


def _own_accounts(user, action: str) -> Q | None:
    return Q(user_id=user.pk) if action == "view" else None


class PointsAccount(models.Model):
    kind = models.CharField(max_length=12, choices=AccountKind.choices)
    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")  # the subdistrict
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="points_accounts",
    )
    balance = models.BigIntegerField(
        default=0
    )  # cached; changed only by services.points_post under a row lock
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        actions={"view": CASEWORK_ROLES, "count": OVERSIGHT_ROLES},
        owner_rule=_own_accounts,
    )

    class Meta:
        verbose_name = _("points account")
        verbose_name_plural = _("points accounts")
        constraints = [
            models.CheckConstraint(
                condition=Q(balance__gte=0) | Q(kind="issuance"), name="points_balance_not_negative"
            ),
            models.UniqueConstraint(
                fields=["kind", "node", "user"], condition=Q(user__isnull=False), name="one_person_account"
            ),
            models.UniqueConstraint(
                fields=["kind", "node"], condition=Q(user__isnull=True), name="one_system_account"
            ),
            models.CheckConstraint(
                condition=Q(kind="person", user__isnull=False) | Q(~Q(kind="person"), user__isnull=True),
                name="person_accounts_have_a_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class PointsTransaction(models.Model):
    key = models.CharField(max_length=80, unique=True)  # idempotency key: one effect per key, ever
    kind = models.CharField(max_length=24)  # earn, award, order, refund, adjust …
    memo = models.CharField(max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.key


class PointsEntry(models.Model):
    transaction = models.ForeignKey(PointsTransaction, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(PointsAccount, on_delete=models.PROTECT, related_name="entries")
    amount = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["account", "id"], name="points_entry_by_account")]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="points_entry_not_zero")]

    def __str__(self) -> str:
        return f"{self.amount:+d} → {self.account_id}"
