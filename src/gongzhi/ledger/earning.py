"""Earning points: per confirmed hour of service × the role's multiplier (a rule per subdistrict), and
manual awards that one member of staff proposes and another approves."""

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.ledger.models import (
    DEFAULT_MULTIPLIERS,
    AccountKind,
    AwardStatus,
    EarningPolicy,
    PointsAward,
    PointsTransaction,
)
from gongzhi.ledger.rules import decides_awards_in, proposes_awards_in, sets_earning_rule
from gongzhi.ledger.services import LedgerError, account_for, points_post
from gongzhi.orgs.models import Node


def earning_policy(subdistrict: Node) -> EarningPolicy:
    """The subdistrict's rule, or the default one (10 points an hour) when it has set none."""
    # unscoped: the subdistrict's rule, read to compute points
    policy = EarningPolicy.objects.filter(subdistrict=subdistrict).first()
    return policy or EarningPolicy(subdistrict=subdistrict)


def may_set_earning_policy(user: User, subdistrict: Node) -> bool:
    """The rule is the subdistrict's: its administrator (or someone above) sets it."""
    return sets_earning_rule.test(user, subdistrict)


def earning_policy_set(
    *,
    actor: User,
    subdistrict: Node,
    points_per_hour: int,
    multipliers: dict[str, float],
    max_award: int = 500,
) -> EarningPolicy:
    """Set the subdistrict's rule (its administrator). Hours confirmed earlier keep the points they earned."""
    if not may_set_earning_policy(actor, subdistrict):
        raise LedgerError.forbidden(_("You cannot set the earning rule here."))
    if not isinstance(points_per_hour, int) or not 0 <= points_per_hour <= 1000:
        raise LedgerError.invalid(_("Points per hour are a whole number from 0 to 1000."))
    unknown = set(multipliers) - set(DEFAULT_MULTIPLIERS)
    if unknown or any(not isinstance(v, int | float) or not 0 <= v <= 10 for v in multipliers.values()):
        raise LedgerError.invalid(_("Multipliers are numbers from 0 to 10."))
    if not isinstance(max_award, int) or isinstance(max_award, bool) or not 1 <= max_award <= 100_000:
        raise LedgerError.invalid(_("The largest award is a whole number from 1 to 100,000 points."))
    # unscoped: the actor's right to set the rule is checked above
    policy, _created = EarningPolicy.objects.update_or_create(
        subdistrict=subdistrict,
        defaults={
            "points_per_hour": points_per_hour,
            "multipliers": {**DEFAULT_MULTIPLIERS, **{k: float(v) for k, v in multipliers.items()}},
            "max_award": max_award,
        },
    )
    return policy


def points_for_hours(*, policy: EarningPolicy, hours: Decimal, role: str, per_hour: int | None = None) -> int:
    rate = per_hour if per_hour is not None else policy.points_per_hour
    multiplier = Decimal(str(policy.multipliers.get(role, DEFAULT_MULTIPLIERS.get(role, 1.0))))
    return int((hours * rate * multiplier).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def service_points_post(
    *,
    key: str,
    subdistrict: Node,
    user: User,
    points: int,
    actor: User,
    memo: str,
    kind: str = "earn",
    occurred_at: datetime | None = None,
) -> PointsTransaction | None:
    """Pay points for confirmed service from the subdistrict's issuance account (idempotent by ``key``);
    ``occurred_at``: when the service was given, if not now."""
    if points <= 0:
        return None
    issuance = account_for(kind=AccountKind.ISSUANCE, subdistrict=subdistrict)
    person = account_for(kind=AccountKind.PERSON, subdistrict=subdistrict, user=user)
    record, _created = points_post(
        key=key,
        kind=kind,
        postings=[(issuance, -points), (person, points)],
        actor=actor,
        memo=memo,
        occurred_at=occurred_at,
    )
    return record


def award_propose(
    *, actor: User, subdistrict: Node, recipient: User, amount: int, reason: str, node: Node | None = None
) -> PointsAward:
    """Any caseworker of the subdistrict proposes; a community secretary or subdistrict administrator other
    than the proposer approves."""
    if not proposes_awards_in.test(actor, subdistrict):
        raise LedgerError.forbidden(_("You cannot award points here."))
    policy = earning_policy(subdistrict)
    if not isinstance(amount, int) or isinstance(amount, bool) or not 0 < amount <= policy.max_award:
        raise LedgerError.invalid(
            _("An award is a whole number of points from 1 to %(max)d.") % {"max": policy.max_award},
        )
    reason = (reason or "").strip()
    if not reason:
        raise LedgerError.invalid(_("Say what the award is for."))
    node = node or subdistrict  # where it was proposed: the staff there (and above) see and decide it
    if not node.path.startswith(subdistrict.path):
        raise LedgerError.invalid(_("Propose the award where the person lives or serves."))
    return PointsAward.objects.create(
        subdistrict=subdistrict,
        node=node,
        recipient=recipient,
        amount=amount,
        reason=reason[:200],
        proposed_by=actor,
    )


def may_decide_award(user: User, award: PointsAward) -> bool:
    """Whether ``user`` may approve or reject ``award``: a manager there who did not propose it."""
    return user.pk != award.proposed_by_id and decides_awards_in.test(user, award.subdistrict)


def award_decide(*, actor: User, award: PointsAward, approve: bool) -> PointsAward:
    """Approve (the points move) or reject a proposed award. The proposer cannot decide their own."""
    if not decides_awards_in.test(actor, award.subdistrict):
        raise LedgerError.forbidden(_("You cannot decide awards here."))
    if actor.pk == award.proposed_by_id:
        raise LedgerError.forbidden(_("Another member of staff must approve an award you proposed."))
    target = AwardStatus.APPROVED if approve else AwardStatus.REJECTED
    now = timezone.now()
    with transaction.atomic():
        # unscoped: compare-and-set on an award fetched in scope
        if not PointsAward.objects.filter(pk=award.pk, status=AwardStatus.PENDING).update(
            status=target, decided_by=actor, decided_at=now
        ):
            raise LedgerError.wrong_state(_("This award was already decided."))
        if approve:
            service_points_post(
                key=f"award:{award.pk}",
                subdistrict=award.subdistrict,
                user=award.recipient,
                points=award.amount,
                actor=actor,
                memo=award.reason,
                kind="award",
            )
    award.status, award.decided_by, award.decided_at = target, actor, now
    return award
