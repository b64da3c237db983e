import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from gongzhi.accounts.services import api_token_issue
from gongzhi.appeals.kpis import appeal_kpis
from gongzhi.appeals.models import Rating
from gongzhi.appeals.services import appeal_transition

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def handled(world, file_appeal):
    """Six appeals in 社区A1/A2: three rated (satisfied, basically, dissatisfied twice), one resolved at the
    community, one merged away, one never accepted."""

    def run(appeal, *steps):
        for actor, action, payload in steps:
            appeal = appeal_transition(actor=actor, appeal=appeal, action=action, **payload)
        return appeal

    c, staff, res = world.commissioner, world.a1_staff, world.resident
    accept, resolve = (c, "accept", {}), (c, "resolve", {"reply": "ok"})
    run(file_appeal(), accept, resolve, (res, "rate", {"rating": Rating.SATISFIED}))
    run(file_appeal(), accept, resolve, (res, "rate", {"rating": Rating.BASICALLY_SATISFIED}))
    run(
        file_appeal(),
        accept,
        resolve,
        (res, "rate", {"rating": Rating.DISSATISFIED}),
        resolve,
        (res, "rate", {"rating": Rating.DISSATISFIED}),
    )
    run(
        file_appeal(),
        accept,
        (c, "escalate", {"note": "x"}),
        (staff, "accept", {}),
        (staff, "resolve", {"reply": "ok"}),
    )
    original = file_appeal()
    run(file_appeal(), (c, "merge", {"merge_into": original}))
    return world


def window():
    now = timezone.now()
    return {"start": now - timedelta(days=1), "end": now + timedelta(days=1)}


def test_kpi_definitions(handled):
    total = appeal_kpis(fetched_by=handled.sub_admin, node=handled.sub_a, **window())["total"]
    assert total["collected"] == 5  # the merged duplicate is left out
    assert (total["responded"], total["resolved"], total["rated"]) == (4, 4, 3)
    assert total["response_rate"] == 0.8 and total["resolution_rate"] == 0.8
    assert total["satisfaction_rate"] == round((1 + 0.9) / 3, 4)
    assert total["composite_score"] == round(0.1 * 0.8 + 0.5 * 0.8 + 0.4 * round(1.9 / 3, 4), 4)
    assert total["containment"] == {"compound": 0.75, "community": 0.25, "subdistrict": 0.0}
    assert total["on_time_rate"] == 1.0
    assert total["avg_hours_to_accept"] is not None


def test_drill_down_and_scope(handled):
    by_node = appeal_kpis(fetched_by=handled.sub_admin, node=handled.sub_a, group_by="node", **window())
    assert [(g["label"], g["collected"]) for g in by_node["groups"]] == [("社区A1", 5)]
    by_tier = appeal_kpis(fetched_by=handled.sub_admin, node=handled.sub_a, group_by="tier", **window())
    assert {g["key"]: g["collected"] for g in by_tier["groups"]} == {"compound": 4, "community": 1}
    assert (
        appeal_kpis(fetched_by=handled.a2_staff, node=handled.comm_a2, **window())["total"]["collected"] == 0
    )
    assert (
        appeal_kpis(fetched_by=handled.viewer, node=handled.district, **window())["total"]["collected"] == 5
    )
    empty = appeal_kpis(fetched_by=handled.sub_b_admin, node=handled.sub_b, **window())["total"]
    assert empty["collected"] == 0 and empty["response_rate"] is None and empty["composite_score"] is None


def test_kpi_endpoint(handled):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_issue(user=handled.sub_admin)}")
    today = timezone.localdate()
    body = client.get(
        f"/api/v1/appeals/kpis?node={handled.sub_a.pk}&from={today - timedelta(days=3)}"
        f"&to={today + timedelta(days=1)}&group_by=month"
    ).json()
    assert body["total"]["collected"] == 5 and len(body["groups"]) == 1
    assert client.get(f"/api/v1/appeals/kpis?node={handled.sub_b.pk}").status_code == 404
    assert client.get("/api/v1/appeals/kpis?group_by=planet").status_code == 422
    assert client.get(f"/api/v1/appeals/kpis?from={today}&to={today}").status_code == 422
    assert json.loads(client.get("/api/v1/appeals/kpis").content)["total"]["collected"] == 5
