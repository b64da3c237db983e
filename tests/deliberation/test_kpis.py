"""The KPI provider counts topics and cases in reach, by child area, without opening cases."""

from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.core.registry import kpi_providers
from gongzhi.deliberation import services

pytestmark = pytest.mark.django_db


def test_kpis_count_topics_and_cases(world, delib):
    services.topic_from_appeal(actor=world.a1_staff, appeal=delib.appeal, council=delib.council)
    services.topic_propose(actor=world.commissioner, council=delib.compound_council, title="充电桩")
    services.case_open(
        actor=world.a1_staff,
        node=world.cmp_a1a,
        kind="neighbours",
        source="walk_in",
        title="噪音",
        facts="夜间噪音",
        parties=[{"name": "甲"}],
        at_risk=True,
    )
    provider = kpi_providers()["deliberation"]
    now = timezone.now()
    span = {"start": now - timedelta(days=1), "end": now + timedelta(days=1)}
    viewer = provider(fetched_by=world.viewer, node=world.district, group_by="node", **span)
    assert viewer["total"]["topics"] == 2 and viewer["total"]["from_appeals"] == 1
    assert viewer["total"]["cases"] == 1 and viewer["total"]["cases_at_risk"] == 1
    assert [g["label"] for g in viewer["groups"]] == ["街道A"]
    other = provider(fetched_by=world.sub_b_admin, node=world.district, **span)
    assert other["total"]["topics"] == 0 and other["total"]["cases"] == 0
