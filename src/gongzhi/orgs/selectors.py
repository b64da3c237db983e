"""Every read of the organisation the UI and API make. Each starts from visible_to(user, action)."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Length, Substr
from django.http import Http404
from django.shortcuts import get_object_or_404

from gongzhi.accounts.models import Person, RoleBinding, User
from gongzhi.core.roles import CASEWORK_ROLES, Role
from gongzhi.core.scoping import has_role, reach_paths, subtree_q
from gongzhi.orgs.models import (
    GovernanceTeam,
    GovernanceTeamMember,
    Node,
    NodeKind,
    OrgUnit,
    PartyMembership,
    PartyOrg,
)


def node_list(*, fetched_by: User, action: str = "view") -> QuerySet[Node]:
    return Node.objects.visible_to(fetched_by, action)


def with_parent_ids(queryset: QuerySet[Node]) -> QuerySet[Node]:
    """Annotate ``parent_pk`` (the tree stores paths, not parent keys)."""
    # unscoped: the parents of nodes already in scope
    parent = Node.objects.filter(
        path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Node.steplen)
    ).values("pk")[:1]
    return queryset.annotate(parent_pk=Subquery(parent))


def node_get(*, fetched_by: User, pk: int) -> Node:
    """The node, or 404 if it does not exist or is outside the user's reach."""
    return get_object_or_404(node_list(fetched_by=fetched_by), pk=pk)


def node_roots(*, fetched_by: User) -> list[Node]:
    """The highest nodes the user reaches: where their browsing starts."""
    if fetched_by.is_superuser:
        return list(Node.get_root_nodes())
    paths = reach_paths(fetched_by, Node.scope.roles_for("view"))
    # unscoped: the nodes the user's bindings name
    return list(Node.objects.filter(path__in=paths).order_by("path"))


def node_or_first_root(*, fetched_by: User, pk: int | None) -> Node:
    """The node asked for (404 outside the user's reach), or without one the first node the user reaches."""
    if pk is not None:
        return node_get(fetched_by=fetched_by, pk=pk)
    roots = node_roots(fetched_by=fetched_by)
    if not roots:
        raise Http404
    return roots[0]


def subdistrict_of(node: Node) -> Node | None:
    """The subdistrict the node lies in (the node itself if it is one)."""
    return node.ancestor_of_kind(NodeKind.SUBDISTRICT)


def node_ancestors(*, fetched_by: User, node: Node) -> list[Node]:
    """Breadcrumbs: the node's ancestors the user may open."""
    visible = node_list(fetched_by=fetched_by)
    return list(visible.filter(path__in=node.ancestor_paths()))


def subtree_count_by_prefix(queryset: QuerySet, path_field: str, parent: Node) -> Counter:
    """Rows of ``queryset`` under each child of ``parent``, in one grouped query."""
    child_len = len(parent.path) + Node.steplen
    rows = (
        queryset.filter(**{f"{path_field}__startswith": parent.path})
        .annotate(prefix=Substr(path_field, 1, child_len))
        .values("prefix")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return Counter({row["prefix"]: row["n"] for row in rows})


@dataclass
class ChildRow:
    node: Node
    residents: int | None
    party_members: int | None
    descendants: dict[str, int] = field(default_factory=dict)


def node_children_with_counts(*, fetched_by: User, node: Node) -> list[ChildRow]:
    children = list(node_list(fetched_by=fetched_by).filter(path__startswith=node.path, depth=node.depth + 1))
    can_count = bool(children) and has_role(fetched_by, Person.scope.roles_for("count"))
    residents: Counter[str] = Counter()
    party: Counter[str] = Counter()
    if can_count:
        residents = subtree_count_by_prefix(
            Person.objects.visible_to(fetched_by, "count"), "node__path", node
        )
        party = subtree_count_by_prefix(
            PartyMembership.objects.visible_to(fetched_by, "count"), "party_org__node__path", node
        )
    child_len = len(node.path) + Node.steplen
    kinds: dict[str, Counter] = {}
    descendants = (
        node_list(fetched_by=fetched_by)
        .filter(path__startswith=node.path, depth__gt=node.depth + 1)
        .annotate(prefix=Substr("path", 1, child_len))
        .values("prefix", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in descendants:
        kinds.setdefault(row["prefix"], Counter())[row["kind"]] = row["n"]
    return [
        ChildRow(
            node=child,
            residents=residents.get(child.path, 0) if can_count else None,
            party_members=party.get(child.path, 0) if can_count else None,
            descendants=dict(kinds.get(child.path, {})),
        )
        for child in children
    ]


def node_detail_context(*, fetched_by: User, node: Node) -> dict[str, Any]:
    """What the node page shows besides its children: party organisations, three parties, teams, commissioners.

    ``node`` must come from a selector (it is in the user's reach). A compound's commissioner is shown to
    everyone who can see the compound: they are who its residents turn to first.
    """
    party_orgs = (
        PartyOrg.objects.visible_to(fetched_by).filter(node=node).annotate(member_count=Count("memberships"))
    )
    teams = (
        GovernanceTeam.objects.visible_to(fetched_by)
        .filter(node=node)
        .prefetch_related(Prefetch("members", queryset=GovernanceTeamMember.objects.select_related("person")))
    )
    commissioners = (
        # unscoped: the commissioners of a compound in the user's reach (who residents turn to)
        RoleBinding.objects.filter(node=node, role=Role.COMMISSIONER).select_related("user")
        if node.kind == NodeKind.COMPOUND
        else RoleBinding.objects.none()
    )
    return {
        "party_orgs": list(party_orgs),
        "org_units": list(OrgUnit.objects.visible_to(fetched_by).filter(node=node)),
        "teams": list(teams),
        "commissioners": [b.user for b in commissioners],
    }


def scope_summary(*, fetched_by: User) -> list[dict[str, Any]]:
    """Key counts for each top node the user reaches (home page, /api/v1/me)."""
    result = []
    can_count = has_role(fetched_by, Person.scope.roles_for("count"))
    for root in node_roots(fetched_by=fetched_by):
        nodes = node_list(fetched_by=fetched_by).filter(path__startswith=root.path)
        by_kind = dict(nodes.values_list("kind").annotate(n=Count("pk")).order_by())
        row: dict[str, Any] = {"node": root, "kinds": by_kind}
        people = Person.objects.visible_to(fetched_by, "count").filter(subtree_q("node", [root.path]))
        if can_count:
            row["residents"] = people.count()
            row["party_members"] = (
                PartyMembership.objects.visible_to(fetched_by, "count")
                .filter(subtree_q("party_org__node", [root.path]))
                .values("person_id")
                .distinct()
                .count()
            )
            row["party_orgs"] = (
                PartyOrg.objects.visible_to(fetched_by, "view").filter(subtree_q("node", [root.path])).count()
            )
            row["commissioners"] = (
                # unscoped: commissioners under a root in the user's reach
                RoleBinding.objects.filter(subtree_q("node", [root.path]), role=Role.COMMISSIONER)
                .values("user_id")
                .distinct()
                .count()
            )
            row["micro_governance"] = nodes.filter(micro_governance_batch__isnull=False).count()
        if root.kind == NodeKind.COMPOUND:
            # Residents' home page: who to turn to in their compound.
            row["contacts"] = node_detail_context(fetched_by=fetched_by, node=root)
        result.append(row)
    return result


def org_unit_get(*, fetched_by: User, pk: int) -> OrgUnit:
    return get_object_or_404(OrgUnit.objects.visible_to(fetched_by).select_related("node"), pk=pk)


def team_get(*, fetched_by: User, pk: int) -> GovernanceTeam:
    return get_object_or_404(GovernanceTeam.objects.visible_to(fetched_by).select_related("node"), pk=pk)


def colleagues_for_assignment(*, user: User) -> list[User]:
    """Casework staff bound inside the user's casework reach: who they can hand appeals to."""
    paths = reach_paths(user, CASEWORK_ROLES)
    if not paths and not user.is_superuser:
        return []
    # unscoped: staff bound inside the user's casework reach (subtree_q)
    bindings = RoleBinding.objects.filter(role__in=CASEWORK_ROLES, user__is_active=True)
    if not user.is_superuser:
        bindings = bindings.filter(subtree_q("node", paths))
    ids = bindings.values_list("user_id", flat=True).distinct()
    return list(User.objects.filter(pk__in=ids).order_by("username")[:300])


def user_for_assignment(*, pk: int) -> User:
    """A user to assign work to; whether they work on the place is checked by the assigning service."""
    return get_object_or_404(User.objects.filter(is_active=True), pk=pk)


def party_org_list(*, fetched_by: User, node: Node | None = None) -> QuerySet[PartyOrg]:
    qs = (
        PartyOrg.objects.visible_to(fetched_by)
        .select_related("node")
        .annotate(member_count=Count("memberships"))
        .order_by("node__path", "kind", "name")
    )
    if node is not None:
        qs = qs.filter(subtree_q("node", [node.path]))
    return qs


def party_org_get(*, fetched_by: User, pk: int) -> PartyOrg:
    return get_object_or_404(party_org_list(fetched_by=fetched_by).select_related("parent"), pk=pk)


def party_org_members(*, fetched_by: User, party_org: PartyOrg) -> QuerySet[PartyMembership]:
    return (
        PartyMembership.objects.visible_to(fetched_by, "view")
        .filter(party_org=party_org)
        .select_related("person", "person__node")
    )


def party_membership_list(*, fetched_by: User) -> QuerySet[PartyMembership]:
    return PartyMembership.objects.visible_to(fetched_by, "view").select_related("person", "party_org__node")


def places_in_reach(
    *,
    fetched_by: User,
    kinds: list[str],
    roles: frozenset[str] = CASEWORK_ROLES,
    also_under: Sequence[str] = (),
) -> list[Node]:
    """Nodes of ``kinds`` the user reaches through ``roles`` (and under ``also_under`` paths), by path, for
    the "where" choice of a form."""
    # unscoped: narrowed to the user's reach by subtree_q below
    places = Node.objects.filter(kind__in=kinds)
    if not fetched_by.is_superuser:
        paths = sorted(set(reach_paths(fetched_by, roles)) | set(also_under))
        if not paths:
            return []
        places = places.filter(subtree_q(None, paths))
    return list(places.order_by("path")[:300])


def compounds_of(*, fetched_by: User, limit: int = 200) -> list[Node]:
    """The compounds the user can see (a resident: their own), for a form's "which compound" choice."""
    return list(node_list(fetched_by=fetched_by).filter(kind=NodeKind.COMPOUND).order_by("path")[:limit])
