"""Every read the pages and the API make of the alliances, scoped to the user asking."""

from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.http import Http404

from gongzhi.accounts.models import User
from gongzhi.alliances.models import (
    FINISHED_PROJECT,
    PUBLIC_PROJECT,
    Agreement,
    Alliance,
    AppealTransfer,
    DonationEntry,
    Drive,
    ListStatus,
    Match,
    MatchRound,
    MatchStatus,
    Need,
    Pledge,
    PledgeStatus,
    Project,
    ProjectCategory,
    ProjectRating,
    ProjectUnit,
    Resource,
    Unit,
)
from gongzhi.alliances.rules import staffs, unit_ids
from gongzhi.appeals.models import Rating
from gongzhi.core.rules import is_caseworker
from gongzhi.orgs.models import Node


def _get(qs: QuerySet, pk: int) -> Any:
    row = qs.filter(pk=pk).first()
    if row is None:
        raise Http404
    return row


def alliance_list(*, fetched_by: User) -> QuerySet[Alliance]:
    return (
        Alliance.objects.visible_to(fetched_by, "view")
        .select_related("node")
        .annotate(units=Count("memberships", distinct=True))
        .order_by("node__path", "id")
    )


def alliance_get(*, fetched_by: User, pk: int) -> Alliance:
    return _get(Alliance.objects.visible_to(fetched_by, "view").select_related("node"), pk)


def alliance_figures(alliance: Alliance) -> dict[str, int]:
    """What the alliance's page shows: units, projects by state, and the reported figures beside them."""
    projects = Project.objects.filter(alliance=alliance)  # unscoped: counts of a public alliance in reach
    counts = projects.aggregate(
        total=Count("pk", filter=Q(status__in=PUBLIC_PROJECT)),
        running=Count("pk", filter=Q(status__in=("claimed", "in_progress"))),
        finished=Count("pk", filter=Q(status__in=FINISHED_PROJECT)),
        reached=Sum("residents_reached", filter=Q(status__in=PUBLIC_PROJECT)),
    )
    return {
        "units": alliance.memberships.count(),
        "co_building": alliance.reported_units,
        "projects": counts["total"] or 0,
        "running": counts["running"] or 0,
        "finished": counts["finished"] or 0,
        "activities": alliance.reported_activities,
        # The seed's reported total where there is one; else the venues on the map.
        "venues": alliance.reported_venues or alliance.venues.count(),
        "venues_linked": alliance.venues.count(),
        "reached": max(alliance.reported_reached, counts["reached"] or 0),
        "solved": alliance.reported_solved,
        "circles": alliance.children.count(),
    }


def unit_list(*, fetched_by: User, alliance: Alliance | None = None, q: str = "") -> QuerySet[Unit]:
    units = Unit.objects.visible_to(fetched_by, "view").select_related("node")
    if alliance is not None:
        units = units.filter(memberships__alliance=alliance)
    if q:
        units = units.filter(name__icontains=q[:40])
    return units.order_by("node__path", "name")


def unit_get(*, fetched_by: User, pk: int) -> Unit:
    return _get(Unit.objects.visible_to(fetched_by, "view").select_related("node"), pk)


def my_units(*, fetched_by: User) -> QuerySet[Unit]:
    return unit_list(fetched_by=fetched_by).filter(pk__in=unit_ids(fetched_by))


def _search(qs: QuerySet, *, category: str = "", q: str = "", node: Any = None, status: str = "") -> QuerySet:
    if category:
        qs = qs.filter(category=category)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(title__icontains=q[:40]) | Q(description__icontains=q[:40]))
    if node is not None:
        # A subquery, not a join: the list keeps walking its own index in its order.
        # unscoped: the places under a node the caller fetched in scope; the rows are scoped already
        qs = qs.filter(node_id__in=Node.objects.filter(path__startswith=node.path).values("pk"))
    return qs


def resource_list(*, fetched_by: User, mine: bool = False, **search: Any) -> QuerySet[Resource]:
    """Staff: every resource in reach; a unit's account: its unit's, and the open ones of its subdistrict."""
    if mine:
        rows = Resource.objects.visible_to(fetched_by, "view").filter(unit_id__in=unit_ids(fetched_by))
    elif is_caseworker.test(fetched_by):
        rows = Resource.objects.visible_to(fetched_by, "view")
    else:
        rows = Resource.objects.visible_to(fetched_by, "market").filter(
            Q(status=ListStatus.OPEN) | Q(unit_id__in=unit_ids(fetched_by))
        )
    return _search(rows, **search).select_related("unit", "node").order_by("-id")


def resource_get(*, fetched_by: User, pk: int) -> Resource:
    return _get(resource_list(fetched_by=fetched_by), pk)


def need_list(*, fetched_by: User, **search: Any) -> QuerySet[Need]:
    """Staff: the needs of their places; a unit's account: the open needs of its subdistrict."""
    if is_caseworker.test(fetched_by):
        rows = Need.objects.visible_to(fetched_by, "view")
    else:
        rows = Need.objects.visible_to(fetched_by, "market").filter(status=ListStatus.OPEN)
    return _search(rows, **search).select_related("node").order_by("-urgency", "-id")


def need_get(*, fetched_by: User, pk: int) -> Need:
    return _get(need_list(fetched_by=fetched_by), pk)


def match_list(*, fetched_by: User, status: str = MatchStatus.PROPOSED) -> QuerySet[Match]:
    rows = Match.objects.visible_to(fetched_by, "view").select_related("need__node", "resource__unit")
    return rows.filter(status=status).order_by("-need__urgency", "-score", "id") if status else rows


def match_get(*, fetched_by: User, pk: int) -> Match:
    return _get(
        Match.objects.visible_to(fetched_by, "view").select_related("need__node", "resource__unit"), pk
    )


def latest_round(*, fetched_by: User) -> MatchRound | None:
    return MatchRound.objects.visible_to(fetched_by, "view").order_by("-id").first()


def project_list(
    *,
    fetched_by: User,
    status: str = "",
    category: int | None = None,
    mine: bool = False,
    q: str = "",
    node: Any = None,
) -> QuerySet[Project]:
    """Public projects where the user belongs; staff also see drafts; ``mine``: a unit's projects."""
    rows = Project.objects.visible_to(fetched_by, "view")
    if not is_caseworker.test(fetched_by):
        rows = rows.filter(status__in=PUBLIC_PROJECT)
    if mine:
        # A subquery, not a join with DISTINCT: one unit's projects by the project-unit index.
        # unscoped: the project ids of the user's own units, narrowed by the scoped rows above
        rows = rows.filter(
            pk__in=ProjectUnit.objects.filter(unit_id__in=unit_ids(fetched_by)).values("project_id")
        )
    if status:
        rows = rows.filter(status=status)
    if category:
        rows = rows.filter(category_id=category)
    if node is not None:
        # unscoped: the places under a node the caller fetched in scope; the rows are scoped already
        rows = rows.filter(node_id__in=Node.objects.filter(path__startswith=node.path).values("pk"))
    if q:
        rows = rows.filter(name__icontains=q[:40])
    # A page's units in the project-unit index's order (project, then id), not sorted again.
    units = ProjectUnit.objects.select_related("unit").order_by()
    return (
        rows.select_related("node", "category", "alliance")
        .prefetch_related(Prefetch("units", queryset=units))
        .order_by("-id")
    )


def project_get(*, fetched_by: User, pk: int) -> Project:
    project = _get(project_list(fetched_by=fetched_by), pk)
    return project


def project_manageable(user: User, project: Project) -> bool:
    return staffs.test(user, project)


def project_ratings(project: Project) -> dict[str, int]:
    rows = ProjectRating.objects.filter(project=project)  # unscoped: counts of a project in reach
    counts = dict(rows.values_list("rating").annotate(n=Count("pk")).values_list("rating", "n"))
    return {
        value: counts.get(value, 0)
        for value in (Rating.SATISFIED, Rating.BASICALLY_SATISFIED, Rating.DISSATISFIED)
    }


def my_rating(project: Project, user: User) -> ProjectRating | None:
    return ProjectRating.objects.filter(project=project, user_id=user.pk).first()  # unscoped: the user's own


def category_choices(*, fetched_by: User) -> list[ProjectCategory]:
    """The categories of the projects the user sees (the board's filter), in each subdistrict's order (a few
    rows, sorted here: the statement itself probes the project table, so it sorts nothing)."""
    # Each category (a few per subdistrict) asks whether a project the user sees has it: one index probe.
    used = Project.objects.visible_to(fetched_by, "view").filter(category_id=OuterRef("pk"))
    # unscoped: category names of projects already read in scope
    rows = ProjectCategory.objects.filter(Exists(used)).order_by()[:200]
    return sorted(rows, key=lambda c: (c.node_id, c.order, c.pk))


def categories_for(*, fetched_by: User, node: Any) -> QuerySet[ProjectCategory]:
    # unscoped: a subdistrict's category names, public
    return ProjectCategory.objects.filter(node__path=node.path[:8]).order_by("order", "id")


def drive_list(*, fetched_by: User) -> QuerySet[Drive]:
    return (
        Drive.objects.visible_to(fetched_by, "view")
        .select_related("node")
        .annotate(
            received=Sum("pledges__amount", filter=Q(pledges__status=PledgeStatus.RECEIVED)),
            pledged=Sum("pledges__amount"),
            units=Count("pledges__unit", distinct=True),
        )
        .order_by("-starts_on", "-id")
    )


def drive_get(*, fetched_by: User, pk: int) -> Drive:
    return _get(Drive.objects.visible_to(fetched_by, "view").select_related("node"), pk)


def pledge_list(*, fetched_by: User, drive: Drive | None = None) -> QuerySet[Pledge]:
    rows = Pledge.objects.visible_to(fetched_by, "view").select_related("unit", "drive")
    return rows.filter(drive=drive) if drive is not None else rows


def pledge_get(*, fetched_by: User, pk: int) -> Pledge:
    return _get(pledge_list(fetched_by=fetched_by), pk)


def donation_totals(drives: list[Drive]) -> dict[str, int]:
    """Totals of the record (receipts) for the drives shown."""
    accounts = [f"drive:{d.pk}" for d in drives]
    total = DonationEntry.objects.filter(account__in=accounts).aggregate(s=Sum("amount"))["s"] or 0
    return {"drives": len(drives), "received": total}


def unit_given(unit: Unit) -> int:
    """What a unit has given, by the record (yuan)."""
    return -(DonationEntry.objects.filter(account=f"unit:{unit.pk}").aggregate(s=Sum("amount"))["s"] or 0)


def need_places(*, fetched_by: User) -> list[Any]:
    """The communities and compounds where the user may post needs (as staff), in tree order."""
    from gongzhi.core.roles import CASEWORK_ROLES
    from gongzhi.core.scoping import reach_paths, subtree_q
    from gongzhi.orgs.models import Node, NodeKind

    paths = reach_paths(fetched_by, CASEWORK_ROLES)
    if not paths and not fetched_by.is_superuser:
        return []
    rows = Node.objects.visible_to(fetched_by, "view").filter(
        kind__in=(NodeKind.COMMUNITY, NodeKind.COMPOUND)
    )
    if paths:
        rows = rows.filter(subtree_q(None, paths))
    return list(rows.order_by("path")[:400])


def subdistricts_in_reach(*, fetched_by: User) -> list[Any]:
    from gongzhi.core.roles import CASEWORK_ROLES
    from gongzhi.core.scoping import reach_paths
    from gongzhi.orgs.models import Node, NodeKind

    paths = reach_paths(fetched_by, CASEWORK_ROLES)
    rows = Node.objects.visible_to(fetched_by, "view").filter(kind=NodeKind.SUBDISTRICT)
    if not fetched_by.is_superuser:
        rows = rows.filter(path__in=[p[:8] for p in paths])
    return list(rows.order_by("path"))


def agreement_list(*, fetched_by: User, alliance: Alliance) -> QuerySet[Agreement]:
    """An alliance's co-building agreements: its staff see all, a unit's account its own unit's, others none."""
    from gongzhi.core.rules import staff_at

    # unscoped: the agreements of an alliance fetched in scope, narrowed to what the user may read below
    rows = Agreement.objects.filter(membership__alliance=alliance).select_related("membership__unit")
    if not staff_at.test(fetched_by, alliance.node):
        rows = rows.filter(membership__unit_id__in=unit_ids(fetched_by))
    return rows.order_by("membership__unit__name", "-starts_on", "id")


def agreement_get(*, fetched_by: User, pk: int) -> Agreement:
    # unscoped: the agreement's alliance is fetched in scope, then the agreement among those the user may read
    found = Agreement.objects.filter(pk=pk).select_related("membership__alliance").first()
    if found is None:
        raise Http404
    alliance = alliance_get(fetched_by=fetched_by, pk=found.membership.alliance_id)
    return _get(agreement_list(fetched_by=fetched_by, alliance=alliance), pk)


def transfer_list(*, fetched_by: User) -> QuerySet[AppealTransfer]:
    """Appeals transferred to units: staff over the appeals' places see them; a unit's account its unit's."""
    return (
        AppealTransfer.objects.visible_to(fetched_by, "view").select_related("unit", "node").order_by("-id")
    )


def transfer_get(*, fetched_by: User, pk: int) -> AppealTransfer:
    return _get(transfer_list(fetched_by=fetched_by), pk)


def my_claims(*, fetched_by: User) -> QuerySet[ProjectUnit]:
    """The project places the user's units hold (claimed or named), newest project first."""
    projects = project_list(fetched_by=fetched_by, mine=True).values("pk")
    # unscoped: the unit rows of projects fetched in scope, of the user's own units
    return (
        ProjectUnit.objects.filter(project_id__in=projects, unit_id__in=unit_ids(fetched_by))
        .select_related("project__node", "project__category", "unit")
        .order_by("-project_id", "id")
    )


def my_agreements(*, fetched_by: User) -> QuerySet[Agreement]:
    """The co-building agreements of the user's own units."""
    # unscoped: agreements of the user's own units
    return (
        Agreement.objects.filter(membership__unit_id__in=unit_ids(fetched_by))
        .select_related("membership__unit", "membership__alliance")
        .order_by("membership__unit__name", "-starts_on", "id")
    )


def alliance_venues(alliance: Alliance) -> list[Any]:
    """The venues module's venues an alliance shares (public rows of the venues module)."""
    return list(alliance.venues.select_related("node").order_by("name")[:200])
