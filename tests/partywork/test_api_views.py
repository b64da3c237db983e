"""The API under /api/v1/party/… (the error contract, scoping, limits) and the pages for each role."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.partywork import services
from gongzhi.partywork.models import RatingLine
from tests.partywork.conftest import rating_of, receipt_pdf


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_the_round_through_the_api(pw, rnd, api_login):
    rating = rating_of(rnd, pw.branch)
    lines = list(RatingLine.objects.filter(rating=rating).order_by("item__order"))
    secretary, reviewer = api_login(pw.secretary), api_login(pw.reviewer)
    url = f"/api/v1/party/ratings/{rating.pk}"
    got = secretary.get(url).json()
    assert got["actions"] == ["submit"] and len(got["lines"]) == 3
    r = post(
        secretary,
        f"{url}/self-assessment",
        {"points": {str(ln.pk): "40" for ln in lines[:2]} | {str(lines[2].pk): "0"}},
    )
    assert r.status_code == 200, r.content
    # A branch cannot score itself; a reviewer cannot self-assess.
    assert post(secretary, f"{url}/steps", {"action": "score"}).json()["code"] == "forbidden"
    assert post(reviewer, f"{url}/self-assessment", {"points": {}}).status_code == 403
    assert post(secretary, f"{url}/steps", {"action": "submit"}).json()["status"] == "submitted"
    bad = post(
        reviewer,
        f"{url}/steps",
        {"action": "score", "points": {str(ln.pk): "²" for ln in lines}, "peer_score": "90"},
    )
    assert bad.status_code == 422 and bad.json()["code"] == "invalid" and "points" in bad.json()["fields"]
    ok = post(
        reviewer,
        f"{url}/steps",
        {
            "action": "score",
            "points": {str(ln.pk): "40" for ln in lines[:2]} | {str(lines[2].pk): "0"},
            "peer_score": "90",
        },
    )
    assert ok.json()["total"] == "83.00"  # 80 × 0.7 + 90 × 0.3
    # Out of scope: 404, not 403.
    assert api_login(pw.world.sub_b_admin).get(url).status_code == 404
    assert api_login(pw.world.sub_b_admin).get(f"/api/v1/party/rounds/{rnd.pk}").status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"action": "score", "points": {"99999999999999999999": "1"}},
        {"action": "decide", "stars": 99},
        {"action": "nothing"},
        {"action": "appeal", "note": "x" * 501},
    ],
)
def test_bad_steps_are_422(pw, rnd, api_login, body):
    rating = rating_of(rnd, pw.branch)
    r = post(api_login(pw.reviewer), f"/api/v1/party/ratings/{rating.pk}/steps", body)
    assert r.status_code in (409, 422) and set(r.json()) >= {"code", "detail"}


def test_expenses_through_the_api(pw, api_login):
    (budget,) = services.budgets_from_stars(
        actor=pw.committee, subdistrict=pw.world.sub_a, year=2026, branch_ids=[pw.branch.pk]
    )
    client = api_login(pw.secretary)
    url = f"/api/v1/party/budgets/{budget.pk}/expenses"
    import time_machine

    with time_machine.travel("2026-05-02 10:00 +0800", tick=False):
        refused = client.post(
            url, {"amount": "100", "category": "salaries", "purpose": "补贴", "receipt": receipt_pdf()}
        )
        assert refused.status_code == 422 and refused.json()["code"] == "forbidden_category"
        huge = client.post(
            url, {"amount": "9" * 14, "category": "care", "purpose": "慰问", "receipt": receipt_pdf()}
        )
        assert huge.status_code == 422
        ok = client.post(
            url, {"amount": "860.00", "category": "care", "purpose": "慰问", "receipt": receipt_pdf()}
        )
        assert ok.status_code == 201, ok.content
        expense = ok.json()
        assert expense["amount"] == "860.00" and expense["actions"] == []
        approved = post(
            api_login(pw.reviewer), f"/api/v1/party/expenses/{expense['id']}/steps", {"action": "approve"}
        )
        assert approved.json()["status"] == "approved"
    budgets = api_login(pw.committee).get("/api/v1/party/budgets?year=2026").json()
    assert [b["spent"] for b in budgets] == ["860.00"]


def test_heartbeat_and_my_points_through_the_api(pw, api_login):
    from datetime import timedelta

    from django.utils import timezone

    course = services.course_create(actor=pw.committee, node=pw.world.sub_a, name="春训")
    session = services.session_create(
        actor=pw.committee,
        course=course,
        title="直播",
        mode="live",
        starts_at=timezone.now() - timedelta(minutes=1),
        minutes=30,
        stream_url="https://live.example.org/a.m3u8",
    )
    client = api_login(pw.member)
    beat = f"/api/v1/party/sessions/{session.pk}/heartbeat"
    assert post(client, beat, {"visible": False}).json() == {"minutes": 0}
    assert post(client, beat, {"visible": True}).json() == {"minutes": 1}
    assert post(client, beat, {"visible": True}).json() == {"minutes": 1}  # the same minute
    assert client.get("/api/v1/party/study-hours/mine").json()["minutes"] == 1
    assert client.get("/api/v1/party/member-points/mine").json()["approved_total"] == 0
    assert post(api_login(pw.world.sub_b_admin), beat, {"visible": True}).status_code == 404


def test_list_endpoints_do_not_grow_with_rows(pw, rnd, api_login):
    client = api_login(pw.committee)
    with CaptureQueriesContext(connection) as two:
        assert len(client.get(f"/api/v1/party/ratings?round_id={rnd.pk}").json()) == 2
    assert len(two) <= 14


PAGES = ["/party/", "/party/points/", "/party/funds/", "/party/training/", "/party/desk/"]


@pytest.mark.parametrize("who", ["secretary", "member", "reviewer", "committee"])
def test_pages_open_for_each_role(pw, rnd, login, who):
    client = login(getattr(pw, who))
    for url in PAGES:
        assert client.get(url).status_code == 200, url
    rating = rating_of(rnd, pw.branch)
    expected = 200  # every one of them reaches the branch's rating (a member: their own branch)
    assert client.get(f"/party/ratings/{rating.pk}/").status_code == expected


def test_board_page_shows_the_two_ends(pw, rnd, login):
    page = login(pw.committee).get(f"/party/rounds/{rnd.pk}/").content.decode()
    assert 'id="pw-chart-data"' in page and "pw-chart" in page
    assert login(pw.world.sub_b_admin).get(f"/party/rounds/{rnd.pk}/").status_code == 404


def test_secretary_self_assesses_through_the_page(pw, rnd, login):
    rating = rating_of(rnd, pw.branch)
    lines = list(RatingLine.objects.filter(rating=rating).order_by("item__order"))
    data = {"what": "self", "innovation_project": "红色管家", "submit": "1"}
    data |= {f"self_{ln.pk}": "5" for ln in lines}
    response = login(pw.secretary).post(f"/party/ratings/{rating.pk}/", data)
    assert response.status_code == 302
    rating.refresh_from_db()
    assert rating.status == "submitted"


def test_my_points_and_hours_are_shown_to_party_members_only(pw, login):
    # A member sees their own points and study hours; a district viewer or the committee (no party post)
    # have none, so the pages leave the "my …" sections out instead of showing them a zero.
    for who, shown in (
        (pw.member, True),
        (pw.secretary, True),
        (pw.world.viewer, False),
        (pw.committee, False),
    ):
        client = login(who)
        assert ('id="pw-my-points"' in client.get("/party/points/").content.decode()) is shown, who
        assert ('id="pw-my-hours"' in client.get("/party/training/").content.decode()) is shown, who


def test_the_rating_page_links_its_round_only_for_those_who_may_open_it(pw, rnd, login):
    rating = rating_of(rnd, pw.branch)
    link = f'href="/party/rounds/{rnd.pk}/"'
    for who in (pw.secretary, pw.committee):
        client = login(who)
        shown = link in client.get(f"/party/ratings/{rating.pk}/").content.decode()
        assert shown is (client.get(f"/party/rounds/{rnd.pk}/").status_code == 200), who
    assert link not in login(pw.secretary).get(f"/party/ratings/{rating.pk}/").content.decode()


def test_member_points_lists_page(pw, api_login):
    from datetime import date

    from django.utils import timezone

    from gongzhi.partywork.models import MemberPointsRule, PointsKind

    rule = MemberPointsRule.objects.create(
        node=pw.world.sub_a, code="study", name="集中学习", kind=PointsKind.ITEM, points=5
    )
    year = timezone.localdate().year - 1  # a year whose months have all begun
    # Seven months of the member's points, one line each: five approved (by another), two proposed.
    for month in range(1, 8):
        e = services.points_propose(
            actor=pw.secretary, membership=pw.member_m, rule=rule, month=date(year, month, 1)
        )
        if month <= 5:
            services.points_decide(actor=pw.reviewer, entry=e, approve=True)
    # An entry of last year is not in this year's list.
    services.points_propose(
        actor=pw.secretary, membership=pw.member_m, rule=rule, month=date(year - 1, 12, 1)
    )
    mine = api_login(pw.member).get(f"/api/v1/party/member-points/mine?year={year}&limit=3&offset=2").json()
    assert mine["count"] == 7 and mine["approved_total"] == 25 and not mine["count_capped"]
    assert [e["month"] for e in mine["entries"]] == [f"{year}-05-01", f"{year}-04-01", f"{year}-03-01"]
    assert mine["entries"][0]["rule"] == "集中学习" and mine["entries"][0]["kind"] == "item"
    staff = api_login(pw.reviewer)
    page = staff.get("/api/v1/party/member-points?limit=2&offset=1").json()
    assert page["count"] == 8 and [e["month"] for e in page["items"]] == [f"{year}-06-01", f"{year}-05-01"]
    assert page["items"][0]["rule"] == "集中学习"
    proposed = staff.get("/api/v1/party/member-points?status=proposed").json()
    assert proposed["count"] == 3
    assert staff.get("/api/v1/party/member-points?limit=501").status_code == 422


def test_the_board_reads_a_round_whole_only_for_those_over_its_subdistrict(pw, rnd):
    from gongzhi.partywork import selectors

    committee = selectors.board(fetched_by=pw.committee, rnd=rnd)
    assert sorted(r.branch for r in committee.rows) == sorted([pw.branch.name, pw.world.branch_a2a.name])
    # A community secretary over A1 sees the ratings of A1's branches only (the scope applies).
    community = selectors.board(fetched_by=pw.reviewer, rnd=rnd)
    assert [r.branch for r in community.rows] == [pw.branch.name]
    # The committee's board: the round's rows in one query, no test of own rows outside the reach.
    with CaptureQueriesContext(connection) as queries:
        selectors.board(fetched_by=pw.committee, rnd=rnd)
    assert len(queries) == 1


def test_the_desk_lists_approvals_and_points_to_the_rounds_when_empty(pw, rnd, login):
    from datetime import date

    from gongzhi.partywork.models import MemberPointsRule, PointsKind

    html = login(pw.reviewer).get("/party/desk/").content.decode()
    # Nothing to score: the branches still assessing themselves are counted (the reviewer's own branch A1a),
    # and for the committee the rounds in reach are named as the next step.
    assert 'id="pw-desk-drafts" data-n="1"' in html and "data-proposed" not in html
    assert f"/party/rounds/{rnd.pk}/" in login(pw.committee).get("/party/desk/").content.decode()
    rule = MemberPointsRule.objects.create(
        node=pw.world.sub_a, code="study", name="集中学习", kind=PointsKind.ITEM, points=5
    )
    services.points_propose(actor=pw.secretary, membership=pw.member_m, rule=rule, month=date(2025, 5, 1))
    html = login(pw.reviewer).get("/party/desk/").content.decode()
    assert pw.branch.name in html and 'data-proposed="1"' in html
    # The secretary who proposed it has nothing to approve (and is a member of the branch).
    assert "data-proposed" not in login(pw.secretary).get("/party/desk/").content.decode()


def test_a_member_is_never_offered_to_approve_their_own_points(pw, login):
    from datetime import date

    from gongzhi.partywork.models import MemberPointsRule, PointsKind

    rule = MemberPointsRule.objects.create(
        node=pw.world.sub_a, code="study", name="集中学习", kind=PointsKind.ITEM, points=5
    )
    e = services.points_propose(actor=pw.secretary, membership=pw.member_m, rule=rule, month=date(2025, 5, 1))
    decide = f"/party/points/{e.pk}/decide/"
    # The member sees the line among their own points, without the approval buttons.
    assert decide not in login(pw.member).get("/party/points/?year=2025").content.decode()
    assert decide in login(pw.reviewer).get("/party/points/?year=2025").content.decode()
