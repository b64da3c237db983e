"""Mediation cases: confidential to the mediators, the committee head and the parties (everyone else 404
and counts only), every opening audited; risk alerts; the agreement's required elements; follow-ups."""

from datetime import date, timedelta

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from gongzhi.appeals.intake import appeal_submit
from gongzhi.appeals.models import Appeal
from gongzhi.core.models import AuditEvent
from gongzhi.deliberation import selectors, services
from gongzhi.deliberation.errors import MediationError
from gongzhi.deliberation.models import CaseParty, MediationCase
from gongzhi.deliberation.rules import at_mediation_desk
from gongzhi.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def dispute(world, delib):
    appeal, _ = appeal_submit(
        actor=world.resident,
        node=world.cmp_a1a,
        title="楼上漏水多次协商不成",
        body="楼上卫生间漏水，找过几次都不理。",
        resident=world.p_a1a,
    )
    # The compound's commissioner converts it; he is the case's mediator.
    case = services.case_from_appeal(actor=world.commissioner, appeal=appeal)
    return case


def test_from_appeal_makes_the_filer_a_party_and_notes_the_appeal(world, dispute):
    case = dispute
    party = CaseParty.objects.get(case=case)
    assert party.user_id == world.resident.pk and party.name == "张三"
    assert party.phone_masked == "138****1234" and b"13812341234" not in bytes(party.phone_cipher)
    appeal = Appeal.objects.get(pk=case.appeal_id)
    assert appeal.status == "accepted"
    assert appeal.events.filter(action="comment", note__contains=str(case.pk)).exists()
    with pytest.raises(MediationError) as again:
        services.case_from_appeal(actor=world.commissioner, appeal=appeal)
    assert again.value.code == "already_case"


@pytest.mark.parametrize(
    ("who", "opens"),
    [
        ("commissioner", True),  # the assigned mediator
        ("a1_secretary", True),  # the committee's head
        ("resident", True),  # a party, their own case
        ("a1_staff", False),  # community staff who does not mediate it
        ("sub_admin", False),  # subdistrict staff: counts only
        ("a2_staff", False),
        ("viewer", False),
        ("nobody", False),
    ],
)
def test_confidentiality_matrix(world, dispute, who, opens):
    user = getattr(world, who)
    before = AuditEvent.objects.filter(action="mediationcase.view").count()
    if opens:
        assert selectors.case_get(fetched_by=user, pk=dispute.pk) == dispute
        assert AuditEvent.objects.filter(action="mediationcase.view").count() == before + 1
        assert dispute in selectors.case_list(fetched_by=user)
    else:
        with pytest.raises(Http404):
            selectors.case_get(fetched_by=user, pk=dispute.pk)
        assert dispute not in selectors.case_list(fetched_by=user)


@pytest.mark.parametrize(
    ("who", "total"), [("a1_staff", 1), ("sub_admin", 1), ("viewer", 1), ("a2_staff", 0)]
)
def test_those_who_cannot_open_see_counts(world, dispute, who, total):
    assert selectors.case_counts(fetched_by=getattr(world, who))["total"] == total


def test_a_community_staff_member_gets_404_through_the_api(world, dispute, api_login):
    client = api_login(world.a1_staff)
    assert client.get(f"/api/v1/mediation/cases/{dispute.pk}").status_code == 404
    assert client.get("/api/v1/mediation/counts").json()["total"] == 1
    listed = client.get("/api/v1/mediation/cases").json()
    assert listed["count"] == 0
    mediator = api_login(world.commissioner)
    body = mediator.get(f"/api/v1/mediation/cases/{dispute.pk}").json()
    assert body["parties"][0]["phone"] == "138****1234"


def test_only_mediators_act_on_a_case(world, dispute):
    for outsider in (world.resident, world.a1_staff):
        case = dispute
        with pytest.raises((MediationError, Http404)):
            services.case_transition(actor=outsider, case=case, action="withdraw")
    assert MediationCase.objects.get(pk=dispute.pk).status == "open"


def test_risk_tells_the_police_liaison_at_once(world, delib):
    case = services.case_open(
        actor=world.a1_staff,
        node=world.cmp_a1a,
        kind="neighbours",
        source="walk_in",
        title="停车位争执",
        facts="两户为车位发生推搡。",
        parties=[{"name": "甲", "phone": "13900001111"}, {"name": "乙", "side": "respondent"}],
        at_risk=True,
    )
    assert Notification.objects.filter(recipient=delib.police, kind="case_at_risk").exists()
    assert case.at_risk


def test_a_written_agreement_needs_the_legal_elements(world, dispute):
    case = selectors.case_get(fetched_by=world.commissioner, pk=dispute.pk)
    with pytest.raises(MediationError) as incomplete:
        services.case_transition(actor=world.commissioner, case=case, action="agree", terms="楼上修好防水")
    assert incomplete.value.status == 422
    services.session_record(
        actor=world.commissioner,
        case=case,
        at=timezone.now(),
        place="小区调解室",
        present="张三、楼上住户、专员",
        notes="双方同意先修防水",
    )
    services.case_transition(
        actor=world.commissioner,
        case=case,
        action="agree",
        outcome="written",
        terms="楼上住户重做卫生间防水，赔偿楼下吊顶修复费800元。",
        responsibilities="楼上住户承担漏水责任。",
        performance="楼上住户自行请施工队，在其住宅内完成",
        perform_by=timezone.localdate() + timedelta(days=20),
        sealed_by="社区A1人民调解委员会",
    )
    case.refresh_from_db()
    assert case.status == "agreed" and case.outcome == "written"
    visit = services.follow_up_schedule(
        actor=world.commissioner, case=case, due=timezone.localdate() + timedelta(days=21)
    )
    services.follow_up_record(actor=world.commissioner, visit=visit, performed=True, note="已修好，双方满意")
    case.refresh_from_db()
    assert case.status == "follow_up" and case.performed
    assert AuditEvent.objects.filter(action="mediationcase.agree", target_id=str(case.pk)).exists()


def test_the_agreement_prints_with_the_judicial_confirmation_window(world, dispute, login):
    case = selectors.case_get(fetched_by=world.commissioner, pk=dispute.pk)
    services.case_transition(
        actor=world.commissioner,
        case=case,
        action="agree",
        outcome="written",
        terms="赔偿800元",
        responsibilities="楼上承担",
        performance="现金支付，于社区调解室",
        perform_by=date(2030, 1, 10),
    )
    page = login(world.commissioner).get(f"/deliberation/mediation/{case.pk}/agreement/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "人民调解协议书" in text and "30" in text and "赔偿800元" in text and "2030-01-10" in text
    assert login(world.a1_staff).get(f"/deliberation/mediation/{case.pk}/agreement/").status_code == 404


def test_the_mediation_desk_is_in_the_menu_only_for_those_with_cases_there(world, delib, client):
    """A commissioner who mediates nothing saw an empty desk; the entry is for desk staff and mediators."""
    assert at_mediation_desk.test(world.a1_staff) and at_mediation_desk.test(world.sub_admin)
    assert not at_mediation_desk.test(world.commissioner) and not at_mediation_desk.test(world.resident)
    client.force_login(world.commissioner)
    desk = reverse("deliberation:case_desk")
    assert desk not in client.get("/").content.decode()
    services.case_open(
        actor=world.commissioner,
        node=world.cmp_a1a,
        kind="neighbours",
        source="walk_in",
        title="楼道堆物",
        facts="邻居在楼道堆放杂物。",
        parties=[{"name": "甲"}],
    )
    assert at_mediation_desk.test(world.commissioner)  # the one who opened the case mediates it
    assert desk in client.get("/").content.decode()
