"""Every write of party organisation work. The steps of a rating and of an expense are the transition tables
of workflow.py; this module holds the other writes (schemes, rounds, evidence, notice and final stars,
budgets, grants, member points, training) and the round-level steps that move many ratings at once."""

import re
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, router, transaction
from django.db.models import F, Max, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.core.audit import audit_record
from gongzhi.core.images import clean_photo
from gongzhi.orgs.models import MemberPost, Node, NodeKind, PartyMembership, PartyOrg, PartyOrgKind
from gongzhi.partywork import rules
from gongzhi.partywork.errors import PartyError
from gongzhi.partywork.evidence import measure, suggested_points
from gongzhi.partywork.models import (
    Attendance,
    BranchRating,
    Budget,
    Course,
    EntryStatus,
    Expense,
    ExpenseCategory,
    ExpenseEvent,
    Grant,
    GrantKind,
    ItemSource,
    MemberPointsEntry,
    MemberPointsRule,
    PartyPolicy,
    PeerEvaluation,
    PeerGrade,
    PointsKind,
    RatingLine,
    RatingObjection,
    RatingRound,
    RatingScheme,
    RatingStatus,
    RoundStatus,
    SchemeItem,
    SessionMode,
    TrainingSession,
)
from gongzhi.partywork.stars import Candidate, award
from gongzhi.partywork.workflow import expense_transition, rating_transition

__all__ = ["expense_transition", "rating_transition"]

CENT = Decimal("0.01")
MAX_YUAN = Decimal("9999999.99")
YUAN = re.compile(r"[0-9]{1,9}(\.[0-9]{1,2})?", re.ASCII)


def _committee_over(actor: User | None, node: Node) -> None:
    if actor is None or not rules.is_committee.test(actor, _Placed(node)):
        raise PartyError.forbidden(_("Only the subdistrict's working committee may do this."))


class _Placed:
    """Something at a node, for the predicates that read ``obj.node``."""

    def __init__(self, node: Node, branch_id: int | None = None) -> None:
        self.node = node
        self.branch_id = branch_id


def _yuan(value: Any, field: str = "amount") -> Decimal:
    """An amount of yuan: positive, at most two decimals, exact; written plainly (1280.50, not 1.2805e3)."""
    text = str(value).strip()
    if not YUAN.fullmatch(text):
        raise PartyError.invalid(_("Give the amount in yuan, e.g. 1280.50."), field=field)
    try:
        amount = Decimal(text)
    except (InvalidOperation, ValueError):
        raise PartyError.invalid(_("Give the amount in yuan, e.g. 1280.50."), field=field) from None
    if not amount.is_finite() or amount <= 0 or amount > MAX_YUAN or amount != amount.quantize(CENT):
        raise PartyError.invalid(
            _("Give an amount above 0 and at most 9,999,999.99 yuan, with at most two decimals."), field=field
        )
    return amount


def policy_for(subdistrict: Node) -> PartyPolicy:
    """The subdistrict's rules (created with the defaults the first time they are needed)."""
    # unscoped: the subdistrict's own configuration, read for a write already checked
    policy, _created = PartyPolicy.objects.get_or_create(
        node=subdistrict,
        defaults={
            "star_amounts": {"1": "1000.00", "2": "2000.00", "3": "3000.00", "4": "5000.00", "5": "8000.00"},
            "forbidden_categories": [ExpenseCategory.SALARIES, ExpenseCategory.OFFICE],
        },
    )
    return policy


def subdistrict_of(node: Node) -> Node:
    if node.kind == NodeKind.SUBDISTRICT:
        return node
    found = node.get_ancestors().filter(kind=NodeKind.SUBDISTRICT).first()
    if found is None:
        raise PartyError.invalid(_("This place is not in a subdistrict."), field="node")
    return found


def policy_update(
    *,
    actor: User,
    subdistrict: Node,
    compound_base: Any = None,
    other_base: Any = None,
    star_amounts: dict[str, Any] | None = None,
    forbidden_categories: list[str] | None = None,
    member_hours: int | None = None,
    secretary_hours: int | None = None,
) -> PartyPolicy:
    _committee_over(actor, subdistrict)
    policy = policy_for(subdistrict)
    if compound_base is not None:
        policy.compound_base = _yuan(compound_base, "compound_base")
    if other_base is not None:
        policy.other_base = _yuan(other_base, "other_base")
    if star_amounts is not None:
        if set(star_amounts) - {"1", "2", "3", "4", "5"}:
            raise PartyError.invalid(_("Give amounts for star levels 1 to 5."), field="star_amounts")
        policy.star_amounts = {k: str(_yuan(v, "star_amounts")) for k, v in star_amounts.items()}
    if forbidden_categories is not None:
        unknown = set(forbidden_categories) - set(ExpenseCategory.values)
        if unknown:
            raise PartyError.invalid(_("Unknown category."), field="forbidden_categories")
        policy.forbidden_categories = sorted(set(forbidden_categories))
    for name, value in (("member_hours", member_hours), ("secretary_hours", secretary_hours)):
        if value is not None:
            if not 0 <= value <= 500:
                raise PartyError.invalid(_("Give hours from 0 to 500."), field=name)
            setattr(policy, name, value)
    with transaction.atomic():
        policy.save()
        audit_record(actor=actor, action="partywork.policy_update", target=policy, node=subdistrict)
    return policy


# --- 1. schemes ---------------------------------------------------------------------------------------------


def _check_scheme(
    *, item_weight: Decimal, peer_weight: Decimal, bands: list[Any], five_star_quota: Decimal | None
) -> list[str]:
    if item_weight < 0 or peer_weight < 0 or item_weight + peer_weight != 100:
        raise PartyError.invalid(_("The weights must add up to 100 percent."), field="item_weight")
    try:
        clean = [Decimal(str(b)) for b in bands]
    except (InvalidOperation, ValueError):
        raise PartyError.invalid(_("Give five minimum totals, highest first."), field="bands") from None
    if (
        len(clean) != 5
        or any(not b.is_finite() or b < 0 or b > 100 for b in clean)
        or clean != sorted(set(clean), reverse=True)
    ):
        raise PartyError.invalid(
            _("Give five minimum totals from 100 down to 0, highest first."), field="bands"
        )
    if five_star_quota is not None and not 0 <= five_star_quota <= 100:
        raise PartyError.invalid(_("The quota is a share from 0 to 100 percent."), field="five_star_quota")
    return [str(b) for b in clean]


def scheme_create(
    *,
    actor: User,
    subdistrict: Node,
    year: int,
    name: str,
    items: list[dict[str, Any]],
    item_weight: Decimal = Decimal(70),
    peer_weight: Decimal = Decimal(30),
    bands: list[Any] | None = None,
    five_star_quota: Decimal | None = None,
    five_star_needs_innovation: bool = False,
) -> RatingScheme:
    """A new version of the subdistrict's scheme for ``year`` (version 1, or one after the latest)."""
    if subdistrict.kind != NodeKind.SUBDISTRICT:
        raise PartyError.invalid(_("A rating scheme belongs to a subdistrict."), field="node")
    _committee_over(actor, subdistrict)
    if not 2000 <= year <= 2100:
        raise PartyError.invalid(_("Give a year from 2000 to 2100."), field="year")
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise PartyError.invalid(_("Name the scheme (at most 80 characters)."), field="name")
    clean_bands = _check_scheme(
        item_weight=item_weight,
        peer_weight=peer_weight,
        bands=bands if bands is not None else [90, 80, 70, 60, 50],
        five_star_quota=five_star_quota,
    )
    if not items or len(items) > 60:
        raise PartyError.invalid(_("A scheme has from 1 to 60 items."), field="items")
    rows = []
    for n, item in enumerate(items):
        item_name = str(item.get("name") or "").strip()
        dimension = str(item.get("dimension") or "").strip()
        source = item.get("source") or ItemSource.MANUAL
        if not item_name or len(item_name) > 120 or not dimension or len(dimension) > 40:
            raise PartyError.invalid(_("Every item needs a dimension and a name."), field="items")
        if source not in ItemSource.values:
            raise PartyError.invalid(_("Unknown source of evidence."), field="items")
        try:
            max_points = Decimal(str(item.get("max_points")))
            full_at = None if item.get("full_at") in (None, "") else Decimal(str(item["full_at"]))
        except (InvalidOperation, ValueError):
            raise PartyError.invalid(_("Give each item's maximum points."), field="items") from None
        if (
            not max_points.is_finite()
            or not 0 < max_points <= 1000
            or max_points != max_points.quantize(CENT)
        ):
            raise PartyError.invalid(_("An item's maximum is above 0 and at most 1000."), field="items")
        if full_at is not None and (not full_at.is_finite() or not 0 < full_at < Decimal("1e8")):
            raise PartyError.invalid(_("The figure for full points must be above 0."), field="items")
        rows.append(
            SchemeItem(
                dimension=dimension,
                name=item_name,
                max_points=max_points,
                deduction=bool(item.get("deduction")),
                source=source,
                full_at=full_at,
                order=n,
            )
        )
    with transaction.atomic():
        # unscoped: the latest version number of the subdistrict's scheme, under the committee's check
        latest = (
            RatingScheme.objects.select_for_update()  # unscoped: the latest version number of the subdistrict's scheme, under the committee's check
            .filter(node=subdistrict, year=year)
            .aggregate(v=Max("version"))["v"]
        )
        scheme = RatingScheme.objects.create(
            node=subdistrict,
            year=year,
            version=(latest or 0) + 1,
            name=name,
            item_weight=item_weight,
            peer_weight=peer_weight,
            bands=clean_bands,
            five_star_quota=five_star_quota,
            five_star_needs_innovation=five_star_needs_innovation,
            created_by=actor,
        )
        for row in rows:
            row.scheme = scheme
        SchemeItem.objects.bulk_create(rows)
        audit_record(actor=actor, action="partywork.scheme_create", target=scheme, node=subdistrict)
    return scheme


def scheme_revise(*, actor: User, scheme: RatingScheme, **changes: Any) -> RatingScheme:
    """A new version with ``changes`` (and the same items unless given); the old version stays as it was."""
    items = changes.pop("items", None)
    if items is None:
        items = [
            {
                "dimension": i.dimension,
                "name": i.name,
                "max_points": i.max_points,
                "deduction": i.deduction,
                "source": i.source,
                "full_at": i.full_at,
            }
            for i in scheme.items.all()
        ]
    kwargs: dict[str, Any] = {
        "item_weight": scheme.item_weight,
        "peer_weight": scheme.peer_weight,
        "bands": scheme.bands,
        "five_star_quota": scheme.five_star_quota,
        "five_star_needs_innovation": scheme.five_star_needs_innovation,
        "name": scheme.name,
    } | changes
    return scheme_create(actor=actor, subdistrict=scheme.node, year=scheme.year, items=items, **kwargs)


# --- 2./3. rounds and evidence -------------------------------------------------------------------------------


def branches_under(subdistrict: Node) -> list[PartyOrg]:
    # unscoped: the branches of a subdistrict whose committee opens the round (checked by the caller)
    return list(
        # unscoped: the branches of a subdistrict whose committee acts (checked by the caller)
        PartyOrg.objects.filter(kind=PartyOrgKind.BRANCH, node__path__startswith=subdistrict.path)
        .select_related("node")
        .order_by("node__path", "pk")
    )


def round_open(*, actor: User, scheme: RatingScheme, notice_days: int = 5) -> RatingRound:
    """Open the year's round under this scheme version: a rating for every branch of the subdistrict, with
    its items, the figures measured from the platform, and last year's stars."""
    subdistrict = scheme.node
    _committee_over(actor, subdistrict)
    if not 1 <= notice_days <= 30:
        raise PartyError.invalid(_("Public notice lasts from 1 to 30 days."), field="notice_days")
    items = list(scheme.items.all())
    branches = branches_under(subdistrict)
    # unscoped: last year's final stars of the same subdistrict, for the change on the board
    last = dict(
        BranchRating.objects.filter(  # unscoped: last year's final stars of the same subdistrict
            round__node=subdistrict, round__year=scheme.year - 1, status="final"
        ).values_list("branch_id", "stars")
    )
    with transaction.atomic():
        try:
            with transaction.atomic():
                rnd = RatingRound.objects.create(
                    node=subdistrict,
                    scheme=scheme,
                    year=scheme.year,
                    notice_days=notice_days,
                    created_by=actor,
                )
        except IntegrityError:
            raise PartyError.conflict("round_exists", _("This year's round is already open.")) from None
        RatingScheme.objects.filter(pk=scheme.pk).update(frozen=True)  # unscoped: the scheme just checked
        ratings = BranchRating.objects.bulk_create(
            BranchRating(round=rnd, branch=b, node=b.node, previous_stars=last.get(b.pk)) for b in branches
        )
        RatingLine.objects.bulk_create(RatingLine(rating=r, item=i) for r in ratings for i in items)
        audit_record(
            actor=actor, action="partywork.round_open", target=rnd, node=subdistrict, branches=len(ratings)
        )
    for rating in ratings:
        rating.round = rnd
        evidence_refresh(actor=actor, rating=rating)
    return rnd


def evidence_refresh(*, actor: User, rating: BranchRating) -> BranchRating:
    """Measure the automatic items again (the figure and its source) and offer their points to a branch that
    has not given its own yet."""
    if not (rules.manages.test(actor, rating) or rules.is_branch_secretary.test(actor, rating)):
        raise PartyError.forbidden()
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):  # stored in the site's language
        for line in rating.lines.select_related("item").exclude(item__source=ItemSource.MANUAL):
            figure, source = measure(line.item.source, fetched_by=actor, rating=rating)
            suggested = suggested_points(figure, max_points=line.item.max_points, full_at=line.item.full_at)
            changes: dict[str, Any] = {"measured": figure, "measured_source": source[:160]}
            if line.self_points is None and suggested is not None and rating.status == RatingStatus.DRAFT:
                changes["self_points"] = suggested
            RatingLine.objects.filter(pk=line.pk).update(**changes)  # unscoped: a line of a rating in scope
    return rating


def rating_self_assess(
    *,
    actor: User,
    rating: BranchRating,
    points: dict[int, Any],
    notes: dict[int, str] | None = None,
    files: dict[int, Any] | None = None,
    innovation_project: str | None = None,
    summary: str | None = None,
) -> BranchRating:
    """The branch's own points per item, with evidence (a note, a document or photo), while in draft."""
    if not rules.is_branch_secretary.test(actor, rating):
        raise PartyError.forbidden(_("Only the branch's secretary assesses the branch."))
    if rating.status != RatingStatus.DRAFT:
        raise PartyError.wrong_state(_("The self-assessment has been handed in."))
    notes, files = notes or {}, files or {}
    lines = {line.pk: line for line in rating.lines.select_related("item")}
    clean: dict[int, Decimal] = {}
    for key, raw in points.items():
        line = lines.get(int(key))
        if line is None:
            raise PartyError.invalid(_("Unknown item."), field="points")
        if raw is None or str(raw).strip() == "":
            continue
        try:
            value = Decimal(str(raw).strip())
        except (InvalidOperation, ValueError):
            raise PartyError.invalid(_("Give a number."), field="points") from None
        if not value.is_finite() or not 0 <= value <= line.item.max_points or value != value.quantize(CENT):
            raise PartyError.invalid(
                _("%(item)s: give 0 to %(max)s points.")
                % {"item": line.item.name, "max": line.item.max_points},
                field="points",
            )
        clean[line.pk] = value
    for key, note in notes.items():
        if int(key) not in lines or len(note or "") > 300:
            raise PartyError.invalid(_("Evidence notes are at most 300 characters."), field="notes")
    if innovation_project is not None and len(innovation_project.strip()) > 120:
        raise PartyError.invalid(_("At most 120 characters."), field="innovation_project")
    if summary is not None and len(summary.strip()) > 500:
        raise PartyError.invalid(_("At most 500 characters."), field="summary")
    checked_files = {}
    for key, upload in files.items():
        if int(key) not in lines:
            raise PartyError.invalid(_("Unknown item."), field="files")
        checked_files[int(key)] = _evidence_file(upload)
    with transaction.atomic():
        # unscoped: the compare-and-set on the rating fetched in scope, still in draft
        if not BranchRating.objects.filter(pk=rating.pk, status=RatingStatus.DRAFT).update(
            version=F("version") + 1,
            **({"innovation_project": innovation_project.strip()} if innovation_project is not None else {}),
            **({"self_summary": summary.strip()} if summary is not None else {}),
        ):
            raise PartyError.wrong_state(_("The self-assessment has been handed in."))
        for pk, value in clean.items():
            RatingLine.objects.filter(pk=pk).update(self_points=value)  # unscoped: a line of this rating
        for pk, note in notes.items():
            RatingLine.objects.filter(pk=int(pk)).update(
                evidence_note=(note or "").strip()
            )  # unscoped: as above
        for pk, content in checked_files.items():
            line = lines[pk]
            line.evidence_file.save(content.name, content, save=False)
            RatingLine.objects.filter(pk=pk).update(
                evidence_file=line.evidence_file.name
            )  # unscoped: as above
    rating.refresh_from_db()
    return rating


PDF_MAGIC = b"%PDF-"


def _evidence_file(upload: Any) -> Any:
    """A photo (checked and re-encoded like every photo) or a PDF of at most 10 MB."""
    head = upload.read(5)
    upload.seek(0)
    if head == PDF_MAGIC:
        if upload.size > 10 * 1024 * 1024:
            raise PartyError.invalid(_("A document is at most 10 MB."), field="file")
        return upload
    try:
        content, _w, _h = clean_photo(upload)
    except ValidationError as exc:
        raise PartyError("bad_file", "；".join(exc.messages)) from None
    return content


def round_notice(*, actor: User, rnd: RatingRound) -> RatingRound:
    """Put the round on public notice: every branch's stars computed at once (bands, the condition, the
    quota), each rating moved to notice. Every rating must have been rechecked."""
    _committee_over(actor, rnd.node)
    if rnd.status != RoundStatus.OPEN:
        raise PartyError.wrong_state(_("The round is not open."))
    ratings = list(rnd.ratings.select_related("node", "round__scheme"))
    waiting = [r for r in ratings if r.status != RatingStatus.RECHECKED]
    if waiting:
        raise PartyError.conflict(
            "not_rechecked", _("%(n)s branches have not been scored and rechecked yet.") % {"n": len(waiting)}
        )
    scheme = rnd.scheme
    awards = award(
        [Candidate(r.pk, r.total or Decimal(0), bool(r.innovation_project)) for r in ratings],
        bands=scheme.bands,
        five_star_quota=scheme.five_star_quota,
        needs_innovation=scheme.five_star_needs_innovation,
    )
    now = timezone.now()
    with transaction.atomic():
        # unscoped: the compare-and-set on the round fetched in scope
        if not RatingRound.objects.filter(pk=rnd.pk, status=RoundStatus.OPEN).update(
            status=RoundStatus.NOTICE, notice_from=now, notice_until=now + timedelta(days=rnd.notice_days)
        ):
            raise PartyError.wrong_state(_("The round is not open."))
        for r in ratings:
            a = awards[r.pk]
            rating_transition(actor=actor, rating=r, action="notice", award=(a.stars, a.capped_by))
        audit_record(actor=actor, action="partywork.round_notice", target=rnd, node=rnd.node)
    rnd.refresh_from_db()
    return rnd


def objection_raise(*, actor: User, rating: BranchRating, text: str) -> RatingObjection:
    if rating.status != RatingStatus.NOTICE:
        raise PartyError.wrong_state(_("Objections are taken while the result is on public notice."))
    text = (text or "").strip()
    if not text or len(text) > 500:
        raise PartyError.invalid(_("Say what the objection is (at most 500 characters)."), field="text")
    return RatingObjection.objects.create(rating=rating, node=rating.node, raised_by=actor, text=text)


def objection_answer(*, actor: User, objection: RatingObjection, answer: str) -> RatingObjection:
    _committee_over(actor, objection.node)
    answer = (answer or "").strip()
    if not answer or len(answer) > 500:
        raise PartyError.invalid(_("Write the answer (at most 500 characters)."), field="answer")
    with transaction.atomic():
        # unscoped: the compare-and-set on an objection fetched in scope
        if not RatingObjection.objects.filter(pk=objection.pk, answered_by__isnull=True).update(
            answer=answer, answered_by=actor, answered_at=timezone.now()
        ):
            raise PartyError.conflict("answered", _("This objection has been answered already."))
        audit_record(actor=actor, action="partywork.objection_answer", target=objection, node=objection.node)
    objection.refresh_from_db()
    return objection


def round_finalise(*, actor: User, rnd: RatingRound, now: Any = None) -> RatingRound:
    """After the notice period, with every objection answered: the stars are final and the year's budgets
    follow them."""
    _committee_over(actor, rnd.node)
    now = now or timezone.now()
    if rnd.status != RoundStatus.NOTICE:
        raise PartyError.wrong_state(_("The round is not on public notice."))
    if rnd.notice_until and now < rnd.notice_until:
        raise PartyError.conflict(
            "notice_running",
            _("The public notice runs until %(d)s.")
            % {"d": f"{timezone.localtime(rnd.notice_until):%Y-%m-%d %H:%M}"},
        )
    # unscoped: the round's objections, counted for the committee that runs it
    if RatingObjection.objects.filter(rating__round=rnd, answered_by__isnull=True).exists():
        raise PartyError.conflict("objections_open", _("Answer every objection before the result is final."))
    with transaction.atomic():
        # unscoped: the compare-and-set on the round fetched in scope
        if not RatingRound.objects.filter(pk=rnd.pk, status=RoundStatus.NOTICE).update(
            status=RoundStatus.CLOSED
        ):  # unscoped: CAS
            raise PartyError.wrong_state()
        for r in rnd.ratings.filter(status=RatingStatus.NOTICE).select_related("node"):
            rating_transition(actor=actor, rating=r, action="finalise")
        audit_record(actor=actor, action="partywork.round_finalise", target=rnd, node=rnd.node)
        budgets_from_stars(actor=actor, subdistrict=rnd.node, year=rnd.year)
    rnd.refresh_from_db()
    return rnd


def rating_decide_appeal(*, actor: User, rating: BranchRating, note: str, stars: Any = None) -> BranchRating:
    """The committee's answer to a branch's appeal; a change of stars carries into the budget."""
    rating = rating_transition(actor=actor, rating=rating, action="decide", note=note, stars=stars)
    budgets_from_stars(
        actor=actor, subdistrict=rating.round.node, year=rating.round.year, branch_ids=[rating.branch_id]
    )
    return rating


# --- 6. funding -----------------------------------------------------------------------------------------------


def budgets_from_stars(
    *, actor: User, subdistrict: Node, year: int, branch_ids: list[int] | None = None
) -> list[Budget]:
    """Each branch's budget for ``year`` from the rules: the base (a compound branch at least the compound
    base) plus the amount for its final stars. Grants and spending are kept."""
    _committee_over(actor, subdistrict)
    policy = policy_for(subdistrict)
    # unscoped: final stars of the committee's own subdistrict
    stars = dict(
        # unscoped: final stars of the committee's own subdistrict
        BranchRating.objects.filter(round__node=subdistrict, round__year=year, status="final").values_list(
            "branch_id", "stars"
        )
    )
    result = []
    with transaction.atomic():
        for branch in branches_under(subdistrict):
            if branch_ids is not None and branch.pk not in branch_ids:
                continue
            base = policy.compound_base if branch.node.kind == NodeKind.COMPOUND else policy.other_base
            level = stars.get(branch.pk)
            extra = Decimal(str(policy.star_amounts.get(str(level), "0"))) if level else Decimal(0)
            # unscoped: the committee's own branches' budgets
            budget = Budget.objects.select_for_update().filter(branch=branch, year=year).first()
            if budget is None:
                budget = Budget.objects.create(
                    branch=branch, node=branch.node, year=year, base=base, stars=level, star_amount=extra
                )
            else:
                if budget.spent > base + extra + budget.grants:
                    raise PartyError.conflict(
                        "below_spent",
                        _("%(b)s has already spent more than the new budget.") % {"b": branch.name},
                    )
                Budget.objects.filter(pk=budget.pk).update(  # unscoped: the row locked above
                    base=base, stars=level, star_amount=extra, version=F("version") + 1
                )
                budget.refresh_from_db()
            result.append(budget)
        audit_record(actor=actor, action="partywork.budgets", target=subdistrict, node=subdistrict, year=year)
    return result


def grant_add(*, actor: User, budget: Budget, amount: Any, source: str, kind: str = GrantKind.GRANT) -> Grant:
    """A grant or a requested increase: counts once someone else has approved it."""
    if not rules.manages.test(actor, budget):
        raise PartyError.forbidden()
    if kind not in GrantKind.values:
        raise PartyError.invalid(_("Unknown kind."), field="kind")
    source = (source or "").strip()
    if not source or len(source) > 120:
        raise PartyError.invalid(
            _("Say where the money comes from (at most 120 characters)."), field="source"
        )
    return Grant.objects.create(
        budget=budget, node=budget.node, kind=kind, amount=_yuan(amount), source=source, entered_by=actor
    )


def grant_decide(*, actor: User, grant: Grant, approve: bool) -> Grant:
    if not rules.manages.test(actor, grant) or grant.entered_by_id == actor.pk:
        raise PartyError.forbidden(_("Someone other than the person who entered it approves it."))
    with transaction.atomic():
        # unscoped: the budget of a grant fetched in scope, locked
        Budget.objects.select_for_update().get(pk=grant.budget_id)
        status = EntryStatus.APPROVED if approve else EntryStatus.REJECTED
        # unscoped: the compare-and-set on the grant fetched in scope
        if not Grant.objects.filter(pk=grant.pk, status=EntryStatus.PROPOSED).update(
            status=status, decided_by=actor
        ):
            raise PartyError.wrong_state()
        if approve:
            Budget.objects.filter(pk=grant.budget_id).update(  # unscoped: locked above
                grants=F("grants") + grant.amount, version=F("version") + 1
            )
        audit_record(actor=actor, action=f"partywork.grant_{status}", target=grant, node=grant.node)
    grant.refresh_from_db()
    return grant


def expense_enter(
    *,
    actor: User,
    budget: Budget,
    amount: Any,
    category: str,
    purpose: str,
    receipt: Any,
    spent_on: date | None = None,
    linked_to: str = "",
) -> Expense:
    """An expense with its receipt: refused when its category is forbidden or it would exceed the budget
    (counting expenses still awaiting approval)."""
    if not rules.enters_for_branch.test(actor, budget):
        raise PartyError.forbidden()
    money = _yuan(amount)
    if category not in ExpenseCategory.values:
        raise PartyError.invalid(_("Choose a category."), field="category")
    policy = policy_for(subdistrict_of(budget.node))
    if category in policy.forbidden_categories:
        raise PartyError.invalid(
            _("The subdistrict does not allow party-work funds for %(c)s.")
            % {"c": ExpenseCategory(category).label},
            field="category",
            code="forbidden_category",
        )
    purpose = (purpose or "").strip()
    if not purpose or len(purpose) > 200:
        raise PartyError.invalid(_("Say what it was for (at most 200 characters)."), field="purpose")
    linked_to = (linked_to or "").strip()
    if len(linked_to) > 40:
        raise PartyError.invalid(_("At most 40 characters."), field="linked_to")
    today = timezone.localdate()
    spent_on = spent_on or today
    if spent_on > today or spent_on.year != budget.year:
        raise PartyError.invalid(
            _("The date is in the budget's year and not in the future."), field="spent_on"
        )
    if receipt is None:
        raise PartyError.invalid(_("Add the receipt (a photo or a PDF)."), field="receipt")
    content = _evidence_file(receipt)
    with transaction.atomic():
        # unscoped: the budget fetched in scope, locked while the expense is checked against it
        locked = Budget.objects.select_for_update().get(pk=budget.pk)
        # unscoped: the budget's expenses awaiting approval
        pending = Expense.objects.filter(budget=locked, status="entered").aggregate(s=Sum("amount"))["s"] or 0
        if locked.spent + pending + money > locked.total:
            raise PartyError.conflict(
                "over_budget",
                _(
                    "The balance is %(b)s yuan (%(p)s awaiting approval); an approved increase is needed first."
                )
                % {"b": locked.balance, "p": pending},
            )
        expense = Expense(
            budget=locked,
            branch_id=locked.branch_id,
            node=locked.node,
            amount=money,
            category=category,
            purpose=purpose,
            spent_on=spent_on,
            linked_to=linked_to,
            entered_by=actor,
        )
        expense.receipt.save(content.name, content, save=False)
        expense.save()
        ExpenseEvent.objects.create(
            expense=expense, actor=actor, action="enter", from_status="", to_status="entered"
        )
        audit_record(
            actor=actor,
            action="partywork.expense_enter",
            target=expense,
            node=expense.node,
            amount=str(money),
        )
    return expense


# --- 4. member points -----------------------------------------------------------------------------------------


def _first_of_month(day: date) -> date:
    return day.replace(day=1)


def points_propose(
    *,
    actor: User,
    membership: PartyMembership,
    rule: MemberPointsRule,
    month: date,
    units: int = 1,
    note: str = "",
    source_ref: str = "",
) -> MemberPointsEntry:
    """A line of a member's month under a rule (deductions negative), proposed by the branch's secretary or
    staff over the branch; it counts once someone else approves it."""
    branch = membership.party_org
    placed = _Placed(branch.node, branch.pk)
    if not (rules.is_branch_secretary.test(actor, placed) or rules.manages.test(actor, placed)):
        raise PartyError.forbidden()
    if not rule.node.path or not branch.node.path.startswith(rule.node.path):
        raise PartyError.invalid(_("The rule is not one of this branch's subdistrict."), field="rule")
    if not 1 <= units <= 100:
        raise PartyError.invalid(_("Give from 1 to 100 units."), field="units")
    if month.year < 2000 or month > timezone.localdate():
        raise PartyError.invalid(_("Give a month that has begun."), field="month")
    month = _first_of_month(month)
    note = (note or "").strip()
    if len(note) > 200:
        raise PartyError.invalid(_("At most 200 characters."), field="note")
    points = rule.points * units
    if rule.monthly_cap is not None:
        # unscoped: the member's month, for the cap of a rule
        so_far = (
            MemberPointsEntry.objects.filter(  # unscoped: the member's month, for the cap of a rule
                membership=membership, month=month, rule=rule, status__in=["proposed", "approved"]
            ).aggregate(p=Sum("points"))["p"]
            or 0
        )
        room = rule.monthly_cap - abs(so_far)
        if room <= 0:
            raise PartyError.conflict("cap_reached", _("This rule's monthly cap is reached."))
        points = min(points, room)
    signed = -points if rule.kind == PointsKind.DEDUCTION else points
    try:
        with transaction.atomic():
            entry = MemberPointsEntry.objects.create(
                membership=membership,
                member=membership.person.user,
                node=branch.node,
                month=month,
                rule=rule,
                units=units,
                points=signed,
                note=note,
                source_ref=source_ref,
                proposed_by=actor,
            )
    except IntegrityError:
        raise PartyError.conflict("duplicate", _("This has been recorded already.")) from None
    return entry


def points_decide(*, actor: User, entry: MemberPointsEntry, approve: bool) -> MemberPointsEntry:
    placed = _Placed(entry.node, entry.membership.party_org_id)
    if entry.proposed_by_id == actor.pk:
        raise PartyError.forbidden(_("Someone other than the proposer approves points."))
    if not rules.manages.test(actor, placed) or (
        rules.is_branch_member.test(actor, placed) and not rules.is_branch_secretary.test(actor, placed)
    ):
        raise PartyError.forbidden()
    status = EntryStatus.APPROVED if approve else EntryStatus.REJECTED
    with transaction.atomic():
        # unscoped: the compare-and-set on an entry fetched in scope
        if not MemberPointsEntry.objects.filter(pk=entry.pk, status=EntryStatus.PROPOSED).update(
            status=status, decided_by=actor, decided_at=timezone.now()
        ):
            raise PartyError.wrong_state(_("This entry has been decided already."))
        audit_record(actor=actor, action=f"partywork.points_{status}", target=entry, node=entry.node)
    entry.refresh_from_db()
    return entry


def points_from_volunteering(
    *, actor: User, membership: PartyMembership, month: date, hours: Decimal
) -> MemberPointsEntry | None:
    """Propose the points for volunteer hours not yet credited (``hours``: the member's confirmed hours in
    all, from volunteering). Each whole hour is credited once."""
    subdistrict = subdistrict_of(membership.party_org.node)
    # unscoped: the subdistrict's rule for volunteer hours
    rule = MemberPointsRule.objects.filter(node=subdistrict, source="volunteer_hours").first()
    if rule is None:
        return None
    # unscoped: the member's own history of credited hours
    credited = (
        # unscoped: the member's history of credited hours
        MemberPointsEntry.objects.filter(membership=membership, rule=rule)
        .exclude(status="rejected")
        .aggregate(u=Sum("units"))["u"]
        or 0
    )
    new = int(hours) - credited
    if new <= 0:
        return None
    return points_propose(
        actor=actor,
        membership=membership,
        rule=rule,
        month=month,
        units=min(new, 100),
        note=_("Volunteer hours %(from)s–%(to)s") % {"from": credited, "to": credited + min(new, 100)},
        source_ref=f"volunteering:{credited + min(new, 100)}",
    )


def peer_evaluate(*, actor: User, membership: PartyMembership, year: int, grade: str) -> PeerEvaluation:
    branch = membership.party_org
    placed = _Placed(branch.node, branch.pk)
    if not (rules.is_branch_secretary.test(actor, placed) or rules.manages.test(actor, placed)):
        raise PartyError.forbidden()
    if grade not in PeerGrade.values:
        raise PartyError.invalid(_("Choose a grade."), field="grade")
    if not 2000 <= year <= timezone.localdate().year:
        raise PartyError.invalid(_("Give a year that has begun."), field="year")
    try:
        with transaction.atomic():
            return PeerEvaluation.objects.create(
                membership=membership,
                member=membership.person.user,
                node=branch.node,
                year=year,
                grade=grade,
                recorded_by=actor,
            )
    except IntegrityError:
        raise PartyError.conflict(
            "duplicate", _("This member's evaluation for the year is recorded.")
        ) from None


# --- 7. training ------------------------------------------------------------------------------------------------


def course_create(*, actor: User, node: Node, name: str, series: str = "") -> Course:
    if not rules.manages.test(actor, _Placed(node)):
        raise PartyError.forbidden()
    name, series = (name or "").strip(), (series or "").strip()
    if not name or len(name) > 80 or len(series) > 40:
        raise PartyError.invalid(_("Name the course (at most 80 characters)."), field="name")
    return Course.objects.create(node=node, name=name, series=series, created_by=actor)


def session_create(
    *,
    actor: User,
    course: Course,
    title: str,
    mode: str,
    starts_at: Any,
    minutes: int,
    stream_url: str = "",
    place: str = "",
) -> TrainingSession:
    if not rules.manages.test(actor, course):
        raise PartyError.forbidden()
    title = (title or "").strip()
    if not title or len(title) > 80:
        raise PartyError.invalid(_("Give the session a title (at most 80 characters)."), field="title")
    if mode not in SessionMode.values:
        raise PartyError.invalid(_("Choose in person or live."), field="mode")
    if not 1 <= minutes <= 600:
        raise PartyError.invalid(_("A session lasts from 1 to 600 minutes."), field="minutes")
    stream_url = (stream_url or "").strip()
    if mode == SessionMode.LIVE and not (stream_url.startswith("https://") and len(stream_url) <= 300):
        raise PartyError.invalid(_("A live session needs the stream's https address."), field="stream_url")
    if len(place) > 80:
        raise PartyError.invalid(_("At most 80 characters."), field="place")
    return TrainingSession.objects.create(
        course=course,
        node=course.node,
        title=title,
        mode=mode,
        starts_at=starts_at,
        minutes=minutes,
        stream_url=stream_url if mode == SessionMode.LIVE else "",
        place=place.strip(),
    )


def _attendance(session: TrainingSession, user: User) -> Attendance:
    # unscoped: the user's own attendance row
    row, _created = Attendance.objects.get_or_create(
        session=session,
        user=user,
        defaults={"node": session.node, "year": timezone.localtime(session.starts_at).year},
    )
    return row


# One statement per beat: the member's attendance row is made on the first beat and credited in the same
# INSERT … ON CONFLICT DO UPDATE, which locks the row, so concurrent beats (two tabs, a retry) see each other's
# credit; RETURNING gives the minutes so far. Measured 3-4 round trips before (bench/partywork.py).
HEARTBEAT_SQL = """
INSERT INTO partywork_attendance AS a (session_id, user_id, node_id, year, minutes, last_credit_at, checked_in)
VALUES (%(session)s, %(user)s, %(node)s, %(year)s, %(first)s, %(first_at)s, %(false)s)
ON CONFLICT (session_id, user_id) DO UPDATE SET
    minutes = CASE WHEN %(credit)s AND a.minutes < %(cap)s
        AND (a.last_credit_at IS NULL OR a.last_credit_at <= %(since)s) THEN a.minutes + 1 ELSE a.minutes END,
    last_credit_at = CASE WHEN %(credit)s AND a.minutes < %(cap)s
        AND (a.last_credit_at IS NULL OR a.last_credit_at <= %(since)s) THEN %(now)s ELSE a.last_credit_at END
RETURNING minutes
"""


def session_heartbeat(*, user: User, session: TrainingSession, visible: bool, now: Any = None) -> int:
    """One beat of an open live page: a minute is credited when the stream is visible, while the session
    runs, at most once in any 55 seconds (two tabs of the same member earn once), at most the session's
    length. Returns the minutes credited so far."""
    if session.mode != SessionMode.LIVE:
        raise PartyError.invalid(_("Only live sessions count minutes from the page."), field="session")
    now = now or timezone.now()
    end = session.starts_at + timedelta(minutes=session.minutes)
    credit = bool(visible and session.starts_at <= now <= end + timedelta(minutes=1))
    connection = connections[router.db_for_write(Attendance)]
    adapt = connection.ops.adapt_datetimefield_value
    params = {
        "session": session.pk,
        "user": user.pk,
        "node": session.node_id,
        "year": timezone.localtime(session.starts_at).year,
        "first": 1 if credit else 0,
        "first_at": adapt(now) if credit else None,
        "false": False,
        "credit": credit,
        "cap": session.minutes,
        "since": adapt(now - timedelta(seconds=55)),
        "now": adapt(now),
    }
    with connection.cursor() as cursor:
        cursor.execute(HEARTBEAT_SQL, params)
        row = cursor.fetchone()
    return int(row[0])


def session_check_in(*, user: User, session: TrainingSession, code: str, now: Any = None) -> Attendance:
    """An in-person check-in by scanning the session's code: the whole session is credited once."""
    from gongzhi.partywork.checkin import code_valid

    if session.mode != SessionMode.IN_PERSON:
        raise PartyError.invalid(_("Join a live session from its page."), field="session")
    if not code_valid(session.pk, code, now=now):
        raise PartyError.invalid(_("This code has expired; scan the code on the screen again."), field="code")
    row = _attendance(session, user)
    # unscoped: the user's own attendance row
    Attendance.objects.filter(pk=row.pk, checked_in=False).update(checked_in=True, minutes=session.minutes)
    row.refresh_from_db()
    return row


def secretary_posts() -> tuple[str, ...]:
    return (MemberPost.SECRETARY,)
