"""The appeals requests each role makes most, whose plans must not grow with the table (gongzhi.core.plans).
A new list, queue, detail or count of appeals adds its entry here."""

# unscoped-module: seeds the plan tests' database (bulk rows for every role) and reads back what it made

import random
from datetime import timedelta
from typing import Any

from django.utils import timezone

from gongzhi.appeals.models import Appeal, Status, Tier
from gongzhi.appeals.tallies import tallies_rebuild
from gongzhi.core.pagination import cursor_of
from gongzhi.core.plans import HotRequest
from gongzhi.orgs.models import OrgUnit, OrgUnitKind

LARGE_TABLES = ("appeals_appeal", "appeals_appealevent")

_ONE_RESIDENT = "one resident's own appeals: a handful, sorted after an index finds them"

HOT_REQUESTS = [
    HotRequest("own appeals", "resident", "/api/v1/appeals?limit=25", sorted_ok=_ONE_RESIDENT),
    HotRequest("own appeal", "resident", "/api/v1/appeals/{own_appeal}", kind="detail"),
    # The compound's open public appeals ranked by support: one ordered walk per place, merged, and the count
    # from the same index (selectors.public_appeals), so neither sorts nor reads the table's rows.
    HotRequest(
        "neighbours' appeals",
        "resident",
        "/api/v1/appeals/neighbours?limit=25",
        through=("appeals_appeal.appeal_public_open",),  # those only, not every closed appeal of the compound
        index_only=("appeals_appeal",),
    ),
    HotRequest("queue", "commissioner", "/api/v1/appeals/queue?limit=25", scope_from_index=True),
    HotRequest(
        "queue, middle page",
        "commissioner",
        "/api/v1/appeals/queue?limit=25&offset={queue_middle}",
        kind="middle page",
        scope_from_index=True,
    ),
    HotRequest("appeals", "commissioner", "/api/v1/appeals?limit=25"),
    # Deep in the list by cursor (``after``: the rows after the previous page's last, core.pagination): the
    # index seeks to the cursor's filing time, so the middle page costs what the first does. An offset steps
    # over every entry before it (a subdistrict's middle page: 50,000 index entries at 100,000 appeals).
    HotRequest(
        "appeals, middle page",
        "commissioner",
        "/api/v1/appeals?limit=25&after={list_middle_cursor}",
        kind="middle page",
    ),
    HotRequest("appeal", "commissioner", "/api/v1/appeals/{appeal}", kind="detail"),
    HotRequest(
        "assigned to the party",
        "property_manager",
        "/api/v1/appeals/assigned?limit=25",
        sorted_ok="the open appeals assigned to the user's party: the party's current work",
    ),
    HotRequest("assigned appeal", "property_manager", "/api/v1/appeals/{assigned_appeal}", kind="detail"),
    HotRequest("queue", "community_staff", "/api/v1/appeals/queue?limit=25", scope_from_index=True),
    HotRequest("appeals", "community_staff", "/api/v1/appeals?limit=25"),
    HotRequest(
        "open appeals", "community_staff", "/api/v1/appeals?status=open&limit=25", scope_from_index=True
    ),
    HotRequest("appeal", "community_staff", "/api/v1/appeals/{appeal}", kind="detail"),
    HotRequest("queue", "subdistrict_admin", "/api/v1/appeals/queue?limit=25", scope_from_index=True),
    HotRequest(
        "queue, middle page",
        "subdistrict_admin",
        "/api/v1/appeals/queue?limit=25&offset={queue_middle}",
        kind="middle page",
        scope_from_index=True,
    ),
    HotRequest("appeals", "subdistrict_admin", "/api/v1/appeals?limit=25"),
    HotRequest(
        "appeals, middle page",
        "subdistrict_admin",
        "/api/v1/appeals?limit=25&after={list_middle_cursor}",
        kind="middle page",
    ),
    HotRequest("appeal", "subdistrict_admin", "/api/v1/appeals/{appeal}", kind="detail"),
]

# The queue page's bulk-assignment menu lists the caseworkers in reach by name (at most 300 people, from the
# role bindings of the reach's nodes); the queue itself is checked strictly by the API entries above.
_ASSIGN_MENU = "the caseworkers in reach by name, for the bulk-assignment menu (at most 300)"

# The appeals page as each role opens it (rendered HTML, menu and counts included): staff land on their queue,
# a property manager on the work assigned to the party, a resident on their own appeals.
HOT_REQUESTS += [
    HotRequest("appeals (web page)", "resident", "/appeals/", sorted_ok=_ONE_RESIDENT),
    HotRequest(
        "neighbours' appeals (web page)",
        "resident",
        "/appeals/?view=neighbours",
        index_only=("appeals_appeal",),
    ),
    HotRequest(
        "assigned (web page)",
        "property_manager",
        "/appeals/",
        sorted_ok="the open appeals assigned to the user's party: the party's current work",
    ),
    HotRequest("queue (web page)", "commissioner", "/appeals/", sorted_ok=_ASSIGN_MENU),
    HotRequest("queue (web page)", "community_staff", "/appeals/", sorted_ok=_ASSIGN_MENU),
    HotRequest("queue (web page)", "subdistrict_admin", "/appeals/", sorted_ok=_ASSIGN_MENU),
    HotRequest("open in my area (web page)", "community_staff", "/appeals/?view=all"),
    HotRequest("open in my area (web page)", "subdistrict_admin", "/appeals/?view=all"),
    HotRequest("appeal (web page)", "commissioner", "/appeals/{appeal}/", kind="detail"),
]

# A year's KPIs add up the month tallies for its whole months and the day tallies for the part-months at its
# ends (appeals/tallies.py: a row per month or day, place, tier and category, not a large table), each place
# of the reach through its (node, month / day) index, and read appeals only for the part-days at the
# period's ends, by their filing date.
_KPI = "a KPI groups the year's month and day tallies of the reach (a few groups, sorted in memory)"
HOT_REQUESTS += [
    HotRequest("KPIs", role, "/api/v1/appeals/kpis", sorted_ok=_KPI, kind="KPI")
    for role in ("commissioner", "community_staff", "subdistrict_admin", "district_viewer")
]

# Of every 100 appeals: closed and resolved ones are most of a year's rows; the rest are open.
_STATUSES = [Status.CLOSED] * 80 + [Status.RESOLVED] * 5 + [Status.SUBMITTED] * 5 + [Status.ACCEPTED] * 5
_STATUSES += [Status.ASSIGNED] * 5
_TIERS = [Tier.COMPOUND] * 70 + [Tier.COMMUNITY] * 22 + [Tier.SUBDISTRICT] * 8


def seed(world: Any, *, count: int = 20_000) -> dict[str, Any]:
    """``count`` appeals over a year in ``world.compounds`` (a third in the first, where the roles are), a
    few of them filed by the resident and some assigned to the first compound's property manager."""
    rng = random.Random(21)
    home = world.compounds[0]
    unit, _created = OrgUnit.objects.get_or_create(
        node=home, kind=OrgUnitKind.PROPERTY_MANAGER, defaults={"name": "物业服务中心"}
    )
    now = timezone.now()
    rows = []
    for i in range(count):
        compound = home if rng.random() < 0.33 else rng.choice(world.compounds)
        community, subdistrict = world.community_of[compound.pk], world.subdistrict_of[compound.pk]
        tier = rng.choice(_TIERS)
        status = rng.choice(_STATUSES)
        open_ = status in (Status.SUBMITTED, Status.ACCEPTED, Status.ASSIGNED)
        created = now - timedelta(days=rng.uniform(0, 14) if open_ else rng.uniform(14, 365))
        mine = compound == home and i % 500 == 0
        assigned = compound == home and status == Status.ASSIGNED and rng.random() < 0.5
        rows.append(
            Appeal(
                node=compound,
                handling_node={Tier.COMPOUND: compound, Tier.COMMUNITY: community}.get(tier, subdistrict),
                tier=tier,
                status=status,
                title=f"诉求{i}",
                body="楼道照明、噪音、停车等问题",
                created_at=created,
                accept_due=created + timedelta(days=1),
                resolve_due=created + timedelta(days=rng.uniform(5, 20)),
                resolved_at=None if open_ else created + timedelta(days=3),
                submitted_by=world.users["resident"] if mine else None,
                resident=world.resident_person if mine else None,
                channel="web" if mine else "phone",
                assignee_unit=unit if assigned else None,
            )
        )
    Appeal.objects.bulk_create(rows, batch_size=2000)
    tallies_rebuild()  # written without events, as a bulk load by SQL
    ids = Appeal.objects.filter(node=home)
    open_in_queue = Appeal.objects.filter(handling_node=home, status__in=[s.value for s in _STATUSES[85:]])
    return {
        "own_appeal": ids.filter(submitted_by=world.users["resident"]).values_list("pk", flat=True).first(),
        "appeal": ids.filter(tier=Tier.COMPOUND).values_list("pk", flat=True).first(),
        "assigned_appeal": ids.filter(assignee_unit=unit).values_list("pk", flat=True).first(),
        "queue_middle": open_in_queue.count() // 2,
        "list_middle": ids.count() // 2,
        "list_middle_cursor": list_middle_cursor(ids),
    }


def list_middle_cursor(appeals: Any) -> str:
    """The cursor (``after``) of the appeals list's middle page: the values of the row half-way down
    ``appeals`` in the list's order (newest first). A position, so it serves every role's list."""
    ordered = appeals.order_by("-created_at", "-id")
    row = ordered[ordered.count() // 2]
    return cursor_of(Appeal.objects.order_by("-created_at", "-id"), row) or ""
