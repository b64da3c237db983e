"""Party organisation work (党建工作): branch star ratings (支部评星) under versioned schemes, party-member points
(党员积分, never spendable), branch funds with star-linked budgets, and training with a study-hours ledger.

Every row belongs to a node (the branch's place, or the subdistrict whose working committee set the rule), so
the shared scoping reaches it. Money is ``Decimal`` in yuan (two places); points are whole numbers and live
apart from the residents' spendable points of ``ledger``.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import AppendOnlyModel
from gongzhi.core.roles import ALL_ROLES, CASEWORK_ROLES, MANAGER_ROLES, OVERSIGHT_ROLES, Role
from gongzhi.core.scoping import ScopedQuerySet, ScopePolicy, ancestry_q, any_of, own, public_around

COMMITTEE_ROLES = frozenset({Role.SUBDISTRICT_ADMIN})
RATING_STAFF = MANAGER_ROLES | {Role.DISTRICT_VIEWER}


def _my_branches(user, action: str) -> Q | None:
    """Rows of the branches the user is a member of (their secretary assesses, every member sees)."""
    if action != "view":
        return None
    from gongzhi.orgs.models import PartyMembership

    mine = PartyMembership.objects.filter(person__user_id=user.pk).values("party_org_id")  # unscoped: own
    return Q(branch_id__in=mine)


def _published_ratings(user, action: str) -> Q | None:
    """Ratings on public notice or final are shown where the user belongs (公示)."""
    if action != "view":
        return None
    around = ancestry_q(user, "node")
    if around is None:
        return None
    # The subdistrict's notice: the rating's subdistrict is an ancestor of every member's compound, so the
    # notice shows ratings of the user's own places and above; the board for the whole subdistrict is staff's.
    return Q(status__in=("notice", "final", "appealed")) & around


def _my_branches_grants(user, action: str) -> Q | None:
    """Grants of the budgets of the branches the user is a member of."""
    if action != "view":
        return None
    from gongzhi.orgs.models import PartyMembership

    mine = PartyMembership.objects.filter(person__user_id=user.pk).values("party_org_id")  # unscoped: own
    return Q(budget__branch_id__in=mine)


def _published_expenses(user, action: str) -> Q | None:
    """Spending published on the notice board of a place the user belongs to."""
    if action != "view":
        return None
    around = ancestry_q(user, "node")
    return None if around is None else Q(status="published") & around


# --- 1. rating schemes ------------------------------------------------------------------------------------


class RatingScheme(models.Model):
    """A subdistrict's yearly rubric (评星细则). Versioned: a version used by a round is never changed; a
    revision is a new version."""

    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")  # the subdistrict
    year = models.PositiveSmallIntegerField(_("year"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=80)
    item_weight = models.DecimalField(_("weight of item scores (percent)"), max_digits=5, decimal_places=2)
    peer_weight = models.DecimalField(_("weight of peer review (percent)"), max_digits=5, decimal_places=2)
    # Minimum totals for five, four, three, two and one stars, highest first.
    bands = models.JSONField(_("star bands"), default=list)
    five_star_quota = models.DecimalField(
        _("five stars for at most this percentage of branches"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
    )
    five_star_needs_innovation = models.BooleanField(
        _("five stars need an innovation project"), default=False
    )
    frozen = models.BooleanField(default=False)  # a round has used it
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        actions={"view": ALL_ROLES, "change": COMMITTEE_ROLES, "count": OVERSIGHT_ROLES},
    )

    class Meta:
        ordering = ["-year", "-version"]
        verbose_name = _("rating scheme")
        constraints = [
            models.UniqueConstraint(fields=["node", "year", "version"], name="pw_scheme_version_unique"),
            models.CheckConstraint(
                condition=Q(item_weight__gte=0) & Q(peer_weight__gte=0) & Q(item_weight__lte=100),
                name="pw_scheme_weights_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class ItemSource(models.TextChoices):
    MANUAL = "manual", _("Uploaded evidence")
    APPEAL_CONTAINMENT = "appeal_containment", _("Appeals resolved within the compound or community")
    APPEAL_SATISFACTION = "appeal_satisfaction", _("Residents satisfied with appeals")
    VOLUNTEER_HOURS = "volunteer_hours", _("Volunteer service hours")
    VOLUNTEER_SERVICES = "volunteer_services", _("Volunteer services")
    TRAINING_HOURS = "training_hours", _("Members' study hours")
    MEMBER_POINTS = "member_points", _("Members' average points")
    FUNDS_PUBLISHED = "funds_published", _("Spending published")
    MEETINGS_HELD = "meetings_held", _("Branch meetings held")
    MINUTES_PUBLISHED = "minutes_published", _("Meetings with minutes published")


class SchemeItem(models.Model):
    scheme = models.ForeignKey(RatingScheme, on_delete=models.CASCADE, related_name="items")
    dimension = models.CharField(_("dimension"), max_length=40)
    name = models.CharField(_("item"), max_length=120)
    max_points = models.DecimalField(_("maximum points"), max_digits=6, decimal_places=2)
    deduction = models.BooleanField(_("deduction"), default=False)
    source = models.CharField(
        _("source"), max_length=24, choices=ItemSource.choices, default=ItemSource.MANUAL
    )
    # For a measured item: the figure that earns full points (e.g. 200 volunteer hours).
    full_at = models.DecimalField(_("full points at"), max_digits=10, decimal_places=2, null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.CheckConstraint(condition=Q(max_points__gt=0), name="pw_item_max_positive")]

    def __str__(self) -> str:
        return self.name


# --- 3. the rating round --------------------------------------------------------------------------------


class RoundStatus(models.TextChoices):
    OPEN = "open", _("Assessment and scoring")
    NOTICE = "notice", _("On public notice")
    CLOSED = "closed", _("Final")


class RatingRound(models.Model):
    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")  # the subdistrict
    scheme = models.ForeignKey(RatingScheme, on_delete=models.PROTECT, related_name="rounds")
    year = models.PositiveSmallIntegerField(_("year"))
    notice_days = models.PositiveSmallIntegerField(_("days of public notice"), default=5)
    status = models.CharField(max_length=8, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    notice_from = models.DateTimeField(null=True, blank=True)
    notice_until = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        actions={"view": ALL_ROLES, "run": COMMITTEE_ROLES, "count": OVERSIGHT_ROLES},
    )

    class Meta:
        ordering = ["-year", "-id"]
        constraints = [models.UniqueConstraint(fields=["node", "year"], name="pw_round_one_per_year")]

    def __str__(self) -> str:
        return f"{self.year} {self.node_id}"


class RatingStatus(models.TextChoices):
    DRAFT = "draft", _("Self-assessment")
    SUBMITTED = "submitted", _("Awaiting scoring")
    SCORED = "scored", _("Awaiting recheck")
    RECHECKED = "rechecked", _("Rechecked")
    NOTICE = "notice", _("On public notice")
    FINAL = "final", _("Final")
    APPEALED = "appealed", _("Appealed")


class BranchRating(models.Model):
    round = models.ForeignKey(RatingRound, on_delete=models.PROTECT, related_name="ratings")
    branch = models.ForeignKey("orgs.PartyOrg", on_delete=models.PROTECT, related_name="+")
    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")  # the branch's place
    status = models.CharField(max_length=10, choices=RatingStatus.choices, default=RatingStatus.DRAFT)
    version = models.PositiveIntegerField(default=0)
    innovation_project = models.CharField(_("innovation project"), max_length=120, blank=True)
    self_summary = models.CharField(_("self-assessment summary"), max_length=500, blank=True)
    item_score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    peer_score = models.DecimalField(
        _("peer review score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    total = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    stars = models.PositiveSmallIntegerField(null=True, blank=True)  # set at notice, final after it
    capped_by = models.CharField(max_length=12, blank=True)  # "quota" or "condition" when held below its band
    previous_stars = models.PositiveSmallIntegerField(null=True, blank=True)  # last year's, for the board
    appealed = models.BooleanField(default=False)  # a branch may appeal its result once
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rechecked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        actions={"view": RATING_STAFF, "score": MANAGER_ROLES, "count": OVERSIGHT_ROLES},
        owner_rule=any_of(_my_branches, _published_ratings),
    )

    class Meta:
        ordering = ["node__path", "branch_id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "branch"], name="pw_rating_one_per_branch"),
            models.CheckConstraint(
                condition=Q(rechecked_by__isnull=True) | ~Q(rechecked_by=F("scored_by")),
                name="pw_rating_recheck_four_eyes",
            ),
            models.CheckConstraint(
                condition=Q(stars__isnull=True) | Q(stars__lte=5), name="pw_rating_stars_range"
            ),
        ]
        indexes = [models.Index(fields=["round", "status"], name="pw_rating_round_status")]

    def __str__(self) -> str:
        return f"{self.branch_id} {self.round_id}"


class RatingLine(models.Model):
    """One item of a branch's rating: the branch's own points and evidence, the measured figure and its
    source, and the reviewer's points."""

    rating = models.ForeignKey(BranchRating, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(SchemeItem, on_delete=models.PROTECT, related_name="+")
    self_points = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    points = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    evidence_note = models.CharField(_("evidence"), max_length=300, blank=True)
    evidence_file = models.FileField(upload_to="partywork/evidence/%Y/%m", blank=True)
    measured = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    measured_source = models.CharField(max_length=160, blank=True)

    class Meta:
        ordering = ["item__order", "item_id"]
        constraints = [models.UniqueConstraint(fields=["rating", "item"], name="pw_line_unique")]

    def __str__(self) -> str:
        return f"{self.rating_id}/{self.item_id}"


class RatingEvent(AppendOnlyModel):
    rating = models.ForeignKey(BranchRating, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    action = models.CharField(max_length=16)
    from_status = models.CharField(max_length=10)
    to_status = models.CharField(max_length=10)
    note = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.rating_id}: {self.action}"


class RatingObjection(models.Model):
    """An objection raised during the public notice, and the committee's answer."""

    rating = models.ForeignKey(BranchRating, on_delete=models.PROTECT, related_name="objections")
    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.CharField(_("objection"), max_length=500)
    answer = models.CharField(_("answer"), max_length=500, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        actions={"view": MANAGER_ROLES, "count": OVERSIGHT_ROLES},
        owner_rule=own("raised_by"),
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text[:20]


# --- 4. member points -------------------------------------------------------------------------------------


class PointsKind(models.TextChoices):
    BASE = "base", _("Base score")
    ITEM = "item", _("Item")
    DEDUCTION = "deduction", _("Deduction")


class PointsSource(models.TextChoices):
    MANUAL = "manual", _("Recorded by the branch")
    VOLUNTEER_HOURS = "volunteer_hours", _("Volunteer hours (volunteering)")
    STUDY_HOURS = "study_hours", _("Study hours (training)")
    REPORT_IN = "report_in", _("Services where the member lives (in-service members, volunteering)")
    OPEN_DOOR = "open_door", _("Neighbours' wishes fulfilled (micro-wishes)")


class MemberPointsRule(models.Model):
    """A rule of the subdistrict's member points (党员积分细则): what earns or costs how much, per unit."""

    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")  # the subdistrict
    code = models.SlugField(max_length=32)
    name = models.CharField(_("rule"), max_length=80)
    kind = models.CharField(_("kind"), max_length=10, choices=PointsKind.choices)
    points = models.PositiveSmallIntegerField(_("points per unit"))
    monthly_cap = models.PositiveSmallIntegerField(_("monthly cap"), null=True, blank=True)
    source = models.CharField(max_length=16, choices=PointsSource.choices, default=PointsSource.MANUAL)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(node_field="node", actions={"view": ALL_ROLES, "change": COMMITTEE_ROLES})

    class Meta:
        ordering = ["kind", "code"]
        constraints = [models.UniqueConstraint(fields=["node", "code"], name="pw_points_rule_code")]

    def __str__(self) -> str:
        return self.name


class EntryStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class MemberPointsEntry(models.Model):
    """One line of a member's points for a month: a rule, how many units, the signed points, its source;
    proposed by one person and approved by another."""

    membership = models.ForeignKey("orgs.PartyMembership", on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )  # the member's account, when they have one (for "my points")
    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")  # the branch's place
    month = models.DateField(_("month"))  # the first day of the month
    rule = models.ForeignKey(MemberPointsRule, on_delete=models.PROTECT, related_name="+")
    units = models.PositiveSmallIntegerField(default=1)
    points = models.IntegerField()  # signed: deductions are negative
    note = models.CharField(_("note"), max_length=200, blank=True)
    source_ref = models.CharField(max_length=80, blank=True)
    status = models.CharField(max_length=10, choices=EntryStatus.choices, default=EntryStatus.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        actions={"view": CASEWORK_ROLES, "approve": MANAGER_ROLES, "count": OVERSIGHT_ROLES},
        owner_rule=own("member"),
    )

    class Meta:
        ordering = ["-month", "id"]
        verbose_name = _("member points entry")
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("proposed_by")),
                name="pw_points_four_eyes",
            ),
            models.UniqueConstraint(
                fields=["membership", "rule", "source_ref"],
                condition=~Q(source_ref="") & ~Q(status="rejected"),
                name="pw_points_source_once",
            ),
        ]
        indexes = [
            models.Index(fields=["membership", "month"], name="pw_points_member_month"),
            # A member's own entries of a year, newest month first, a page at a time ("my points").
            models.Index(fields=["member", "-month", "id"], name="pw_points_mine"),
            # Staff's list, newest month first: walked in order under its LIMIT, whatever the years kept, each
            # entry's place tested from the index itself (never read from the table for rows out of reach).
            models.Index(fields=["-month", "id", "node"], name="pw_points_month_place"),
            # The approvals still to do.
            models.Index(fields=["node"], condition=Q(status="proposed"), name="pw_points_proposed"),
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} {self.month:%Y-%m} {self.points}"


class PeerGrade(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")
    QUALIFIED = "qualified", _("Qualified")
    BASIC = "basic", _("Basically qualified")
    UNQUALIFIED = "unqualified", _("Unqualified")


class PeerEvaluation(models.Model):
    """The yearly democratic evaluation of a member (民主评议党员)."""

    membership = models.ForeignKey("orgs.PartyMembership", on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    grade = models.CharField(_("grade"), max_length=12, choices=PeerGrade.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        actions={"view": CASEWORK_ROLES, "count": OVERSIGHT_ROLES},
        owner_rule=own("member"),
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["membership", "year"], name="pw_peer_once_a_year")]

    def __str__(self) -> str:
        return f"{self.membership_id} {self.year} {self.grade}"


# --- 5. strong branches and terms ------------------------------------------------------------------------


class StrongStatus(models.TextChoices):
    CULTIVATING = "cultivating", _("Being cultivated")
    RECOGNISED = "recognised", _("Recognised as a strong branch")
    ENDED = "ended", _("Cultivation ended")


class StrongBranch(models.Model):
    """A branch the working committee cultivates as a strong branch (过硬支部), measured against its targets and
    showing its work in a monthly showcase (风采展)."""

    branch = models.ForeignKey("orgs.PartyOrg", on_delete=models.PROTECT, related_name="+")
    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")  # the branch's place
    started_on = models.DateField(_("cultivated since"))
    status = models.CharField(
        _("status"), max_length=12, choices=StrongStatus.choices, default=StrongStatus.CULTIVATING
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        # Public praise: the branches and their showcase are shown where they serve.
        actions={"view": ALL_ROLES, "change": MANAGER_ROLES, "count": OVERSIGHT_ROLES},
        owner_rule=public_around(),
    )

    class Meta:
        ordering = ["node__path", "branch_id"]
        verbose_name = _("strong branch")
        constraints = [
            models.UniqueConstraint(
                fields=["branch"], condition=~Q(status="ended"), name="pw_strong_one_open_per_branch"
            ),
        ]

    def __str__(self) -> str:
        return str(self.branch_id)


class StrongTarget(models.Model):
    """One target of a strong branch (e.g. one of the "six all-round" targets): measured from the platform
    against a goal, or checked by a reviewer against the branch's record."""

    strong = models.ForeignKey(StrongBranch, on_delete=models.CASCADE, related_name="targets")
    name = models.CharField(_("target"), max_length=80)
    source = models.CharField(
        _("source"), max_length=24, choices=ItemSource.choices, default=ItemSource.MANUAL
    )
    goal = models.DecimalField(_("goal"), max_digits=10, decimal_places=2, null=True, blank=True)
    met = models.BooleanField(_("met"), default=False)  # a reviewer's check (uploaded-evidence targets)
    note = models.CharField(_("note"), max_length=300, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(source="manual") | Q(goal__gt=0), name="pw_target_measured_has_goal"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ShowcaseEntry(models.Model):
    """A strong branch's entry in the monthly showcase (风采展): what it did that month, with a photo."""

    strong = models.ForeignKey(StrongBranch, on_delete=models.PROTECT, related_name="showcase")
    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"))  # the first day of the month
    title = models.CharField(_("title"), max_length=80)
    text = models.CharField(_("what the branch did"), max_length=1000)
    photo = models.ImageField(_("photo"), upload_to="partywork/showcase/%Y/%m", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        actions={"view": ALL_ROLES, "count": OVERSIGHT_ROLES},
        owner_rule=public_around(),
    )

    class Meta:
        ordering = ["-month", "-id"]
        verbose_name = _("showcase entry")
        constraints = [
            models.UniqueConstraint(fields=["strong", "month"], name="pw_showcase_once_a_month"),
        ]

    def __str__(self) -> str:
        return self.title


class BranchTerm(models.Model):
    """A branch committee's term (届): from the election that began it to the day it ends. The branch is
    reminded before the end to hold the next election (换届)."""

    branch = models.ForeignKey("orgs.PartyOrg", on_delete=models.PROTECT, related_name="+")
    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField(_("elected on"))
    ends_on = models.DateField(_("term ends on"))
    current = models.BooleanField(default=True)
    reminded_on = models.DateField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        actions={"view": RATING_STAFF, "change": MANAGER_ROLES, "count": OVERSIGHT_ROLES},
        owner_rule=_my_branches,
    )

    class Meta:
        ordering = ["ends_on", "branch_id"]
        verbose_name = _("branch term")
        constraints = [
            models.UniqueConstraint(fields=["branch"], condition=Q(current=True), name="pw_term_one_current"),
            models.CheckConstraint(condition=Q(ends_on__gt=F("starts_on")), name="pw_term_ends_after_start"),
        ]
        indexes = [models.Index(fields=["current", "ends_on"], name="pw_term_current_ends")]

    def __str__(self) -> str:
        return f"{self.branch_id} {self.starts_on}–{self.ends_on}"


class ElectionKind(models.TextChoices):
    REGULAR = "regular", _("Election at the end of a term")
    BY_ELECTION = "by_election", _("By-election")


class Election(models.Model):
    """The record of a branch's election: when, how many members could vote and how many did, who was
    elected secretary; a regular election begins a new term."""

    branch = models.ForeignKey("orgs.PartyOrg", on_delete=models.PROTECT, related_name="+")
    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=ElectionKind.choices)
    held_on = models.DateField(_("held on"))
    eligible = models.PositiveIntegerField(_("members entitled to vote"))
    voted = models.PositiveIntegerField(_("members who voted"))
    committee_size = models.PositiveSmallIntegerField(_("committee members elected"))
    secretary = models.ForeignKey(
        "orgs.PartyMembership", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    term = models.ForeignKey(BranchTerm, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        actions={"view": RATING_STAFF, "count": OVERSIGHT_ROLES},
        owner_rule=_my_branches,
    )

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("election")
        constraints = [
            models.CheckConstraint(
                condition=Q(voted__lte=F("eligible")), name="pw_election_voted_le_eligible"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.branch_id} {self.held_on}"


class MeetingKind(models.TextChoices):
    """The branch's organisational life (三会一课, 支部学习日, 主题党日)."""

    MEMBERS = "members", _("Members' meeting (党员大会)")
    COMMITTEE = "committee", _("Branch committee meeting (支委会)")
    GROUP = "group", _("Party group meeting (党小组会)")
    LECTURE = "lecture", _("Party lecture (党课)")
    STUDY_DAY = "study_day", _("Branch study day (支部学习日)")
    THEME_DAY = "theme_day", _("Theme party day (主题党日)")


class BranchMeeting(models.Model):
    """A meeting the branch held: when, of which kind, how many members attended, and its minutes (a PDF or a
    photo of the minutes book, kept through ``core.documents``). Counted as evidence for the star rating
    (meetings held, share with minutes)."""

    branch = models.ForeignKey("orgs.PartyOrg", on_delete=models.PROTECT, related_name="+")
    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")  # the branch's place
    kind = models.CharField(_("kind"), max_length=12, choices=MeetingKind.choices)
    held_on = models.DateField(_("held on"))
    topic = models.CharField(_("topic"), max_length=120)
    attended = models.PositiveIntegerField(_("members attending"))
    minutes = models.FileField(_("minutes"), upload_to="partywork/minutes/%Y/%m", blank=True)
    minutes_at = models.DateTimeField(null=True, blank=True)  # when the minutes were added
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        actions={"view": RATING_STAFF, "change": MANAGER_ROLES, "count": OVERSIGHT_ROLES},
        owner_rule=_my_branches,
    )

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("branch meeting")
        constraints = [
            models.UniqueConstraint(fields=["branch", "kind", "held_on"], name="pw_meeting_once_a_day"),
            models.CheckConstraint(condition=Q(attended__gt=0), name="pw_meeting_attended"),
        ]
        # The evidence of a year reads one branch's meetings by date.
        indexes = [models.Index(fields=["branch", "held_on"], name="pw_meeting_branch_day")]

    def __str__(self) -> str:
        return f"{self.branch_id} {self.held_on} {self.kind}"


# --- 6. funding -------------------------------------------------------------------------------------------


class ExpenseCategory(models.TextChoices):
    ACTIVITIES = "activities", _("Party activities")
    TRAINING = "training", _("Education and training")
    CARE = "care", _("Visits and care for members in need")
    PUBLICITY = "publicity", _("Publicity materials")
    SERVICE = "service", _("Service projects for residents")
    VENUE = "venue", _("Venue upkeep")
    SALARIES = "salaries", _("Salaries and allowances")
    OFFICE = "office", _("Office running costs")
    OTHER = "other", _("Other")


class PartyPolicy(models.Model):
    """A subdistrict's configurable rules: budgets by stars, forbidden spending, study-hour minimums."""

    node = models.OneToOneField("orgs.Node", on_delete=models.PROTECT, related_name="+")  # the subdistrict
    compound_base = models.DecimalField(
        _("base budget of a compound branch (yuan)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("10000"),
    )
    other_base = models.DecimalField(
        _("base budget of another branch (yuan)"), max_digits=12, decimal_places=2, default=Decimal("5000")
    )
    # Extra party-work funds per star level: {"1": "1000.00", ..., "5": "8000.00"}.
    star_amounts = models.JSONField(_("extra funds per star level"), default=dict)
    forbidden_categories = models.JSONField(_("forbidden categories"), default=list)
    member_hours = models.PositiveSmallIntegerField(_("study hours a year for members"), default=32)
    secretary_hours = models.PositiveSmallIntegerField(_("study hours a year for secretaries"), default=56)
    term_years = models.PositiveSmallIntegerField(_("years of a branch committee's term"), default=3)
    term_reminder_days = models.PositiveSmallIntegerField(
        _("remind this many days before a term ends"), default=90
    )

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(node_field="node", actions={"view": ALL_ROLES, "change": COMMITTEE_ROLES})

    def __str__(self) -> str:
        return str(self.node_id)


class Budget(models.Model):
    """A branch's budget for a year: the base from the rules, the amount for its stars, and grants."""

    branch = models.ForeignKey("orgs.PartyOrg", on_delete=models.PROTECT, related_name="+")
    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    base = models.DecimalField(max_digits=12, decimal_places=2)
    stars = models.PositiveSmallIntegerField(null=True, blank=True)
    star_amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    grants = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))  # approved only
    spent = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))  # approved expenses
    version = models.PositiveIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        actions={
            "view": CASEWORK_ROLES | {Role.DISTRICT_VIEWER},
            "approve": MANAGER_ROLES,
            "count": OVERSIGHT_ROLES,
        },
        owner_rule=_my_branches,
    )

    class Meta:
        ordering = ["node__path", "branch_id"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "year"], name="pw_budget_one_a_year"),
            models.CheckConstraint(
                condition=Q(spent__lte=F("base") + F("star_amount") + F("grants")),
                name="pw_budget_not_overspent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.branch_id} {self.year}"

    @property
    def total(self) -> Decimal:
        return self.base + self.star_amount + self.grants

    @property
    def balance(self) -> Decimal:
        return self.total - self.spent


class GrantKind(models.TextChoices):
    GRANT = "grant", _("Grant")
    INCREASE = "increase", _("Budget increase")


class Grant(models.Model):
    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="grant_rows")
    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=GrantKind.choices)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    source = models.CharField(_("source"), max_length=120)
    status = models.CharField(max_length=10, choices=EntryStatus.choices, default=EntryStatus.PROPOSED)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        actions={"view": CASEWORK_ROLES, "count": OVERSIGHT_ROLES},
        owner_rule=_my_branches_grants,
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="pw_grant_positive"),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("entered_by")),
                name="pw_grant_four_eyes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount}"


class ExpenseStatus(models.TextChoices):
    ENTERED = "entered", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    PUBLISHED = "published", _("Published")


class Expense(models.Model):
    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="expenses")
    branch = models.ForeignKey("orgs.PartyOrg", on_delete=models.PROTECT, related_name="+")
    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    category = models.CharField(_("category"), max_length=12, choices=ExpenseCategory.choices)
    purpose = models.CharField(_("purpose"), max_length=200)
    spent_on = models.DateField(_("date"))
    # What it paid for, where relevant: an activity, an alliance project or a venue (kind:id, e.g. "activity:12").
    linked_to = models.CharField(_("linked to"), max_length=40, blank=True)
    receipt = models.FileField(_("receipt"), upload_to="partywork/receipts/%Y/%m")
    status = models.CharField(max_length=10, choices=ExpenseStatus.choices, default=ExpenseStatus.ENTERED)
    version = models.PositiveIntegerField(default=0)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        actions={
            "view": CASEWORK_ROLES | {Role.DISTRICT_VIEWER},
            "approve": MANAGER_ROLES,
            "count": OVERSIGHT_ROLES,
        },
        owner_rule=any_of(_my_branches, _published_expenses),
    )

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="pw_expense_positive"),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("entered_by")),
                name="pw_expense_four_eyes",
            ),
        ]

    def __str__(self) -> str:
        return self.purpose


class ExpenseEvent(AppendOnlyModel):
    expense = models.ForeignKey(Expense, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    action = models.CharField(max_length=12)
    from_status = models.CharField(max_length=10)
    to_status = models.CharField(max_length=10)
    note = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.expense_id}: {self.action}"


# --- 7. training ------------------------------------------------------------------------------------------


class Course(models.Model):
    """A course series, e.g. 新时代讲习所 or the spring training (春训)."""

    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("course"), max_length=80)
    series = models.CharField(_("series"), max_length=40, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        actions={"view": ALL_ROLES, "change": MANAGER_ROLES, "count": OVERSIGHT_ROLES},
    )

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.name


class SessionMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    LIVE = "live", _("Live stream")


class TrainingSession(models.Model):
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions")
    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=80)
    mode = models.CharField(_("mode"), max_length=10, choices=SessionMode.choices)
    place = models.CharField(_("venue"), max_length=80, blank=True)  # seam: a venue of the venues module
    stream_url = models.URLField(_("stream URL"), max_length=300, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    minutes = models.PositiveSmallIntegerField(_("length (minutes)"))

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        actions={"view": ALL_ROLES, "change": MANAGER_ROLES, "count": OVERSIGHT_ROLES},
        owner_rule=public_around(),
    )

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gt=0) & Q(minutes__lte=600), name="pw_session_length"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Attendance(models.Model):
    """A member's attendance of a session: minutes credited (QR scan in person: the whole session; live:
    one minute per heartbeat of a visible page, at most one a minute, at most the session's length)."""

    session = models.ForeignKey(TrainingSession, on_delete=models.PROTECT, related_name="attendances")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    minutes = models.PositiveSmallIntegerField(default=0)
    last_credit_at = models.DateTimeField(null=True, blank=True)
    checked_in = models.BooleanField(default=False)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        actions={"view": CASEWORK_ROLES, "count": OVERSIGHT_ROLES},
        owner_rule=own("user"),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="pw_attendance_once"),
        ]
        indexes = [models.Index(fields=["user", "year"], name="pw_attendance_user_year")]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.user_id}: {self.minutes}"
