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

from gongzhi.core.models import AppendOnlyModel
from gongzhi.core.photos import photo_field
from gongzhi.core.roles import ALL_ROLES, CASEWORK_ROLES, OVERSIGHT_ROLES
from gongzhi.core.scoping import ScopedQuerySet, ScopePolicy, own, public_around


class AccountKind(models.TextChoices):
    PERSON = "person", _("Person")
    ISSUANCE = (
        "issuance",
        _("Issuance"),
    )  # a subdistrict's source of points: its balance is what it has issued, negated
    MALL = "mall", _("Points mall")  # points spent at a subdistrict's mall


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
        owner_rule=own("user"),
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


# What a movement was, as a person's history names it.
KIND_LABELS = {
    "earn": _("Service"),
    "award": _("Award"),
    "order": _("Exchange"),
    "refund": _("Refund"),
}


class PointsTransaction(AppendOnlyModel):
    key = models.CharField(max_length=80, unique=True)  # idempotency key: one effect per key, ever
    kind = models.CharField(max_length=24)  # earn, award, order, refund, adjust …
    memo = models.CharField(max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)  # posted: when the ledger recorded it
    # When what it pays for happened (the service, the order), where that differs from the posting: hours
    # confirmed days after the service, a paper book entered later. Empty: the same as the posting.
    occurred_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.key

    @property
    def happened_at(self):
        return self.occurred_at or self.created_at

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))


class PointsEntry(AppendOnlyModel):
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


# ---------------------------------------------------------------------------------------------------------
# The points mall (积分兑换): items with stock, orders that reserve stock and pay at once.


class ItemKind(models.TextChoices):
    GOODS = "goods", _("Goods")
    SERVICE = "service", _("Service")  # haircut, repairs, knife sharpening …
    DONATED = "donated", _("Donated idle goods")


class MallItem(models.Model):
    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")  # where it is offered
    subdistrict = models.ForeignKey(
        "orgs.Node", on_delete=models.PROTECT, related_name="+"
    )  # whose points pay for it
    name = models.CharField(_("name"), max_length=80)
    description = models.TextField(_("description"), max_length=1000, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=ItemKind.choices, default=ItemKind.GOODS)
    provider = models.CharField(_("offered by"), max_length=80, blank=True)  # merchant, alliance unit, donor
    price = models.PositiveIntegerField(_("price in points"))
    stock = models.IntegerField(_("stock"), default=0)  # changed only by conditional updates in services
    limit_per_person = models.PositiveSmallIntegerField(_("limit per person"), null=True, blank=True)
    pickup_place = models.CharField(_("pick up at"), max_length=120, blank=True)
    pickup_hours = models.CharField(_("pickup hours"), max_length=80, blank=True)
    is_active = models.BooleanField(_("on offer"), default=True)
    photo = photo_field()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        actions={"view": ALL_ROLES, "manage": CASEWORK_ROLES},
        owner_rule=public_around(),  # residents: items offered where they belong
    )

    class Meta:
        verbose_name = _("mall item")
        verbose_name_plural = _("mall items")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(stock__gte=0), name="mall_stock_not_negative"),
            models.CheckConstraint(condition=Q(price__gt=0), name="mall_price_positive"),
            models.CheckConstraint(
                condition=Q(limit_per_person__isnull=True) | Q(limit_per_person__gt=0),
                name="mall_limit_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OrderStatus(models.TextChoices):
    PLACED = "placed", _("Awaiting approval")  # stock reserved, points paid
    APPROVED = "approved", _("Ready for pickup")
    PICKED_UP = "picked_up", _("Picked up")
    REJECTED = "rejected", _("Rejected (refunded)")
    CANCELLED = "cancelled", _("Cancelled (refunded)")


ACTIVE_ORDER_STATUSES = (OrderStatus.PLACED, OrderStatus.APPROVED, OrderStatus.PICKED_UP)


class MallOrder(models.Model):
    item = models.ForeignKey(MallItem, on_delete=models.PROTECT, related_name="orders")
    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")  # the item's node
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mall_orders")
    quantity = models.PositiveSmallIntegerField(default=1)
    points = models.PositiveIntegerField()  # price × quantity at the time of the order
    status = models.CharField(max_length=12, choices=OrderStatus.choices, default=OrderStatus.PLACED)
    client_key = models.CharField(max_length=64)  # idempotency key, unique per buyer
    pickup_code = models.CharField(max_length=6, blank=True)
    note = models.CharField(max_length=200, blank=True)  # why rejected or cancelled
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        actions={"view": CASEWORK_ROLES, "manage": CASEWORK_ROLES, "count": OVERSIGHT_ROLES},
        owner_rule=own("buyer"),
    )

    class Meta:
        verbose_name = _("mall order")
        verbose_name_plural = _("mall orders")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["buyer", "client_key"], name="one_order_per_key"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="mall_order_quantity_positive"),
        ]
        indexes = [
            models.Index(fields=["item", "buyer", "status"], name="mall_order_limit_check"),
            models.Index(fields=["node", "status", "id"], name="mall_order_queue"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.item_id}×{self.quantity}"


class MallOrderEvent(AppendOnlyModel):
    """Append-only history of an order."""

    order = models.ForeignKey(MallOrder, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=16)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    note = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.action}"


# ---------------------------------------------------------------------------------------------------------
# Earning: confirmed hours × the role's multiplier, and manual awards that need a second person's approval.

DEFAULT_MULTIPLIERS = {"volunteer": 1.0, "party_member": 1.0, "leader": 1.5}


def default_multipliers() -> dict[str, float]:
    return dict(DEFAULT_MULTIPLIERS)


class EarningPolicy(models.Model):
    subdistrict = models.OneToOneField("orgs.Node", on_delete=models.PROTECT, related_name="+")
    points_per_hour = models.PositiveSmallIntegerField(_("points per hour"), default=10)
    # Role in the service → multiplier: "volunteer", "party_member", "leader" (of the activity's team).
    multipliers = models.JSONField(_("multipliers by role"), default=default_multipliers)
    max_award = models.PositiveIntegerField(_("largest manual award"), default=500)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(node_field="subdistrict", actions={"view": CASEWORK_ROLES, "manage": CASEWORK_ROLES})

    class Meta:
        verbose_name = _("earning rule")
        verbose_name_plural = _("earning rules")

    def __str__(self) -> str:
        return f"{self.subdistrict_id}: {self.points_per_hour}/h"


class AwardStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class PointsAward(models.Model):
    """Points given by hand (a good deed, a contest prize): proposed by one member of staff, approved by
    another before any point moves."""

    subdistrict = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")  # whose points
    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")  # where it was proposed
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    amount = models.PositiveIntegerField()
    reason = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=AwardStatus.choices, default=AwardStatus.PENDING)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(node_field="node", actions={"view": CASEWORK_ROLES, "manage": CASEWORK_ROLES})

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="award_amount_positive"),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("proposed_by")),
                name="award_four_eyes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} → {self.recipient_id}"
