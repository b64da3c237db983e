"""Volunteer teams, activities and duty rosters; sign-ups with a waiting list; check-in, hours, attendance;
in-service party members reporting to the compound they live in (在职党员到小区报到, 三亮)."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.photos import photo_field
from gongzhi.core.roles import ALL_ROLES, CASEWORK_ROLES, OVERSIGHT_ROLES
from gongzhi.core.scoping import ScopedQuerySet, ScopePolicy, public_around


class TeamKind(models.TextChoices):
    PARTY_MEMBERS = "party_members", _("Party members' service team")
    VOLUNTEERS = "volunteers", _("Volunteer team")


class Team(models.Model):
    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")  # where it serves
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=16, choices=TeamKind.choices, default=TeamKind.VOLUNTEERS)
    description = models.TextField(_("description"), max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        actions={"view": ALL_ROLES, "manage": CASEWORK_ROLES, "count": OVERSIGHT_ROLES},
        owner_rule=public_around(),
    )

    class Meta:
        verbose_name = _("volunteer team")
        verbose_name_plural = _("volunteer teams")
        constraints = [models.UniqueConstraint(fields=["node", "name"], name="one_team_name_per_node")]

    def __str__(self) -> str:
        return self.name


class MemberRole(models.TextChoices):
    LEADER = "leader", _("Leader")
    MEMBER = "member", _("Member")


class TeamMember(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="team_memberships"
    )
    role = models.CharField(_("role"), max_length=8, choices=MemberRole.choices, default=MemberRole.MEMBER)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="one_membership_per_team")]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.team_id}"


class Roster(models.Model):
    """A recurring duty: e.g. garbage-sorting duty 7:00–8:30 every day, a river-patrol segment on Saturdays.
    ``roster_generate`` turns it into one activity (shift) per day."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="rosters")
    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=80)
    place = models.CharField(_("place"), max_length=120, blank=True)
    weekdays = models.CharField(_("weekdays"), max_length=13, default="1,2,3,4,5,6,7")  # ISO: Monday is 1
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("until"))
    capacity = models.PositiveSmallIntegerField(_("people per shift"), default=2)
    is_active = models.BooleanField(default=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(node_field="node", actions={"view": ALL_ROLES, "manage": CASEWORK_ROLES})

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")), name="roster_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="roster_capacity_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    def days(self) -> set[int]:
        return {int(d) for d in self.weekdays.split(",") if d.strip().isdigit()}


MAX_ACTIVITY_LENGTH = timedelta(hours=24)  # an activity (or a shift) ends within a day of its start


class ActivityStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CANCELLED = "cancelled", _("Cancelled")


class Activity(models.Model):
    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, null=True, blank=True, related_name="activities")
    roster = models.ForeignKey(Roster, on_delete=models.PROTECT, null=True, blank=True, related_name="shifts")
    organiser = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=80)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    place = models.CharField(_("place"), max_length=120, blank=True)
    directions = models.CharField(_("how to get there"), max_length=300, blank=True)
    bring = models.CharField(_("what to bring"), max_length=200, blank=True)
    lat = models.FloatField(null=True, blank=True)  # WGS-84, for check-in by location
    lng = models.FloatField(null=True, blank=True)
    checkin_radius_m = models.PositiveIntegerField(_("check-in radius (m)"), default=200)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    capacity = models.PositiveSmallIntegerField(_("places"))
    points_per_hour = models.PositiveSmallIntegerField(
        _("points per hour"), null=True, blank=True
    )  # empty: the subdistrict's rule
    status = models.CharField(max_length=10, choices=ActivityStatus.choices, default=ActivityStatus.OPEN)
    photo = photo_field()
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        actions={"view": ALL_ROLES, "manage": CASEWORK_ROLES, "count": OVERSIGHT_ROLES},
        owner_rule=public_around(),
    )

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="activity_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="activity_capacity_positive"),
            models.UniqueConstraint(fields=["roster", "starts_at"], name="one_shift_per_roster_slot"),
        ]
        indexes = [models.Index(fields=["node", "starts_at"], name="activity_by_node_time")]

    def __str__(self) -> str:
        return self.title


class SignupStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Signed up")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class Attendance(models.TextChoices):
    UNKNOWN = "", _("Not yet")
    PRESENT = "present", _("Present")
    LATE = "late", _("Late")
    LEAVE = "leave", _("On leave")
    ABSENT = "absent", _("Absent")


def _own_or_organised(user, action: str) -> Q | None:
    # Your own sign-ups, and those of activities you organise or whose team you lead.
    if action != "view":
        return None
    led = TeamMember.objects.filter(user_id=user.pk, role=MemberRole.LEADER).values("team_id")
    return Q(user_id=user.pk) | Q(activity__organiser_id=user.pk) | Q(activity__team_id__in=led)


class Signup(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="signups")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signups")
    status = models.CharField(max_length=10, choices=SignupStatus.choices)
    created_at = models.DateTimeField(default=timezone.now)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_out_at = models.DateTimeField(null=True, blank=True)
    attendance = models.CharField(max_length=8, choices=Attendance.choices, blank=True, default="")
    hours = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(24))],
    )  # confirmed by the organiser
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    points = models.PositiveIntegerField(default=0)  # points earned for the confirmed hours

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="activity__node",
        actions={"view": CASEWORK_ROLES, "count": OVERSIGHT_ROLES},
        owner_rule=_own_or_organised,
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["activity", "user"], name="one_signup_per_person"),
            models.CheckConstraint(
                condition=Q(hours__isnull=True) | (Q(hours__gte=0) & Q(hours__lte=24)),
                name="signup_hours_in_a_day",
            ),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True) | Q(checked_in_at__lte=models.F("checked_out_at")),
                name="signup_out_after_in",
            ),
        ]
        indexes = [
            models.Index(fields=["activity", "status", "id"], name="signup_waiting_list"),
            models.Index(fields=["user", "confirmed_at"], name="signup_hours_by_person"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.activity_id}"


class PartyMemberReport(models.Model):
    """An in-service party member reports to the compound they live in and shows who they are, what they
    pledge and what they do (亮身份、亮承诺、亮行动)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="party_reports")
    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")  # the compound
    display_name = models.CharField(_("name shown"), max_length=40)
    workplace = models.CharField(_("workplace"), max_length=120, blank=True)
    pledge = models.CharField(_("pledge"), max_length=300)
    reported_at = models.DateTimeField(default=timezone.now)
    is_active = models.BooleanField(default=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        actions={"view": ALL_ROLES, "count": OVERSIGHT_ROLES},
        owner_rule=public_around(),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(is_active=True), name="one_active_report_per_member"
            )
        ]

    def __str__(self) -> str:
        return self.display_name
