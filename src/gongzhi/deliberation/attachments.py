"""Attachments on topics (a plan, a quote, photos of the problem) and on a meeting's minutes (appendices,
photos of the meeting): a PDF or a photo, checked and stored the one way every app stores documents
(``core.documents``). They are read through their topic or minutes, by those who may read those."""

import re
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.core.audit import audit_record
from gongzhi.core.documents import clean_document, document_kind
from gongzhi.deliberation import rules
from gongzhi.deliberation.errors import DeliberationError
from gongzhi.deliberation.models import Attachment, Meeting, MeetingStatus, MinutesStatus, Topic, TopicStatus

MAX_ATTACHMENTS = 20  # on one topic, or on one meeting's minutes
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\\\]")
# A resident who proposed a topic adds to it until the council has decided.
PROPOSER_OPEN = (TopicStatus.PROPOSED, TopicStatus.ACCEPTED, TopicStatus.SCHEDULED, TopicStatus.DELIBERATED)


def may_attach_to_topic(user: User, topic: Topic) -> bool:
    if topic.status == TopicStatus.DECLINED:
        return False
    return rules.runs_topic.test(user, topic) or (
        topic.proposer_id == user.pk and topic.status in PROPOSER_OPEN
    )


def may_attach_to_minutes(user: User, meeting: Meeting) -> bool:
    """The minutes' appendices are added by those who run the meeting until the chair approves them."""
    return (
        meeting.status != MeetingStatus.CANCELLED
        and meeting.minutes_status == MinutesStatus.DRAFT
        and rules.runs_meeting.test(user, meeting)
    )


def _title(title: str, upload: Any) -> str:
    text = _UNSAFE.sub("", str(title or "")).strip()
    if not text:
        text = _UNSAFE.sub("", PurePath(str(getattr(upload, "name", "") or "")).stem).strip()
    if len(text) > 80:
        raise DeliberationError.invalid(_("A title is at most 80 characters."), field="title")
    return text or _("Attachment")


def attachment_add(
    *, actor: User, upload: Any, title: str = "", topic: Topic | None = None, meeting: Meeting | None = None
) -> Attachment:
    """Attach a PDF (at most 10 MB) or a photo to a topic or to a meeting's minutes. Another type, a larger
    file or one too many is refused (422) and nothing is stored."""
    if (topic is None) == (meeting is None):
        raise DeliberationError.invalid(_("Attach to a topic or to minutes."), field="file")
    if topic is not None and not may_attach_to_topic(actor, topic):
        raise DeliberationError.forbidden(
            _("Only the council's staff and the proposer attach files to a topic.")
        )
    if meeting is not None and not may_attach_to_minutes(actor, meeting):
        raise DeliberationError.forbidden(
            _("Files are attached to minutes by those who run the meeting, before the chair approves them.")
        )
    if upload is None or not getattr(upload, "size", 0):
        raise DeliberationError.invalid(_("Choose a file to attach."), field="file")
    title = _title(title, upload)
    try:
        content = clean_document(upload, name="attachment")
    except ValidationError as exc:
        raise DeliberationError.invalid("；".join(exc.messages), field="file") from None
    owner: Any = topic if topic is not None else meeting
    with transaction.atomic():
        # The owner's row is locked so two uploads at once cannot both pass the count.
        type(owner)._default_manager.select_for_update().filter(pk=owner.pk).exists()  # unscoped: in scope
        if owner.attachments.count() >= MAX_ATTACHMENTS:
            raise DeliberationError.invalid(
                _("At most %(n)s files are attached here.") % {"n": MAX_ATTACHMENTS}, field="file"
            )
        attachment = Attachment(
            topic=topic,
            meeting=meeting,
            title=title,
            kind=document_kind(content.name or ""),
            size=content.size,
            uploaded_by=actor,
        )
        attachment.file.save(content.name or "attachment", content, save=False)
        attachment.save()
        audit_record(
            actor=actor,
            action="deliberation.attachment_add",
            target=owner,
            node=owner.node,
            attachment=attachment.pk,
        )
    return attachment


def attachment_remove(*, actor: User, attachment: Attachment) -> None:
    """Remove an attachment: whoever may attach there now (a topic's staff, its proposer for their own file;
    the minutes' secretary before approval)."""
    if attachment.topic is not None:
        allowed = may_attach_to_topic(actor, attachment.topic) and (
            rules.runs_topic.test(actor, attachment.topic) or attachment.uploaded_by_id == actor.pk
        )
        owner: Any = attachment.topic
    else:
        assert attachment.meeting is not None
        allowed = may_attach_to_minutes(actor, attachment.meeting)
        owner = attachment.meeting
    if not allowed:
        raise DeliberationError.forbidden(_("You cannot remove this file."))
    with transaction.atomic():
        attachment.delete()
        audit_record(
            actor=actor,
            action="deliberation.attachment_remove",
            target=owner,
            node=owner.node,
            title=attachment.title,
        )
    transaction.on_commit(lambda: attachment.file.delete(save=False))
