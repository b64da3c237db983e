"""The appeal state machine: the transition table (which action moves an appeal from which states to which,
and who may take it) and the hooks for what an action changes besides the state: deadlines when accepted,
the next tier's handlers when escalated, the reopening of a dissatisfied rating. The engine
(``core.workflow``) does the checks, the compare-and-set, the history and the audit record."""

from typing import Any

from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from gongzhi.accounts.models import User
from gongzhi.appeals import rules
from gongzhi.appeals.contact import SELF_FILED
from gongzhi.appeals.errors import AppealError
from gongzhi.appeals.messages import tell
from gongzhi.appeals.models import (
    OPEN_STATUSES,
    TIER_ORDER,
    Appeal,
    AppealEvent,
    AppealSubscription,
    AppealSupport,
    Category,
    Rating,
    Status,
    Tier,
)
from gongzhi.appeals.routing import ancestor_of_kind, handlers_cached, handling_node_for
from gongzhi.appeals.sla import deadline, sla_policy
from gongzhi.core.roles import CASEWORK_ROLES, Role
from gongzhi.core.scoping import has_role
from gongzhi.core.workflow import Required, Step, Transition, Workflow
from gongzhi.notifications.services import notify
from gongzhi.orgs.models import GovernanceTeam, GovernanceTeamMember, NodeKind, OrgUnit

S = Status
REPLY_LENGTH = Appeal._meta.get_field("reply").max_length or 5000
TRANSFERRED_TO_LENGTH = Appeal._meta.get_field("transferred_to").max_length or 120
RATING_COMMENT_LENGTH = Appeal._meta.get_field("rating_comment").max_length or 500
ACTIVE = frozenset({S.SUBMITTED, S.ACCEPTED, S.INFO_REQUESTED, S.ASSIGNED})


def needs(name: str, label: Any) -> Required:
    """A field the step cannot do without, named as the page names it (so the error says which one)."""
    return Required(name, label=label)


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition("accept", {S.SUBMITTED}, S.ACCEPTED, allowed=rules.staff),
        Transition(
            "request_info",
            {S.SUBMITTED, S.ACCEPTED, S.ASSIGNED},
            S.INFO_REQUESTED,
            allowed=rules.staff_or_assignee,
            fields=[needs("note", gettext_lazy("Ask the resident"))],
        ),
        # The resident answers; the appeal goes back to where it was (accepted or not yet).
        Transition(
            "provide_info",
            {S.INFO_REQUESTED},
            None,
            allowed=rules.resident,
            fields=[needs("note", gettext_lazy("Your answer"))],
        ),
        Transition("assign", {S.ACCEPTED, S.ASSIGNED}, S.ASSIGNED, allowed=rules.staff),
        # The party it was assigned to says what was done (the compound's staff confirm, or the resident
        # rates), or hands it back with a reason.
        Transition(
            "propose",
            {S.ASSIGNED},
            S.PROPOSED,
            allowed=rules.assignee,
            fields=[needs("reply", gettext_lazy("What was done"))],
        ),
        Transition(
            "hand_back",
            {S.ASSIGNED},
            S.ACCEPTED,
            allowed=rules.assignee,
            fields=[needs("note", gettext_lazy("Why you hand it back"))],
            public=False,  # between the handlers; the resident sees who has it now
        ),
        Transition(
            "send_back",
            {S.PROPOSED},
            S.ASSIGNED,
            allowed=rules.staff,
            fields=[needs("note", gettext_lazy("What is still to do"))],
            public=False,
        ),
        Transition(
            "escalate",
            ACTIVE,
            S.SUBMITTED,
            allowed=rules.system_or_staff,
            fields=[needs("note", gettext_lazy("Why it needs the next level"))],
        ),
        Transition(
            "transfer",
            {S.ACCEPTED, S.ASSIGNED},
            S.TRANSFERRED,
            allowed=rules.staff,
            fields=[needs("transferred_to", gettext_lazy("transferred to"))],
        ),
        Transition(
            "merge",
            ACTIVE,
            S.MERGED,
            allowed=rules.staff,
            fields=[needs("merge_into", gettext_lazy("Duplicate of appeal number"))],
        ),
        Transition(
            "resolve",
            {S.ACCEPTED, S.ASSIGNED, S.PROPOSED, S.TRANSFERRED},
            S.RESOLVED,
            allowed=rules.staff,
            fields=[needs("reply", gettext_lazy("Reply to the resident"))],
        ),
        # A rating closes the appeal, or (dissatisfied, the first time) reopens it.
        Transition(
            "rate",
            {S.RESOLVED, S.PROPOSED},
            None,
            allowed=rules.resident,
            fields=[needs("rating", gettext_lazy("How was it handled?"))],
        ),
        Transition("close", {S.RESOLVED}, S.CLOSED, allowed=rules.system_or_staff),
        # A call to the resident after the work (回访): reached or not, and what they said.
        Transition(
            "follow_up",
            {S.ACCEPTED, S.ASSIGNED, S.PROPOSED, S.RESOLVED, S.CLOSED},
            None,
            allowed=rules.staff,
            fields=[needs("note", gettext_lazy("What the resident said"))],
            public=False,
        ),
        Transition(
            "comment",
            OPEN_STATUSES,
            None,
            allowed=rules.staff_or_assignee,
            fields=[needs("note", gettext_lazy("Internal note (not shown to the resident)"))],
            public=False,
        ),
        # Staff set or confirm the category; confirmed categories train the triage model.
        Transition(
            "categorise",
            OPEN_STATUSES,
            None,
            allowed=rules.staff,
            fields=[needs("category", gettext_lazy("Category"))],
            public=False,
        ),
    ]
}


class AppealWorkflow(Workflow):
    model = Appeal
    event_model = AppealEvent
    event_fk = "appeal"
    error = AppealError
    transitions = TRANSITIONS.values()
    conflict_message = gettext_lazy("Someone else changed this appeal just now. Reload and try again.")
    wrong_state_message = gettext_lazy("This cannot be done in the appeal's current state.")

    def begin(self, step: Step) -> None:
        step.memo["from_tier"] = step.obj.tier

    def forbidden_message(self, step: Step) -> Any:
        if step.actor is None:
            return _("This action needs a person.")
        if step.transition.allowed is rules.resident:
            return _("Only the resident who filed the appeal can do this.")
        if step.transition.allowed is rules.assignee:
            return _("Only the party this appeal is assigned to can do this.")
        return _("This appeal is handled at another level.")

    def event_fields(self, step: Step) -> dict[str, Any]:
        return {
            "from_tier": step.memo["from_tier"],
            "to_tier": step.obj.tier,
            "public": step.transition.public,
            "detail": step.detail,
            "at": step.now,
        }

    def tell(self, step: Step) -> None:
        tell(step.obj, step.action, step.actor)
        missed_by = step.memo.get("missed_by")
        if missed_by is not None:
            # Those who had it hear that it went past its deadline and up a level.
            notify(
                recipients=handlers_cached(missed_by),
                kind="appeal.overdue",
                title=gettext_noop("An appeal passed its deadline and went to the next level"),
                body=step.obj.title,
                link=f"/appeals/{step.obj.pk}/",
                dedupe_key=f"appeal:{step.obj.pk}:overdue:{step.memo['from_tier']}:{step.obj.version}",
            )

    # --- what each action changes besides the state ------------------------------------------------

    def prepare_accept(self, step: Step) -> None:
        appeal = step.obj
        _accept, (limit, unit) = sla_policy(appeal=appeal)
        step.changes.update(accepted_at=step.now, resolve_due=deadline(step.now, limit, unit))
        if appeal.category_id and not appeal.category_auto:
            step.changes["category_confirmed"] = True  # a person chose it and the handler accepted it as is
        if appeal.first_accepted_at is None:
            step.changes["first_accepted_at"] = step.now

    def prepare_provide_info(self, step: Step) -> None:
        appeal = step.obj
        # Back to whoever asked: the party it is assigned to, the handlers, or the intake queue.
        if appeal.assignee_user_id or appeal.assignee_unit_id or appeal.assignee_team_id:
            step.target = S.ASSIGNED
        else:
            step.target = S.ACCEPTED if appeal.accepted_at else S.SUBMITTED

    def prepare_assign(self, step: Step) -> None:
        step.changes.update(_assignee(step.obj, step.payload))
        step.detail = {k: v.pk for k, v in step.changes.items() if v is not None}

    def prepare_escalate(self, step: Step) -> None:
        appeal = step.obj
        position = TIER_ORDER.index(Tier(appeal.tier))
        if position == len(TIER_ORDER) - 1:
            raise AppealError.conflict(
                "top_tier", _("The subdistrict is the last level; this appeal cannot go higher.")
            )
        to_tier = TIER_ORDER[position + 1]
        (limit, unit), _resolve = sla_policy(appeal=appeal, tier=to_tier)
        step.changes.update(
            tier=to_tier,
            handling_node=handling_node_for(appeal.node, to_tier),
            accept_due=deadline(step.now, limit, unit),
            resolve_due=None,
            accepted_at=None,
            assignee_user=None,
            assignee_unit=None,
            assignee_team=None,
        )
        step.detail = {"overdue": bool(step.payload.get("overdue"))}
        if step.detail["overdue"]:
            step.memo["missed_by"] = appeal.handling_node_id  # where it was when its deadline ran out

    def prepare_propose(self, step: Step) -> None:
        reply = self.text(step, "reply", REPLY_LENGTH)
        step.changes.update(proposed_reply=reply, proposed_at=step.now)
        step.note = step.note or reply

    def prepare_hand_back(self, step: Step) -> None:
        step.detail = {"from": _assignee_detail(step.obj)}
        step.changes.update(assignee_user=None, assignee_unit=None, assignee_team=None)

    def prepare_send_back(self, step: Step) -> None:
        step.changes.update(proposed_at=None)

    def prepare_follow_up(self, step: Step) -> None:
        step.detail = {"reached": str(step.payload.get("reached", "")).lower() in ("1", "true", "yes", "on")}

    def prepare_transfer(self, step: Step) -> None:
        step.changes["transferred_to"] = self.text(step, "transferred_to", TRANSFERRED_TO_LENGTH)
        category = step.obj.category
        if category is not None:
            # Beyond the subdistrict the appeal travels under the hotline's category.
            step.detail = {"hotline_category": category.hotline_path}

    def prepare_merge(self, step: Step) -> None:
        appeal, into, actor = step.obj, step.payload["merge_into"], step.actor
        if not isinstance(into, Appeal):
            raise AppealError.invalid(_("Choose the appeal to merge into."), field="merge_into")
        if into.pk == appeal.pk or not into.is_open:
            raise AppealError.invalid(_("Merge into another appeal that is still open."), field="merge_into")
        if ancestor_of_kind(into.node, NodeKind.SUBDISTRICT) != ancestor_of_kind(
            appeal.node, NodeKind.SUBDISTRICT
        ):
            raise AppealError.invalid(
                _("Only appeals of the same subdistrict can be merged."), field="merge_into"
            )
        if actor is not None and not Appeal.objects.visible_to(actor, "handle").filter(pk=into.pk).exists():
            raise AppealError.invalid(_("Merge into another appeal that is still open."), field="merge_into")
        step.changes.update(merged_into=into, closed_at=step.now)
        step.detail = {"merged_into": into.pk}

    def prepare_resolve(self, step: Step) -> None:
        reply = self.text(step, "reply", REPLY_LENGTH)
        step.changes.update(reply=reply, resolved_at=step.now, resolved_tier=step.obj.tier)
        step.note = step.note or reply

    def after_merge(self, step: Step) -> None:
        # The filer of the duplicate hears how the appeal it joined goes, and adds their weight to it.
        appeal, into = step.obj, step.payload["merge_into"]
        filer = appeal.resident.user if appeal.resident_id and appeal.resident.user_id else None
        if filer is None and appeal.channel in SELF_FILED:
            filer = appeal.submitted_by
        if filer is None or filer.pk in (
            into.submitted_by_id,
            into.resident.user_id if into.resident_id else None,
        ):
            return
        AppealSubscription.objects.get_or_create(appeal=into, user=filer)
        _support, created = AppealSupport.objects.get_or_create(appeal=into, user=filer)
        if created:
            # unscoped: the count of the appeal merged into (checked in scope by prepare_merge)
            Appeal.objects.filter(pk=into.pk).update(support_up=F("support_up") + 1)

    def prepare_rate(self, step: Step) -> None:
        appeal, rating = step.obj, step.payload["rating"]
        if rating not in (Rating.SATISFIED, Rating.BASICALLY_SATISFIED, Rating.DISSATISFIED):
            raise AppealError.invalid(
                _("Choose satisfied, basically satisfied or dissatisfied."), field="rating"
            )
        if appeal.resolved_at and step.now > appeal.resolved_at + rules.rating_window():
            raise AppealError("rating_closed", _("The time to rate this appeal has passed."))
        comment = self.text(step, "comment", RATING_COMMENT_LENGTH)
        step.detail = {"rating": rating, "comment": comment}
        if appeal.status == S.PROPOSED:
            # The resident answers the party's "done" before the compound's staff confirm it.
            if rating == Rating.DISSATISFIED:
                step.target = S.ASSIGNED
                step.changes.update(proposed_at=None)
                step.detail["proposal_refused"] = True
            else:
                step.target = S.CLOSED
                step.changes.update(
                    reply=appeal.reply or appeal.proposed_reply,
                    resolved_at=step.now,
                    resolved_tier=appeal.tier,
                    rating=rating,
                    rating_comment=comment,
                    rated_at=step.now,
                    closed_at=step.now,
                )
            step.note = step.note or comment
            return
        if rating == Rating.DISSATISFIED and appeal.reopened_count == 0:
            # Dissatisfied reopens once, at the same tier; staff may escalate from there.
            _accept, (limit, unit) = sla_policy(appeal=appeal)
            step.target = S.ACCEPTED
            step.changes.update(
                reopened_count=1,
                resolve_due=deadline(step.now, limit, unit),
                resolved_at=None,
                resolved_tier="",
            )
            step.detail["reopened"] = True
        else:
            step.target = S.CLOSED
            step.changes.update(rating=rating, rating_comment=comment, rated_at=step.now, closed_at=step.now)
        step.note = step.note or comment

    def prepare_categorise(self, step: Step) -> None:
        appeal, category = step.obj, step.payload["category"]
        if not isinstance(category, Category):
            raise AppealError.invalid(_("Unknown category."), field="category")
        step.changes.update(category=category, category_confirmed=True, category_auto=False)
        step.detail = {
            "from": appeal.category_id,
            "to": category.pk,
            "suggested": appeal.suggested_category_id,
            "confidence": appeal.suggestion_confidence,
        }

    def prepare_close(self, step: Step) -> None:
        appeal = step.obj
        if appeal.resolved_at and step.now <= appeal.resolved_at + rules.rating_window():
            raise AppealError.conflict("rating_open", _("The resident can still rate this appeal."))
        if step.actor is not None and not appeal.events.filter(action="follow_up").exists():
            # Staff close an unrated appeal only after calling the resident (回访).
            raise AppealError.conflict(
                "follow_up_first", _("Call the resident and record the follow-up call before closing.")
            )
        step.changes.update(rating=Rating.NOT_RATED, closed_at=step.now)


def _assignee_detail(appeal: Appeal) -> dict[str, Any]:
    return {
        "user": appeal.assignee_user_id,
        "unit": appeal.assignee_unit_id,
        "team": appeal.assignee_team_id,
    }


def _assignee(appeal: Appeal, payload: dict[str, Any]) -> dict[str, Any]:
    user, unit, team = (
        payload.get("assignee_user"),
        payload.get("assignee_unit"),
        payload.get("assignee_team"),
    )
    if sum(x is not None for x in (user, unit, team)) != 1:
        raise AppealError.invalid(
            _("Assign to one person, one of the compound's parties or one team."), field="assignee"
        )
    compound = handling_node_for(appeal.node, Tier.COMPOUND)
    if unit is not None and (not isinstance(unit, OrgUnit) or unit.node_id != compound.pk):
        raise AppealError.invalid(
            _("Choose the property manager or owners' committee of this compound."), field="assignee"
        )
    if team is not None and (not isinstance(team, GovernanceTeam) or team.node_id != compound.pk):
        raise AppealError.invalid(_("Choose a team of this compound."), field="assignee")
    if user is not None:
        roles = CASEWORK_ROLES | {Role.PROPERTY_MANAGER, Role.OWNERS_COMMITTEE}
        on_team = (
            isinstance(user, User)
            # unscoped: whether the person is on the roll of one of this compound's governance teams
            and GovernanceTeamMember.objects.filter(team__node=compound, person__user_id=user.pk).exists()
        )
        if not isinstance(user, User) or not (has_role(user, roles, at_path=appeal.node.path) or on_team):
            raise AppealError.invalid(_("This person does not work on this compound."), field="assignee")
    return {"assignee_user": user, "assignee_unit": unit, "assignee_team": team}


APPEAL_WORKFLOW = AppealWorkflow()


def appeal_transition(*, actor: User | None, appeal: Appeal, action: str, **payload: Any) -> Appeal:
    """Apply ``action`` to ``appeal`` (the table above; checks, compare-and-set, history, messages)."""
    result: Appeal = APPEAL_WORKFLOW.apply(actor=actor, obj=appeal, action=action, **payload)
    return result


def appeal_actions(*, user: User, appeal: Appeal) -> list[str]:
    """The actions ``user`` may take on ``appeal`` now (the buttons on its page)."""
    return APPEAL_WORKFLOW.available(user, appeal)
