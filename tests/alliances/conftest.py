"""An alliance in 街道A with two units (one account each), a unit in 街道B, and coordinates on the places."""

from types import SimpleNamespace

import pytest

from gongzhi.alliances import services
from gongzhi.orgs.models import Node
from tests.accounts.factories import UserFactory


@pytest.fixture
def al(world):
    points = {
        "sub_a": (30.30, 120.10),
        "comm_a1": (30.30, 120.10),
        "cmp_a1a": (30.301, 120.101),
        "cmp_a1b": (30.302, 120.099),
        "comm_a2": (30.32, 120.12),
        "cmp_a2a": (30.321, 120.121),
        "sub_b": (30.50, 120.50),
        "comm_b1": (30.50, 120.50),
        "cmp_b1a": (30.501, 120.501),
    }
    for name, (lat, lng) in points.items():
        node = getattr(world, name)
        Node.objects.filter(pk=node.pk).update(lat=lat, lng=lng)
        node.lat, node.lng = lat, lng
    a = SimpleNamespace()
    a.alliance = services.alliance_create(actor=world.sub_admin, node=world.sub_a, name="街道A党建红盟")
    a.bank = services.unit_register(
        actor=world.sub_admin,
        subdistrict=world.sub_a,
        name="某银行支行",
        kind="state_firm",
        contact_phone="13812345678",
        lat=30.30,
        lng=120.10,
        alliances=[a.alliance],
    )
    a.hospital = services.unit_register(
        actor=world.sub_admin,
        subdistrict=world.sub_a,
        name="某中医医院",
        kind="hospital",
        lat=30.305,
        lng=120.105,
        alliances=[a.alliance],
    )
    a.far_unit = services.unit_register(
        actor=world.sub_b_admin, subdistrict=world.sub_b, name="街道B公司", kind="private_firm"
    )
    a.bank_user = UserFactory(username="bank-unit")
    services.unit_staff_add(actor=world.sub_admin, unit=a.bank, user=a.bank_user)
    a.hospital_user = UserFactory(username="hospital-unit")
    services.unit_staff_add(actor=world.sub_admin, unit=a.hospital, user=a.hospital_user)
    a.far_user = UserFactory(username="far-unit")
    services.unit_staff_add(actor=world.sub_b_admin, unit=a.far_unit, user=a.far_user)
    return a


@pytest.fixture
def clinic(world, al):
    """An open resource of the hospital and an open need of compound A1a that it fits."""
    resource = services.resource_post(
        actor=al.hospital_user,
        unit=al.hospital,
        category="health",
        title="中医义诊进小区",
        description="骨伤义诊、健康咨询",
        capacity_kind="places",
        capacity=100,
        radius_km=3,
    )
    need = services.need_post(
        actor=world.commissioner,
        node=world.cmp_a1a,
        category="health",
        title="老人义诊",
        description="慢病老人健康检查、骨伤义诊",
        quantity_kind="places",
        quantity=40,
        urgency=3,
    )
    return SimpleNamespace(resource=resource, need=need)
