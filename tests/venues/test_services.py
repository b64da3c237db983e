"""Convenience-service hours earn the named volunteer points in the ledger: once per slot and day, through
the ledger's own posting (double entry, idempotent), and only when the venue's staff record them."""

from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from gongzhi.core.workdays import SHANGHAI
from gongzhi.ledger.models import PointsAccount, PointsEntry, PointsTransaction
from gongzhi.venues import services
from gongzhi.venues.errors import VenueError
from gongzhi.venues.models import ConvenienceService, ServiceDelivery

pytestmark = pytest.mark.django_db


def _balance(user) -> int:
    account = PointsAccount.objects.filter(user=user).first()
    return account.balance if account else 0


def test_service_hours_earn_the_volunteer_points_once(world, centre):
    service = ConvenienceService.objects.create(
        venue=centre, name="磨剪刀", weekday=1, start_time=time(9), end_time=time(11), provider="王师傅",
        provider_user=world.resident,
    )  # fmt: skip
    day = timezone.localtime(timezone.now(), SHANGHAI).date() - timedelta(days=1)
    # The provider's own record of their hours pays nothing.
    services.delivery_record(actor=world.resident, service=service, day=day, served=12, hours=Decimal("2"))
    assert _balance(world.resident) == 0 and not PointsTransaction.objects.exists()
    # The venue's staff record them: 2 h at the subdistrict's default 10 points an hour.
    services.delivery_record(actor=world.sub_admin, service=service, day=day, served=12, hours=Decimal("2"))
    services.delivery_record(actor=world.sub_admin, service=service, day=day, served=13, hours=Decimal("2"))
    assert _balance(world.resident) == 20
    record = PointsTransaction.objects.get()
    assert record.key == f"venue-service:{service.pk}:{day.isoformat()}"
    assert sorted(PointsEntry.objects.filter(transaction=record).values_list("amount", flat=True)) == [
        -20,
        20,
    ]
    # Other hours once paid are refused, and the row keeps what was recorded.
    with pytest.raises(VenueError) as refused:
        services.delivery_record(
            actor=world.sub_admin, service=service, day=day, served=14, hours=Decimal("3")
        )
    assert refused.value.code == "points_paid"
    row = ServiceDelivery.objects.get(service=service, day=day)
    assert (row.served, row.hours, _balance(world.resident)) == (13, Decimal("2.0"), 20)


def test_venue_and_area_edits_are_audited_with_the_fields_changed_and_a_refused_edit_leaves_no_trace(
    world, centre
):
    from gongzhi.core.models import AuditEvent

    services.venue_update(actor=world.sub_admin, venue=centre, closes_at=time(21), operator="街道")
    services.space_update(actor=world.sub_admin, space=centre.room, capacity=30)
    events = {e.action: e for e in AuditEvent.objects.filter(action__startswith="venues.")}
    assert events["venues.venue_update"].detail["changed"] == ["closes_at", "operator"]
    assert (
        events["venues.venue_update"].actor == world.sub_admin
        and events["venues.venue_update"].node == world.sub_a
    )
    assert events["venues.space_update"].detail["changed"] == ["capacity"]
    assert events["venues.space_update"].target_id == str(centre.room.pk)
    # A renamed area that clashes with its neighbour is refused, and nothing is written or audited.
    with pytest.raises(VenueError):
        services.space_update(actor=world.sub_admin, space=centre.room, name="多功能厅")
    assert AuditEvent.objects.filter(action__startswith="venues.").count() == 2
    centre.room.refresh_from_db()
    assert centre.room.name == "议事协商室"
