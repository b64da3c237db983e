"""The cluster test's hands inside the database: ``python -m tests.cluster.seed COMMAND`` with
DJANGO_SETTINGS_MODULE=tests.background.settings. Prints one JSON line.

  world N    a subdistrict with a commissioner and N residents (each with a phone number and 1,000 points)
             and an item in the points mall
  reconcile  the nightly proof of the points ledger, run as the worker runs it, with its figures
"""

import json
import sys
from typing import Any

import django

POINTS = 1000


def world(residents: int) -> dict[str, Any]:
    from gongzhi.appeals.models import SlaPolicy
    from gongzhi.core.roles import Role
    from gongzhi.ledger.mall import item_create
    from gongzhi.ledger.models import AccountKind
    from gongzhi.ledger.services import account_for, points_post
    from gongzhi.orgs.models import NodeKind
    from tests.accounts.factories import UserFactory, bind, with_phone
    from tests.orgs.factories import make_node

    district = make_node(None, NodeKind.DISTRICT, "区C")
    sub = make_node(district, NodeKind.SUBDISTRICT, "街道C")
    community = make_node(sub, NodeKind.COMMUNITY, "社区C1")
    compound = make_node(community, NodeKind.COMPOUND, "小区C1a")
    building = make_node(compound, NodeKind.BUILDING, "楼C1a-1")
    SlaPolicy.objects.get_or_create(accept_limit=24, resolve_limit=120)
    staff = UserFactory(username="cluster-staff")
    bind(staff, Role.COMMUNITY_STAFF, community)
    commissioner = with_phone(UserFactory(username="cluster-commissioner"), "13900000000")
    bind(commissioner, Role.COMMISSIONER, compound)
    issue = account_for(kind=AccountKind.ISSUANCE, subdistrict=sub)
    names = []
    for n in range(residents):
        resident = with_phone(UserFactory(username=f"cluster-resident{n}"), f"1391234{n:04d}")
        bind(resident, Role.RESIDENT, compound)
        mine = account_for(kind=AccountKind.PERSON, subdistrict=sub, user=resident)
        points_post(key=f"cluster-grant-{n}", kind="earn", postings=[(issue, -POINTS), (mine, POINTS)])
        names.append(resident.username)
    item = item_create(actor=staff, node=community, name="环保袋", price=10, stock=100_000)
    return {"building": building.pk, "item": item.pk, "price": 10, "points": POINTS, "residents": names}


def reconcile() -> dict[str, Any]:
    from gongzhi.ledger.models import AccountKind, PointsAccount
    from gongzhi.ledger.services import points_reconcile
    from gongzhi.ledger.tasks import reconcile as nightly

    sound = nightly.call_local()  # the periodic task's body, under its lease
    proof = points_reconcile()
    # unscoped: the test reads every resident's balance
    balances = dict(
        PointsAccount.objects.filter(kind=AccountKind.PERSON).values_list("user__username", "balance")
    )
    return {
        "sound": bool(sound) and proof.sound,
        "accounts": proof.accounts,
        "mismatched": len(proof.mismatched),
        "unbalanced": len(proof.unbalanced),
        "total": proof.total,
        "balances": balances,
    }


def main(argv: list[str]) -> None:
    django.setup()
    command, *numbers = argv
    result = {"world": world, "reconcile": reconcile}[command](*map(int, numbers))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
