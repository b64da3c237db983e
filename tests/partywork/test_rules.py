"""Role × state for a branch's rating, written out: a branch never scores itself, a reviewer never
self-assesses, the scorer never rechecks, and nobody outside the subdistrict reaches the rating at all."""

import pytest

from gongzhi.core.roles import Role
from gongzhi.partywork import selectors
from gongzhi.partywork.models import RatingStatus
from gongzhi.partywork.workflow import RATING_WORKFLOW
from tests.accounts.factories import UserFactory, bind
from tests.partywork.conftest import rating_of

S = RatingStatus

# state → {who: actions they may take}
MATRIX = {
    S.DRAFT: {
        "secretary": ["submit"],
        "member": [],
        "reviewer": [],
        "committee": [],
        "scorer": [],
        "branch_manager": [],
    },
    S.SUBMITTED: {
        "secretary": [],
        "member": [],
        "reviewer": ["return", "score"],
        "committee": ["return", "score"],
        "scorer": ["return", "score"],
        "branch_manager": [],
    },
    S.SCORED: {
        "secretary": [],
        "member": [],
        "reviewer": [],
        "committee": ["recheck", "send_back"],
        "scorer": [],
        "branch_manager": [],
    },
    S.RECHECKED: {
        "secretary": [],
        "member": [],
        "reviewer": [],
        "committee": ["notice"],
        "scorer": ["notice"],
        "branch_manager": [],
    },
    S.NOTICE: {
        "secretary": [],
        "member": [],
        "reviewer": [],
        "committee": ["finalise"],
        "scorer": ["finalise"],
        "branch_manager": [],
    },
    S.FINAL: {
        "secretary": ["appeal"],
        "member": [],
        "reviewer": [],
        "committee": [],
        "scorer": [],
        "branch_manager": [],
    },
    S.APPEALED: {
        "secretary": [],
        "member": [],
        "reviewer": [],
        "committee": ["decide"],
        "scorer": [],
        "branch_manager": [],
    },
}


@pytest.fixture
def people(pw):
    scorer = UserFactory(username="scoring-admin")  # a committee member who scored this rating
    bind(scorer, Role.SUBDISTRICT_ADMIN, pw.world.sub_a)
    # A community secretary who is also the branch's member: a manager over it, but of the branch.
    branch_manager = UserFactory(username="manager-in-branch")
    bind(branch_manager, Role.COMMUNITY_SECRETARY, pw.world.comm_a1)
    from tests.accounts.factories import PersonFactory
    from tests.orgs.factories import PartyMembershipFactory

    PartyMembershipFactory(
        party_org=pw.branch, person=PersonFactory(node=pw.world.cmp_a1a, user=branch_manager)
    )
    return {
        "secretary": pw.secretary,
        "member": pw.member,
        "reviewer": pw.reviewer,
        "committee": pw.committee,
        "scorer": scorer,
        "branch_manager": branch_manager,
    }


@pytest.mark.parametrize("state", list(MATRIX))
def test_role_by_state(pw, rnd, people, state):
    rating = rating_of(rnd, pw.branch)
    rating.status = state
    rating.scored_by = (
        people["scorer"] if state in (S.SCORED, S.RECHECKED, S.NOTICE, S.FINAL, S.APPEALED) else None
    )
    for who, expected in MATRIX[state].items():
        user = people[who]
        for attr in ("_partywork_posts", "_gongzhi_bindings"):
            if hasattr(user, attr):
                delattr(user, attr)
        assert RATING_WORKFLOW.available(user, rating) == expected, (state, who)


def test_nobody_outside_reaches_a_rating(pw, rnd):
    rating = rating_of(rnd, pw.branch)
    w = pw.world
    inside = [pw.secretary, pw.member, pw.reviewer, pw.committee, w.viewer]
    for user in inside:
        assert selectors.ratings(fetched_by=user).filter(pk=rating.pk).exists(), user
    # Another subdistrict's committee, the neighbouring community's staff, a stranger: 404.
    for user in (w.sub_b_admin, w.a2_staff, w.nobody):
        assert not selectors.ratings(fetched_by=user).filter(pk=rating.pk).exists(), user
    # A neighbour in the branch's compound who is not a member sees it only once it is on public notice.
    neighbour = UserFactory(username="neighbour")
    bind(neighbour, Role.RESIDENT, w.cmp_a1a)
    assert not selectors.ratings(fetched_by=neighbour).filter(pk=rating.pk).exists()
    rating.status = S.NOTICE
    rating.save()
    assert selectors.ratings(fetched_by=neighbour).filter(pk=rating.pk).exists()
