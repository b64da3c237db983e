"""The compound's other two parties as handlers (三方协同): an appeal anywhere in a compound is assigned to
its property manager, owners' committee or a named person; the party sees it in a queue of its own, asks,
notes, reports it done or hands it back; the compound's staff confirm (or the resident rates). Role × state
× place for each of the parties' steps; what the filer's contact and the timeline show to whom."""

import pytest
from django.core.exceptions import PermissionDenied

from gongzhi.appeals import selectors
from gongzhi.appeals.errors import AppealError
from gongzhi.appeals.models import Appeal, Rating, Status
from gongzhi.appeals.services import appeal_contact_reveal, appeal_transition
from gongzhi.appeals.workflow import APPEAL_WORKFLOW, TRANSITIONS
from gongzhi.core.models import AuditEvent
from gongzhi.core.roles import Role
from gongzhi.orgs.models import OrgUnit, OrgUnitKind
from tests.accounts.factories import PersonFactory, UserFactory, bind, with_phone
from tests.appeals.test_photos import jpeg_with_exif

pytestmark = pytest.mark.django_db


@pytest.fixture
def parties(world):
    """慧-like compound A1a with its property manager and owners' committee; A1b and A2a with property
    managers of their own; one company (``company``) serves A1a and A2a."""
    p = world
    p.pm_a1a = OrgUnit.objects.create(node=world.cmp_a1a, kind=OrgUnitKind.PROPERTY_MANAGER, name="A1a物业")
    p.oc_a1a = OrgUnit.objects.create(node=world.cmp_a1a, kind=OrgUnitKind.OWNERS_COMMITTEE, name="A1a业委会")
    p.pm_a1b = OrgUnit.objects.create(node=world.cmp_a1b, kind=OrgUnitKind.PROPERTY_MANAGER, name="A1b物业")
    p.pm_a2a = OrgUnit.objects.create(node=world.cmp_a2a, kind=OrgUnitKind.PROPERTY_MANAGER, name="A2a物业")
    p.manager = UserFactory(username="manager", display_name="物业王经理")
    bind(p.manager, Role.PROPERTY_MANAGER, world.cmp_a1a)
    p.company = UserFactory(username="company", display_name="物业公司调度")
    bind(p.company, Role.PROPERTY_MANAGER, world.cmp_a1a)
    bind(p.company, Role.PROPERTY_MANAGER, world.cmp_a2a)
    p.owners = UserFactory(username="owners", display_name="业委会主任")
    bind(p.owners, Role.OWNERS_COMMITTEE, world.cmp_a1a)
    p.other_manager = UserFactory(username="other-manager")
    bind(p.other_manager, Role.PROPERTY_MANAGER, world.cmp_a1b)
    p.neighbour = UserFactory(username="neighbour", display_name="邻居")
    bind(p.neighbour, Role.RESIDENT, world.cmp_a1a)
    PersonFactory(node=world.bld_a1a, name="邻居甲", user=p.neighbour)
    p.far_resident = UserFactory(username="far")
    bind(p.far_resident, Role.RESIDENT, world.cmp_a2a)
    return p


def accepted(world, file_appeal, node=None, actor=None, **kwargs):
    appeal = file_appeal(node=node or world.bld_a1a, actor=actor, **kwargs)
    handler = world.commissioner if appeal.handling_node_id == world.cmp_a1a.pk else world.sub_admin
    return appeal_transition(actor=handler, appeal=appeal, action="accept")


def assigned_to(world, appeal, unit):
    handler = world.commissioner if appeal.handling_node_id == world.cmp_a1a.pk else world.sub_admin
    return appeal_transition(actor=handler, appeal=appeal, action="assign", assignee_unit=unit)


def test_an_appeal_filed_at_a_building_can_go_to_either_party_or_a_person(parties, file_appeal, login):
    appeal = accepted(parties, file_appeal)  # filed at 楼A1a-1, a building of 小区A1a
    groups = dict(selectors.assignment_choices(fetched_by=parties.commissioner, appeal=appeal))
    values = {c.value for choices in groups.values() for c in choices}
    assert {f"unit:{parties.pm_a1a.pk}", f"unit:{parties.oc_a1a.pk}"} <= values
    assert f"unit:{parties.pm_a1b.pk}" not in values  # not another compound's
    assert f"user:{parties.commissioner.pk}" in values and f"user:{parties.a1_staff.pk}" in values
    labels = [c.label for choices in groups.values() for c in choices]
    assert len(labels) == len(set(labels))  # people named with their account: no two alike
    client = login(parties.commissioner)
    page = client.get(f"/appeals/{appeal.pk}/").content.decode()
    assert "A1a物业" in page and "A1a业委会" in page and 'name="assignee"' in page
    client.post(f"/appeals/{appeal.pk}/act/", {"action": "assign", "assignee": f"unit:{parties.pm_a1a.pk}"})
    appeal.refresh_from_db()
    assert (appeal.status, appeal.assignee_unit_id) == (Status.ASSIGNED, parties.pm_a1a.pk)


def test_each_party_sees_its_own_compounds_work_and_nothing_else(parties, file_appeal, login):
    at_a1a = assigned_to(parties, accepted(parties, file_appeal), parties.pm_a1a)
    to_owners = assigned_to(parties, accepted(parties, file_appeal, title="业委会的事"), parties.oc_a1a)
    unassigned = accepted(parties, file_appeal, title="还没指派")
    at_a2a = assigned_to(
        parties,
        accepted(parties, file_appeal, node=parties.bld_a2a, actor=parties.sub_admin, channel="phone"),
        parties.pm_a2a,
    )
    at_a1b = assigned_to(
        parties,
        accepted(parties, file_appeal, node=parties.cmp_a1b, actor=parties.sub_admin, channel="phone"),
        parties.pm_a1b,
    )

    def queue(user):
        return set(selectors.assigned_to_me(fetched_by=user).values_list("pk", flat=True))

    assert queue(parties.manager) == {at_a1a.pk}
    # A company serving two compounds sees both compounds' work, and nothing else.
    assert queue(parties.company) == {at_a1a.pk, at_a2a.pk}
    assert set(Appeal.objects.visible_to(parties.company, "read").values_list("pk", flat=True)) == {
        at_a1a.pk,
        at_a2a.pk,
    }
    assert queue(parties.owners) == {to_owners.pk}
    assert queue(parties.other_manager) == {at_a1b.pk}
    client = login(parties.company)
    for hidden in (unassigned, to_owners, at_a1b):
        assert client.get(f"/appeals/{hidden.pk}/").status_code == 404
    page = client.get("/appeals/").content.decode()
    assert (at_a1a.title in page and "A2a" not in page) or at_a2a.title in page
    assert "还没指派" not in page and "业委会的事" not in page
    assert "指派给我们" in page  # the party's own list


PARTY_STEPS = ("propose", "hand_back")


@pytest.mark.parametrize(
    "state", [Status.SUBMITTED, Status.ACCEPTED, Status.ASSIGNED, Status.PROPOSED, Status.RESOLVED]
)
@pytest.mark.parametrize(
    ("who", "allowed_when_assigned"),
    [
        ("manager", True),
        ("company", True),  # works for the same party at this compound
        ("owners", False),  # the other party
        ("other_manager", False),  # another compound's property manager
        ("commissioner", False),  # staff confirm or send back; they do not report their own work
        ("resident", False),
        ("neighbour", False),
    ],
)
def test_the_parties_steps_by_role_state_and_place(parties, file_appeal, state, who, allowed_when_assigned):
    appeal = file_appeal()
    Appeal.objects.filter(pk=appeal.pk).update(status=state, assignee_unit=parties.pm_a1a)
    appeal = Appeal.objects.get(pk=appeal.pk)
    user = getattr(parties, who)
    offered = set(APPEAL_WORKFLOW.available(user, appeal))
    for step in PARTY_STEPS:
        assert TRANSITIONS[step].permits(user, appeal) is allowed_when_assigned, (step, who)
        assert (step in offered) is (allowed_when_assigned and state == Status.ASSIGNED), (step, who, state)
    if who != "commissioner":  # staff may anyway (test_rules.py)
        # While the party has it, it may also ask the resident and add notes.
        asks = state in TRANSITIONS["request_info"].sources
        assert ("request_info" in offered) is (allowed_when_assigned and asks)
        notes = state in TRANSITIONS["comment"].sources
        assert ("comment" in offered) is (allowed_when_assigned and notes)


def test_a_named_person_of_the_team_does_the_work(parties, file_appeal):
    appeal = accepted(parties, file_appeal)
    appeal = appeal_transition(
        actor=parties.commissioner, appeal=appeal, action="assign", assignee_user=parties.manager
    )
    assert TRANSITIONS["propose"].permits(parties.manager, appeal)
    assert not TRANSITIONS["propose"].permits(parties.company, appeal)  # assigned by name, not to the party
    with pytest.raises(AppealError):  # someone with no part in the compound cannot be given it
        appeal_transition(
            actor=parties.commissioner, appeal=appeal, action="assign", assignee_user=parties.other_manager
        )


def test_from_assignment_to_a_closed_appeal(parties, file_appeal, login):
    with_phone(parties.resident, "13812341234")
    appeal = assigned_to(parties, accepted(parties, file_appeal), parties.pm_a1a)
    assert parties.manager.notifications.filter(kind="appeal.assigned").exists()
    # The property manager reports it done with a photo of the work.
    client = login(parties.manager)
    response = client.post(
        f"/appeals/{appeal.pk}/act/",
        {"action": "propose", "reply": "杂物已清走", "photos": [jpeg_with_exif()]},
    )
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert (appeal.status, appeal.proposed_reply) == (Status.PROPOSED, "杂物已清走")
    assert appeal.photos.filter(kind="evidence", uploaded_by=parties.manager).count() == 1
    assert parties.commissioner.notifications.filter(kind="appeal.propose").exists()
    # Not finished: the commissioner sends it back; the party hears it and reports again.
    appeal = appeal_transition(actor=parties.commissioner, appeal=appeal, action="send_back", note="三楼还有")
    assert appeal.status == Status.ASSIGNED
    assert parties.manager.notifications.filter(kind="appeal.assigned").count() == 2
    appeal = appeal_transition(actor=parties.manager, appeal=appeal, action="propose", reply="三楼也清了")
    # The commissioner calls the resident, records the call and resolves with the party's words.
    page = login(parties.commissioner).get(f"/appeals/{appeal.pk}/").content.decode()
    assert "张三" in page and "138****1234" in page and "13812341234" not in page
    appeal = appeal_transition(
        actor=parties.commissioner, appeal=appeal, action="follow_up", note="居民确认已清理", reached=True
    )
    appeal = appeal_transition(
        actor=parties.commissioner, appeal=appeal, action="resolve", reply="三楼也清了"
    )
    appeal = appeal_transition(actor=parties.resident, appeal=appeal, action="rate", rating=Rating.SATISFIED)
    assert (appeal.status, appeal.rating, appeal.resolved_tier) == (
        Status.CLOSED,
        Rating.SATISFIED,
        "compound",
    )
    # Who took each step: staff see role and name; the resident sees roles only.
    staff_view = {
        e.action: e.by for e in selectors.appeal_timeline(fetched_by=parties.commissioner, appeal=appeal)
    }
    assert staff_view["propose"] == "物业 · 物业王经理"
    assert staff_view["follow_up"].startswith("小区专员 · ")
    resident_view = {
        e.action: e.by for e in selectors.appeal_timeline(fetched_by=parties.resident, appeal=appeal)
    }
    assert resident_view["propose"] == "物业" and resident_view["resolve"] == "小区专员"
    assert "follow_up" not in resident_view  # the call record is internal


def test_the_resident_answers_a_proposal(parties, file_appeal):
    appeal = assigned_to(parties, accepted(parties, file_appeal), parties.pm_a1a)
    appeal = appeal_transition(actor=parties.manager, appeal=appeal, action="propose", reply="修好了")
    back = appeal_transition(actor=parties.resident, appeal=appeal, action="rate", rating=Rating.DISSATISFIED)
    assert back.status == Status.ASSIGNED and back.rating == ""  # the work goes back to the party
    again = appeal_transition(actor=parties.manager, appeal=back, action="propose", reply="这次真修好了")
    closed = appeal_transition(actor=parties.resident, appeal=again, action="rate", rating=Rating.SATISFIED)
    assert (closed.status, closed.reply, closed.rating) == (Status.CLOSED, "这次真修好了", Rating.SATISFIED)


def test_a_party_hands_an_appeal_back_with_a_reason(parties, file_appeal):
    appeal = assigned_to(parties, accepted(parties, file_appeal), parties.oc_a1a)
    with pytest.raises(AppealError):
        appeal_transition(actor=parties.owners, appeal=appeal, action="hand_back", note="")
    appeal = appeal_transition(actor=parties.owners, appeal=appeal, action="hand_back", note="属物业职责")
    assert (appeal.status, appeal.assignee_unit_id) == (Status.ACCEPTED, None)
    assert parties.commissioner.notifications.filter(kind="appeal.hand_back").exists()
    assert not TRANSITIONS["propose"].permits(parties.owners, appeal)  # no longer theirs


def test_the_filers_phone_is_revealed_to_those_working_on_it_and_logged(parties, file_appeal, login):
    with_phone(parties.resident, "13812341234")
    appeal = assigned_to(parties, accepted(parties, file_appeal), parties.pm_a1a)
    assert appeal_contact_reveal(actor=parties.commissioner, appeal=appeal) == "13812341234"
    assert appeal_contact_reveal(actor=parties.manager, appeal=appeal) == "13812341234"
    assert AuditEvent.objects.filter(action="appeal.reveal.phone", target_id=str(appeal.pk)).count() == 2
    for outsider in (parties.owners, parties.neighbour, parties.a2_staff, parties.viewer):
        with pytest.raises(PermissionDenied):
            appeal_contact_reveal(actor=outsider, appeal=appeal)
    response = login(parties.commissioner).post(f"/appeals/{appeal.pk}/contact/")
    assert 'href="tel:13812341234"' in response.content.decode()
    assert login(parties.far_resident).post(f"/appeals/{appeal.pk}/contact/").status_code == 404


def test_staff_call_before_closing_an_unrated_appeal(parties, file_appeal):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    appeal = accepted(parties, file_appeal)
    appeal = appeal_transition(actor=parties.commissioner, appeal=appeal, action="resolve", reply="已处理")
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        with pytest.raises(AppealError) as refused:
            appeal_transition(actor=parties.commissioner, appeal=appeal, action="close")
        assert refused.value.code == "follow_up_first"
        appeal = appeal_transition(
            actor=parties.commissioner, appeal=appeal, action="follow_up", note="无人接听", reached=False
        )
        appeal = appeal_transition(actor=parties.commissioner, appeal=appeal, action="close")
    assert appeal.status == Status.CLOSED
    assert appeal.events.get(action="follow_up").detail == {"reached": False}


def test_bulk_assignment_to_each_compounds_party(parties, file_appeal, login):
    at_a1a = accepted(parties, file_appeal)
    at_a1b = accepted(parties, file_appeal, node=parties.cmp_a1b, actor=parties.a1_staff, channel="phone")
    OrgUnit.objects.filter(pk=parties.pm_a1b.pk).delete()  # 小区A1b has no property manager on record
    client = login(parties.a1_secretary)
    page = client.get("/appeals/").content.decode()
    assert 'value="party:property_manager"' in page and 'value="party:owners_committee"' in page
    response = client.post(
        "/appeals/bulk/",
        {"ids": [at_a1a.pk, at_a1b.pk], "action": "assign", "assignee": "party:property_manager"},
        follow=True,
    )
    at_a1a.refresh_from_db()
    at_a1b.refresh_from_db()
    assert at_a1a.assignee_unit_id == parties.pm_a1a.pk and at_a1b.status == Status.ACCEPTED
    assert "小区A1b" in response.content.decode()  # says which one could not be assigned, and why


def test_after_handing_back_the_party_lands_on_its_list(parties, file_appeal, login):
    appeal = assigned_to(parties, accepted(parties, file_appeal), parties.pm_a1a)
    response = login(parties.manager).post(
        f"/appeals/{appeal.pk}/act/", {"action": "hand_back", "note": "需动用维修资金，请业委会处理"}
    )
    assert response.status_code == 302 and response["Location"] == "/appeals/?view=assigned"
    # The reason is for the handlers; the resident sees only that it is back with the compound.
    public = [e.action for e in selectors.appeal_timeline(fetched_by=parties.resident, appeal=appeal)]
    assert "hand_back" not in public


def test_bulk_assignment_takes_up_a_new_appeal_first(parties, file_appeal, login):
    fresh = file_appeal()
    login(parties.commissioner).post(
        "/appeals/bulk/", {"ids": [fresh.pk], "action": "assign", "assignee": "party:property_manager"}
    )
    fresh.refresh_from_db()
    assert (fresh.status, fresh.assignee_unit_id) == (Status.ASSIGNED, parties.pm_a1a.pk)
    assert fresh.first_accepted_at is not None


def test_closing_is_offered_only_when_the_resident_can_no_longer_rate(parties, file_appeal, login):
    appeal = accepted(parties, file_appeal)
    appeal_transition(actor=parties.commissioner, appeal=appeal, action="resolve", reply="已处理")
    page = login(parties.commissioner).get(f"/appeals/{appeal.pk}/").content.decode()
    assert 'value="close"' not in page and "可评价至" in page
