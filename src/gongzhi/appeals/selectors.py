"""Reads of appeals for the UI and API, scoped to the user asking."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Person, RoleBinding, User
from gongzhi.appeals.categories import category_top_names
from gongzhi.appeals.contact import SELF_FILED
from gongzhi.appeals.errors import AppealError
from gongzhi.appeals.models import (
    OPEN_STATUS_ORDER,
    Appeal,
    AppealEvent,
    AppealSubscription,
    AppealSupport,
    Category,
    CategoryTree,
    Channel,
    Status,
    assigned_to_party,
)
from gongzhi.appeals.rules import compound_path, is_assignee, rating_window, works_on
from gongzhi.appeals.triage import duplicate_pool, pool_texts, rank_duplicates
from gongzhi.core.roles import CASEWORK_ROLES, NEIGHBOUR_ROLES, Role
from gongzhi.core.scoping import (
    PATH_STEP,
    belonging_paths,
    has_role,
    reach_paths,
    rows_matching_any,
    subtree_in,
    subtree_q,
)
from gongzhi.orgs.models import GovernanceTeamMember, Node, NodeKind, OrgUnit, OrgUnitKind
from gongzhi.triage.hot import MAX_APPEALS, HotIssue, Item, Weights, hot_issues

# Reaches with at least this many appeals walk the date index in order (checking each row's place);
# smaller ones gather their rows through the place index and sort them.
WALK_FROM = 2_000


def _large_reach(user: User) -> bool:
    paths = reach_paths(user, CASEWORK_ROLES)
    if not paths or user.is_superuser:
        return False
    # unscoped: how many appeals lie in the user's own reach, counted up to WALK_FROM from the place index
    return Appeal.objects.filter(subtree_in("node", paths)).order_by()[:WALK_FROM].count() >= WALK_FROM


def appeal_list(*, fetched_by: User, status: str | None = None, tier: str | None = None) -> QuerySet[Appeal]:
    """Appeals in the user's reach and their own, newest first."""
    qs = Appeal.objects.visible_to(fetched_by, "view", in_order=_large_reach(fetched_by)).select_related(
        "node", "handling_node", "category", "suggested_category"
    )
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUS_ORDER)
    elif status:
        qs = qs.filter(status=status)
    if tier:
        qs = qs.filter(tier=tier)
    return qs


def appeals_waiting_for(*, fetched_by: User) -> dict[str, int]:
    """How many of the user's own appeals wait for them, by status: to add information, to be rated.
    Own: filed for them, or filed by them for themselves (not by staff on someone's behalf)."""
    own = Appeal.objects.visible_to(fetched_by, "view").filter(
        Q(resident__user=fetched_by)
        | Q(submitted_by=fetched_by, channel__in=[Channel.WEB, Channel.API, Channel.OPEN311])
    )
    waiting = own.filter(
        Q(status=Status.INFO_REQUESTED)
        | Q(status=Status.PROPOSED)  # reported done: the resident may rate it now
        | Q(status=Status.RESOLVED, resolved_at__gte=timezone.now() - rating_window())
    )
    counts = dict(waiting.order_by().values_list("status").annotate(n=Count("pk")))
    # To rate: resolved, or reported done by the party it was handed to.
    counts["resolved"] = counts.get("resolved", 0) + counts.pop("proposed", 0)
    return counts


HANDLING_KINDS = ("compound", "community", "subdistrict")
MAX_LISTED_NODES = 5000
# Up to this many handling nodes, a page of the queue is read as one ordered index walk per node, merged
# (``UNION ALL … ORDER BY``): it reads the page's entries of each node and nothing of the others. A
# community holds about a dozen such nodes, a subdistrict a few dozen.
MERGED_QUEUE_NODES = 64
_QUEUE_ORDER = ("accept_due", "resolve_due", "id")


def appeal_queue(*, fetched_by: User) -> QuerySet[Appeal]:
    """Open appeals the user can act on now: handled at a node in their casework reach, soonest due first.

    Appeals are handled only at compounds, communities and subdistricts, so a reach has few such nodes
    (a community: about a dozen). Listing them gives the planner an exact, small set; a join on the path
    let it misjudge small communities and walk the due-date index instead (docs/benchmarks.md).
    """
    paths = reach_paths(fetched_by, CASEWORK_ROLES)
    handling: list[int] = []
    # unscoped: narrowed below to the handling nodes in the user's casework reach
    qs = Appeal.objects.filter(status__in=OPEN_STATUS_ORDER)
    if not fetched_by.is_superuser:
        if not paths:
            return qs.none()
        handling = list(
            # unscoped: nodes under the user's casework reach (subtree_q)
            Node.objects.filter(subtree_q(None, paths), kind__in=HANDLING_KINDS).values_list("pk", flat=True)[
                : MAX_LISTED_NODES + 1
            ]
        )
        if len(handling) <= MAX_LISTED_NODES:
            qs = qs.filter(handling_node_id__in=handling)
        else:  # a whole district: the join reads fine at that size
            qs = qs.filter(subtree_q("handling_node", paths))
    qs = qs.select_related("node", "handling_node", "category", "suggested_category").order_by(*_QUEUE_ORDER)
    if not fetched_by.is_superuser and 1 < len(handling) <= MERGED_QUEUE_NODES:
        # Read by core.pagination.page_by_ids; a further filter on ``qs`` makes a new queryset without it.
        qs.page_ids = partial(_queue_page_ids, handling)  # type: ignore[attr-defined]
    return qs


def _queue_page_ids(handling: list[int], offset: int, limit: int) -> list[int]:
    """The ids of the queue's rows ``offset`` to ``offset + limit`` over ``handling`` (node ids): each node's
    open appeals come in queue order from ``appeal_open_by_node_due``, and the merge stops at the page."""
    # unscoped: one branch per handling node in the user's casework reach (appeal_queue)
    base = Appeal.objects.filter(status__in=OPEN_STATUS_ORDER)
    return _merged_page_ids(base, "handling_node_id", handling, _QUEUE_ORDER, offset, limit)


def _merged_page_ids(
    base: QuerySet[Appeal], field: str, nodes: list[int], order: tuple[str, ...], offset: int, limit: int
) -> list[int]:
    """The ids of rows ``offset`` to ``offset + limit`` of ``base`` over ``nodes`` in ``order`` (ending with
    the id): one branch per node (``field`` = node), each read in ``order`` from an index that leads with the
    node, merged. SQLite merges the branches of an ordered ``UNION ALL`` as they come and stops at the
    page; PostgreSQL does not merge them, so each branch stops at the page's end in its own order and only
    those rows are sorted."""
    rows = base.order_by().values_list(*[name.lstrip("-") for name in order])
    branches = [rows.filter(**{field: node}) for node in nodes]
    if not branches:
        return []
    if connection.vendor != "sqlite" or len(branches) == 1:
        branches = [b.order_by(*order)[: offset + limit] for b in branches]
    if len(branches) == 1:
        return [row[-1] for row in branches[0][offset : offset + limit]]
    merged = branches[0].union(*branches[1:], all=True).order_by(*order)
    return [row[-1] for row in merged[offset : offset + limit]]


def category_trees_for(user: User) -> list[str]:
    """The category trees a user files and sorts under: everyone the compound tree; the subdistrict's
    administrators (who pass work beyond the subdistrict) the hotline's taxonomy too."""
    wide = user.is_superuser or has_role(user, {Role.SUBDISTRICT_ADMIN})
    return [CategoryTree.COMPOUND, CategoryTree.HOTLINE] if wide else [CategoryTree.COMPOUND]


def category_choices(
    *, subdistrict: Node | None, trees: Sequence[str] = (CategoryTree.COMPOUND, CategoryTree.HOTLINE)
) -> list[tuple[Category, list[Category]]]:
    """First-level categories with their second-level entries, of ``trees`` in that order: the shared
    trees and the subdistrict's own entries."""
    rows = list(
        Category.objects.filter(
            Q(subdistrict__isnull=True) | Q(subdistrict=subdistrict),
            is_active=True,
            level__lte=2,
            tree__in=list(trees),
        ).order_by("level", "name")
    )
    order = {tree: n for n, tree in enumerate(trees)}
    # The compound tree in its own order (as the CSV lists it: the commonest work first), the hotline's
    # by name.
    rows.sort(key=lambda c: (c.level, order[c.tree], c.pk if c.tree == CategoryTree.COMPOUND else 0, c.name))
    children: dict[int, list[Category]] = {}
    for c in rows:
        if c.level == 2 and c.parent_id is not None:
            children.setdefault(c.parent_id, []).append(c)
    return [(c, children.get(c.pk, [])) for c in rows if c.level == 1]


def editable_subdistricts(*, fetched_by: User) -> list[Node]:
    """Subdistricts whose own categories the user may change (their administrators)."""
    # unscoped: narrowed to the user's reach as subdistrict administrator below
    subdistricts = Node.objects.filter(kind=NodeKind.SUBDISTRICT).order_by("path")
    if fetched_by.is_superuser:
        return list(subdistricts)
    paths = reach_paths(fetched_by, {Role.SUBDISTRICT_ADMIN})
    return list(subdistricts.filter(subtree_q(None, paths))) if paths else []


def own_categories(*, subdistrict: Node) -> list[Category]:
    return list(
        Category.objects.filter(subdistrict=subdistrict).select_related("parent").order_by("level", "name")
    )


def own_category_get(*, subdistrict: Node, pk: int) -> Category:
    return get_object_or_404(Category, subdistrict=subdistrict, pk=pk)


def appeal_get(*, fetched_by: User, pk: int) -> Appeal:
    """One appeal the user may read: their own, one they handle or are assigned, or a neighbour's public
    one in their compound."""
    qs = Appeal.objects.visible_to(fetched_by, "read").select_related(
        "node",
        "handling_node",
        "category",
        "suggested_category",
        "assignee_unit__node",
        "assignee_user",
        "assignee_team",
        "merged_into",
        "resident",
        "submitted_by",
    )
    return get_object_or_404(qs, pk=pk)


def readable(*, fetched_by: User, pk: int | None) -> Appeal | None:
    """The appeal if the user may read it (e.g. the one another was merged into), else None."""
    if pk is None:
        return None
    return Appeal.objects.visible_to(fetched_by, "read").filter(pk=pk).first()


def readable_ids(*, fetched_by: User, ids: list[int]) -> set[int]:
    """Which of ``ids`` the user may read."""
    return set(Appeal.objects.visible_to(fetched_by, "read").filter(pk__in=ids).values_list("pk", flat=True))


def last_question(appeal: Appeal) -> AppealEvent | None:
    """What the handlers last asked the resident (shown above the answer box)."""
    return appeal.events.filter(action="request_info").order_by("-at", "-id").first()


def own_appeals(*, fetched_by: User, status: str | None = None) -> QuerySet[Appeal]:
    """The appeals a resident filed (or that staff recorded for them), newest first."""
    # Found through the filer's and the register's indexes (``id IN (… UNION ALL …)``): an OR of the two
    # with a join let SQLite walk a staff member's whole reach to find their own (530 ms for a subdistrict
    # administrator's appeals menu at 100,000 appeals).
    # unscoped: the user's own entry in the register
    mine = Person.objects.filter(user_id=fetched_by.pk).values("pk")
    own = rows_matching_any(Appeal, [Q(submitted_by_id=fetched_by.pk), Q(resident__in=mine)])
    qs = (
        Appeal.objects.visible_to(fetched_by, "view")
        .filter(pk__in=own)
        .select_related("node", "handling_node", "category")
        .order_by("-created_at", "-id")
    )
    return _with_status(qs, status)


def assigned_to_me(*, fetched_by: User, status: str | None = "open") -> QuerySet[Appeal]:
    """The work of a party (property manager, owners' committee) or a team member: appeals assigned to the
    user by name or to a party they work for, at every compound where they do."""
    qs = (
        Appeal.objects.visible_to(fetched_by, "view")
        .filter(Q(assignee_user=fetched_by) | assigned_to_party(fetched_by))
        .select_related("node", "handling_node", "category", "assignee_unit")
        .order_by("resolve_due", "id")
    )
    return _with_status(qs, status)


def has_assigned_work(user: User) -> bool:
    """Whether the user works for a compound's party or has ever been assigned an appeal by name."""
    if any(reach_paths(user, {role}) for role in (Role.PROPERTY_MANAGER, Role.OWNERS_COMMITTEE)):
        return True
    # unscoped: whether any appeal names the user as its assignee
    return Appeal.objects.filter(assignee_user=user).exists()


def public_appeals(*, fetched_by: User, status: str | None = "open") -> QuerySet[Appeal]:
    """The appeals neighbours may see: those open to neighbours in the compounds the user lives in, most
    supported first."""
    compounds = belonging_paths(fetched_by, "compound", NEIGHBOUR_ROLES)
    if not compounds:
        return Appeal.objects.none()
    qs = (
        Appeal.objects.visible_to(fetched_by, "read")
        .filter(subtree_q("node", compounds), hidden_from_neighbours=False)
        .exclude(status=Status.MERGED)
        .select_related("node", "category")
        .order_by(*_PUBLIC_ORDER)
    )
    qs = _with_status(qs, status)
    if status == "open":
        places = list(
            # unscoped: the places (compound and buildings) of the compounds the user lives in
            Node.objects.filter(subtree_q(None, compounds)).values_list("pk", flat=True)[: MERGED_PLACES + 1]
        )
        if len(places) <= MERGED_PLACES:
            # Read by core.pagination.page_by_ids; a further filter on ``qs`` makes a new queryset without it.
            qs.page_ids = partial(_public_page_ids, places)  # type: ignore[attr-defined]
    return qs


_PUBLIC_ORDER = ("-support_up", "-created_at", "-id")
# Up to this many places (a compound and its buildings), a page of the neighbours' list is one ordered walk
# of ``appeal_public_open`` per place, merged, as the queue does per handling node.
MERGED_PLACES = 64


def _public_page_ids(places: list[int], offset: int, limit: int) -> list[int]:
    """The ids of the neighbours' list's rows ``offset`` to ``offset + limit`` over ``places`` (node ids):
    each place's open public appeals come most supported first from ``appeal_public_open`` (walked
    backwards), and the merge stops at the page, whatever the number of the compound's open appeals.
    Support is a count no single index keeps in order across a compound's buildings; a sort of them all
    grew with the compound (a query sorting 6,000 rows for 25 at 100,000 appeals)."""
    # unscoped: one branch per place of the compounds the user lives in, open to neighbours (public_appeals)
    base = Appeal.objects.filter(status__in=OPEN_STATUS_ORDER, hidden_from_neighbours=False)
    return _merged_page_ids(base, "node_id", places, _PUBLIC_ORDER, offset, limit)


def similar_public_appeals(
    *, fetched_by: User, node: Node, title: str, body: str, limit: int = 3
) -> list[tuple[Appeal, float]]:
    """Open appeals of the place's compound, open to neighbours, that tell the same problem as what the
    user is about to file (so they can add their support instead), most similar first."""
    if not (title or body) or node.kind not in (NodeKind.COMPOUND, NodeKind.BUILDING):
        return []
    compound = node.path[:-PATH_STEP] if node.kind == NodeKind.BUILDING else node.path
    pool = (
        public_appeals(fetched_by=fetched_by, status="open")
        .filter(subtree_q("node", [compound]))
        .exclude(Q(submitted_by=fetched_by) | Q(resident__user=fetched_by))
    )
    draft = Appeal(title=title, body=body, node=node, created_at=timezone.now())
    ranked = rank_duplicates(draft, pool_texts(pool), limit=limit)
    found = pool.order_by().in_bulk([row.pk for row, _score in ranked])
    return [(found[row.pk], score) for row, score in ranked if row.pk in found]


def _with_status(qs: QuerySet[Appeal], status: str | None) -> QuerySet[Appeal]:
    if status == "open":
        return qs.filter(status__in=OPEN_STATUS_ORDER)
    if status == "to_rate":
        return qs.filter(status__in=[Status.RESOLVED, Status.PROPOSED])
    if status in Status.values:
        return qs.filter(status=status)
    return qs


def supported_ids(*, fetched_by: User, appeals: list[Appeal]) -> set[int]:
    """Which of ``appeals`` the user supports."""
    ids = [a.pk for a in appeals]
    return set(
        AppealSupport.objects.filter(user=fetched_by, appeal_id__in=ids).values_list("appeal_id", flat=True)
    )


def follows(*, fetched_by: User, appeal: Appeal) -> bool:
    return AppealSubscription.objects.filter(user=fetched_by, appeal=appeal).exists()


def appeal_followers(appeal: Appeal) -> list[User]:
    """Who asked to hear how the appeal goes (besides its filer)."""
    ids = AppealSubscription.objects.filter(appeal=appeal).values_list("user_id", flat=True)
    return list(User.objects.filter(pk__in=ids, is_active=True))


@dataclass
class TimelineEntry:
    event: AppealEvent
    by: str  # who took the step: a role and a name for staff, the role only for residents

    def __getattr__(self, name: str) -> Any:  # the event's own fields (at, action, note …)
        return getattr(self.event, name)


def _roles_near(actor_ids: set[int], path: str) -> dict[int, str]:
    """For each actor, the label of the role they hold at the appeal's place or above it (the nearest)."""
    prefixes = [path[:i] for i in range(PATH_STEP, len(path) + 1, PATH_STEP)]
    # unscoped: the roles of the people who took steps on an appeal the user already reads
    rows = RoleBinding.objects.filter(user_id__in=actor_ids, node__path__in=prefixes).values_list(
        "user_id", "role", "node__path"
    )
    best: dict[int, tuple[int, str]] = {}
    for user_id, role, node_path in rows:
        if role in (Role.RESIDENT, Role.VOLUNTEER, Role.PARTY_MEMBER):
            continue
        if user_id not in best or len(node_path) > best[user_id][0]:
            best[user_id] = (len(node_path), str(Role(role).label))
    return {user_id: label for user_id, (_n, label) in best.items()}


def appeal_timeline(*, fetched_by: User, appeal: Appeal) -> list[TimelineEntry]:
    """The appeal's history with who took each step; residents see only the public entries, and staff by
    their role (not their name)."""
    events = list(appeal.events.select_related("actor"))
    insider = (
        works_on.test(fetched_by, appeal) or is_assignee.test(fetched_by, appeal) or fetched_by.is_superuser
    )
    if not insider:
        events = [e for e in events if e.public]
    actors = {e.actor_id for e in events if e.actor_id is not None}
    roles = _roles_near(actors, compound_path(appeal))
    resident, unit = appeal.resident, appeal.assignee_unit
    filer_ids = {appeal.submitted_by_id, resident.user_id if resident is not None else None}
    party_name = unit.name if unit is not None else ""
    entries = []
    for e in events:
        if e.actor_id is None:
            by = _("The system")
        elif e.actor_id in filer_ids and e.actor_id not in roles:
            by = _("The resident")
        else:
            role = roles.get(e.actor_id) or (party_name if e.action in ("propose", "hand_back") else "")
            role = role or _("Staff")
            by = f"{role} · {e.actor}" if insider and e.actor is not None else role
        entries.append(TimelineEntry(e, by))
    return entries


@dataclass
class AssignChoice:
    value: str  # "unit:7", "user:12": what the form sends
    label: str


def assignment_choices(*, fetched_by: User, appeal: Appeal) -> list[tuple[str, list[AssignChoice]]]:
    """Whom an appeal within a compound can be given to: the compound's property manager and owners'
    committee, the members of its governance team who have an account, and the casework staff at the
    compound and above it. Grouped for a <select>; people named with their account so that two of the
    same name can be told apart."""
    compound = appeal.node.ancestor_of_kind(NodeKind.COMPOUND)
    if compound is None:
        return []
    # unscoped: the parties of the compound of an appeal the user handles
    units = [AssignChoice(f"unit:{u.pk}", u.name) for u in OrgUnit.objects.filter(node=compound)]
    # unscoped: the compound's governance team members with an account
    members = GovernanceTeamMember.objects.filter(team__node=compound, person__user__is_active=True)
    people: dict[int, AssignChoice] = {}
    for m in members.select_related("person__user").order_by("post", "id"):
        user = m.person.user
        if user is None:
            continue
        people.setdefault(
            user.pk,
            AssignChoice(f"user:{user.pk}", f"{m.person.name} · {m.get_post_display()} ({user.username})"),
        )
    prefixes = [compound.path[:i] for i in range(PATH_STEP, len(compound.path) + 1, PATH_STEP)]
    # unscoped: casework staff bound at the compound or above it (who could take it themselves)
    staff = RoleBinding.objects.filter(
        node__path__in=prefixes, role__in=CASEWORK_ROLES, user__is_active=True
    ).select_related("user", "node")
    for b in staff.order_by("-node__depth", "user__username")[:100]:
        label = f"{b.user} · {b.get_role_display()} ({b.user.username})"
        people.setdefault(b.user_id, AssignChoice(f"user:{b.user_id}", label))
    groups = []
    if units:
        groups.append((_("The compound's parties"), units))
    if people:
        groups.append((_("A person"), list(people.values())))
    return groups


def compound_party(*, appeal: Appeal, kind: str) -> OrgUnit:
    """The property manager or owners' committee (``kind``) of the appeal's compound."""
    compound = appeal.node.ancestor_of_kind(NodeKind.COMPOUND)
    # unscoped: the party of the compound of an appeal the user handles
    unit = OrgUnit.objects.filter(node=compound, kind=kind).select_related("node").first()
    if unit is None:
        raise AppealError.invalid(
            _("%(place)s has no %(party)s on record.")
            % {"place": compound.name if compound else appeal.node.name, "party": OrgUnitKind(kind).label},
            field="assignee",
        )
    return unit


def bulk_assignment_choices(*, fetched_by: User) -> list[tuple[str, list[AssignChoice]]]:
    """For assigning several appeals at once from the queue: the kinds of party (each appeal goes to its
    own compound's) and the colleagues in the user's reach, named with their account."""
    from gongzhi.orgs.selectors import colleagues_for_assignment

    parties = [
        AssignChoice("party:property_manager", _("Each compound's property manager")),
        AssignChoice("party:owners_committee", _("Each compound's owners' committee")),
    ]
    paths = reach_paths(fetched_by, CASEWORK_ROLES)
    above = {p[:i] for p in paths for i in range(PATH_STEP, len(p), PATH_STEP)}
    # unscoped: casework staff bound above the user's reach (whom work can be passed to as well)
    higher = RoleBinding.objects.filter(
        node__path__in=above, role__in=CASEWORK_ROLES, user__is_active=True
    ).select_related("user")
    users = {u.pk: u for u in colleagues_for_assignment(user=fetched_by)}
    users |= {b.user_id: b.user for b in higher[:200]}
    people = [AssignChoice(f"user:{u.pk}", f"{u} ({u.username})") for u in users.values()]
    return [(_("The compound's parties"), parties), (_("A person"), people)]


def appeal_contact(appeal: Appeal) -> dict[str, Any]:
    """Who filed the appeal, with the phone masked (full numbers only through the audited reveal)."""
    person = appeal.resident if appeal.resident_id else None
    # Filed by the resident themself (staff who record a walk-in or a call are not the contact).
    self_filed = appeal.submitted_by_id is not None and appeal.channel in SELF_FILED
    user = appeal.submitted_by if self_filed else None
    name = person.name if person is not None else (str(user) if user is not None else "")
    masked = ""
    if person is not None and person.phone_cipher:
        masked = person.phone_masked
    elif user is not None and user.phone_cipher:
        masked = user.phone_masked
    return {"name": name, "phone_masked": masked, "room": person.room if person is not None else ""}


# --- smart triage ------------------------------------------------------------------------------


def duplicate_candidates(*, fetched_by: User, appeal: Appeal, limit: int = 5) -> list[tuple[Appeal, float]]:
    """Open appeals nearby and recent that tell the same problem, most similar first, among those the
    user may handle (a merge needs both)."""
    pool = duplicate_pool(appeal) & Appeal.objects.visible_to(fetched_by, "handle")
    ranked = rank_duplicates(appeal, pool_texts(pool), limit=limit)
    found = pool.select_related("node").order_by().in_bulk([row.pk for row, _score in ranked])
    return [(found[row.pk], score) for row, score in ranked if row.pk in found]


def hot_issues_for(
    *, fetched_by: User, node: Node, start: datetime, end: datetime, limit: int = 20
) -> list[HotIssue]:
    """Hot issues among the appeals of ``node``'s subtree filed in [start, end) that the user may count
    (merged duplicates included: each is one more resident with the problem)."""
    appeals = (
        Appeal.objects.visible_to(fetched_by, "count")
        .filter(subtree_q("node", [node.path]), created_at__gte=start, created_at__lt=end)
        .order_by("-created_at")
        .values_list(
            "pk",
            "title",
            "body",
            "created_at",
            "node__path",
            "node__name",
            "category_id",
            "support_up",
            "support_down",
        )[:MAX_APPEALS]
    )
    rows = list(appeals)
    if not rows:
        return []
    community_paths = {
        path[:n] for path in {r[4] for r in rows} for n in range(Node.steplen, len(path) + 1, Node.steplen)
    }
    communities = dict(
        # unscoped: names of the communities over appeals already in scope
        Node.objects.filter(path__in=community_paths, kind=NodeKind.COMMUNITY).values_list("path", "name")
    )
    tops = category_top_names()
    items = []
    for pk, title, body, created_at, path, name, category_id, up, down in rows:
        place = next(
            (communities[path[:n]] for n in range(len(path), 0, -Node.steplen) if path[:n] in communities),
            name,
        )
        items.append(Item(pk, title, body, created_at, place, tops.get(category_id, ""), up - down))
    return hot_issues(
        items,
        start=start,
        end=end,
        weights=Weights(**getattr(settings, "GONGZHI_HOT_WEIGHTS", {})),
        limit=limit,
    )


def appeals_by_id(*, fetched_by: User, ids: list[int]) -> dict[int, Appeal]:
    """The appeals among ``ids`` the user may view, by id (e.g. the ones standing for hot issues)."""
    return Appeal.objects.visible_to(fetched_by, "view").in_bulk(ids)
