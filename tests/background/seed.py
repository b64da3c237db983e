"""The kill test's hands inside the database: ``python -m tests.background.seed COMMAND`` with
DJANGO_SETTINGS_MODULE=tests.background.settings. Prints one JSON line.

  world N   a subdistrict with staff and residents, and N appeals filed and already past their deadline
  work N M  N text messages queued (each its own task) and M appeals filed, interleaved
"""

import json
import sys
from datetime import timedelta
from typing import Any

import django


def world(overdue: int) -> dict[str, Any]:
    from django.utils import timezone

    from gongzhi.appeals.models import Appeal, SlaPolicy
    from gongzhi.core.roles import Role
    from gongzhi.orgs.models import NodeKind
    from tests.accounts.factories import UserFactory, bind, with_phone
    from tests.orgs.factories import make_node

    district = make_node(None, NodeKind.DISTRICT, "区D")
    sub = make_node(district, NodeKind.SUBDISTRICT, "街道A")
    community = make_node(sub, NodeKind.COMMUNITY, "社区A1")
    compound = make_node(community, NodeKind.COMPOUND, "小区A1a")
    make_node(compound, NodeKind.BUILDING, "楼A1a-1")
    SlaPolicy.objects.get_or_create(accept_limit=1, resolve_limit=5)
    bind(UserFactory(username="sub-admin"), Role.SUBDISTRICT_ADMIN, sub)
    bind(UserFactory(username="staff"), Role.COMMUNITY_STAFF, community)
    bind(UserFactory(username="commissioner"), Role.COMMISSIONER, compound)
    for n in range(8):
        resident = with_phone(UserFactory(username=f"resident{n}"), f"1381234{n:04d}")
        bind(resident, Role.RESIDENT, compound)
    filed = _file(overdue, start=0)
    # unscoped: the test's own appeals, made late
    Appeal.objects.filter(pk__in=filed).update(accept_due=timezone.now() - timedelta(hours=1))
    return {"overdue": len(filed)}


def _file(count: int, start: int) -> list[int]:
    from gongzhi.accounts.models import User
    from gongzhi.appeals.services import appeal_submit
    from gongzhi.orgs.models import Node, NodeKind

    building = Node.objects.get(kind=NodeKind.BUILDING)
    residents = list(User.objects.filter(username__startswith="resident").order_by("pk"))
    ids = []
    for n in range(start, start + count):
        appeal, created = appeal_submit(
            actor=residents[n % len(residents)],
            node=building,
            title=f"楼道堆放杂物{n}",
            body=f"{n}单元楼道堆满纸箱，消防通道被堵。",
            client_key=f"kill-test-{n}",
        )
        if created:
            ids.append(appeal.pk)
    return ids


def work(texts: int, appeals: int) -> dict[str, Any]:
    from gongzhi.accounts.models import User
    from gongzhi.notifications.services import notify

    residents = list(User.objects.filter(username__startswith="resident").order_by("pk"))
    queued = acknowledged = 0
    for n in range(max(texts, appeals)):
        if n < texts:
            rows = notify(
                recipients=[residents[n % len(residents)]],
                kind="test.text",
                title=f"Kill test message {n}",
                dedupe_key=f"kill-test-{n}",
                sms=True,
            )
            queued += sum(1 for row in rows if row.channel == "sms")
        if n < appeals:
            acknowledged += len(_file(1, start=100_000 + n))
    return {"texts_queued": queued, "appeals_filed": appeals, "appeals_acknowledged": acknowledged}


def main(argv: list[str]) -> None:
    django.setup()
    command, *numbers = argv
    result = {"world": world, "work": work}[command](*map(int, numbers))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
