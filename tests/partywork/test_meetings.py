"""Branch meetings (三会一课, 支部学习日): who records them, the boundaries of a record, the minutes added once,
and the figures they give a star rating as evidence (meetings held, share with minutes published)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gongzhi.partywork import branches, services
from gongzhi.partywork.errors import PartyError
from gongzhi.partywork.evidence import measure_for
from gongzhi.partywork.models import BranchMeeting, ItemSource, RatingLine
from tests.partywork.conftest import photo, receipt_pdf


def record(pw, actor=None, **kw):
    args = {
        "kind": "members",
        "held_on": date(2025, 3, 5),
        "topic": "学习党章",
        "attended": 1,
    } | kw
    return branches.meeting_record(actor=actor or pw.secretary, branch=kw.pop("branch", pw.branch), **args)


def test_the_secretary_and_staff_over_the_branch_record_members_and_others_cannot(pw):
    assert record(pw).recorded_by == pw.secretary
    assert record(pw, actor=pw.reviewer, kind="committee").recorded_by == pw.reviewer
    for someone in (pw.member, pw.world.sub_b_admin):
        with pytest.raises(PartyError) as raised:
            record(pw, actor=someone, kind="lecture")
        assert raised.value.code == "forbidden"
    assert BranchMeeting.objects.count() == 2


def test_attendance_runs_from_one_to_the_branch_s_members(pw):
    members = pw.branch.memberships.count()
    assert members >= 2
    for bad in (0, -1, members + 1):
        with pytest.raises(PartyError) as raised:
            record(pw, attended=bad)
        assert raised.value.code == "invalid" and "attended" in raised.value.fields
    assert record(pw, attended=members).attended == members
    assert record(pw, attended=1, kind="group").attended == 1


def test_the_day_the_kind_and_the_topic(pw):
    today = timezone.localdate()
    assert record(pw, held_on=today).held_on == today
    for field, kw in (
        ("held_on", {"held_on": today + timedelta(days=1)}),
        ("held_on", {"held_on": date(1999, 12, 31)}),
        ("kind", {"kind": "party"}),
        ("topic", {"topic": "  "}),
        ("topic", {"topic": "题" * 121}),
    ):
        with pytest.raises(PartyError) as raised:
            record(pw, **kw)
        assert field in raised.value.fields
    # The same kind on the same day once; another kind the same day is another meeting.
    with pytest.raises(PartyError) as raised:
        record(pw, held_on=today)
    assert raised.value.code == "duplicate"
    assert record(pw, held_on=today, kind="study_day").kind == "study_day"


def test_minutes_with_the_record_or_later_once_and_only_a_document(pw):
    with_minutes = record(pw, minutes=receipt_pdf("minutes.pdf"))
    assert with_minutes.minutes.name.endswith(".pdf") and with_minutes.minutes_at is not None
    later = record(pw, kind="committee")
    assert not later.minutes
    with pytest.raises(PartyError) as raised:
        branches.meeting_minutes_add(
            actor=pw.secretary, meeting=later, minutes=SimpleUploadedFile("x.txt", b"hello")
        )
    assert raised.value.code == "bad_file" and "minutes" in raised.value.fields
    with pytest.raises(PartyError) as raised:
        branches.meeting_minutes_add(actor=pw.member, meeting=later, minutes=photo())
    assert raised.value.code == "forbidden"
    done = branches.meeting_minutes_add(actor=pw.secretary, meeting=later, minutes=photo())
    assert done.minutes.name.endswith(".jpg")
    with pytest.raises(PartyError) as raised:
        branches.meeting_minutes_add(actor=pw.secretary, meeting=done, minutes=receipt_pdf())
    assert raised.value.code == "wrong_state"


def test_evidence_counts_the_year_s_meetings_of_the_branch_and_their_minutes(pw):
    def figures(year=2025):
        held = measure_for(
            ItemSource.MEETINGS_HELD,
            fetched_by=pw.committee,
            branch=pw.branch,
            node=pw.branch.node,
            year=year,
        )
        minuted = measure_for(
            ItemSource.MINUTES_PUBLISHED,
            fetched_by=pw.committee,
            branch=pw.branch,
            node=pw.branch.node,
            year=year,
        )
        return held[0], minuted[0]

    # No meetings: none held, and no share of minutes to give (not 0 %).
    assert figures() == (0, None)
    record(pw, held_on=date(2025, 1, 1), minutes=receipt_pdf())
    record(pw, held_on=date(2025, 12, 31))
    record(pw, held_on=date(2025, 12, 31), kind="lecture")
    # The edges of the year: the day before and the day after belong to other years.
    record(pw, held_on=date(2024, 12, 31), minutes=receipt_pdf())
    record(pw, held_on=date(2026, 1, 1))
    # Another branch's meeting is not this branch's evidence.
    branches.meeting_record(
        actor=pw.committee,
        branch=pw.world.branch_a2a,
        kind="members",
        held_on=date(2025, 6, 1),
        topic="学习",
        attended=1,
    )
    assert figures() == (Decimal(3), Decimal("33.33"))
    assert figures(2024) == (Decimal(1), Decimal("100.00"))
    assert figures(2026) == (Decimal(1), Decimal("0.00"))


def test_a_rating_round_measures_meetings_held_and_minutes(pw):
    record(pw, held_on=date(2025, 4, 1), minutes=receipt_pdf())
    record(pw, held_on=date(2025, 5, 1))
    scheme = services.scheme_create(
        actor=pw.committee,
        subdistrict=pw.world.sub_a,
        year=2025,
        name="组织生活细则",
        items=[
            {
                "dimension": "组织生活",
                "name": "三会一课",
                "max_points": 40,
                "source": ItemSource.MEETINGS_HELD,
                "full_at": 8,
            },
            {
                "dimension": "组织生活",
                "name": "会议记录公开",
                "max_points": 60,
                "source": ItemSource.MINUTES_PUBLISHED,
                "full_at": 100,
            },
        ],
    )
    rnd = services.round_open(actor=pw.committee, scheme=scheme)
    lines = RatingLine.objects.filter(rating__round=rnd, rating__branch=pw.branch).order_by("item__order")
    got = [(ln.measured, ln.self_points) for ln in lines]
    # 2 of 8 meetings → 10 of 40 points offered; 50 % of minutes → 30 of 60.
    assert [m for m, _p in got] == [Decimal(2), Decimal(50)]
    assert "2025" in lines[0].measured_source


def test_meetings_through_the_api_and_the_page(pw, api_login, login):
    secretary = api_login(pw.secretary)
    r = secretary.post(
        "/api/v1/party/meetings",
        {
            "branch_id": pw.branch.pk,
            "kind": "study_day",
            "held_on": "2025-09-10",
            "topic": "支部学习日",
            "attended": "1",
            "minutes": receipt_pdf(),
        },
    )
    assert r.status_code == 201, r.content
    assert r.json()["has_minutes"] is True and r.json()["kind"] == "study_day"
    bad = secretary.post(
        "/api/v1/party/meetings",
        {
            "branch_id": pw.branch.pk,
            "kind": "members",
            "held_on": "2025-09-10",
            "topic": "x",
            "attended": "0",
        },
    )
    assert bad.status_code == 422
    # The branch's member sees it; a resident of another subdistrict does not.
    page = api_login(pw.member).get("/api/v1/party/meetings?year=2025&limit=10").json()
    assert page["count"] == 1 and page["items"][0]["topic"] == "支部学习日"
    assert api_login(pw.world.sub_b_admin).get("/api/v1/party/meetings").json()["count"] == 0
    # The page: the secretary records one without minutes, then adds them.
    client = login(pw.secretary)
    html = client.get("/party/meetings/?year=2025").content.decode()
    assert "支部学习日" in html and 'name="action" value="record"' in html
    client.post(
        "/party/meetings/",
        {
            "action": "record",
            "branch": pw.branch.pk,
            "kind": "members",
            "held_on": "2025-10-01",
            "topic": "党员大会",
            "attended": "1",
        },
    )
    meeting = BranchMeeting.objects.get(topic="党员大会")
    assert not meeting.minutes
    client.post("/party/meetings/", {"action": "minutes", "meeting": meeting.pk, "minutes": receipt_pdf()})
    meeting.refresh_from_db()
    assert meeting.minutes
    assert client.get(f"/party/meetings/{meeting.pk}/minutes/").status_code == 200
    assert login(pw.world.sub_b_admin).get(f"/party/meetings/{meeting.pk}/minutes/").status_code == 404
    # The member sees the page but no form.
    html = login(pw.member).get("/party/meetings/?year=2025").content.decode()
    assert "党员大会" in html and 'value="record"' not in html


def test_the_showcase_api_keeps_the_photo_sent_with_the_entry(pw, api_login):
    """An optional file of a multipart form reaches the service (it was dropped when typed ``File[…] | None``)."""
    strong = branches.strong_mark(
        actor=pw.committee, branch=pw.branch, targets=[{"name": "政治功能全面过硬"}]
    )
    r = api_login(pw.secretary).post(
        f"/api/v1/party/strong-branches/{strong.pk}/showcase",
        {
            "month": timezone.localdate().replace(day=1).isoformat(),
            "title": "护河",
            "text": "巡河",
            "photo": photo(),
        },
    )
    assert r.status_code == 201, r.content
    assert r.json()["has_photo"] is True
