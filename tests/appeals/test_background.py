"""Exactly-once text messages, the reconcilers, the alert when the SLA sweep is late (issue 24)."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from gongzhi.accounts.sms import MemorySmsBackend, SmsNotSent
from gongzhi.notifications.delivery import notifications_deliver, notifications_reconcile
from gongzhi.notifications.models import Notification
from gongzhi.notifications.services import notify
from tests.accounts.factories import with_phone

pytestmark = pytest.mark.postgres


def _texts(world, count: int) -> list[int]:
    with_phone(world.resident, "13812349999")
    rows = [
        note
        for n in range(count)
        for note in notify(
            recipients=[world.resident], kind="test", title=f"Message {n}", dedupe_key=f"t{n}", sms=True
        )
    ]
    return sorted(n.pk for n in rows if n.channel == "sms")


def test_two_deliveries_of_the_same_rows_at_once_send_each_once(world, monkeypatch):
    """The periodic retry and the ordinary delivery used to send the same rows at the same time (443 sends
    for 440 rows), and each row still showed one attempt."""
    ids = _texts(world, 3)
    calls: list[str] = []
    send = MemorySmsBackend.send

    def send_while_another_consumer_delivers(self, phone, message, key=""):
        calls.append(message)
        if len(calls) == 1:
            notifications_deliver(ids=ids)  # the other consumer, given the same rows meanwhile
        send(self, phone, message, key)

    monkeypatch.setattr(MemorySmsBackend, "send", send_while_another_consumer_delivers)
    notifications_deliver(ids=ids)
    assert sorted(calls) == sorted(set(calls)) and len(calls) == 3
    assert len(MemorySmsBackend.outbox) == 3
    assert {(n.delivery, n.attempts) for n in Notification.objects.filter(pk__in=ids)} == {("sent", 1)}


def test_attempts_are_counted_in_the_database(world, monkeypatch):
    ids = _texts(world, 1)

    def refused(self, phone, message, key=""):
        raise SmsNotSent("gateway refused")

    monkeypatch.setattr(MemorySmsBackend, "send", refused)
    for _ in range(3):
        notifications_deliver(ids=ids)
    note = Notification.objects.get(pk=ids[0])
    assert (note.delivery, note.attempts) == ("pending", 3)
    for _ in range(3):
        notifications_deliver(ids=ids)
    note.refresh_from_db()
    assert (note.delivery, note.attempts) == ("failed", 5)  # gave up after the fifth


def test_a_send_that_may_have_happened_is_not_repeated_blindly(world, monkeypatch, settings):
    """No answer from a gateway without idempotency keys: the message may have arrived, so it is marked
    uncertain and not sent again."""
    ids = _texts(world, 1)
    monkeypatch.setattr(MemorySmsBackend, "supports_idempotency_key", False)

    def no_answer(self, phone, message):
        MemorySmsBackend.outbox.append((phone, message))  # it arrived...
        raise TimeoutError("... but the answer did not")

    monkeypatch.setattr(MemorySmsBackend, "send", no_answer)
    notifications_deliver(ids=ids)
    notifications_deliver(ids=ids)
    assert Notification.objects.get(pk=ids[0]).delivery == "uncertain"
    assert len(MemorySmsBackend.outbox) == 1


def test_an_interrupted_send_is_sent_again_with_the_same_key(world, monkeypatch, settings):
    """A consumer killed between the gateway's answer and the commit leaves the row 'sending'; the
    reconciler puts it back, and the repeat carries the same idempotency key, which the gateway drops."""
    ids = _texts(world, 1)
    keys: list[str] = []
    send = MemorySmsBackend.send

    def recording(self, phone, message, key=""):
        keys.append(key)
        send(self, phone, message, key)

    monkeypatch.setattr(MemorySmsBackend, "send", recording)
    notifications_deliver(ids=ids)
    Notification.objects.filter(pk=ids[0]).update(delivery="sending", sent_at=None)  # the commit never came
    counts, pending = notifications_reconcile()
    assert counts["interrupted"] == 0  # not yet: it may still be sending
    later = timezone.now() + timedelta(seconds=settings.GONGZHI_RECONCILE_AFTER_SECONDS + 1)
    with time_machine.travel(later):
        counts, pending = notifications_reconcile()
        assert counts["interrupted"] == 1 and ids[0] in pending
        notifications_deliver(ids=pending)
    assert len(keys) == 2 and keys[0] == keys[1] and keys[0]
    assert len(MemorySmsBackend.outbox) == 1
    note = Notification.objects.get(pk=ids[0])
    assert (note.delivery, note.attempts) == ("sent", 2)


def test_without_idempotency_an_interrupted_send_is_uncertain(world, monkeypatch, settings):
    ids = _texts(world, 1)
    monkeypatch.setattr(MemorySmsBackend, "supports_idempotency_key", False)
    Notification.objects.filter(pk=ids[0]).update(delivery="sending", claimed_at=timezone.now())
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.GONGZHI_SMS_CLAIM_SECONDS + 1)):
        counts, pending = notifications_reconcile()
    assert counts["uncertain"] == 1 and pending == []
    assert Notification.objects.get(pk=ids[0]).delivery == "uncertain"


def test_the_reconciler_queues_lost_duplicate_checks(world, file_appeal, settings):
    from gongzhi.appeals.models import Appeal
    from gongzhi.appeals.tasks import reconcile

    appeal = file_appeal()  # its check is queued after the commit, which never comes here: as if lost
    assert Appeal.objects.get(pk=appeal.pk).duplicates_checked_at is None
    reconcile.call_local()
    assert Appeal.objects.get(pk=appeal.pk).duplicates_checked_at is None  # too recent to call lost
    with time_machine.travel(
        timezone.now() + timedelta(seconds=settings.GONGZHI_RECONCILE_AFTER_SECONDS + 1)
    ):
        reconcile.call_local()
    assert Appeal.objects.get(pk=appeal.pk).duplicates_checked_at is not None


def test_administrators_are_told_once_when_the_sweep_is_late(world):
    from gongzhi.appeals.tasks import SWEEP, reconcile, sla_sweep

    sla_sweep.call_local()
    reconcile.call_local()
    assert not Notification.objects.filter(kind="system.sweep_late").exists()
    with time_machine.travel(timezone.now() + timedelta(seconds=2 * SWEEP.period + 60)):
        reconcile.call_local()
        reconcile.call_local()
    told = Notification.objects.filter(kind="system.sweep_late")
    assert sorted(n.recipient.username for n in told) == ["sub-a-admin", "sub-b-admin"]
