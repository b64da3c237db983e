"""Who may change the organisation: community secretaries and subdistrict administrators over their own
subtree; nobody else, whatever else they may do there."""

import pytest

from gongzhi.orgs.rules import manages

pytestmark = pytest.mark.django_db

# node → who manages it (the superuser everywhere).
MANAGERS = {
    "sub_a": {"sub_admin", "superuser"},
    "comm_a1": {"sub_admin", "a1_secretary", "superuser"},
    "cmp_a1a": {"sub_admin", "a1_secretary", "superuser"},
    "comm_a2": {"sub_admin", "superuser"},
    "sub_b": {"sub_b_admin", "superuser"},
}
PEOPLE = [
    "superuser",
    "sub_admin",
    "sub_b_admin",
    "a1_staff",
    "a1_secretary",
    "a2_staff",
    "commissioner",
    "resident",
    "viewer",
    "nobody",
]


@pytest.mark.parametrize("node", sorted(MANAGERS))
def test_who_manages_which_node(world, node):
    for who in PEOPLE:
        assert manages.test(getattr(world, who), getattr(world, node)) is (who in MANAGERS[node]), (who, node)
