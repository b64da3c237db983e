"""Councils of 社区A1 (3+X) and of 小区A1a, with members who hold accounts, and an appeal about the green belt."""

from types import SimpleNamespace

import pytest

from gongzhi.appeals.intake import appeal_submit
from gongzhi.core.roles import Role
from gongzhi.deliberation import services
from gongzhi.deliberation.models import Seat
from tests.accounts.factories import UserFactory, bind


@pytest.fixture
def delib(world):
    d = SimpleNamespace()
    d.chair = UserFactory(username="chair", display_name="主任")
    bind(d.chair, Role.RESIDENT, world.cmp_a1a)
    d.police = UserFactory(username="police", display_name="民警")
    bind(d.police, Role.RESIDENT, world.cmp_a1b)
    d.council = services.council_create(
        actor=world.a1_staff, node=world.comm_a1, name="社区A1议事会", rule="3+x", support_needed=3
    )
    d.members = [
        services.council_member_add(
            actor=world.a1_staff, council=d.council, name="主任", seat=Seat.PARTY_ORG, user=d.chair
        ),
        services.council_member_add(
            actor=world.a1_staff,
            council=d.council,
            name="业委会",
            seat=Seat.OWNERS_COMMITTEE,
            user=world.resident,
        ),
        services.council_member_add(
            actor=world.a1_staff, council=d.council, name="物业", seat=Seat.PROPERTY_MANAGER
        ),
        services.council_member_add(
            actor=world.a1_staff, council=d.council, name="民警", seat=Seat.POLICE, user=d.police
        ),
    ]
    services.council_roles_set(actor=world.a1_staff, council=d.council, chair=d.chair, secretary=None)
    d.compound_council = services.council_create(
        actor=world.commissioner, node=world.cmp_a1a, name="小区A1a议事会", support_needed=3
    )
    d.appeal, _created = appeal_submit(
        actor=world.resident,
        node=world.cmp_a1a,
        title="绿化带挡光滋生蚊虫",
        body="楼前绿化带太密，一楼常年不见阳光，夏天蚊虫很多。",
        resident=world.p_a1a,
    )
    return d
