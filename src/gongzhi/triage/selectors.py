"""Reads of the triage app for the UI and API, scoped to the user asking."""

from datetime import datetime

from django.conf import settings

from gongzhi.accounts.models import User
from gongzhi.appeals.models import Appeal
from gongzhi.appeals.selectors import category_top_names
from gongzhi.core.scoping import subtree_q
from gongzhi.orgs.models import Node, NodeKind
from gongzhi.triage.hot import MAX_APPEALS, HotIssue, Item, Weights, hot_issues
from gongzhi.triage.services import MAX_POOL, duplicate_pool, rank_duplicates


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
