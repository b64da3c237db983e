"""The alliance requests each role makes most, whose plans must not grow with the lists (gongzhi.core.plans):
the need list (by state, category, place), the resource list, the project board (by state and category), a
project's page, a need's ranked candidates, the proposals, and a unit's own items (its resources, projects and
the appeals transferred to it). A new list, queue or detail of the alliances adds its entry here."""

# unscoped-module: seeds the plan tests' database (bulk rows for every role) and reads back what it made

import random
from typing import Any

from gongzhi.alliances.models import (
    AppealTransfer,
    Match,
    Need,
    Project,
    ProjectCategory,
    ProjectUnit,
    Resource,
    Unit,
    UnitStaff,
)
from gongzhi.core.plans import HotRequest
from gongzhi.core.roles import Role

LARGE_TABLES = (
    "alliances_need",
    "alliances_resource",
    "alliances_project",
    "alliances_projectunit",
    "alliances_match",
    "alliances_appealtransfer",
)

# The lists walk an index in their page's order that holds the scope's columns (place, state, unit), so a
# page of 25 reads 25 entries' worth of the index, not every closed row of the place.
# Proposals are sorted by their need's urgency (a column of another table): the undecided ones of the latest
# rounds in reach, found by (place, state) — a round replaces the earlier rounds' undecided proposals, so they
# are at most one per open need, not the years of decided ones.
_PROPOSALS = "the undecided proposals in reach (found by place and state): at most one per open need"
_OWN = "one unit's own projects: found by the project-unit index, a few dozen"
# A staff member's need list joins the places of their reach (the scope) and sorts those places' needs by
# urgency: SQLite starts from the places (their paths) rather than walk need_page in order. Open needs are
# the matching board's current work; the whole list (closed ones too) grows with the years: a known gap.
_NEEDS = "the needs of the places in reach, found by place (and state), sorted by urgency"
# The board's page also lists the alliances where the user is (a subdistrict's alliance, its circles and
# micro-alliances: a few dozen), sorted by place.
_ALLIANCES = "the alliances in reach beside the board: a few dozen, sorted by place"
_CANDIDATES = "the open resources of the need's subdistrict (by place and state), ranked in Python"

HOT_REQUESTS = [
    HotRequest("needs", "commissioner", "/api/v1/needs?limit=25", sorted_ok=_NEEDS),
    HotRequest("needs", "subdistrict_admin", "/api/v1/needs?limit=25", sorted_ok=_NEEDS),
    HotRequest("open needs", "commissioner", "/api/v1/needs?status=open&limit=25", sorted_ok=_NEEDS),
    HotRequest(
        "needs by category",
        "subdistrict_admin",
        "/api/v1/needs?category=elderly&limit=25",
        sorted_ok=_NEEDS,
    ),
    HotRequest(
        "needs of a place",
        "subdistrict_admin",
        "/api/v1/needs?node_id={alliance_community}&limit=25",
        sorted_ok=_NEEDS,
    ),
    HotRequest("open needs", "alliance_unit", "/api/v1/needs?limit=25", sorted_ok=_NEEDS),
    HotRequest("resources", "subdistrict_admin", "/api/v1/resources?limit=25", scope_from_index=True),
    HotRequest(
        "resources by category",
        "subdistrict_admin",
        "/api/v1/resources?category=health&limit=25",
        scope_from_index=True,
    ),
    HotRequest(
        "own and open resources", "alliance_unit", "/api/v1/resources?limit=25", scope_from_index=True
    ),
    HotRequest("own resources", "alliance_unit", "/api/v1/resources?mine=true&limit=25"),
    HotRequest("projects near me", "resident", "/api/v1/projects?limit=25", scope_from_index=True),
    HotRequest("project board", "subdistrict_admin", "/api/v1/projects?limit=25", scope_from_index=True),
    HotRequest(
        "projects by state",
        "subdistrict_admin",
        "/api/v1/projects?status=in_progress&limit=25",
        sorted_ok="the projects of one state in reach, found by (place, state): running ones are few",
    ),
    HotRequest(
        "projects by category",
        "subdistrict_admin",
        "/api/v1/projects?category={alliance_category}&limit=25",
        scope_from_index=True,
    ),
    HotRequest(
        "projects of a place", "subdistrict_admin", "/api/v1/projects?node_id={alliance_community}&limit=25"
    ),
    HotRequest("own projects", "alliance_unit", "/api/v1/projects?mine=true&limit=25", sorted_ok=_OWN),
    HotRequest("project", "resident", "/api/v1/projects/{alliance_project}", kind="detail"),
    HotRequest(
        "a need's candidates",
        "subdistrict_admin",
        "/api/v1/needs/{alliance_need}/candidates",
        kind="detail",
        sorted_ok=_CANDIDATES,
    ),
    HotRequest("proposals", "subdistrict_admin", "/api/v1/matches?limit=25", sorted_ok=_PROPOSALS),
    HotRequest("appeals transferred to the unit", "alliance_unit", "/api/v1/transfers?limit=25"),
    HotRequest("appeals transferred to units", "commissioner", "/api/v1/transfers?limit=25"),
    HotRequest("three lists (web page)", "subdistrict_admin", "/alliances/lists/", sorted_ok=_NEEDS),
    HotRequest("own resources (web page)", "alliance_unit", "/alliances/lists/", sorted_ok=_NEEDS),
    HotRequest("project board (web page)", "subdistrict_admin", "/alliances/", sorted_ok=_ALLIANCES),
    HotRequest("own projects (web page)", "alliance_unit", "/alliances/", sorted_ok=_OWN),
    HotRequest("projects near me (web page)", "resident", "/alliances/", sorted_ok=_ALLIANCES),
]

CATEGORIES = ["elderly", "health", "repair", "children"]


def seed(world: Any, *, count: int = 6_000) -> dict[str, Any]:
    """A unit with an account in 街道A, and ``count`` needs, resources and projects over the compounds and
    communities of both subdistricts (most closed or finished, as years of lists are), with the units on the
    projects, proposals, and appeals transferred to units."""
    from gongzhi.accounts.models import RoleBinding, User
    from gongzhi.appeals.services import appeal_submit

    rng = random.Random(15)
    unit = Unit.objects.create(node=world.sub_a, name="计划单位", kind="state_firm")
    others = [
        Unit.objects.create(
            node=world.sub_a if k % 2 else world.sub_b, name=f"计划单位{k}", kind="private_firm"
        )
        for k in range(10)
    ]
    user = User.objects.create(username="plan-unit")
    UnitStaff.objects.create(unit=unit, user=user)
    RoleBinding.objects.create(user=user, role=Role.ALLIANCE_UNIT, node=world.sub_a)
    world.users["alliance_unit"] = user
    places = world.compounds
    communities = [world.comm_a1, world.comm_a2, world.comm_b1]
    Need.objects.bulk_create(
        (
            Need(
                node=rng.choice(places),
                category=rng.choice(CATEGORIES),
                title=f"需求{k}",
                urgency=rng.randint(1, 4),
                quantity_kind="hours",
                quantity=rng.randint(1, 40),
                status="closed" if rng.random() < 0.8 else "open",
                posted_by=world.sub_admin,
            )
            for k in range(count)
        ),
        batch_size=2000,
    )
    owners = [unit, *others]
    Resource.objects.bulk_create(
        (
            Resource(
                node=(owner := unit if k % 25 == 0 else rng.choice(others)).node,
                unit=owner,
                category=rng.choice(CATEGORIES),
                title=f"资源{k}",
                capacity_kind="hours",
                capacity=rng.randint(1, 100),
                status="closed" if rng.random() < 0.8 else "open",
                posted_by=world.sub_admin,
            )
            for k in range(count)
        ),
        batch_size=2000,
    )
    category = ProjectCategory.objects.create(node=world.sub_a, name="服务提档", order=3)
    Project.objects.bulk_create(
        (
            Project(
                node=rng.choice(communities),
                name=f"项目{k}",
                category=category if k % 5 == 0 else None,
                status="evaluated" if rng.random() < 0.8 else rng.choice(["open", "in_progress", "draft"]),
                created_by=world.sub_admin,
            )
            for k in range(count)
        ),
        batch_size=2000,
    )
    project_ids = list(Project.objects.values_list("pk", flat=True))
    ProjectUnit.objects.bulk_create(
        (
            ProjectUnit(project_id=pk, unit=unit if i % 40 == 0 else rng.choice(owners))
            for i, pk in enumerate(project_ids)
        ),
        batch_size=2000,
    )
    needs = list(Need.objects.values_list("pk", "node_id"))
    resources = list(Resource.objects.values_list("pk", flat=True))
    Match.objects.bulk_create(
        (
            Match(
                node_id=(pair := rng.choice(needs))[1],
                need_id=pair[0],
                resource_id=rng.choice(resources),
                score=rng.random(),
                status="rejected" if rng.random() < 0.8 else "proposed",
            )
            for _k in range(count)
        ),
        batch_size=2000,
    )
    appeal, _created = appeal_submit(
        actor=world.resident, node=world.cmp_a1a, title="转办诉求", body="请共建单位协助。"
    )
    AppealTransfer.objects.bulk_create(
        (
            AppealTransfer(
                node=world.cmp_a1a,
                appeal=appeal,
                unit=unit if k % 40 == 0 else rng.choice(others),
                title=f"转办{k}",
                status="closed" if rng.random() < 0.9 else "sent",
                sent_by=world.commissioner,
            )
            for k in range(count // 3)
        ),
        batch_size=2000,
    )
    project = Project.objects.filter(node=world.comm_a1, status="evaluated").order_by("id").first()
    need = Need.objects.filter(node=world.cmp_a1a, status="open").order_by("id").first()
    return {
        "alliance_project": project.pk if project else 0,
        "alliance_need": need.pk if need else 0,
        "alliance_category": category.pk,
        "alliance_community": world.comm_a1.pk,
        "alliance_unit_id": unit.pk,
    }
