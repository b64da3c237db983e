"""Deliberation pages: topics near me (residents, phone width), a topic with support, consultation and
rating; a council with its members; the meeting room for the secretary (attendance, quorum, agenda, votes,
decisions, minutes); printable minutes; the ballot page."""

from datetime import timedelta
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongzhi.accounts.http import AuthenticatedHttpRequest
from gongzhi.appeals.selectors import appeal_get
from gongzhi.core.documents import CONTENT_TYPES
from gongzhi.core.pagination import page_by_ids
from gongzhi.core.rules import is_caseworker
from gongzhi.core.web import service_call
from gongzhi.deliberation import attachments, checkin, rules, selectors, services
from gongzhi.deliberation import forms as F
from gongzhi.deliberation.errors import DeliberationError
from gongzhi.deliberation.meetings import meeting_booking
from gongzhi.deliberation.models import Reaction, Seat, TopicStatus, VoteKind
from gongzhi.deliberation.tally import YES_NO
from gongzhi.venues.selectors import space_get, space_list

TOPICS_ON_PAGE = 100  # the newest of the list (near me, or one state)

EVENT_LABELS = {
    "propose": gettext_lazy("Proposed"),
    "from_appeal": gettext_lazy("Taken from an appeal"),
    "accept": gettext_lazy("Accepted by the council"),
    "decline": gettext_lazy("Declined"),
    "escalate": gettext_lazy("Moved up to a higher council"),
    "schedule": gettext_lazy("Put on a meeting's agenda"),
    "unschedule": gettext_lazy("Taken off the agenda (the meeting was cancelled)"),
    "deliberate": gettext_lazy("Deliberated"),
    "decide": gettext_lazy("Decided"),
    "start": gettext_lazy("Carrying out began"),
    "finish": gettext_lazy("Done"),
}


@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Topics near me; the councils; minutes on public notice; open votes; (staff) overdue action items."""
    user = request.user
    if request.method == "POST":
        with service_call(request, success=_("Your topic is proposed.")) as call:
            data = F.parsed(F.ProposeForm, request.POST)
            council = selectors.council_get(fetched_by=user, pk=data["council"])
            topic = services.topic_propose(
                actor=user, council=council, title=data["title"], body=data["body"]
            )
        if call.ok:
            return redirect("deliberation:topic", pk=topic.pk)
    staff = is_caseworker.test(user)
    status = request.GET.get("status") or None
    if status not in TopicStatus.values:
        status = None
    today = timezone.localdate()
    return render(
        request,
        "deliberation/index.html",
        {
            # A page by the place index (topic_by_node), not a sort of every topic in reach.
            "topics": page_by_ids(
                selectors.topic_list(fetched_by=user, status=status)
                if status
                else selectors.topics_near(fetched_by=user),
                0,
                TOPICS_ON_PAGE,
            ),
            "status": status,
            "statuses": TopicStatus.choices,
            "councils": list(selectors.council_list(fetched_by=user)[:50]),
            "notices": selectors.notice_board(fetched_by=user)[:10],
            "votes": selectors.vote_list(fetched_by=user, open_only=True)[:10],
            "overdue": [a for a in selectors.action_list(fetched_by=user)[:200] if a.due < today]
            if staff
            else [],
            "staff": staff,
            "appeal_asked": appeal_asked(request),
        },
    )


def appeal_asked(request: AuthenticatedHttpRequest) -> str:
    """The appeal number an appeal page's button brought (``?appeal=``), to fill in the form; digits only."""
    value = request.GET.get("appeal", "")
    return value if value.isascii() and value.isdigit() and len(value) < 19 else ""


@login_required
@require_POST
def from_appeal(request: AuthenticatedHttpRequest) -> HttpResponse:
    """One click from an appeal: the appeal becomes a topic of the chosen council."""
    with service_call(request, success=_("The appeal is now a topic of the council.")) as call:
        data = F.parsed(F.FromAppealForm, request.POST)
        if not data.get("council"):
            raise DeliberationError.invalid(_("Choose the council."), field="council")
        appeal = appeal_get(fetched_by=request.user, pk=data["appeal"])
        council = selectors.council_get(fetched_by=request.user, pk=data["council"])
        topic = services.topic_from_appeal(actor=request.user, appeal=appeal, council=council)
    if call.ok:
        return redirect("deliberation:topic", pk=topic.pk)
    return redirect("deliberation:index")


@login_required
def topic_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    topic = selectors.topic_get(fetched_by=user, pk=pk)
    if request.method == "POST":
        what = request.POST.get("do", "")
        said = {"attach": _("The file is attached."), "detach": _("The file is removed.")}.get(what)
        with service_call(request, success=said or _("Done.")):
            _topic_post(request, topic)
        return redirect("deliberation:topic", pk=pk)
    runs = rules.runs_topic.test(user, topic)
    my_comment = next((c for c in topic.comments.all() if c.user_id == user.pk), None)
    comments = list(topic.comments.select_related("user")[:100])
    reactions = {value: sum(1 for c in comments if c.reaction == value) for value in Reaction.values}
    return render(
        request,
        "deliberation/topic.html",
        {
            "topic": topic,
            "runs": runs,
            "actions": set(services.TOPIC_WORKFLOW.available(user, topic)),
            "supported": topic.supports.filter(user_id=user.pk).exists(),
            "may_support": topic.status == TopicStatus.PROPOSED
            and topic.source == "proposal"
            and rules.lives_near.test(user, topic),
            "consulting": topic.status in (TopicStatus.PROPOSED, TopicStatus.ACCEPTED, TopicStatus.SCHEDULED)
            and rules.lives_near.test(user, topic),
            "my_comment": my_comment,
            "comments": comments,
            "reactions": [(label, reactions[value]) for value, label in Reaction.choices],
            "reaction_choices": Reaction.choices,
            "higher": [
                c
                for c in selectors.council_list(fetched_by=user)
                if topic.node.path.startswith(c.node.path) and c.pk != topic.council_id
            ],
            "meetings": [m for m in topic.council.meetings.filter(status__in=["scheduled", "open"])]
            if runs
            else [],
            "attachments": list(topic.attachments.all()),
            "may_attach": attachments.may_attach_to_topic(user, topic),
            "votes": list(topic.votes.all()),
            "items": list(topic.actions.all()),
            "may_rate": topic.status == TopicStatus.DONE
            and rules.lives_near.test(user, topic)
            and not runs
            and not topic.ratings.filter(user_id=user.pk).exists(),
            "rating": selectors.topic_rating(topic),
            "events": [(e, EVENT_LABELS.get(e.action, e.action)) for e in topic.events.all()],
            "today": timezone.localdate(),
            "owner_kinds": F.OwnerKind.choices,
        },
    )


def _topic_post(request: AuthenticatedHttpRequest, topic: Any) -> None:
    user, what = request.user, request.POST.get("do", "")
    if what == "support":
        services.topic_support(actor=user, topic=topic)
    elif what == "comment":
        data = F.parsed(F.CommentForm, request.POST)
        services.topic_comment(actor=user, topic=topic, reaction=data["reaction"], body=data["body"])
    elif what == "rate":
        data = F.parsed(F.RatingForm, request.POST)
        services.topic_rate(actor=user, topic=topic, score=data["score"], comment=data["comment"])
    elif what == "action":
        data = F.parsed(F.ActionForm, request.POST)
        services.action_add(
            actor=user,
            topic=topic,
            title=data["title"],
            owner_kind=data["owner_kind"],
            owner_name=data["owner_name"],
            due=data["due"],
        )
    elif what in ("attach", "detach"):
        _attachment_post(request, what, topic=topic)
    elif what == "progress":
        data = F.parsed(F.ProgressForm, request.POST, request.FILES)
        item = selectors.action_get(fetched_by=user, pk=data["item"])
        if item.topic_id != topic.pk:
            raise Http404
        services.action_progress(
            actor=user, item=item, progress=data["progress"], note=data["note"], evidence=data["evidence"]
        )
    elif what == "step":
        data = F.parsed(F.StepForm, request.POST)
        payload: dict[str, Any] = {"note": data["note"]}
        if data["action"] == "escalate" and data["council"]:
            payload["council"] = selectors.council_get(fetched_by=user, pk=data["council"])
        if data["action"] == "decide":
            payload["decision"] = data["decision"]
        if data["action"] == "schedule":
            if not data["meeting"]:
                raise DeliberationError.invalid(_("Choose the meeting."), field="meeting")
            meeting = selectors.meeting_get(fetched_by=user, pk=data["meeting"])
            services.agenda_add(actor=user, meeting=meeting, topic=topic)
            return
        services.topic_transition(actor=user, topic=topic, action=data["action"], **payload)
    else:
        raise DeliberationError.invalid(_("Unknown action."))


def _attachment_post(request: AuthenticatedHttpRequest, what: str, **owner: Any) -> None:
    user = request.user
    if what == "attach":
        services.attachment_add(
            actor=user,
            upload=request.FILES.get("file"),
            title=request.POST.get("title", "")[:81],
            **owner,
        )
        return
    attachment = selectors.attachment_get(fetched_by=user, pk=_int(request.POST.get("attachment")))
    ((kind, obj),) = owner.items()
    if getattr(attachment, f"{kind}_id") != obj.pk:
        raise Http404
    services.attachment_remove(actor=user, attachment=attachment)


@login_required
def attachment_file(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """An attached document or photo, for those who may read its topic or minutes."""
    attachment = selectors.attachment_get(fetched_by=request.user, pk=pk)
    kind = attachment.kind if attachment.kind in CONTENT_TYPES else "pdf"
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=kind == "pdf",
        filename=f"{attachment.title}.{kind}",
        content_type=CONTENT_TYPES[kind],
    )


@login_required
def council_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    council = selectors.council_get(fetched_by=user, pk=pk)
    if request.method == "POST":
        with service_call(request, success=_("Done.")):
            what = request.POST.get("do")
            if what == "member":
                data = F.parsed(F.MemberForm, request.POST)
                services.council_member_add(
                    actor=user, council=council, name=data["name"], seat=data["seat"], unit=data["unit"]
                )
            elif what == "remove":
                member = council.members.filter(pk=_int(request.POST.get("member"))).first()
                if member is None:
                    raise Http404
                services.council_member_remove(actor=user, member=member)
            elif what == "meeting":
                data = F.parsed(F.MeetingForm, request.POST)
                meeting = services.meeting_schedule(
                    actor=user,
                    council=council,
                    title=data["title"],
                    starts_at=data["starts_at"],
                    place=data["place"],
                )
                return redirect("deliberation:meeting", pk=meeting.pk)
            else:
                raise DeliberationError.invalid(_("Unknown action."))
        return redirect("deliberation:council", pk=pk)
    members = list(council.members.all())
    return render(
        request,
        "deliberation/council.html",
        {
            "council": council,
            "members": members,
            "problems": services.composition_problems([m.seat for m in members], council.rule),
            "runs": rules.runs_council.test(user, council),
            "meetings": list(council.meetings.all()[:20]),
            "seats": Seat.choices,
            "topics": list(council.topics.exclude(status="declined")[:30]),
        },
    )


def _int(value: Any) -> int:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < number < 2**63:
        raise Http404
    return number


@login_required
def meeting_room(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The secretary's meeting room (1280 px): attendance, quorum, agenda, votes, decisions, minutes."""
    user = request.user
    meeting = selectors.meeting_get(fetched_by=user, pk=pk)
    if request.method == "POST":
        with service_call(request, success=_("Done.")) as call:
            said = _meeting_post(request, meeting)
            if said:
                call.success = said
        return redirect("deliberation:meeting", pk=pk)
    council = meeting.council
    members = list(council.members.all())
    present = set(meeting.attendance.values_list("member_id", flat=True))
    runs = rules.runs_meeting.test(user, meeting)
    return render(
        request,
        "deliberation/meeting.html",
        {
            "meeting": meeting,
            "council": council,
            "members": [(m, m.pk in present) for m in members],
            "quorum": services.quorum(meeting),
            "agenda": list(meeting.agenda.all()),
            "votes": list(meeting.votes.select_related("topic")),
            "runs": runs,
            "chairs": rules.chairs_meeting.test(user, meeting),
            "may_object": meeting.minutes_status == "published"
            and meeting.objection_until is not None
            and timezone.now() <= meeting.objection_until
            and rules.lives_near.test(user, meeting),
            "objections": list(meeting.objections.all()) if runs else [],
            "candidates": [t for t in council.topics.filter(status="accepted")] if runs else [],
            "spaces": list(space_list(fetched_by=user)[:100])
            if runs and meeting.status == "scheduled" and meeting.venue_booking_id is None
            else [],
            "booking": meeting_booking(meeting) if runs else None,
            "attachments": list(meeting.attachments.all())
            if selectors.minutes_readable(user, meeting)
            else [],
            "may_attach": attachments.may_attach_to_minutes(user, meeting),
            "vote_kinds": VoteKind.choices,
            "thresholds": F.Threshold.choices,
        },
    )


@login_required
def meeting_qr(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The secretary's screen: a QR code members scan to sign in; it changes every 30 seconds (the page
    fetches the next one)."""
    meeting = selectors.meeting_get(fetched_by=request.user, pk=pk)
    if not rules.runs_meeting.test(request.user, meeting):
        raise Http404
    token = checkin.token_for(meeting.pk)
    url = request.build_absolute_uri(checkin.scan_path(meeting.pk, token))
    context = {
        "meeting": meeting,
        "svg": segno.make(url, error="m").svg_inline(scale=8, border=2),
        "seconds": checkin.seconds_left(),
        "quorum": services.quorum(meeting),
    }
    template = "deliberation/_qr.html" if request.headers.get("HX-Request") else "deliberation/qr.html"
    return render(request, template, context)


@login_required
def meeting_sign_in(request: AuthenticatedHttpRequest, pk: int, token: str) -> HttpResponse:
    """Where a member's phone lands after scanning: one button to sign in."""
    meeting = selectors.meeting_get(fetched_by=request.user, pk=pk)
    if request.method == "POST":
        with service_call(request, success=_("You are signed in.")) as call:
            services.meeting_sign_in(actor=request.user, meeting=meeting, token=token)
        if call.ok:
            return redirect("deliberation:meeting", pk=pk)
    return render(request, "deliberation/sign_in.html", {"meeting": meeting, "token": token})


def _meeting_post(request: AuthenticatedHttpRequest, meeting: Any) -> str | None:
    """One step in the meeting room; what to tell the user when the step says more than "done"."""
    user, what = request.user, request.POST.get("do", "")
    steps = {
        "open": services.meeting_open,
        "close": services.meeting_close,
        "approve": services.minutes_approve,
        "publish": services.minutes_publish,
    }
    if what in steps:
        steps[what](actor=user, meeting=meeting)
    elif what in ("present", "absent"):
        member = meeting.council.members.filter(pk=_int(request.POST.get("member"))).first()
        if member is None:
            raise Http404
        services.attendance_mark(actor=user, meeting=meeting, member=member, present=what == "present")
    elif what == "venue":
        space = space_get(fetched_by=user, pk=_int(request.POST.get("space")))
        hours = min(max(_int(request.POST.get("hours") or "2"), 1), 8)
        services.meeting_book_venue(
            actor=user, meeting=meeting, space=space, ends_at=meeting.starts_at + timedelta(hours=hours)
        )
        return _("The room is booked; the meeting's place is now the room.")
    elif what in ("attach", "detach"):
        _attachment_post(request, what, meeting=meeting)
        return _("The file is attached.") if what == "attach" else _("The file is removed.")
    elif what == "move":
        data = F.parsed(F.MeetingMoveForm, request.POST)
        booked = meeting.venue_booking_id is not None
        services.meeting_move(actor=user, meeting=meeting, starts_at=data["starts_at"])
        if booked and meeting.venue_booking_id is not None:
            return _("The meeting is moved and its room booked at the new time; the members are told.")
        return _("The meeting is moved; the members are told.")
    elif what == "cancel":
        booked = meeting.venue_booking_id is not None
        services.meeting_cancel(actor=user, meeting=meeting, reason=request.POST.get("reason", "")[:301])
        if booked:
            return _("The meeting is cancelled, its room booking too; the members are told.")
        return _("The meeting is cancelled; the members are told.")
    elif what == "agenda":
        topic = selectors.topic_get(fetched_by=user, pk=_int(request.POST.get("topic")))
        services.agenda_add(actor=user, meeting=meeting, topic=topic)
    elif what == "notes":
        services.meeting_notes(actor=user, meeting=meeting, notes=request.POST.get("notes", "")[:10000])
    elif what == "vote":
        data = F.parsed(F.VoteForm, request.POST)
        topic = selectors.topic_get(fetched_by=user, pk=data["topic"])
        options = [line.strip() for line in data["options"].splitlines() if line.strip()]
        services.vote_open(
            actor=user,
            topic=topic,
            kind=data["kind"],
            question=data["question"],
            options=options,
            meeting=meeting,
            threshold=data["threshold"] or "cast",
            secret=data["secret"],
        )
    elif what == "close_vote":
        vote = selectors.vote_get(fetched_by=user, pk=_int(request.POST.get("vote")))
        services.vote_close(actor=user, vote=vote)
    elif what == "decide":
        topic = selectors.topic_get(fetched_by=user, pk=_int(request.POST.get("topic")))
        services.topic_transition(
            actor=user, topic=topic, action="decide", decision=request.POST.get("decision", "")[:2001]
        )
    elif what == "object":
        services.minutes_object(actor=user, meeting=meeting, body=request.POST.get("body", "")[:501])
    else:
        raise DeliberationError.invalid(_("Unknown action."))
    return None


@login_required
def minutes(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The minutes, printable: decisions, votes with their tallies, who attended."""
    meeting = selectors.meeting_get(fetched_by=request.user, pk=pk)
    if not selectors.minutes_readable(request.user, meeting):
        raise Http404
    present = set(meeting.attendance.values_list("member_id", flat=True))
    members = list(meeting.council.members.all())
    return render(
        request,
        "deliberation/minutes.html",
        {
            "meeting": meeting,
            "council": meeting.council,
            "present": [m for m in members if m.pk in present],
            "absent": [m for m in members if m.pk not in present],
            "agenda": list(meeting.agenda.all()),
            "votes": list(meeting.votes.select_related("topic")),
            "attachments": list(meeting.attachments.all()),
        },
    )


# How long an owner's checked SMS code lets them vote (and change their vote) on the page without a new one.
OWNER_PASS_SECONDS = 15 * 60


def _owner_pass_key(vote_pk: int) -> str:
    return f"deliberation.owner_verified.{vote_pk}"


def _code_sent_key(vote_pk: int) -> str:
    return f"deliberation.owner_code_sent.{vote_pk}"


def _in_sitting(request: AuthenticatedHttpRequest, key: str) -> bool:
    """Whether the moment kept in the session under ``key`` is within the last OWNER_PASS_SECONDS."""
    at = request.session.get(key)
    return isinstance(at, (int, float)) and 0 <= timezone.now().timestamp() - at < OWNER_PASS_SECONDS


def _owner_verified(request: AuthenticatedHttpRequest, vote_pk: int) -> bool:
    return _in_sitting(request, _owner_pass_key(vote_pk))


@login_required
def vote_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Cast a ballot (phone width): agree/disagree/abstain, one option, or a ranking; owners per unit, after
    the code sent to their mobile."""
    user = request.user
    if request.method == "POST" and request.POST.get("action") != "code":
        _ballot_post(request, pk)
        # Back to this page (its own path: no URL to build on the ballot's hot path).
        return HttpResponseRedirect(request.path)
    vote = selectors.vote_get(fetched_by=user, pk=pk)
    units = selectors.my_units(fetched_by=user, vote=vote)
    if request.method == "POST":
        with service_call(request):
            sent_to = services.owner_code_send(actor=user, vote=vote, request=request)
            request.session[_code_sent_key(pk)] = timezone.now().timestamp()
            messages.success(
                request,
                _("A code was sent to %(phone)s. Enter it below with your vote.") % {"phone": sent_to},
            )
        return redirect("deliberation:vote", pk=pk)
    ballots = selectors.my_ballots(fetched_by=user, vote=vote)
    # An owner of several units votes once for each: the first unit without a ballot comes chosen.
    next_unit = next((u.pk for u in units if u.pk not in ballots), units[0].pk if units else None)
    return render(
        request,
        "deliberation/vote.html",
        {
            "vote": vote,
            "units": [(u, u.pk in ballots) for u in units],
            "next_unit": next_unit,
            "verified": vote.kind == VoteKind.OWNERS and _owner_verified(request, vote.pk),
            # A code sent in this sitting: the button offers to send it again, not to get one.
            "code_sent": _in_sitting(request, _code_sent_key(pk)),
            "result": selectors.vote_result(vote),
            "mine": _shown_choices(vote, ballots, {u.pk: u.number for u in units}),
            "yes_no": [
                (c, label) for c, label in zip(YES_NO, [_("Agree"), _("Disagree"), _("Abstain")], strict=True)
            ],
            "ranks": range(1, len(vote.options) + 1),
        },
    )


VOTED = gettext_lazy("Your vote is recorded. You may change it until the vote closes.")


def _ballot_post(request: AuthenticatedHttpRequest, pk: int) -> None:
    user = request.user
    raw_unit = request.POST.get("unit")
    unit_id = _int(raw_unit) if raw_unit else None  # only an owners' vote sends a unit
    said = request.POST.get("choice", "")
    # The owner's hot path, in a sitting whose code was checked: one statement finds their unit and its
    # compound's open vote and writes the ballot; anything else falls through to the general path.
    if (
        unit_id is not None
        and said in YES_NO
        and _owner_verified(request, pk)
        and services.owner_ballot_upsert(actor=user, vote_pk=pk, unit_pk=unit_id, choice=said)
    ):
        messages.success(request, VOTED)
        return
    try:  # an owner's ballot: their unit and its compound's vote, two small reads
        vote, unit = selectors.owner_ballot_target(fetched_by=user, vote_pk=pk, unit_pk=unit_id)
    except Http404:
        vote, unit = selectors.vote_get(fetched_by=user, pk=pk), None
    with service_call(request, success=VOTED):
        choice: Any = request.POST.get("choice", "")
        if vote.kind == VoteKind.SINGLE:
            choice = _choice_int(choice)
        elif vote.kind == VoteKind.RANKED:
            ranks = []
            for i in range(len(vote.options)):
                value = request.POST.get(f"rank{i}", "")
                if value:
                    ranks.append((_choice_int(value), i))
            choice = [i for _r, i in sorted(ranks)]
        verified = False
        if vote.kind == VoteKind.OWNERS:
            if unit is None:
                raise DeliberationError.invalid(_("Choose one of your units."), field="unit")
            verified = _owner_verified(request, vote.pk)
            if not verified:
                services.owner_code_check(actor=user, vote=vote, code=request.POST.get("code", ""))
                request.session[_owner_pass_key(vote.pk)] = timezone.now().timestamp()
                verified = True
        services.ballot_cast(actor=user, vote=vote, choice=choice, unit=unit, verified=verified)


def _shown_choices(vote: Any, ballots: dict, unit_numbers: dict[int, str] | None = None) -> list[str]:
    """What the user has voted so far, in words (their own ballot only; secret ballots too); an owner's
    ballots each after its unit's number ("1-101：同意")."""
    words = dict(zip(YES_NO, [_("Agree"), _("Disagree"), _("Abstain")], strict=True))
    numbers = unit_numbers or {}
    shown = []
    for key, choice in sorted(ballots.items(), key=lambda kv: numbers.get(kv[0], "") if kv[0] else ""):
        if isinstance(choice, str):
            word = str(words.get(choice, choice))
            shown.append(f"{numbers[key]}：{word}" if key in numbers else word)
        elif isinstance(choice, int) and 0 <= choice < len(vote.options):
            shown.append(vote.options[choice])
        elif isinstance(choice, list):
            shown.append(" > ".join(vote.options[i] for i in choice if 0 <= i < len(vote.options)))
    return shown


def _choice_int(value: Any) -> int:
    text = str(value)
    if not text.isascii() or not text.isdigit() or len(text) > 2:
        raise DeliberationError.invalid(_("Choose one of the options."), field="choice")
    return int(text)
