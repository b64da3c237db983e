"""200 concurrent online owners' votes on PostgreSQL: one counted ballot per unit, the last one each."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from gongzhi.deliberation import services
from gongzhi.deliberation.models import Ballot, OwnedUnit
from tests.accounts.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_200_concurrent_online_votes_count_once_per_unit(world, delib):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent upserts need PostgreSQL")
    owners = [UserFactory(username=f"owner-{n}") for n in range(100)]
    units = OwnedUnit.objects.bulk_create(
        OwnedUnit(
            node=world.cmp_a1a,
            number=f"1-{n:03d}",
            area=Decimal("80.00"),
            owner=o,
            owner_name=f"业主{n}",
            owner_key=f"user:{o.pk}",
        )
        for n, o in enumerate(owners)
    )
    topic = services.topic_propose(actor=world.commissioner, council=delib.compound_council, title="维修资金")
    services.topic_transition(actor=world.commissioner, topic=topic, action="accept")
    meeting = services.meeting_schedule(
        actor=world.commissioner,
        council=delib.compound_council,
        title="业主大会",
        starts_at=timezone.now() + timedelta(days=4),
        place="广场",
    )
    services.agenda_add(actor=world.commissioner, meeting=meeting, topic=topic)
    vote = services.vote_open(
        actor=world.commissioner, topic=topic, kind="owners", question="维修资金", compound=world.cmp_a1a
    )
    start = threading.Barrier(200)
    failures: list[str] = []

    def cast(n: int) -> None:
        # Each owner votes twice at once (a double tap, or a change of mind): agree and disagree race.
        unit, owner = units[n % 100], owners[n % 100]
        start.wait()
        try:
            services.ballot_cast(
                actor=owner, vote=vote, choice="agree" if n < 100 else "disagree", unit=unit, verified=True
            )
        except Exception as exc:
            failures.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=cast, args=(n,)) for n in range(200)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert Ballot.objects.filter(vote=vote).count() == 100
    assert Ballot.objects.filter(vote=vote).values("unit").distinct().count() == 100
    result = services.vote_close(actor=world.commissioner, vote=vote).result
    assert result["units_voted"] == 100 and result["voted_owners"] == 100
