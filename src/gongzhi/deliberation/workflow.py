"""The state machines of topics (proposed → accepted → on an agenda → deliberated → decided → being carried
out → done; or declined with a public reason; or moved up to a higher council with a reason) and of
mediation cases (being mediated → agreement, no agreement and referral, or withdrawn → followed up)."""

from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.accounts.models import User
from gongzhi.core.workflow import Required, Step, Transition, Workflow
from gongzhi.deliberation import rules
from gongzhi.deliberation.errors import DeliberationError, MediationError
from gongzhi.deliberation.models import (
    CaseEvent,
    CaseOutcome,
    CaseStatus,
    Council,
    MediationCase,
    Meeting,
    Topic,
    TopicEvent,
    TopicStatus,
)
from gongzhi.notifications.services import notify

S = TopicStatus

TOPIC_TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition("accept", {S.PROPOSED}, S.ACCEPTED, allowed=rules.runs_topic),
        Transition(
            "decline",
            {S.PROPOSED, S.ACCEPTED},
            S.DECLINED,
            allowed=rules.runs_topic,
            fields=[Required("note", gettext_lazy("Give the public reason for declining."), "note_required")],
        ),
        Transition(
            "escalate",
            {S.PROPOSED, S.ACCEPTED},
            S.PROPOSED,
            allowed=rules.runs_topic,
            fields=[
                Required("note", gettext_lazy("Say why the topic needs a higher council."), "note_required"),
                Required("council", gettext_lazy("Choose the higher council."), "council_required"),
            ],
        ),
        Transition(
            "schedule",
            {S.ACCEPTED, S.DELIBERATED},  # a topic deliberated without a decision goes to the next meeting
            S.SCHEDULED,
            allowed=rules.runs_topic,
            fields=[Required("meeting", gettext_lazy("Choose the meeting."), "meeting_required")],
        ),
        # The meeting it was on is cancelled: back to the accepted topics, for another meeting.
        Transition("unschedule", {S.SCHEDULED}, S.ACCEPTED, allowed=rules.runs_topic),
        Transition("deliberate", {S.SCHEDULED}, S.DELIBERATED, allowed=rules.runs_topic),
        Transition(
            "decide",
            {S.SCHEDULED, S.DELIBERATED},
            S.DECIDED,
            allowed=rules.runs_topic,
            fields=[Required("decision", gettext_lazy("Write down the decision."), "decision_required")],
        ),
        Transition("start", {S.DECIDED}, S.IN_PROGRESS, allowed=rules.runs_topic),
        Transition("finish", {S.IN_PROGRESS}, S.DONE, allowed=rules.runs_topic),
    ]
}

_TOPIC_TELL = {
    "accept": gettext_lazy("Your topic was accepted by the council: %(t)s"),
    "decline": gettext_lazy("Your topic was declined: %(t)s"),
    "decide": gettext_lazy("The council decided on your topic: %(t)s"),
    "finish": gettext_lazy("The decision on your topic has been carried out: %(t)s"),
}


def topic_people(topic: Topic) -> list[User]:
    """Who a topic is about: its proposer and, for a topic from an appeal, the appeal's filers."""
    people: list[User | None] = [topic.proposer]
    appeal = topic.appeal
    if appeal is not None:
        people.append(appeal.submitted_by)
        if appeal.resident is not None:
            people.append(appeal.resident.user)
    return [p for p in people if p is not None]


class TopicWorkflow(Workflow):
    model = Topic
    event_model = TopicEvent
    event_fk = "topic"
    error = DeliberationError
    transitions = TOPIC_TRANSITIONS.values()
    note_length = 300
    actor_first = True
    wrong_state_message = gettext_lazy("This topic is no longer in a state that allows this.")

    def prepare_accept(self, step: Step) -> None:
        topic = step.obj
        if topic.source == "proposal" and topic.support_count < topic.support_needed:
            raise DeliberationError.conflict(
                "support_needed",
                _("The proposal has the support of %(n)s households; it needs %(m)s.")
                % {"n": topic.support_count, "m": topic.support_needed},
            )

    def prepare_decline(self, step: Step) -> None:
        step.changes["decline_reason"] = step.note

    def prepare_escalate(self, step: Step) -> None:
        council: Council = step.payload["council"]
        here = step.obj.council.node
        if council.pk == step.obj.council_id or not here.path.startswith(council.node.path):
            raise DeliberationError.invalid(
                _("A topic moves up to a council of a higher level over the same place."), field="council"
            )
        step.changes.update(council=council, node=council.node)
        step.detail["to_council"] = council.pk

    def prepare_schedule(self, step: Step) -> None:
        meeting: Meeting = step.payload["meeting"]
        if meeting.council_id != step.obj.council_id or meeting.status in ("closed", "cancelled"):
            raise DeliberationError.invalid(
                _("Put the topic on an open meeting of its own council."), field="meeting"
            )
        step.changes["meeting"] = meeting

    def prepare_unschedule(self, step: Step) -> None:
        step.changes["meeting"] = None

    def prepare_decide(self, step: Step) -> None:
        decision = str(step.payload["decision"]).strip()
        if len(decision) > 2000:
            raise DeliberationError.invalid(_("A decision is at most 2000 characters."), field="decision")
        step.changes.update(decision=decision, decided_at=step.now)

    def prepare_finish(self, step: Step) -> None:
        step.changes["done_at"] = step.now

    def tell(self, step: Step) -> None:
        title = _TOPIC_TELL.get(step.action)
        if title is None:
            return
        topic = step.obj
        with translation.override(settings.LANGUAGE_CODE):
            text = str(title) % {"t": topic.title}
        body = topic.decision if step.action in ("decide", "finish") else step.note
        notify(
            recipients=topic_people(topic),
            kind=f"topic_{step.action}",
            title=text,
            body=body,
            link=f"/deliberation/topics/{topic.pk}/",
        )


TOPIC_WORKFLOW = TopicWorkflow()


def topic_transition(*, actor: User | None, topic: Topic, action: str, **payload: Any) -> Topic:
    result: Topic = TOPIC_WORKFLOW.apply(actor=actor, obj=topic, action=action, **payload)
    return result


C = CaseStatus
REFERRALS = {CaseOutcome.LITIGATION, CaseOutcome.ARBITRATION, CaseOutcome.ADMINISTRATIVE}

CASE_TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition(
            "agree",
            {C.OPEN},
            C.AGREED,
            allowed=rules.mediates,
            fields=[Required("terms", gettext_lazy("Write down the agreed terms."), "terms_required")],
        ),
        Transition(
            "refer",
            {C.OPEN},
            C.NO_AGREEMENT,
            allowed=rules.mediates,
            fields=[
                Required("outcome", gettext_lazy("Say where the parties are referred."), "outcome_required")
            ],
        ),
        Transition("withdraw", {C.OPEN}, C.WITHDRAWN, allowed=rules.mediates),
        Transition("performed", {C.AGREED}, C.FOLLOW_UP, allowed=rules.mediates),
    ]
}


class CaseWorkflow(Workflow):
    model = MediationCase
    event_model = CaseEvent
    event_fk = "case"
    error = MediationError
    transitions = CASE_TRANSITIONS.values()
    note_length = 300
    actor_first = True
    audit = True  # cases hold personal matters: every step is in the central audit log too

    def prepare_agree(self, step: Step) -> None:
        p = step.payload
        outcome = p.get("outcome") or CaseOutcome.WRITTEN
        if outcome not in (CaseOutcome.WRITTEN, CaseOutcome.ORAL):
            raise MediationError.invalid(_("An agreement is written or oral."), field="outcome")
        terms = str(p["terms"]).strip()
        responsibilities = str(p.get("responsibilities") or "").strip()
        performance = str(p.get("performance") or "").strip()
        perform_by = p.get("perform_by")
        if len(terms) > 3000 or len(responsibilities) > 2000 or len(performance) > 300:
            raise MediationError.invalid(_("The agreement is too long."), field="terms")
        if outcome == CaseOutcome.WRITTEN and not (responsibilities and performance and perform_by):
            raise MediationError.invalid(
                _(
                    "A written agreement states each side's responsibilities and how, where and by when it is performed."
                ),
                field="performance",
            )
        step.changes.update(
            outcome=outcome,
            terms=terms,
            responsibilities=responsibilities,
            performance=performance,
            perform_by=perform_by,
            signed_at=step.now,
            sealed_by=str(p.get("sealed_by") or "")[:60],
            closed_at=step.now,
        )

    def prepare_refer(self, step: Step) -> None:
        outcome = step.payload["outcome"]
        if outcome not in REFERRALS:
            raise MediationError.invalid(
                _("Refer to litigation, arbitration or an administrative body."), field="outcome"
            )
        step.changes.update(outcome=outcome, referral_note=step.note, closed_at=step.now)

    def prepare_withdraw(self, step: Step) -> None:
        step.changes.update(outcome=CaseOutcome.WITHDRAWN, closed_at=step.now)

    def prepare_performed(self, step: Step) -> None:
        step.changes["performed"] = True


CASE_WORKFLOW = CaseWorkflow()


def case_transition(*, actor: User, case: MediationCase, action: str, **payload: Any) -> MediationCase:
    result: MediationCase = CASE_WORKFLOW.apply(actor=actor, obj=case, action=action, **payload)
    return result
