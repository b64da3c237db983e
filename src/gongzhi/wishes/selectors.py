"""Reads of micro-wishes, scoped to the user asking, with the wisher's name masked where it must be."""

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from gongzhi.accounts.models import User
from gongzhi.core.pii import mask_name
from gongzhi.core.roles import ALL_ROLES
from gongzhi.core.scoping import belonging_paths, collapse_paths, reach_paths, subtree_in
from gongzhi.orgs.models import NodeKind
from gongzhi.wishes.models import ON_THE_WALL, Wish, WishStatus
from gongzhi.wishes.rules import sees_wisher_name

__all__ = ["mask_name", "shown_name"]  # mask_name lives in core.pii; wishes' callers import it from here


def shown_name(wish: Wish, user: User) -> str:
    """Staff, the wisher, and the helper whose claim was accepted see the name; everyone else a mask."""
    return wish.wisher_name if sees_wisher_name.test(user, wish) else mask_name(wish.wisher_name)


def wish_wall(*, fetched_by: User, status: str | None = None) -> QuerySet[Wish]:
    """The wall: wishes on it where the user belongs, open ones first."""
    # The wall of the places the user belongs to or reaches, as ``node_id IN (…)``: the planner finds the
    # wishes by node and state (``wish_wall``) instead of reading every node to test the scope's OR.
    wishes = Wish.objects.visible_to(fetched_by, "view").select_related("node")
    if not fetched_by.is_superuser:
        places = collapse_paths(
            belonging_paths(fetched_by, NodeKind.COMMUNITY) + reach_paths(fetched_by, ALL_ROLES)
        )
        wishes = wishes.filter(subtree_in("node", places))
    if status:
        return wishes.filter(status=status).order_by("-id")
    return wishes.filter(status__in=ON_THE_WALL).order_by("status", "-id")


def own_wishes(*, fetched_by: User) -> QuerySet[Wish]:
    # unscoped: the user's own wishes
    return Wish.objects.filter(wisher_id=fetched_by.pk).select_related("node").order_by("-id")


def claimed_wishes(*, fetched_by: User) -> QuerySet[Wish]:
    # unscoped: the wishes the user claimed
    return Wish.objects.filter(claimant_id=fetched_by.pk).select_related("node").order_by("-id")


def moderation_queue(*, fetched_by: User) -> QuerySet[Wish]:
    return (
        Wish.objects.visible_to(fetched_by, "moderate")
        .filter(status=WishStatus.PENDING)
        .select_related("node")
        .order_by("id")
    )


def wish_get(*, fetched_by: User, pk: int) -> Wish:
    # get(), not first(): one row by its key, with no ORDER BY for the planner to sort it by.
    return get_object_or_404(Wish.objects.visible_to(fetched_by, "view").select_related("node"), pk=pk)


def wish_states_chart(*, fetched_by: User) -> dict[str, object] | None:
    """How many wishes the user moderates are in each state, for the wall's chart (staff only)."""
    rows = dict(
        Wish.objects.visible_to(fetched_by, "moderate")
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    if not rows:
        return None
    states = [s for s in WishStatus if rows.get(s.value)]
    return {
        "kind": "pie",
        "labels": [str(s.label) for s in states],
        "series": [{"name": "", "values": [rows[s.value] for s in states]}],
    }
