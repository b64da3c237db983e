"""Strong branches (过硬支部) and branch terms (换届): the writes, the figures a strong branch is measured by,
and the daily reminder of terms about to end.

The working committee marks a branch as being cultivated, with its targets (measured from the platform
against a goal, or checked by a reviewer); the branch (or staff over it) adds one showcase entry a month; the
committee recognises the branch or ends the cultivation. A branch committee's term runs from its election for
the subdistrict's term length (3 years by default); before it ends the branch's secretaries and the working
committee are reminded; the record of each election is kept, and a regular election begins the next term.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import RoleBinding, User
from gongzhi.core.audit import audit_record
from gongzhi.core.documents import clean_document
from gongzhi.core.images import clean_photo
from gongzhi.core.roles import Role
from gongzhi.orgs.models import PartyMembership, PartyOrg, PartyOrgKind
from gongzhi.partywork import rules
from gongzhi.partywork.errors import PartyError
from gongzhi.partywork.evidence import measure_for
from gongzhi.partywork.models import (
    BranchMeeting,
    BranchTerm,
    Election,
    ElectionKind,
    ItemSource,
    MeetingKind,
    ShowcaseEntry,
    StrongBranch,
    StrongStatus,
    StrongTarget,
)

MAX_TARGETS = 12
# The "six all-round" targets a strong branch is usually measured against (大关's 六个全面过硬); the committee
# may change them when it marks a branch.
DEFAULT_TARGETS = [
    "政治功能全面过硬",
    "班子队伍全面过硬",
    "党员管理全面过硬",
    "组织生活全面过硬",
    "服务群众全面过硬",
    "制度保障全面过硬",
]
WEEK = timedelta(days=7)


class _Placed:
    def __init__(self, node: Any, branch_id: int | None = None) -> None:
        self.node = node
        self.branch_id = branch_id


def _subdistrict(node: Any) -> Any:
    from gongzhi.partywork.services import subdistrict_of

    return subdistrict_of(node)


def _policy(node: Any) -> Any:
    from gongzhi.partywork.services import policy_for

    return policy_for(_subdistrict(node))


def _committee_over(actor: User, node: Any) -> None:
    if not rules.is_committee.test(actor, _Placed(node)):
        raise PartyError.forbidden(_("Only the subdistrict's working committee may do this."))


def _text(value: str | None, limit: int, field: str, *, required: bool = False) -> str:
    text = (value or "").replace("\x00", "").strip()
    if len(text) > limit or (required and not text):
        message = (
            _("Fill this in (at most %(n)s characters).") if required else _("At most %(n)s characters.")
        )
        raise PartyError.invalid(message % {"n": limit}, field=field)
    return text


def _past_day(value: Any, field: str) -> date:
    if not isinstance(value, date) or value.year < 2000 or value > timezone.localdate():
        raise PartyError.invalid(_("Give a date from 2000 up to today."), field=field)
    return value


def _branch(branch: PartyOrg) -> PartyOrg:
    if branch.kind not in (PartyOrgKind.BRANCH, PartyOrgKind.GENERAL_BRANCH):
        raise PartyError.invalid(_("Choose a party branch."), field="branch")
    return branch


# --- strong branches ----------------------------------------------------------------------------------------


def _targets(rows: list[dict[str, Any]]) -> list[StrongTarget]:
    if not 1 <= len(rows) <= MAX_TARGETS:
        raise PartyError.invalid(_("Give from 1 to %(n)s targets.") % {"n": MAX_TARGETS}, field="targets")
    built = []
    for order, row in enumerate(rows):
        name = _text(row.get("name"), 80, "targets", required=True)
        source = row.get("source") or ItemSource.MANUAL
        if source not in ItemSource.values:
            raise PartyError.invalid(_("Unknown source."), field="targets")
        goal = None
        if source != ItemSource.MANUAL:
            try:
                goal = Decimal(str(row.get("goal")).strip())
            except (InvalidOperation, ValueError):
                goal = None
            if goal is None or not goal.is_finite() or not Decimal("0") < goal <= Decimal("99999999"):
                raise PartyError.invalid(
                    _("A measured target needs a goal above 0, e.g. 200 hours."), field="targets"
                )
            goal = goal.quantize(Decimal("0.01"))
        built.append(StrongTarget(name=name, source=source, goal=goal, order=order))
    return built


def strong_mark(
    *,
    actor: User,
    branch: PartyOrg,
    targets: list[dict[str, Any]],
    started_on: date | None = None,
    note: str = "",
) -> StrongBranch:
    """The working committee marks a branch as being cultivated as a strong branch, with its targets."""
    _branch(branch)
    _committee_over(actor, branch.node)
    started = _past_day(started_on or timezone.localdate(), "started_on")
    rows = _targets(targets)
    note = _text(note, 300, "note")
    try:
        with transaction.atomic():
            strong = StrongBranch.objects.create(
                branch=branch, node=branch.node, started_on=started, note=note, created_by=actor
            )
            for row in rows:
                row.strong = strong
            StrongTarget.objects.bulk_create(rows)
            audit_record(actor=actor, action="partywork.strong_mark", target=strong, node=branch.node)
    except IntegrityError:
        raise PartyError.conflict(
            "duplicate", _("This branch is already being cultivated as a strong branch.")
        ) from None
    return strong


def strong_target_check(*, actor: User, target: StrongTarget, met: bool, note: str = "") -> StrongTarget:
    """A reviewer (staff over the branch, not one of its members) checks a target that is not measured."""
    strong = target.strong
    placed = _Placed(strong.node, strong.branch_id)
    if not rules.is_reviewer.test(actor, placed):
        raise PartyError.forbidden(
            _("A reviewer over the branch who is not one of its members checks targets.")
        )
    if strong.status != StrongStatus.CULTIVATING:
        raise PartyError.wrong_state(_("The cultivation has been closed."))
    if target.source != ItemSource.MANUAL:
        raise PartyError.invalid(_("This target is measured from the platform."), field="met")
    target.met = bool(met)
    target.note = _text(note, 300, "note")
    target.checked_by = actor
    target.checked_at = timezone.now()
    with transaction.atomic():
        target.save(update_fields=["met", "note", "checked_by", "checked_at"])
        audit_record(actor=actor, action="partywork.strong_target_check", target=strong, node=strong.node)
    return target


def strong_close(*, actor: User, strong: StrongBranch, recognised: bool, note: str = "") -> StrongBranch:
    """The working committee recognises the branch as a strong branch, or ends the cultivation."""
    _committee_over(actor, strong.node)
    status = StrongStatus.RECOGNISED if recognised else StrongStatus.ENDED
    note = _text(note, 300, "note")
    with transaction.atomic():
        # unscoped: the compare-and-set on a cultivation fetched in scope
        if not StrongBranch.objects.filter(pk=strong.pk, status=StrongStatus.CULTIVATING).update(
            status=status, note=note or strong.note
        ):
            raise PartyError.wrong_state(_("The cultivation has been closed."))
        audit_record(actor=actor, action=f"partywork.strong_{status}", target=strong, node=strong.node)
    strong.refresh_from_db()
    return strong


def showcase_add(
    *,
    actor: User,
    strong: StrongBranch,
    month: date,
    title: str,
    text: str,
    photo: Any = None,
) -> ShowcaseEntry:
    """The month's showcase entry of a strong branch (风采展), by its secretary or staff over it."""
    placed = _Placed(strong.node, strong.branch_id)
    if not (rules.is_branch_secretary.test(actor, placed) or rules.manages.test(actor, placed)):
        raise PartyError.forbidden()
    if strong.status == StrongStatus.ENDED:
        raise PartyError.wrong_state(_("The cultivation has been closed."))
    if not isinstance(month, date) or month.year < 2000 or month.replace(day=1) > timezone.localdate():
        raise PartyError.invalid(_("Give a month that has begun."), field="month")
    month = month.replace(day=1)
    if month < strong.started_on.replace(day=1):
        raise PartyError.invalid(_("The month is before the cultivation began."), field="month")
    title = _text(title, 80, "title", required=True)
    text = _text(text, 1000, "text", required=True)
    content = None
    if photo:
        try:
            content, _w, _h = clean_photo(photo)
        except ValidationError as exc:
            raise PartyError("bad_file", "；".join(exc.messages)) from None
    try:
        with transaction.atomic():
            entry = ShowcaseEntry(
                strong=strong, node=strong.node, month=month, title=title, text=text, created_by=actor
            )
            if content is not None:
                entry.photo.save(f"showcase-{strong.pk}-{month:%Y%m}.jpg", content, save=False)
            entry.save()
            audit_record(actor=actor, action="partywork.showcase_add", target=entry, node=strong.node)
    except IntegrityError:
        raise PartyError.conflict(
            "duplicate", _("This month's showcase entry has been added already.")
        ) from None
    return entry


@dataclass
class TargetFigure:
    target: StrongTarget
    figure: Decimal | None
    source_text: str
    met: bool


def strong_progress(*, fetched_by: User, strong: StrongBranch, year: int | None = None) -> list[TargetFigure]:
    """Each target with its figure for the year (measured ones from the platform, against the goal)."""
    year = year or timezone.localdate().year
    rows = []
    for target in strong.targets.all():
        if target.source == ItemSource.MANUAL:
            rows.append(TargetFigure(target, None, target.note, target.met))
            continue
        figure, text = measure_for(
            target.source, fetched_by=fetched_by, branch=strong.branch, node=strong.node, year=year
        )
        met = figure is not None and target.goal is not None and figure >= target.goal
        rows.append(TargetFigure(target, figure, text, met))
    return rows


# --- branch meetings (三会一课, 支部学习日) ------------------------------------------------------------------


def _may_record_meetings(actor: User, branch: PartyOrg) -> None:
    placed = _Placed(branch.node, branch.pk)
    if not (rules.is_branch_secretary.test(actor, placed) or rules.manages.test(actor, placed)):
        raise PartyError.forbidden(_("The branch's secretary or staff over it record its meetings."))


def _minutes_file(upload: Any, meeting_name: str) -> Any:
    try:
        return clean_document(upload, name=meeting_name)
    except ValidationError as exc:
        raise PartyError.invalid("；".join(exc.messages), field="minutes", code="bad_file") from None


def meeting_record(
    *,
    actor: User,
    branch: PartyOrg,
    kind: str,
    held_on: date,
    topic: str,
    attended: int,
    minutes: Any = None,
) -> BranchMeeting:
    """A meeting the branch held (三会一课, 支部学习日, 主题党日), by its secretary or staff over it: its day, kind,
    topic and how many members attended (at least one, at most the branch's members), with its minutes (a
    PDF or a photo) now or later."""
    _branch(branch)
    _may_record_meetings(actor, branch)
    if kind not in MeetingKind.values:
        raise PartyError.invalid(_("Choose the kind of meeting."), field="kind")
    held_on = _past_day(held_on, "held_on")
    topic = _text(topic, 120, "topic", required=True)
    # unscoped: the size of a branch the actor records for (checked above)
    members = PartyMembership.objects.filter(party_org_id=branch.pk).count()
    if not isinstance(attended, int) or attended < 1 or (members and attended > members):
        raise PartyError.invalid(
            _("Give how many members attended: from 1 to the branch's %(n)s members.") % {"n": members}
            if members
            else _("Give how many members attended (at least 1)."),
            field="attended",
        )
    content = _minutes_file(minutes, f"minutes-{branch.pk}-{held_on:%Y%m%d}") if minutes else None
    try:
        with transaction.atomic():
            meeting = BranchMeeting(
                branch=branch,
                node=branch.node,
                kind=kind,
                held_on=held_on,
                topic=topic,
                attended=attended,
                recorded_by=actor,
            )
            if content is not None:
                meeting.minutes.save(content.name, content, save=False)
                meeting.minutes_at = timezone.now()
            meeting.save()
            audit_record(actor=actor, action="partywork.meeting_record", target=meeting, node=branch.node)
    except IntegrityError:
        raise PartyError.conflict(
            "duplicate", _("A meeting of this kind on this day has been recorded already.")
        ) from None
    return meeting


def meeting_minutes_add(*, actor: User, meeting: BranchMeeting, minutes: Any) -> BranchMeeting:
    """The minutes of a meeting recorded without them (once: minutes published are not replaced)."""
    _may_record_meetings(actor, meeting.branch)
    if not minutes:
        raise PartyError.invalid(_("Attach the minutes (a PDF or a photo)."), field="minutes")
    if meeting.minutes:
        raise PartyError.wrong_state(_("The minutes of this meeting have been added already."))
    content = _minutes_file(minutes, f"minutes-{meeting.branch_id}-{meeting.held_on:%Y%m%d}")
    with transaction.atomic():
        # unscoped: the row lock of a meeting fetched in scope
        locked = BranchMeeting.objects.select_for_update().get(pk=meeting.pk)
        if locked.minutes:
            raise PartyError.wrong_state(_("The minutes of this meeting have been added already."))
        locked.minutes.save(content.name, content, save=False)
        locked.minutes_at = timezone.now()
        locked.save(update_fields=["minutes", "minutes_at"])
        audit_record(actor=actor, action="partywork.meeting_minutes", target=locked, node=locked.node)
    return locked


# --- terms and elections ---------------------------------------------------------------------------------------


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _may_keep_terms(actor: User, branch: PartyOrg) -> None:
    if not rules.manages.test(actor, _Placed(branch.node, branch.pk)):
        raise PartyError.forbidden(_("Staff over the branch record its terms and elections."))


def term_set(*, actor: User, branch: PartyOrg, elected_on: date) -> BranchTerm:
    """Record the current term of a branch elected before its elections were kept here: it ends after the
    subdistrict's term length."""
    _branch(branch)
    _may_keep_terms(actor, branch)
    elected_on = _past_day(elected_on, "elected_on")
    ends = _add_years(elected_on, _policy(branch.node).term_years)
    try:
        with transaction.atomic():
            term = BranchTerm.objects.create(
                branch=branch, node=branch.node, starts_on=elected_on, ends_on=ends
            )
            audit_record(actor=actor, action="partywork.term_set", target=term, node=branch.node)
    except IntegrityError:
        raise PartyError.conflict(
            "duplicate", _("The branch has a current term: record its next election instead.")
        ) from None
    return term


def election_record(
    *,
    actor: User,
    branch: PartyOrg,
    held_on: date,
    eligible: int,
    voted: int,
    committee_size: int,
    kind: str = ElectionKind.REGULAR,
    secretary: PartyMembership | None = None,
    note: str = "",
) -> Election:
    """The result of a branch's election. A regular election (换届) is valid when more than four fifths of the
    members entitled to vote took part; it ends the current term and begins the next one."""
    _branch(branch)
    _may_keep_terms(actor, branch)
    if kind not in ElectionKind.values:
        raise PartyError.invalid(_("Choose the kind of election."), field="kind")
    held_on = _past_day(held_on, "held_on")
    if not 1 <= eligible <= 100000:
        raise PartyError.invalid(_("Give the number of members entitled to vote."), field="eligible")
    if not 0 <= voted <= eligible:
        raise PartyError.invalid(_("No more members can vote than are entitled to."), field="voted")
    if voted * 5 <= eligible * 4:
        raise PartyError.invalid(
            _(
                "An election is valid only when more than four fifths of the members entitled to vote take part."
            ),
            field="voted",
        )
    if not 1 <= committee_size <= 15:
        raise PartyError.invalid(_("Give from 1 to 15 committee members."), field="committee_size")
    if secretary is not None and secretary.party_org_id != branch.pk:
        raise PartyError.invalid(_("The secretary must be a member of the branch."), field="secretary")
    note = _text(note, 300, "note")
    with transaction.atomic():
        term = None
        if kind == ElectionKind.REGULAR:
            # unscoped: the branch's current term, for an election already checked
            current = BranchTerm.objects.select_for_update().filter(branch=branch, current=True).first()
            if current is not None and held_on <= current.starts_on:
                raise PartyError.invalid(
                    _("The election is not later than the one that began the current term."), field="held_on"
                )
            if current is not None:
                # unscoped: as above
                BranchTerm.objects.filter(pk=current.pk).update(current=False)
            term = BranchTerm.objects.create(
                branch=branch,
                node=branch.node,
                starts_on=held_on,
                ends_on=_add_years(held_on, _policy(branch.node).term_years),
            )
        election = Election.objects.create(
            branch=branch,
            node=branch.node,
            kind=kind,
            held_on=held_on,
            eligible=eligible,
            voted=voted,
            committee_size=committee_size,
            secretary=secretary,
            term=term,
            note=note,
            recorded_by=actor,
        )
        audit_record(actor=actor, action="partywork.election_record", target=election, node=branch.node)
    return election


@dataclass(frozen=True)
class TermsReminded:
    terms: int
    people: int


def terms_remind(*, today: date | None = None) -> TermsReminded:
    """Tell the branches whose term ends within the subdistrict's reminder days (or has ended without an
    election) and the working committee over them, once a week per term. Run daily (tasks.py)."""
    from gongzhi.notifications.services import Message, notify_many
    from gongzhi.partywork.models import PartyPolicy

    today = today or timezone.localdate()
    # unscoped: the subdistricts' reminder days, read by the system sweep
    days = {p.node_id: p.term_reminder_days for p in PartyPolicy.objects.all()}
    horizon = today + timedelta(days=max([90, *days.values()]))
    due = list(
        # unscoped: the sweep runs as the system over every current term
        BranchTerm.objects.filter(current=True, ends_on__lte=horizon)
        .exclude(reminded_on__gt=today - WEEK)
        .select_related("branch", "node")
    )
    messages: list[Any] = []
    reminded: list[int] = []
    people: set[int] = set()
    for term in due:
        subdistrict = _subdistrict(term.node)
        if term.ends_on > today + timedelta(days=days.get(subdistrict.pk, 90)):
            continue
        secretaries = list(
            # unscoped: the branch's secretaries are whom to remind
            User.objects.filter(
                person__party_memberships__party_org=term.branch,
                person__party_memberships__post__in=rules.LEADING_POSTS,
            )
        )
        committee = [
            b.user
            # unscoped: the working committee bound at the subdistrict is whom to remind
            for b in RoleBinding.objects.filter(node=subdistrict, role=Role.SUBDISTRICT_ADMIN).select_related(
                "user"
            )
        ]
        left = (term.ends_on - today).days
        if left >= 0:
            title = _("%(branch)s: the committee's term ends on %(day)s") % {
                "branch": term.branch.name,
                "day": term.ends_on.isoformat(),
            }
            body = _("%(n)s days left: prepare the election (换届).") % {"n": left}
        else:
            title = _("%(branch)s: the committee's term ended on %(day)s") % {
                "branch": term.branch.name,
                "day": term.ends_on.isoformat(),
            }
            body = _("Hold the election (换届) and record its result.")
        for user in {u.pk: u for u in secretaries + committee}.values():
            messages.append(
                Message(
                    recipient=user,
                    kind="party_term_ending",
                    title=title,
                    body=body,
                    link="/party/terms/",
                    dedupe_key=f"party-term:{term.pk}:{today.isoformat()}",
                )
            )
            people.add(user.pk)
        reminded.append(term.pk)
    with transaction.atomic():
        notify_many(messages)
        # unscoped: the terms just reminded
        BranchTerm.objects.filter(pk__in=reminded).update(reminded_on=today)
    return TermsReminded(terms=len(reminded), people=len(people))
