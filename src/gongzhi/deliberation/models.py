"""Deliberation (议事协商): councils with seats, topics from appeals and proposals, meetings with quorum,
votes (including owners' votes under Civil Code art. 278), minutes with public notice, decisions carried
out through action items and rated by residents. Mediation cases (矛盾调解) live in ``mediation_models``."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import AppendOnlyModel
from gongzhi.core.roles import ALL_ROLES, CASEWORK_ROLES, OVERSIGHT_ROLES
from gongzhi.core.scoping import ScopedQuerySet, ScopePolicy, belonging_paths, subtree_in
from gongzhi.orgs.models import NodeKind


class Seat(models.TextChoices):
    PARTY_ORG = "party_org", _("Party organisation")
    OWNERS_COMMITTEE = "owners_committee", _("Owners' committee")
    PROPERTY_MANAGER = "property_manager", _("Property manager")
    RESIDENTS = "residents", _("Residents' representative")
    ALLIANCE_UNIT = "alliance_unit", _("Co-building unit")
    LAWYER = "lawyer", _("Lawyer")
    POLICE = "police", _("Police")
    OTHER = "other", _("Other")


class CompositionRule(models.TextChoices):
    NONE = "none", _("No fixed composition")
    THREE_PLUS_X = "3+x", _("3+X: party organisation, owners' committee, property manager and others")


def _near(user, action: str) -> Q | None:
    """What is offered to residents where they belong: councils and public topics of their community."""
    if action != "view":
        return None
    communities = belonging_paths(user, NodeKind.COMMUNITY)
    return subtree_in("node", communities) if communities else None


class Council(models.Model):
    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=60)
    series = models.CharField(_("meeting series"), max_length=30, blank=True)  # e.g. 月月谈 (monthly)
    rule = models.CharField(
        _("composition"), max_length=8, choices=CompositionRule.choices, default=CompositionRule.NONE
    )
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    secretary = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    notice_days = models.PositiveSmallIntegerField(_("notice (days ahead)"), default=3)
    publish_days = models.PositiveSmallIntegerField(_("public notice of minutes (days)"), default=7)
    objection_days = models.PositiveSmallIntegerField(_("objection window (days)"), default=5)
    support_needed = models.PositiveSmallIntegerField(_("households to support a proposal"), default=10)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        actions={"view": ALL_ROLES, "manage": CASEWORK_ROLES, "count": OVERSIGHT_ROLES},
        owner_rule=_near,
    )

    class Meta:
        ordering = ["node__path", "name"]

    def __str__(self) -> str:
        return self.name


class CouncilMember(models.Model):
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=40)
    seat = models.CharField(_("seat"), max_length=20, choices=Seat.choices)
    unit = models.CharField(_("organisation"), max_length=60, blank=True)

    class Meta:
        ordering = ["seat", "id"]
        constraints = [
            models.UniqueConstraint(fields=["council", "user"], name="council_member_once"),
        ]

    def __str__(self) -> str:
        return self.name


class TopicSource(models.TextChoices):
    APPEAL = "appeal", _("An appeal")
    PROPOSAL = "proposal", _("A resident's proposal")
    MEMBER = "member", _("A council member")
    COUNCIL = "council", _("Another council")


class TopicStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")
    SCHEDULED = "scheduled", _("On an agenda")
    DELIBERATED = "deliberated", _("Deliberated")
    DECIDED = "decided", _("Decided")
    IN_PROGRESS = "in_progress", _("Being carried out")
    DONE = "done", _("Done")
    DECLINED = "declined", _("Declined")


PUBLIC_TOPIC = [s for s in TopicStatus if s != TopicStatus.PROPOSED] + [TopicStatus.PROPOSED]


class Topic(models.Model):
    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")  # the council's node
    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="topics")
    title = models.CharField(_("topic"), max_length=80)
    body = models.TextField(_("details"), max_length=2000, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=TopicSource.choices)
    appeal = models.ForeignKey(
        "appeals.Appeal", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proposer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=TopicStatus.choices, default=TopicStatus.PROPOSED)
    version = models.PositiveIntegerField(default=0)
    support_needed = models.PositiveSmallIntegerField(default=0)
    support_count = models.PositiveIntegerField(default=0)
    meeting = models.ForeignKey(
        "deliberation.Meeting", on_delete=models.SET_NULL, null=True, blank=True, related_name="agenda"
    )
    decision = models.TextField(_("decision"), max_length=2000, blank=True)
    decline_reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        actions={"view": ALL_ROLES, "manage": CASEWORK_ROLES, "count": OVERSIGHT_ROLES},
        owner_rule=_near,
    )

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["node", "status", "id"], name="topic_by_place"),
            models.Index(fields=["node", "id"], name="topic_by_node"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["appeal"], condition=Q(appeal__isnull=False), name="topic_one_per_appeal"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class TopicEvent(AppendOnlyModel):
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    action = models.CharField(max_length=16)
    from_status = models.CharField(max_length=12)
    to_status = models.CharField(max_length=12)
    note = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.topic_id}: {self.action}"


class TopicSupport(models.Model):
    """A resident's support for a proposal, one per household (the register's place and room)."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    household = models.CharField(max_length=40)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["topic", "household"], name="support_once_per_household"),
        ]

    def __str__(self) -> str:
        return f"{self.topic_id}: {self.household}"


class Reaction(models.TextChoices):
    AGREE = "agree", _("Agree")
    CONCERN = "concern", _("Concerned")
    IDEA = "idea", _("Have an idea")


class TopicComment(models.Model):
    """Online consultation before a meeting: one voice per person (a second replaces the first)."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="comments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reaction = models.CharField(max_length=8, choices=Reaction.choices)
    body = models.CharField(_("comment"), max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]
        constraints = [models.UniqueConstraint(fields=["topic", "user"], name="one_voice_per_person")]

    def __str__(self) -> str:
        return self.body or self.reaction


class TopicRating(models.Model):
    """群众评议: a resident's verdict on a topic carried out (1–5)."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="ratings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField()
    comment = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["topic", "user"], name="rate_topic_once"),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="topic_score_1_5"),
        ]

    def __str__(self) -> str:
        return f"{self.topic_id}: {self.score}"


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    OPEN = "open", _("In session")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class MinutesStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved by the chair")
    PUBLISHED = "published", _("On public notice")


class Meeting(models.Model):
    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")
    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="meetings")
    title = models.CharField(_("title"), max_length=80)
    starts_at = models.DateTimeField(_("starts at"))
    place = models.CharField(_("place"), max_length=80)
    venue_booking_id = models.PositiveBigIntegerField(null=True, blank=True)  # seam for the venues module
    quorum_percent = models.PositiveSmallIntegerField(
        _("quorum (per cent of members present, more than)"), default=50
    )
    status = models.CharField(max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED)
    cancel_reason = models.CharField(_("reason"), max_length=300, blank=True)
    notes = models.TextField(_("speaking notes"), max_length=10000, blank=True)
    minutes_status = models.CharField(
        max_length=10, choices=MinutesStatus.choices, default=MinutesStatus.DRAFT
    )
    minutes_approved_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    notice_until = models.DateTimeField(null=True, blank=True)
    objection_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        actions={"view": ALL_ROLES, "manage": CASEWORK_ROLES, "count": OVERSIGHT_ROLES},
        owner_rule=_near,
    )

    class Meta:
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return self.title


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(CouncilMember, on_delete=models.PROTECT, related_name="+")
    by_secretary = models.BooleanField(default=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="attend_once")]

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.member_id}"


class MinutesObjection(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="objections")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.CharField(_("objection"), max_length=500)
    at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.body


class OwnedUnit(models.Model):
    """The register's owned units (专有部分) of a compound with their floor area, for owners' votes."""

    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")  # the compound
    number = models.CharField(_("unit"), max_length=30)
    area = models.DecimalField(_("floor area (m²)"), max_digits=9, decimal_places=2)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    owner_name = models.CharField(_("owner"), max_length=60)
    owner_key = models.CharField(max_length=40)  # one head per owner, however many units

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        actions={"view": CASEWORK_ROLES, "count": OVERSIGHT_ROLES},
        owner_rule=lambda user, action: Q(owner_id=user.pk) if action == "view" else None,
    )

    class Meta:
        ordering = ["node", "number"]
        constraints = [
            models.UniqueConstraint(fields=["node", "number"], name="owned_unit_number"),
            models.CheckConstraint(condition=Q(area__gt=0), name="owned_unit_area_positive"),
        ]

    def __str__(self) -> str:
        return self.number


class VoteKind(models.TextChoices):
    YES_NO = "yes_no", _("Agree / disagree / abstain")
    SINGLE = "single", _("Single choice")
    RANKED = "ranked", _("Ranked choice")
    OWNERS = "owners", _("Owners' vote (Civil Code art. 278)")


class Threshold(models.TextChoices):
    CAST = "cast", _("More than half of the votes cast")
    PRESENT = "present", _("More than half of the members present")
    ALL = "all", _("More than half of all members")
    TWO_THIRDS = "two_thirds", _("Two thirds of the votes cast")


class VoteStatus(models.TextChoices):
    OPEN = "open", _("Being voted on")
    CLOSED = "closed", _("Closed")


class Vote(models.Model):
    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="votes")
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="votes"
    )
    compound = models.ForeignKey(  # owners' votes: whose register of units
        "orgs.Node", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=8, choices=VoteKind.choices)
    question = models.CharField(_("question"), max_length=120)
    options = models.JSONField(default=list)  # single and ranked choice
    secret = models.BooleanField(_("secret ballot"), default=False)
    threshold = models.CharField(max_length=12, choices=Threshold.choices, default=Threshold.CAST)
    major = models.BooleanField(_("major matter (¾)"), default=False)  # owners' votes, art. 278 para. 2
    hide_until_closed = models.BooleanField(default=True)
    status = models.CharField(max_length=8, choices=VoteStatus.choices, default=VoteStatus.OPEN)
    result = models.JSONField(default=dict, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    closes_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        actions={"view": ALL_ROLES, "manage": CASEWORK_ROLES, "count": OVERSIGHT_ROLES},
        owner_rule=_near,
    )

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.question


class BallotChannel(models.TextChoices):
    ONLINE = "online", _("Online")
    PAPER = "paper", _("On paper, entered by staff")
    PROXY = "proxy", _("By proxy")


class Ballot(models.Model):
    """One counted voice: per member (council votes) or per owned unit (owners' votes). A second ballot of
    the same voter or unit replaces the first until the vote closes."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="ballots")
    voter = models.ForeignKey(  # council votes
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unit = models.ForeignKey(OwnedUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    choice = models.JSONField()  # "agree"|"disagree"|"abstain", an option index, or a ranking of indices
    channel = models.CharField(max_length=8, choices=BallotChannel.choices, default=BallotChannel.ONLINE)
    proxy_name = models.CharField(max_length=40, blank=True)
    cast_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cast_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["vote", "voter"], name="ballot_once_per_voter"),
            models.UniqueConstraint(fields=["vote", "unit"], name="ballot_once_per_unit"),
            models.CheckConstraint(
                condition=Q(voter__isnull=False) ^ Q(unit__isnull=False), name="ballot_voter_or_unit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vote_id}: {self.choice}"


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Not yet done")
    DONE = "done", _("Done")


class OwnerKind(models.TextChoices):
    PARTY = "party", _("Party organisation")
    UNIT = "unit", _("Unit")
    TEAM = "team", _("Team")
    PERSON = "person", _("Person")


class ActionItem(models.Model):
    """Work a decision creates: who carries it out, by when, how far it is, with evidence."""

    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="actions")
    title = models.CharField(_("action"), max_length=100)
    owner_kind = models.CharField(max_length=8, choices=OwnerKind.choices, default=OwnerKind.UNIT)
    owner_name = models.CharField(_("carried out by"), max_length=60)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due = models.DateField(_("due"))
    progress = models.PositiveSmallIntegerField(default=0)
    progress_note = models.CharField(max_length=300, blank=True)
    evidence = models.FileField(upload_to="deliberation/evidence/%Y/%m", blank=True)
    status = models.CharField(max_length=6, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    done_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        actions={"view": ALL_ROLES, "manage": CASEWORK_ROLES, "count": OVERSIGHT_ROLES},
        owner_rule=_near,
    )

    class Meta:
        ordering = ["due", "id"]
        constraints = [models.CheckConstraint(condition=Q(progress__lte=100), name="action_progress_100")]

    def __str__(self) -> str:
        return self.title


class Attachment(models.Model):
    """A document (PDF) or photo attached to a topic or to a meeting's minutes; read by those who may read the
    topic or the minutes (through them, never on its own)."""

    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    title = models.CharField(_("title"), max_length=80)
    file = models.FileField(upload_to="deliberation/attachments/%Y/%m")
    kind = models.CharField(max_length=4)  # pdf, jpg, png, webp (core.documents)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(topic__isnull=False, meeting__isnull=True)
                | Q(topic__isnull=True, meeting__isnull=False),
                name="attachment_of_one",
            )
        ]

    def __str__(self) -> str:
        return self.title


from gongzhi.deliberation.mediation_models import (  # noqa: E402,F401 - the models of one app
    CaseEvent,
    CaseFollowUp,
    CaseKind,
    CaseMediator,
    CaseOutcome,
    CaseParty,
    CaseSession,
    CaseSource,
    CaseStatus,
    MediationCase,
)
