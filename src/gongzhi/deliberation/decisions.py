"""Decisions carried out: a decided topic gets action items (who, by when), tracked to done. When the last
item is done the topic is done, and a linked appeal is resolved with the decision as the reply, so its filers
rate it under the appeals' rating rules; residents rate the topic too (``topics.topic_rate``). Overdue items
are reminded once a day and their council's staff told (``decision_reminders``)."""

import contextlib
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.appeals.errors import AppealError
from gongzhi.appeals.workflow import APPEAL_WORKFLOW, appeal_transition
from gongzhi.core.images import clean_photo
from gongzhi.deliberation import rules
from gongzhi.deliberation.errors import DeliberationError
from gongzhi.deliberation.models import ActionItem, ActionStatus, OwnerKind, Topic, TopicStatus
from gongzhi.deliberation.topics import _text
from gongzhi.deliberation.workflow import topic_transition
from gongzhi.notifications.services import notify

EARLIEST, LATEST = date(2000, 1, 1), date(2100, 1, 1)


def action_add(
    *,
    actor: User,
    topic: Topic,
    title: str,
    owner_name: str,
    due: date,
    owner_kind: str = OwnerKind.UNIT,
    owner_user: User | None = None,
) -> ActionItem:
    if not rules.runs_topic.test(actor, topic):
        raise DeliberationError.forbidden(_("Only those who run the council assign the work."))
    if topic.status not in (TopicStatus.DECIDED, TopicStatus.IN_PROGRESS):
        raise DeliberationError.wrong_state(_("Action items follow a decision."))
    if owner_kind not in OwnerKind.values:
        raise DeliberationError.invalid(_("Say who carries it out."), field="owner_kind")
    if not EARLIEST <= due <= LATEST or due < timezone.localdate():
        raise DeliberationError.invalid(_("Choose a due date from today."), field="due")
    with transaction.atomic():
        item = ActionItem.objects.create(
            node=topic.node,
            topic=topic,
            title=_text(title, 100, "title", _("Say what is to be done.")),
            owner_kind=owner_kind,
            owner_name=_text(owner_name, 60, "owner_name", _("Say who carries it out.")),
            owner_user=owner_user,
            due=due,
        )
        if topic.status == TopicStatus.DECIDED:
            topic_transition(actor=actor, topic=topic, action="start")
        if owner_user is not None:
            notify(
                recipients=[owner_user],
                kind="action_assigned",
                title=_("Work from a council decision: %(t)s") % {"t": item.title},
                body=f"{topic.title} · {due:%Y-%m-%d}",
                link=f"/deliberation/topics/{topic.pk}/",
            )
    return item


def _may_update(actor: User, item: ActionItem) -> bool:
    return rules.runs_topic.test(actor, item.topic) or (
        item.owner_user_id is not None and item.owner_user_id == actor.pk
    )


def action_progress(
    *, actor: User, item: ActionItem, progress: int, note: str = "", evidence=None
) -> ActionItem:
    """Report progress (0–100, with a note and optionally an evidence photo); 100 marks the item done, and
    the last item done finishes the topic."""
    if not _may_update(actor, item):
        raise DeliberationError.forbidden(
            _("Only the one carrying it out or the council's staff report progress.")
        )
    if item.status == ActionStatus.DONE:
        raise DeliberationError.wrong_state(_("This action item is already done."))
    if type(progress) is not int or not 0 <= progress <= 100:
        raise DeliberationError.invalid(_("Progress is 0 to 100 per cent."), field="progress")
    note = _text(note, 300, "note", "", required=False)
    now = timezone.now()
    with transaction.atomic():
        fields = {"progress": progress, "progress_note": note}
        if progress == 100:
            fields.update(status=ActionStatus.DONE, done_at=now)
        if (
            # unscoped: a compare-and-set on the item fetched in scope
            ActionItem.objects.filter(pk=item.pk, status=ActionStatus.OPEN).update(**fields) != 1
        ):  # unscoped: in scope
            raise DeliberationError.wrong_state(_("This action item is already done."))
        for name, value in fields.items():
            setattr(item, name, value)
        if evidence is not None:
            try:
                content, _w, _h = clean_photo(evidence)
            except ValidationError as exc:
                raise DeliberationError.invalid("；".join(exc.messages), field="evidence") from None
            item.evidence.save(content.name, content, save=False)
            ActionItem.objects.filter(pk=item.pk).update(evidence=item.evidence.name)  # unscoped: in scope
        topic = item.topic
        if progress == 100 and not topic.actions.filter(status=ActionStatus.OPEN).exists():
            topic_finish(actor=actor, topic=topic)
    return item


def topic_finish(*, actor: User, topic: Topic) -> Topic:
    """The topic is done; its appeal (if any, and if the actor handles it) is resolved with the decision."""
    topic = topic_transition(actor=actor, topic=topic, action="finish")
    appeal = topic.appeal
    if appeal is not None and "resolve" in APPEAL_WORKFLOW.available(actor, appeal):
        # If the appeal moved meanwhile, its handlers resolve it themselves.
        with contextlib.suppress(AppealError):
            appeal_transition(
                actor=actor,
                appeal=appeal,
                action="resolve",
                reply=_("Settled by the council: %(d)s") % {"d": topic.decision},
            )
    return topic


REMINDER_BATCH = 500


def decision_reminders(*, today: date | None = None) -> int:
    """Once a day: remind the owners of overdue action items and tell the council's chair and secretary
    (the escalation). Each item is reminded at most once a day."""
    today = today or timezone.localdate()
    cutoff = timezone.now() - timedelta(hours=20)
    overdue = (
        ActionItem.objects.filter(status=ActionStatus.OPEN, due__lt=today)  # unscoped: the system's sweep
        .exclude(reminded_at__gt=cutoff)
        .select_related("topic__council__chair", "topic__council__secretary", "owner_user")
    )
    count = 0
    for item in overdue[:REMINDER_BATCH]:
        council = item.topic.council
        people = [p for p in (item.owner_user, council.chair, council.secretary) if p is not None]
        notify(
            recipients=people,
            kind="action_overdue",
            title=_("Overdue: %(t)s (due %(d)s)") % {"t": item.title, "d": f"{item.due:%Y-%m-%d}"},
            body=item.topic.title,
            link=f"/deliberation/topics/{item.topic_id}/",
            dedupe_key=f"action_overdue:{item.pk}:{today}",
        )
        ActionItem.objects.filter(pk=item.pk).update(reminded_at=timezone.now())  # unscoped: the sweep
        count += 1
    return count
