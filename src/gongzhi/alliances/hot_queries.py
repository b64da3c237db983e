"""The alliance requests each role makes most, whose plans must not grow with the lists (gongzhi.core.plans):
the need list, the resource list, the project board and a project's page. A new list, queue or detail of the
alliances adds its entry here."""

# unscoped-module: seeds the plan tests' database (bulk rows for every role) and reads back what it made

import random
from typing import Any

from gongzhi.alliances.models import Need, Project, Resource, Unit, UnitStaff
from gongzhi.core.plans import HotRequest
from gongzhi.core.roles import Role

LARGE_TABLES = ("alliances_need", "alliances_resource", "alliances_project")

HOT_REQUESTS = [
    HotRequest("needs", "commissioner", "/api/v1/needs?limit=25"),
    HotRequest("needs", "subdistrict_admin", "/api/v1/needs?limit=25"),
    HotRequest("open needs", "alliance_unit", "/api/v1/needs?limit=25"),
    HotRequest("resources", "subdistrict_admin", "/api/v1/resources?limit=25"),
    HotRequest("own and open resources", "alliance_unit", "/api/v1/resources?limit=25"),
    HotRequest("projects near me", "resident", "/api/v1/projects?limit=25"),
    HotRequest("project board", "subdistrict_admin", "/api/v1/projects?limit=25"),
    HotRequest("project", "resident", "/api/v1/projects/{alliance_project}", kind="detail"),
]


def seed(world: Any, *, count: int = 6_000) -> dict[str, Any]:
    """A unit with an account in 街道A, and ``count`` needs, resources and projects over the compounds and
    communities of both subdistricts (most closed or finished, as years of lists are)."""
    from gongzhi.accounts.models import RoleBinding, User

    rng = random.Random(15)
    unit = Unit.objects.create(node=world.sub_a, name="计划单位", kind="state_firm")
    other = Unit.objects.create(node=world.sub_b, name="计划单位B", kind="private_firm")
    user = User.objects.create(username="plan-unit")
    UnitStaff.objects.create(unit=unit, user=user)
    RoleBinding.objects.create(user=user, role=Role.ALLIANCE_UNIT, node=world.sub_a)
    world.users["alliance_unit"] = user
    places = world.compounds
    communities = [world.comm_a1, world.comm_a2, world.comm_b1]
    Need.objects.bulk_create(
        Need(
            node=rng.choice(places),
            category=rng.choice(["elderly", "health", "repair", "youth"]),
            title=f"需求{k}",
            urgency=rng.randint(1, 4),
            quantity_kind="hours",
            quantity=rng.randint(1, 40),
            status="closed" if rng.random() < 0.8 else "open",
            posted_by=world.sub_admin,
        )
        for k in range(count)
    )
    Resource.objects.bulk_create(
        Resource(
            node=world.sub_a if k % 2 else world.sub_b,
            unit=unit if k % 2 else other,
            category=rng.choice(["elderly", "health", "repair", "youth"]),
            title=f"资源{k}",
            capacity_kind="hours",
            capacity=rng.randint(1, 100),
            status="closed" if rng.random() < 0.8 else "open",
            posted_by=world.sub_admin,
        )
        for k in range(count)
    )
    Project.objects.bulk_create(
        Project(
            node=rng.choice(communities),
            name=f"项目{k}",
            status="evaluated" if rng.random() < 0.8 else rng.choice(["open", "in_progress", "draft"]),
            created_by=world.sub_admin,
        )
        for k in range(count)
    )
    project = Project.objects.filter(node=world.comm_a1, status="evaluated").order_by("id").first()
    return {"alliance_project": project.pk if project else 0}
