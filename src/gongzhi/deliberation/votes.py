"""Votes per agenda item: council votes (agree/disagree/abstain, single or ranked choice; named or secret;
thresholds) at a meeting with quorum, and owners' votes under Civil Code art. 278 over the compound's
register of owned units (online by the owner, on paper entered by staff, or by proxy; a second ballot for a
unit replaces the first until closing). Results are computed only at closing (``tally.py``)."""

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.accounts.services import otp_request, otp_verify
from gongzhi.core.audit import audit_record
from gongzhi.core.excel import Column, ImportRejected, RowError, parse_text, read_sheet
from gongzhi.core.rules import staff_at
from gongzhi.deliberation import rules, tally
from gongzhi.deliberation.errors import DeliberationError
from gongzhi.deliberation.meetings import quorum
from gongzhi.deliberation.models import (
    Attendance,
    Ballot,
    BallotChannel,
    Meeting,
    MeetingStatus,
    OwnedUnit,
    Threshold,
    Topic,
    TopicStatus,
    Vote,
    VoteKind,
    VoteStatus,
)
from gongzhi.deliberation.topics import _text
from gongzhi.orgs.models import Node, NodeKind

VOTABLE = (TopicStatus.SCHEDULED, TopicStatus.DELIBERATED)
MAX_OPTIONS = 10


def vote_open(
    *,
    actor: User,
    topic: Topic,
    kind: str,
    question: str,
    options: list[str] | None = None,
    meeting: Meeting | None = None,
    threshold: str = Threshold.CAST,
    secret: bool = False,
    major: bool = False,
    compound: Node | None = None,
    hide_until_closed: bool = True,
) -> Vote:
    if not rules.runs_topic.test(actor, topic):
        raise DeliberationError.forbidden(_("Only those who run the council open votes."))
    if topic.status not in VOTABLE:
        raise DeliberationError.wrong_state(_("Votes are taken on topics on an agenda."))
    if kind not in VoteKind.values:
        raise DeliberationError.invalid(_("Unknown kind of vote."), field="kind")
    if threshold not in Threshold.values:
        raise DeliberationError.invalid(_("Unknown threshold."), field="threshold")
    question = _text(question, 120, "question", _("Write the question put to the vote."))
    options = [_text(o, 60, "options", _("An option cannot be empty.")) for o in (options or [])]
    if kind in (VoteKind.SINGLE, VoteKind.RANKED):
        if not 2 <= len(options) <= MAX_OPTIONS or len(set(options)) != len(options):
            raise DeliberationError.invalid(_("Give 2 to 10 different options."), field="options")
    else:
        options = []
    if kind == VoteKind.OWNERS:
        if (
            compound is None
            or compound.kind != NodeKind.COMPOUND
            or not compound.path.startswith(topic.node.path)
        ):
            raise DeliberationError.invalid(
                _("An owners' vote is held in a compound of the council."), field="compound"
            )
        if not OwnedUnit.objects.filter(node=compound).exists():  # unscoped: a count for the staff in scope
            raise DeliberationError.conflict("no_units", _("Import the compound's owned units first."))
    else:
        compound = None
        if meeting is None or meeting.council_id != topic.council_id:
            raise DeliberationError.invalid(
                _("A council vote is taken at a meeting of the council."), field="meeting"
            )
        if meeting.status != MeetingStatus.OPEN:
            raise DeliberationError.wrong_state(_("Votes are taken while the meeting is in session."))
        if not quorum(meeting)["reached"]:
            raise DeliberationError.conflict("no_quorum", _("The meeting has no quorum."))
    return Vote.objects.create(
        node=topic.node,
        topic=topic,
        meeting=meeting,
        compound=compound,
        kind=kind,
        question=question,
        options=options,
        secret=secret,
        threshold=threshold,
        major=major,
        hide_until_closed=hide_until_closed,
        opened_by=actor,
    )


def _clean_choice(vote: Vote, choice: Any) -> Any:
    if vote.kind in (VoteKind.YES_NO, VoteKind.OWNERS):
        if choice not in tally.YES_NO:
            raise DeliberationError.invalid(_("Choose agree, disagree or abstain."), field="choice")
        return choice
    count = len(vote.options)
    if vote.kind == VoteKind.SINGLE:
        if type(choice) is not int or not 0 <= choice < count:
            raise DeliberationError.invalid(_("Choose one of the options."), field="choice")
        return choice
    if (
        not isinstance(choice, list)
        or not choice
        or any(type(c) is not int or not 0 <= c < count for c in choice)
        or len(set(choice)) != len(choice)
    ):
        raise DeliberationError.invalid(_("Rank the options, each once."), field="choice")
    return choice


def _hold_open(vote: Vote) -> None:
    """Refuse a ballot for a closed vote; on PostgreSQL a share lock lets ballots run side by side while
    closing (an exclusive lock) waits for them, so no ballot lands after the count."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT status FROM deliberation_vote WHERE id = %s FOR SHARE", [vote.pk])
            row = cursor.fetchone()
        status = row[0] if row else None
    else:
        status = (
            # unscoped: the vote or register fetched in scope by the caller
            next(iter(Vote.objects.filter(pk=vote.pk).order_by().values_list("status", flat=True)[:1]), None)
        )  # unscoped: in scope
    if status != VoteStatus.OPEN:
        raise DeliberationError.wrong_state(_("The vote is closed."))


def _owner_phone(actor: User, vote: Vote) -> str:
    if vote.kind != VoteKind.OWNERS or vote.compound_id is None:
        raise DeliberationError.invalid(_("Only owners' votes ask for a code."), field="vote")
    # unscoped: whether the actor owns a unit of the vote's compound (their own units)
    if not OwnedUnit.objects.filter(node_id=vote.compound_id, owner_id=actor.pk).exists():
        raise DeliberationError.forbidden(_("Only owners of this compound's units vote online."))
    phone = actor.decrypt_phone()
    if not phone:
        raise DeliberationError.invalid(
            _("Your account has no mobile number: ask the community staff to enter your vote on paper."),
            field="code",
        )
    return phone


def owner_code_send(*, actor: User, vote: Vote, request: Any = None) -> str:
    """Before an online owners' vote, send a six-digit code to the owner's mobile (the sign-in codes of
    accounts: throttled, stored hashed, short-lived). Returns the masked number it went to."""
    phone = _owner_phone(actor, vote)
    if vote.status != VoteStatus.OPEN:
        raise DeliberationError.wrong_state(_("The vote is closed."))
    otp_request(phone=phone, request=request)
    return actor.phone_masked


def owner_code_check(*, actor: User, vote: Vote, code: str) -> None:
    """The owner's code for this vote: the live one sent to their mobile (each code is good once)."""
    phone = _owner_phone(actor, vote)
    if otp_verify(phone=phone, code=str(code or "")[:12]) != actor:
        raise DeliberationError.invalid(_("The code is wrong or has expired."), field="code")
    audit_record(actor=actor, action="vote.owner_verified", target=vote)


def ballot_cast(
    *,
    actor: User,
    vote: Vote,
    choice: Any,
    unit: OwnedUnit | None = None,
    voter: User | None = None,
    channel: str = BallotChannel.ONLINE,
    proxy_name: str = "",
    verified: bool = False,
) -> Ballot:
    """Cast (or replace) a ballot. Council votes: a member present votes for themselves, or the secretary
    enters a member's paper ballot. Owners' votes: the owner online once their SMS code was checked
    (``verified``: ``owner_code_check`` passed, with this call in the API or earlier in the sitting on
    the vote page), or staff for a paper or proxy ballot."""
    if channel not in BallotChannel.values:
        raise DeliberationError.invalid(_("Unknown way of voting."), field="channel")
    choice = _clean_choice(vote, choice)
    staff_entry = channel != BallotChannel.ONLINE
    row: dict[str, Any]
    if staff_entry and not rules.runs_topic.test(actor, vote.topic):
        raise DeliberationError.forbidden(_("Only staff enter paper and proxy ballots."))
    proxy_name = _text(
        proxy_name, 40, "proxy_name", _("Name the proxy."), required=channel == BallotChannel.PROXY
    )
    if vote.kind == VoteKind.OWNERS:
        if unit is None or unit.node_id != vote.compound_id:
            raise DeliberationError.invalid(_("Choose a unit of this compound."), field="unit")
        if not staff_entry and unit.owner_id != actor.pk:
            raise DeliberationError.forbidden(_("Only the unit's owner votes online for it."))
        if not staff_entry and not verified:
            raise DeliberationError.invalid(_("Enter the code sent to your mobile."), field="code")
        key = ["vote", "unit"]
        row = {"unit": unit, "voter": None}
    else:
        voter = voter if staff_entry and voter is not None else actor
        present = (
            # unscoped: whether this voter attended the vote's meeting (a fact about the voter)
            Attendance.objects.filter(meeting=vote.meeting, member__user=voter).exists()
            if vote.meeting is not None
            else False
        )
        if not present:
            raise DeliberationError.forbidden(_("Members present at the meeting vote."))
        key = ["vote", "voter"]
        row = {"voter": voter, "unit": None}
    ballot = Ballot(
        vote=vote,
        choice=choice,
        channel=channel,
        proxy_name=proxy_name,
        cast_by=actor,
        voter=row["voter"],
        unit=row["unit"],
    )
    with transaction.atomic():
        _hold_open(vote)
        Ballot.objects.bulk_create(
            [ballot],
            update_conflicts=True,
            unique_fields=key,
            update_fields=["choice", "channel", "proxy_name", "cast_by", "cast_at"],
        )
    return ballot


_OWNER_BALLOT_SQL = """
INSERT INTO deliberation_ballot (vote_id, voter_id, unit_id, choice, channel, proxy_name, cast_by_id, cast_at)
SELECT v.id, NULL, u.id, {choice}, 'online', '', u.owner_id, %s
FROM deliberation_ownedunit u JOIN deliberation_vote v ON v.compound_id = u.node_id
WHERE u.id = %s AND u.owner_id = %s AND v.id = %s AND v.kind = 'owners' AND v.status = 'open'{lock}
ON CONFLICT (vote_id, unit_id) DO UPDATE SET choice = EXCLUDED.choice, channel = EXCLUDED.channel,
  proxy_name = EXCLUDED.proxy_name, cast_by_id = EXCLUDED.cast_by_id, cast_at = EXCLUDED.cast_at
RETURNING id
"""


def owner_ballot_upsert(*, actor: User, vote_pk: int, unit_pk: int, choice: Any) -> bool:
    """An owner's online ballot for their own unit, once their SMS code was checked in this sitting, as one
    statement: the unit (theirs), its compound's open owners' vote and the ballot (replacing the unit's
    earlier one) are found and written together. On PostgreSQL the statement key-share-locks the vote's row
    (the lock the ballot's foreign key takes anyway, so the row carries one kind of lock however many
    owners vote at once), so closing, which locks it for update, waits for it, as for ``ballot_cast``.

    False when the statement wrote nothing (not their unit, not an open owners' vote of its compound): the
    caller then takes ``ballot_cast``'s path, which says why."""
    if choice not in tally.YES_NO:
        raise DeliberationError.invalid(_("Choose agree, disagree or abstain."), field="choice")
    if not all(isinstance(k, int) and 0 < k < 2**63 for k in (vote_pk, unit_pk)):
        return False
    postgres = connection.vendor == "postgresql"
    sql = _OWNER_BALLOT_SQL.format(
        choice="%s::jsonb" if postgres else "%s", lock="\nFOR KEY SHARE OF v" if postgres else ""
    )
    with connection.cursor() as cursor:
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        cursor.execute(sql, [json.dumps(choice), now, unit_pk, actor.pk, vote_pk])
        return cursor.fetchone() is not None


def vote_close(*, actor: User, vote: Vote) -> Vote:
    """Close the vote and count it (the only time a result is computed)."""
    if not rules.runs_topic.test(actor, vote.topic):
        raise DeliberationError.forbidden(_("Only those who run the council close votes."))
    with transaction.atomic():
        locked = (
            # unscoped: the vote or register fetched in scope by the caller
            Vote.objects.select_for_update().filter(pk=vote.pk, status=VoteStatus.OPEN).first()
        )  # unscoped: in scope
        if locked is None:
            raise DeliberationError.wrong_state(_("The vote is already closed."))
        result = vote_count(locked)
        now = timezone.now()
        Vote.objects.filter(pk=vote.pk).update(  # unscoped: the row locked above
            status=VoteStatus.CLOSED, result=result, closed_at=now
        )
    vote.status, vote.result, vote.closed_at = VoteStatus.CLOSED, result, now
    return vote


def vote_count(vote: Vote) -> dict[str, Any]:
    if vote.kind == VoteKind.OWNERS:
        by_unit = dict(Ballot.objects.filter(vote=vote).values_list("unit_id", "choice"))
        # unscoped: the register of the vote's compound (the vote was fetched in scope)
        units = OwnedUnit.objects.filter(node=vote.compound).values_list("id", "owner_key", "area")
        result = tally.owners_tally(
            (tally.UnitVote(pk, key, area, by_unit.get(pk)) for pk, key, area in units), major=vote.major
        )
        result["by_channel"] = _by_channel(vote)
        return result
    choices = list(Ballot.objects.filter(vote=vote).values_list("choice", flat=True))
    if vote.kind == VoteKind.YES_NO:
        assert vote.meeting is not None
        q = quorum(vote.meeting)
        return tally.council_tally(
            choices, threshold=vote.threshold, present=int(q["present"]), members=int(q["members"])
        )
    if vote.kind == VoteKind.SINGLE:
        return tally.single_tally(choices, vote.options)
    return tally.ranked_tally(choices, vote.options)


def _by_channel(vote: Vote) -> dict[str, int]:
    counts: dict[str, int] = {}
    for channel in Ballot.objects.filter(vote=vote).values_list("channel", flat=True):
        counts[channel] = counts.get(channel, 0) + 1
    return counts


UNIT_COLUMNS = [
    Column("compound", "小区编码", parse=parse_text(30)),  # needed on the shared import page
    Column("number", "房号", required=True, parse=parse_text(30)),
    Column("area", "面积", required=True),
    Column("owner_name", "业主", required=True, parse=parse_text(60)),
]


def owned_units_import(
    *, actor: User, source: Any, compound: Node | None = None, progress: Any = None
) -> int:
    """Owned units and floor areas from Excel (小区编码, 房号, 面积, 业主): all rows or none. For one compound
    (``compound`` given) the 小区编码 column may be left out; on the shared import page each row names its
    compound by code. A unit number already in the register gets the new area and owner."""
    if compound is not None:
        if compound.kind != NodeKind.COMPOUND:
            raise DeliberationError.invalid(_("Owned units belong to a compound."), field="node")
        if not staff_at.test(actor, compound):
            raise DeliberationError.forbidden(_("Only staff over the compound keep its register of units."))
    sheet = read_sheet(source, UNIT_COLUMNS, progress=progress)
    errors = list(sheet.errors)
    codes = {r["compound"] for r in sheet.rows if r.get("compound")}
    nodes = {
        n.code: n
        # unscoped: compounds named in the file; each is checked against the importer's reach below
        for n in Node.objects.filter(code__in=codes, kind=NodeKind.COMPOUND)
    }
    rows: list[tuple[Node, str, Decimal, str]] = []
    seen: dict[tuple[int, str], int] = {}
    for row in sheet.rows:
        number = row["_row"]
        node = compound
        code = row.get("compound")
        if code and (compound is None or code != compound.code):
            node = nodes.get(code)
            if node is None or not staff_at.test(actor, node) or compound is not None:
                errors.append(RowError(number, "小区编码", _("No compound in your area has this code.")))
                continue
        if node is None:
            errors.append(RowError(number, "小区编码", _("Give the compound's code.")))
            continue
        try:
            area = Decimal(str(row["area"]))
            if not area.is_finite() or not Decimal("0.01") <= area <= Decimal("100000"):
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors.append(RowError(number, "面积", _("Give the floor area in square metres (0.01–100000).")))
            continue
        key = (node.pk, row["number"])
        if key in seen:
            errors.append(RowError(number, "房号", _("Same unit as row %(row)s.") % {"row": seen[key]}))
            continue
        seen[key] = number
        rows.append((node, row["number"], area.quantize(Decimal("0.01")), row["owner_name"]))
    if errors:
        raise ImportRejected(errors)
    with transaction.atomic():
        for node, unit_number, area, owner in rows:
            # unscoped: a unit of a compound the importer keeps (checked above)
            OwnedUnit.objects.update_or_create(
                node=node,
                number=unit_number,
                defaults={"area": area, "owner_name": owner, "owner_key": f"name:{owner}"[:40]},
            )
    return len(rows)
