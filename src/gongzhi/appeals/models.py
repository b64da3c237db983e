"""Residents' appeals (民情民意) handled in tiers: compound → community → subdistrict."""

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.lookups import ChoicesIn
from gongzhi.core.models import AppendOnlyModel
from gongzhi.core.roles import CASEWORK_ROLES, NEIGHBOUR_ROLES, OVERSIGHT_ROLES
from gongzhi.core.scoping import (
    ScopedQuerySet,
    ScopePolicy,
    belonging_paths,
    reach_paths,
    rows_matching_any,
    subtree_in,
    subtree_q,
)


class Tier(models.TextChoices):
    COMPOUND = "compound", _("Compound")
    COMMUNITY = "community", _("Community")
    SUBDISTRICT = "subdistrict", _("Subdistrict")


TIER_ORDER = [Tier.COMPOUND, Tier.COMMUNITY, Tier.SUBDISTRICT]


class CategoryTree(models.TextChoices):
    # What a compound handles (物业服务, 停车管理 …): residents choose here, and the model suggests from it.
    COMPOUND = "compound", _("Compound categories")
    # The city hotline's (12345) official three-level taxonomy: for work beyond the subdistrict, Open311.
    HOTLINE = "hotline", _("12345 hotline categories")


class Category(models.Model):
    """A node of a category tree. ``subdistrict`` empty: a default tree everyone shares. Two default trees:
    the compound tree and the hotline's taxonomy; each compound entry names the hotline entry it maps to."""

    subdistrict = models.ForeignKey(
        "orgs.Node", on_delete=models.CASCADE, null=True, blank=True, related_name="appeal_categories"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    level = models.PositiveSmallIntegerField()
    name = models.CharField(_("name"), max_length=60)
    # Urgent categories (safety, water, gas, heating) can have hour-level limits.
    urgent = models.BooleanField(_("urgent"), default=False)
    is_active = models.BooleanField(default=True)
    tree = models.CharField(max_length=16, choices=CategoryTree.choices, default=CategoryTree.HOTLINE)
    # For a compound entry: the hotline entry it corresponds to (when the appeal leaves the subdistrict).
    hotline = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("12345 category"),
    )

    class Meta:
        ordering = ["level", "name"]
        verbose_name = _("appeal category")
        verbose_name_plural = _("appeal categories")
        constraints = [
            models.UniqueConstraint(
                fields=["subdistrict", "parent", "name"], name="category_unique_name", nulls_distinct=False
            ),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=3), name="category_level_range"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def top(self) -> "Category":
        node = self
        while node.parent_id is not None:
            node = node.parent  # type: ignore[assignment]
        return node

    @property
    def label(self) -> str:
        """ "漏水渗水 › 地下车库渗漏": the entry with the first level it lies under."""
        top = self.top
        return self.name if top.pk == self.pk else f"{top.name} › {self.name}"

    @property
    def hotline_path(self) -> str:
        """The hotline entry this category corresponds to, as "城乡建设 › 住房保障与房地产 › 物业服务"."""
        entry = self if self.tree == CategoryTree.HOTLINE else self.hotline
        names = []
        while entry is not None:
            names.append(entry.name)
            entry = entry.parent
        return " › ".join(reversed(names))


class SlaUnit(models.TextChoices):
    HOURS = "hours", _("hours")
    WORKING_DAYS = "working_days", _("working days")


class SlaPolicy(models.Model):
    """Time to accept and to resolve, by category and tier. The most specific matching row applies."""

    subdistrict = models.ForeignKey(
        "orgs.Node", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    category = models.ForeignKey(Category, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    tier = models.CharField(max_length=16, choices=Tier.choices, blank=True)
    accept_limit = models.PositiveSmallIntegerField(_("accept within"))
    accept_unit = models.CharField(max_length=16, choices=SlaUnit.choices, default=SlaUnit.WORKING_DAYS)
    resolve_limit = models.PositiveSmallIntegerField(_("resolve within"))
    resolve_unit = models.CharField(max_length=16, choices=SlaUnit.choices, default=SlaUnit.WORKING_DAYS)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(accept_limit__gte=1, resolve_limit__gte=1), name="sla_limits_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category or '*'} @ {self.tier or '*'}: {self.accept_limit}/{self.resolve_limit}"


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting to be accepted")
    ACCEPTED = "accepted", _("Accepted")
    INFO_REQUESTED = "info_requested", _("Waiting for more information")
    ASSIGNED = "assigned", _("Being handled")
    # The property manager, owners' committee or a team member it was assigned to says it is done; the
    # compound's staff confirm (or the resident rates).
    PROPOSED = "proposed", _("Handled, waiting for confirmation")
    TRANSFERRED = "transferred", _("Transferred")
    RESOLVED = "resolved", _("Resolved, waiting for your rating")
    CLOSED = "closed", _("Closed")
    MERGED = "merged", _("Merged into another appeal")


# In one fixed order: a filter on the open statuses must list them as the partial indexes below do, or
# SQLite cannot tell that the index covers the query (it compares the two lists term by term).
OPEN_STATUS_ORDER = (
    Status.SUBMITTED.value,
    Status.ACCEPTED.value,
    Status.INFO_REQUESTED.value,
    Status.ASSIGNED.value,
    Status.PROPOSED.value,
    Status.TRANSFERRED.value,
)
OPEN_STATUSES = frozenset(OPEN_STATUS_ORDER)


class Channel(models.TextChoices):
    WEB = "web", _("Resident, online")
    WALK_IN = "walk_in", _("Walk-in")
    PHONE = "phone", _("Phone")
    DOOR_TO_DOOR = "door_to_door", _("Door-to-door visit")
    API = "api", _("API")
    OPEN311 = "open311", _("Open311")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")
    NOT_RATED = "not_rated", _("Not rated in time")


# The roles of a compound's other two parties, by the kind of unit an appeal is assigned to.
PARTY_ROLES = {"property_manager": "property_manager", "owners_committee": "owners_committee"}


def _party_units(user) -> list[Q]:
    """For each party role the user holds: appeals assigned to that kind of party at the compounds where
    they hold it (a subquery on the parties, for the assignee index)."""
    from gongzhi.orgs.models import OrgUnit

    conditions = []
    for kind, role in PARTY_ROLES.items():
        paths = reach_paths(user, {role})
        if paths:
            # unscoped: the parties of the compounds where the user holds the party's role
            units = OrgUnit.objects.filter(subtree_q("node", paths), kind=kind).values("pk")
            conditions.append(Q(assignee_unit__in=units))
    return conditions


def assigned_to_party(user) -> Q:
    """Appeals assigned to a party the user works for: the property manager or owners' committee of a
    compound where the user holds that role (a company serving several compounds holds it at each). A
    member of a governance team is assigned by name (``assignee_user``)."""
    condition = Q(pk__in=[])
    for branch in _party_units(user):
        condition |= branch
    return condition


def _own_assigned_or_public(user, action: str) -> Q | None:
    """The filer's own appeals; those assigned to the user or to a party (property manager, owners'
    committee) the user works for at that compound; for "read", the public appeals of compounds the user
    lives in.

    The user's own and assigned ones as ``id IN (… UNION ALL …)``, each branch found by its own index: an
    OR of the same branches lets SQLite walk the whole date index instead (its statistics count the many
    empty filers as one value)."""
    from gongzhi.accounts.models import Person

    if action not in ("view", "read"):
        return None
    # unscoped: the user's own entry in the register
    mine = Person.objects.filter(user_id=user.pk).values("pk")
    branches = [Q(submitted_by_id=user.pk), Q(assignee_user_id=user.pk), Q(resident__in=mine)]
    if any(reach_paths(user, {role}) for role in PARTY_ROLES.values()):
        branches += _party_units(user)
    condition = Q(pk__in=rows_matching_any(Appeal, branches))
    if action == "read":
        compounds = belonging_paths(user, "compound", NEIGHBOUR_ROLES)
        if compounds:
            # Beside the union, not in it: a compound's public appeals are many, and one appeal's page
            # should not gather them all to find itself among them.
            condition |= Q(hidden_from_neighbours=False) & ~Q(status="merged") & subtree_in("node", compounds)
    return condition


class Appeal(models.Model):
    # Where the problem is (a compound or one of its buildings): decides who sees the appeal.
    node = models.ForeignKey(
        "orgs.Node", on_delete=models.PROTECT, related_name="appeals", verbose_name=_("where")
    )
    # Who handles it now: the compound, its community or its subdistrict, as the tier says.
    handling_node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices, default=Tier.COMPOUND)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    version = models.PositiveIntegerField(default=1)  # compare-and-set guard for transitions

    category = models.ForeignKey(Category, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    title = models.CharField(_("subject"), max_length=120)
    body = models.TextField(_("details"), max_length=5000)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.WEB)
    lat = models.FloatField(null=True, blank=True)  # GCJ-02
    lng = models.FloatField(null=True, blank=True)
    hidden_from_neighbours = models.BooleanField(_("hide from neighbours"), default=False)
    # The filer's separate consent to publish it, without personal details, to the open data other apps read
    # (Open311 without a key). Being seen by signed-in neighbours in the compound is not that consent.
    open_data = models.BooleanField(_("in open data"), default=False)

    resident = models.ForeignKey(
        "accounts.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="appeals"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    client_key = models.CharField(max_length=64, blank=True)  # idempotency key from the client

    assignee_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assignee_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assignee_team = models.ForeignKey(
        "orgs.GovernanceTeam", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    transferred_to = models.CharField(_("transferred to"), max_length=120, blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged"
    )

    accept_due = models.DateTimeField(null=True, blank=True, db_index=True)
    resolve_due = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    accepted_at = models.DateTimeField(null=True, blank=True)  # at the current tier
    first_accepted_at = models.DateTimeField(null=True, blank=True)  # first response, for the KPIs
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    resolved_tier = models.CharField(max_length=16, choices=Tier.choices, blank=True)
    reply = models.TextField(_("reply"), blank=True, max_length=5000)
    # What the party it was assigned to says was done (the reply the compound's staff then confirm).
    proposed_reply = models.TextField(_("proposed reply"), blank=True, max_length=5000)
    proposed_at = models.DateTimeField(null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField(default=0)
    rating = models.CharField(_("rating"), max_length=24, choices=Rating.choices, blank=True)
    rating_comment = models.CharField(max_length=500, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    # Smart triage (gongzhi.triage): the model's first-level category and its confidence, whether staff
    # have confirmed the category (only confirmed ones train the next model), a likely duplicate.
    suggested_category = models.ForeignKey(
        Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    suggestion_confidence = models.FloatField(null=True, blank=True)
    category_confirmed = models.BooleanField(default=False, db_default=False)
    category_auto = models.BooleanField(
        default=False, db_default=False
    )  # filled in from the suggestion, not by a person
    possible_duplicate = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # When the duplicate check ran (found one or not); the reconciler queues it again while this is empty.
    duplicates_checked_at = models.DateTimeField(null=True, blank=True)
    # Residents' public support (up/down votes, e.g. carried over from a public message board).
    support_up = models.PositiveIntegerField(default=0, db_default=0)
    support_down = models.PositiveIntegerField(default=0, db_default=0)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        # view: the handlers' reach, the filer's own and what is assigned to a party the user belongs to;
        # read: that and, for people who live in a compound, its appeals open to neighbours.
        actions={
            "view": CASEWORK_ROLES,
            "read": CASEWORK_ROLES,
            "handle": CASEWORK_ROLES,
            "count": OVERSIGHT_ROLES,
        },
        owner_rule=_own_assigned_or_public,
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        indexes = [
            models.Index(fields=["status", "handling_node"], name="appeal_queue"),
            # The work queue reads open appeals soonest-due first; closed ones (most rows) stay out of this index.
            # A queue over many handling nodes (a subdistrict's hundred) walks it in this order and tests each
            # entry's handling node and status from the index itself: a middle page steps over index entries,
            # never over the table's rows (without them, 6,000 row reads for the page at offset 6,097).
            models.Index(
                fields=["accept_due", "resolve_due", "id", "handling_node", "status"],
                condition=Q(status__in=list(OPEN_STATUS_ORDER)),
                name="appeal_open_by_due",
            ),
            # Lists newest first over a large reach: walked in this order, each entry's place tested from the
            # index itself, so a deep page steps over index entries only (core/pagination.py).
            models.Index(fields=["created_at", "id", "node"], name="appeal_by_date_place"),
            # One handling node's queue in its order, and the count of it, from the index alone.
            models.Index(
                fields=["handling_node", "accept_due", "resolve_due", "id"],
                condition=Q(status__in=list(OPEN_STATUS_ORDER)),
                name="appeal_open_by_node_due",
            ),
            # The open appeals newest first ("open" lists over a large reach): walked in this order with each
            # entry's place and status read from the index itself, never from the table, and counted the same way.
            models.Index(
                fields=["created_at", "id", "node", "status"],
                condition=Q(status__in=list(OPEN_STATUS_ORDER)),
                name="appeal_open_by_date",
            ),
            # The open appeals per place (the cockpit's map of open and late appeals): counted from the index
            # alone, a tenth of the table, grouped in the index's order.
            models.Index(
                fields=["node", "resolve_due", "status"],
                condition=Q(status__in=list(OPEN_STATUS_ORDER)),
                name="appeal_open_by_place",
            ),
            # The neighbours' list: a compound's open appeals that are public, by place and support, so that
            # it reads those (a tenth of the compound's appeals) and not every closed one beside them. With
            # ``hidden_from_neighbours`` in it the list and its count (whose scope tests that column) are
            # answered from the index alone, never from the table's rows.
            models.Index(
                fields=["node", "support_up", "created_at", "id", "status", "hidden_from_neighbours"],
                condition=Q(status__in=list(OPEN_STATUS_ORDER), hidden_from_neighbours=False),
                name="appeal_public_open",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["submitted_by", "client_key"],
                condition=~Q(client_key=""),
                name="appeal_idempotency_key",
            ),
            models.CheckConstraint(
                condition=~Q(status="merged") | Q(merged_into__isnull=False), name="appeal_merged_has_target"
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("id")), name="appeal_not_merged_into_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


ACTION_LABELS = {
    "submit": _("Filed"),
    "accept": _("Accepted"),
    "request_info": _("More information requested"),
    "provide_info": _("Information provided"),
    "assign": _("Assigned"),
    "escalate": _("Escalated"),
    "transfer": _("Transferred"),
    "merge": _("Merged"),
    "resolve": _("Resolved"),
    "rate": _("Rated"),
    "close": _("Closed"),
    "comment": _("Internal note"),
    "categorise": _("Category set"),
    "photo": _("Photo added"),
    "propose": _("Handled by the assigned party"),
    "hand_back": _("Handed back"),
    "send_back": _("Sent back to the assigned party"),
    "follow_up": _("Follow-up call"),
}


# Open-status filters name their statuses in the SQL, so SQLite can use the partial indexes above.
Appeal._meta.get_field("status").register_lookup(ChoicesIn)


class AppealEvent(AppendOnlyModel):
    """Append-only history of an appeal. Internal notes are hidden from the resident."""

    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="events")  # history stays
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=24)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    from_tier = models.CharField(max_length=16, blank=True)
    to_tier = models.CharField(max_length=16)
    note = models.TextField(blank=True, max_length=5000)
    public = models.BooleanField(default=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        # An appeal's timeline in order, without sorting its events.
        indexes = [
            models.Index(fields=["appeal", "at", "id"], name="appeal_event_timeline"),
            # The appeals with events since a moment (the cockpit's and the tallies' catch-up): a range of
            # this index, never the whole event table. Events are written in time order, at its right edge.
            models.Index(fields=["at", "appeal"], name="appeal_event_at"),
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.action} {self.from_status}->{self.to_status}"

    def get_action_label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))

    @property
    def tier_change(self) -> str:
        """ "小区 → 社区" when the event moved the appeal to another tier, else empty."""
        if not self.from_tier or self.from_tier == self.to_tier:
            return ""
        return f"{Tier(self.from_tier).label} → {Tier(self.to_tier).label}"


class PhotoKind(models.TextChoices):
    REPORT = "report", _("From the resident")
    EVIDENCE = "evidence", _("Evidence of handling")


def _photo_path(instance: "AppealPhoto", filename: str) -> str:
    return f"appeals/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{Path(filename).suffix}"


class AppealPhoto(models.Model):
    """A photo attached to an appeal; stored without metadata and served only to those who see the appeal."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField(max_length=12, choices=PhotoKind.choices, default=PhotoKind.REPORT)
    image = models.FileField(upload_to=_photo_path)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"photo {self.pk} of appeal {self.appeal_id}"


class AppealSupport(models.Model):
    """A neighbour's "me too" on a public appeal: one per person, withdrawable; counted in ``support_up``."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["appeal", "user"], name="one_support_per_person")]

    def __str__(self) -> str:
        return f"{self.user_id} supports {self.appeal_id}"


class AppealSubscription(models.Model):
    """Someone who asked to hear how an appeal goes (a neighbour, or the filer's family)."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="subscriptions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["appeal", "user"], name="one_subscription_per_person")]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.appeal_id}"


class AppealTally(models.Model):
    """The KPI sums of the appeals filed in one span (a day, a month) at one place, in one tier and top-level
    category (appeals/tallies.py keeps them; appeals/kpis.py reads them). Merged duplicates are left out, as
    from every rate. Derived data: rebuilt from the appeals at any time, never edited.

    A reader joins the places of a subtree (``subtree_q``) and, for each, reads its rows of the period from
    the (node, day or month) index, which also serves the node's foreign key."""

    node = models.ForeignKey("orgs.Node", on_delete=models.CASCADE, related_name="+", db_index=False)
    tier = models.CharField(max_length=16)
    category_top = models.BigIntegerField(null=True)
    collected = models.PositiveIntegerField(default=0)
    responded = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    basically_satisfied = models.PositiveIntegerField(default=0)
    dissatisfied = models.PositiveIntegerField(default=0)
    not_rated = models.PositiveIntegerField(default=0)
    resolved_compound = models.PositiveIntegerField(default=0)
    resolved_community = models.PositiveIntegerField(default=0)
    resolved_subdistrict = models.PositiveIntegerField(default=0)
    accept_seconds = models.FloatField(default=0.0)
    resolve_seconds = models.FloatField(default=0.0)

    class Meta:
        abstract = True


class AppealDayTally(AppealTally):
    """The tally of one local day, built from the appeals filed on it; read for the days of a period that
    do not make up a whole month."""

    day = models.DateField()

    class Meta:
        indexes = [
            models.Index(fields=["day", "node"], name="appeal_tally_day_node"),  # a day's rebuild
            models.Index(fields=["node", "day"], name="appeal_tally_node_day"),  # a subtree's days
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.node_id} {self.tier} {self.category_top}: {self.collected}"


class AppealMonthTally(AppealTally):
    """The tally of one local month (``month`` is its first day), built from its day tallies, so that a
    year's figures read at most twelve rows per place, tier and category however many appeals it had."""

    month = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["node", "month"], name="appeal_tally_node_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.node_id} {self.tier} {self.category_top}: {self.collected}"


class AppealTallyMark(models.Model):
    """One row: the last appeal event whose appeal's day the tallies have taken in. Days of appeals with
    later events are read from the appeals themselves until the next refresh. Until the first build
    (``refreshed_at`` empty) every figure is counted from the appeals."""

    last_event_id = models.BigIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"tallies up to event {self.last_event_id}"
