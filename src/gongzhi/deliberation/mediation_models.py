"""Mediation cases (矛盾调解): confidential to their mediators, the community committee's head and the parties."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import EncryptedPhoneMixin
from gongzhi.core.models import AppendOnlyModel
from gongzhi.core.roles import OVERSIGHT_ROLES, Role
from gongzhi.core.scoping import ScopedQuerySet, ScopePolicy


class CaseKind(models.TextChoices):
    NEIGHBOURS = "neighbours", _("Neighbours")
    PROPERTY = "property", _("Property management")
    FAMILY = "family", _("Family")
    HOUSING = "housing", _("Housing")
    DAMAGES = "damages", _("Damages")
    LABOUR = "labour", _("Labour")
    OTHER = "other", _("Other")


class CaseSource(models.TextChoices):
    APPEAL = "appeal", _("An appeal")
    WALK_IN = "walk_in", _("Walk-in")
    POLICE = "police", _("Referred by the police")
    COURT = "court", _("Referred by a court")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Being mediated")
    AGREED = "agreed", _("Agreement reached")
    FOLLOW_UP = "follow_up", _("Agreement performed, followed up")
    NO_AGREEMENT = "no_agreement", _("No agreement, referred")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CaseOutcome(models.TextChoices):
    WRITTEN = "written", _("Written agreement")
    ORAL = "oral", _("Oral agreement recorded")
    LITIGATION = "litigation", _("Referred to litigation")
    ARBITRATION = "arbitration", _("Referred to arbitration")
    ADMINISTRATIVE = "administrative", _("Referred to an administrative body")
    WITHDRAWN = "withdrawn", _("Withdrawn")


def _mediators_and_parties(user, action: str) -> Q | None:
    """The case's assigned mediators and its parties with an account see their own case."""
    if action not in ("view",):
        return None
    mediating = CaseMediator.objects.filter(user_id=user.pk).values("case_id")  # unscoped: the user's own
    party = CaseParty.objects.filter(user_id=user.pk).values("case_id")  # unscoped: the user's own
    return Q(pk__in=mediating) | Q(pk__in=party)


class MediationCase(models.Model):
    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=CaseKind.choices)
    source = models.CharField(_("source"), max_length=8, choices=CaseSource.choices)
    appeal = models.ForeignKey(
        "appeals.Appeal", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    title = models.CharField(_("case"), max_length=80)
    facts = models.TextField(_("facts and disputed matters"), max_length=3000)
    claims = models.TextField(_("claims"), max_length=2000, blank=True)
    at_risk = models.BooleanField(_("risk of escalation"), default=False)
    status = models.CharField(max_length=14, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    version = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=14, choices=CaseOutcome.choices, blank=True)
    # The elements of a written agreement (People's Mediation Law art. 29).
    responsibilities = models.TextField(_("each side's responsibilities"), max_length=2000, blank=True)
    terms = models.TextField(_("agreed terms"), max_length=3000, blank=True)
    performance = models.CharField(_("how, where and by when it is performed"), max_length=300, blank=True)
    perform_by = models.DateField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    sealed_by = models.CharField(_("seal"), max_length=60, blank=True)
    referral_note = models.CharField(max_length=300, blank=True)
    performed = models.BooleanField(default=False)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    # Confidential: beyond the mediators and the parties only the community committee's head (the community
    # secretary, who heads the people's mediation committee) opens a case; everyone else counts.
    scope = ScopePolicy(
        node_field="node",
        actions={"view": frozenset({Role.COMMUNITY_SECRETARY}), "count": OVERSIGHT_ROLES},
        owner_rule=_mediators_and_parties,
    )

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["appeal"], condition=Q(appeal__isnull=False), name="case_one_per_appeal"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CaseMediator(models.Model):
    case = models.ForeignKey(MediationCase, on_delete=models.CASCADE, related_name="mediators")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    team = models.CharField(_("team"), max_length=40, blank=True)  # e.g. 小区调解队, 社区律师

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="mediator_once")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.user_id}"


class CaseParty(EncryptedPhoneMixin):
    case = models.ForeignKey(MediationCase, on_delete=models.CASCADE, related_name="parties")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    person_id_ref = models.PositiveBigIntegerField(null=True, blank=True)  # the register's person, if any
    name = models.CharField(_("name"), max_length=40)
    side = models.CharField(max_length=10, default="applicant")  # applicant | respondent
    address = models.CharField(_("address"), max_length=80, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class CaseSession(models.Model):
    case = models.ForeignKey(MediationCase, on_delete=models.CASCADE, related_name="sessions")
    at = models.DateTimeField()
    place = models.CharField(_("place"), max_length=80)
    present = models.CharField(_("who came"), max_length=200)
    notes = models.TextField(_("notes"), max_length=3000, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.at:%Y-%m-%d}"


class CaseFollowUp(models.Model):
    """回访: a visit after the agreement, to see it performed."""

    case = models.ForeignKey(MediationCase, on_delete=models.CASCADE, related_name="follow_ups")
    due = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    performed = models.BooleanField(null=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["due"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.due:%Y-%m-%d}"


class CaseEvent(AppendOnlyModel):
    case = models.ForeignKey(MediationCase, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    action = models.CharField(max_length=16)
    from_status = models.CharField(max_length=14)
    to_status = models.CharField(max_length=14)
    note = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
