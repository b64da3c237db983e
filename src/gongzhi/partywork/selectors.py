"""Every read of party organisation work, scoped to the user asking (``visible_to``); out of reach is 404."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.core.roles import CASEWORK_ROLES
from gongzhi.core.scoping import reach_paths, subtree_in
from gongzhi.orgs.models import MemberPost, PartyMembership, PartyOrg, PartyOrgKind
from gongzhi.partywork.models import (
    Attendance,
    BranchMeeting,
    BranchRating,
    BranchTerm,
    Budget,
    Course,
    Election,
    Expense,
    Grant,
    MemberPointsEntry,
    MemberPointsRule,
    PartyPolicy,
    PeerEvaluation,
    RatingObjection,
    RatingRound,
    RatingScheme,
    RatingStatus,
    ShowcaseEntry,
    StrongBranch,
    StrongTarget,
    TrainingSession,
)


def _get(queryset: QuerySet, pk: int) -> Any:
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def schemes(*, fetched_by: User) -> QuerySet[RatingScheme]:
    return (
        RatingScheme.objects.visible_to(fetched_by, "view").select_related("node").prefetch_related("items")
    )


def scheme_get(*, fetched_by: User, pk: int) -> RatingScheme:
    return _get(schemes(fetched_by=fetched_by), pk)


def rounds(*, fetched_by: User) -> QuerySet[RatingRound]:
    return RatingRound.objects.visible_to(fetched_by, "view").select_related("node", "scheme")


def round_get(*, fetched_by: User, pk: int) -> RatingRound:
    return _get(rounds(fetched_by=fetched_by), pk)


def ratings(
    *, fetched_by: User, rnd: RatingRound | None = None, status: str | None = None
) -> QuerySet[BranchRating]:
    rows = BranchRating.objects.visible_to(fetched_by, "view").select_related("branch", "node", "round")
    if rnd is not None:
        rows = rows.filter(round=rnd)
    if status:
        rows = rows.filter(status=status)
    return rows


def rating_get(*, fetched_by: User, pk: int) -> BranchRating:
    return _get(ratings(fetched_by=fetched_by).select_related("round__scheme", "round__node"), pk)


def rating_lines(rating: BranchRating) -> list[Any]:
    return list(rating.lines.select_related("item"))


def scoring_desk(*, fetched_by: User) -> QuerySet[BranchRating]:
    """Ratings waiting for this user's scoring or recheck (the reviewer's desk)."""
    return (
        BranchRating.objects.visible_to(fetched_by, "score")
        .filter(status__in=("submitted", "scored", "appealed"))
        .select_related("branch", "node", "round")
    )


def my_branch_ratings(*, fetched_by: User) -> QuerySet[BranchRating]:
    # unscoped: the ratings of the branches the user leads
    led = PartyMembership.objects.filter(
        person__user_id=fetched_by.pk, post__in=(MemberPost.SECRETARY, MemberPost.DEPUTY_SECRETARY)
    ).values("party_org_id")
    return ratings(fetched_by=fetched_by).filter(branch_id__in=led).order_by("-round__year")


@dataclass(frozen=True)
class BoardRow:
    """One branch on the board, as the page shows it (plain values: no model rows, no lookups while
    rendering)."""

    pk: int
    branch: str
    stars: int | None
    capped_by: str
    total: Decimal | None
    previous_stars: int | None
    status: str
    status_label: str

    @property
    def stars_mark(self) -> str:
        return "★" * (self.stars or 0)

    @property
    def end(self) -> str:
        """The "two ends" of 抓两头带中间: five stars to praise, none to help."""
        return "pw-top" if self.stars == 5 else "pw-bottom" if self.stars == 0 else ""

    @property
    def trend(self) -> str:
        if self.stars is None or self.previous_stars is None or self.stars == self.previous_stars:
            return ""
        return "up" if self.stars > self.previous_stars else "down"


@dataclass
class Board:
    rnd: RatingRound
    rows: list[BoardRow]
    by_stars: dict[int, int]
    last_by_stars: dict[int, int]
    starred: int
    five: int
    none: int
    rated: int


def _round_ratings(user: User, rnd: RatingRound) -> QuerySet[BranchRating]:
    """The round's ratings the user may see. Every rating of a round lies under the round's subdistrict, so
    staff whose reach holds that subdistrict see them all: read by the round alone, without the scope's test
    of the user's own rows outside their reach (one query fewer on the committee's board)."""
    roles = BranchRating.scope.roles_for("view")  # type: ignore[attr-defined]
    if user.is_superuser or any(rnd.node.path.startswith(p) for p in reach_paths(user, roles)):
        # unscoped: every rating of a round whose whole subdistrict is in the user's reach (tested above)
        return BranchRating.objects.filter(round=rnd)
    return BranchRating.objects.visible_to(user, "view").filter(round=rnd)


BOARD_FIELDS = ("pk", "branch__name", "stars", "capped_by", "total", "previous_stars", "status")


def board(*, fetched_by: User, rnd: RatingRound) -> Board:
    """All branches of a round by stars, highest first; the two ends (five stars, none) counted. The figures
    (measured evidence, scores, stars) are stored on the ratings when measured and scored, so the board is
    one query of the round's rows, read as plain values."""
    labels = {value: str(label) for value, label in RatingStatus.choices}
    found = (
        _round_ratings(fetched_by, rnd)
        .order_by("-stars", "-total", "node__path", "branch_id")
        .values_list(*BOARD_FIELDS)
    )
    rows = [
        BoardRow(pk, branch, stars, capped_by, total, previous, status, labels.get(status, status))
        for pk, branch, stars, capped_by, total, previous, status in found
    ]
    by_stars = {n: 0 for n in range(6)}
    last = {n: 0 for n in range(6)}
    for r in rows:
        if r.stars is not None:
            by_stars[r.stars] += 1
        if r.previous_stars is not None:
            last[r.previous_stars] += 1
    rated = sum(by_stars.values())
    return Board(
        rnd=rnd,
        rows=rows,
        by_stars=by_stars,
        last_by_stars=last,
        starred=rated - by_stars[0],
        five=by_stars[5],
        none=by_stars[0],
        rated=rated,
    )


def objections(*, fetched_by: User, rating: BranchRating) -> QuerySet[RatingObjection]:
    return RatingObjection.objects.visible_to(fetched_by, "view").filter(rating=rating)


def objection_get(*, fetched_by: User, pk: int) -> RatingObjection:
    return _get(RatingObjection.objects.visible_to(fetched_by, "view").select_related("node"), pk)


# --- member points --------------------------------------------------------------------------------------------


def my_points(*, fetched_by: User, year: int | None = None) -> QuerySet[MemberPointsEntry]:
    year = year or timezone.localdate().year
    # unscoped: the user's own points
    return MemberPointsEntry.objects.filter(member_id=fetched_by.pk, month__year=year).select_related("rule")


def points_total(entries: QuerySet[MemberPointsEntry]) -> int:
    return entries.filter(status="approved").aggregate(p=Sum("points"))["p"] or 0


# From this many entries in a user's reach, staff's list newest month first walks the month-ordered index
# (testing each entry's place from the index) instead of gathering the reach and sorting it.
WALK_FROM = 2_000


def _large_points_reach(user: User) -> bool:
    paths = reach_paths(user, CASEWORK_ROLES)
    if not paths or user.is_superuser:
        return False
    # unscoped: how many entries lie in the user's own reach, counted up to WALK_FROM from the place index
    found = MemberPointsEntry.objects.filter(subtree_in("node", paths)).order_by()[:WALK_FROM]
    return found.count() >= WALK_FROM


def points_entries(*, fetched_by: User, status: str | None = None) -> QuerySet[MemberPointsEntry]:
    """Member points in reach, newest month first (the approvals to do through their own partial index)."""
    walk = status is None and _large_points_reach(fetched_by)
    rows = MemberPointsEntry.objects.visible_to(fetched_by, "view", in_order=walk).select_related(
        "rule", "membership__person", "membership__party_org"
    )
    return rows.filter(status=status) if status else rows


def points_to_approve(*, fetched_by: User, limit: int = 200) -> list[MemberPointsEntry]:
    """Proposed entries this user may approve: in their managing reach (never their own points, which a
    member only sees), proposed by someone else, of a branch they are not a member of."""
    from gongzhi.partywork.rules import is_branch_member

    rows = (
        MemberPointsEntry.objects.visible_to(fetched_by, "approve")
        .filter(status="proposed")
        .exclude(proposed_by_id=fetched_by.pk)
        .select_related("rule", "membership__person", "membership__party_org__node")[:limit]
    )
    return [e for e in rows if not is_branch_member.test(fetched_by, _Branch(e.membership))]


def points_entry_get(*, fetched_by: User, pk: int) -> MemberPointsEntry:
    return _get(points_entries(fetched_by=fetched_by).select_related("node"), pk)


def points_rules(*, fetched_by: User) -> QuerySet[MemberPointsRule]:
    return MemberPointsRule.objects.visible_to(fetched_by, "view").select_related("node")


def points_rule_get(*, fetched_by: User, pk: int) -> MemberPointsRule:
    return _get(points_rules(fetched_by=fetched_by), pk)


def membership_get(*, fetched_by: User, pk: int) -> PartyMembership:
    """A member of a branch the user leads or staffs."""
    # unscoped: the branches the user leads, besides the staff's reach
    led = PartyMembership.objects.filter(
        person__user_id=fetched_by.pk, post__in=(MemberPost.SECRETARY, MemberPost.DEPUTY_SECRETARY)
    ).values("party_org_id")
    in_scope = PartyMembership.objects.visible_to(fetched_by, "view").filter(pk=pk)
    found = in_scope.select_related("person", "party_org__node").first()
    if found is None:
        # unscoped: a member of a branch the user leads
        found = (
            # unscoped: a member of a branch the user leads
            PartyMembership.objects.filter(pk=pk, party_org_id__in=led)
            .select_related("person", "party_org__node")
            .first()
        )
    if found is None:
        raise Http404
    return found


def branch_members(*, fetched_by: User, branch_id: int) -> list[PartyMembership]:
    """The members of a branch the user leads or staffs; 404 otherwise."""
    from gongzhi.partywork.rules import is_branch_secretary, manages

    # unscoped: a branch's members, shown only to its secretary or staff over it (checked below)
    rows = list(
        # unscoped: a branch's members, shown only to its secretary or staff (checked below)
        PartyMembership.objects.filter(party_org_id=branch_id).select_related(
            "person__user", "party_org__node"
        )
    )
    if not rows:
        raise Http404
    placed = _Branch(rows[0])
    if not (is_branch_secretary.test(fetched_by, placed) or manages.test(fetched_by, placed)):
        raise Http404
    return rows


class _Branch:
    def __init__(self, membership: PartyMembership) -> None:
        self.branch_id = membership.party_org_id
        self.node = membership.party_org.node


def my_evaluations(*, fetched_by: User) -> QuerySet[PeerEvaluation]:
    # unscoped: the user's own evaluations
    return PeerEvaluation.objects.filter(member_id=fetched_by.pk).order_by("-year")


# --- funding ----------------------------------------------------------------------------------------------------


def budgets(*, fetched_by: User, year: int | None = None) -> QuerySet[Budget]:
    rows = Budget.objects.visible_to(fetched_by, "view").select_related("branch", "node")
    return rows.filter(year=year) if year else rows


def budget_get(*, fetched_by: User, pk: int) -> Budget:
    return _get(budgets(fetched_by=fetched_by), pk)


def budget_totals(rows: QuerySet[Budget]) -> dict[str, Decimal]:
    agg = rows.aggregate(base=Sum("base"), stars=Sum("star_amount"), grants=Sum("grants"), spent=Sum("spent"))
    total = sum((agg[k] or Decimal(0) for k in ("base", "stars", "grants")), Decimal(0))
    return {
        "base": agg["base"] or Decimal(0),
        "stars": agg["stars"] or Decimal(0),
        "grants": agg["grants"] or Decimal(0),
        "total": total,
        "spent": agg["spent"] or Decimal(0),
        "balance": total - (agg["spent"] or Decimal(0)),
    }


def expenses(
    *, fetched_by: User, budget: Budget | None = None, status: str | None = None
) -> QuerySet[Expense]:
    rows = Expense.objects.visible_to(fetched_by, "view").select_related("branch", "node", "budget")
    if budget is not None:
        rows = rows.filter(budget=budget)
    return rows.filter(status=status) if status else rows


def expense_get(*, fetched_by: User, pk: int) -> Expense:
    return _get(expenses(fetched_by=fetched_by), pk)


def expenses_to_approve(*, fetched_by: User) -> QuerySet[Expense]:
    return (
        Expense.objects.visible_to(fetched_by, "approve")
        .filter(status="entered")
        .select_related("branch", "node")
    )


def grants(*, fetched_by: User, budget: Budget) -> QuerySet[Grant]:
    return Grant.objects.visible_to(fetched_by, "view").filter(budget=budget)


def grant_get(*, fetched_by: User, pk: int) -> Grant:
    return _get(Grant.objects.visible_to(fetched_by, "view").select_related("node"), pk)


def policy_of(node: Any) -> PartyPolicy | None:
    # unscoped: the rules a subdistrict publishes for its branches
    return PartyPolicy.objects.filter(
        node__path__in=[node.path[:i] for i in range(4, len(node.path) + 1, 4)]
    ).first()


# --- training ---------------------------------------------------------------------------------------------------


def courses(*, fetched_by: User) -> QuerySet[Course]:
    return Course.objects.visible_to(fetched_by, "view").select_related("node")


def course_get(*, fetched_by: User, pk: int) -> Course:
    return _get(courses(fetched_by=fetched_by), pk)


def sessions(*, fetched_by: User) -> QuerySet[TrainingSession]:
    return TrainingSession.objects.visible_to(fetched_by, "view").select_related("course", "node")


def session_get(*, fetched_by: User, pk: int) -> TrainingSession:
    return _get(sessions(fetched_by=fetched_by), pk)


def session_attendance(*, fetched_by: User, session: TrainingSession) -> dict[str, int]:
    rows = Attendance.objects.visible_to(fetched_by, "count").filter(session=session)
    agg = rows.aggregate(
        people=Count("pk"), minutes=Sum("minutes"), checked=Count("pk", filter=Q(checked_in=True))
    )
    return {"people": agg["people"], "minutes": agg["minutes"] or 0, "checked_in": agg["checked"]}


@dataclass
class StudyRow:
    user_id: int
    name: str
    minutes: int
    required_hours: int

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.minutes) / 60).quantize(Decimal("0.1"))

    @property
    def behind(self) -> bool:
        return self.minutes < self.required_hours * 60


def my_study(*, fetched_by: User, year: int) -> tuple[int, QuerySet[Attendance]]:
    # unscoped: the user's own attendance
    rows = Attendance.objects.filter(user_id=fetched_by.pk, year=year).select_related("session__course")
    return rows.aggregate(m=Sum("minutes"))["m"] or 0, rows


def study_ledger(*, fetched_by: User, year: int, limit: int = 500) -> list[StudyRow]:
    """Members' study hours for the year against the minimum (secretaries' higher), those behind first."""
    members = (
        PartyMembership.objects.visible_to(fetched_by, "view")
        .filter(person__user__isnull=False)
        .select_related("person", "party_org__node")[: limit * 4]
    )
    by_user = {m.person.user_id: m for m in members}
    # The members are found in scope (by their branch); their minutes count wherever the session was held
    # (a subdistrict's 春训 lies above a community secretary's reach, its attendance rows with it).
    minutes = dict(
        # unscoped: the year's attendance of the members found in scope just above
        Attendance.objects.filter(year=year, user_id__in=list(by_user))
        .values("user_id")
        .annotate(m=Sum("minutes"))
        .values_list("user_id", "m")
    )
    rows = []
    policies: dict[str, PartyPolicy | None] = {}
    for user_id, m in by_user.items():
        key = m.party_org.node.path[:8]
        if key not in policies:
            policies[key] = policy_of(m.party_org.node)
        policy = policies[key]
        need = (
            (policy.secretary_hours if m.post == MemberPost.SECRETARY else policy.member_hours)
            if policy
            else (56 if m.post == MemberPost.SECRETARY else 32)
        )
        rows.append(StudyRow(user_id, m.person.name_masked, minutes.get(user_id, 0), need))
    rows.sort(key=lambda r: (not r.behind, r.minutes))
    return rows[:limit]


# --- strong branches and terms ---------------------------------------------------------------------------


def branch_get(*, fetched_by: User, pk: int) -> PartyOrg:
    """A party branch within the user's reach (for the forms that pick one)."""
    return _get(PartyOrg.objects.visible_to(fetched_by, "view").select_related("node"), pk)


def branches_kept(*, fetched_by: User, limit: int = 300) -> list[PartyOrg]:
    """The branches staff keep terms and strong-branch records for: those in their subtree."""
    return list(
        PartyOrg.objects.visible_to(fetched_by, "change")
        .filter(kind__in=(PartyOrgKind.BRANCH, PartyOrgKind.GENERAL_BRANCH))
        .select_related("node")
        .order_by("node__path", "id")[:limit]
    )


def strong_branches(*, fetched_by: User, status: str | None = None) -> QuerySet[StrongBranch]:
    rows = (
        StrongBranch.objects.visible_to(fetched_by, "view")
        .select_related("branch", "node")
        .annotate(
            targets_count=Count("targets", distinct=True),
            showcase_count=Count("showcase", distinct=True),
        )
    )
    return rows.filter(status=status) if status else rows


def strong_get(*, fetched_by: User, pk: int) -> StrongBranch:
    return _get(
        StrongBranch.objects.visible_to(fetched_by, "view")
        .select_related("branch", "node")
        .prefetch_related("targets"),
        pk,
    )


def strong_target_get(*, fetched_by: User, pk: int) -> StrongTarget:
    visible = StrongBranch.objects.visible_to(fetched_by, "view").values("pk")
    # unscoped: a target of a strong branch the user may see
    return _get(
        StrongTarget.objects.filter(strong__in=visible).select_related("strong__node", "strong__branch"), pk
    )


def showcase(*, fetched_by: User, strong: StrongBranch | None = None) -> QuerySet[ShowcaseEntry]:
    rows = ShowcaseEntry.objects.visible_to(fetched_by, "view").select_related("strong__branch")
    return rows.filter(strong=strong) if strong is not None else rows


def terms(*, fetched_by: User, due_within: int | None = None) -> QuerySet[BranchTerm]:
    """Current terms, those ending first at the top; ``due_within`` days keeps those ending by then."""
    rows = (
        BranchTerm.objects.visible_to(fetched_by, "view")
        .filter(current=True)
        .select_related("branch", "node")
    )
    if due_within is not None:
        rows = rows.filter(ends_on__lte=timezone.localdate() + timedelta(days=due_within))
    return rows.order_by("ends_on", "branch_id")


def elections(*, fetched_by: User, branch_id: int | None = None) -> QuerySet[Election]:
    rows = Election.objects.visible_to(fetched_by, "view").select_related("branch", "term")
    return rows.filter(branch_id=branch_id) if branch_id is not None else rows


# --- branch meetings ------------------------------------------------------------------------------------------


def meetings(
    *, fetched_by: User, branch_id: int | None = None, year: int | None = None
) -> QuerySet[BranchMeeting]:
    """Branch meetings in reach (staff over the branch, its members), newest first."""
    rows = BranchMeeting.objects.visible_to(fetched_by, "view").select_related("branch__node")
    if branch_id is not None:
        rows = rows.filter(branch_id=branch_id)
    if year is not None:
        rows = rows.filter(held_on__year=year)
    return rows


def meeting_get(*, fetched_by: User, pk: int) -> BranchMeeting:
    return _get(meetings(fetched_by=fetched_by), pk)


def branches_led(*, fetched_by: User) -> list[PartyOrg]:
    """The branches the user is secretary or deputy secretary of."""
    # unscoped: the user's own posts
    led = PartyMembership.objects.filter(
        person__user_id=fetched_by.pk, post__in=(MemberPost.SECRETARY, MemberPost.DEPUTY_SECRETARY)
    ).values("party_org_id")
    # unscoped: the branches the user leads
    return list(PartyOrg.objects.filter(pk__in=led).select_related("node").order_by("id"))


def branches_recording(*, fetched_by: User) -> list[PartyOrg]:
    """The branches whose meetings the user may record: those they lead, then those staff keep."""
    led = branches_led(fetched_by=fetched_by)
    seen = {b.pk for b in led}
    return led + [b for b in branches_kept(fetched_by=fetched_by) if b.pk not in seen]
