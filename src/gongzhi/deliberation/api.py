"""The deliberation and mediation API: /councils, /topics, /meetings, /votes, /decisions, /mediation/cases."""

from datetime import UTC, datetime, timedelta

from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from gongzhi.accounts.http import AuthenticatedHttpRequest
from gongzhi.accounts.models import User
from gongzhi.appeals.selectors import appeal_get
from gongzhi.core.documents import CONTENT_TYPES
from gongzhi.core.pagination import IndexedLimitOffsetPagination, LimitOffset
from gongzhi.core.schemas import ErrorOut, file_download
from gongzhi.deliberation import attachments, selectors, services
from gongzhi.deliberation.errors import DeliberationError
from gongzhi.deliberation.models import ActionItem, Council, MediationCase, Meeting, OwnedUnit, Topic, Vote
from gongzhi.deliberation.schemas import (
    ActionIn,
    ActionItemOut,
    AgendaIn,
    BallotIn,
    BallotOut,
    CaseCountsOut,
    CaseFromAppealIn,
    CaseIn,
    CaseOut,
    CaseStepIn,
    CommentIn,
    CouncilIn,
    CouncilOut,
    DeliberationAttachmentIn,
    DeliberationAttachmentOut,
    FollowUpIn,
    FromAppealIn,
    MeetingAttendanceIn,
    MeetingCancelIn,
    MeetingIn,
    MeetingMoveIn,
    MeetingOut,
    MeetingSignInIn,
    MeetingStepIn,
    MeetingVenueIn,
    MemberIn,
    NoticeObjectionIn,
    OwnerCodeOut,
    ProgressIn,
    SessionIn,
    TopicIn,
    TopicOut,
    TopicRatingIn,
    TopicStepIn,
    VoteIn,
    VoteOut,
)
from gongzhi.orgs.selectors import node_get, user_for_assignment
from gongzhi.venues.selectors import space_get

router = Router(tags=["deliberation"])
E = ErrorOut
WRITE = {403: E, 404: E, 409: E, 422: E}


def _aware(value: datetime, field: str) -> datetime:
    if not 2000 <= value.year < 2100:
        raise DeliberationError.invalid(_("Choose a date between 2000 and 2100."), field=field)
    return timezone.make_aware(value) if timezone.is_naive(value) else value.astimezone(UTC)


def _user(request: AuthenticatedHttpRequest, pk: int | None) -> User | None:
    if pk is None:
        return None
    try:
        return user_for_assignment(pk=pk)  # whether they belong to the council is the service's check
    except Http404:
        raise DeliberationError.invalid(_("No such person."), field="user_id") from None


# --- councils ------------------------------------------------------------------------------------------


def _council(c: Council, detail: bool = False) -> dict:
    out = {
        "id": c.pk,
        "node_id": c.node_id,
        "node_name": c.node.name,
        "name": c.name,
        "series": c.series,
        "rule": c.rule,
        "chair_id": c.chair_id,
        "secretary_id": c.secretary_id,
        "notice_days": c.notice_days,
        "support_needed": c.support_needed,
    }
    if detail:
        members = list(c.members.all())
        out["members"] = [
            {"id": m.pk, "name": m.name, "seat": m.seat, "unit": m.unit, "user_id": m.user_id}
            for m in members
        ]
        out["composition_problems"] = services.composition_problems([m.seat for m in members], c.rule)
    return out


@router.get("/councils", response=list[CouncilOut])
@paginate(LimitOffset)
def councils(request: AuthenticatedHttpRequest):
    """Councils where you belong (residents) or in your reach (staff)."""
    return [_council(c) for c in selectors.council_list(fetched_by=request.user)[:500]]


@router.post("/councils", response={201: CouncilOut, **WRITE})
def council_create(request: AuthenticatedHttpRequest, data: CouncilIn):
    node = node_get(fetched_by=request.user, pk=data.node_id)
    council = services.council_create(
        actor=request.user,
        node=node,
        name=data.name,
        series=data.series,
        rule=data.rule,
        notice_days=data.notice_days,
        support_needed=data.support_needed,
    )
    return Status(201, _council(council, detail=True))


@router.get("/councils/{council_id}", response={200: CouncilOut, 404: E})
def council(request: AuthenticatedHttpRequest, council_id: int):
    return _council(selectors.council_get(fetched_by=request.user, pk=council_id), detail=True)


@router.post("/councils/{council_id}/members", response={201: CouncilOut, **WRITE})
def council_member_add(request: AuthenticatedHttpRequest, council_id: int, data: MemberIn):
    """Add a member with a seat; the composition rule (3+X) is reported back."""
    council = selectors.council_get(fetched_by=request.user, pk=council_id)
    services.council_member_add(
        actor=request.user,
        council=council,
        name=data.name,
        seat=data.seat,
        user=_user(request, data.user_id),
        unit=data.unit,
    )
    return Status(201, _council(council, detail=True))


@router.delete("/councils/{council_id}/members/{member_id}", response={200: CouncilOut, **WRITE})
def council_member_remove(request: AuthenticatedHttpRequest, council_id: int, member_id: int):
    """Remove a member; refused (409) when it would break a composition rule that holds."""
    council = selectors.council_get(fetched_by=request.user, pk=council_id)
    member = council.members.filter(pk=member_id).first() if 0 < member_id < 2**63 else None
    if member is None:
        raise DeliberationError.not_found()
    services.council_member_remove(actor=request.user, member=member)
    return _council(council, detail=True)


# --- topics --------------------------------------------------------------------------------------------


def _topic(t: Topic, user: User, detail: bool = False) -> dict:
    out = {
        "id": t.pk,
        "council_id": t.council_id,
        "node_id": t.node_id,
        "title": t.title,
        "body": t.body,
        "source": t.source,
        "appeal_id": t.appeal_id,
        "status": t.status,
        "support_count": t.support_count,
        "support_needed": t.support_needed,
        "meeting_id": t.meeting_id,
        "decision": t.decision,
        "decline_reason": t.decline_reason,
        "created_at": t.created_at,
    }
    if detail:
        out["actions"] = services.TOPIC_WORKFLOW.available(user, t)
        out["rating"] = selectors.topic_rating(t)
    return out


@router.get("/topics", response=list[TopicOut])
@paginate(IndexedLimitOffsetPagination)
def topics(request: AuthenticatedHttpRequest, status: str | None = Query(None, max_length=12)):
    """Topics near you (residents) or in your reach (staff), newest first."""
    return selectors.topic_list(fetched_by=request.user, status=status)


@router.post("/topics", response={201: TopicOut, **WRITE})
def topic_propose(request: AuthenticatedHttpRequest, data: TopicIn):
    """A member's topic goes straight to the council; a resident's proposal first gathers households' support."""
    council = selectors.council_get(fetched_by=request.user, pk=data.council_id)
    topic = services.topic_propose(actor=request.user, council=council, title=data.title, body=data.body)
    return Status(201, _topic(topic, request.user, detail=True))


@router.post("/topics/from-appeal", response={201: TopicOut, **WRITE})
def topic_from_appeal(request: AuthenticatedHttpRequest, data: FromAppealIn):
    """An appeal (or hot issue) becomes a topic in one step; its filers are told."""
    appeal = appeal_get(fetched_by=request.user, pk=data.appeal_id)
    council = selectors.council_get(fetched_by=request.user, pk=data.council_id)
    topic = services.topic_from_appeal(actor=request.user, appeal=appeal, council=council, title=data.title)
    return Status(201, _topic(topic, request.user, detail=True))


@router.get("/topics/{topic_id}", response={200: TopicOut, 404: E})
def topic(request: AuthenticatedHttpRequest, topic_id: int):
    return _topic(selectors.topic_get(fetched_by=request.user, pk=topic_id), request.user, detail=True)


@router.post("/topics/{topic_id}/transitions", response={200: TopicOut, **WRITE})
def topic_step(request: AuthenticatedHttpRequest, topic_id: int, data: TopicStepIn):
    """accept, decline (a public reason), escalate (to a higher council, with a reason), deliberate, decide."""
    topic = selectors.topic_get(fetched_by=request.user, pk=topic_id)
    payload: dict = {"note": data.note}
    if data.action == "escalate" and data.council_id is not None:
        payload["council"] = selectors.council_get(fetched_by=request.user, pk=data.council_id)
    if data.action == "decide":
        payload["decision"] = data.decision
    topic = services.topic_transition(actor=request.user, topic=topic, action=data.action, **payload)
    return _topic(topic, request.user, detail=True)


@router.post("/topics/{topic_id}/support", response={200: TopicOut, **WRITE})
def topic_support(request: AuthenticatedHttpRequest, topic_id: int):
    """Support a resident's proposal: one voice per household (409 for a second)."""
    topic = selectors.topic_get(fetched_by=request.user, pk=topic_id)
    return _topic(services.topic_support(actor=request.user, topic=topic), request.user, detail=True)


@router.post("/topics/{topic_id}/comments", response={200: TopicOut, **WRITE})
def topic_comment(request: AuthenticatedHttpRequest, topic_id: int, data: CommentIn):
    """Online consultation before the meeting: one voice per person; a second replaces the first."""
    topic = selectors.topic_get(fetched_by=request.user, pk=topic_id)
    services.topic_comment(actor=request.user, topic=topic, reaction=data.reaction, body=data.body)
    return _topic(topic, request.user, detail=True)


@router.post("/topics/{topic_id}/ratings", response={201: TopicOut, **WRITE})
def topic_rate(request: AuthenticatedHttpRequest, topic_id: int, data: TopicRatingIn):
    """群众评议: rate a topic whose decision has been carried out (1–5, once)."""
    topic = selectors.topic_get(fetched_by=request.user, pk=topic_id)
    services.topic_rate(actor=request.user, topic=topic, score=data.score, comment=data.comment)
    return Status(201, _topic(topic, request.user, detail=True))


# --- attachments on topics and minutes -------------------------------------------------------------------


def _attachments(owner: Topic | Meeting) -> list:
    return list(owner.attachments.all()[: attachments.MAX_ATTACHMENTS])


def _attachment_file(request: AuthenticatedHttpRequest, attachment_id: int, **owner: int) -> FileResponse:
    attachment = selectors.attachment_get(fetched_by=request.user, pk=attachment_id)
    if any(getattr(attachment, f"{k}_id") != v for k, v in owner.items()):
        raise DeliberationError.not_found()
    kind = attachment.kind if attachment.kind in CONTENT_TYPES else "pdf"
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=kind == "pdf",
        filename=f"attachment-{attachment.pk}.{kind}",
        content_type=CONTENT_TYPES[kind],
    )


@router.get("/topics/{topic_id}/attachments", response={200: list[DeliberationAttachmentOut], 404: E})
@paginate(LimitOffset)
def topic_attachments(request: AuthenticatedHttpRequest, topic_id: int):
    """Documents and photos attached to the topic."""
    return _attachments(selectors.topic_get(fetched_by=request.user, pk=topic_id))


@router.post("/topics/{topic_id}/attachments", response={201: DeliberationAttachmentOut, **WRITE})
def topic_attachment_add(
    request: AuthenticatedHttpRequest,
    topic_id: int,
    data: Form[DeliberationAttachmentIn],
    file: File[UploadedFile],
):
    """Attach a PDF (at most 10 MB) or a photo (JPEG, PNG, WebP) to the topic: its council's staff, or its
    proposer until the council decides. Another type or size: 422, nothing stored."""
    topic = selectors.topic_get(fetched_by=request.user, pk=topic_id)
    made = services.attachment_add(actor=request.user, upload=file, title=data.title, topic=topic)
    return Status(201, made)


@router.get(
    "/topics/{topic_id}/attachments/{attachment_id}",
    response={200: None, 404: E},
    openapi_extra=file_download("The attached PDF or photo.", *CONTENT_TYPES.values()),
)
def topic_attachment_file(request: AuthenticatedHttpRequest, topic_id: int, attachment_id: int):
    """The attached file, for those who may read the topic."""
    return _attachment_file(request, attachment_id, topic=topic_id)


@router.delete("/topics/{topic_id}/attachments/{attachment_id}", response={204: None, 403: E, 404: E})
def topic_attachment_remove(request: AuthenticatedHttpRequest, topic_id: int, attachment_id: int):
    attachment = selectors.attachment_get(fetched_by=request.user, pk=attachment_id)
    if attachment.topic_id != topic_id:
        raise DeliberationError.not_found()
    services.attachment_remove(actor=request.user, attachment=attachment)
    return Status(204, None)


@router.get("/meetings/{meeting_id}/attachments", response={200: list[DeliberationAttachmentOut], 404: E})
@paginate(LimitOffset)
def minutes_attachments(request: AuthenticatedHttpRequest, meeting_id: int):
    """Documents and photos attached to the meeting's minutes (once published; before, for its secretary)."""
    meeting = selectors.meeting_get(fetched_by=request.user, pk=meeting_id)
    if not selectors.minutes_readable(request.user, meeting):
        raise DeliberationError.not_found()
    return _attachments(meeting)


@router.post("/meetings/{meeting_id}/attachments", response={201: DeliberationAttachmentOut, **WRITE})
def minutes_attachment_add(
    request: AuthenticatedHttpRequest,
    meeting_id: int,
    data: Form[DeliberationAttachmentIn],
    file: File[UploadedFile],
):
    """Attach a PDF or a photo to the minutes, before the chair approves them."""
    meeting = selectors.meeting_get(fetched_by=request.user, pk=meeting_id)
    made = services.attachment_add(actor=request.user, upload=file, title=data.title, meeting=meeting)
    return Status(201, made)


@router.get(
    "/meetings/{meeting_id}/attachments/{attachment_id}",
    response={200: None, 404: E},
    openapi_extra=file_download("The attached PDF or photo.", *CONTENT_TYPES.values()),
)
def minutes_attachment_file(request: AuthenticatedHttpRequest, meeting_id: int, attachment_id: int):
    """The attached file, for those who may read the minutes."""
    return _attachment_file(request, attachment_id, meeting=meeting_id)


@router.delete("/meetings/{meeting_id}/attachments/{attachment_id}", response={204: None, 403: E, 404: E})
def minutes_attachment_remove(request: AuthenticatedHttpRequest, meeting_id: int, attachment_id: int):
    attachment = selectors.attachment_get(fetched_by=request.user, pk=attachment_id)
    if attachment.meeting_id != meeting_id:
        raise DeliberationError.not_found()
    services.attachment_remove(actor=request.user, attachment=attachment)
    return Status(204, None)


# --- meetings ------------------------------------------------------------------------------------------


def _meeting(m: Meeting) -> dict:
    return {
        "id": m.pk,
        "council_id": m.council_id,
        "title": m.title,
        "starts_at": m.starts_at,
        "place": m.place,
        "status": m.status,
        "minutes_status": m.minutes_status,
        "notice_until": m.notice_until,
        "objection_until": m.objection_until,
        "quorum": services.quorum(m),
        "agenda": list(m.agenda.values_list("pk", flat=True)),
        "venue_booking_id": m.venue_booking_id,
        "cancel_reason": m.cancel_reason,
    }


@router.get("/meetings", response=list[MeetingOut])
@paginate(LimitOffset)
def meetings(request: AuthenticatedHttpRequest):
    return [_meeting(m) for m in selectors.meeting_list(fetched_by=request.user)[:200]]


@router.post("/meetings", response={201: MeetingOut, **WRITE})
def meeting_schedule(request: AuthenticatedHttpRequest, data: MeetingIn):
    """Schedule a meeting with the council's notice (days ahead); members are told."""
    council = selectors.council_get(fetched_by=request.user, pk=data.council_id)
    meeting = services.meeting_schedule(
        actor=request.user,
        council=council,
        title=data.title,
        starts_at=_aware(data.starts_at, "starts_at"),
        place=data.place,
        quorum_percent=data.quorum_percent,
    )
    return Status(201, _meeting(meeting))


@router.get("/meetings/{meeting_id}", response={200: MeetingOut, 404: E})
def meeting(request: AuthenticatedHttpRequest, meeting_id: int):
    return _meeting(selectors.meeting_get(fetched_by=request.user, pk=meeting_id))


@router.post("/meetings/{meeting_id}/agenda", response={200: MeetingOut, **WRITE})
def meeting_agenda(request: AuthenticatedHttpRequest, meeting_id: int, data: AgendaIn):
    meeting = selectors.meeting_get(fetched_by=request.user, pk=meeting_id)
    topic = selectors.topic_get(fetched_by=request.user, pk=data.topic_id)
    services.agenda_add(actor=request.user, meeting=meeting, topic=topic)
    return _meeting(meeting)


@router.post("/meetings/{meeting_id}/attendance", response={200: MeetingOut, **WRITE})
def meeting_attendance(request: AuthenticatedHttpRequest, meeting_id: int, data: MeetingAttendanceIn):
    """The secretary marks a member present (or absent); a member may sign themselves in."""
    meeting = selectors.meeting_get(fetched_by=request.user, pk=meeting_id)
    member = meeting.council.members.filter(pk=data.member_id).first()
    if member is None:
        raise DeliberationError.invalid(_("Not a member of this council."), field="member_id")
    services.attendance_mark(actor=request.user, meeting=meeting, member=member, present=data.present)
    return _meeting(meeting)


@router.post("/meetings/{meeting_id}/venue", response={200: MeetingOut, **WRITE})
def meeting_venue(request: AuthenticatedHttpRequest, meeting_id: int, data: MeetingVenueIn):
    """Book a venue's room for the meeting through the venues' bookings (a clash is refused: 409)."""
    meeting = selectors.meeting_get(fetched_by=request.user, pk=meeting_id)
    space = space_get(fetched_by=request.user, pk=data.space_id)
    services.meeting_book_venue(
        actor=request.user,
        meeting=meeting,
        space=space,
        ends_at=meeting.starts_at + timedelta(hours=data.hours),
    )
    return _meeting(meeting)


@router.post("/meetings/{meeting_id}/move", response={200: MeetingOut, **WRITE})
def meeting_move(request: AuthenticatedHttpRequest, meeting_id: int, data: MeetingMoveIn):
    """Move a meeting that has not opened; its room booking moves with it (a clash: 409, nothing changes)."""
    meeting = selectors.meeting_get(fetched_by=request.user, pk=meeting_id)
    services.meeting_move(actor=request.user, meeting=meeting, starts_at=_aware(data.starts_at, "starts_at"))
    return _meeting(meeting)


@router.post("/meetings/{meeting_id}/cancel", response={200: MeetingOut, **WRITE})
def meeting_cancel(request: AuthenticatedHttpRequest, meeting_id: int, data: MeetingCancelIn):
    """Cancel a meeting that has not opened, with a reason: its room booking is cancelled, its topics go
    back to the accepted ones."""
    meeting = selectors.meeting_get(fetched_by=request.user, pk=meeting_id)
    services.meeting_cancel(actor=request.user, meeting=meeting, reason=data.reason)
    return _meeting(meeting)


@router.post("/meetings/{meeting_id}/sign-in", response={200: MeetingOut, **WRITE})
def meeting_sign_in(request: AuthenticatedHttpRequest, meeting_id: int, data: MeetingSignInIn):
    """A member signs in with the code on the secretary's screen (it changes every 30 seconds)."""
    meeting = selectors.meeting_get(fetched_by=request.user, pk=meeting_id)
    services.meeting_sign_in(actor=request.user, meeting=meeting, token=data.token)
    return _meeting(meeting)


@router.post("/meetings/{meeting_id}/transitions", response={200: MeetingOut, **WRITE})
def meeting_step(request: AuthenticatedHttpRequest, meeting_id: int, data: MeetingStepIn):
    """open, close; approve_minutes (the chair), publish_minutes (public notice with an objection window)."""
    meeting = selectors.meeting_get(fetched_by=request.user, pk=meeting_id)
    step = {
        "open": services.meeting_open,
        "close": services.meeting_close,
        "approve_minutes": services.minutes_approve,
        "publish_minutes": services.minutes_publish,
    }[data.action]
    return _meeting(step(actor=request.user, meeting=meeting))


@router.post("/meetings/{meeting_id}/objections", response={201: MeetingOut, **WRITE})
def minutes_object(request: AuthenticatedHttpRequest, meeting_id: int, data: NoticeObjectionIn):
    meeting = selectors.meeting_get(fetched_by=request.user, pk=meeting_id)
    services.minutes_object(actor=request.user, meeting=meeting, body=data.body)
    return Status(201, _meeting(meeting))


# --- votes ---------------------------------------------------------------------------------------------


def _vote(v: Vote, user: User) -> dict:
    return {
        "id": v.pk,
        "topic_id": v.topic_id,
        "kind": v.kind,
        "question": v.question,
        "options": v.options,
        "secret": v.secret,
        "threshold": v.threshold,
        "major": v.major,
        "status": v.status,
        "result": selectors.vote_result(v),
        "my_units": [
            {"id": u.pk, "number": u.number, "area": str(u.area)}
            for u in selectors.my_units(fetched_by=user, vote=v)
        ],
    }


@router.get("/votes", response=list[VoteOut])
@paginate(LimitOffset)
def votes(request: AuthenticatedHttpRequest, open_only: bool = False):
    return [
        _vote(v, request.user)
        for v in selectors.vote_list(fetched_by=request.user, open_only=open_only)[:200]
    ]


@router.post("/votes", response={201: VoteOut, **WRITE})
def vote_open(request: AuthenticatedHttpRequest, data: VoteIn):
    """Open a vote on an agenda item: a council vote at a meeting in session with quorum, or an owners' vote
    over a compound's register of units."""
    topic = selectors.topic_get(fetched_by=request.user, pk=data.topic_id)
    meeting = selectors.meeting_get(fetched_by=request.user, pk=data.meeting_id) if data.meeting_id else None
    compound = node_get(fetched_by=request.user, pk=data.compound_id) if data.compound_id else None
    vote = services.vote_open(
        actor=request.user,
        topic=topic,
        kind=data.kind,
        question=data.question,
        options=data.options,
        meeting=meeting,
        threshold=data.threshold,
        secret=data.secret,
        major=data.major,
        compound=compound,
    )
    return Status(201, _vote(vote, request.user))


@router.get("/votes/{vote_id}", response={200: VoteOut, 404: E})
def vote(request: AuthenticatedHttpRequest, vote_id: int):
    """The vote; its result only once closed."""
    return _vote(selectors.vote_get(fetched_by=request.user, pk=vote_id), request.user)


@router.post("/votes/{vote_id}/ballots", response={200: BallotOut, **WRITE})
def ballot_cast(request: AuthenticatedHttpRequest, vote_id: int, data: BallotIn):
    """Cast a ballot; a second for the same member or unit replaces the first until the vote closes."""
    unit: OwnedUnit | None
    try:  # an owner's online ballot: their unit and its compound's vote, two small reads
        if data.channel != "online":
            raise Http404
        vote, unit = selectors.owner_ballot_target(
            fetched_by=request.user, vote_pk=vote_id, unit_pk=data.unit_id
        )
    except Http404:
        vote = selectors.vote_get(fetched_by=request.user, pk=vote_id)
        unit = _unit(request, data.unit_id) if data.unit_id is not None else None
    verified = False
    if vote.kind == "owners" and data.channel == "online":
        services.owner_code_check(actor=request.user, vote=vote, code=data.code)
        verified = True
    services.ballot_cast(
        actor=request.user,
        vote=vote,
        choice=data.choice,
        unit=unit,
        voter=_user(request, data.voter_id),
        channel=data.channel,
        proxy_name=data.proxy_name,
        verified=verified,
    )
    return {"vote_id": vote.pk, "counted": True}


@router.post("/votes/{vote_id}/code", response={200: OwnerCodeOut, 429: E, **WRITE})
def owner_code_send(request: AuthenticatedHttpRequest, vote_id: int):
    """Owners' votes: send a one-time code to the owner's mobile; the online ballot carries it."""
    vote = selectors.vote_get(fetched_by=request.user, pk=vote_id)
    return {"sent_to": services.owner_code_send(actor=request.user, vote=vote, request=request)}


def _unit(request: AuthenticatedHttpRequest, pk: int):
    """The unit: its owner's own, or any of the compound's for staff entering paper and proxy ballots."""
    try:
        return selectors.unit_get(fetched_by=request.user, pk=pk)
    except Http404:
        raise DeliberationError.invalid(_("Choose a unit of this compound."), field="unit_id") from None


@router.post("/votes/{vote_id}/close", response={200: VoteOut, **WRITE})
def vote_close(request: AuthenticatedHttpRequest, vote_id: int):
    """Close and count (the only time the result is computed)."""
    vote = selectors.vote_get(fetched_by=request.user, pk=vote_id)
    return _vote(services.vote_close(actor=request.user, vote=vote), request.user)


# --- decisions (action items) --------------------------------------------------------------------------


def _action(a: ActionItem) -> dict:
    return {
        "id": a.pk,
        "topic_id": a.topic_id,
        "title": a.title,
        "owner_kind": a.owner_kind,
        "owner_name": a.owner_name,
        "due": a.due,
        "progress": a.progress,
        "progress_note": a.progress_note,
        "status": a.status,
        "overdue": a.status == "open" and a.due < timezone.localdate(),
    }


@router.get("/decisions", response=list[ActionItemOut])
@paginate(LimitOffset)
def decisions(request: AuthenticatedHttpRequest, open_only: bool = True):
    """Action items of decisions in reach, earliest due first."""
    return [_action(a) for a in selectors.action_list(fetched_by=request.user, open_only=open_only)[:500]]


@router.post("/decisions", response={201: ActionItemOut, **WRITE})
def action_add(request: AuthenticatedHttpRequest, data: ActionIn):
    """An action item of a decided topic (the first one starts the topic's carrying out)."""
    topic = selectors.topic_get(fetched_by=request.user, pk=data.topic_id)
    item = services.action_add(
        actor=request.user,
        topic=topic,
        title=data.title,
        owner_name=data.owner_name,
        owner_kind=data.owner_kind,
        due=data.due,
    )
    return Status(201, _action(item))


@router.post("/decisions/{action_id}/progress", response={200: ActionItemOut, **WRITE})
def action_progress(request: AuthenticatedHttpRequest, action_id: int, data: ProgressIn):
    """Report progress; 100 is done, and the last item done finishes the topic and resolves its appeal."""
    item = selectors.action_get(fetched_by=request.user, pk=action_id)
    return _action(
        services.action_progress(actor=request.user, item=item, progress=data.progress, note=data.note)
    )


# --- mediation -----------------------------------------------------------------------------------------


def _case(c: MediationCase) -> dict:
    return {
        "id": c.pk,
        "node_id": c.node_id,
        "kind": c.kind,
        "source": c.source,
        "title": c.title,
        "facts": c.facts,
        "claims": c.claims,
        "at_risk": c.at_risk,
        "status": c.status,
        "outcome": c.outcome,
        "terms": c.terms,
        "appeal_id": c.appeal_id,
        "parties": [{"name": p.name, "side": p.side, "phone": p.phone_masked} for p in c.parties.all()],
        "mediators": [m.user.display_name or m.user.username for m in c.mediators.all()],
    }


@router.get("/mediation/cases", response=list[CaseOut])
@paginate(LimitOffset)
def cases(request: AuthenticatedHttpRequest):
    """The cases you mediate, head, or are a party to. Others see only counts (/mediation/counts)."""
    return [
        _case(c)
        for c in selectors.case_list(fetched_by=request.user).prefetch_related("parties", "mediators__user")[
            :200
        ]
    ]


@router.get("/mediation/counts", response=CaseCountsOut)
def case_counts(request: AuthenticatedHttpRequest):
    """Counts of the cases in your oversight, without opening any."""
    return selectors.case_counts(fetched_by=request.user)


@router.post("/mediation/cases", response={201: CaseOut, **WRITE})
def case_open(request: AuthenticatedHttpRequest, data: CaseIn):
    """Open a case (walk-in, police or court referral); you become its mediator."""
    node = node_get(fetched_by=request.user, pk=data.node_id)
    case = services.case_open(
        actor=request.user,
        node=node,
        kind=data.kind,
        source=data.source,
        title=data.title,
        facts=data.facts,
        claims=data.claims,
        at_risk=data.at_risk,
        parties=[p.dict() for p in data.parties],
    )
    return Status(201, _case(case))


@router.post("/mediation/cases/from-appeal", response={201: CaseOut, **WRITE})
def case_from_appeal(request: AuthenticatedHttpRequest, data: CaseFromAppealIn):
    appeal = appeal_get(fetched_by=request.user, pk=data.appeal_id)
    case = services.case_from_appeal(actor=request.user, appeal=appeal, kind=data.kind, at_risk=data.at_risk)
    return Status(201, _case(case))


@router.get("/mediation/cases/{case_id}", response={200: CaseOut, 404: E})
def case(request: AuthenticatedHttpRequest, case_id: int):
    """Open a case (audited). Anyone but its mediators, the committee head and its parties gets 404."""
    return _case(selectors.case_get(fetched_by=request.user, pk=case_id, request=request))


@router.post("/mediation/cases/{case_id}/transitions", response={200: CaseOut, **WRITE})
def case_step(request: AuthenticatedHttpRequest, case_id: int, data: CaseStepIn):
    """agree (written: responsibilities, terms, how/where/by when; or oral), refer, withdraw, flag_risk."""
    case = selectors.case_get(fetched_by=request.user, pk=case_id, request=request)
    if data.action == "flag_risk":
        return _case(services.case_flag_risk(actor=request.user, case=case))
    case = services.case_transition(
        actor=request.user,
        case=case,
        action=data.action,
        note=data.note,
        outcome=data.outcome or None,
        terms=data.terms,
        responsibilities=data.responsibilities,
        performance=data.performance,
        perform_by=data.perform_by,
        sealed_by=data.sealed_by,
    )
    return _case(case)


@router.post("/mediation/cases/{case_id}/sessions", response={201: CaseOut, **WRITE})
def case_session(request: AuthenticatedHttpRequest, case_id: int, data: SessionIn):
    case = selectors.case_get(fetched_by=request.user, pk=case_id, request=request)
    services.session_record(
        actor=request.user,
        case=case,
        at=_aware(data.at, "at"),
        place=data.place,
        present=data.present,
        notes=data.notes,
    )
    return Status(201, _case(case))


@router.post("/mediation/cases/{case_id}/follow-ups", response={201: CaseOut, **WRITE})
def case_follow_up(request: AuthenticatedHttpRequest, case_id: int, data: FollowUpIn):
    case = selectors.case_get(fetched_by=request.user, pk=case_id, request=request)
    services.follow_up_schedule(actor=request.user, case=case, due=data.due)
    return Status(201, _case(case))
