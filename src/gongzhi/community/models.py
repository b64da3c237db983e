"""Community types, the three-year action plans ("1356") and the service directory with online orders."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core import pii
from gongzhi.core.models import AppendOnlyModel
from gongzhi.core.roles import ALL_ROLES, CASEWORK_ROLES, MANAGER_ROLES, OVERSIGHT_ROLES, Role
from gongzhi.core.scoping import (
    ScopedQuerySet,
    ScopePolicy,
    ancestry_q,
    own,
    public_around,
    reach_paths,
    rows_matching_any,
    subtree_q,
)


def mask_address(address: str) -> str:
    """An address with its last two thirds hidden (the building and flat of "慧园小区3幢2单元501")."""
    if not address:
        return ""
    shown = len(address) // 3
    return address[:shown] + "*" * min(6, len(address) - shown)


# --- community types ---------------------------------------------------------------------------------------


class TypeLevel(models.TextChoices):
    COMMUNITY = "community", _("Community")
    COMPOUND = "compound", _("Compound")


class CommunityType(models.Model):
    """One entry of a subdistrict's own list of community (or compound) types, e.g. 城厢's 历史文化型."""

    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")  # the subdistrict
    level = models.CharField(_("level"), max_length=10, choices=TypeLevel.choices)
    name = models.CharField(_("type"), max_length=40)
    priorities = models.CharField(_("priorities"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        actions={"view": ALL_ROLES, "change": MANAGER_ROLES, "count": OVERSIGHT_ROLES},
        owner_rule=public_around(),
    )

    class Meta:
        ordering = ["node", "level", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["node", "level", "name"], name="community_type_unique")
        ]

    def __str__(self) -> str:
        return self.name


class NodeTyping(models.Model):
    """The type a community or compound has, from its subdistrict's list."""

    node = models.OneToOneField("orgs.Node", on_delete=models.CASCADE, related_name="community_typing")
    type = models.ForeignKey(CommunityType, on_delete=models.PROTECT, related_name="typings")

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        actions={"view": ALL_ROLES, "change": MANAGER_ROLES, "count": OVERSIGHT_ROLES},
        owner_rule=public_around(),
    )

    def __str__(self) -> str:
        return f"{self.node_id}: {self.type_id}"


# --- action plans -------------------------------------------------------------------------------------------


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Under way")
    CLOSED = "closed", _("Closed")


def _plans_with_my_tasks(user, action: str) -> Q | None:
    """Plans of a higher level in which the user's community (or compound) owns tasks."""
    if action != "view":
        return None
    paths = reach_paths(user, CASEWORK_ROLES)
    if not paths:
        return None
    # unscoped: the tasks under the user's reach, to find the plans they belong to
    return Q(pk__in=PlanTask.objects.filter(subtree_q("node", paths)).values("plan_id"))


class Plan(models.Model):
    """An action plan of a node over some years (城厢's three-year plan for modern communities)."""

    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=100)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))
    status = models.CharField(max_length=8, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    version = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        actions={"view": OVERSIGHT_ROLES, "change": MANAGER_ROLES, "count": OVERSIGHT_ROLES},
        owner_rule=_plans_with_my_tasks,
    )

    class Meta:
        ordering = ["-start_year", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__gte=models.F("start_year")), name="plan_years_ordered"
            )
        ]

    def __str__(self) -> str:
        return self.title


class PlanEvent(AppendOnlyModel):
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=12)
    from_status = models.CharField(max_length=10)
    to_status = models.CharField(max_length=10)
    note = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.action}"


class PlanStep(models.Model):
    """One of the plan's steps (year one: model points; year two: results; year three: full coverage)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField()
    name = models.CharField(_("step"), max_length=60)
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering = ["plan", "order"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="plan_step_dates")
        ]

    def __str__(self) -> str:
        return self.name


class PlanAction(models.Model):
    """One of the plan's actions (the six of 城厢's plan; each plan has its own list)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="actions")
    order = models.PositiveSmallIntegerField()
    name = models.CharField(_("action"), max_length=60)

    class Meta:
        ordering = ["plan", "order"]

    def __str__(self) -> str:
        return self.name


class PlanTask(models.Model):
    """A task under an action: an owner (a node, and a unit, team or person), dates, a weight, and either
    progress its owner reports with evidence or an indicator bound to a platform figure."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks")
    action = models.ForeignKey(PlanAction, on_delete=models.PROTECT, related_name="tasks")
    step = models.ForeignKey(PlanStep, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks")
    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")  # the owning place
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    owner_label = models.CharField(_("owner"), max_length=60, blank=True)  # a unit or team
    title = models.CharField(_("task"), max_length=100)
    starts_on = models.DateField(_("starts"))
    due_on = models.DateField(_("due"))
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)  # percent
    done_on = models.DateField(null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True)
    # A bound indicator: the KPI provider (app label) and the figure of its totals, with baseline and target.
    kpi_app = models.CharField(max_length=40, blank=True)
    kpi_figure = models.CharField(max_length=40, blank=True)
    indicator = models.CharField(_("indicator"), max_length=60, blank=True)
    baseline = models.FloatField(null=True, blank=True)
    target = models.FloatField(null=True, blank=True)
    measured = models.FloatField(null=True, blank=True)
    measured_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        actions={"view": OVERSIGHT_ROLES, "update": CASEWORK_ROLES, "count": OVERSIGHT_ROLES},
        owner_rule=own("owner_user", actions=("view", "update")),
    )

    class Meta:
        ordering = ["plan", "action__order", "starts_on", "id"]
        indexes = [models.Index(fields=["due_on", "progress"], name="plan_task_due")]
        constraints = [
            models.CheckConstraint(condition=Q(due_on__gte=models.F("starts_on")), name="plan_task_dates"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="plan_task_progress_percent"),
            models.CheckConstraint(condition=Q(weight__gte=1) & Q(weight__lte=100), name="plan_task_weight"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def bound(self) -> bool:
        return bool(self.kpi_app and self.kpi_figure)

    def is_late(self, today) -> bool:
        return self.progress < 100 and self.due_on < today


class TaskUpdate(AppendOnlyModel):
    """A task's progress as its owner reported it, with the evidence; or a bound indicator's new reading."""

    task = models.ForeignKey(PlanTask, on_delete=models.PROTECT, related_name="updates")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    progress_from = models.PositiveSmallIntegerField()
    progress_to = models.PositiveSmallIntegerField()
    evidence = models.CharField(_("evidence"), max_length=500, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.task_id}: {self.progress_from}→{self.progress_to}"


# --- the service directory ----------------------------------------------------------------------------------


class ProviderKind(models.TextChoices):
    DOCTOR = "doctor", _("Compound doctor")
    TEACHER = "teacher", _("Compound teacher")
    LAWYER = "lawyer", _("Compound lawyer")
    SKILLED_RESIDENT = "skilled", _("Skilled resident")
    PARTY_MEMBER = "party_member", _("Skilled party member")
    ALLIANCE_UNIT = "alliance_unit", _("Alliance unit")
    MERCHANT = "merchant", _("Merchant")
    PUBLIC_DESK = "desk", _("Public service desk")


LICENSED_KINDS = (ProviderKind.DOCTOR, ProviderKind.TEACHER, ProviderKind.LAWYER)


class ProviderStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting review")
    LISTED = "listed", _("Listed")
    REJECTED = "rejected", _("Not listed")
    SUSPENDED = "suspended", _("Suspended")


class Provider(models.Model):
    """Someone who offers services: a compound doctor, teacher or lawyer, a skilled resident or party
    member, an alliance unit, a merchant, a public desk at a centre. Listed once staff have checked them."""

    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")  # where they are based
    kind = models.CharField(_("kind"), max_length=16, choices=ProviderKind.choices)
    name = models.CharField(_("name"), max_length=60)
    organisation = models.CharField(_("organisation"), max_length=60, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )  # the account that answers the orders
    licence_no = models.CharField(_("qualification or licence number"), max_length=40, blank=True)
    licence_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    licence_checked_at = models.DateTimeField(null=True, blank=True)
    intro = models.CharField(_("introduction"), max_length=300, blank=True)
    volunteer = models.BooleanField(_("serves as a volunteer"), default=False)
    status = models.CharField(max_length=10, choices=ProviderStatus.choices, default=ProviderStatus.PENDING)
    version = models.PositiveIntegerField(default=0)
    note = models.CharField(max_length=200, blank=True)  # why not listed or suspended
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        actions={"view": CASEWORK_ROLES, "review": CASEWORK_ROLES, "count": OVERSIGHT_ROLES},
        owner_rule=own("user"),
    )

    class Meta:
        ordering = ["kind", "name", "id"]
        indexes = [models.Index(fields=["user"], name="provider_user")]

    def __str__(self) -> str:
        return self.name


class ProviderEvent(AppendOnlyModel):
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=12)
    from_status = models.CharField(max_length=10)
    to_status = models.CharField(max_length=10)
    note = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.provider_id}: {self.action}"


class ServiceCategory(models.TextChoices):
    HEALTH = "health", _("Health advice")
    EDUCATION = "education", _("Homework and learning")
    LEGAL = "legal", _("Legal advice")
    REPAIR = "repair", _("Repairs")
    HAIRCUT = "haircut", _("Haircuts")
    CARE = "care", _("Help for older people")
    ERRANDS = "errands", _("Errands")
    PUBLIC_AFFAIRS = "public_affairs", _("Government services")
    PARTY_AFFAIRS = "party_affairs", _("Party membership services")
    OTHER = "other", _("Other")


class ServicePlace(models.TextChoices):
    VENUE = "venue", _("At a venue")
    HOME = "home", _("At home")
    ONLINE = "online", _("Online")


class PriceKind(models.TextChoices):
    FREE = "free", _("Free")
    LOW_COST = "low_cost", _("Low cost")
    REGULAR = "regular", _("Regular price")


def _services_around(user, action: str) -> Q | None:
    """Residents see the listed services offered where they live; providers their own."""
    if action != "view":
        return None
    mine = Q(provider__in=_own_providers(user))
    around = ancestry_q(user, "area")
    if around is None:
        return mine
    return mine | (around & Q(active=True, provider__status=ProviderStatus.LISTED))


def _own_providers(user) -> models.QuerySet:
    # unscoped: the providers the user answers for
    return Provider.objects.filter(user_id=user.pk).values("pk")


class Service(models.Model):
    """A service in the directory: what, where, when (a weekly rule), for whom, what to bring, at what price,
    and the area it serves (a compound, a community or the whole subdistrict)."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="services")
    area = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")
    category = models.CharField(_("category"), max_length=16, choices=ServiceCategory.choices)
    title = models.CharField(_("service"), max_length=60)
    description = models.CharField(_("description"), max_length=500, blank=True)
    place = models.CharField(_("where"), max_length=8, choices=ServicePlace.choices)
    venue = models.CharField(_("venue"), max_length=100, blank=True)
    weekdays = models.CharField(_("days"), max_length=13, default="1,2,3,4,5")  # ISO weekdays, 1 = Monday
    opens = models.TimeField(_("from"), null=True, blank=True)
    closes = models.TimeField(_("until"), null=True, blank=True)
    eligibility = models.CharField(_("who may use it"), max_length=200, blank=True)
    documents = models.CharField(_("what to bring"), max_length=300, blank=True)
    price_kind = models.CharField(
        _("price"), max_length=10, choices=PriceKind.choices, default=PriceKind.FREE
    )
    price = models.DecimalField(_("price (yuan)"), max_digits=8, decimal_places=2, null=True, blank=True)
    # The working-day calendar (core.workdays): closed on public holidays, open on make-up workdays (调休).
    follows_workdays = models.BooleanField(_("follows the working-day calendar"), default=False)
    orderable = models.BooleanField(_("can be ordered online"), default=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="area",
        actions={"view": CASEWORK_ROLES, "change": CASEWORK_ROLES, "count": OVERSIGHT_ROLES},
        owner_rule=_services_around,
    )

    class Meta:
        ordering = ["category", "title", "id"]
        indexes = [models.Index(fields=["area", "category"], name="service_area_category")]
        constraints = [
            models.CheckConstraint(
                condition=Q(price_kind="free", price__isnull=True) | Q(price__gte=0) & ~Q(price_kind="free"),
                name="service_price_by_kind",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def days(self) -> list[int]:
        return [int(d) for d in self.weekdays.split(",") if d.strip().isdigit()]


class ServiceClosure(models.Model):
    """Days a service is not given beyond its weekly rule (the provider away, the desk closed for works)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="closures")
    starts_on = models.DateField(_("closed from"))
    ends_on = models.DateField(_("closed until"))
    reason = models.CharField(_("why"), max_length=60, blank=True)

    class Meta:
        ordering = ["service", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="service_closure_dates"
            )
        ]

    def __str__(self) -> str:
        return f"{self.service_id}: {self.starts_on}–{self.ends_on}"


class PriceCap(models.Model):
    """The most a low-cost service may cost in a subdistrict (the subdistrict sets it)."""

    node = models.OneToOneField("orgs.Node", on_delete=models.CASCADE, related_name="+")
    low_cost_cap = models.DecimalField(_("low-cost cap (yuan)"), max_digits=8, decimal_places=2)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        actions={"view": ALL_ROLES, "change": frozenset({Role.SUBDISTRICT_ADMIN}), "count": OVERSIGHT_ROLES},
        owner_rule=public_around(),
    )

    def __str__(self) -> str:
        return f"{self.node_id}: {self.low_cost_cap}"


class OrderStatus(models.TextChoices):
    REQUESTED = "requested", _("Waiting for the provider")
    PROPOSED = "proposed", _("Another time proposed")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    DONE = "done", _("Done, to confirm")
    CONFIRMED = "confirmed", _("Confirmed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_ORDERS = (OrderStatus.REQUESTED, OrderStatus.PROPOSED, OrderStatus.ACCEPTED, OrderStatus.DONE)


def _order_parties(user, action: str) -> Q | None:
    """The resident's own orders and the provider's queue: one indexed lookup each (``id IN (… UNION ALL
    …)``), so that no plan reads the orders to test an OR of the two."""
    if action != "view":
        return None
    branches = [Q(resident_id=user.pk), Q(provider__in=_own_providers(user))]
    return Q(pk__in=rows_matching_any(ServiceOrder, branches))


def _order_photo_path(instance: "ServiceOrder", filename: str) -> str:
    return f"community/orders/{timezone.now():%Y/%m}/{instance.pk or 'new'}-{filename}"


class ServiceOrder(models.Model):
    """A resident's online order of a service: the provider accepts, declines or proposes a time, marks it
    done; the resident confirms and rates."""

    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="orders")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="orders")
    node = models.ForeignKey(
        "orgs.Node", on_delete=models.PROTECT, related_name="+"
    )  # the resident's compound
    resident = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    for_whom = models.CharField(_("for whom"), max_length=20, blank=True)
    wished_at = models.DateTimeField(_("time wished"))
    proposed_at = models.DateTimeField(null=True, blank=True)
    agreed_at = models.DateTimeField(null=True, blank=True)
    # The address, encrypted (core.pii): in full for the resident and the provider, masked for others.
    address_cipher = models.BinaryField(null=True, blank=True, editable=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    photo = models.FileField(upload_to=_order_photo_path, blank=True)
    status = models.CharField(max_length=10, choices=OrderStatus.choices, default=OrderStatus.REQUESTED)
    version = models.PositiveIntegerField(default=0)
    reply = models.CharField(max_length=300, blank=True)  # the provider's word (why declined, what was done)
    price_paid = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    hours = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    points = models.PositiveIntegerField(default=0)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        actions={"view": CASEWORK_ROLES, "count": OVERSIGHT_ROLES},
        owner_rule=_order_parties,
    )

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["provider", "status", "id"], name="order_provider_queue"),
            models.Index(fields=["resident", "id"], name="order_resident"),
            # Staff's orders in reach, newest first: walked in order, the reach tested on the entries.
            models.Index(fields=["created_at", "id", "node"], name="order_by_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1) & Q(rating__lte=5),
                name="order_rating_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_id}#{self.pk}"

    def set_address(self, address: str) -> None:
        self.address_cipher = pii.encrypt(address, context="order_address") if address else None

    @property
    def address(self) -> str:
        """The address in full: for the resident and the provider (see ``address_for``)."""
        return pii.decrypt(self.address_cipher, context="order_address") if self.address_cipher else ""

    @property
    def address_masked(self) -> str:
        """The compound's part kept, the building and flat hidden."""
        return mask_address(self.address)


class ServiceOrderEvent(AppendOnlyModel):
    order = models.ForeignKey(ServiceOrder, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=12)
    from_status = models.CharField(max_length=10)
    to_status = models.CharField(max_length=10)
    note = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.action}"
