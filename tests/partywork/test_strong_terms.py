"""Strong branches (过硬支部: targets, measuring against them, the monthly showcase) and branch terms (换届: terms,
elections, the reminder before a term ends)."""

import json
from datetime import date, timedelta

import pytest
from django.utils import timezone

from gongzhi.core.registry import watched_jobs
from gongzhi.notifications.models import Notification
from gongzhi.partywork import branches
from gongzhi.partywork.errors import PartyError
from gongzhi.partywork.models import BranchTerm, ItemSource, StrongStatus
from tests.partywork.conftest import photo

TARGETS = [
    {"name": "政治功能全面过硬"},
    {"name": "服务群众全面过硬", "source": ItemSource.TRAINING_HOURS, "goal": "1"},
]


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


@pytest.fixture
def strong(pw):
    return branches.strong_mark(actor=pw.committee, branch=pw.branch, targets=TARGETS)


def test_only_the_committee_marks_a_branch_once(pw, strong):
    for someone in (pw.secretary, pw.reviewer, pw.world.sub_b_admin):
        with pytest.raises(PartyError) as raised:
            branches.strong_mark(actor=someone, branch=pw.world.branch_a2a, targets=TARGETS)
        assert raised.value.code == "forbidden"
    with pytest.raises(PartyError) as raised:
        branches.strong_mark(actor=pw.committee, branch=pw.branch, targets=TARGETS)
    assert raised.value.code == "duplicate"
    for bad in ([], [{"name": "x", "source": ItemSource.VOLUNTEER_HOURS}], [{"name": ""}]):
        with pytest.raises(PartyError) as raised:
            branches.strong_mark(actor=pw.committee, branch=pw.world.branch_a2a, targets=bad)
        assert raised.value.code == "invalid"


def test_targets_measured_from_the_platform_and_checked_by_a_reviewer(pw, strong):
    from gongzhi.partywork import services
    from gongzhi.partywork.models import SessionMode

    progress = branches.strong_progress(fetched_by=pw.committee, strong=strong)
    assert [(p.target.name, p.figure, p.met) for p in progress] == [
        ("政治功能全面过硬", None, False),
        ("服务群众全面过硬", 0, False),
    ]
    # A member's hour of training makes the measured target (goal: 1 hour) met.
    course = services.course_create(actor=pw.committee, node=pw.world.sub_a, name="讲习所")
    session = services.session_create(
        actor=pw.committee,
        course=course,
        title="第一讲",
        mode=SessionMode.IN_PERSON,
        starts_at=timezone.now(),
        minutes=60,
    )
    from gongzhi.partywork.checkin import current_code

    services.session_check_in(user=pw.secretary, session=session, code=current_code(session.pk))
    manual = strong.targets.get(source=ItemSource.MANUAL)
    # The branch does not check its own targets; a reviewer over it does.
    with pytest.raises(PartyError):
        branches.strong_target_check(actor=pw.secretary, target=manual, met=True)
    branches.strong_target_check(actor=pw.reviewer, target=manual, met=True, note="学习制度落实")
    progress = branches.strong_progress(fetched_by=pw.committee, strong=strong)
    assert [(p.figure, p.met) for p in progress] == [(None, True), (1, True)]
    assert "学习时长" in progress[1].source_text
    recognised = branches.strong_close(actor=pw.committee, strong=strong, recognised=True)
    assert recognised.status == StrongStatus.RECOGNISED
    with pytest.raises(PartyError) as raised:
        branches.strong_close(actor=pw.committee, strong=strong, recognised=False)
    assert raised.value.code == "wrong_state"


def test_one_showcase_entry_a_month_by_the_branch(pw, strong):
    month = timezone.localdate().replace(day=1)
    entry = branches.showcase_add(
        actor=pw.secretary, strong=strong, month=month, title="主题党日", text="巡河护河", photo=photo()
    )
    assert entry.photo and entry.month == month
    with pytest.raises(PartyError) as raised:
        branches.showcase_add(actor=pw.reviewer, strong=strong, month=month, title="又一条", text="x")
    assert raised.value.code == "duplicate"
    next_month = (month + timedelta(days=32)).replace(day=1)
    with pytest.raises(PartyError) as raised:
        branches.showcase_add(actor=pw.secretary, strong=strong, month=next_month, title="未来", text="x")
    assert raised.value.fields == {"month": [raised.value.message]}
    # A plain member of the branch does not write the showcase; residents around see it.
    member = pw.world.resident
    with pytest.raises(PartyError):
        branches.showcase_add(
            actor=member, strong=strong, month=month - timedelta(days=1), title="t", text="x"
        )
    from gongzhi.partywork import selectors

    assert list(selectors.showcase(fetched_by=member)) == [entry]
    assert not selectors.showcase(fetched_by=pw.world.sub_b_admin).exists()


def test_an_election_begins_the_next_term_and_is_valid_above_four_fifths(pw):
    term = branches.term_set(actor=pw.reviewer, branch=pw.branch, elected_on=date(2023, 5, 4))
    assert term.ends_on == date(2026, 5, 4)  # three years by default
    with pytest.raises(PartyError) as raised:
        branches.term_set(actor=pw.reviewer, branch=pw.branch, elected_on=date(2024, 1, 1))
    assert raised.value.code == "duplicate"
    common = {"branch": pw.branch, "held_on": date(2026, 4, 20), "committee_size": 5}
    for eligible, voted in ((50, 40), (50, 51)):  # 4/5 exactly is not more than four fifths
        with pytest.raises(PartyError) as raised:
            branches.election_record(actor=pw.reviewer, eligible=eligible, voted=voted, **common)
        assert "voted" in raised.value.fields
    with pytest.raises(PartyError) as raised:
        branches.election_record(actor=pw.secretary, eligible=50, voted=45, **common)
    assert raised.value.code == "forbidden"
    future = {**common, "held_on": timezone.localdate() + timedelta(days=1)}
    with pytest.raises(PartyError):
        branches.election_record(actor=pw.reviewer, eligible=50, voted=45, **future)
    assert BranchTerm.objects.get(current=True, branch=pw.branch) == term  # nothing changed
    election = branches.election_record(
        actor=pw.reviewer, eligible=50, voted=41, secretary=pw.secretary_m, **common
    )
    current = BranchTerm.objects.get(branch=pw.branch, current=True)
    assert election.term == current and (current.starts_on, current.ends_on) == (
        date(2026, 4, 20),
        date(2029, 4, 20),
    )
    assert BranchTerm.objects.filter(branch=pw.branch).count() == 2
    by = branches.election_record(
        actor=pw.reviewer, eligible=50, voted=45, kind="by_election", **{**common, "committee_size": 1}
    )
    assert by.term is None and BranchTerm.objects.get(branch=pw.branch, current=True) == current


def test_terms_ending_are_reminded_once_a_week_by_the_watched_daily_sweep(pw):
    assert "partywork-terms" in {every.name for every in watched_jobs()}
    today = date(2026, 3, 1)
    soon = branches.term_set(actor=pw.reviewer, branch=pw.branch, elected_on=date(2023, 4, 1))  # 31 days
    later = branches.term_set(actor=pw.committee, branch=pw.world.branch_a2a, elected_on=date(2024, 1, 1))
    assert branches.terms_remind(today=today) == branches.TermsReminded(terms=1, people=3)
    told = Notification.objects.filter(kind="party_term_ending")
    assert {n.recipient for n in told} == {pw.secretary, pw.committee, pw.committee2}
    assert "2026-04-01" in told.first().title
    assert branches.terms_remind(today=today + timedelta(days=3)).terms == 0  # not again within the week
    assert branches.terms_remind(today=today + timedelta(days=7)).terms == 1
    soon.refresh_from_db()
    later.refresh_from_db()
    assert soon.reminded_on == today + timedelta(days=7) and later.reminded_on is None


def test_the_api_and_pages(pw, strong, api_login, client):
    committee, secretary = api_login(pw.committee), api_login(pw.secretary)
    got = committee.get("/api/v1/party/strong-branches").json()
    assert got["count"] == 1 and got["items"][0]["branch_name"] == pw.branch.name
    detail = secretary.get(f"/api/v1/party/strong-branches/{strong.pk}").json()
    assert [t["met"] for t in detail["targets"]] == [False, False]
    target = detail["targets"][0]["id"]
    assert post(secretary, f"/api/v1/party/strong-targets/{target}/check", {"met": True}).status_code == 403
    assert post(api_login(pw.reviewer), f"/api/v1/party/strong-targets/{target}/check", {"met": True}).json()[
        "met"
    ]
    bad = post(
        committee, "/api/v1/party/strong-branches", {"branch_id": pw.world.branch_a2a.pk, "targets": []}
    )
    assert bad.status_code == 422
    assert (
        api_login(pw.world.sub_b_admin).get(f"/api/v1/party/strong-branches/{strong.pk}").status_code == 404
    )
    reviewer = api_login(pw.reviewer)
    body = {
        "branch_id": pw.branch.pk,
        "held_on": "0001-01-01",
        "eligible": 10,
        "voted": 9,
        "committee_size": 3,
    }
    assert post(reviewer, "/api/v1/party/elections", body).status_code == 422
    body["held_on"] = "2025-06-01"
    made = post(reviewer, "/api/v1/party/elections", body)
    assert made.status_code == 201 and made.json()["term_ends_on"] == "2028-06-01"
    assert post(reviewer, "/api/v1/party/elections", body | {"voted": 8}).status_code == 422
    terms = secretary.get("/api/v1/party/terms").json()  # the branch sees its own term
    assert terms["count"] == 1 and terms["items"][0]["ends_on"] == "2028-06-01"
    assert api_login(pw.world.sub_b_admin).get("/api/v1/party/terms").json()["count"] == 0
    client.force_login(pw.committee)
    assert pw.branch.name in client.get("/party/strong/").content.decode()
    page = client.get(f"/party/strong/{strong.pk}/").content.decode()
    assert "政治功能全面过硬" in page
    assert "2028-06-01" in client.get("/party/terms/").content.decode()
    client.force_login(pw.secretary)
    month = timezone.localdate().strftime("%Y-%m")
    client.post(
        f"/party/strong/{strong.pk}/",
        {"action": "showcase", "month": month, "title": "护河", "text": "巡河三次", "photo": photo()},
    )
    assert strong.showcase.get().title == "护河"


def test_a_term_that_ended_without_an_election_reads_as_overdue_not_as_negative_days(pw, client):
    today = timezone.localdate()
    term = branches.term_set(actor=pw.reviewer, branch=pw.branch, elected_on=today - timedelta(days=4 * 365))
    BranchTerm.objects.filter(pk=term.pk).update(ends_on=today - timedelta(days=19))
    client.force_login(pw.committee)
    page = client.get("/party/terms/").content.decode()
    assert "已超期 19 天" in page and ">-19<" not in page
