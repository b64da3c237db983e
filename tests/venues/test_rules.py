"""Role × place, written out: who may book which area, approve bookings and run the venue."""

import pytest

from gongzhi.venues import rules

pytestmark = [pytest.mark.django_db]

# user attribute: (may book the organisations' room, may book the residents' reading room, approves/runs)
MATRIX = {
    "superuser": (True, True, True),
    "sub_admin": (True, True, True),  # subdistrict administrator of 街道A: runs its centre
    "a1_secretary": (True, True, False),  # community secretary in 街道A: books, does not run the centre
    "a1_staff": (True, True, False),
    "a2_staff": (True, True, False),
    "commissioner": (True, True, False),
    "resident": (False, True, False),  # a resident of 街道A: only what is open to residents
    "viewer": (False, False, False),  # the district viewer looks only
    "sub_b_admin": (False, False, False),  # another subdistrict
    "nobody": (False, False, False),
}


@pytest.mark.parametrize("who", sorted(MATRIX))
def test_matrix(world, centre, who):
    user = getattr(world, who)
    room, reading, runs = MATRIX[who]
    assert rules.may_book.test(user, centre.room) is room
    assert rules.may_book.test(user, centre.reading) is reading
    assert rules.runs_venue.test(user, centre) is runs
    assert rules.runs_venue.test(user, centre.room) is runs


def test_staff_only_area(world, centre):
    centre.room.bookable_by = "staff"
    assert rules.may_book.test(world.sub_admin, centre.room)
    assert not rules.may_book.test(world.a1_secretary, centre.room)
    assert not rules.may_book.test(None, centre.room)
