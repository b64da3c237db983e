"""Role × node matrix: a role at a node reaches that subtree and nothing else."""

import pytest

from gongzhi.accounts.models import Person
from gongzhi.core.models import AuditEvent
from gongzhi.orgs.models import Node, PartyMembership, PartyOrg

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def names(qs, field="name"):
    return set(qs.values_list(field, flat=True))


def test_community_staff_see_nothing_of_the_neighbouring_community(world):
    for user, own, other in [(world.a1_staff, "A1", "A2"), (world.a2_staff, "A2", "A1")]:
        nodes = names(Node.objects.visible_to(user))
        assert all(own in n for n in nodes)
        assert not any(other in n for n in nodes)
        people = Person.objects.visible_to(user)
        assert people.exists()
        assert not people.filter(node__path__startswith=getattr(world, f"comm_{other.lower()}").path).exists()
        assert all(own in n for n in names(PartyOrg.objects.visible_to(user)))
        assert all(own in m.party_org.name for m in PartyMembership.objects.visible_to(user))


@pytest.mark.parametrize(
    ("user", "people"),
    [
        ("superuser", {"张三", "李四", "王五", "赵六"}),
        ("sub_admin", {"张三", "李四", "王五"}),
        ("sub_b_admin", {"赵六"}),
        ("a1_staff", {"张三", "李四"}),
        ("a1_secretary", {"张三", "李四"}),
        ("a2_staff", {"王五"}),
        ("commissioner", {"张三"}),
        ("resident", {"张三"}),  # their own register entry only
        ("viewer", set()),  # aggregates only, no personal records
        ("nobody", set()),
    ],
)
def test_person_visibility_matrix(world, user, people):
    assert names(Person.objects.visible_to(getattr(world, user), "view")) == people


@pytest.mark.parametrize(
    ("user", "count"),
    [("viewer", 4), ("sub_admin", 3), ("a1_staff", 2), ("resident", 0), ("nobody", 0)],
)
def test_counting_reach(world, user, count):
    assert Person.objects.visible_to(getattr(world, user), "count").count() == count


def test_reveal_and_change_are_limited_to_casework_roles(world):
    assert not Person.objects.visible_to(world.resident, "reveal").exists()
    assert not Person.objects.visible_to(world.viewer, "reveal").exists()
    assert names(Person.objects.visible_to(world.commissioner, "reveal")) == {"张三"}
    assert not Person.objects.visible_to(world.resident, "change").exists()


def test_node_reach(world):
    assert names(Node.objects.visible_to(world.resident)) == {"小区A1a", "楼A1a-1"}
    assert names(Node.objects.visible_to(world.viewer)) == names(Node.objects.all())
    assert "街道B" not in names(Node.objects.visible_to(world.sub_admin))
    assert not Node.objects.visible_to(world.nobody).exists()
    # change: managers only
    assert not Node.objects.visible_to(world.a1_staff, "change").exists()
    assert names(Node.objects.visible_to(world.a1_secretary, "change")) >= {"社区A1", "小区A1a"}


def test_inactive_and_anonymous_users_see_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    world.sub_admin.is_active = False
    assert not Person.objects.visible_to(world.sub_admin).exists()
    assert not Node.objects.visible_to(AnonymousUser()).exists()


def test_nested_bindings_collapse_to_one_condition(world):
    from gongzhi.accounts.models import RoleBinding
    from gongzhi.core.scoping import reach_paths

    RoleBinding.objects.create(user=world.sub_admin, role="subdistrict_admin", node=world.comm_a1)
    world.sub_admin.__dict__.pop("_gongzhi_bindings", None)
    assert reach_paths(world.sub_admin, {"subdistrict_admin"}) == [world.sub_a.path]


def test_unknown_action_is_a_programming_error(world):
    with pytest.raises(ValueError, match="unknown action"):
        Person.objects.visible_to(world.sub_admin, "delete")


def test_audit_log_is_scoped_and_append_only(world):
    from gongzhi.core.audit import audit_record

    event = audit_record(actor=world.a1_staff, action="test", target=world.p_a1a, node=world.cmp_a1a)
    assert AuditEvent.objects.visible_to(world.sub_admin).filter(pk=event.pk).exists()
    assert not AuditEvent.objects.visible_to(world.sub_b_admin).filter(pk=event.pk).exists()
    assert not AuditEvent.objects.visible_to(world.a1_staff).exists()
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


def test_postgres_tree_paths_use_binary_collation(world):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT collation_name FROM information_schema.columns WHERE table_name = 'orgs_node' AND column_name = 'path'"
        )
        assert cursor.fetchone()[0] == "C"
