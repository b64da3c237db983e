"""Every write to appeals: intake and the transitions of the tiered workflow."""

import dataclasses
import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gongzhi.accounts.models import Person, RoleBinding, User
from gongzhi.appeals.categories import URGENT_WORDS
from gongzhi.appeals.errors import AppealError, conflict, wrong_state
from gongzhi.appeals.models import (
    TIER_ORDER,
    Appeal,
    AppealEvent,
    AppealPhoto,
    Category,
    Channel,
    PhotoKind,
    Rating,
    SlaPolicy,
    SlaUnit,
    Status,
    Tier,
)
from gongzhi.appeals.rules import handles, is_filer, rating_window
from gongzhi.appeals.workflow import TRANSITIONS
from gongzhi.core.images import clean_photo
from gongzhi.core.roles import CASEWORK_ROLES, NEIGHBOUR_ROLES, Role
from gongzhi.core.scoping import has_role
from gongzhi.core.workdays import add_working_days, workday_overrides
from gongzhi.notifications.services import Message, notify, notify_many, notify_person
from gongzhi.orgs.models import GovernanceTeam, Node, NodeKind, OrgUnit
from gongzhi.triage.services import auto_apply_threshold, category_suggestion
from gongzhi.triage.tasks import flag_duplicates

DEFAULT_SLA = {"accept": (1, SlaUnit.WORKING_DAYS), "resolve": (5, SlaUnit.WORKING_DAYS)}


# --- where an appeal is handled ----------------------------------------------------------------


@dataclasses.dataclass
class _Lookups:
    """What a batch of transitions (the SLA sweep) reads again and again, loaded once for the batch."""

    nodes: dict[str, Node]  # every ancestor of the batch's appeals, by path
    categories: dict[int, Category] = dataclasses.field(default_factory=dict)
    policies: list[SlaPolicy] | None = None  # None: ask the database
    handlers: dict[int, list[User]] = dataclasses.field(default_factory=dict)
    workdays: dict[date, bool] | None = None  # None: ask the database

    @staticmethod
    def ancestors(nodes: list[Node]) -> dict[str, Node]:
        paths = {p for n in nodes for p in n.ancestor_paths()}
        return {n.path: n for n in Node.objects.filter(path__in=paths)}

    @classmethod
    def for_sweep(cls, appeals: list[Appeal]) -> "_Lookups":
        nodes = cls.ancestors([a.node for a in appeals])
        return cls(
            nodes=nodes,
            categories={c.pk: c for c in Category.objects.all()},
            policies=list(SlaPolicy.objects.all()),
            # An escalated appeal's handlers now and next are staff of it or one of its ancestors.
            handlers=handlers_at({n.pk for n in nodes.values()} | {a.handling_node_id for a in appeals}),
            workdays=workday_overrides(),
        )

    @classmethod
    def for_intake(cls, node: Node) -> "_Lookups":
        return cls(nodes=cls.ancestors([node]))


_lookups: ContextVar[_Lookups | None] = ContextVar("appeal_lookups", default=None)


@contextmanager
def _read_once(make: Callable[[], _Lookups]) -> Iterator[None]:
    """Within the block, lookups come from what ``make`` loads (unless an outer block already loaded them)."""
    if _lookups.get() is not None:
        yield
        return
    token = _lookups.set(make())
    try:
        yield
    finally:
        _lookups.reset(token)


def _ancestor_of_kind(node: Node, kind: str) -> Node | None:
    if node.kind == kind:
        return node
    cache = _lookups.get()
    ancestors = node.ancestor_paths()
    if cache is not None and all(p in cache.nodes for p in ancestors):
        return next((cache.nodes[p] for p in ancestors if cache.nodes[p].kind == kind), None)
    return node.ancestor_of_kind(kind)


def handling_node_for(node: Node, tier: str) -> Node:
    target = _ancestor_of_kind(node, tier)
    if target is None:
        raise AppealError("no_tier", _("This place has no %(tier)s above it.") % {"tier": tier})
    return target


# --- SLA ---------------------------------------------------------------------------------------


def sla_policy(*, appeal: Appeal, tier: str | None = None) -> tuple[tuple[int, str], tuple[int, str]]:
    """(accept limit, unit), (resolve limit, unit): the most specific policy for the appeal's category and
    ``tier`` (default: the tier it is at)."""
    tier = tier or appeal.tier
    subdistrict = _ancestor_of_kind(appeal.node, NodeKind.SUBDISTRICT)
    cache = _lookups.get()
    categories: list[int] = []
    category = appeal.category
    while category is not None:
        categories.append(category.pk)
        if cache is not None and category.parent_id in cache.categories:
            category = cache.categories[category.parent_id]
        else:
            category = category.parent
    candidates: Any
    if cache is not None and cache.policies is not None:
        candidates = [
            p
            for p in cache.policies
            if (p.subdistrict_id is None or (subdistrict is not None and p.subdistrict_id == subdistrict.pk))
            and (p.category_id is None or p.category_id in categories)
            and p.tier in ("", tier)
        ]
    else:
        candidates = SlaPolicy.objects.filter(
            Q(subdistrict__isnull=True) | Q(subdistrict=subdistrict),
            Q(category__isnull=True) | Q(category_id__in=categories),
            Q(tier="") | Q(tier=tier),
        )

    def specificity(policy: SlaPolicy) -> tuple[int, int, int]:
        depth = len(categories) - categories.index(policy.category_id) if policy.category_id else 0
        return (depth, bool(policy.tier), bool(policy.subdistrict_id))

    best = max(candidates, key=specificity, default=None)
    if best is None:
        return DEFAULT_SLA["accept"], DEFAULT_SLA["resolve"]
    return (best.accept_limit, best.accept_unit), (best.resolve_limit, best.resolve_unit)


def deadline(start: datetime, limit: int, unit: str) -> datetime:
    if unit == SlaUnit.HOURS:
        return start + timedelta(hours=limit)
    cache = _lookups.get()
    return add_working_days(start, limit, cache.workdays if cache is not None else None)


# --- intake --------------------------------------------------------------------------------------


def _may_file_at(actor: User, node: Node) -> bool:
    if has_role(actor, CASEWORK_ROLES, at_path=node.path):
        return True
    return has_role(actor, NEIGHBOUR_ROLES, at_path=node.path)


def appeal_submit(
    *,
    actor: User,
    node: Node,
    title: str,
    body: str,
    category: Category | None = None,
    channel: str = Channel.WEB,
    resident: Person | None = None,
    lat: float | None = None,
    lng: float | None = None,
    hidden_from_neighbours: bool = False,
    client_key: str = "",
) -> tuple[Appeal, bool]:
    """File an appeal at the compound it concerns. Returns (appeal, created): a repeated client key
    returns the appeal it first created, so a double tap is one appeal."""
    client_key = (client_key or "").strip()[:64]
    if client_key:
        existing = Appeal.objects.filter(submitted_by=actor, client_key=client_key).first()
        if existing is not None:
            return existing, False
    if node.kind not in (NodeKind.COMPOUND, NodeKind.BUILDING):
        raise ValidationError({"node": _("Choose the compound or building the problem is in.")})
    if not _may_file_at(actor, node):
        raise PermissionDenied(_("You cannot file an appeal for this place."))
    staff = has_role(actor, CASEWORK_ROLES, at_path=node.path)
    if channel not in Channel.values:
        raise ValidationError({"channel": _("Unknown channel.")})
    if not staff and channel not in (Channel.WEB, Channel.API, Channel.OPEN311):
        raise ValidationError({"channel": _("Only staff record walk-in, phone and door-to-door appeals.")})
    if resident is not None and not staff and resident.user_id != actor.pk:
        raise PermissionDenied(_("You can only file appeals for yourself."))
    if resident is None and not staff:
        resident = Person.objects.filter(user=actor).first()
    if (lat is None) != (lng is None) or (lat is not None and not (-90 <= lat <= 90 and -180 <= lng <= 180)):  # type: ignore[operator]
        raise ValidationError({"lat": _("Give both latitude and longitude, or neither.")})
    title, body = (title or "").strip(), (body or "").strip()
    if not title or not body:
        raise ValidationError({"title": _("Say briefly what the problem is, and give the details.")})
    with _read_once(lambda: _Lookups.for_intake(node)):
        now = timezone.now()
        suggested, confidence = category_suggestion(
            title=title, body=body, subdistrict=_ancestor_of_kind(node, NodeKind.SUBDISTRICT)
        )
        auto = category is None and suggested is not None and (confidence or 0) >= auto_apply_threshold()
        appeal = Appeal(
            node=node,
            handling_node=handling_node_for(node, Tier.COMPOUND),
            tier=Tier.COMPOUND,
            category=suggested if auto else category,
            category_auto=auto,
            category_confirmed=staff and category is not None,
            suggested_category=suggested,
            suggestion_confidence=confidence,
            title=title[:120],
            body=body[:5000],
            channel=channel,
            lat=lat,
            lng=lng,
            hidden_from_neighbours=hidden_from_neighbours,
            resident=resident,
            submitted_by=actor,
            client_key=client_key,
            created_at=now,
        )
        (accept_limit, accept_unit), _resolve = sla_policy(appeal=appeal)
        appeal.accept_due = deadline(now, accept_limit, accept_unit)
        try:
            with transaction.atomic():
                appeal.save()
                AppealEvent.objects.create(
                    appeal=appeal,
                    actor=actor,
                    action="submit",
                    to_status=appeal.status,
                    to_tier=appeal.tier,
                    detail={"channel": channel}
                    | (
                        {"suggested": suggested.pk, "confidence": confidence, "auto": auto}
                        if suggested
                        else {}
                    ),
                    at=now,
                )
                transaction.on_commit(lambda: _look_for_duplicates(appeal.pk))
        except IntegrityError:
            # Two requests with the same client key raced; the other one won.
            if client_key:
                return Appeal.objects.get(submitted_by=actor, client_key=client_key), False
            raise
        return appeal, True


def _look_for_duplicates(appeal_id: int) -> None:
    try:
        flag_duplicates(appeal_id)
    except Exception:  # the queue being down must not undo an acknowledged appeal
        logging.getLogger(__name__).exception("could not queue the duplicate check of appeal %s", appeal_id)


# --- transitions -----------------------------------------------------------------------------------


def _check_actor(appeal: Appeal, actor: User | None, by: str) -> None:
    if actor is None:
        if "system" not in by:
            raise PermissionDenied(_("This action needs a person."))
        return
    if by == "resident":
        if not is_filer(actor, appeal):
            raise PermissionDenied(_("Only the resident who filed the appeal can do this."))
        return
    if not handles(actor, appeal):
        raise PermissionDenied(_("This appeal is handled at another level."))


@transaction.atomic
def appeal_transition(*, actor: User | None, appeal: Appeal, action: str, **payload: Any) -> Appeal:
    """Apply ``action`` to ``appeal``: check the rule, compare-and-set, append the event."""
    spec = TRANSITIONS.get(action)
    if spec is None:
        raise AppealError("unknown_action", _("Unknown action."))
    if appeal.status not in spec.sources:
        raise wrong_state()
    for field in spec.needs:
        value = payload.get(field)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ValidationError({field: _("This field is required.")})
    _check_actor(appeal, actor, spec.by)

    now = timezone.now()
    note = (payload.get("note") or "").strip()[:5000]
    changes: dict[str, Any] = {}
    detail: dict[str, Any] = {}
    target = spec.target or appeal.status
    from_status, from_tier = appeal.status, appeal.tier
    to_tier = appeal.tier
    missed_by = None  # where an appeal was when its deadline ran out (the sweep escalates it)

    if action == "accept":
        _accept, (resolve_limit, resolve_unit) = sla_policy(appeal=appeal)
        changes.update(accepted_at=now, resolve_due=deadline(now, resolve_limit, resolve_unit))
        if appeal.category_id and not appeal.category_auto:
            changes["category_confirmed"] = True  # a person chose it and the handler accepted it as is
        if appeal.first_accepted_at is None:
            changes["first_accepted_at"] = now
    elif action == "provide_info":
        target = Status.ACCEPTED if appeal.accepted_at else Status.SUBMITTED
    elif action == "assign":
        changes.update(_assignee(appeal, payload))
        detail = {k: v.pk for k, v in changes.items() if v is not None}
    elif action == "escalate":
        position = TIER_ORDER.index(Tier(appeal.tier))
        if position == len(TIER_ORDER) - 1:
            raise AppealError(
                "top_tier", _("The subdistrict is the last level; this appeal cannot go higher.")
            )
        to_tier = TIER_ORDER[position + 1]
        handling = handling_node_for(appeal.node, to_tier)
        (accept_limit, accept_unit), _resolve = sla_policy(appeal=appeal, tier=to_tier)
        changes.update(
            tier=to_tier,
            handling_node=handling,
            accept_due=deadline(now, accept_limit, accept_unit),
            resolve_due=None,
            accepted_at=None,
            assignee_user=None,
            assignee_unit=None,
            assignee_team=None,
        )
        detail = {"overdue": bool(payload.get("overdue"))}
        if detail["overdue"]:
            missed_by = appeal.handling_node_id
    elif action == "transfer":
        changes.update(transferred_to=str(payload["transferred_to"]).strip()[:120])
    elif action == "merge":
        into = payload["merge_into"]
        if not isinstance(into, Appeal):
            raise ValidationError({"merge_into": _("Choose the appeal to merge into.")})
        if into.pk == appeal.pk or not into.is_open:
            raise ValidationError({"merge_into": _("Merge into another appeal that is still open.")})
        if _ancestor_of_kind(into.node, NodeKind.SUBDISTRICT) != _ancestor_of_kind(
            appeal.node, NodeKind.SUBDISTRICT
        ):
            raise ValidationError({"merge_into": _("Only appeals of the same subdistrict can be merged.")})
        if actor is not None and not Appeal.objects.visible_to(actor, "handle").filter(pk=into.pk).exists():
            raise ValidationError({"merge_into": _("Merge into another appeal that is still open.")})
        changes.update(merged_into=into, closed_at=now)
        detail = {"merged_into": into.pk}
    elif action == "resolve":
        changes.update(reply=str(payload["reply"]).strip()[:5000], resolved_at=now, resolved_tier=appeal.tier)
        note = note or changes["reply"]
    elif action == "rate":
        rating = payload["rating"]
        if rating not in (Rating.SATISFIED, Rating.BASICALLY_SATISFIED, Rating.DISSATISFIED):
            raise ValidationError({"rating": _("Choose satisfied, basically satisfied or dissatisfied.")})
        if appeal.resolved_at and now > appeal.resolved_at + rating_window():
            raise AppealError("rating_closed", _("The time to rate this appeal has passed."))
        comment = str(payload.get("comment") or "").strip()[:500]
        detail = {"rating": rating, "comment": comment}
        if rating == Rating.DISSATISFIED and appeal.reopened_count == 0:
            # Dissatisfied reopens once, at the same tier; staff may escalate from there.
            _accept, (resolve_limit, resolve_unit) = sla_policy(appeal=appeal)
            target = Status.ACCEPTED
            changes.update(
                reopened_count=1,
                resolve_due=deadline(now, resolve_limit, resolve_unit),
                resolved_at=None,
                resolved_tier="",
            )
            detail["reopened"] = True
        else:
            target = Status.CLOSED
            changes.update(rating=rating, rating_comment=comment, rated_at=now, closed_at=now)
        note = note or comment
    elif action == "categorise":
        category = payload["category"]
        if not isinstance(category, Category):
            raise ValidationError({"category": _("Unknown category.")})
        changes.update(category=category, category_confirmed=True, category_auto=False)
        detail = {
            "from": appeal.category_id,
            "to": category.pk,
            "suggested": appeal.suggested_category_id,
            "confidence": appeal.suggestion_confidence,
        }
    elif action == "close":
        if appeal.resolved_at and now <= appeal.resolved_at + rating_window():
            raise AppealError("rating_open", _("The resident can still rate this appeal."))
        changes.update(rating=Rating.NOT_RATED, closed_at=now)

    updated = Appeal.objects.filter(pk=appeal.pk, version=appeal.version, status=from_status).update(
        status=target, version=appeal.version + 1, **changes
    )
    if updated != 1:
        raise conflict()
    AppealEvent.objects.create(
        appeal=appeal,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=target,
        from_tier=from_tier,
        to_tier=to_tier,
        note=note,
        public=spec.public,
        detail=detail,
        at=now,
    )
    # The compare-and-set succeeded, so the row is what we had plus these changes.
    for name, value in changes.items():
        setattr(appeal, name, value)
    appeal.status, appeal.version = target, appeal.version + 1
    _tell(appeal, action, actor)
    if missed_by is not None:
        # Those who had it hear that it went past its deadline and up a level.
        notify(
            recipients=_handlers(missed_by),
            kind="appeal.overdue",
            title=gettext_noop("An appeal passed its deadline and went to the next level"),
            body=appeal.title,
            link=f"/appeals/{appeal.pk}/",
            dedupe_key=f"appeal:{appeal.pk}:overdue:{from_tier}:{appeal.version}",
        )
    return appeal


RESIDENT_MESSAGES = {
    "accept": gettext_noop("Your appeal has been accepted"),
    "request_info": gettext_noop("Please add information to your appeal"),
    "resolve": gettext_noop("Your appeal has been resolved: please rate how it was handled"),
}


def _resident_user(appeal: Appeal) -> User | None:
    if appeal.resident is not None and appeal.resident.user_id:
        return appeal.resident.user
    submitter = appeal.submitted_by
    if submitter is not None and not has_role(submitter, CASEWORK_ROLES, at_path=appeal.node.path):
        return submitter
    return None


def handlers_at(node_ids: Iterable[int]) -> dict[int, list[User]]:
    """Active staff bound exactly at each of these nodes, by node (one query)."""
    found: dict[int, dict[int, User]] = {pk: {} for pk in node_ids}
    for binding in RoleBinding.objects.filter(
        node_id__in=found, role__in=CASEWORK_ROLES, user__is_active=True
    ).select_related("user"):
        found[binding.node_id][binding.user_id] = binding.user
    return {pk: list(users.values()) for pk, users in found.items()}


def handlers_of(appeal: Appeal) -> list[User]:
    """Staff bound exactly at the node that handles the appeal now (its commissioner, community or subdistrict)."""
    return _handlers(appeal.handling_node_id)


def _handlers(node_id: int) -> list[User]:
    cache = _lookups.get()
    if cache is not None and node_id in cache.handlers:
        return cache.handlers[node_id]
    users = handlers_at([node_id])[node_id]
    if cache is not None:
        cache.handlers[node_id] = users
    return users


def _tell(appeal: Appeal, action: str, actor: User | None) -> None:
    link = f"/appeals/{appeal.pk}/"
    if action in RESIDENT_MESSAGES:
        resident = _resident_user(appeal)
        if resident is None and appeal.resident is not None and not appeal.resident.user_id:
            # Filed by staff for someone in the register without an account: a text message.
            notify_person(
                person=appeal.resident,
                kind=f"appeal.{action}",
                title=RESIDENT_MESSAGES[action],
                body=appeal.title,
                dedupe_key=f"appeal:{appeal.pk}:{action}:{appeal.version}",
            )
        elif resident is not None and resident != actor:
            notify(
                recipients=[resident],
                kind=f"appeal.{action}",
                title=RESIDENT_MESSAGES[action],
                body=appeal.title,
                link=link,
                dedupe_key=f"appeal:{appeal.pk}:{action}:{appeal.version}",
                sms=True,
            )
    elif action == "assign" and appeal.assignee_user is not None and appeal.assignee_user != actor:
        notify(
            recipients=[appeal.assignee_user],
            kind="appeal.assigned",
            title=gettext_noop("An appeal was assigned to you"),
            body=appeal.title,
            link=link,
            dedupe_key=f"appeal:{appeal.pk}:assign:{appeal.version}",
        )
    elif action == "escalate":
        notify(
            recipients=[u for u in handlers_of(appeal) if u != actor],
            kind="appeal.escalated",
            title=gettext_noop("An appeal was escalated to you"),
            body=appeal.title,
            link=link,
            dedupe_key=f"appeal:{appeal.pk}:escalate:{appeal.version}",
        )


def _assignee(appeal: Appeal, payload: dict[str, Any]) -> dict[str, Any]:
    user, unit, team = (
        payload.get("assignee_user"),
        payload.get("assignee_unit"),
        payload.get("assignee_team"),
    )
    if sum(x is not None for x in (user, unit, team)) != 1:
        raise ValidationError(
            {"assignee": _("Assign to one person, one of the compound's parties or one team.")}
        )
    compound = handling_node_for(appeal.node, Tier.COMPOUND)
    if unit is not None and (not isinstance(unit, OrgUnit) or unit.node_id != compound.pk):
        raise ValidationError(
            {"assignee": _("Choose the property manager or owners' committee of this compound.")}
        )
    if team is not None and (not isinstance(team, GovernanceTeam) or team.node_id != compound.pk):
        raise ValidationError({"assignee": _("Choose a team of this compound.")})
    if user is not None:
        roles = CASEWORK_ROLES | {Role.PROPERTY_MANAGER, Role.OWNERS_COMMITTEE}
        if not isinstance(user, User) or not has_role(user, roles, at_path=appeal.node.path):
            raise ValidationError({"assignee": _("This person does not work on this compound.")})
    return {"assignee_user": user, "assignee_unit": unit, "assignee_team": team}


# --- SLA sweep ---------------------------------------------------------------------------------


def _overdue(now: datetime) -> Q:
    return Q(status=Status.SUBMITTED, accept_due__lt=now) | Q(
        status__in=[Status.ACCEPTED, Status.ASSIGNED, Status.INFO_REQUESTED], resolve_due__lt=now
    )


def _batches(appeals: Any, size: int) -> Iterator[list[Appeal]]:
    """The rows of ``appeals`` in lists of ``size``. The ids are read first, unordered: a server-side
    cursor over the model's default order made PostgreSQL walk the whole table by date to find a few rows."""
    ids = list(appeals.order_by().values_list("pk", flat=True))
    for start in range(0, len(ids), size):
        yield list(appeals.order_by().filter(pk__in=ids[start : start + size]))


def appeals_sla_sweep(*, now: datetime | None = None, batch: int = 500) -> dict[str, int]:
    """Escalate every open appeal past its deadline to the next tier, recording why; tell the staff who
    had it. Appeals already at the subdistrict stay where they are (KPIs count them as late); its staff
    are told once per deadline. Remind handlers of what falls due within GONGZHI_SLA_REMINDER_HOURS."""
    now = now or timezone.now()

    def due(appeal: Appeal) -> str:
        return "accept" if appeal.status == Status.SUBMITTED else "resolve"

    escalated = skipped = 0
    overdue = (
        Appeal.objects.filter(_overdue(now)).exclude(tier=Tier.SUBDISTRICT).select_related("node", "category")
    )
    for appeals in _batches(overdue, batch):
        with _read_once(lambda: _Lookups.for_sweep(appeals)):  # noqa: B023 - used within the iteration
            for appeal in appeals:
                try:
                    appeal_transition(
                        actor=None,
                        appeal=appeal,
                        action="escalate",
                        overdue=True,
                        note=_("Escalated automatically: the time to %(what)s ran out.")
                        % {"what": _("accept") if due(appeal) == "accept" else _("resolve")},
                    )
                    escalated += 1
                except AppealError:
                    skipped += 1  # changed by someone else meanwhile, or no higher tier
    # The subdistrict is the last level: past a deadline there, its staff are told once per deadline.
    late_at_top = _tell_handlers(
        Appeal.objects.filter(_overdue(now), tier=Tier.SUBDISTRICT),
        batch,
        kind="appeal.overdue",
        title=gettext_noop("An appeal is past its deadline"),
        key=lambda a: (
            f"overdue:{a.tier}:{due(a)}:{(a.accept_due if due(a) == 'accept' else a.resolve_due):%Y%m%d%H%M}"
        ),
    )
    soon = now + timedelta(hours=getattr(settings, "GONGZHI_SLA_REMINDER_HOURS", 4))
    reminded = _tell_handlers(
        Appeal.objects.filter(
            Q(status=Status.SUBMITTED, accept_due__gte=now, accept_due__lt=soon)
            | Q(status__in=[Status.ACCEPTED, Status.ASSIGNED], resolve_due__gte=now, resolve_due__lt=soon)
        ),
        batch,
        kind="appeal.due_soon",
        title=gettext_noop("An appeal is nearly due"),
        key=lambda a: f"due:{a.tier}:{due(a)}",
    )
    return {"escalated": escalated, "skipped": skipped, "reminded": reminded, "late": late_at_top}


def _tell_handlers(appeals: Any, batch: int, *, kind: str, title: str, key: Callable[[Appeal], str]) -> int:
    """Message the handlers of each of ``appeals``, once per appeal and ``key``. Every sweep sees the same
    appeals again: a batch reads its handlers in one query, and ``notify_many`` skips what was sent."""
    told = 0
    fields = ("pk", "title", "status", "tier", "handling_node_id", "accept_due", "resolve_due")
    for rows in _batches(appeals.only(*fields), batch):
        handlers = handlers_at({a.handling_node_id for a in rows})
        with transaction.atomic():
            told += len(
                notify_many(
                    Message(
                        recipient=user,
                        kind=kind,
                        title=title,
                        body=appeal.title,
                        link=f"/appeals/{appeal.pk}/",
                        dedupe_key=f"appeal:{appeal.pk}:{key(appeal)}",
                    )
                    for appeal in rows
                    for user in handlers[appeal.handling_node_id]
                )
            )
    return told


def subdistrict_of(node: Node) -> Node | None:
    return _ancestor_of_kind(node, NodeKind.SUBDISTRICT)


def category_for(*, subdistrict: Node | None, category_id: int | None) -> Category | None:
    if category_id is None:
        return None
    category = Category.objects.filter(
        Q(subdistrict__isnull=True) | Q(subdistrict=subdistrict), pk=category_id, is_active=True
    ).first()
    if category is None:
        raise ValidationError({"category": _("Unknown category.")})
    return category


MAX_PHOTOS = 9


@transaction.atomic
def appeal_photo_add(
    *, actor: User, appeal: Appeal, upload: Any, kind: str = PhotoKind.REPORT
) -> AppealPhoto:
    """Attach a photo: the resident while the appeal is open, handling staff as evidence."""
    staff = handles(actor, appeal)
    if kind == PhotoKind.REPORT and not (is_filer(actor, appeal) or staff):
        raise PermissionDenied(_("Only the resident who filed the appeal can add photos to it."))
    if kind == PhotoKind.EVIDENCE and not staff:
        raise PermissionDenied(_("This appeal is handled at another level."))
    if not appeal.is_open and appeal.status != Status.RESOLVED:
        raise wrong_state()
    # Lock the appeal row so two uploads cannot both pass the count check.
    Appeal.objects.select_for_update().filter(pk=appeal.pk).first()
    if appeal.photos.count() >= MAX_PHOTOS:
        raise ValidationError({"photos": _("At most %(n)s photos per appeal.") % {"n": MAX_PHOTOS}})
    content, width, height = clean_photo(upload)
    photo = AppealPhoto(appeal=appeal, kind=kind, width=width, height=height, uploaded_by=actor)
    photo.image.save(content.name, content, save=False)
    photo.save()
    AppealEvent.objects.create(
        appeal=appeal,
        actor=actor,
        action="photo",
        from_status=appeal.status,
        to_status=appeal.status,
        from_tier=appeal.tier,
        to_tier=appeal.tier,
        detail={"photo": photo.pk, "kind": kind},
    )
    return photo


# --- a subdistrict's own categories ----------------------------------------------------------------


def _may_edit_categories(actor: User, subdistrict: Node) -> bool:
    return subdistrict.kind == NodeKind.SUBDISTRICT and has_role(
        actor, {Role.SUBDISTRICT_ADMIN}, at_path=subdistrict.path
    )


@transaction.atomic
def category_add(*, actor: User, subdistrict: Node, parent: Category | None, name: str) -> Category:
    """Add an entry to a subdistrict's own part of the tree, under a shared or own entry (or at the top)."""
    if not _may_edit_categories(actor, subdistrict):
        raise PermissionDenied(_("Only the subdistrict's administrators change its categories."))
    name = (name or "").strip()
    if not name or len(name) > 60:
        raise ValidationError({"name": _("Give the category a name of at most 60 characters.")})
    if parent is not None:
        if parent.subdistrict_id not in (None, subdistrict.pk) or not parent.is_active:
            raise ValidationError({"parent": _("Unknown category.")})
        if parent.level >= 3:
            raise ValidationError(
                {"parent": _("The tree has three levels; choose a first- or second-level entry.")}
            )
    siblings = Category.objects.filter(
        Q(subdistrict__isnull=True) | Q(subdistrict=subdistrict), parent=parent
    )
    if siblings.filter(name=name).exists():
        raise ValidationError({"name": _("There is already a category of this name here.")})
    return Category.objects.create(
        subdistrict=subdistrict,
        parent=parent,
        level=parent.level + 1 if parent else 1,
        name=name,
        urgent=any(w in name for w in URGENT_WORDS),
    )


def category_set_active(*, actor: User, category: Category, active: bool) -> Category:
    """Retire (or bring back) one of the subdistrict's own entries; appeals filed under it keep it."""
    subdistrict = category.subdistrict
    if subdistrict is None or not _may_edit_categories(actor, subdistrict):
        raise PermissionDenied(_("Only the subdistrict's administrators change its categories."))
    Category.objects.filter(pk=category.pk).update(is_active=active)
    category.is_active = active
    return category
