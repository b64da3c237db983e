"""Who may grant roles, keep the register and export personal data, by role and node."""

import pytest

from gongzhi.accounts.rules import grants_roles_at, grants_senior_roles_at, keeps_register_at, may_reveal

pytestmark = pytest.mark.django_db

PEOPLE = [
    "superuser",
    "sub_admin",
    "a1_secretary",
    "a1_staff",
    "commissioner",
    "a2_staff",
    "resident",
    "viewer",
]


@pytest.mark.parametrize(
    ("node", "grants", "grants_senior", "keeps_register"),
    [
        (
            "cmp_a1a",
            {"superuser", "sub_admin", "a1_secretary"},
            {"superuser", "sub_admin"},
            {"superuser", "sub_admin", "a1_secretary", "a1_staff", "commissioner"},
        ),
        (
            "comm_a1",
            {"superuser", "sub_admin", "a1_secretary"},
            {"superuser", "sub_admin"},
            {"superuser", "sub_admin", "a1_secretary", "a1_staff"},
        ),
        (
            "comm_a2",
            {"superuser", "sub_admin"},
            {"superuser", "sub_admin"},
            {"superuser", "sub_admin", "a2_staff"},
        ),
        ("sub_b", {"superuser"}, {"superuser"}, {"superuser"}),
    ],
)
def test_grants_and_the_register_by_node(world, node, grants, grants_senior, keeps_register):
    place = getattr(world, node)
    for who in PEOPLE:
        user = getattr(world, who)
        assert grants_roles_at.test(user, place) is (who in grants), (who, node)
        assert grants_senior_roles_at.test(user, place) is (who in grants_senior), (who, node)
        assert keeps_register_at.test(user, place) is (who in keeps_register), (who, node)


def test_only_caseworkers_may_export_full_numbers(world):
    allowed = {"superuser", "sub_admin", "a1_secretary", "a1_staff", "commissioner", "a2_staff"}
    for who in PEOPLE:
        assert may_reveal.test(getattr(world, who)) is (who in allowed), who
