"""The state machines of party work, on the shared engine (core/workflow.py).

A branch's rating: self-assessment (the branch's secretary, with evidence) → scoring (a reviewer who is not
of the branch) → recheck (the working committee, not the scorer) → public notice (the round computes every
branch's stars at once, so that quotas hold) → final; the branch may appeal a final result once, and the
committee decides. An expense: entered with its receipt → approved by someone else (never beyond the budget)
or rejected → published on the notice board.
"""

from decimal import Decimal
from typing import Any

from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.accounts.models import User
from gongzhi.core.workflow import Required, Step, Transition, Workflow
from gongzhi.partywork import rules
from gongzhi.partywork.errors import PartyError
from gongzhi.partywork.models import (
    BranchRating,
    Budget,
    Expense,
    ExpenseEvent,
    ExpenseStatus,
    RatingEvent,
    RatingLine,
    RatingStatus,
)
from gongzhi.partywork.stars import Line, item_score, weighted_total

S = RatingStatus
NOTE = Required("note", gettext_lazy("Say why."), "note_required")

RATING_TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition("submit", {S.DRAFT}, S.SUBMITTED, allowed=rules.is_branch_secretary),
        Transition("return", {S.SUBMITTED}, S.DRAFT, allowed=rules.is_reviewer, fields=[NOTE]),
        Transition("score", {S.SUBMITTED}, S.SCORED, allowed=rules.is_reviewer),
        Transition("recheck", {S.SCORED}, S.RECHECKED, allowed=rules.is_rechecker),
        Transition("send_back", {S.SCORED}, S.SUBMITTED, allowed=rules.is_rechecker, fields=[NOTE]),
        Transition("notice", {S.RECHECKED}, S.NOTICE, allowed=rules.is_committee),
        Transition("finalise", {S.NOTICE}, S.FINAL, allowed=rules.is_committee),
        Transition(
            "appeal",
            {S.FINAL},
            S.APPEALED,
            allowed=rules.is_branch_secretary & rules.may_appeal,
            fields=[Required("note", gettext_lazy("Say why the branch appeals."), "note_required")],
        ),
        Transition("decide", {S.APPEALED}, S.FINAL, allowed=rules.is_rechecker, fields=[NOTE]),
    ]
}


def _decimal(value: Any, field: str, *, low: Decimal, high: Decimal) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except ArithmeticError:
        raise PartyError.invalid(_("Give a number."), field=field) from None
    if not number.is_finite() or number < low or number > high or number != number.quantize(Decimal("0.01")):
        raise PartyError.invalid(
            _("Give a number from %(low)s to %(high)s with at most two decimals.")
            % {"low": low, "high": high},
            field=field,
        )
    return number


class RatingWorkflow(Workflow):
    model = BranchRating
    event_model = RatingEvent
    event_fk = "rating"
    error = PartyError
    transitions = RATING_TRANSITIONS.values()
    note_length = 500
    actor_first = True
    audit = True
    conflict_message = gettext_lazy("Someone else changed this rating just now; look again.")
    wrong_state_message = gettext_lazy("This rating is not at a step that allows this.")

    def prepare_submit(self, step: Step) -> None:
        lines = list(step.obj.lines.select_related("item"))
        missing = [line.item.name for line in lines if line.self_points is None]
        if missing:
            raise PartyError.invalid(
                _("Give the branch's own points for every item: %(items)s")
                % {"items": "、".join(missing[:5])},
                field="self_points",
            )

    def prepare_score(self, step: Step) -> None:
        """``points``: {line id: points}; ``peer_score``: 0–100 when the scheme weighs peer review."""
        rating: BranchRating = step.obj
        scheme = rating.round.scheme
        given: dict[Any, Any] = step.payload.get("points") or {}
        lines = list(rating.lines.select_related("item"))
        scored: dict[int, Decimal] = {}
        for line in lines:
            raw = given.get(line.pk, given.get(str(line.pk)))
            if raw is None or str(raw).strip() == "":
                raise PartyError.invalid(
                    _("Score every item: %(item)s is missing.") % {"item": line.item.name}, field="points"
                )
            scored[line.pk] = _decimal(raw, "points", low=Decimal(0), high=line.item.max_points)
        peer: Decimal | None = None
        if scheme.peer_weight > 0:
            raw_peer = step.payload.get("peer_score")
            if raw_peer is None or str(raw_peer).strip() == "":
                raise PartyError.invalid(_("Give the peer review score."), field="peer_score")
            peer = _decimal(raw_peer, "peer_score", low=Decimal(0), high=Decimal(100))
        items = item_score([Line(scored[ln.pk], ln.item.max_points, ln.item.deduction) for ln in lines])
        total = weighted_total(items, peer, scheme.item_weight, scheme.peer_weight)
        step.memo["points"] = scored
        step.changes.update(item_score=items, peer_score=peer, total=total, scored_by=step.actor)
        step.detail.update(total=str(total))

    def after_score(self, step: Step) -> None:
        for pk, points in step.memo["points"].items():
            RatingLine.objects.filter(pk=pk).update(points=points)

    def prepare_recheck(self, step: Step) -> None:
        step.changes["rechecked_by"] = step.actor

    def prepare_send_back(self, step: Step) -> None:
        step.changes.update(scored_by=None, item_score=None, peer_score=None, total=None)

    def prepare_notice(self, step: Step) -> None:
        stars, capped_by = step.payload["award"]
        step.changes.update(stars=stars, capped_by=capped_by)
        step.detail.update(stars=stars, capped_by=capped_by)

    def prepare_appeal(self, step: Step) -> None:
        step.changes["appealed"] = True

    def prepare_decide(self, step: Step) -> None:
        raw = step.payload.get("stars")
        if raw is None or str(raw).strip() == "":
            return
        try:
            stars = int(str(raw))
        except ValueError:
            raise PartyError.invalid(_("Give stars from 0 to 5."), field="stars") from None
        if not 0 <= stars <= 5:
            raise PartyError.invalid(_("Give stars from 0 to 5."), field="stars")
        step.changes["stars"] = stars
        step.detail["stars"] = stars


RATING_WORKFLOW = RatingWorkflow()


def rating_transition(
    *, actor: User | None, rating: BranchRating, action: str, **payload: Any
) -> BranchRating:
    result: BranchRating = RATING_WORKFLOW.apply(actor=actor, obj=rating, action=action, **payload)
    return result


# --- expenses -----------------------------------------------------------------------------------------------

E = ExpenseStatus
EXPENSE_TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition("approve", {E.ENTERED}, E.APPROVED, allowed=rules.approves),
        Transition("reject", {E.ENTERED}, E.REJECTED, allowed=rules.approves, fields=[NOTE]),
        Transition("publish", {E.APPROVED}, E.PUBLISHED, allowed=rules.publishes),
    ]
}


class ExpenseWorkflow(Workflow):
    model = Expense
    event_model = ExpenseEvent
    event_fk = "expense"
    error = PartyError
    transitions = EXPENSE_TRANSITIONS.values()
    note_length = 300
    actor_first = True
    audit = True

    def prepare_approve(self, step: Step) -> None:
        step.changes["approved_by"] = step.actor

    def prepare_reject(self, step: Step) -> None:
        step.changes["note"] = step.note[:200]

    def prepare_publish(self, step: Step) -> None:
        step.changes["published_at"] = step.now

    def lock(self, step: Step) -> None:
        if step.action == "approve":
            # unscoped: the budget of an expense fetched in scope, locked before the expense moves
            step.memo["budget"] = Budget.objects.select_for_update().get(pk=step.obj.budget_id)

    def after_approve(self, step: Step) -> None:
        budget: Budget = step.memo["budget"]
        amount = step.obj.amount
        if budget.spent + amount > budget.total:
            raise PartyError.conflict(
                "over_budget",
                _("This would spend %(over)s yuan beyond the budget; an approved increase is needed first.")
                % {"over": budget.spent + amount - budget.total},
            )
        # unscoped: the locked budget row
        Budget.objects.filter(pk=budget.pk).update(spent=F("spent") + amount, version=F("version") + 1)


EXPENSE_WORKFLOW = ExpenseWorkflow()


def expense_transition(*, actor: User, expense: Expense, action: str, note: str = "") -> Expense:
    result: Expense = EXPENSE_WORKFLOW.apply(actor=actor, obj=expense, action=action, note=note)
    return result
