"""Reads of appeals for the UI and API, scoped to the user asking."""

from datetime import datetime

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.appeals.categories import category_top_names
from gongzhi.appeals.models import OPEN_STATUSES, Appeal, AppealEvent, Category, Channel, Status
from gongzhi.appeals.rules import rating_window, works_on
from gongzhi.appeals.triage import MAX_POOL, duplicate_pool, rank_duplicates
from gongzhi.core.roles import CASEWORK_ROLES, Role
from gongzhi.core.scoping import reach_paths, subtree_q
from gongzhi.orgs.models import Node, NodeKind
from gongzhi.triage.hot import MAX_APPEALS, HotIssue, Item, Weights, hot_issues


def appeal_list(*, fetched_by: User, status: str | None = None, tier: str | None = None) -> QuerySet[Appeal]:
    qs = Appeal.objects.visible_to(fetched_by, "view").select_related(
        "node", "handling_node", "category", "suggested_category"
    )
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
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
        | Q(status=Status.RESOLVED, resolved_at__gte=timezone.now() - rating_window())
    )
    return dict(waiting.order_by().values_list("status").annotate(n=Count("pk")))


HANDLING_KINDS = ("compound", "community", "subdistrict")
MAX_LISTED_NODES = 5000


def appeal_queue(*, fetched_by: User) -> QuerySet[Appeal]:
    """Open appeals the user can act on now: handled at a node in their casework reach, soonest due first.

    Appeals are handled only at compounds, communities and subdistricts, so a reach has few such nodes
    (a community: about a dozen). Listing them gives the planner an exact, small set; a join on the path
    let it misjudge small communities and walk the due-date index instead (docs/benchmarks.md).
    """
    paths = reach_paths(fetched_by, CASEWORK_ROLES)
    # unscoped: narrowed below to the handling nodes in the user's casework reach
    qs = Appeal.objects.filter(status__in=OPEN_STATUSES)
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
    return qs.select_related("node", "handling_node", "category", "suggested_category").order_by(
        "accept_due", "resolve_due", "id"
    )


def category_choices(*, subdistrict: Node | None) -> list[tuple[Category, list[Category]]]:
    """First-level categories with their second-level entries: the shared tree and the subdistrict's own."""
    rows = list(
        Category.objects.filter(
            Q(subdistrict__isnull=True) | Q(subdistrict=subdistrict), is_active=True, level__lte=2
        ).order_by("level", "name")
    )
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
    return get_object_or_404(appeal_list(fetched_by=fetched_by), pk=pk)


def appeal_timeline(*, fetched_by: User, appeal: Appeal) -> QuerySet[AppealEvent]:
    """The appeal's history; residents see only the public entries."""
    events = appeal.events.select_related("actor")
    if not works_on.test(fetched_by, appeal):
        events = events.filter(public=True)
    return events


# --- smart triage ------------------------------------------------------------------------------


def duplicate_candidates(*, fetched_by: User, appeal: Appeal, limit: int = 5) -> list[tuple[Appeal, float]]:
    """Open appeals nearby and recent that tell the same problem, most similar first, among those the
    user may handle (a merge needs both)."""
    pool = duplicate_pool(appeal) & Appeal.objects.visible_to(fetched_by, "handle")
    return rank_duplicates(appeal, list(pool.select_related("node")[:MAX_POOL]), limit=limit)


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
