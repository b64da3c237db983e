"""Micro-wishes (微心愿): a resident's small concrete wish on the wall, claimed and fulfilled by a volunteer."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import AppendOnlyModel
from gongzhi.core.roles import ALL_ROLES, CASEWORK_ROLES, OVERSIGHT_ROLES
from gongzhi.core.scoping import ScopedQuerySet, ScopePolicy, belonging_paths, rows_matching_any, subtree_in
from gongzhi.orgs.models import NodeKind


class WishStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting review")
    PUBLISHED = "published", _("On the wall")
    CLAIMED = "claimed", _("Claimed")
    ACCEPTED = "accepted", _("Claim accepted")
    FULFILLED = "fulfilled", _("Fulfilled")
    THANKED = "thanked", _("Thanked")
    REJECTED = "rejected", _("Not published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


ON_THE_WALL = (
    WishStatus.PUBLISHED,
    WishStatus.CLAIMED,
    WishStatus.ACCEPTED,
    WishStatus.FULFILLED,
    WishStatus.THANKED,
)


def _wall_and_own(user, action: str) -> Q | None:
    """Your own wishes and claims, and the wall of every community you belong to."""
    if action != "view":
        return None
    # Each part through its own index: the user's wishes and claims as one subquery (``id IN (… UNION ALL
    # …)``), the wall by the nodes under the communities (``node_id IN (…)``), never an OR over a join.
    own = Q(pk__in=rows_matching_any(Wish, [Q(wisher_id=user.pk), Q(claimant_id=user.pk)]))
    communities = belonging_paths(user, NodeKind.COMMUNITY)
    if communities:
        own |= Q(status__in=ON_THE_WALL) & subtree_in("node", communities)
    return own


def _wish_photo_path(instance: "Wish", filename: str) -> str:
    return f"wishes/{timezone.now():%Y/%m}/{instance.pk or 'new'}-{filename}"


class Wish(models.Model):
    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")  # the compound
    wisher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="wishes"
    )
    wisher_name = models.CharField(_("wisher"), max_length=40)  # shown masked except to staff and the helper
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("wish"), max_length=60)
    body = models.TextField(_("details"), max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=WishStatus.choices, default=WishStatus.PENDING)
    version = models.PositiveIntegerField(default=0)
    claimant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claimed_wishes",
    )
    note = models.CharField(max_length=200, blank=True)  # why not published
    thanks = models.CharField(_("thanks"), max_length=300, blank=True)
    photo = models.FileField(upload_to=_wish_photo_path, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    fulfilled_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        actions={"view": ALL_ROLES, "moderate": CASEWORK_ROLES, "count": OVERSIGHT_ROLES},
        owner_rule=_wall_and_own,
    )

    class Meta:
        verbose_name = _("micro-wish")
        verbose_name_plural = _("micro-wishes")
        ordering = ["-id"]
        indexes = [models.Index(fields=["node", "status", "id"], name="wish_wall")]
        constraints = [
            models.CheckConstraint(
                condition=Q(claimant__isnull=True) | ~Q(claimant=models.F("wisher")),
                name="wish_not_self_claimed",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class WishEvent(AppendOnlyModel):
    """Append-only history of a wish."""

    wish = models.ForeignKey(Wish, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=12)
    from_status = models.CharField(max_length=10)
    to_status = models.CharField(max_length=10)
    note = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.wish_id}: {self.action}"
