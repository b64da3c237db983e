"""Who may take which step of an appeal: role × tier × state, written out as the tiers mean it
("小事不出小区、大事不出社区、难事不出街道"): the compound's staff at the compound tier, the community's at the
community tier, the subdistrict's at the last; the resident who filed it for the resident's own steps."""

import pytest

from gongzhi.appeals.models import Appeal, Status, Tier
from gongzhi.appeals.rules import handles, is_filer, may_add_photo
from gongzhi.appeals.workflow import APPEAL_WORKFLOW, TRANSITIONS

pytestmark = pytest.mark.django_db

# Who handles an appeal at each tier (the handling node is the compound, community or subdistrict).
HANDLERS = {
    Tier.COMPOUND: {"commissioner", "a1_staff", "a1_secretary", "sub_admin", "superuser"},
    Tier.COMMUNITY: {"a1_staff", "a1_secretary", "sub_admin", "superuser"},
    Tier.SUBDISTRICT: {"sub_admin", "superuser"},
}
PEOPLE = [
    "resident",  # filed it
    "commissioner",
    "a1_staff",
    "a1_secretary",
    "a2_staff",  # the neighbouring community
    "sub_admin",
    "sub_b_admin",  # another subdistrict
    "viewer",  # aggregates only
    "nobody",
    "superuser",
]
RESIDENT_STEPS = {"provide_info", "rate"}
PARTY_STEPS = {"propose", "hand_back"}  # the party it is assigned to (tests/appeals/test_parties.py)
STAFF_STEPS = set(TRANSITIONS) - RESIDENT_STEPS - PARTY_STEPS


def at_tier(world, appeal: Appeal, tier: str) -> Appeal:
    handling = {Tier.COMPOUND: world.cmp_a1a, Tier.COMMUNITY: world.comm_a1, Tier.SUBDISTRICT: world.sub_a}[
        tier
    ]
    Appeal.objects.filter(pk=appeal.pk).update(tier=tier, handling_node=handling)
    return Appeal.objects.get(pk=appeal.pk)


@pytest.mark.parametrize("tier", [Tier.COMPOUND, Tier.COMMUNITY, Tier.SUBDISTRICT])
@pytest.mark.parametrize("who", PEOPLE)
def test_each_step_is_for_its_people_at_each_tier(world, file_appeal, tier, who):
    appeal = at_tier(world, file_appeal(), tier)
    user = getattr(world, who)
    for name, transition in TRANSITIONS.items():
        if name in PARTY_STEPS:
            expected = False  # not assigned to anyone
        else:
            expected = who == "resident" if name in RESIDENT_STEPS else who in HANDLERS[tier]
        assert transition.permits(user, appeal) is expected, (name, who, tier)


def test_the_sweep_may_escalate_and_close_but_nothing_else(world, file_appeal):
    appeal = file_appeal()
    allowed = {name for name, t in TRANSITIONS.items() if t.permits(None, appeal)}
    assert allowed == {"escalate", "close"}


@pytest.mark.parametrize(
    ("state", "handler_sees", "resident_sees"),
    [
        (Status.SUBMITTED, {"accept", "request_info", "escalate", "merge", "comment", "categorise"}, set()),
        (
            Status.ACCEPTED,
            {
                "request_info",
                "assign",
                "escalate",
                "transfer",
                "merge",
                "resolve",
                "follow_up",
                "comment",
                "categorise",
            },
            set(),
        ),
        (Status.INFO_REQUESTED, {"escalate", "merge", "comment", "categorise"}, {"provide_info"}),
        (
            Status.ASSIGNED,
            {
                "request_info",
                "assign",
                "escalate",
                "transfer",
                "merge",
                "resolve",
                "follow_up",
                "comment",
                "categorise",
            },
            set(),
        ),
        # The party reported it done: staff confirm (resolve) or send it back; the resident may rate.
        (Status.PROPOSED, {"resolve", "send_back", "follow_up", "comment", "categorise"}, {"rate"}),
        (Status.TRANSFERRED, {"resolve", "comment", "categorise"}, set()),
        (Status.RESOLVED, {"close", "follow_up"}, {"rate"}),
        (Status.CLOSED, {"follow_up"}, set()),
    ],
)
def test_the_buttons_each_state_offers(world, file_appeal, state, handler_sees, resident_sees):
    appeal = file_appeal()
    Appeal.objects.filter(pk=appeal.pk).update(status=state)
    appeal.refresh_from_db()
    assert set(APPEAL_WORKFLOW.available(world.commissioner, appeal)) == handler_sees
    assert set(APPEAL_WORKFLOW.available(world.resident, appeal)) == resident_sees
    assert APPEAL_WORKFLOW.available(world.a2_staff, appeal) == []  # the neighbouring community: nothing


def test_filer_and_photo_rules(world, file_appeal):
    appeal = file_appeal()
    assert is_filer.test(world.resident, appeal) and not is_filer.test(world.commissioner, appeal)
    assert handles.test(world.commissioner, appeal) and not handles.test(world.resident, appeal)
    assert may_add_photo.test(world.resident, appeal) and may_add_photo.test(world.commissioner, appeal)
    assert not may_add_photo.test(world.a2_staff, appeal) and not may_add_photo.test(world.viewer, appeal)
    Appeal.objects.filter(pk=appeal.pk).update(status=Status.CLOSED)
    appeal.refresh_from_db()
    assert not may_add_photo.test(world.resident, appeal)
    assert set(TRANSITIONS) == STAFF_STEPS | RESIDENT_STEPS | PARTY_STEPS
