import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongzhi.orgs.models import Node, NodeKind
from gongzhi.orgs.services import node_create, party_org_create

pytestmark = pytest.mark.django_db


def test_managers_add_nodes_in_their_subtree(world):
    node = node_create(
        actor=world.a1_secretary,
        parent=world.cmp_a1a,
        kind=NodeKind.BUILDING,
        code="B-9",
        name="楼A1a-9",
        lat=30.3,
        lng=120.1,
    )
    assert node.get_parent() == world.cmp_a1a
    assert node.path.startswith(world.cmp_a1a.path)


@pytest.mark.parametrize(
    ("parent", "kind"),
    [
        ("cmp_a1a", NodeKind.COMMUNITY),
        ("bld_a1a", NodeKind.BUILDING),
        ("comm_a1", NodeKind.SUBDISTRICT),
        ("sub_a", NodeKind.COMPOUND),
    ],
)
def test_levels_must_nest(world, parent, kind):
    before = Node.objects.count()
    with pytest.raises(ValidationError):
        node_create(actor=world.superuser, parent=getattr(world, parent), kind=kind, code="X1", name="x")
    assert Node.objects.count() == before


def test_wrong_role_or_place_cannot_add_nodes(world):
    for actor, parent in [
        (world.a1_staff, world.cmp_a1a),
        (world.a1_secretary, world.cmp_a2a),
        (world.resident, world.cmp_a1a),
        (world.viewer, world.cmp_a1a),
    ]:
        with pytest.raises(PermissionDenied):
            node_create(actor=actor, parent=parent, kind=NodeKind.BUILDING, code="X2", name="x")
    with pytest.raises(PermissionDenied):
        node_create(actor=world.sub_admin, parent=None, kind=NodeKind.DISTRICT, code="X3", name="x")


def test_duplicate_code_and_half_a_location_are_rejected(world):
    with pytest.raises(ValidationError):
        node_create(
            actor=world.superuser,
            parent=world.cmp_a1a,
            kind=NodeKind.BUILDING,
            code=world.bld_a1a.code,
            name="dup",
        )
    with pytest.raises(ValidationError):
        node_create(
            actor=world.superuser, parent=world.cmp_a1a, kind=NodeKind.BUILDING, code="X4", name="x", lat=30.0
        )
    with pytest.raises(ValidationError):
        node_create(
            actor=world.superuser,
            parent=world.comm_a1,
            kind=NodeKind.COMPOUND,
            code="X5",
            name="x",
            node_type="historic",
        )


def test_party_org_create(world):
    org = party_org_create(actor=world.a1_secretary, node=world.cmp_a1b, name="小区A1b党支部", kind="branch")
    assert org.node == world.cmp_a1b
    with pytest.raises(PermissionDenied):
        party_org_create(actor=world.a2_staff, node=world.cmp_a1b, name="x", kind="branch")
    with pytest.raises(ValidationError):
        party_org_create(actor=world.a1_secretary, node=world.cmp_a1b, name="小区A1b党支部", kind="branch")
    with pytest.raises(ValidationError):
        party_org_create(actor=world.a1_secretary, node=world.cmp_a1b, name="y", kind="club")
