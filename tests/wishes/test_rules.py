"""Who may take which step of a wish, in each state: the wisher (or staff for them), the one volunteer who
claimed it, staff of the compound; everyone else nothing but a claim of a published wish."""

import pytest

from gongzhi.wishes.models import Wish, WishStatus
from gongzhi.wishes.rules import sees_wisher_name
from gongzhi.wishes.services import wish_post
from gongzhi.wishes.workflow import WISH_WORKFLOW
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db
S = WishStatus


@pytest.fixture
def parties(world):
    helper, stranger = UserFactory(username="helper"), UserFactory(username="stranger")
    wish = wish_post(actor=world.resident, compound=world.cmp_a1a, title="想要一副老花镜")
    Wish.objects.filter(pk=wish.pk).update(claimant=helper)
    return {
        "wisher": world.resident,
        "helper": helper,  # the claimant
        "staff": world.commissioner,  # staff over the compound
        "a2_staff": world.a2_staff,  # staff of the neighbouring community
        "stranger": stranger,
        "wish": Wish.objects.get(pk=wish.pk),
    }


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (
            S.PENDING,
            {
                "wisher": {"withdraw"},
                "helper": set(),
                "staff": {"publish", "reject", "withdraw"},
                "stranger": set(),
            },
        ),
        (
            S.PUBLISHED,
            {
                "wisher": {"withdraw"},
                "helper": {"claim"},
                "staff": {"withdraw", "claim"},
                "stranger": {"claim"},
            },
        ),
        (
            S.CLAIMED,
            {"wisher": {"accept"}, "helper": {"release"}, "staff": {"release", "accept"}, "stranger": set()},
        ),
        (
            S.ACCEPTED,
            {"wisher": set(), "helper": {"release", "fulfil"}, "staff": {"release"}, "stranger": set()},
        ),
        (S.FULFILLED, {"wisher": {"thank"}, "helper": set(), "staff": {"thank"}, "stranger": set()}),
        (S.THANKED, {"wisher": set(), "helper": set(), "staff": set(), "stranger": set()}),
        (S.WITHDRAWN, {"wisher": set(), "helper": set(), "staff": set(), "stranger": set()}),
    ],
)
def test_steps_by_person_and_state(parties, state, expected):
    Wish.objects.filter(pk=parties["wish"].pk).update(status=state)
    wish = Wish.objects.get(pk=parties["wish"].pk)
    for who, actions in expected.items():
        assert set(WISH_WORKFLOW.available(parties[who], wish)) == actions, (who, state)
    assert WISH_WORKFLOW.available(parties["a2_staff"], wish) == [] or state == S.PUBLISHED


@pytest.mark.parametrize(
    ("state", "helper_sees_name"),
    [(S.PUBLISHED, False), (S.CLAIMED, False), (S.ACCEPTED, True), (S.FULFILLED, True), (S.THANKED, True)],
)
def test_the_helper_sees_the_name_once_the_wisher_accepts(parties, state, helper_sees_name):
    Wish.objects.filter(pk=parties["wish"].pk).update(status=state)
    wish = Wish.objects.get(pk=parties["wish"].pk)
    assert sees_wisher_name.test(parties["helper"], wish) is helper_sees_name
    assert sees_wisher_name.test(parties["wisher"], wish) and sees_wisher_name.test(parties["staff"], wish)
    assert not sees_wisher_name.test(parties["stranger"], wish)
