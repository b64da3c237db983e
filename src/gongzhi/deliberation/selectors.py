"""Reads of deliberation and mediation, scoped to the user asking. A mediation case is opened only by its
mediators, the community committee's head and its parties, and every opening is audited; everyone else
with oversight sees counts."""

from functools import partial
from typing import Any

from django.db import connection
from django.db.models import Avg, Count, Q, QuerySet
from django.http import Http404

from gongzhi.accounts.models import User
from gongzhi.core.audit import audit_record
from gongzhi.deliberation.models import (
    ActionItem,
    Attachment,
    Ballot,
    Council,
    MediationCase,
    Meeting,
    OwnedUnit,
    Topic,
    TopicStatus,
    Vote,
    VoteStatus,
)
from gongzhi.deliberation.rules import is_case_party


def _one(qs: QuerySet[Any], pk: int) -> Any:
    if not isinstance(pk, int) or not 0 < pk < 2**63:
        raise Http404
    rows = list(qs.filter(pk=pk).order_by()[:1])  # one row by its key: no ordering to sort
    if not rows:
        raise Http404
    return rows[0]


def council_list(*, fetched_by: User) -> QuerySet[Council]:
    return (
        Council.objects.visible_to(fetched_by, "view")
        .select_related("node")
        .annotate(n_members=Count("members"))
    )


def council_get(*, fetched_by: User, pk: int) -> Council:
    return _one(
        Council.objects.visible_to(fetched_by, "view").select_related("node", "chair", "secretary"), pk
    )


# Up to this many council places in a user's view (a community holds a dozen, a subdistrict a few dozen), a
# page of topics is read as one walk of the place index per place, newest first, merged (``UNION ALL …
# ORDER BY``): it reads the page's entries of each place and nothing else of years of topics.
MERGED_TOPIC_NODES = 64


def topic_list(
    *, fetched_by: User, status: str | None = None, leave_out: tuple[str, ...] = ()
) -> QuerySet[Topic]:
    """Topics near the user (residents) or in their reach (staff), newest first, with ``status`` or without
    the states in ``leave_out``. A topic sits at its council's place, so the places of the councils the user
    sees are the places of the topics they see. Read a page with ``core.pagination.page_by_ids``: it walks
    ``topic_by_node`` per place (a slice of this queryset sorts every topic in reach)."""
    topics = Topic.objects.visible_to(fetched_by, "view").select_related("node", "council")
    if status:
        topics = topics.filter(status=status)
    if leave_out:
        topics = topics.exclude(status__in=leave_out)
    topics = topics.order_by("-id")
    if not fetched_by.is_superuser:
        # Councils are few (a handful per place): their places are deduplicated here, not sorted in SQL.
        places = Council.objects.visible_to(fetched_by, "view").order_by().values_list("node_id", flat=True)
        nodes = sorted(set(places[: MERGED_TOPIC_NODES * 8]))
        if len(nodes) <= MERGED_TOPIC_NODES:
            # Read by core.pagination.page_by_ids; a further filter on ``topics`` makes a queryset without it.
            topics.page_ids = partial(_topic_page_ids, nodes, status, leave_out)  # type: ignore[attr-defined]
    return topics


def _topic_page_ids(
    nodes: list[int], status: str | None, leave_out: tuple[str, ...], offset: int, limit: int
) -> list[int]:
    """The ids of topics ``offset`` to ``offset + limit``, newest first, at ``nodes`` (council places in the
    user's view): each place's topics come newest first from ``topic_by_node`` (``topic_by_place`` with a
    status), and the merge stops at the page."""
    if not nodes:
        return []
    # unscoped: one branch per council place the user sees (topic_list)
    base = Topic.objects.order_by().values_list("id", flat=True)
    if status:
        base = base.filter(status=status)
    if leave_out:
        # Declined topics are few (a public reason each): the walk of ``topic_by_node`` steps over them.
        base = base.exclude(status__in=leave_out)
    branches = [base.filter(node_id=node) for node in nodes]
    if len(branches) == 1:
        return list(branches[0].order_by("-id")[offset : offset + limit])
    if connection.vendor != "sqlite":
        # PostgreSQL does not merge the branches of an ordered UNION ALL: each stops at the page's end.
        branches = [b.order_by("-id")[: offset + limit] for b in branches]
    merged = branches[0].union(*branches[1:], all=True).order_by("-id")
    return list(merged[offset : offset + limit])


def topic_get(*, fetched_by: User, pk: int) -> Topic:
    return _one(
        Topic.objects.visible_to(fetched_by, "view").select_related(
            "node", "council__node", "council__chair", "council__secretary", "meeting", "appeal", "proposer"
        ),
        pk,
    )


def minutes_readable(user: User, meeting: Meeting) -> bool:
    """Minutes (and their attachments) are read once published, and by those who run the meeting before."""
    from gongzhi.deliberation.rules import runs_meeting

    return meeting.minutes_status == "published" or runs_meeting.test(user, meeting)


def attachment_get(*, fetched_by: User, pk: int) -> Attachment:
    """An attachment, through its topic or minutes as the user may read them (404 otherwise)."""
    if not isinstance(pk, int) or not 0 < pk < 2**63:
        raise Http404
    # unscoped: read through its topic or meeting, each fetched in the user's scope below
    attachment = Attachment.objects.filter(pk=pk).first()
    if attachment is None:
        raise Http404
    if attachment.topic_id is not None:
        attachment.topic = topic_get(fetched_by=fetched_by, pk=attachment.topic_id)
    else:
        assert attachment.meeting_id is not None
        meeting = meeting_get(fetched_by=fetched_by, pk=attachment.meeting_id)
        if not minutes_readable(fetched_by, meeting):
            raise Http404
        attachment.meeting = meeting
    return attachment


def topic_rating(topic: Topic) -> dict[str, Any]:
    row = topic.ratings.aggregate(avg=Avg("score"), n=Count("pk"))
    return {"average": round(row["avg"], 2) if row["avg"] is not None else None, "count": row["n"]}


def meeting_list(*, fetched_by: User) -> QuerySet[Meeting]:
    return Meeting.objects.visible_to(fetched_by, "view").select_related("council", "node")


def meeting_get(*, fetched_by: User, pk: int) -> Meeting:
    return _one(
        Meeting.objects.visible_to(fetched_by, "view").select_related(
            "council__chair", "council__secretary", "node"
        ),
        pk,
    )


def notice_board(*, fetched_by: User) -> QuerySet[Meeting]:
    """Minutes on public notice (公示) where the user belongs."""
    return meeting_list(fetched_by=fetched_by).filter(minutes_status="published").order_by("-published_at")


def vote_list(*, fetched_by: User, open_only: bool = False) -> QuerySet[Vote]:
    votes = Vote.objects.visible_to(fetched_by, "view").select_related("topic", "compound")
    return votes.filter(status=VoteStatus.OPEN) if open_only else votes


def vote_get(*, fetched_by: User, pk: int) -> Vote:
    return _one(
        Vote.objects.visible_to(fetched_by, "view").select_related("topic__council", "meeting", "compound"),
        pk,
    )


def vote_result(vote: Vote) -> dict[str, Any] | None:
    """The count, shown only once the vote is closed (computed at closing only)."""
    return vote.result if vote.status == VoteStatus.CLOSED else None


def my_units(*, fetched_by: User, vote: Vote) -> list[OwnedUnit]:
    if vote.compound_id is None:
        return []
    return list(
        OwnedUnit.objects.visible_to(fetched_by, "view").filter(
            node_id=vote.compound_id, owner_id=fetched_by.pk
        )
    )


def my_ballots(*, fetched_by: User, vote: Vote) -> dict[int | None, Any]:
    """The user's own current choices: per unit (owners' votes) or their own (key None)."""
    if vote.kind == "owners":
        rows = Ballot.objects.filter(vote=vote, unit__owner_id=fetched_by.pk).values_list("unit_id", "choice")
        return dict(rows)
    choice = Ballot.objects.filter(vote=vote, voter_id=fetched_by.pk).values_list("choice", flat=True).first()
    return {None: choice} if choice is not None else {}


def owner_ballot_target(
    *, fetched_by: User, vote_pk: int | None, unit_pk: int | None
) -> tuple[Vote, OwnedUnit]:
    """An owner's online ballot: their own unit and the owners' vote of its compound, by primary key (two
    small reads, the resident's hot path). An owner votes for their unit whether or not they live in the
    compound (Civil Code art. 278). 404 for anything else; callers then take the general path."""
    if not isinstance(vote_pk, int) or not isinstance(unit_pk, int):
        raise Http404
    if not (0 < vote_pk < 2**63 and 0 < unit_pk < 2**63):
        raise Http404
    # unscoped: the user's own unit (owned by the user asking)
    units = list(OwnedUnit.objects.filter(pk=unit_pk, owner_id=fetched_by.pk).order_by()[:1])
    if not units:
        raise Http404
    # unscoped: the owners' vote over the compound of a unit the user owns
    votes = list(Vote.objects.filter(pk=vote_pk, kind="owners", compound_id=units[0].node_id).order_by()[:1])
    if not votes:
        raise Http404
    return votes[0], units[0]


def unit_get(*, fetched_by: User, pk: int) -> OwnedUnit:
    return _one(OwnedUnit.objects.visible_to(fetched_by, "view"), pk)


def action_list(*, fetched_by: User, open_only: bool = True) -> QuerySet[ActionItem]:
    items = ActionItem.objects.visible_to(fetched_by, "view").select_related("topic")
    return items.filter(status="open") if open_only else items


def action_get(*, fetched_by: User, pk: int) -> ActionItem:
    return _one(ActionItem.objects.visible_to(fetched_by, "view").select_related("topic__council"), pk)


def topics_near(*, fetched_by: User) -> QuerySet[Topic]:
    """Residents' list: what is being proposed, deliberated and carried out where they live."""
    return topic_list(fetched_by=fetched_by, leave_out=(TopicStatus.DECLINED,))


# --- mediation -----------------------------------------------------------------------------------------


def case_list(*, fetched_by: User) -> QuerySet[MediationCase]:
    return MediationCase.objects.visible_to(fetched_by, "view").select_related("node").order_by("-id")


def case_get(*, fetched_by: User, pk: int, request: Any = None) -> MediationCase:
    """Open a case (404 outside those who may); the opening is written to the audit log."""
    case: MediationCase = _one(
        MediationCase.objects.visible_to(fetched_by, "view")
        .select_related("node", "appeal")
        .prefetch_related("mediators__user", "parties"),
        pk,
    )
    audit_record(actor=fetched_by, action="mediationcase.view", target=case, node=case.node, request=request)
    return case


def case_counts(*, fetched_by: User) -> dict[str, int]:
    """What those with oversight see of cases they may not open: counts by state and risk."""
    rows = MediationCase.objects.visible_to(fetched_by, "count").aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status="open")),
        at_risk=Count("pk", filter=Q(status="open", at_risk=True)),
        agreed=Count("pk", filter=Q(status__in=["agreed", "follow_up"])),
        referred=Count("pk", filter=Q(status="no_agreement")),
    )
    return {k: int(v or 0) for k, v in rows.items()}


def party_view(user: User, case: MediationCase) -> bool:
    """A party sees their own case without the other parties' contacts."""
    return bool(is_case_party.test(user, case))
