"""The deliberation API: the error contract on bad input (nothing changes), scope (404 outside), the role ×
state matrix of topic steps, and a pinned query count on the topic list."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongzhi.deliberation import services
from gongzhi.deliberation.models import Council, Meeting, Topic, TopicStatus
from gongzhi.deliberation.workflow import TOPIC_WORKFLOW

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "body",
    [
        {"node_id": 2**70, "name": "x"},
        {"node_id": 0, "name": "x"},
        {"node_id": "²", "name": "x"},
        {"name": "x"},
        {"node_id": 1, "name": "x" * 61},
        {"node_id": 1, "name": "x", "notice_days": 10**30},
    ],
)
def test_bad_council_input_is_422(world, api_login, body):
    response = api_login(world.a1_staff).post("/api/v1/councils", body, content_type="application/json")
    assert response.status_code == 422
    assert set(response.json()) >= {"code", "detail"}
    assert not Council.objects.exists()


def test_nul_and_bad_dates_are_refused(world, delib, api_login):
    client = api_login(world.a1_staff)
    nul = client.post(
        "/api/v1/topics", {"council_id": delib.council.pk, "title": "a\x00b"}, content_type="application/json"
    )
    assert nul.status_code == 422
    for when in ("0001-01-01T00:00:00", "9999-12-31T23:59:59"):
        response = client.post(
            "/api/v1/meetings",
            {"council_id": delib.council.pk, "title": "会", "starts_at": when, "place": "室"},
            content_type="application/json",
        )
        assert response.status_code == 422, when
    assert not Meeting.objects.exists()
    huge = client.get(f"/api/v1/topics/{2**70}")
    assert huge.status_code in (404, 422)


def test_topics_outside_reach_are_404(world, delib, api_login):
    topic = services.topic_from_appeal(actor=world.a1_staff, appeal=delib.appeal, council=delib.council)
    assert api_login(world.sub_b_admin).get(f"/api/v1/topics/{topic.pk}").status_code == 404
    mine = api_login(world.resident).get(f"/api/v1/topics/{topic.pk}")
    assert mine.status_code == 200 and mine.json()["actions"] == []


def test_topic_steps_through_the_api(world, delib, api_login):
    client = api_login(world.a1_staff)
    created = client.post(
        "/api/v1/topics/from-appeal",
        {"appeal_id": delib.appeal.pk, "council_id": delib.council.pk},
        content_type="application/json",
    )
    assert created.status_code == 201
    topic_id = created.json()["id"]
    again = client.post(
        "/api/v1/topics/from-appeal",
        {"appeal_id": delib.appeal.pk, "council_id": delib.council.pk},
        content_type="application/json",
    )
    assert again.status_code == 409 and again.json()["code"] == "already_topic"
    wrong = client.post(
        f"/api/v1/topics/{topic_id}/transitions", {"action": "decide"}, content_type="application/json"
    )
    assert wrong.status_code == 409
    resident = api_login(world.resident).post(
        f"/api/v1/topics/{topic_id}/transitions",
        {"action": "decline", "note": "no"},
        content_type="application/json",
    )
    assert resident.status_code == 403
    assert Topic.objects.get(pk=topic_id).status == TopicStatus.ACCEPTED


def test_ballot_choices_are_checked(world, delib, api_login):
    topic = services.topic_from_appeal(actor=world.a1_staff, appeal=delib.appeal, council=delib.council)
    meeting = services.meeting_schedule(
        actor=world.a1_staff,
        council=delib.council,
        title="会",
        starts_at=timezone.now() + timedelta(days=4),
        place="室",
    )
    services.agenda_add(actor=world.a1_staff, meeting=meeting, topic=topic)
    services.meeting_open(actor=world.a1_staff, meeting=meeting)
    for member in delib.members[:3]:
        services.attendance_mark(actor=world.a1_staff, meeting=meeting, member=member)
    vote = services.vote_open(
        actor=world.a1_staff, topic=topic, kind="yes_no", question="改造", meeting=meeting
    )
    client = api_login(delib.chair)
    for bad in ("yes", 1, [0], "²", 2**70):
        response = client.post(
            f"/api/v1/votes/{vote.pk}/ballots", {"choice": bad}, content_type="application/json"
        )
        assert response.status_code == 422, bad
    ok = client.post(f"/api/v1/votes/{vote.pk}/ballots", {"choice": "agree"}, content_type="application/json")
    assert ok.status_code == 200
    shown = client.get(f"/api/v1/votes/{vote.pk}").json()
    assert shown["result"] is None  # hidden until closed
    closed = api_login(world.a1_staff).post(f"/api/v1/votes/{vote.pk}/close")
    assert closed.status_code == 200 and closed.json()["result"]["agree"] == 1


def test_topic_list_query_count_is_pinned(world, delib, api_login):
    for n in range(5):
        services.topic_propose(actor=world.a1_staff, council=delib.council, title=f"议题{n}")
    client = api_login(world.a1_staff)
    client.get("/api/v1/topics")  # warm the token and caches
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/topics")
    for n in range(5, 15):
        services.topic_propose(actor=world.a1_staff, council=delib.council, title=f"议题{n}")
    with CaptureQueriesContext(connection) as many:
        response = client.get("/api/v1/topics")
    assert response.json()["count"] == 15
    assert len(many) == len(few)


# --- role × state for topic steps, written out ------------------------------------------------------

S = TopicStatus
MATRIX = {
    # state: {who: steps available}
    S.PROPOSED: {
        "staff": {"accept", "decline", "escalate"},
        "chair": {"accept", "decline", "escalate"},
        "resident": set(),
        "other": set(),
    },
    S.ACCEPTED: {
        "staff": {"decline", "escalate", "schedule"},
        "chair": {"decline", "escalate", "schedule"},
        "resident": set(),
        "other": set(),
    },
    S.SCHEDULED: {
        # unschedule: taken back to the list when its meeting is cancelled (meetings.meeting_cancel)
        "staff": {"deliberate", "decide", "unschedule"},
        "chair": {"deliberate", "decide", "unschedule"},
        "resident": set(),
        "other": set(),
    },
    S.DELIBERATED: {
        "staff": {"schedule", "decide"},
        "chair": {"schedule", "decide"},
        "resident": set(),
        "other": set(),
    },
    S.DECIDED: {"staff": {"start"}, "chair": {"start"}, "resident": set(), "other": set()},
    S.IN_PROGRESS: {"staff": {"finish"}, "chair": {"finish"}, "resident": set(), "other": set()},
    S.DONE: {"staff": set(), "chair": set(), "resident": set(), "other": set()},
    S.DECLINED: {"staff": set(), "chair": set(), "resident": set(), "other": set()},
}


@pytest.mark.parametrize("state", list(MATRIX))
def test_role_state_matrix_for_topics(world, delib, state):
    topic = services.topic_propose(actor=world.a1_staff, council=delib.council, title="议题")
    Topic.objects.filter(pk=topic.pk).update(status=state)
    topic.refresh_from_db()
    who = {"staff": world.a1_staff, "chair": delib.chair, "resident": world.resident, "other": world.a2_staff}
    for name, user in who.items():
        assert set(TOPIC_WORKFLOW.available(user, topic)) == MATRIX[state][name], (state, name)


def test_node_matters_for_compound_councils(world, delib):
    """The compound's commissioner runs its council but not the community's; the community staff run both."""
    topic = services.topic_propose(actor=world.commissioner, council=delib.compound_council, title="小区议题")
    up = services.topic_propose(actor=world.a1_staff, council=delib.council, title="社区议题")
    assert "accept" in TOPIC_WORKFLOW.available(world.commissioner, topic)
    assert TOPIC_WORKFLOW.available(world.commissioner, up) == []
    assert "accept" in TOPIC_WORKFLOW.available(world.a1_staff, topic)
