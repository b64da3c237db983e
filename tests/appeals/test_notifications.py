"""The outbox: residents hear at acceptance, requests for information and resolution; staff at assignment
and escalation. Delivery happens after commit; a failing SMS gateway leaves the message pending."""

from unittest.mock import patch

import pytest

from gongzhi.accounts.sms import MemorySmsBackend
from gongzhi.appeals.services import appeal_transition
from gongzhi.notifications.models import Notification
from gongzhi.notifications.services import Message, notifications_deliver, notify, notify_many
from tests.accounts.factories import with_phone

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]  # bulk insert and its conflict differ by backend


def kinds(user):
    return sorted(user.notifications.filter(channel="in_app").values_list("kind", flat=True))


def test_resident_and_staff_are_told(world, file_appeal, django_capture_on_commit_callbacks, login):
    with_phone(world.resident, "13812349999")
    appeal = file_appeal()
    with django_capture_on_commit_callbacks(execute=True):
        appeal = appeal_transition(actor=world.commissioner, appeal=appeal, action="accept")
        appeal = appeal_transition(
            actor=world.commissioner, appeal=appeal, action="request_info", note="照片?"
        )
        appeal = appeal_transition(actor=world.resident, appeal=appeal, action="provide_info", note="已补")
        appeal = appeal_transition(
            actor=world.commissioner, appeal=appeal, action="assign", assignee_user=world.a1_staff
        )
        appeal = appeal_transition(
            actor=world.commissioner, appeal=appeal, action="escalate", note="社区协调"
        )
        appeal = appeal_transition(actor=world.a1_staff, appeal=appeal, action="accept")
        appeal = appeal_transition(actor=world.a1_staff, appeal=appeal, action="resolve", reply="好了")
    # Each step the resident should know of is told once, in words of its own: accepted, handed to a
    # person, passed up, taken up by the community (not "accepted" twice), resolved.
    assert kinds(world.resident) == [
        "appeal.accept",
        "appeal.accept",
        "appeal.assign",
        "appeal.escalate",
        "appeal.request_info",
        "appeal.resolve",
    ]
    titles = list(
        world.resident.notifications.filter(channel="in_app").order_by("pk").values_list("title", flat=True)
    )
    assert len(set(titles)) == len(titles), titles
    assert kinds(world.a1_staff) == ["appeal.assigned", "appeal.escalated"]
    assert kinds(world.commissioner) == []  # nobody is told about their own action
    sms = [phone for phone, _m in MemorySmsBackend.outbox]
    assert sms == ["13812349999"] * 4
    assert not Notification.objects.filter(sent_at__isnull=True).exists()
    page = login(world.resident).get("/messages/").content.decode()
    assert "您的诉求已办结" in page
    assert '✉<span class="count">6</span>' in login(world.resident).get("/").content.decode()
    login(world.resident).post("/messages/read/")
    assert not world.resident.notifications.filter(channel="in_app", read_at__isnull=True).exists()


def test_failed_delivery_stays_pending(world, file_appeal, monkeypatch):
    with_phone(world.resident, "13812349999")
    appeal = appeal_transition(actor=world.commissioner, appeal=file_appeal(), action="accept")
    pending = list(Notification.objects.filter(channel="sms").values_list("pk", flat=True))

    def broken(phone, message):
        raise ConnectionError("gateway down")

    monkeypatch.setattr(MemorySmsBackend, "send", lambda self, phone, message, key="": broken(phone, message))
    assert notifications_deliver(ids=pending) == 0
    note = Notification.objects.get(pk=pending[0])
    assert note.sent_at is None and note.attempts == 1
    monkeypatch.undo()
    assert notifications_deliver(ids=pending) == 1
    assert appeal.pk


def test_a_resident_without_an_account_is_texted(world, file_appeal, django_capture_on_commit_callbacks):
    """Staff file for 李四, who is in the register with a mobile number but has no account."""
    MemorySmsBackend.outbox.clear()
    appeal = file_appeal(actor=world.a1_staff, node=world.cmp_a1b, resident=world.p_a1b, channel="phone")
    with django_capture_on_commit_callbacks(execute=True):
        appeal = appeal_transition(actor=world.a1_staff, appeal=appeal, action="accept")
        appeal = appeal_transition(actor=world.a1_staff, appeal=appeal, action="resolve", reply="已清理")
    texts = Notification.objects.filter(person=world.p_a1b).order_by("id")
    assert [(n.channel, n.kind) for n in texts] == [("sms", "appeal.accept"), ("sms", "appeal.resolve")]
    assert all(n.sent_at for n in texts) and all(n.recipient_id is None for n in texts)
    assert [phone for phone, _m in MemorySmsBackend.outbox] == ["13912345678"] * 2
    assert "【共治】" in MemorySmsBackend.outbox[0][1]


def test_no_number_no_text_and_a_message_needs_one_recipient(world, file_appeal):
    from django.db import IntegrityError, transaction

    world.p_a1b.set_phone(None)
    world.p_a1b.save()
    appeal = file_appeal(actor=world.a1_staff, node=world.cmp_a1b, resident=world.p_a1b, channel="phone")
    appeal_transition(actor=world.a1_staff, appeal=appeal, action="accept")
    assert not Notification.objects.filter(person=world.p_a1b).exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(channel="in_app", kind="x", title="x")  # nobody to tell
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(person=world.p_a1b, channel="in_app", kind="x", title="x")  # SMS only


def test_notify_many_skips_what_was_sent_and_survives_a_race(world, django_capture_on_commit_callbacks):
    def message(user, key):
        return Message(recipient=user, kind="appeal.due_soon", title="t", dedupe_key=key)

    notify(recipients=[world.commissioner], kind="appeal.due_soon", title="t", dedupe_key="k1")
    wanted = [
        message(world.commissioner, "k1"),
        message(world.commissioner, "k2"),
        message(world.a1_staff, "k1"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        made = notify_many(wanted + wanted)  # the same message twice is one
    assert sorted((n.recipient.username, n.dedupe_key) for n in made) == [
        ("a1-staff", "k1"),
        ("a1a-commissioner", "k2"),
    ]
    delivered = Notification.objects.filter(pk__in=[n.pk for n in made], sent_at__isnull=False)
    assert delivered.count() == 2  # queued for delivery after commit; in-app is delivered by being there

    # Another writer sent one of them after the look-up (the look-up misses it): the insert fails, and the
    # rest still go out, once.
    notify(recipients=[world.a2_staff], kind="appeal.due_soon", title="t", dedupe_key="k3")
    with patch.object(Notification.objects, "filter", return_value=Notification.objects.none()):
        made = notify_many([message(world.a2_staff, "k3"), message(world.sub_admin, "k3")])
    assert [n.recipient for n in made] == [world.sub_admin]
    assert Notification.objects.filter(dedupe_key="k3").count() == 2

    with pytest.raises(ValueError):
        notify_many([message(world.sub_admin, "")])
