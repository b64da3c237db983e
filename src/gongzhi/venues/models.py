"""Service venues (党群服务阵地): centres and stations at three levels, the function areas inside them,
bookings of those areas, convenience services, visitor counts, rotation weeks and the plans for new
stations of the 10-minute service circle (10分钟党建惠民圈)."""

from datetime import time

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import AppendOnlyModel
from gongzhi.core.roles import ALL_ROLES, CASEWORK_ROLES, OVERSIGHT_ROLES
from gongzhi.core.scoping import ScopedQuerySet, ScopePolicy, ancestry_q, any_of, own


class VenueLevel(models.TextChoices):
    SUBDISTRICT_CENTRE = "subdistrict_centre", _("Subdistrict centre")
    COMMUNITY_CENTRE = "community_centre", _("Community centre")
    STATION = "station", _("Compound station")
    WAYSTATION = "waystation", _("Waystation")
    SHARED = "shared", _("Alliance unit's shared venue")


# The three levels the service circle is measured for; waystations and shared venues count as stations.
CIRCLE_LEVELS = {
    VenueLevel.SUBDISTRICT_CENTRE: (VenueLevel.SUBDISTRICT_CENTRE,),
    VenueLevel.COMMUNITY_CENTRE: (VenueLevel.COMMUNITY_CENTRE,),
    VenueLevel.STATION: (VenueLevel.STATION, VenueLevel.WAYSTATION, VenueLevel.SHARED),
}


class SpaceKind(models.TextChoices):
    """The "5+X" of a station: five standard function areas and the venue's own (X)."""

    PARTY = "party", _("Party-building publicity")
    CULTURE = "culture", _("Culture and sports")
    SERVICE = "service", _("Convenience services")
    DELIBERATION = "deliberation", _("Deliberation and consultation")
    EDUCATION = "education", _("Civic education")
    OTHER = "other", _("Other (X)")


class BookableBy(models.TextChoices):
    STAFF = "staff", _("The venue's staff only")
    ORGANISATIONS = "organisations", _("Communities, co-operatives and alliance units")
    RESIDENTS = "residents", _("Residents too")


def _subdistrict_venues(user, action: str, node_field: str = "node") -> Q | None:
    """Venues are public places: everyone sees those serving a place they belong to (their compound, its
    community, its subdistrict)."""
    return ancestry_q(user, node_field) if action == "view" else None


def _photo_path(instance: "Venue", filename: str) -> str:
    return f"venues/{timezone.now():%Y/%m}/{instance.pk or 'new'}-{filename}"


class Venue(models.Model):
    node = models.ForeignKey(
        "orgs.Node", on_delete=models.PROTECT, related_name="+", verbose_name=_("place served")
    )
    name = models.CharField(_("name"), max_length=80)
    level = models.CharField(_("level"), max_length=20, choices=VenueLevel.choices)
    address = models.CharField(_("address"), max_length=200, blank=True)
    # GCJ-02, as the tree's locations.
    # Empty only for a venue not yet placed on the map (it then counts for no one's circle).
    lat = models.FloatField(
        _("latitude (GCJ-02)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    lng = models.FloatField(
        _("longitude (GCJ-02)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    floor_area_m2 = models.PositiveIntegerField(_("floor area (m²)"), null=True, blank=True)
    opens_at = models.TimeField(_("opens"), default=time(8, 30))
    closes_at = models.TimeField(_("closes"), default=time(20, 30))
    # Closed on rest days of the working-day calendar (holidays, weekends not worked) unless this is set.
    open_on_rest_days = models.BooleanField(_("open on rest days"), default=True)
    operator = models.CharField(_("operator"), max_length=80, blank=True)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    photo = models.FileField(_("photo"), upload_to=_photo_path, blank=True)
    opened_on = models.DateField(_("opened"), null=True, blank=True)
    # Figures reported before the platform counted visits (e.g. "280,000+ visits since it opened").
    visits_before = models.PositiveIntegerField(_("visits before counting here"), default=0)
    activities_before = models.PositiveIntegerField(_("activities before counting here"), default=0)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        actions={"view": ALL_ROLES, "manage": CASEWORK_ROLES, "count": OVERSIGHT_ROLES},
        owner_rule=_subdistrict_venues,
    )

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["node__path", "level", "name"]
        indexes = [models.Index(fields=["node", "level"], name="venue_by_node")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(lat__isnull=True) & Q(lng__isnull=True))
                | (Q(lat__gte=-90) & Q(lat__lte=90) & Q(lng__gte=-180) & Q(lng__lte=180)),
                name="venue_location_valid",
            ),
            models.UniqueConstraint(fields=["node", "name"], name="venue_unique_name_per_node"),
        ]

    def __str__(self) -> str:
        return self.name


class Space(models.Model):
    """A function area (功能区) of a venue, possibly bookable."""

    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="spaces")
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=16, choices=SpaceKind.choices)
    capacity = models.PositiveSmallIntegerField(_("capacity"), default=20)
    equipment = models.CharField(_("equipment"), max_length=200, blank=True)
    bookable_by = models.CharField(
        _("who may book"), max_length=16, choices=BookableBy.choices, default=BookableBy.ORGANISATIONS
    )
    needs_approval = models.BooleanField(_("needs approval"), default=True)
    max_days_ahead = models.PositiveSmallIntegerField(
        _("bookable up to (days ahead)"), default=90, validators=[MaxValueValidator(366)]
    )
    # Bumped by every booking on SQLite: the write that serialises the clash check (see bookings.py).
    booking_seq = models.PositiveIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="venue__node",
        actions={"view": ALL_ROLES, "manage": CASEWORK_ROLES, "count": OVERSIGHT_ROLES},
        owner_rule=lambda user, action: _subdistrict_venues(user, action, "venue__node"),
    )

    class Meta:
        verbose_name = _("function area")
        verbose_name_plural = _("function areas")
        ordering = ["venue_id", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["venue", "name"], name="space_unique_name_per_venue"),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="space_capacity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.venue.name} · {self.name}"


class BookingStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Not approved")
    CANCELLED = "cancelled", _("Cancelled")


# A booking in one of these holds its time: no other booking of the space may overlap it.
HOLDING = (BookingStatus.PENDING, BookingStatus.CONFIRMED)


class ClashPolicy(models.TextChoices):
    REFUSE_ALL = "refuse_all", _("Refuse the whole series if any date clashes")
    SKIP = "skip", _("Skip the dates that clash")


class BookingSeries(models.Model):
    """A recurring booking: an RFC 5545 rule and the bookings it made."""

    space = models.ForeignKey(Space, on_delete=models.PROTECT, related_name="series")
    rule = models.CharField(_("recurrence rule"), max_length=300)
    policy = models.CharField(max_length=12, choices=ClashPolicy.choices, default=ClashPolicy.REFUSE_ALL)
    workdays_only = models.BooleanField(
        default=False
    )  # only the working days of the calendar (调休 included)
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    skipped = models.JSONField(default=list, blank=True)  # the dates left out, and why
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="space__venue__node",
        actions={"view": CASEWORK_ROLES, "count": OVERSIGHT_ROLES},
        owner_rule=own("booked_by"),
    )

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.rule


class Booking(models.Model):
    space = models.ForeignKey(Space, on_delete=models.PROTECT, related_name="bookings")
    series = models.ForeignKey(
        BookingSeries, on_delete=models.PROTECT, null=True, blank=True, related_name="bookings"
    )
    title = models.CharField(_("what for"), max_length=80)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    status = models.CharField(max_length=10, choices=BookingStatus.choices, default=BookingStatus.PENDING)
    version = models.PositiveIntegerField(default=0)
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The community, co-operative or alliance unit the booking is for (shown on the calendar and feeds).
    for_node = models.ForeignKey(
        "orgs.Node", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("for")
    )
    attendees = models.PositiveSmallIntegerField(_("expected attendees"), null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="space__venue__node",
        actions={"view": CASEWORK_ROLES, "approve": CASEWORK_ROLES, "count": OVERSIGHT_ROLES},
        owner_rule=own("booked_by"),
    )

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["space", "starts_at"], name="booking_by_space_time"),
            models.Index(fields=["booked_by", "starts_at"], name="booking_by_booker"),
            models.Index(fields=["status", "starts_at"], name="booking_by_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="booking_ends_after_start"),
            # On PostgreSQL also an exclusion constraint over the time range (migration 0002); on SQLite
            # the clash check is serialised by a write on the space (bookings.py).
        ]

    def __str__(self) -> str:
        return self.title


class BookingEvent(AppendOnlyModel):
    """Append-only history of a booking."""

    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=12)
    from_status = models.CharField(max_length=10)
    to_status = models.CharField(max_length=10)
    note = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.booking_id}: {self.action}"


class Blackout(models.Model):
    """A period a venue (or one of its areas) cannot be booked: repairs, an election, a holiday event."""

    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="blackouts")
    space = models.ForeignKey(Space, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=120)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="venue__node",
        actions={"view": ALL_ROLES, "manage": CASEWORK_ROLES},
        owner_rule=lambda user, action: _subdistrict_venues(user, action, "venue__node"),
    )

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="blackout_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.reason


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class ConvenienceService(models.Model):
    """A recurring service slot at a venue: 磨剪刀 every Tuesday 9:00–11:00 by a named volunteer or unit."""

    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="services")
    name = models.CharField(_("service"), max_length=40)
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("until"))
    provider = models.CharField(_("provided by"), max_length=60)
    provider_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    queue_tickets = models.BooleanField(_("numbered queue tickets"), default=False)
    active = models.BooleanField(default=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="venue__node",
        actions={"view": ALL_ROLES, "manage": CASEWORK_ROLES, "count": OVERSIGHT_ROLES},
        owner_rule=lambda user, action: _subdistrict_venues(user, action, "venue__node"),
    )

    class Meta:
        verbose_name = _("convenience service")
        verbose_name_plural = _("convenience services")
        ordering = ["weekday", "start_time", "name"]
        indexes = [models.Index(fields=["weekday", "venue"], name="service_by_weekday")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="service_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(weekday__gte=0) & Q(weekday__lte=6), name="service_weekday"),
        ]

    def __str__(self) -> str:
        return self.name


class QueueTicket(models.Model):
    """A numbered ticket for one day's service slot; numbers count up from 1 per slot and day."""

    service = models.ForeignKey(ConvenienceService, on_delete=models.PROTECT, related_name="tickets")
    day = models.DateField()
    number = models.PositiveSmallIntegerField()
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    served = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="service__venue__node",
        actions={"view": CASEWORK_ROLES, "count": OVERSIGHT_ROLES},
        owner_rule=own("holder"),
    )

    class Meta:
        ordering = ["day", "number"]
        constraints = [
            models.UniqueConstraint(fields=["service", "day", "number"], name="ticket_number_once"),
            models.UniqueConstraint(fields=["service", "day", "holder"], name="ticket_once_per_holder"),
        ]

    def __str__(self) -> str:
        return f"{self.service_id}/{self.day}/{self.number}"


class ServiceDelivery(models.Model):
    """Services delivered in one slot (how many people were served), recorded by staff or the provider."""

    service = models.ForeignKey(ConvenienceService, on_delete=models.PROTECT, related_name="deliveries")
    day = models.DateField()
    served = models.PositiveIntegerField(_("people served"))
    hours = models.DecimalField(_("volunteer hours"), max_digits=5, decimal_places=1, null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="service__venue__node",
        actions={"view": CASEWORK_ROLES, "count": OVERSIGHT_ROLES},
    )

    class Meta:
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["service", "day"], name="delivery_once_per_day")]

    def __str__(self) -> str:
        return f"{self.service_id}/{self.day}"


class ActivityKind(models.TextChoices):
    PARTY = "party", _("Party education")
    CULTURE = "culture", _("Culture and sports")
    SERVICE = "service", _("Convenience services")
    DELIBERATION = "deliberation", _("Deliberation")
    EDUCATION = "education", _("Civic education")
    VISIT = "visit", _("Walk-in visits")


class VisitCount(models.Model):
    """Visitors at a venue on a day for one kind of activity: a head-count by staff or check-in scans."""

    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="visit_counts")
    day = models.DateField()
    kind = models.CharField(max_length=16, choices=ActivityKind.choices)
    visitors = models.PositiveIntegerField(_("visitors"))
    activities = models.PositiveSmallIntegerField(_("activities"), default=0)
    title = models.CharField(_("activity"), max_length=80, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="venue__node",
        actions={"view": CASEWORK_ROLES, "count": OVERSIGHT_ROLES},
    )

    class Meta:
        ordering = ["-day", "-id"]
        indexes = [models.Index(fields=["venue", "day"], name="visits_by_venue_day")]

    def __str__(self) -> str:
        return f"{self.venue_id}/{self.day}: {self.visitors}"


class Rotation(models.Model):
    """A centre's rotation (活动轮值表): communities and co-operatives take turns running a week."""

    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="rotations")
    name = models.CharField(_("name"), max_length=80)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    members = models.ManyToManyField("orgs.Node", related_name="+", verbose_name=_("taking part"))
    excluded_weeks = models.JSONField(default=list, blank=True)  # Mondays of the weeks left out
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="venue__node",
        actions={"view": ALL_ROLES, "manage": CASEWORK_ROLES, "count": OVERSIGHT_ROLES},
        owner_rule=lambda user, action: _subdistrict_venues(user, action, "venue__node"),
    )

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="rotation_ends_after_start")
        ]

    def __str__(self) -> str:
        return self.name


class RotationWeek(models.Model):
    rotation = models.ForeignKey(Rotation, on_delete=models.CASCADE, related_name="weeks")
    week_of = models.DateField()  # the Monday
    owner = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")
    workdays = models.PositiveSmallIntegerField(default=5)  # working days of the week on the calendar
    plan = models.TextField(_("activities planned"), max_length=2000, blank=True)
    # The volunteering activities the week's owner runs at the venue that week (what later owners look back on).
    activities = models.ManyToManyField(
        "volunteering.Activity", blank=True, related_name="+", verbose_name=_("volunteering activities")
    )

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="rotation__venue__node",
        actions={"view": ALL_ROLES, "manage": CASEWORK_ROLES},
        owner_rule=lambda user, action: _subdistrict_venues(user, action, "rotation__venue__node"),
    )

    class Meta:
        ordering = ["week_of"]
        constraints = [models.UniqueConstraint(fields=["rotation", "week_of"], name="rotation_week_once")]

    def __str__(self) -> str:
        return f"{self.week_of}: {self.owner_id}"


class SwapStatus(models.TextChoices):
    REQUESTED = "requested", _("Asked")
    AGREED = "agreed", _("Agreed by the other")
    APPROVED = "approved", _("Approved by the centre")
    REFUSED = "refused", _("Refused")


class RotationSwap(models.Model):
    """One owner asks to swap weeks with another; the other agrees and the centre approves."""

    week = models.ForeignKey(RotationWeek, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(RotationWeek, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=SwapStatus.choices, default=SwapStatus.REQUESTED)
    version = models.PositiveIntegerField(default=0)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="week__rotation__venue__node",
        actions={"view": CASEWORK_ROLES},
        owner_rule=any_of(own("requested_by")),
    )

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.week_id}⇄{self.other_id}"


class SwapEvent(AppendOnlyModel):
    swap = models.ForeignKey(RotationSwap, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=12)
    from_status = models.CharField(max_length=10)
    to_status = models.CharField(max_length=10)
    note = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.swap_id}: {self.action}"


class StationPlan(models.Model):
    """A computed plan of new stations for a subdistrict (the maximal covering solution), kept for a year."""

    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=80)
    distance_m = models.PositiveIntegerField(_("distance (m)"))
    stations = models.PositiveSmallIntegerField(_("new stations"))
    method = models.CharField(max_length=8)  # exact or greedy
    sites = models.JSONField(default=list)  # the chosen candidates: name, lat, lng, newly covered
    candidates = models.PositiveIntegerField(default=0)
    newly_covered = models.PositiveIntegerField(default=0)
    residents = models.PositiveIntegerField(default=0)
    covered_before = models.PositiveIntegerField(default=0)
    greedy_gap = models.FloatField(null=True, blank=True)
    adopted = models.BooleanField(_("the plan for the year"), default=False)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    saved_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        actions={"view": OVERSIGHT_ROLES, "manage": CASEWORK_ROLES, "count": OVERSIGHT_ROLES},
    )

    class Meta:
        ordering = ["-year", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["node", "year"], condition=Q(adopted=True), name="one_adopted_plan_per_year"
            )
        ]

    def __str__(self) -> str:
        return self.title
