"""Party-building alliances (党建联盟 / 红盟): member units, the three lists (resources, needs, projects) and
donation drives. Alliances, units and projects are public where they belong; resources and needs are
worked by staff and by the units' own accounts."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import AppendOnlyModel
from gongzhi.core.photos import photo_field
from gongzhi.core.roles import ALL_ROLES, CASEWORK_ROLES, MANAGER_ROLES, OVERSIGHT_ROLES, Role
from gongzhi.core.scoping import OwnerRule, ScopedQuerySet, ScopePolicy, ancestry_q, any_of, public_around

UNIT_ROLES = CASEWORK_ROLES | {Role.ALLIANCE_UNIT}


# Owner rules: a unit's accounts see their unit's rows (the open lists of their subdistrict come through
# the "market" action, granted to the alliance_unit role bound there).
def _my_units(user: Any) -> Any:
    return UnitStaff.objects.filter(user_id=user.pk).values("unit_id")


def own_unit(
    field: str, *, via: str | None = None, actions: tuple[str, ...] = ("view", "market")
) -> OwnerRule:
    """Rows of a unit the user acts for (``field`` is the row's unit; ``via`` a subquery column instead)."""

    def rule(user: Any, action: str) -> Q | None:
        if action not in actions or not user.pk:
            return None
        if via is not None:
            # unscoped: the user's own unit's resources, an owner rule
            mine = Resource.objects.filter(unit_id__in=_my_units(user)).values("pk")
            return Q(**{via: mine})
        return Q(**{f"{field}_id__in": _my_units(user)})

    rule.__name__ = f"own_unit({field})"
    return rule


def open_above(user: Any, action: str) -> Q | None:
    """Open resources offered at a place above the user's (a subdistrict's resources, for its communities'
    staff and its units)."""
    if action not in ("view", "market"):
        return None
    around = ancestry_q(user, "node")
    return None if around is None else around & Q(status="open")


class AllianceKind(models.TextChoices):
    ALLIANCE = "alliance", _("Subdistrict alliance")
    CIRCLE = "circle", _("Alliance circle")
    MICRO = "micro", _("Community micro-alliance")


class Alliance(models.Model):
    """An alliance at a node: a subdistrict's alliance, a circle grouping communities, or a community's
    micro-alliance. The figures a subdistrict reports (shared activities, venues, residents reached,
    problems solved) are kept as reported; the ones the platform records are counted beside them."""

    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(
        _("kind"), max_length=10, choices=AllianceKind.choices, default=AllianceKind.ALLIANCE
    )
    motto = models.CharField(_("description"), max_length=300, blank=True)
    communities = models.ManyToManyField("orgs.Node", blank=True, related_name="+")  # a circle's communities
    reported_units = models.PositiveIntegerField(_("co-building units (reported)"), default=0)
    reported_activities = models.PositiveIntegerField(_("shared activities (reported)"), default=0)
    reported_venues = models.PositiveIntegerField(_("shared venues (reported)"), default=0)
    reported_reached = models.PositiveIntegerField(_("residents reached (reported)"), default=0)
    reported_solved = models.PositiveIntegerField(_("problems solved (reported)"), default=0)
    # The venues module's venues the alliance's units share (counted beside the reported figure).
    venues = models.ManyToManyField("venues.Venue", blank=True, related_name="+")  # type: ignore[var-annotated]
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        actions={"view": ALL_ROLES, "manage": MANAGER_ROLES, "count": OVERSIGHT_ROLES},
        owner_rule=public_around("node"),
    )

    class Meta:
        verbose_name = _("alliance")
        verbose_name_plural = _("alliances")
        ordering = ["node__path", "id"]
        constraints = [models.UniqueConstraint(fields=["node", "name"], name="alliance_name_unique")]

    def __str__(self) -> str:
        return self.name


class UnitKind(models.TextChoices):
    GOVERNMENT = "government", _("Government body")
    STATE_FIRM = "state_firm", _("State-owned firm")
    PRIVATE_FIRM = "private_firm", _("Private firm")
    SCHOOL = "school", _("School")
    HOSPITAL = "hospital", _("Hospital")
    SOCIAL_ORG = "social_org", _("Social organisation")


class Unit(models.Model):
    """A co-building unit (共建单位), registered at the subdistrict where it works with communities. Units
    are public: their name, kind and party organisation; the contact's phone is shown masked."""

    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=14, choices=UnitKind.choices)
    party_org = models.CharField(_("party organisation"), max_length=80, blank=True)
    contact_name = models.CharField(_("contact"), max_length=40, blank=True)
    contact_phone_cipher = models.BinaryField(null=True, blank=True, editable=False)  # core.pii, shown masked
    address = models.CharField(_("address"), max_length=120, blank=True)
    lat = models.FloatField(null=True, blank=True)  # GCJ-02
    lng = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        actions={
            "view": ALL_ROLES,
            "manage": MANAGER_ROLES | {Role.SUBDISTRICT_ADMIN},
            "count": OVERSIGHT_ROLES,
        },
        owner_rule=public_around("node"),
    )

    class Meta:
        verbose_name = _("co-building unit")
        verbose_name_plural = _("co-building units")
        ordering = ["node__path", "name"]
        constraints = [models.UniqueConstraint(fields=["node", "name"], name="unit_name_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def contact_phone_masked(self) -> str:
        from gongzhi.core import pii

        if not self.contact_phone_cipher:
            return ""
        return pii.mask_phone(pii.decrypt(self.contact_phone_cipher, context="unit_phone"))


class Membership(models.Model):
    """A unit's membership of an alliance; a unit may belong to several."""

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="memberships")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="memberships")
    joined_on = models.DateField(_("joined"), default=timezone.localdate)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["alliance", "unit"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.unit_id} ∈ {self.alliance_id}"


class Agreement(models.Model):
    """A co-building agreement between a unit and an alliance (term, content, the signed document)."""

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="agreements")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    content = models.CharField(_("content"), max_length=500)
    document = models.FileField(upload_to="alliances/agreements/%Y/", blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="agreement_term"),
        ]

    def __str__(self) -> str:
        return f"{self.membership_id}: {self.starts_on}–{self.ends_on}"


class UnitStaff(models.Model):
    """An account that acts for a unit (its own resources, claims and projects). The account also holds the
    alliance_unit role at the unit's subdistrict, through which it sees the open lists there."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="staff")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="alliance_units"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "user"], name="unit_staff_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.unit_id}"


class Category(models.TextChoices):
    """What a resource offers or a need asks for."""

    ELDERLY = "elderly", _("Help for older people")
    CHILDREN = "children", _("Children and youth")
    HEALTH = "health", _("Health and medical")
    LEGAL = "legal", _("Legal advice")
    EMPLOYMENT = "employment", _("Jobs and start-ups")
    CULTURE = "culture", _("Culture and education")
    REPAIR = "repair", _("Repairs and facilities")
    SAFETY = "safety", _("Safety and fire")
    ENVIRONMENT = "environment", _("Environment and greening")
    SPACE = "space", _("Venues and space")
    FUNDS = "funds", _("Funds and goods")


class CapacityKind(models.TextChoices):
    HOURS = "hours", _("hours")
    PEOPLE = "people", _("people")
    PLACES = "places", _("places")
    MONEY = "money", _("yuan")
    GOODS = "goods", _("items")


class ListStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    MATCHED = "matched", _("Matched")
    CLOSED = "closed", _("Closed")


class Resource(models.Model):
    """What a unit offers (资源清单): a category, a capacity (hours, people, places, money or goods), where it
    can serve (a radius around its point, or a set of places) and when."""

    node = models.ForeignKey(
        "orgs.Node", on_delete=models.PROTECT, related_name="+"
    )  # the unit's subdistrict
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="resources")
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    title = models.CharField(_("title"), max_length=60)
    description = models.CharField(_("description"), max_length=500, blank=True)
    capacity_kind = models.CharField(_("capacity in"), max_length=8, choices=CapacityKind.choices)
    capacity = models.PositiveIntegerField(_("capacity"))
    used = models.PositiveIntegerField(default=0)
    lat = models.FloatField(null=True, blank=True)  # GCJ-02; the unit's point when empty
    lng = models.FloatField(null=True, blank=True)
    radius_km = models.FloatField(_("serves within (km)"), default=3)
    serves = models.ManyToManyField(
        "orgs.Node", blank=True, related_name="+"
    )  # places served, whatever the distance
    available_from = models.DateField(_("available from"), null=True, blank=True)
    available_until = models.DateField(_("available until"), null=True, blank=True)
    status = models.CharField(max_length=8, choices=ListStatus.choices, default=ListStatus.DRAFT)
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        actions={"view": CASEWORK_ROLES, "market": UNIT_ROLES, "count": OVERSIGHT_ROLES},
        owner_rule=any_of(own_unit("unit"), open_above),
    )

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["node", "status", "category"], name="resource_market"),
            # The list's order (newest first) with the scope's and filters' columns: a page walks it and
            # stops at the page's end, reading no table row it does not return.
            models.Index(fields=["id", "node", "status", "unit", "category"], name="resource_page"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(used__lte=models.F("capacity")), name="resource_capacity"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def remaining(self) -> int:
        return self.capacity - self.used


class Urgency(models.IntegerChoices):
    LOW = 1, _("Can wait")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("Urgent")
    CRITICAL = 4, _("Very urgent")


class Need(models.Model):
    """What a compound or community asks for (需求清单), posted by staff or from an appeal or a hot issue."""

    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")  # compound or community
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    title = models.CharField(_("title"), max_length=60)
    description = models.CharField(_("description"), max_length=500, blank=True)
    beneficiaries = models.CharField(_("beneficiaries"), max_length=60, blank=True)
    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=Urgency.choices, default=Urgency.NORMAL)
    quantity_kind = models.CharField(_("quantity in"), max_length=8, choices=CapacityKind.choices)
    quantity = models.PositiveIntegerField(_("quantity"))
    wanted_from = models.DateField(_("wanted from"), null=True, blank=True)
    wanted_until = models.DateField(_("wanted until"), null=True, blank=True)
    status = models.CharField(max_length=8, choices=ListStatus.choices, default=ListStatus.DRAFT)
    appeal = models.ForeignKey(
        "appeals.Appeal", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    wish = models.ForeignKey("wishes.Wish", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    source = models.CharField(max_length=10, blank=True)  # "", "appeal", "hot", "wish"
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        actions={"view": CASEWORK_ROLES, "market": UNIT_ROLES, "count": OVERSIGHT_ROLES},
    )

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["-urgency", "-id"]
        indexes = [models.Index(fields=["node", "status", "category"], name="need_market")]
        constraints = [models.CheckConstraint(condition=Q(quantity__gte=1), name="need_quantity")]

    def __str__(self) -> str:
        return self.title


class MatchRound(models.Model):
    """One global proposal for a subdistrict: the optimum and, on the same data, what greedy matching gets."""

    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")
    run_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    needs = models.PositiveIntegerField(default=0)
    resources = models.PositiveIntegerField(default=0)
    optimum = models.FloatField(default=0)  # urgency-weighted needs fulfilled
    greedy = models.FloatField(default=0)
    # Whether the optimum is proven; if a piece stopped at its time limit, the most urgency still possibly
    # missing (0 when proven).
    optimal = models.BooleanField(default=True)
    gap = models.FloatField(default=0)
    seconds = models.FloatField(default=0)
    at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(node_field="node", actions={"view": CASEWORK_ROLES, "count": OVERSIGHT_ROLES})

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"round {self.pk}"

    @property
    def ratio(self) -> float:
        """The optimum over greedy's total on the same data (1 when greedy met nothing)."""
        return self.optimum / self.greedy if self.greedy else 1.0


class MatchStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class Match(models.Model):
    """A resource proposed for a need (by the engine, or chosen by staff), with its explained score."""

    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")  # the need's place
    need = models.ForeignKey(Need, on_delete=models.PROTECT, related_name="matches")
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="matches")
    round = models.ForeignKey(
        MatchRound, on_delete=models.PROTECT, null=True, blank=True, related_name="matches"
    )
    score = models.FloatField(default=0)
    explanation = models.JSONField(default=dict, blank=True)
    quantity = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=9, choices=MatchStatus.choices, default=MatchStatus.PROPOSED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        actions={"view": CASEWORK_ROLES, "count": OVERSIGHT_ROLES},
        owner_rule=own_unit("resource__unit", via="resource_id__in"),
    )

    class Meta:
        ordering = ["-score", "id"]
        indexes = [models.Index(fields=["node", "status", "score"], name="match_queue")]
        constraints = [
            models.UniqueConstraint(
                fields=["need"], condition=Q(status="accepted"), name="match_one_accepted_per_need"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.need_id} ← {self.resource_id}"


class ProjectCategory(models.Model):
    """A subdistrict's project categories (城厢: 发展提质, 硬件提标, 服务提档, 治理提效, 安全提升)."""

    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=20)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["node", "name"], name="project_category_unique")]

    def __str__(self) -> str:
        return self.name


class ProjectStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for claim")
    CLAIMED = "claimed", _("Claimed")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    EVALUATED = "evaluated", _("Evaluated")
    CANCELLED = "cancelled", _("Cancelled")


PUBLIC_PROJECT = (
    ProjectStatus.OPEN,
    ProjectStatus.CLAIMED,
    ProjectStatus.IN_PROGRESS,
    ProjectStatus.DONE,
    ProjectStatus.EVALUATED,
)
FINISHED_PROJECT = (ProjectStatus.DONE, ProjectStatus.EVALUATED)


class Project(models.Model):
    """A project (项目清单 / 红色合伙人项目): from a match or set up directly, claimed by one or more units."""

    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")  # where it happens
    alliance = models.ForeignKey(
        Alliance, on_delete=models.PROTECT, null=True, blank=True, related_name="projects"
    )
    category = models.ForeignKey(
        ProjectCategory, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=60)
    goal = models.CharField(_("goal"), max_length=500, blank=True)
    place = models.CharField(_("place"), max_length=100, blank=True)
    beneficiaries = models.CharField(_("beneficiaries"), max_length=60, blank=True)
    budget = models.PositiveIntegerField(_("budget (yuan)"), default=0)
    slots = models.PositiveSmallIntegerField(_("units that may claim"), default=1)
    need = models.ForeignKey(Need, on_delete=models.PROTECT, null=True, blank=True, related_name="projects")
    match = models.OneToOneField(
        Match, on_delete=models.PROTECT, null=True, blank=True, related_name="project"
    )
    status = models.CharField(max_length=12, choices=ProjectStatus.choices, default=ProjectStatus.DRAFT)
    version = models.PositiveIntegerField(default=0)
    progress = models.PositiveSmallIntegerField(default=0)  # per cent: weighted mean of the milestones
    residents_reached = models.PositiveIntegerField(_("residents reached"), default=0)
    evaluation = models.CharField(max_length=300, blank=True)
    photo = photo_field()
    # The project's activities are volunteering activities (sign-ups, hours and points as volunteering's).
    activities = models.ManyToManyField("volunteering.Activity", blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        actions={"view": ALL_ROLES, "manage": CASEWORK_ROLES, "count": OVERSIGHT_ROLES},
        owner_rule=public_around("node"),
    )

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["node", "status"], name="project_board"),
            models.Index(fields=["id", "node", "status", "category"], name="project_page"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(slots__gte=1), name="project_slots"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="project_progress"),
        ]

    def __str__(self) -> str:
        return self.name


class ProjectUnitRole(models.TextChoices):
    LEAD = "lead", _("Lead unit")
    PARTNER = "partner", _("Partner unit")


class ProjectUnit(models.Model):
    """A unit on a project: by its claim (认领) or named when the project was set up."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="units")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="project_roles")
    role = models.CharField(max_length=8, choices=ProjectUnitRole.choices, default=ProjectUnitRole.LEAD)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    claimed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["project", "unit"], name="project_unit_unique")]

    def __str__(self) -> str:
        return f"{self.unit_id} on {self.project_id}"


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=60)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(weight__gte=1), name="milestone_weight")]

    def __str__(self) -> str:
        return self.title


class ProjectEvent(AppendOnlyModel):
    """Append-only history of a project."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    action = models.CharField(max_length=16)
    from_status = models.CharField(max_length=12)
    to_status = models.CharField(max_length=12)
    note = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]


class ProjectRating(models.Model):
    """A resident's verdict on a finished project (群众评议), on the appeals' scale."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="ratings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rating = models.CharField(max_length=24)
    comment = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="project_rating_once")]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.rating}"


class DriveKind(models.TextChoices):
    CASH = "cash", _("Cash")
    IN_KIND = "in_kind", _("In kind")


class Drive(models.Model):
    """A donation drive. The platform records pledges and receipts; it does not collect money. A public
    fundraising drive must name a registered charity as its receiver."""

    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")
    alliance = models.ForeignKey(
        Alliance, on_delete=models.PROTECT, null=True, blank=True, related_name="drives"
    )
    title = models.CharField(_("title"), max_length=60)
    kind = models.CharField(_("kind"), max_length=8, choices=DriveKind.choices, default=DriveKind.CASH)
    goal = models.PositiveBigIntegerField(_("goal (yuan)"), default=0)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    receiver = models.CharField(_("receiving organisation"), max_length=80)
    public = models.BooleanField(_("public fundraising"), default=False)
    charity_code = models.CharField(_("charity registration code"), max_length=18, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        actions={"view": ALL_ROLES, "manage": CASEWORK_ROLES, "count": OVERSIGHT_ROLES},
        owner_rule=public_around("node"),
    )

    class Meta:
        verbose_name = _("donation drive")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="drive_period"),
            models.CheckConstraint(
                condition=Q(public=False) | ~Q(charity_code=""), name="drive_public_charity"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PledgeStatus(models.TextChoices):
    PLEDGED = "pledged", _("Pledged")
    RECEIVED = "received", _("Received")


class Pledge(models.Model):
    """What a unit promised a drive, and whether the receiver confirmed it came (then it is in the record)."""

    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")  # the drive's
    drive = models.ForeignKey(Drive, on_delete=models.PROTECT, related_name="pledges")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="pledges")
    amount = models.PositiveBigIntegerField(_("amount or value (yuan)"))
    item = models.CharField(_("item"), max_length=40, blank=True)  # in kind
    quantity = models.PositiveIntegerField(_("quantity"), default=0)
    destination = models.CharField(
        _("went to"), max_length=80, blank=True
    )  # a compound, an activity, the mall (in words)
    # Where goods went, as a row: a compound (or community), a volunteering activity or a mall item whose
    # stock they became (through the mall's own restock service).
    to_node = models.ForeignKey(
        "orgs.Node", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_activity = models.ForeignKey(
        "volunteering.Activity", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_mall_item = models.ForeignKey(
        "ledger.MallItem", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=8, choices=PledgeStatus.choices, default=PledgeStatus.PLEDGED)
    received_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        actions={"view": CASEWORK_ROLES, "count": OVERSIGHT_ROLES},
        owner_rule=own_unit("unit", actions=("view",)),
    )

    class Meta:
        ordering = ["-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=1), name="pledge_amount")]

    def __str__(self) -> str:
        return f"{self.unit_id} → {self.drive_id}: {self.amount}"


class DonationEntry(AppendOnlyModel):
    """The donations record, double entry in yuan, apart from residents' points: each receipt is two
    entries that sum to zero (the unit gives, the drive receives) under one key."""

    key = models.CharField(max_length=40, db_index=True)
    account = models.CharField(max_length=24, db_index=True)  # "unit:<id>" or "drive:<id>"
    amount = models.BigIntegerField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["key", "account"], name="donation_entry_once")]


class MallOffer(models.Model):
    """A points-mall item a unit offers (the mall's own item; the unit is named as its provider)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="mall_offers")
    item = models.OneToOneField("ledger.MallItem", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.unit_id} offers {self.item_id}"


class TransferStatus(models.TextChoices):
    SENT = "sent", _("With the unit")
    REPLIED = "replied", _("The unit replied")
    CLOSED = "closed", _("Closed")


class AppealTransfer(models.Model):
    """An appeal transferred to a co-building unit (the appeal's own "transfer" step names the unit): the unit's
    accounts see what the problem is and where (not who filed it) and reply; staff resolve the appeal."""

    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")  # the appeal's place
    appeal = models.ForeignKey("appeals.Appeal", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="appeal_transfers")
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("details"), max_length=5000, blank=True)
    note = models.CharField(_("note to the unit"), max_length=300, blank=True)
    status = models.CharField(max_length=8, choices=TransferStatus.choices, default=TransferStatus.SENT)
    reply = models.TextField(_("the unit's reply"), max_length=2000, blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)
    replied_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        actions={"view": CASEWORK_ROLES, "count": OVERSIGHT_ROLES},
        owner_rule=own_unit("unit", actions=("view",)),
    )

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["unit", "status", "id"], name="transfer_unit_queue"),
            models.Index(fields=["id", "node", "unit", "status"], name="transfer_page"),
        ]

    def __str__(self) -> str:
        return f"appeal {self.appeal_id} → unit {self.unit_id}"
